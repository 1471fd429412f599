/**
 * What export reads of ELBv2 beyond the balancer's name, for a cluster ecs-gitops owns: which of
 * the services' target groups and which rules and listeners carry its ownership tags, the health
 * check and attributes of its own target groups, and the balancer's network settings. Reads only.
 *
 * Read budget (once the target groups and the balancer are described): 1 DescribeListeners, 1
 * DescribeRules per listener, ceil(ARNs/20) DescribeTags for the balancer, its listeners and rules
 * and the services' target groups together, and 1 DescribeTargetGroupAttributes per target group of
 * ours.
 */
import type { Elbv2Port } from '../aws/elbv2-port';
import type { ElbLoadBalancer, TargetGroup } from '../model/aws-types';
import type { ObservedListener, ObservedTargetGroup } from '../model/load-balancer';
import type { TagMap } from '../model/ownership';
import {
  observedListener,
  observedTargetGroups,
  readListeners,
  readRules,
  readTags,
} from '../observe/elbv2-reader';
import type { ClusterOwner } from './export-families';

/** The ELBv2 reads export makes. */
export type ExportElbv2 = Pick<
  Elbv2Port,
  | 'describeTargetGroups'
  | 'describeLoadBalancers'
  | 'describeListeners'
  | 'describeRules'
  | 'describeTags'
  | 'describeTargetGroupAttributes'
>;

/** An Application Load Balancer as export writes it back (cluster.yaml `loadBalancer.create`). */
export interface BalancerDetails {
  scheme: string;
  ipAddressType: string;
  subnets: string[];
  securityGroups: string[];
  tags: TagMap;
  /** By port, each with its rules (the default one left out) and its tags. */
  listeners: { listener: ObservedListener; tags: TagMap }[];
}

export async function readOwnedDetails(
  elbv2: ExportElbv2,
  lb: ElbLoadBalancer,
  groups: readonly TargetGroup[],
  owner: ClusterOwner,
): Promise<{ balancer: BalancerDetails; groups: ObservedTargetGroup[] }> {
  const lbArn = lb.LoadBalancerArn ?? '';
  const listeners = await readListeners(lbArn, elbv2);
  const rules = await Promise.all(
    listeners.map(async (l) => (await readRules(l.ListenerArn ?? '', elbv2)).filter((r) => !r.IsDefault)),
  );
  const tags = await readTags(
    [
      lbArn,
      ...listeners.map((l) => l.ListenerArn ?? ''),
      ...rules.flat().map((r) => r.RuleArn ?? ''),
      ...groups.map((g) => g.TargetGroupArn ?? ''),
    ],
    elbv2,
  );
  const tagsOf = (arn: string | undefined): TagMap => tags.get(arn ?? '') ?? {};
  const observed = await observedTargetGroups(groups, tagsOf, owner, elbv2);
  return {
    balancer: {
      scheme: lb.Scheme ?? '',
      ipAddressType: lb.IpAddressType ?? '',
      subnets: (lb.AvailabilityZones ?? []).flatMap((az) => (az.SubnetId ? [az.SubnetId] : [])),
      securityGroups: lb.SecurityGroups ?? [],
      tags: tagsOf(lbArn),
      listeners: listeners
        .map((l, i) => ({ listener: observedListener(l, rules[i], tagsOf), tags: tagsOf(l.ListenerArn) }))
        .sort((a, b) => a.listener.port - b.listener.port),
    },
    groups: observed,
  };
}
