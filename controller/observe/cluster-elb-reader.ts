import type { Elbv2Port } from '../aws/elbv2-port';
import type { Action, Rule } from '../model/aws-types';
import type { ClusterElb, ClusterElbBalancer } from '../model/cluster-elb';
import { comparedDnsName } from '../model/dns-names';
import type { ObservedListener, ObservedRule, ObservedTargetGroup } from '../model/load-balancer';
import { targetGroupStem } from '../model/load-balancer-names';
import { ownedBy, type TagMap } from '../model/ownership';

/** ELBv2's largest page (DescribeLoadBalancers, DescribeListeners, DescribeRules, DescribeTargetGroups). */
export const ELBV2_PAGE_SIZE = 400;
/** DescribeTags takes at most 20 ARNs per call. */
export const DESCRIBE_TAGS_BATCH = 20;

type Out<K extends keyof Elbv2Port> = Awaited<ReturnType<Elbv2Port[K]>>;
type TargetGroup = NonNullable<Out<'describeTargetGroups'>['TargetGroups']>[number];
type LoadBalancer = NonNullable<Out<'describeLoadBalancers'>['LoadBalancers']>[number];
type Listener = NonNullable<Out<'describeListeners'>['Listeners']>[number];

/**
 * The ELBv2 resources ecs-gitops made for one cluster and owner id, for `destroy` (which has no
 * spec directory to name a balancer): found by their ownership tags.
 *
 * Read budget: ceil(target groups/400) DescribeTargetGroups and ceil(balancers/400)
 * DescribeLoadBalancers, all unfiltered (a group detached by an interrupted removal is found only
 * in the full list); ceil((groups named `<stem>-...` + balancers)/20) DescribeTags; per balancer
 * kept, ceil(listeners/400) DescribeListeners, and per listener ceil(rules/400) DescribeRules;
 * ceil(rules/20) DescribeTags. Balancers kept: those our target groups forward from, and those
 * whose tags make them this cluster's. Read errors propagate with their AWS code.
 */
export async function readClusterElb(
  owner: { ownerId: string; cluster: string },
  elbv2: Elbv2Port,
): Promise<ClusterElb> {
  const [allGroups, allBalancers] = await Promise.all([readAllTargetGroups(elbv2), readAllBalancers(elbv2)]);
  // Every target group ecs-gitops names for this cluster starts so (model/load-balancer-names.ts).
  const prefix = `${targetGroupStem(owner.cluster)}-`.toLowerCase();
  const candidates = allGroups.filter((tg) => (tg.TargetGroupName ?? '').toLowerCase().startsWith(prefix));
  const tags = await readTags(
    [
      ...candidates.map((tg) => tg.TargetGroupArn ?? ''),
      ...allBalancers.map((lb) => lb.LoadBalancerArn ?? ''),
    ],
    elbv2,
  );
  const tagsOf = (arn: string | undefined): TagMap => tags.get(arn ?? '') ?? {};

  const targetGroups = candidates
    .filter((tg) => ownedBy(tagsOf(tg.TargetGroupArn), owner))
    .map((tg) => observedTargetGroup(tg, tagsOf(tg.TargetGroupArn)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const forwardedFrom = new Set(targetGroups.flatMap((g) => g.loadBalancerArns));
  const kept = allBalancers
    .filter((lb) => {
      const arn = lb.LoadBalancerArn ?? '';
      return forwardedFrom.has(arn) || ownedBy(tagsOf(arn), owner);
    })
    .sort((a, b) => (a.LoadBalancerName ?? '').localeCompare(b.LoadBalancerName ?? ''));

  const read = await Promise.all(
    kept.map(async (lb) => {
      const listeners = await readListeners(lb.LoadBalancerArn ?? '', elbv2);
      const rules = await Promise.all(
        listeners.map(async (l) =>
          (await readRules(l.ListenerArn ?? '', elbv2)).filter((r) => r.IsDefault !== true),
        ),
      );
      return { lb, listeners, rules };
    }),
  );
  const ruleTags = await readTags(
    read.flatMap((b) => b.rules.flat().map((r) => r.RuleArn ?? '')),
    elbv2,
  );
  const balancers = read.map(({ lb, listeners, rules }): ClusterElbBalancer => ({
    arn: lb.LoadBalancerArn ?? '',
    name: lb.LoadBalancerName ?? '',
    tags: tagsOf(lb.LoadBalancerArn),
    listeners: listeners
      .map((l, i) => observedListener(l, rules[i], ruleTags))
      .sort((a, b) => a.port - b.port),
  }));
  return { targetGroups, balancers };
}

/** Every item of an ELBv2 list call paginated by `Marker` / `NextMarker`. */
async function collectMarkerPages<T>(
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

const markerField = (marker: string | undefined) => (marker !== undefined ? { Marker: marker } : {});

function readAllTargetGroups(elbv2: Elbv2Port): Promise<TargetGroup[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeTargetGroups({ PageSize: ELBV2_PAGE_SIZE, ...markerField(marker) });
    return { NextMarker: out.NextMarker, items: out.TargetGroups };
  });
}

function readAllBalancers(elbv2: Elbv2Port): Promise<LoadBalancer[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeLoadBalancers({ PageSize: ELBV2_PAGE_SIZE, ...markerField(marker) });
    return { NextMarker: out.NextMarker, items: out.LoadBalancers };
  });
}

function readListeners(loadBalancerArn: string, elbv2: Elbv2Port): Promise<Listener[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeListeners({
      LoadBalancerArn: loadBalancerArn,
      PageSize: ELBV2_PAGE_SIZE,
      ...markerField(marker),
    });
    return { NextMarker: out.NextMarker, items: out.Listeners };
  });
}

function readRules(listenerArn: string, elbv2: Elbv2Port): Promise<Rule[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeRules({
      ListenerArn: listenerArn,
      PageSize: ELBV2_PAGE_SIZE,
      ...markerField(marker),
    });
    return { NextMarker: out.NextMarker, items: out.Rules };
  });
}

/** Tags of every ARN, 20 per DescribeTags call (balancers, target groups and rules may share one). */
async function readTags(arns: string[], elbv2: Elbv2Port): Promise<Map<string, TagMap>> {
  const unique = [...new Set(arns.filter((a) => a !== ''))];
  const out = new Map<string, TagMap>();
  for (let i = 0; i < unique.length; i += DESCRIBE_TAGS_BATCH) {
    const page = await elbv2.describeTags({ ResourceArns: unique.slice(i, i + DESCRIBE_TAGS_BATCH) });
    for (const d of page.TagDescriptions ?? []) {
      const map: TagMap = {};
      for (const t of d.Tags ?? []) if (t.Key !== undefined) map[t.Key] = t.Value ?? '';
      if (d.ResourceArn !== undefined) out.set(d.ResourceArn, map);
    }
  }
  return out;
}

function observedTargetGroup(tg: TargetGroup, tags: TagMap): ObservedTargetGroup {
  return {
    arn: tg.TargetGroupArn ?? '',
    name: tg.TargetGroupName ?? '',
    ...(tg.Port !== undefined ? { port: tg.Port } : {}),
    ...(tg.Protocol !== undefined ? { protocol: tg.Protocol } : {}),
    ...(tg.TargetType !== undefined ? { targetType: tg.TargetType } : {}),
    ...(tg.VpcId !== undefined ? { vpcId: tg.VpcId } : {}),
    // Destroy compares no settings: only what forwards to the group matters.
    healthCheck: {},
    loadBalancerArns: tg.LoadBalancerArns ?? [],
    tags,
  };
}

function observedListener(l: Listener, rules: Rule[], tags: Map<string, TagMap>): ObservedListener {
  const certificateArn = l.Certificates?.[0]?.CertificateArn;
  return {
    arn: l.ListenerArn ?? '',
    port: l.Port ?? 0,
    protocol: l.Protocol ?? '',
    ...(certificateArn !== undefined ? { certificateArn } : {}),
    ...(l.SslPolicy !== undefined ? { sslPolicy: l.SslPolicy } : {}),
    defaultActions: l.DefaultActions ?? [],
    rules: rules
      .map((r) => observedRule(r, l.ListenerArn ?? '', tags.get(r.RuleArn ?? '') ?? {}))
      .sort((a, b) => a.priority - b.priority),
  };
}

function observedRule(r: Rule, listenerArn: string, tags: TagMap): ObservedRule {
  const conditions = r.Conditions ?? [];
  const hostConditions = conditions.filter((c) => c.Field === 'host-header');
  const hosts = new Set<string>();
  for (const c of hostConditions)
    for (const v of [...(c.HostHeaderConfig?.Values ?? []), ...(c.Values ?? [])])
      hosts.add(comparedDnsName(v));
  return {
    arn: r.RuleArn ?? '',
    listenerArn,
    priority: Number(r.Priority),
    hosts: [...hosts].sort(),
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
