import type { ObservedListener, ObservedTargetGroup } from './load-balancer';
import type { TagMap } from './ownership';

/**
 * What `destroy CLUSTER` finds in ELBv2 for one cluster and owner id (observe/cluster-elb-reader.ts),
 * with no spec directory to say which balancer: everything is found by its ownership tags. Types only.
 */
export interface ClusterElb {
  /** The target groups whose tags make them this cluster's (this owner id and cluster). */
  targetGroups: ObservedTargetGroup[];
  /**
   * The balancers to look at: the ones those target groups forward from, and every balancer whose
   * tags make it this cluster's (an owned balancer), each with all its listeners and rules, ours or not.
   */
  balancers: ClusterElbBalancer[];
}

export interface ClusterElbBalancer {
  arn: string;
  name: string;
  tags: TagMap;
  /** By port; each with every rule but the default one, ours or not. */
  listeners: ObservedListener[];
}
