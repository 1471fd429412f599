/**
 * cluster.yaml `loadBalancer:` -> LoadBalancerConfig. The schema has checked the shape and the
 * ranges; this checks what a schema cannot say well (exactly one balancer, names and ARNs as ELBv2
 * takes them, listeners that fit together) and fills in the defaults.
 */
import {
  DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
  DEFAULT_TARGET_GROUP_SETTINGS,
  type HealthCheckSettings,
  type ListenerConfig,
  type LoadBalancerConfig,
  type LoadBalancerRef,
} from '../model/load-balancer';
import { ELB_NAME_MAX, ELB_NAME_PATTERN, ownedLoadBalancerName } from '../model/load-balancer-names';
import type { SourceRef, SpecError } from '../model/source';
import type { FieldPath } from './field-path';
import { healthCheckPathProblem, matcherProblem, timeoutProblem } from './target-group-settings';

/** As the schema admits it. */
export interface LoadBalancerFile {
  name?: string;
  arn?: string;
  create?: {
    name?: string;
    subnets: string[];
    securityGroups: string[];
    scheme?: 'internet-facing' | 'internal';
    ipAddressType?: 'ipv4' | 'dualstack';
  };
  listeners?: { port: number; protocol?: 'HTTP' | 'HTTPS'; certificateArn?: string; sslPolicy?: string }[];
  redirectHttpToHttps?: boolean;
  healthCheck?: Partial<HealthCheckSettings>;
  deregistrationDelaySeconds?: number;
  stickiness?: false | { enabled: boolean; durationSeconds?: number };
  healthCheckGracePeriodSeconds?: number;
}

export const LOAD_BALANCER_KINDS = ['name', 'arn', 'create'] as const;

const AT = ['loadBalancer'];
const ALB_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer\/(app|net|gwy)\/([^/]+)\/[0-9a-f]+$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:(acm|iam):[a-z0-9-]*:\d{12}:(certificate|server-certificate)\/.+$/;

/** The balancer name an ALB ARN holds (`.../loadbalancer/app/NAME/ID`), or undefined. */
export function nameInArn(arn: string): string | undefined {
  const m = ALB_ARN.exec(arn);
  return m && m[3] === 'app' ? m[4] : undefined;
}

/**
 * Returns the config, or undefined with errors pushed. `cluster` names an owned balancer by default;
 * `region` (when known) must be the region of an ARN.
 */
export function parseLoadBalancerConfig(
  lb: LoadBalancerFile,
  cluster: { name: string; region?: string },
  source: SourceRef,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): LoadBalancerConfig | undefined {
  const before = errors.length;
  const ref = parseRef(lb, cluster, errorAt, errors);
  const listeners = parseListeners(lb, errorAt, errors);
  const redirect = lb.redirectHttpToHttps ?? false;
  if (redirect) {
    if (lb.create === undefined) {
      errors.push(
        errorAt(
          [...AT, 'redirectHttpToHttps'],
          'only for a balancer ecs-gitops creates (loadBalancer.create): the listeners of an existing one are not ours to change',
        ),
      );
    } else if (
      !listeners.some((l) => l.protocol === 'HTTP') ||
      !listeners.some((l) => l.protocol === 'HTTPS')
    ) {
      errors.push(
        errorAt(
          [...AT, 'redirectHttpToHttps'],
          'needs an HTTP and an HTTPS listener, like listeners: [{ port: 80 }, { port: 443, certificateArn: ... }]',
        ),
      );
    }
  }
  const d = DEFAULT_TARGET_GROUP_SETTINGS;
  const healthCheck: HealthCheckSettings = { ...d.healthCheck, ...(lb.healthCheck ?? {}) };
  const hc = lb.healthCheck ?? {};
  if (hc.path !== undefined) {
    const problem = healthCheckPathProblem(hc.path);
    if (problem) errors.push(errorAt([...AT, 'healthCheck', 'path'], `"${hc.path}" ${problem}`));
  }
  if (hc.matcher !== undefined) {
    const problem = matcherProblem(hc.matcher);
    if (problem) errors.push(errorAt([...AT, 'healthCheck', 'matcher'], `"${hc.matcher}" ${problem}`));
  }
  const timeout = timeoutProblem(healthCheck.timeoutSeconds, healthCheck.intervalSeconds);
  if (timeout) {
    const field =
      hc.timeoutSeconds !== undefined || hc.intervalSeconds === undefined
        ? 'timeoutSeconds'
        : 'intervalSeconds';
    errors.push(errorAt([...AT, 'healthCheck', field], timeout));
  }
  if (errors.length > before || !ref) return undefined;
  const stickiness =
    lb.stickiness === false || lb.stickiness === undefined
      ? { ...d.stickiness, enabled: false }
      : {
          enabled: lb.stickiness.enabled,
          durationSeconds: lb.stickiness.durationSeconds ?? d.stickiness.durationSeconds,
        };
  return {
    ref,
    listeners,
    redirectHttpToHttps: redirect,
    targetGroup: {
      healthCheck,
      deregistrationDelaySeconds: lb.deregistrationDelaySeconds ?? d.deregistrationDelaySeconds,
      stickiness,
    },
    healthCheckGracePeriodSeconds: lb.healthCheckGracePeriodSeconds ?? DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
    source,
  };
}

function parseRef(
  lb: LoadBalancerFile,
  cluster: { name: string; region?: string },
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): LoadBalancerRef | undefined {
  const kinds = LOAD_BALANCER_KINDS.filter((k) => lb[k] !== undefined);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? 'none is set' : `${kinds.join(' and ')} are set`;
    errors.push(
      errorAt(
        AT,
        `needs exactly one of name, arn (an existing Application Load Balancer) or create (one ecs-gitops owns); ${got}`,
      ),
    );
    return undefined;
  }
  if (lb.name !== undefined) {
    const problem = balancerNameProblem(lb.name);
    if (problem) {
      errors.push(errorAt([...AT, 'name'], `"${lb.name}" ${problem}`));
      return undefined;
    }
    return { kind: 'existing', name: lb.name };
  }
  if (lb.arn !== undefined) {
    const m = ALB_ARN.exec(lb.arn);
    let problem: string | undefined;
    if (!m)
      problem =
        'is not a load balancer ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID)';
    else if (m[3] !== 'app')
      problem = 'is not an Application Load Balancer: host rules need one (loadbalancer/app/...)';
    else if (cluster.region !== undefined && m[1] !== cluster.region) {
      problem = `is in ${m[1]}, but the cluster is in ${cluster.region}: a service can only use a balancer of its region`;
    }
    if (problem) {
      errors.push(errorAt([...AT, 'arn'], `"${lb.arn}" ${problem}`));
      return undefined;
    }
    return { kind: 'existing', arn: lb.arn };
  }
  const c = lb.create!;
  const name = c.name ?? ownedLoadBalancerName(cluster.name);
  const problem = balancerNameProblem(name);
  if (problem) {
    errors.push(errorAt([...AT, 'create', 'name'], `"${name}" ${problem}`));
    return undefined;
  }
  return {
    kind: 'owned',
    name,
    subnets: [...c.subnets],
    securityGroups: [...c.securityGroups],
    scheme: c.scheme ?? 'internet-facing',
    ipAddressType: c.ipAddressType ?? 'ipv4',
  };
}

/** ELBv2's rules for a load balancer name. */
function balancerNameProblem(name: string): string | undefined {
  if (name.length > ELB_NAME_MAX)
    return `is ${name.length} characters long; at most ${ELB_NAME_MAX} are allowed`;
  if (!ELB_NAME_PATTERN.test(name)) {
    return 'is not a valid load balancer name: letters, digits and "-", not starting or ending with "-"';
  }
  if (/^internal-/i.test(name)) return 'must not start with "internal-" (ELBv2 reserves it)';
  return undefined;
}

/** The owned-only checks apply whenever `create` is there (even when its name is wrong). */
function parseListeners(
  lb: LoadBalancerFile,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): ListenerConfig[] {
  const owned = lb.create !== undefined;
  if (lb.listeners === undefined) return owned ? [{ port: 80, protocol: 'HTTP' }] : [];
  const seen = new Map<number, number>();
  const out: ListenerConfig[] = [];
  lb.listeners.forEach((l, i) => {
    const at = [...AT, 'listeners', i];
    const protocol = l.protocol ?? (l.certificateArn !== undefined ? 'HTTPS' : 'HTTP');
    const first = seen.get(l.port);
    if (first !== undefined) {
      errors.push(errorAt([...at, 'port'], `duplicate listener port ${l.port} (also listeners[${first}])`));
    } else seen.set(l.port, i);
    if (protocol === 'HTTP' && l.certificateArn !== undefined) {
      errors.push(
        errorAt(
          [...at, 'certificateArn'],
          'an HTTP listener takes no certificate: set protocol HTTPS or remove it',
        ),
      );
    }
    if (protocol === 'HTTP' && l.sslPolicy !== undefined) {
      errors.push(
        errorAt(
          [...at, 'sslPolicy'],
          'an HTTP listener takes no SSL policy: set protocol HTTPS or remove it',
        ),
      );
    }
    if (protocol === 'HTTPS' && l.certificateArn === undefined && owned) {
      errors.push(errorAt(at, 'an HTTPS listener needs a certificateArn (an ACM certificate)'));
    }
    if (l.certificateArn !== undefined && !CERTIFICATE_ARN.test(l.certificateArn)) {
      errors.push(
        errorAt(
          [...at, 'certificateArn'],
          `"${l.certificateArn}" is not a certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)`,
        ),
      );
    }
    out.push({
      port: l.port,
      protocol,
      ...(l.certificateArn !== undefined ? { certificateArn: l.certificateArn } : {}),
      ...(l.sslPolicy !== undefined ? { sslPolicy: l.sslPolicy } : {}),
    });
  });
  return out;
}
