import { createHash } from 'node:crypto';
import type * as elb from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Action,
  Listener,
  LoadBalancer,
  Rule,
  Tag,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CallLog } from '../call-log';
import { withOperation } from '../aws-error';
import { type Clock, systemClock } from '../clock';
import type { Elbv2Port } from '../elbv2-port';
import { ELBV2_THROTTLES } from '../throttle-groups';
import type { BucketSpec } from '../token-bucket';
import { AwsThrottling } from './aws-throttling';
import { elbv2Errors as errors } from './elbv2-errors';
import {
  MAX_DESCRIBE_TAGS,
  MAX_LISTENERS,
  MAX_LOAD_BALANCERS,
  MAX_PRIORITY,
  MAX_RULES_PER_LOAD_BALANCER,
  MAX_TARGET_GROUPS,
  MAX_TARGET_GROUPS_PER_LOAD_BALANCER,
  TARGET_GROUP_ATTRIBUTE_DEFAULTS,
  applyTargetGroupAttributes,
  checkLoadBalancerName,
  checkTags,
  checkTargetGroupName,
  checkTargetGroupShape,
  healthCheckOf,
  mergeTags,
  normalizeActions,
  normalizeConditions,
  pageOf,
  targetGroupsOf,
} from './elbv2-rules';

/** DescribeLoadBalancers: at most 20 names or ARNs. */
const MAX_DESCRIBE = 20;

/** ELB's canonical hosted zone ids for us-east-1 (ALB/CLB and NLB); other Regions get the ALB one. */
const CANONICAL_ZONE: Record<string, { application: string; network: string }> = {
  'us-east-1': { application: 'Z35SXDOTRQ7X7K', network: 'Z26RNL4JYFTOTI' },
  'eu-west-1': { application: 'Z32O12XQLNTSW2', network: 'Z2IFOLAFXWLO4F' },
};

/** The VPC of subnets the sandbox was not told about (and of `addLoadBalancer` without a vpcId). */
export const SANDBOX_VPC = 'vpc-0sandbox';
/** Security policy of an HTTPS listener created without one (ELBv2's current default). */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** A load balancer as stored: the SDK shape with CreatedTime as epoch milliseconds. */
export type StoredLoadBalancer = Omit<LoadBalancer, 'CreatedTime'> & { CreatedTime: number };
/** A listener as stored, with the ARN of its default rule. */
export type StoredListener = Listener & { DefaultRuleArn: string };
/** A rule other than a listener's default one (that one is its listener's default actions). */
export interface StoredRule {
  RuleArn: string;
  ListenerArn: string;
  Priority: number;
  Conditions: elb.RuleCondition[];
  Actions: Action[];
}
/** A target group as stored; its LoadBalancerArns are computed from the listeners and rules. */
export type StoredTargetGroup = Omit<TargetGroup, 'LoadBalancerArns'> & { TargetGroupArn: string };
export interface StoredSubnet {
  subnetId: string;
  availabilityZone: string;
  vpcId: string;
}

/**
 * Fields after `loadBalancers` were added with the listeners, rules and target groups (issue 13):
 * optional, so that older state files (only balancers) still load.
 */
export interface StoredElbv2 {
  loadBalancers: StoredLoadBalancer[];
  seq?: number;
  subnets?: StoredSubnet[];
  listeners?: StoredListener[];
  rules?: StoredRule[];
  targetGroups?: StoredTargetGroup[];
  /** Target group ARN -> its attributes (every key, defaults included). */
  attributes?: Record<string, Record<string, string>>;
  /** Resource ARN -> its tags. */
  tags?: Record<string, Tag[]>;
}

export interface AddLoadBalancerOptions {
  name: string;
  type?: 'application' | 'network';
  scheme?: 'internet-facing' | 'internal';
  ipAddressType?: 'ipv4' | 'dualstack';
  /** Default: `<name>-<digits>.<region>.elb.amazonaws.com` as AWS assigns it. */
  dnsName?: string;
  canonicalHostedZoneId?: string;
  /** Default: the sandbox VPC (`vpc-0sandbox`). */
  vpcId?: string;
}

export interface SandboxElbv2Options {
  accountId: string;
  region: string;
  /** Calls are recorded as `ELBv2.<Operation>`. */
  callLog?: CallLog;
  /** Default: real time (CreatedTime and the throttle's refill). */
  clock?: Clock;
  /** A bucket per operation (`CreateRule`), beside `awsThrottling` (aws-throttling.ts); an empty one throws `Throttling`. */
  throttle?: Record<string, BucketSpec>;
  /** "aws-like throttling": ELBv2's own buckets (throttle-groups.ts). Default off. */
  awsThrottling?: boolean;
}

type Out<T> = Promise<Omit<T, '$metadata'>>;

/** What the ECS sandbox may ask about a target group (not an API call, not logged). */
export interface TargetGroupFacts {
  arn: string;
  targetType: string;
  port?: number;
  loadBalancerArns: string[];
}

/**
 * A strict in-memory ELBv2 behind the Elbv2Port: Application Load Balancers, their listeners and
 * rules, target groups with their attributes, and tags, with AWS's validation, limits, errors
 * (the SDK's exception classes), idempotent creates, pagination and optional throttling.
 * Network balancers exist for the DNS target only (no listeners).
 */
export class SandboxElbv2 implements Elbv2Port {
  readonly callLog: CallLog;
  private readonly clock: Clock;
  private readonly throttling: AwsThrottling;
  private seq = 0;
  private readonly loadBalancers = new Map<string, StoredLoadBalancer>();
  private readonly subnets = new Map<string, StoredSubnet>();
  private readonly listeners = new Map<string, StoredListener>();
  private readonly rules = new Map<string, StoredRule>();
  private readonly targetGroups = new Map<string, StoredTargetGroup>();
  private readonly attributes = new Map<string, Record<string, string>>();
  private readonly tags = new Map<string, Tag[]>();

  constructor(private readonly opts: SandboxElbv2Options) {
    this.callLog = opts.callLog ?? new CallLog();
    this.clock = opts.clock ?? systemClock;
    this.throttling = new AwsThrottling(ELBV2_THROTTLES, this.clock);
    this.setThrottle(opts.throttle);
    this.setAwsThrottling(opts.awsThrottling ?? false);
  }

  /** Turns ELBv2's own buckets on, full, or off. */
  setAwsThrottling(on: boolean): void {
    this.throttling.setAws(on);
  }

  /** Turns throttling on (per operation) or off (undefined). */
  setThrottle(throttle: Record<string, BucketSpec> | undefined): void {
    this.throttling.setTable(throttle);
  }

  // ---------------------------------------------------------------- setup (not API calls, not logged)

  /** A subnet the sandbox knows, with its Availability Zone and VPC (EC2 is not modelled for this). */
  addSubnet(s: StoredSubnet): void {
    if (!/^subnet-[0-9a-f]+$/.test(s.subnetId))
      throw errors.subnetNotFound(`The subnet ID '${s.subnetId}' is not valid`);
    this.subnets.set(s.subnetId, { ...s });
  }

  /** A provisioned load balancer, as if created long ago. */
  addLoadBalancer(o: AddLoadBalancerOptions): LoadBalancer {
    if (!/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/.test(o.name) || o.name.startsWith('internal-')) {
      throw errors.validation(`The load balancer name '${o.name}' is not valid`);
    }
    if ([...this.loadBalancers.values()].some((lb) => lb.LoadBalancerName === o.name)) {
      throw errors.validation(`A load balancer with the name '${o.name}' already exists`);
    }
    const type = o.type ?? 'application';
    const hash = createHash('sha256').update(`${this.opts.region}/${o.name}`).digest('hex');
    const stored = this.newLoadBalancer({
      name: o.name,
      type,
      scheme: o.scheme ?? 'internet-facing',
      ipAddressType: o.ipAddressType ?? 'ipv4',
      id: hash.slice(0, 16),
      hash,
      vpcId: o.vpcId ?? SANDBOX_VPC,
      zones: [],
      securityGroups: [],
      ...(o.dnsName !== undefined ? { dnsName: o.dnsName } : {}),
      ...(o.canonicalHostedZoneId !== undefined ? { zoneId: o.canonicalHostedZoneId } : {}),
    });
    return lbOut(stored);
  }

  /**
   * A target group made outside the API (a fixed ARN, as a test's fixture names it), with AWS's
   * defaults; `forwardFrom` (a balancer ARN) adds an HTTP listener on the first free port from 80
   * whose default action forwards to it, so that it has an associated load balancer.
   */
  addTargetGroup(o: {
    name: string;
    port: number;
    arn?: string;
    targetType?: 'instance' | 'ip';
    vpcId?: string;
    forwardFrom?: string;
  }): TargetGroup {
    const name = checkTargetGroupName(o.name);
    const targetType = o.targetType ?? 'instance';
    const arn = o.arn ?? this.arn(`targetgroup/${name}/${this.nextId('targetgroup')}`);
    if (
      this.targetGroups.has(arn) ||
      [...this.targetGroups.values()].some((tg) => tg.TargetGroupName === name)
    ) {
      throw errors.duplicateTargetGroupName();
    }
    const stored: StoredTargetGroup = {
      TargetGroupArn: arn,
      TargetGroupName: name,
      Protocol: 'HTTP',
      ProtocolVersion: 'HTTP1',
      Port: o.port,
      VpcId: o.vpcId ?? SANDBOX_VPC,
      ...healthCheckOf({}, targetType),
      TargetType: targetType,
      IpAddressType: 'ipv4',
    };
    this.targetGroups.set(arn, stored);
    this.attributes.set(arn, { ...TARGET_GROUP_ATTRIBUTE_DEFAULTS });
    this.tags.set(arn, []);
    if (o.forwardFrom !== undefined) {
      const lb = this.balancer(o.forwardFrom);
      const used = new Set(
        [...this.listeners.values()].filter((l) => l.LoadBalancerArn === o.forwardFrom).map((l) => l.Port),
      );
      let port = 80;
      while (used.has(port)) port++;
      const [, , lbName, lbId] = (lb.LoadBalancerArn ?? '').split(':').slice(-1)[0].split('/');
      const id = this.nextId('listener');
      const listenerArn = this.arn(`listener/app/${lbName}/${lbId}/${id}`);
      this.listeners.set(listenerArn, {
        ListenerArn: listenerArn,
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: normalizeActions([{ Type: 'forward', TargetGroupArn: arn }]),
        DefaultRuleArn: this.arn(`listener-rule/app/${lbName}/${lbId}/${id}/${this.nextId('rule')}`),
      });
      this.tags.set(listenerArn, []);
    }
    return this.targetGroupOut(stored);
  }

  /** What ECS checks of a target group it attaches a service to; undefined when it does not exist. */
  targetGroupFacts(arn: string): TargetGroupFacts | undefined {
    const tg = this.targetGroups.get(arn);
    if (!tg) return undefined;
    return {
      arn,
      targetType: tg.TargetType ?? 'instance',
      ...(tg.Port !== undefined ? { port: tg.Port } : {}),
      loadBalancerArns: this.balancersOf(arn),
    };
  }

  // ---------------------------------------------------------------- plumbing

  /** Every call: counted (throttled calls too, as AWS counts them), throttled, then run. */
  private call<T>(op: string, fn: () => T): Promise<T> {
    const run = new Promise<T>((resolve) => {
      this.callLog.record('ELBv2', op);
      if (!this.throttling.admit(op)) throw errors.throttling();
      resolve(fn());
    });
    return withOperation(`ELBv2.${op}`, run);
  }

  private arn(resource: string): string {
    return `arn:aws:elasticloadbalancing:${this.opts.region}:${this.opts.accountId}:${resource}`;
  }

  private nextId(kind: string): string {
    this.seq++;
    return createHash('sha256').update(`${this.opts.region}/${kind}/${this.seq}`).digest('hex').slice(0, 16);
  }

  // ---------------------------------------------------------------- load balancers

  private newLoadBalancer(o: {
    name: string;
    type: 'application' | 'network';
    scheme: string;
    ipAddressType: string;
    id: string;
    hash: string;
    vpcId: string;
    zones: StoredSubnet[];
    securityGroups: string[];
    dnsName?: string;
    zoneId?: string;
  }): StoredLoadBalancer {
    const arn = this.arn(`loadbalancer/${o.type === 'network' ? 'net' : 'app'}/${o.name}/${o.id}`);
    const digits = BigInt(`0x${o.hash.slice(16, 28)}`)
      .toString()
      .slice(0, 10);
    const dnsName =
      o.dnsName ??
      (o.type === 'network'
        ? `${o.name}-${o.hash.slice(28, 44)}.elb.${this.opts.region}.amazonaws.com`
        : `${o.scheme === 'internal' ? 'internal-' : ''}${o.name}-${digits}.${this.opts.region}.elb.amazonaws.com`);
    const zones = CANONICAL_ZONE[this.opts.region] ?? CANONICAL_ZONE['us-east-1'];
    const stored: StoredLoadBalancer = {
      LoadBalancerArn: arn,
      DNSName: dnsName,
      CanonicalHostedZoneId: o.zoneId ?? zones[o.type],
      CreatedTime: this.clock.now(),
      LoadBalancerName: o.name,
      Scheme: o.scheme as StoredLoadBalancer['Scheme'],
      VpcId: o.vpcId,
      State: { Code: 'active' },
      Type: o.type,
      AvailabilityZones: zonesOut(o.zones),
      SecurityGroups: o.securityGroups,
      IpAddressType: o.ipAddressType as StoredLoadBalancer['IpAddressType'],
    };
    this.loadBalancers.set(arn, stored);
    this.tags.set(arn, []);
    return stored;
  }

  private balancer(arn: string | undefined): StoredLoadBalancer {
    const lb = this.loadBalancers.get(arn ?? '');
    if (!lb) throw errors.loadBalancerNotFound(`Load balancer '${arn ?? ''}' not found`);
    return lb;
  }

  /** A subnet: one the sandbox was told about, else any well-formed id in the sandbox VPC. */
  private subnet(id: string): StoredSubnet {
    const known = this.subnets.get(id);
    if (known) return known;
    if (!/^subnet-[0-9a-f]{8,17}$/.test(id))
      throw errors.subnetNotFound(`The subnet ID '${id}' is not valid`);
    // An unknown subnet's zone follows its id's last hex digit: `…0` a, `…1` b, … `…5` f, `…6` a.
    const letter = 'abcdef'[parseInt(id.slice(-1), 16) % 6];
    return { subnetId: id, availabilityZone: `${this.opts.region}${letter}`, vpcId: SANDBOX_VPC };
  }

  /** Subnets of a create or SetSubnets: one VPC, one per zone, two zones at least for an ALB. */
  private subnetsOf(
    subnets: readonly string[] | undefined,
    mappings: readonly elb.SubnetMapping[] | undefined,
    type: string,
  ): StoredSubnet[] {
    if (subnets !== undefined && mappings !== undefined) {
      throw errors.validation('You can specify subnets or subnet mappings, not both');
    }
    const ids = subnets ?? (mappings ?? []).map((m) => m.SubnetId ?? '');
    const list = ids.map((id) => this.subnet(id));
    if (new Set(list.map((s) => s.vpcId)).size > 1) {
      throw errors.invalidConfiguration('The subnets must all belong to the same VPC');
    }
    const zones = new Set<string>();
    for (const s of list) {
      if (zones.has(s.availabilityZone)) {
        throw errors.invalidConfiguration(
          `A load balancer cannot be attached to multiple subnets in the same Availability Zone (${s.availabilityZone})`,
        );
      }
      zones.add(s.availabilityZone);
    }
    if (type === 'application' && zones.size < 2) {
      throw errors.validation('At least two subnets in two different Availability Zones must be specified');
    }
    if (list.length === 0) throw errors.validation('At least one subnet must be specified');
    return list;
  }

  private securityGroupsOf(groups: readonly string[] | undefined, vpcId: string, type: string): string[] {
    const bad = (groups ?? []).find((g) => !/^sg-[0-9a-f]{8,17}$/.test(g));
    if (bad !== undefined) throw errors.invalidSecurityGroup(`Security group '${bad}' does not exist`);
    // An ALB created without security groups gets its VPC's default one.
    if (type === 'application' && (groups ?? []).length === 0) {
      return [`sg-${createHash('sha256').update(`default/${vpcId}`).digest('hex').slice(0, 17)}`];
    }
    return [...new Set(groups ?? [])];
  }

  createLoadBalancer(input: elb.CreateLoadBalancerInput): Out<elb.CreateLoadBalancerOutput> {
    return this.call('CreateLoadBalancer', () => {
      const name = checkLoadBalancerName(input.Name);
      const type = input.Type ?? 'application';
      if (type !== 'application' && type !== 'network') {
        throw errors.validation(`The sandbox does not model load balancers of type '${type}'`);
      }
      const scheme = input.Scheme ?? 'internet-facing';
      if (scheme !== 'internet-facing' && scheme !== 'internal') {
        throw errors.validation(
          `1 validation error detected: Value '${String(scheme)}' at 'scheme' failed to satisfy constraint: Member must satisfy enum value set: [internet-facing, internal]`,
        );
      }
      const ipAddressType = input.IpAddressType ?? 'ipv4';
      if (!['ipv4', 'dualstack', 'dualstack-without-public-ipv4'].includes(ipAddressType)) {
        throw errors.validation(
          `1 validation error detected: Value '${ipAddressType}' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack, dualstack-without-public-ipv4]`,
        );
      }
      const tags = checkTags(input.Tags);
      const zones = this.subnetsOf(input.Subnets, input.SubnetMappings, type);
      const vpcId = zones[0].vpcId;
      const securityGroups = this.securityGroupsOf(input.SecurityGroups, vpcId, type);
      const existing = [...this.loadBalancers.values()].find((lb) => lb.LoadBalancerName === name);
      if (existing) {
        // Idempotent: the same name with the same settings is the balancer that exists.
        const same =
          existing.Type === type &&
          existing.Scheme === scheme &&
          existing.IpAddressType === ipAddressType &&
          sameSet(existing.SecurityGroups ?? [], securityGroups) &&
          sameSet(
            (existing.AvailabilityZones ?? []).map((z) => z.SubnetId ?? ''),
            zones.map((z) => z.subnetId),
          );
        if (!same) throw errors.duplicateLoadBalancerName();
        return { LoadBalancers: [lbOut(existing)] };
      }
      if ([...this.loadBalancers.values()].filter((lb) => lb.Type === type).length >= MAX_LOAD_BALANCERS) {
        throw errors.tooManyLoadBalancers(MAX_LOAD_BALANCERS);
      }
      const id = this.nextId('loadbalancer');
      const stored = this.newLoadBalancer({
        name,
        type,
        scheme,
        ipAddressType,
        id,
        hash: createHash('sha256').update(`${this.opts.region}/${name}/${id}`).digest('hex'),
        vpcId,
        zones,
        securityGroups,
      });
      this.tags.set(stored.LoadBalancerArn ?? '', tags);
      return { LoadBalancers: [lbOut(stored)] };
    });
  }

  /** Its listeners and their rules go with it; target groups stay (now without this balancer). */
  deleteLoadBalancer(input: elb.DeleteLoadBalancerInput): Out<elb.DeleteLoadBalancerOutput> {
    return this.call('DeleteLoadBalancer', () => {
      const arn = input.LoadBalancerArn ?? '';
      if (!arn) throw errors.validation('A load balancer ARN must be specified');
      if (!this.loadBalancers.has(arn)) return {};
      for (const l of [...this.listeners.values()]) if (l.LoadBalancerArn === arn) this.removeListener(l);
      this.loadBalancers.delete(arn);
      this.tags.delete(arn);
      return {};
    });
  }

  setSecurityGroups(input: elb.SetSecurityGroupsInput): Out<elb.SetSecurityGroupsOutput> {
    return this.call('SetSecurityGroups', () => {
      const lb = this.balancer(input.LoadBalancerArn);
      const groups = input.SecurityGroups ?? [];
      if (lb.Type === 'application' && groups.length === 0) {
        throw errors.invalidConfiguration(
          'An Application Load Balancer must have at least one security group',
        );
      }
      lb.SecurityGroups = this.securityGroupsOf(groups, lb.VpcId ?? '', 'network');
      return { SecurityGroupIds: [...lb.SecurityGroups] };
    });
  }

  setSubnets(input: elb.SetSubnetsInput): Out<elb.SetSubnetsOutput> {
    return this.call('SetSubnets', () => {
      const lb = this.balancer(input.LoadBalancerArn);
      const zones = this.subnetsOf(input.Subnets, input.SubnetMappings, lb.Type ?? 'application');
      if (zones[0].vpcId !== lb.VpcId) {
        throw errors.invalidConfiguration(
          `The subnets must belong to the load balancer's VPC '${lb.VpcId ?? ''}'`,
        );
      }
      if (input.IpAddressType !== undefined) lb.IpAddressType = input.IpAddressType;
      lb.AvailabilityZones = zonesOut(zones);
      return { AvailabilityZones: structuredClone(lb.AvailabilityZones), IpAddressType: lb.IpAddressType };
    });
  }

  describeLoadBalancers(input: elb.DescribeLoadBalancersInput): Out<elb.DescribeLoadBalancersOutput> {
    return this.call('DescribeLoadBalancers', () => {
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
      const all = [...this.loadBalancers.values()];
      let found: StoredLoadBalancer[];
      if (names.length > 0) {
        const missing = names.filter((n) => !all.some((lb) => lb.LoadBalancerName === n));
        if (missing.length > 0)
          throw errors.loadBalancerNotFound(`Load balancers '[${missing.join(', ')}]' not found`);
        found = all.filter((lb) => names.includes(lb.LoadBalancerName ?? ''));
      } else if (arns.length > 0) {
        if (arns.some((a) => !this.loadBalancers.has(a))) throw errors.loadBalancerNotFound();
        found = all.filter((lb) => arns.includes(lb.LoadBalancerArn ?? ''));
      } else {
        found = all;
      }
      const page = pageOf(found, input.PageSize, input.Marker);
      return {
        LoadBalancers: page.items.map(lbOut),
        ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
      };
    });
  }

  // ---------------------------------------------------------------- listeners

  private listener(arn: string | undefined): StoredListener {
    const l = this.listeners.get(arn ?? '');
    if (!l) throw errors.listenerNotFound(`Listener '${arn ?? ''}' not found`);
    return l;
  }

  /** The balancers whose listeners (default actions) or rules forward to a target group. */
  private balancersOf(targetGroupArn: string): string[] {
    const out = new Set<string>();
    for (const l of this.listeners.values()) {
      const forwards =
        targetGroupsOf(l.DefaultActions ?? []).includes(targetGroupArn) ||
        [...this.rules.values()].some(
          (r) => r.ListenerArn === l.ListenerArn && targetGroupsOf(r.Actions).includes(targetGroupArn),
        );
      if (forwards) out.add(l.LoadBalancerArn ?? '');
    }
    return [...out];
  }

  /**
   * Actions on a listener of `lb`: shape, then each target group forwarded to must exist, be
   * HTTP/HTTPS, share the balancer's VPC, not serve another balancer, and the balancer must stay
   * within 100 unique target groups. `replacing`: the listener or rule whose actions these replace.
   */
  private checkedActions(
    actions: readonly Action[] | undefined,
    lb: StoredLoadBalancer,
    replacing?: string,
  ): Action[] {
    const out = normalizeActions(actions);
    const lbArn = lb.LoadBalancerArn ?? '';
    for (const arn of targetGroupsOf(out)) {
      const tg = this.targetGroups.get(arn);
      if (!tg) throw errors.targetGroupNotFound(`Target group '${arn}' not found`);
      if (tg.Protocol !== 'HTTP' && tg.Protocol !== 'HTTPS') {
        throw errors.incompatibleProtocols(
          `Target group '${arn}' has protocol '${tg.Protocol ?? ''}', not HTTP or HTTPS`,
        );
      }
      if (tg.VpcId !== lb.VpcId) {
        throw errors.validation(
          `The target group '${arn}' is in VPC '${tg.VpcId ?? ''}', not in the load balancer's VPC '${lb.VpcId ?? ''}'`,
        );
      }
      if (this.balancersOf(arn).some((other) => other !== lbArn)) {
        throw errors.targetGroupAssociationLimit(
          `The following target groups cannot be associated with more than one load balancer: ${arn}`,
        );
      }
    }
    const unique = new Set(targetGroupsOf(out));
    for (const l of this.listeners.values()) {
      if (l.LoadBalancerArn !== lbArn) continue;
      if (l.ListenerArn !== replacing) targetGroupsOf(l.DefaultActions ?? []).forEach((a) => unique.add(a));
      for (const r of this.rules.values()) {
        if (r.ListenerArn === l.ListenerArn && r.RuleArn !== replacing)
          targetGroupsOf(r.Actions).forEach((a) => unique.add(a));
      }
    }
    if (unique.size > MAX_TARGET_GROUPS_PER_LOAD_BALANCER) {
      throw errors.tooManyUniqueTargetGroups(MAX_TARGET_GROUPS_PER_LOAD_BALANCER);
    }
    return out;
  }

  /** Protocol, port, certificates and policy of a listener on an ALB, as created or modified. */
  private listenerSettings(
    lb: StoredLoadBalancer,
    protocol: string | undefined,
    port: number | undefined,
    certificates: readonly elb.Certificate[] | undefined,
    sslPolicy: string | undefined,
  ): Pick<Listener, 'Protocol' | 'Port' | 'Certificates' | 'SslPolicy'> {
    if (lb.Type !== 'application') {
      throw errors.validation('The sandbox models listeners of Application Load Balancers only');
    }
    if (protocol === undefined) throw errors.validation('A listener protocol must be specified');
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') {
      throw errors.unsupportedProtocol(
        `Protocol '${protocol}' is not supported by Application Load Balancers`,
      );
    }
    if (port === undefined) throw errors.validation('A listener port must be specified');
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw errors.validation(
        `1 validation error detected: Value '${port}' at 'port' failed to satisfy constraint: Member must have value between 1 and 65535`,
      );
    }
    if (protocol === 'HTTP') {
      if ((certificates ?? []).length > 0)
        throw errors.validation('Certificates can only be specified for HTTPS listeners');
      if (sslPolicy !== undefined)
        throw errors.validation('A security policy can only be specified for HTTPS listeners');
      return { Protocol: protocol, Port: port };
    }
    const certs = certificates ?? [];
    if (certs.length === 0) throw errors.validation('A certificate must be specified for HTTPS listeners');
    if (certs.length > 1)
      throw errors.validation(
        'Only the default certificate can be specified when creating or modifying a listener',
      );
    const cert = certs[0].CertificateArn ?? '';
    const acm = new RegExp(
      `^arn:aws:acm:${this.opts.region}:${this.opts.accountId}:certificate/[0-9a-f-]{36}$`,
    );
    const iam = new RegExp(`^arn:aws:iam::${this.opts.accountId}:server-certificate/.+$`);
    if (!acm.test(cert) && !iam.test(cert))
      throw errors.certificateNotFound(`Certificate '${cert}' not found`);
    const policy = sslPolicy ?? DEFAULT_SSL_POLICY;
    if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(policy)) {
      throw errors.sslPolicyNotFound(`SSL policy '${policy}' not found`);
    }
    return { Protocol: protocol, Port: port, Certificates: [{ CertificateArn: cert }], SslPolicy: policy };
  }

  createListener(input: elb.CreateListenerInput): Out<elb.CreateListenerOutput> {
    return this.call('CreateListener', () => {
      const lb = this.balancer(input.LoadBalancerArn);
      const settings = this.listenerSettings(
        lb,
        input.Protocol,
        input.Port,
        input.Certificates,
        input.SslPolicy,
      );
      const tags = checkTags(input.Tags);
      const siblings = [...this.listeners.values()].filter((l) => l.LoadBalancerArn === lb.LoadBalancerArn);
      const existing = siblings.find((l) => l.Port === settings.Port);
      if (existing) {
        // Idempotent: the same port with the same settings is the listener that exists.
        const actions = normalizeActions(input.DefaultActions);
        const same =
          canonical({ ...settings, DefaultActions: actions }) ===
          canonical({
            Protocol: existing.Protocol,
            Port: existing.Port,
            ...(existing.Certificates ? { Certificates: existing.Certificates } : {}),
            ...(existing.SslPolicy ? { SslPolicy: existing.SslPolicy } : {}),
            DefaultActions: existing.DefaultActions,
          });
        if (!same) throw errors.duplicateListener();
        return { Listeners: [listenerOut(existing)] };
      }
      if (siblings.length >= MAX_LISTENERS) throw errors.tooManyListeners(MAX_LISTENERS);
      const actions = this.checkedActions(input.DefaultActions, lb);
      const [, , lbName, lbId] = (lb.LoadBalancerArn ?? '').split(':').slice(-1)[0].split('/');
      const id = this.nextId('listener');
      const arn = this.arn(`listener/app/${lbName}/${lbId}/${id}`);
      const stored: StoredListener = {
        ListenerArn: arn,
        LoadBalancerArn: lb.LoadBalancerArn,
        ...settings,
        DefaultActions: actions,
        DefaultRuleArn: this.arn(`listener-rule/app/${lbName}/${lbId}/${id}/${this.nextId('rule')}`),
      };
      this.listeners.set(arn, stored);
      this.tags.set(arn, tags);
      return { Listeners: [listenerOut(stored)] };
    });
  }

  describeListeners(input: elb.DescribeListenersInput): Out<elb.DescribeListenersOutput> {
    return this.call('DescribeListeners', () => {
      const arns = input.ListenerArns ?? [];
      if (input.LoadBalancerArn === undefined && arns.length === 0) {
        throw errors.validation('You must specify either listener ARNs or a load balancer ARN');
      }
      if (input.LoadBalancerArn !== undefined && arns.length > 0) {
        throw errors.validation('Listener ARNs and a load balancer ARN cannot be specified at the same time');
      }
      let found: StoredListener[];
      if (input.LoadBalancerArn !== undefined) {
        const lb = this.balancer(input.LoadBalancerArn);
        found = [...this.listeners.values()].filter((l) => l.LoadBalancerArn === lb.LoadBalancerArn);
      } else {
        if (arns.some((a) => !this.listeners.has(a))) throw errors.listenerNotFound();
        found = [...this.listeners.values()].filter((l) => arns.includes(l.ListenerArn ?? ''));
      }
      const page = pageOf(found, input.PageSize, input.Marker);
      return {
        Listeners: page.items.map(listenerOut),
        ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
      };
    });
  }

  modifyListener(input: elb.ModifyListenerInput): Out<elb.ModifyListenerOutput> {
    return this.call('ModifyListener', () => {
      const l = this.listener(input.ListenerArn);
      const lb = this.balancer(l.LoadBalancerArn);
      const protocol = input.Protocol ?? l.Protocol;
      const toHttp = protocol === 'HTTP';
      const settings = this.listenerSettings(
        lb,
        protocol,
        input.Port ?? l.Port,
        input.Certificates ?? (toHttp ? undefined : l.Certificates),
        input.SslPolicy ?? (toHttp ? undefined : l.SslPolicy),
      );
      if (
        settings.Port !== l.Port &&
        [...this.listeners.values()].some(
          (o) => o.LoadBalancerArn === l.LoadBalancerArn && o.Port === settings.Port,
        )
      ) {
        throw errors.duplicateListener();
      }
      const actions =
        input.DefaultActions !== undefined
          ? this.checkedActions(input.DefaultActions, lb, l.ListenerArn)
          : l.DefaultActions;
      delete l.Certificates;
      delete l.SslPolicy;
      Object.assign(l, settings, { DefaultActions: actions });
      return { Listeners: [listenerOut(l)] };
    });
  }

  private removeListener(l: StoredListener): void {
    for (const r of [...this.rules.values()]) {
      if (r.ListenerArn === l.ListenerArn) {
        this.rules.delete(r.RuleArn);
        this.tags.delete(r.RuleArn);
      }
    }
    this.listeners.delete(l.ListenerArn ?? '');
    this.tags.delete(l.ListenerArn ?? '');
    this.tags.delete(l.DefaultRuleArn);
  }

  deleteListener(input: elb.DeleteListenerInput): Out<elb.DeleteListenerOutput> {
    return this.call('DeleteListener', () => {
      this.removeListener(this.listener(input.ListenerArn));
      return {};
    });
  }

  // ---------------------------------------------------------------- target groups

  private targetGroup(arn: string | undefined): StoredTargetGroup {
    const tg = this.targetGroups.get(arn ?? '');
    if (!tg) throw errors.targetGroupNotFound(`Target group '${arn ?? ''}' not found`);
    return tg;
  }

  /** VPCs the sandbox knows: the sandbox VPC, and those of subnets and balancers it was told about. */
  private knownVpc(vpcId: string): boolean {
    return (
      vpcId === SANDBOX_VPC ||
      [...this.subnets.values()].some((s) => s.vpcId === vpcId) ||
      [...this.loadBalancers.values()].some((lb) => lb.VpcId === vpcId)
    );
  }

  createTargetGroup(input: elb.CreateTargetGroupInput): Out<elb.CreateTargetGroupOutput> {
    return this.call('CreateTargetGroup', () => {
      const name = checkTargetGroupName(input.Name);
      const shape = checkTargetGroupShape(input);
      if (!/^vpc-[0-9a-z]+$/.test(shape.vpcId) || !this.knownVpc(shape.vpcId)) {
        throw errors.validation(`The VPC ID '${shape.vpcId}' is not found`);
      }
      const hc = healthCheckOf(input, shape.targetType);
      const tags = checkTags(input.Tags);
      const fields: Omit<StoredTargetGroup, 'TargetGroupArn' | 'TargetGroupName'> = {
        Protocol: shape.protocol,
        ProtocolVersion: 'HTTP1',
        Port: shape.port,
        VpcId: shape.vpcId,
        ...hc,
        TargetType: shape.targetType,
        IpAddressType: 'ipv4',
      };
      const existing = [...this.targetGroups.values()].find((tg) => tg.TargetGroupName === name);
      if (existing) {
        // Idempotent: the same name with the same settings is the target group that exists.
        const current = { ...existing, TargetGroupArn: undefined, TargetGroupName: undefined };
        if (canonical(current) !== canonical(fields)) throw errors.duplicateTargetGroupName();
        return { TargetGroups: [this.targetGroupOut(existing)] };
      }
      if (this.targetGroups.size >= MAX_TARGET_GROUPS) throw errors.tooManyTargetGroups(MAX_TARGET_GROUPS);
      const arn = this.arn(`targetgroup/${name}/${this.nextId('targetgroup')}`);
      const stored: StoredTargetGroup = { TargetGroupArn: arn, TargetGroupName: name, ...fields };
      this.targetGroups.set(arn, stored);
      this.attributes.set(arn, { ...TARGET_GROUP_ATTRIBUTE_DEFAULTS });
      this.tags.set(arn, tags);
      return { TargetGroups: [this.targetGroupOut(stored)] };
    });
  }

  private targetGroupOut(tg: StoredTargetGroup): TargetGroup {
    return structuredClone({ ...tg, LoadBalancerArns: this.balancersOf(tg.TargetGroupArn) });
  }

  /** By balancer, ARNs or names (one of them; any missing is TargetGroupNotFound), else all, by name. */
  describeTargetGroups(input: elb.DescribeTargetGroupsInput): Out<elb.DescribeTargetGroupsOutput> {
    return this.call('DescribeTargetGroups', () => {
      const arns = input.TargetGroupArns ?? [];
      const names = input.Names ?? [];
      const given = [input.LoadBalancerArn !== undefined, arns.length > 0, names.length > 0].filter(
        Boolean,
      ).length;
      if (given > 1) {
        throw errors.validation(
          'Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time',
        );
      }
      const all = [...this.targetGroups.values()].sort((a, b) =>
        (a.TargetGroupName ?? '').localeCompare(b.TargetGroupName ?? ''),
      );
      let found: StoredTargetGroup[];
      if (input.LoadBalancerArn !== undefined) {
        const lb = this.balancer(input.LoadBalancerArn);
        found = all.filter((tg) => this.balancersOf(tg.TargetGroupArn).includes(lb.LoadBalancerArn ?? ''));
      } else if (arns.length > 0) {
        const missing = arns.filter((a) => !this.targetGroups.has(a));
        if (missing.length > 0)
          throw errors.targetGroupNotFound(`Target groups '[${missing.join(', ')}]' not found`);
        found = all.filter((tg) => arns.includes(tg.TargetGroupArn));
      } else if (names.length > 0) {
        const missing = names.filter((n) => !all.some((tg) => tg.TargetGroupName === n));
        if (missing.length > 0)
          throw errors.targetGroupNotFound(`Target groups '[${missing.join(', ')}]' not found`);
        found = all.filter((tg) => names.includes(tg.TargetGroupName ?? ''));
      } else {
        found = all;
      }
      const page = pageOf(found, input.PageSize, input.Marker);
      return {
        TargetGroups: page.items.map((tg) => this.targetGroupOut(tg)),
        ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
      };
    });
  }

  /** Health check fields only (what ELBv2 can change in place). */
  modifyTargetGroup(input: elb.ModifyTargetGroupInput): Out<elb.ModifyTargetGroupOutput> {
    return this.call('ModifyTargetGroup', () => {
      const tg = this.targetGroup(input.TargetGroupArn);
      const changes: Partial<elb.ModifyTargetGroupInput> = { ...input };
      delete changes.TargetGroupArn;
      const hc = healthCheckOf(
        {
          ...pickHealthCheck(tg),
          ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
        },
        tg.TargetType ?? 'instance',
      );
      Object.assign(tg, hc);
      return { TargetGroups: [this.targetGroupOut(tg)] };
    });
  }

  deleteTargetGroup(input: elb.DeleteTargetGroupInput): Out<elb.DeleteTargetGroupOutput> {
    return this.call('DeleteTargetGroup', () => {
      const arn = input.TargetGroupArn ?? '';
      if (!arn) throw errors.validation('A target group ARN must be specified');
      if (!this.targetGroups.has(arn)) return {};
      if (this.balancersOf(arn).length > 0) {
        throw errors.resourceInUse(`Target group '${arn}' is currently in use by a listener or a rule`);
      }
      this.targetGroups.delete(arn);
      this.attributes.delete(arn);
      this.tags.delete(arn);
      return {};
    });
  }

  describeTargetGroupAttributes(
    input: elb.DescribeTargetGroupAttributesInput,
  ): Out<elb.DescribeTargetGroupAttributesOutput> {
    return this.call('DescribeTargetGroupAttributes', () => {
      const tg = this.targetGroup(input.TargetGroupArn);
      return {
        Attributes: attributesOut(this.attributes.get(tg.TargetGroupArn) ?? TARGET_GROUP_ATTRIBUTE_DEFAULTS),
      };
    });
  }

  modifyTargetGroupAttributes(
    input: elb.ModifyTargetGroupAttributesInput,
  ): Out<elb.ModifyTargetGroupAttributesOutput> {
    return this.call('ModifyTargetGroupAttributes', () => {
      const tg = this.targetGroup(input.TargetGroupArn);
      const next = applyTargetGroupAttributes(
        this.attributes.get(tg.TargetGroupArn) ?? TARGET_GROUP_ATTRIBUTE_DEFAULTS,
        input.Attributes ?? [],
      );
      this.attributes.set(tg.TargetGroupArn, next);
      return { Attributes: attributesOut(next) };
    });
  }

  // ---------------------------------------------------------------- rules

  /** A rule by ARN: a stored one, or a listener's default rule. */
  private findRule(arn: string): { rule?: StoredRule; defaultOf?: StoredListener } {
    const rule = this.rules.get(arn);
    if (rule) return { rule };
    const defaultOf = [...this.listeners.values()].find((l) => l.DefaultRuleArn === arn);
    if (defaultOf) return { defaultOf };
    throw errors.ruleNotFound(`Rule '${arn}' not found`);
  }

  private checkPriority(priority: number | undefined): number {
    if (priority === undefined) throw errors.validation('A priority must be specified');
    if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) {
      throw errors.validation(
        `1 validation error detected: Value '${priority}' at 'priority' failed to satisfy constraint: Member must have value between 1 and ${MAX_PRIORITY}`,
      );
    }
    return priority;
  }

  createRule(input: elb.CreateRuleInput): Out<elb.CreateRuleOutput> {
    return this.call('CreateRule', () => {
      const l = this.listener(input.ListenerArn);
      const lb = this.balancer(l.LoadBalancerArn);
      const priority = this.checkPriority(input.Priority);
      const conditions = normalizeConditions(input.Conditions);
      const tags = checkTags(input.Tags);
      if ([...this.rules.values()].some((r) => r.ListenerArn === l.ListenerArn && r.Priority === priority)) {
        throw errors.priorityInUse(priority);
      }
      const lbRules = [...this.rules.values()].filter(
        (r) => this.listeners.get(r.ListenerArn)?.LoadBalancerArn === lb.LoadBalancerArn,
      );
      if (lbRules.length >= MAX_RULES_PER_LOAD_BALANCER)
        throw errors.tooManyRules(MAX_RULES_PER_LOAD_BALANCER);
      const actions = this.checkedActions(input.Actions, lb);
      const listenerPath = (l.ListenerArn ?? '').split(':listener/')[1];
      const arn = this.arn(`listener-rule/${listenerPath}/${this.nextId('rule')}`);
      const stored: StoredRule = {
        RuleArn: arn,
        ListenerArn: l.ListenerArn ?? '',
        Priority: priority,
        Conditions: conditions,
        Actions: actions,
      };
      this.rules.set(arn, stored);
      this.tags.set(arn, tags);
      return { Rules: [ruleOut(stored)] };
    });
  }

  /** By listener (its rules by priority, the default rule last) or by ARNs (any missing: RuleNotFound). */
  describeRules(input: elb.DescribeRulesInput): Out<elb.DescribeRulesOutput> {
    return this.call('DescribeRules', () => {
      const arns = input.RuleArns ?? [];
      if (input.ListenerArn === undefined && arns.length === 0) {
        throw errors.validation('You must specify either listener rule ARNs or a listener ARN');
      }
      if (input.ListenerArn !== undefined && arns.length > 0) {
        throw errors.validation('Listener rule ARNs and a listener ARN cannot be specified at the same time');
      }
      let found: Rule[];
      if (input.ListenerArn !== undefined) {
        const l = this.listener(input.ListenerArn);
        found = [
          ...[...this.rules.values()]
            .filter((r) => r.ListenerArn === l.ListenerArn)
            .sort((a, b) => a.Priority - b.Priority)
            .map(ruleOut),
          defaultRuleOut(l),
        ];
      } else {
        found = arns.map((arn) => {
          const { rule, defaultOf } = this.findRule(arn);
          return rule ? ruleOut(rule) : defaultRuleOut(defaultOf as StoredListener);
        });
      }
      const page = pageOf(found, input.PageSize, input.Marker);
      return { Rules: page.items, ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
    });
  }

  /** Conditions and/or actions; the default rule's actions are its listener's default actions. */
  modifyRule(input: elb.ModifyRuleInput): Out<elb.ModifyRuleOutput> {
    return this.call('ModifyRule', () => {
      const { rule, defaultOf } = this.findRule(input.RuleArn ?? '');
      if (input.Conditions === undefined && input.Actions === undefined) {
        throw errors.validation('Either conditions or actions must be specified');
      }
      if (defaultOf) {
        if (input.Conditions !== undefined) {
          throw errors.operationNotPermitted('Conditions cannot be specified for the default rule');
        }
        const lb = this.balancer(defaultOf.LoadBalancerArn);
        defaultOf.DefaultActions = this.checkedActions(input.Actions, lb, defaultOf.ListenerArn);
        return { Rules: [defaultRuleOut(defaultOf)] };
      }
      const r = rule as StoredRule;
      const conditions =
        input.Conditions !== undefined ? normalizeConditions(input.Conditions) : r.Conditions;
      const lb = this.balancer(this.listener(r.ListenerArn).LoadBalancerArn);
      const actions =
        input.Actions !== undefined ? this.checkedActions(input.Actions, lb, r.RuleArn) : r.Actions;
      r.Conditions = conditions;
      r.Actions = actions;
      return { Rules: [ruleOut(r)] };
    });
  }

  /** Atomic: every pair is checked against the priorities the listener would end up with. */
  setRulePriorities(input: elb.SetRulePrioritiesInput): Out<elb.SetRulePrioritiesOutput> {
    return this.call('SetRulePriorities', () => {
      const pairs = input.RulePriorities ?? [];
      if (pairs.length === 0) throw errors.validation('Rule priorities must be specified');
      const seen = new Set<number>();
      const changes = new Map<string, number>();
      for (const p of pairs) {
        const priority = this.checkPriority(p.Priority);
        if (seen.has(priority)) throw errors.validation(`Priority '${priority}' was provided multiple times`);
        seen.add(priority);
        const { rule } = this.findRule(p.RuleArn ?? '');
        if (!rule) throw errors.operationNotPermitted('The priority of the default rule cannot be changed');
        if (changes.has(rule.RuleArn))
          throw errors.validation(`Rule '${rule.RuleArn}' was provided multiple times`);
        changes.set(rule.RuleArn, priority);
      }
      for (const [arn, priority] of changes) {
        const listener = (this.rules.get(arn) as StoredRule).ListenerArn;
        const clash = [...this.rules.values()].some(
          (r) =>
            r.ListenerArn === listener &&
            r.RuleArn !== arn &&
            (changes.get(r.RuleArn) ?? r.Priority) === priority,
        );
        if (clash) throw errors.priorityInUse(priority);
      }
      for (const [arn, priority] of changes) (this.rules.get(arn) as StoredRule).Priority = priority;
      return { Rules: [...changes.keys()].map((arn) => ruleOut(this.rules.get(arn) as StoredRule)) };
    });
  }

  deleteRule(input: elb.DeleteRuleInput): Out<elb.DeleteRuleOutput> {
    return this.call('DeleteRule', () => {
      const { rule } = this.findRule(input.RuleArn ?? '');
      if (!rule) throw errors.operationNotPermitted('The default rule cannot be deleted');
      this.rules.delete(rule.RuleArn);
      this.tags.delete(rule.RuleArn);
      return {};
    });
  }

  // ---------------------------------------------------------------- tags

  /** The tags of a resource; an unknown ARN is the NotFound error of its resource type. */
  private taggable(arn: string): Tag[] {
    const exists =
      this.loadBalancers.has(arn) ||
      this.listeners.has(arn) ||
      this.rules.has(arn) ||
      this.targetGroups.has(arn) ||
      [...this.listeners.values()].some((l) => l.DefaultRuleArn === arn);
    if (exists) return this.tags.get(arn) ?? [];
    const resource = arn.split(':')[5] ?? '';
    if (resource.startsWith('targetgroup/'))
      throw errors.targetGroupNotFound(`Target group '${arn}' not found`);
    if (resource.startsWith('listener-rule/')) throw errors.ruleNotFound(`Rule '${arn}' not found`);
    if (resource.startsWith('listener/')) throw errors.listenerNotFound(`Listener '${arn}' not found`);
    if (resource.startsWith('loadbalancer/'))
      throw errors.loadBalancerNotFound(`Load balancer '${arn}' not found`);
    throw errors.validation(`'${arn}' is not a valid Elastic Load Balancing resource ARN`);
  }

  addTags(input: elb.AddTagsInput): Out<elb.AddTagsOutput> {
    return this.call('AddTags', () => {
      const arns = input.ResourceArns ?? [];
      if (arns.length === 0) throw errors.validation('Resource ARNs must be specified');
      if ((input.Tags ?? []).length === 0) throw errors.validation('Tags must be specified');
      // All or nothing: every resource is checked before any is tagged.
      const merged = arns.map((arn) => mergeTags(this.taggable(arn), input.Tags ?? []));
      arns.forEach((arn, i) => this.tags.set(arn, merged[i]));
      return {};
    });
  }

  removeTags(input: elb.RemoveTagsInput): Out<elb.RemoveTagsOutput> {
    return this.call('RemoveTags', () => {
      const arns = input.ResourceArns ?? [];
      if (arns.length === 0) throw errors.validation('Resource ARNs must be specified');
      if ((input.TagKeys ?? []).length === 0) throw errors.validation('Tag keys must be specified');
      const drop = new Set(input.TagKeys);
      const kept = arns.map((arn) => this.taggable(arn).filter((t) => !drop.has(t.Key ?? '')));
      arns.forEach((arn, i) => this.tags.set(arn, kept[i]));
      return {};
    });
  }

  describeTags(input: elb.DescribeTagsInput): Out<elb.DescribeTagsOutput> {
    return this.call('DescribeTags', () => {
      const arns = input.ResourceArns ?? [];
      if (arns.length === 0) throw errors.validation('Resource ARNs must be specified');
      if (arns.length > MAX_DESCRIBE_TAGS) {
        throw errors.validation(
          `1 validation error detected: Value '[${arns.join(', ')}]' at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIBE_TAGS}`,
        );
      }
      return {
        TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: structuredClone(this.taggable(arn)) })),
      };
    });
  }

  // ---------------------------------------------------------------- persistence

  toJSON(): StoredElbv2 {
    return structuredClone({
      loadBalancers: [...this.loadBalancers.values()],
      seq: this.seq,
      subnets: [...this.subnets.values()],
      listeners: [...this.listeners.values()],
      rules: [...this.rules.values()],
      targetGroups: [...this.targetGroups.values()],
      attributes: Object.fromEntries(this.attributes),
      tags: Object.fromEntries(this.tags),
    });
  }

  /** Rebuilds the fake from `toJSON()`; a state written before listeners existed has balancers only. */
  static fromJSON(state: StoredElbv2 | undefined, opts: SandboxElbv2Options): SandboxElbv2 {
    const sb = new SandboxElbv2(opts);
    const s = structuredClone(state);
    sb.seq = s?.seq ?? 0;
    for (const lb of s?.loadBalancers ?? []) {
      sb.loadBalancers.set(lb.LoadBalancerArn ?? '', lb);
      sb.tags.set(lb.LoadBalancerArn ?? '', s?.tags?.[lb.LoadBalancerArn ?? ''] ?? []);
    }
    for (const sub of s?.subnets ?? []) sb.subnets.set(sub.subnetId, sub);
    for (const l of s?.listeners ?? []) sb.listeners.set(l.ListenerArn ?? '', l);
    for (const r of s?.rules ?? []) sb.rules.set(r.RuleArn, r);
    for (const tg of s?.targetGroups ?? []) {
      sb.targetGroups.set(tg.TargetGroupArn, tg);
      sb.attributes.set(
        tg.TargetGroupArn,
        s?.attributes?.[tg.TargetGroupArn] ?? { ...TARGET_GROUP_ATTRIBUTE_DEFAULTS },
      );
    }
    for (const [arn, tags] of Object.entries(s?.tags ?? {})) sb.tags.set(arn, tags);
    return sb;
  }
}

function lbOut(lb: StoredLoadBalancer): LoadBalancer {
  return structuredClone({ ...lb, CreatedTime: new Date(lb.CreatedTime) });
}

function listenerOut(l: StoredListener): Listener {
  const listener: Listener & { DefaultRuleArn?: string } = structuredClone(l);
  delete listener.DefaultRuleArn;
  return listener;
}

function ruleOut(r: StoredRule): Rule {
  return structuredClone({
    RuleArn: r.RuleArn,
    Priority: String(r.Priority),
    Conditions: r.Conditions,
    Actions: r.Actions,
    IsDefault: false,
  });
}

function defaultRuleOut(l: StoredListener): Rule {
  return structuredClone({
    RuleArn: l.DefaultRuleArn,
    Priority: 'default',
    Conditions: [],
    Actions: l.DefaultActions ?? [],
    IsDefault: true,
  });
}

function zonesOut(zones: readonly StoredSubnet[]): elb.AvailabilityZone[] {
  return zones.map((z) => ({
    ZoneName: z.availabilityZone,
    SubnetId: z.subnetId,
    LoadBalancerAddresses: [],
  }));
}

function attributesOut(attrs: Readonly<Record<string, string>>): elb.TargetGroupAttribute[] {
  return Object.entries(attrs).map(([Key, Value]) => ({ Key, Value }));
}

function pickHealthCheck(tg: StoredTargetGroup) {
  return {
    HealthCheckProtocol: tg.HealthCheckProtocol,
    HealthCheckPort: tg.HealthCheckPort,
    HealthCheckEnabled: tg.HealthCheckEnabled,
    HealthCheckPath: tg.HealthCheckPath,
    HealthCheckIntervalSeconds: tg.HealthCheckIntervalSeconds,
    HealthCheckTimeoutSeconds: tg.HealthCheckTimeoutSeconds,
    HealthyThresholdCount: tg.HealthyThresholdCount,
    UnhealthyThresholdCount: tg.UnhealthyThresholdCount,
    Matcher: tg.Matcher,
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return canonical([...a].sort()) === canonical([...b].sort());
}

/** JSON with sorted keys, for comparing settings. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
