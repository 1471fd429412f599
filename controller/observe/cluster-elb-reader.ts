import type { Elbv2Port } from '../aws/elbv2-port';
import type { ElbLoadBalancer } from '../model/aws-types';
import type { ClusterElb, ClusterElbBalancer } from '../model/cluster-elb';
import { targetGroupStem } from '../model/load-balancer-names';
import { ownedBy, type TagMap } from '../model/ownership';
import {
  collectMarkerPages,
  ELBV2_PAGE_SIZE,
  markerField,
  observedListener,
  observedTargetGroup,
  readAllTargetGroups,
  readListeners,
  readRules,
  readTags,
} from './elbv2-reader';

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
    .map((tg) => observedTargetGroup(tg, tagsOf(tg.TargetGroupArn), undefined))
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
      .map((l, i) => observedListener(l, rules[i], (arn) => ruleTags.get(arn ?? '') ?? {}))
      .sort((a, b) => a.port - b.port),
  }));
  return { targetGroups, balancers };
}

function readAllBalancers(elbv2: Elbv2Port): Promise<ElbLoadBalancer[]> {
  return collectMarkerPages(async (marker) => {
    const out = await elbv2.describeLoadBalancers({ PageSize: ELBV2_PAGE_SIZE, ...markerField(marker) });
    return { NextMarker: out.NextMarker, items: out.LoadBalancers };
  });
}
