/**
 * The containers the load balancer routes to -> DesiredState.proxyTargets: one per container of a
 * service's task definition whose `proxy.host` names it keeps (host-labels.ts has checked and
 * assigned the names, and checked `proxy.ports` against the portMappings).
 *
 * With `loadBalancer:` configured, what the balancer cannot do is an error here: a listen port with
 * no listener, more target groups than ECS attaches to a service, a name routed to two containers,
 * a target group label out of range. Without it, routing is not ours: label values are only
 * warnings, and nothing else is judged.
 */
import type { DesiredService } from '../model/desired';
import type { ProxyPort } from '../model/dns';
import type { DesiredProxyTarget, LoadBalancerConfig, TargetGroupOverrides } from '../model/load-balancer';
import type { SpecError } from '../model/source';
import { type ContainerHostLabels, type LabelAt, PROXY_HOST_LABEL, PROXY_PORTS_LABEL } from './host-labels';
import { parseProxyPorts } from './hostname-syntax';
import { parseTargetGroupLabels } from './proxy-target-labels';
import { timeoutProblem } from './target-group-settings';

/** ECS attaches at most 5 target groups to one service. */
export const MAX_TARGET_GROUPS_PER_SERVICE = 5;

const NETWORK_MODES = ['awsvpc', 'bridge', 'host'] as const;

export interface ProxyTargetsResult {
  targets: DesiredProxyTarget[];
  errors: SpecError[];
  warnings: SpecError[];
}

export interface TaskdefProxyInfo {
  containers: ContainerHostLabels[];
  /** The task definition's networkMode (absent: `bridge`, ECS's default on EC2). */
  networkMode?: string;
}

/**
 * `services` sorted by name; `proxyNames` from collectHostnames (service -> container -> names).
 */
export function collectProxyTargets(
  services: DesiredService[],
  byFamily: Map<string, TaskdefProxyInfo>,
  proxyNames: Map<string, Map<string, string[]>>,
  loadBalancer: LoadBalancerConfig | undefined,
): ProxyTargetsResult {
  const errors: SpecError[] = [];
  const warnings: SpecError[] = [];
  const problem = (at: LabelAt, message: string): void => {
    (loadBalancer ? errors : warnings).push({ ...at.source, field: at.field, message });
  };
  const checked = new Set<string>(); // label problems once per task definition, however many services use it
  const targets: DesiredProxyTarget[] = [];
  for (const service of services) {
    if (service.taskDefinition.kind !== 'family') continue;
    const family = service.taskDefinition.family;
    const info = byFamily.get(family);
    const names = proxyNames.get(service.name);
    if (!info || !names) continue;
    const report = !checked.has(family);
    checked.add(family);
    const mine: { target: DesiredProxyTarget; host: LabelAt; ports?: LabelAt }[] = [];
    for (const c of info.containers) {
      const hosts = names.get(c.container);
      const host = c.names.find((n) => n.label === PROXY_HOST_LABEL);
      if (!hosts || hosts.length === 0 || !host) continue;
      const networkMode = info.networkMode ?? 'bridge';
      if (!isNetworkMode(networkMode)) {
        if (loadBalancer && report) {
          problem(
            host,
            `the task definition's networkMode is "${networkMode}": a load balancer cannot reach the container`,
          );
        }
        continue;
      }
      const parsed = parseTargetGroupLabels(c.settings);
      if (report) {
        for (const p of parsed.problems) problem(p.at, p.message);
        if (loadBalancer) {
          for (const t of parsed.typos)
            warnings.push({ ...t.at.source, field: t.at.field, message: t.message });
          const timeout = effectiveTimeoutProblem(parsed.overrides, loadBalancer);
          if (timeout) problem(timeoutLabel(c, parsed.overrides), timeout);
        }
      }
      mine.push({
        target: {
          service: service.name,
          container: c.container,
          hosts: [...hosts].sort(),
          ports: proxyPorts(c, loadBalancer),
          networkMode,
          overrides: parsed.overrides,
          source: host.source,
          field: host.field,
        },
        host,
        ...(c.ports ? { ports: c.ports } : {}),
      });
    }
    // A service that writes its own loadBalancers gets no managed target groups: nothing to check.
    if (loadBalancer && !service.body.loadBalancers)
      errors.push(...balancerProblems(service, mine, loadBalancer));
    targets.push(...mine.map((m) => m.target));
  }
  return { targets, errors, warnings };
}

function isNetworkMode(mode: string): mode is DesiredProxyTarget['networkMode'] {
  return (NETWORK_MODES as readonly string[]).includes(mode);
}

/**
 * `proxy.ports`, or the default: listen on 80, or on the HTTPS listener when the HTTP one only
 * redirects, forwarding to container port 80.
 */
function proxyPorts(c: ContainerHostLabels, lb: LoadBalancerConfig | undefined): ProxyPort[] {
  if (c.ports) {
    const parsed = parseProxyPorts(c.ports.value);
    if (parsed.ok) return parsed.ports;
  }
  const https = lb?.redirectHttpToHttps ? lb.listeners.find((l) => l.protocol === 'HTTPS') : undefined;
  return [{ listen: https?.port ?? 80, container: 80 }];
}

function effectiveTimeoutProblem(o: TargetGroupOverrides, lb: LoadBalancerConfig): string | undefined {
  const hc = { ...lb.targetGroup.healthCheck, ...(o.healthCheck ?? {}) };
  return o.healthCheck?.timeoutSeconds !== undefined || o.healthCheck?.intervalSeconds !== undefined
    ? timeoutProblem(hc.timeoutSeconds, hc.intervalSeconds)
    : undefined;
}

/** The label that made the timeout too long: the timeout's when it took effect, else the interval's. */
function timeoutLabel(c: ContainerHostLabels, o: TargetGroupOverrides): LabelAt {
  const key =
    o.healthCheck?.timeoutSeconds !== undefined ? 'proxy.healthcheck.timeout' : 'proxy.healthcheck.interval';
  return c.settings.find((s) => s.key === key)!;
}

function balancerProblems(
  service: DesiredService,
  mine: { target: DesiredProxyTarget; host: LabelAt; ports?: LabelAt }[],
  lb: LoadBalancerConfig,
): SpecError[] {
  const errors: SpecError[] = [];
  const at = (label: LabelAt, message: string): void => {
    errors.push({ ...label.source, field: label.field, message });
  };
  const listeners = lb.listeners;
  const redirecting = lb.redirectHttpToHttps ? listeners.filter((l) => l.protocol === 'HTTP') : [];
  const groups: string[] = [];
  const routed = new Map<string, string>(); // `listen host` -> container
  for (const { target, host, ports } of mine) {
    const portsAt = ports ?? host;
    const portsName = ports ? `${PROXY_PORTS_LABEL} "${ports.value}"` : `the default ${PROXY_PORTS_LABEL}`;
    for (const p of target.ports) {
      const redirect = redirecting.find((l) => l.port === p.listen);
      if (redirect) {
        const https = listeners.find((l) => l.protocol === 'HTTPS')!;
        at(
          portsAt,
          `${portsName}: the HTTP listener on port ${p.listen} only redirects to HTTPS (redirectHttpToHttps): ` +
            `listen on ${https.port}, like "${https.port}:${p.container}"`,
        );
      } else if (listeners.length > 0 && !listeners.some((l) => l.port === p.listen)) {
        at(
          portsAt,
          `${portsName}: the load balancer has no listener on port ${p.listen} ` +
            `(listeners: ${listeners.map((l) => l.port).join(', ')})`,
        );
      }
      const group = `${target.container}:${p.container}`;
      if (!groups.includes(group)) {
        groups.push(group);
        if (groups.length === MAX_TARGET_GROUPS_PER_SERVICE + 1) {
          at(
            portsAt,
            `service "${service.name}" needs more than ${MAX_TARGET_GROUPS_PER_SERVICE} target groups ` +
              `(one per container and container port: ${groups.join(', ')}...); ECS attaches at most ${MAX_TARGET_GROUPS_PER_SERVICE} to a service`,
          );
        }
      }
      for (const name of target.hosts) {
        const key = `${p.listen} ${name}`;
        const other = routed.get(key);
        if (other === undefined) routed.set(key, target.container);
        else if (other !== target.container) {
          at(
            host,
            `host name "${name}" on listen port ${p.listen} is routed to container "${other}" of service ` +
              `"${service.name}" already: a name and port go to one container`,
          );
        }
      }
    }
  }
  return errors;
}
