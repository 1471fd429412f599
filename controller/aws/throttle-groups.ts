import type { BucketSpec } from './token-bucket';

/**
 * AWS's published request throttles, per account and Region: one token bucket per group of actions
 * (all actions of a group draw from the same bucket), and for Route53 and ELBv2 one more bucket that
 * every action of the service draws from too. The sandbox enforces them ("aws-like throttling") and
 * the client-side limiter paces itself by them.
 */
export interface ThrottleGroup extends BucketSpec {
  name: string;
  actions: readonly string[];
}

export interface ServiceThrottles {
  /** The wire code of a throttled answer. */
  code: string;
  groups: readonly ThrottleGroup[];
  /** A bucket every action draws from as well (ELBv2, Route53). */
  account?: BucketSpec;
  /** The bucket of an action in no group (Route53: each such action has its own). */
  ungrouped?: BucketSpec;
}

/**
 * "Request throttling for the Amazon ECS API", table "Request Token Bucket Sizes and Refill Rates"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html). Only the
 * groups of actions we call and their siblings; an action in no group here is not throttled.
 */
export const ECS_THROTTLES: ServiceThrottles = {
  code: 'ThrottlingException',
  groups: [
    group('Cluster modify actions', 20, 1, [
      'CreateCluster',
      'DeleteCluster',
      'PutClusterCapacityProviders',
      'UpdateCluster',
      'UpdateClusterSettings',
    ]),
    group('Cluster read actions', 50, 20, ['DescribeClusters', 'ListClusters']),
    group('Task definition modify actions', 20, 1, ['DeregisterTaskDefinition', 'RegisterTaskDefinition']),
    group('Task definition read actions', 50, 20, [
      'DescribeTaskDefinition',
      'ListTaskDefinitions',
      'ListTaskDefinitionFamilies',
    ]),
    group('Task definition deletion actions', 5, 1, ['DeleteTaskDefinitions']),
    group('Tag modify actions', 20, 10, ['TagResource', 'UntagResource']),
    group('Tag read actions', 50, 20, ['ListTagsForResource']),
    group('Cluster resource modify actions', 100, 40, [
      'DeleteAttributes',
      'DeregisterContainerInstance',
      'ExecuteCommand',
      'PutAttributes',
      'RunTask',
      'StartTask',
      'StopTask',
      'UpdateContainerAgent',
      'UpdateContainerInstancesState',
    ]),
    group('Cluster resource read actions', 100, 20, [
      'DescribeContainerInstances',
      'DescribeTasks',
      'ListAttributes',
      'ListContainerInstances',
      'ListTasks',
    ]),
    group('Service modify actions', 50, 5, ['CreateService', 'DeleteService', 'UpdateService']),
    group('Service read actions', 100, 20, ['DescribeServices', 'ListServices']),
  ],
};

/**
 * "Request throttling for the ELB API" (https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html):
 * an account-level bucket shared by every ELBv2 action (40, 10/s) and a bucket per category. The
 * page names the error `ThrottlingException`; the Query protocol's wire code that the SDK shows is
 * `Throttling` (as the sandbox's elbv2-errors.ts has it).
 */
export const ELBV2_THROTTLES: ServiceThrottles = {
  code: 'Throttling',
  account: { burst: 40, perSecond: 10 },
  groups: [
    group('Resource-intensive', 10, 0.2, ['CreateLoadBalancer', 'SetSubnets']),
    group('Registration', 20, 4, ['RegisterTargets', 'DeregisterTargets']),
    group('Non-mutating', 40, 10, [
      'DescribeAccountLimits',
      'DescribeCapacityReservation',
      'DescribeListenerAttributes',
      'DescribeListenerCertificates',
      'DescribeListeners',
      'DescribeLoadBalancerAttributes',
      'DescribeLoadBalancers',
      'DescribeRules',
      'DescribeSSLPolicies',
      'DescribeTags',
      'DescribeTargetGroupAttributes',
      'DescribeTargetGroups',
      'DescribeTargetHealth',
    ]),
    group('Mutating', 20, 3, [
      'AddListenerCertificates',
      'AddTags',
      'CreateListener',
      'CreateRule',
      'CreateTargetGroup',
      'DeleteListener',
      'DeleteLoadBalancer',
      'DeleteRule',
      'DeleteTargetGroup',
      'ModifyCapacityReservation',
      'ModifyIpPools',
      'ModifyListener',
      'ModifyListenerAttributes',
      'ModifyLoadBalancerAttributes',
      'ModifyRule',
      'ModifyTargetGroup',
      'ModifyTargetGroupAttributes',
      'RemoveListenerCertificates',
      'RemoveTags',
      'SetIpAddressType',
      'SetRulePriorities',
      'SetSecurityGroups',
    ]),
  ],
};

/**
 * "Throttling for Amazon Route 53 API requests"
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/throttling-api-requests.html), the
 * current (change-based) page: one account-level bucket for all actions (50, 10/s) and one bucket
 * per action, 50 and 10/s for every action we call (the page lists other values only for health
 * checks, VPC associations, CIDR collections, traffic policies and hosted zone create/delete).
 * Route53 is global: one account, not one per Region. Its separate change-throughput bucket (DNS
 * record changes per second) is not modelled: its numbers could not be retrieved here.
 */
export const ROUTE53_THROTTLES: ServiceThrottles = {
  code: 'Throttling',
  account: { burst: 50, perSecond: 10 },
  ungrouped: { burst: 50, perSecond: 10 },
  groups: [
    group('CreateHostedZone', 40, 2, ['CreateHostedZone']),
    group('DeleteHostedZone', 40, 5, ['DeleteHostedZone']),
  ],
};

export const SERVICE_THROTTLES: Readonly<Record<string, ServiceThrottles>> = {
  ECS: ECS_THROTTLES,
  ELBv2: ELBV2_THROTTLES,
  Route53: ROUTE53_THROTTLES,
};

/** The buckets one call draws from, as [key, spec]: its group's (or its own), and the account's. */
export function bucketsOf(throttles: ServiceThrottles, operation: string): [string, BucketSpec][] {
  const out: [string, BucketSpec][] = [];
  const g = throttles.groups.find((x) => x.actions.includes(operation));
  if (g) out.push([g.name, g]);
  else if (throttles.ungrouped) out.push([operation, throttles.ungrouped]);
  if (throttles.account) out.push(['(account)', throttles.account]);
  return out;
}

function group(name: string, burst: number, perSecond: number, actions: string[]): ThrottleGroup {
  return { name, burst, perSecond, actions };
}

/**
 * The least time, in seconds, that AWS's buckets allow for these calls (`Service.Operation`: count,
 * as CallLog counts them), starting from full buckets: per bucket, what exceeds the burst at the
 * refill rate; the slowest bucket sets the floor (buckets refill in parallel).
 */
export function floorSeconds(
  calls: Readonly<Record<string, number>>,
  throttles: Readonly<Record<string, ServiceThrottles>> = SERVICE_THROTTLES,
): number {
  const perBucket = new Map<string, { spec: BucketSpec; n: number }>();
  for (const [key, n] of Object.entries(calls)) {
    const dot = key.indexOf('.');
    const service = key.slice(0, dot);
    const t = throttles[service];
    if (!t) continue;
    for (const [bucket, spec] of bucketsOf(t, key.slice(dot + 1))) {
      const id = `${service}/${bucket}`;
      const entry = perBucket.get(id) ?? { spec, n: 0 };
      entry.n += n;
      perBucket.set(id, entry);
    }
  }
  let floor = 0;
  for (const { spec, n } of perBucket.values())
    floor = Math.max(floor, Math.max(0, n - spec.burst) / spec.perSecond);
  return floor;
}
