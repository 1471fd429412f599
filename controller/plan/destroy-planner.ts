import type { Service } from '../model/aws-types';
import type { ClusterElb } from '../model/cluster-elb';
import { ownershipOf, type Ownership, type TagMap } from '../model/ownership';
import { planElbDestroy } from './destroy-elb-planner';
import { type ClusterEvents, planEventsDestroy } from './destroy-events-planner';
import { emptyAction } from './empty-action';
import type { Plan, PlanError, PlannedAction } from './plan-types';

/** What `destroy CLUSTER` was asked to do. */
export interface DestroyRequest {
  cluster: string;
  /** Owner id in the ownership tags (default: the cluster name). */
  ownerId: string;
  /** Drain and delete our services first (else any service left is a refusal). */
  drain: boolean;
  region?: string;
}

/** What destroy reads first: the cluster (undefined: absent or INACTIVE) and every service in it. */
export interface DestroyObserved {
  cluster?: { arn?: string; tags: TagMap };
  services: { service: Service; tags: TagMap }[];
  /**
   * The cluster's load balancer pieces, found by their ownership tags (observe/cluster-elb-reader.ts);
   * absent: not read (nothing of ELBv2 is planned).
   */
  elb?: ClusterElb;
  /**
   * The event source's rule and queues of the cluster's names (observe/events-reader.ts); absent:
   * not read (nothing of SQS or EventBridge is planned).
   */
  events?: ClusterEvents;
}

/** A service found in the cluster, and whose it is. */
export interface RemainingService {
  name: string;
  status: string;
  owner: Ownership;
}

export interface DestroyPlan {
  /**
   * Services to drain and delete (with --drain), then the load balancer pieces of ours (rules,
   * target groups, an owned balancer) and the event source's (rule, queue, dead-letter queue), then
   * the cluster, which depends on them all (a failed delete keeps the cluster, so that running
   * destroy again finds what is left). A refusal is a
   * plan error (nothing is applied); an absent cluster is one unchanged action.
   */
  plan: Plan;
  /** Every service in the cluster, by name. */
  services: RemainingService[];
}

/** The `dir` of a destroy plan: it comes from no directory. */
export const DESTROY_PLAN_DIR = 'destroy';

/**
 * The plan for `destroy`. Pure. Every check that can refuse is here, so a refusal changes nothing:
 * a cluster ecs-gitops did not create (for this owner id) is never deleted; services left without
 * --drain, or any service not ours with --drain, are a plan error listing them; so are load balancer
 * pieces not ours that a delete would break or be blocked by (plan/destroy-elb-planner.ts).
 */
export function planDestroy(req: DestroyRequest, observed: DestroyObserved): DestroyPlan {
  const services = observed.services
    .map(({ service, tags }) => ({
      name: service.serviceName ?? '?',
      status: service.status ?? '?',
      owner: ownershipOf(tags, req.ownerId),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const clusterId = `cluster/${req.cluster}`;
  const cluster = emptyAction(clusterId, 'cluster', req.cluster, undefined);
  const result = (actions: PlannedAction[], errors: PlanError[] = []): DestroyPlan => {
    const plan: Plan = { cluster: req.cluster, dir: DESTROY_PLAN_DIR, actions, errors };
    if (req.region !== undefined) plan.region = req.region;
    return { plan, services };
  };

  if (!observed.cluster) return result([{ ...cluster, reason: 'does not exist: nothing to destroy' }]);
  if (ownershipOf(observed.cluster.tags, req.ownerId) !== 'ours') {
    return result(
      [{ ...cluster, reason: 'not created by ecs-gitops: left as is' }],
      [
        {
          message: `cluster ${req.cluster} was not created by ecs-gitops (owner id ${req.ownerId}); delete it with the tool that created it`,
        },
      ],
    );
  }
  const kept = services.map((s) => keptAction(s));
  if (services.length > 0 && !req.drain) {
    return result(
      [...kept, { ...cluster, reason: 'kept: services remain' }],
      [
        {
          message: `cluster ${req.cluster} still has ${services.length} service(s); delete them first or pass --drain: ${listed(services)}`,
        },
      ],
    );
  }
  const foreign = services.filter((s) => s.owner !== 'ours');
  if (foreign.length > 0) {
    return result(
      [...kept, { ...cluster, reason: 'kept: services not ours remain' }],
      [
        {
          message: `cluster ${req.cluster} has ${foreign.length} service(s) that ecs-gitops does not own; nothing is changed: ${listed(foreign)}`,
        },
      ],
    );
  }

  const drains = observed.services
    .map((s) => drainAction(req, s.service))
    .sort((a, b) => a.name.localeCompare(b.name));
  const names = drains.map((a) => a.name);
  const drainIds = drains.map((a) => a.id);
  const elb = observed.elb
    ? planElbDestroy({ ownerId: req.ownerId, cluster: req.cluster }, observed.elb, drainIds)
    : { actions: [], errors: [], deletions: [] };
  const events = observed.events
    ? planEventsDestroy({ ownerId: req.ownerId, cluster: req.cluster }, observed.events, drainIds)
    : { actions: [], deletions: [] };
  if (elb.errors.length > 0) {
    // Nothing is deleted: every action is shown as kept, the errors say why.
    const why = 'kept: destroy refused (see the errors)';
    const keptAll = [...drains, ...elb.actions, ...events.actions].map((a) => ({
      ...emptyAction(a.id, a.resource, a.name, a.source),
      reason: a.op === 'delete' ? why : a.reason,
    }));
    return result([...keptAll, { ...cluster, reason: 'kept: load balancer pieces block it' }], elb.errors);
  }
  const deleting = (resource: PlannedAction['resource']) =>
    elb.actions.filter((a) => a.op === 'delete' && a.resource === resource).length;
  const gone = [
    counted(names.length, 'service(s)'),
    counted(deleting('listenerRule'), 'rule(s)'),
    counted(deleting('targetGroup'), 'target group(s)'),
    counted(deleting('loadBalancer'), 'load balancer(s)'),
    counted(events.deletions.filter((id) => id.startsWith('eventRule/')).length, 'event rule(s)'),
    counted(events.deletions.filter((id) => id.startsWith('eventQueue/')).length, 'event queue(s)'),
  ].filter((x) => x !== '');
  const waits = gone.length > 0 ? `, once its ${gone.join(', ')} are gone` : '';
  return result([
    ...drains,
    ...elb.actions,
    ...events.actions,
    {
      ...cluster,
      op: 'delete',
      reason: `created by ecs-gitops: deleted${waits}`,
      dependsOn: [...drainIds, ...elb.deletions, ...events.deletions],
      steps: [{ call: 'deleteCluster', cluster: req.cluster, ownerId: req.ownerId, services: names }],
    },
  ]);
}

function counted(n: number, what: string): string {
  return n > 0 ? `${n} ${what}` : '';
}

function drainAction(req: DestroyRequest, service: Service): PlannedAction {
  const name = service.serviceName ?? '?';
  const action = emptyAction(`service/${name}`, 'service', name, undefined);
  const count = service.desiredCount ?? 0;
  const scales = service.schedulingStrategy !== 'DAEMON' && count > 0 && service.status === 'ACTIVE';
  const reason =
    service.status === 'ACTIVE'
      ? scales
        ? 'scale to 0, drain, delete'
        : 'delete'
      : `${(service.status ?? '?').toLowerCase()}: wait until it is gone`;
  return {
    ...action,
    op: 'delete',
    reason,
    changes: scales ? [{ path: 'desiredCount', before: count, after: 0 }] : [],
    steps: [{ call: 'drainService', cluster: req.cluster, service: name, ownerId: req.ownerId }],
  };
}

/** A service that keeps the cluster alive (the plan refuses): shown, never changed. */
function keptAction(s: RemainingService): PlannedAction {
  const action = emptyAction(`service/${s.name}`, 'service', s.name, undefined);
  return { ...action, reason: `${s.status}, ${describeOwner(s.owner)}: keeps the cluster` };
}

function listed(services: readonly RemainingService[]): string {
  return services.map((s) => `${s.name} (${s.status}, ${describeOwner(s.owner)})`).join(', ');
}

export function describeOwner(owner: Ownership): string {
  return owner === 'ours'
    ? 'owned by ecs-gitops'
    : owner === 'unowned'
      ? 'not owned by ecs-gitops'
      : 'owned by another ecs-gitops owner id';
}
