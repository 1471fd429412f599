import type { EcsPort } from '../aws/ecs-port';
import type { Elbv2Port } from '../aws/elbv2-port';
import type { EcsReader } from '../observe/ecs-reader';
import { readClusterElb } from '../observe/cluster-elb-reader';
import { readEventResources } from '../observe/events-reader';
import type { EventWritePorts } from './events-steps';
import { serviceNameFromArn } from '../model/naming';
import {
  planDestroy,
  type DestroyObserved,
  type DestroyPlan,
  type DestroyRequest,
  type RemainingService,
} from '../plan/destroy-planner';
import type { ActionResult } from '../model/action-result';
import type { Clock } from '../aws/clock';
import { executePlan } from './executor';

export type { RemainingService } from '../plan/destroy-planner';

export interface DestroyOptions extends DestroyRequest {
  ecs: EcsPort;
  /**
   * The cluster's load balancer pieces (rules, target groups, an owned balancer) are found and
   * deleted through it; absent: ELBv2 is neither read nor changed.
   */
  elbv2?: Elbv2Port;
  /**
   * The event source's rule and queues (found by the cluster's names, deleted when their tags make
   * them this cluster's); absent: SQS and EventBridge are neither read nor changed.
   */
  events?: EventWritePorts;
  reader: EcsReader;
  clock: Clock;
  /** How long the services may take to drain, all together. */
  timeoutMs: number;
  pollMs?: number;
  onProgress?: (message: string) => void;
}

const ELB_RESOURCES = new Set<ActionResult['resource']>(['listenerRule', 'targetGroup', 'loadBalancer']);
const EVENT_RESOURCES = new Set<ActionResult['resource']>(['eventRule', 'eventQueue']);

export type DestroyVerdict = 'deleted' | 'absent' | 'refused' | 'failed';

export interface DestroyReport {
  cluster: string;
  verdict: DestroyVerdict;
  /** Why it refused or failed, in one sentence. */
  reason: string;
  /** Services that kept the cluster alive (refusal), or that were drained. */
  services: RemainingService[];
  results: ActionResult[];
}

/**
 * Destroys a cluster only when that is safe: reads, plans (every check that can refuse is in the
 * plan, so a refusal changes nothing), then runs the plan. Ownership is re-read right before each
 * delete call.
 */
export async function destroyCluster(opts: DestroyOptions): Promise<DestroyReport> {
  return applyDestroyPlan(await planClusterDestroy(opts), opts);
}

/**
 * Reads the cluster and its services, and plans: what `destroy --dry-run` shows. Reads only. ELBv2,
 * SQS and EventBridge are read only when the ECS side lets the destroy go ahead (a refusal there
 * needs none of it).
 */
export async function planClusterDestroy(
  opts: DestroyRequest & { reader: EcsReader; elbv2?: Elbv2Port; events?: EventWritePorts },
): Promise<DestroyPlan> {
  const { reader, cluster } = opts;
  const live = await reader.describeCluster(cluster);
  const observed: DestroyObserved = { services: [] };
  if (live) {
    observed.cluster = {
      tags: live.tags,
      ...(live.cluster.clusterArn ? { arn: live.cluster.clusterArn } : {}),
    };
    const names = (await reader.listAllServiceArns(cluster)).map(serviceNameFromArn);
    observed.services = [...(await reader.describeServicesBatched(cluster, names)).values()];
  }
  const request: DestroyRequest = {
    cluster,
    ownerId: opts.ownerId,
    drain: opts.drain,
    ...(opts.region !== undefined ? { region: opts.region } : {}),
  };
  const planned = planDestroy(request, observed);
  if ((!opts.elbv2 && !opts.events) || !deletesCluster(planned)) return planned;
  const [elb, events] = await Promise.all([
    opts.elbv2 ? readClusterElb({ ownerId: opts.ownerId, cluster }, opts.elbv2) : undefined,
    opts.events ? readEventResources(cluster, opts.events) : undefined,
  ]);
  if (elb) observed.elb = elb;
  if (events) observed.events = events;
  return planDestroy(request, observed);
}

function deletesCluster(planned: DestroyPlan): boolean {
  const { plan } = planned;
  return plan.errors.length === 0 && plan.actions.some((a) => a.resource === 'cluster' && a.op === 'delete');
}

/** Runs a destroy plan (refusing one with errors) and says how it went. */
export async function applyDestroyPlan(
  destroy: DestroyPlan,
  opts: Omit<DestroyOptions, keyof DestroyRequest | 'reader'>,
): Promise<DestroyReport> {
  const { plan, services } = destroy;
  const report = (verdict: DestroyVerdict, reason: string, results: ActionResult[] = []): DestroyReport => ({
    cluster: plan.cluster,
    verdict,
    reason,
    services,
    results,
  });
  if (plan.errors.length > 0) return report('refused', plan.errors[0].message);
  const clusterAction = plan.actions.find((a) => a.resource === 'cluster');
  if (clusterAction?.op !== 'delete') return report('absent', `cluster ${plan.cluster} does not exist`);

  const results = await executePlan(plan, {
    ecs: opts.ecs,
    ...(opts.elbv2 ? { elbv2: opts.elbv2 } : {}),
    ...(opts.events ? { events: opts.events } : {}),
    clock: opts.clock,
    drainWaitMs: opts.timeoutMs,
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const clusterResult = results.find((r) => r.id === clusterAction.id);
  if (clusterResult?.outcome === 'deleted')
    return report('deleted', `cluster ${plan.cluster} deleted`, results);
  const undrained = results.filter(
    (r) => r.resource === 'service' && r.outcome !== 'deleted' && r.outcome !== 'unchanged',
  );
  // A load balancer piece left (failed, or skipped: no longer ours, or after one that failed).
  const elbLeft = results.filter(
    (r) => ELB_RESOURCES.has(r.resource) && (r.outcome === 'failed' || r.outcome === 'skipped'),
  );
  const eventsLeft = results.filter(
    (r) => EVENT_RESOURCES.has(r.resource) && (r.outcome === 'failed' || r.outcome === 'skipped'),
  );
  const listed = (rs: ActionResult[]) => rs.map((r) => `${r.name}: ${r.message ?? r.outcome}`).join('; ');
  const reason =
    undrained.length > 0
      ? `some services could not be drained (${listed(undrained)}); the cluster was kept`
      : elbLeft.length > 0
        ? `some load balancer pieces were not deleted (${listed(elbLeft)}); the cluster was kept`
        : eventsLeft.length > 0
          ? `some of the event source was not deleted (${listed(eventsLeft)}); the cluster was kept`
          : (clusterResult?.message ?? 'the cluster was kept');
  return report('failed', reason, results);
}
