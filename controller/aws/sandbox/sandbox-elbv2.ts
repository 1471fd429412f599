import { createHash } from 'node:crypto';
import type {
  DescribeLoadBalancersInput,
  DescribeLoadBalancersOutput,
  LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CallLog } from '../call-log';
import type { Elbv2Port } from '../elbv2-port';
import { elbv2Errors as errors } from './dns-errors';

/** DescribeLoadBalancers: at most 20 names or ARNs, pages of at most 400. */
const MAX_DESCRIBE = 20;
const MAX_PAGE_SIZE = 400;

/** ELB's canonical hosted zone ids for us-east-1 (ALB/CLB and NLB); other Regions get the ALB one. */
const CANONICAL_ZONE: Record<string, { application: string; network: string }> = {
  'us-east-1': { application: 'Z35SXDOTRQ7X7K', network: 'Z26RNL4JYFTOTI' },
  'eu-west-1': { application: 'Z32O12XQLNTSW2', network: 'Z2IFOLAFXWLO4F' },
};

/** A load balancer as stored: the SDK shape with CreatedTime as epoch milliseconds. */
export type StoredLoadBalancer = Omit<LoadBalancer, 'CreatedTime'> & { CreatedTime: number };

export interface StoredElbv2 {
  loadBalancers: StoredLoadBalancer[];
}

export interface AddLoadBalancerOptions {
  name: string;
  type?: 'application' | 'network';
  scheme?: 'internet-facing' | 'internal';
  ipAddressType?: 'ipv4' | 'dualstack';
  /** Default: `<name>-<digits>.<region>.elb.amazonaws.com` as AWS assigns it. */
  dnsName?: string;
  canonicalHostedZoneId?: string;
}

/** In-memory ELBv2, enough for the DNS target `loadBalancer`: DescribeLoadBalancers. */
export class SandboxElbv2 implements Elbv2Port {
  readonly callLog: CallLog;
  private readonly loadBalancers = new Map<string, StoredLoadBalancer>();

  constructor(
    private readonly opts: { accountId: string; region: string; callLog?: CallLog; now?: () => number },
  ) {
    this.callLog = opts.callLog ?? new CallLog();
  }

  /** Setup helper (not an API call, not logged): a provisioned load balancer. */
  addLoadBalancer(o: AddLoadBalancerOptions): LoadBalancer {
    if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/.test(o.name) || o.name.startsWith('internal-')) {
      throw errors.validation(`The load balancer name '${o.name}' is not valid`);
    }
    if ([...this.loadBalancers.values()].some((lb) => lb.LoadBalancerName === o.name)) {
      throw errors.validation(`A load balancer with the name '${o.name}' already exists`);
    }
    const type = o.type ?? 'application';
    const hash = createHash('sha256').update(`${this.opts.region}/${o.name}`).digest('hex');
    const arn = `arn:aws:elasticloadbalancing:${this.opts.region}:${this.opts.accountId}:loadbalancer/${
      type === 'network' ? 'net' : 'app'
    }/${o.name}/${hash.slice(0, 16)}`;
    const scheme = o.scheme ?? 'internet-facing';
    const digits = BigInt(`0x${hash.slice(16, 28)}`)
      .toString()
      .slice(0, 10);
    const dnsName =
      o.dnsName ??
      (type === 'network'
        ? `${o.name}-${hash.slice(28, 44)}.elb.${this.opts.region}.amazonaws.com`
        : `${scheme === 'internal' ? 'internal-' : ''}${o.name}-${digits}.${this.opts.region}.elb.amazonaws.com`);
    const zones = CANONICAL_ZONE[this.opts.region] ?? CANONICAL_ZONE['us-east-1'];
    const stored: StoredLoadBalancer = {
      LoadBalancerArn: arn,
      DNSName: dnsName,
      CanonicalHostedZoneId: o.canonicalHostedZoneId ?? zones[type],
      CreatedTime: this.opts.now?.() ?? Date.now(),
      LoadBalancerName: o.name,
      Scheme: scheme,
      VpcId: 'vpc-0sandbox',
      State: { Code: 'active' },
      Type: type,
      AvailabilityZones: [],
      SecurityGroups: [],
      IpAddressType: o.ipAddressType ?? 'ipv4',
    };
    this.loadBalancers.set(arn, stored);
    return out(stored);
  }

  describeLoadBalancers(
    input: DescribeLoadBalancersInput,
  ): Promise<Omit<DescribeLoadBalancersOutput, '$metadata'>> {
    return new Promise((resolve) => {
      this.callLog.record('ELBv2', 'DescribeLoadBalancers');
      const names = input.Names ?? [];
      const arns = input.LoadBalancerArns ?? [];
      if (names.length > 0 && arns.length > 0) {
        throw errors.validation(
          'Load balancer names and load balancer ARNs cannot be specified at the same time',
        );
      }
      if (names.length > MAX_DESCRIBE || arns.length > MAX_DESCRIBE) {
        throw errors.validation(`You cannot describe more than ${MAX_DESCRIBE} load balancers at once`);
      }
      const pageSize = input.PageSize ?? MAX_PAGE_SIZE;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
        throw errors.validation(`Page size must be between 1 and ${MAX_PAGE_SIZE}`);
      }
      const all = [...this.loadBalancers.values()];
      let found: StoredLoadBalancer[];
      if (names.length > 0) {
        const missing = names.filter((n) => !all.some((lb) => lb.LoadBalancerName === n));
        if (missing.length > 0)
          throw errors.loadBalancerNotFound(`Load balancers '[${missing.join(', ')}]' not found`);
        found = all.filter((lb) => names.includes(lb.LoadBalancerName ?? ''));
      } else if (arns.length > 0) {
        if (arns.some((a) => !this.loadBalancers.has(a))) {
          throw errors.loadBalancerNotFound('One or more load balancers not found');
        }
        found = all.filter((lb) => arns.includes(lb.LoadBalancerArn ?? ''));
      } else {
        found = all;
      }
      const start = input.Marker ? Number(Buffer.from(input.Marker, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(start) || start < 0) throw errors.validation('Invalid marker');
      const next = start + pageSize < found.length ? start + pageSize : undefined;
      resolve({
        LoadBalancers: found.slice(start, start + pageSize).map(out),
        ...(next !== undefined
          ? { NextMarker: Buffer.from(String(next), 'utf8').toString('base64url') }
          : {}),
      });
    });
  }

  // Being written on branch sandbox-elbv2 (issue 13); until it lands the calls fail like an unsupported API.
  createLoadBalancer = notYet('createLoadBalancer');
  deleteLoadBalancer = notYet('deleteLoadBalancer');
  setSecurityGroups = notYet('setSecurityGroups');
  setSubnets = notYet('setSubnets');
  describeListeners = notYet('describeListeners');
  createListener = notYet('createListener');
  modifyListener = notYet('modifyListener');
  deleteListener = notYet('deleteListener');
  describeTargetGroups = notYet('describeTargetGroups');
  createTargetGroup = notYet('createTargetGroup');
  modifyTargetGroup = notYet('modifyTargetGroup');
  deleteTargetGroup = notYet('deleteTargetGroup');
  describeTargetGroupAttributes = notYet('describeTargetGroupAttributes');
  modifyTargetGroupAttributes = notYet('modifyTargetGroupAttributes');
  describeRules = notYet('describeRules');
  createRule = notYet('createRule');
  modifyRule = notYet('modifyRule');
  setRulePriorities = notYet('setRulePriorities');
  deleteRule = notYet('deleteRule');
  describeTags = notYet('describeTags');
  addTags = notYet('addTags');
  removeTags = notYet('removeTags');

  toJSON(): StoredElbv2 {
    return structuredClone({ loadBalancers: [...this.loadBalancers.values()] });
  }

  static fromJSON(
    state: StoredElbv2 | undefined,
    opts: { accountId: string; region: string; callLog?: CallLog; now?: () => number },
  ): SandboxElbv2 {
    const sb = new SandboxElbv2(opts);
    for (const lb of structuredClone(state?.loadBalancers ?? []))
      sb.loadBalancers.set(lb.LoadBalancerArn ?? '', lb);
    return sb;
  }
}

function notYet(op: string): () => Promise<never> {
  return () => Promise.reject(errors.validation(`The sandbox does not support ${op} yet`));
}

function out(lb: StoredLoadBalancer): LoadBalancer {
  return structuredClone({ ...lb, CreatedTime: new Date(lb.CreatedTime) });
}
