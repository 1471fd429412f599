import type { Action, ElbLoadBalancer, Listener, Rule, TargetGroup } from '../model/aws-types';
import { comparedDnsName } from '../model/dns-names';
import type {
  HealthCheckSettings,
  LoadBalancerConfig,
  ObservedListener,
  ObservedLoadBalancer,
  ObservedRule,
  ObservedTargetGroup,
} from '../model/load-balancer';
import { targetGroupStem } from '../model/load-balancer-names';
import { elbTagsToMap, ownedBy, type TagMap } from '../model/ownership';
import type { Elbv2Port } from '../aws/elbv2-port';
import { Semaphore } from '../aws/semaphore';

/** ELBv2's largest page (DescribeListeners, DescribeRules, DescribeTargetGroups). */
export const ELBV2_PAGE_SIZE = 400;
/** DescribeTags takes at most 20 ARNs per call. */
export const DESCRIBE_TAGS_BATCH = 20;
/** DescribeTargetGroupAttributes calls in flight at once (one call per target group). */
const ATTRIBUTE_READS = 4;

/**
 * Everything the load balancer planner needs about one cluster's `loadBalancer:`, each list read
 * once per reconcile (never per service).
 *
 * Read budget: 1 DescribeLoadBalancers; ceil(listeners/400) DescribeListeners; per listener
 * ceil(rules/400) DescribeRules; ceil(all target groups/400) DescribeTargetGroups; ceil(ARNs/20)
 * DescribeTags for the balancer, its rules and the kept target groups; one
 * DescribeTargetGroupAttributes per target group that is this cluster's.
 *
 * Target groups are listed without a filter: one detached by an interrupted removal (its rule
 * deleted, the group not yet) no longer answers a by-balancer query, and only the full list finds
 * it. Kept: those forwarding from this balancer, and every one named `<stem>-...` (all the cluster's
 * own, wherever they are, and any other group with such a name, which the planner must not collide
 * with).
 *
 * Read errors propagate with their AWS code; only a missing balancer is an answer (`balancer`
 * absent).
 */
export async function readLoadBalancer(
  cfg: LoadBalancerConfig,
  owner: { ownerId: string; cluster: string },
  elbv2: Elbv2Port,
): Promise<ObservedLoadBalancer> {
  const lb = await describeBalancer(cfg, elbv2);
  const lbArn = lb?.LoadBalancerArn;

  const [listeners, allGroups] = await Promise.all([
    lbArn ? readListeners(lbArn, elbv2) : Promise.resolve([]),
    readAllTargetGroups(elbv2),
  ]);
  const rulesByListener = await Promise.all(
    listeners.map((l) =>
      readRules(l.ListenerArn ?? '', elbv2).then((rules) => rules.filter((r) => !r.IsDefault)),
    ),
  );

  const prefix = `${targetGroupStem(owner.cluster)}-`;
  const groups = allGroups.filter(
    (tg) =>
      (lbArn !== undefined && (tg.LoadBalancerArns ?? []).includes(lbArn)) ||
      (tg.TargetGroupName ?? '').startsWith(prefix),
  );

  const tags = await readTags(
    [
      ...(lbArn ? [lbArn] : []),
      ...rulesByListener.flat().map((r) => r.RuleArn ?? ''),
      ...groups.map((tg) => tg.TargetGroupArn ?? ''),
    ],
    elbv2,
  );
  const tagsOf = (arn: string | undefined): TagMap => tags.get(arn ?? '') ?? {};

  const targetGroups = await observedTargetGroups(groups, tagsOf, owner, elbv2);

  return {
    ...(lb ? { balancer: observedBalancer(lb, tagsOf(lbArn)) } : {}),
    listeners: listeners
      .map((l, i) => observedListener(l, rulesByListener[i], tagsOf))
      .sort((a, b) => a.port - b.port),
    targetGroups,
  };
}

/**
 * Target groups in our terms, with the attributes of those whose tags make them `owner`'s (one
 * DescribeTargetGroupAttributes each, ATTRIBUTE_READS at once): only those are compared.
 */
export function observedTargetGroups(
  groups: readonly TargetGroup[],
  tagsOf: (arn: string | undefined) => TagMap,
  owner: { ownerId: string; cluster: string },
  elbv2: Pick<Elbv2Port, 'describeTargetGroupAttributes'>,
): Promise<ObservedTargetGroup[]> {
  const reads = new Semaphore(ATTRIBUTE_READS);
  return Promise.all(
    groups.map(async (tg): Promise<ObservedTargetGroup> => {
      const groupTags = tagsOf(tg.TargetGroupArn);
      const attributes = ownedBy(groupTags, owner)
        ? await reads.run(() => readAttributes(tg.TargetGroupArn ?? '', elbv2))
        : undefined;
      return observedTargetGroup(tg, groupTags, attributes);
    }),
  );
}

/** True for ELBv2's "no such load balancer" (the SDK names it `LoadBalancerNotFoundException`). */
export function isLoadBalancerNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'LoadBalancerNotFoundException' || name === 'LoadBalancerNotFound';
}

async function describeBalancer(
  cfg: LoadBalancerConfig,
  elbv2: Elbv2Port,
): Promise<ElbLoadBalancer | undefined> {
  const ref = cfg.ref;
  const input = 'arn' in ref ? { LoadBalancerArns: [ref.arn] } : { Names: [ref.name] };
  try {
    const out = await elbv2.describeLoadBalancers(input);
    return out.LoadBalancers?.[0];
  } catch (err) {
    if (isLoadBalancerNotFound(err)) return undefined;
    throw err;
  }
}

/** Every item of an ELBv2 list call paginated by `Marker` / `NextMarker`. */
export async function collectMarkerPages<T>(
  page: (marker: string | undefined) => Promise<{ NextMarker?: string; items?: T[] }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const p = await page(marker);
    out.push(...(p.items ?? []));
    // An empty marker ends it too (some backends send "").
    marker = p.NextMarker || undefined;
  } while (marker !== undefined);
  return out;
}

export const markerField = (marker: string | undefined) => (marker !== undefined ? { Marker: marker } : {});

export function readListeners(
  loadBalancerArn: string,
  elbv2: Pick<Elbv2Port, 'describeListeners'>,
): Promise<Listener[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeListeners({
      LoadBalancerArn: loadBalancerArn,
      PageSize: ELBV2_PAGE_SIZE,
      ...markerField(marker),
    });
    return { NextMarker: out.NextMarker, items: out.Listeners };
  });
}

export function readRules(listenerArn: string, elbv2: Pick<Elbv2Port, 'describeRules'>): Promise<Rule[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeRules({
      ListenerArn: listenerArn,
      PageSize: ELBV2_PAGE_SIZE,
      ...markerField(marker),
    });
    return { NextMarker: out.NextMarker, items: out.Rules };
  });
}

export function readAllTargetGroups(elbv2: Elbv2Port): Promise<TargetGroup[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeTargetGroups({ PageSize: ELBV2_PAGE_SIZE, ...markerField(marker) });
    return { NextMarker: out.NextMarker, items: out.TargetGroups };
  });
}

/** Tags of every ARN, 20 per DescribeTags call, one call after another. */
export async function readTags(
  arns: string[],
  elbv2: Pick<Elbv2Port, 'describeTags'>,
): Promise<Map<string, TagMap>> {
  const unique = [...new Set(arns.filter((a) => a !== ''))];
  const out = new Map<string, TagMap>();
  for (let i = 0; i < unique.length; i += DESCRIBE_TAGS_BATCH) {
    const page = await elbv2.describeTags({ ResourceArns: unique.slice(i, i + DESCRIBE_TAGS_BATCH) });
    for (const d of page.TagDescriptions ?? []) {
      if (d.ResourceArn !== undefined) out.set(d.ResourceArn, elbTagsToMap(d.Tags));
    }
  }
  return out;
}

async function readAttributes(
  targetGroupArn: string,
  elbv2: Pick<Elbv2Port, 'describeTargetGroupAttributes'>,
): Promise<Record<string, string>> {
  const out = await elbv2.describeTargetGroupAttributes({ TargetGroupArn: targetGroupArn });
  const attributes: Record<string, string> = {};
  for (const a of out.Attributes ?? []) if (a.Key !== undefined) attributes[a.Key] = a.Value ?? '';
  return attributes;
}

function observedBalancer(lb: ElbLoadBalancer, tags: TagMap): NonNullable<ObservedLoadBalancer['balancer']> {
  return {
    arn: lb.LoadBalancerArn ?? '',
    name: lb.LoadBalancerName ?? '',
    dnsName: lb.DNSName ?? '',
    canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? '',
    vpcId: lb.VpcId ?? '',
    scheme: lb.Scheme ?? '',
    ipAddressType: lb.IpAddressType ?? '',
    securityGroups: lb.SecurityGroups ?? [],
    subnets: (lb.AvailabilityZones ?? []).flatMap((az) => (az.SubnetId ? [az.SubnetId] : [])),
    state: lb.State?.Code ?? '',
    tags,
  };
}

export function observedListener(
  l: Listener,
  rules: Rule[],
  tagsOf: (arn: string | undefined) => TagMap,
): ObservedListener {
  const certificateArn = l.Certificates?.[0]?.CertificateArn;
  return {
    arn: l.ListenerArn ?? '',
    port: l.Port ?? 0,
    protocol: l.Protocol ?? '',
    ...(certificateArn !== undefined ? { certificateArn } : {}),
    ...(l.SslPolicy !== undefined ? { sslPolicy: l.SslPolicy } : {}),
    defaultActions: l.DefaultActions ?? [],
    rules: rules
      .map((r) => observedRule(r, l.ListenerArn ?? '', tagsOf(r.RuleArn)))
      .sort((a, b) => a.priority - b.priority),
  };
}

/** A rule in the planner's compared form (hosts lower case, no trailing dot, sorted, unique). */
export function observedRule(r: Rule, listenerArn: string, tags: TagMap): ObservedRule {
  const conditions = r.Conditions ?? [];
  const hostConditions = conditions.filter((c) => c.Field === 'host-header');
  const hosts = new Set<string>();
  for (const c of hostConditions) {
    // HostHeaderConfig is today's form; `Values` the legacy one (a rule written before 2019, or by
    // a tool that still writes it). ELBv2 returns both for newer rules: the union is the same.
    for (const v of [...(c.HostHeaderConfig?.Values ?? []), ...(c.Values ?? [])])
      hosts.add(comparedDnsName(v));
  }
  return {
    arn: r.RuleArn ?? '',
    listenerArn,
    priority: Number(r.Priority),
    hosts: [...hosts].sort(),
    // ELBv2 allows one host-header condition per rule; two (both must match) would not be a host rule.
    otherConditions: hostConditions.length !== conditions.length || hostConditions.length > 1,
    forwardTo: forwardTargets(r.Actions ?? []),
    tags,
    raw: r,
  };
}

/** Target group ARNs of the forward actions, each once (ELBv2 repeats one in TargetGroupArn and ForwardConfig). */
export function forwardTargets(actions: readonly Action[]): string[] {
  const out = new Set<string>();
  for (const a of actions) {
    if (a.Type !== 'forward') continue;
    if (a.TargetGroupArn) out.add(a.TargetGroupArn);
    for (const t of a.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) out.add(t.TargetGroupArn);
  }
  return [...out];
}

export function observedTargetGroup(
  tg: TargetGroup,
  tags: TagMap,
  attributes: Record<string, string> | undefined,
): ObservedTargetGroup {
  const healthCheck: Partial<HealthCheckSettings> = {};
  if (tg.HealthCheckPath !== undefined) healthCheck.path = tg.HealthCheckPath;
  if (tg.Matcher?.HttpCode !== undefined) healthCheck.matcher = tg.Matcher.HttpCode;
  if (tg.HealthCheckIntervalSeconds !== undefined)
    healthCheck.intervalSeconds = tg.HealthCheckIntervalSeconds;
  if (tg.HealthCheckTimeoutSeconds !== undefined) healthCheck.timeoutSeconds = tg.HealthCheckTimeoutSeconds;
  if (tg.HealthyThresholdCount !== undefined) healthCheck.healthyThresholdCount = tg.HealthyThresholdCount;
  if (tg.UnhealthyThresholdCount !== undefined)
    healthCheck.unhealthyThresholdCount = tg.UnhealthyThresholdCount;
  return {
    arn: tg.TargetGroupArn ?? '',
    name: tg.TargetGroupName ?? '',
    ...(tg.Port !== undefined ? { port: tg.Port } : {}),
    ...(tg.Protocol !== undefined ? { protocol: tg.Protocol } : {}),
    ...(tg.TargetType !== undefined ? { targetType: tg.TargetType } : {}),
    ...(tg.VpcId !== undefined ? { vpcId: tg.VpcId } : {}),
    healthCheck,
    ...(attributes !== undefined ? { attributes } : {}),
    loadBalancerArns: tg.LoadBalancerArns ?? [],
    tags,
  };
}
