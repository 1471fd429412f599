import type { EcsPort } from '../aws/ecs-port';
import { ownershipOf, tagsToMap } from '../model/ownership';
import type { Step } from '../plan/plan-types';
import type { Clock } from '../aws/clock';
import type { StepResult } from './prune-executor';
import { describeLiveService } from './live-service';
import { deleteServiceOnce } from './delete-service';

export interface DestroyStepOptions {
  ecs: EcsPort;
  clock: Clock;
  /** Epoch ms: one deadline for every service of the destroy (draining them one after the other would add up). */
  deadline: number;
  pollMs?: number;
  onProgress?: (message: string) => void;
}

/**
 * Scale to 0, wait for the tasks to stop, delete; each change right after a read showing the service
 * is still ours. A DAEMON service has no desired count to scale (AWS rejects one): deleting it stops
 * its tasks. Tasks still running at the deadline fail the step (the cluster is then kept).
 */
export async function drainService(
  step: Extract<Step, { call: 'drainService' }>,
  opts: DestroyStepOptions,
): Promise<StepResult> {
  const { cluster, service: name } = step;
  const before = await describeLiveService(opts.ecs, cluster, name);
  if (!before) return { outcome: 'unchanged', message: 'already gone' };
  const arn = before.service.serviceArn ? { arn: before.service.serviceArn } : {};
  if (ownershipOf(before.tags, step.ownerId) !== 'ours') return notOurs();
  if (before.service.status !== 'ACTIVE')
    return { outcome: 'deleted', message: 'already being deleted', ...arn };
  const daemon = before.service.schedulingStrategy === 'DAEMON';
  if (!daemon && (before.service.desiredCount ?? 0) > 0) {
    opts.onProgress?.(`scaling ${name} to 0`);
    await opts.ecs.updateService({ cluster, service: name, desiredCount: 0 });
  }
  if (!daemon) await waitForNoTasks(step, opts);
  // Ownership is checked again right before the delete: the service may have changed hands.
  const recheck = await describeLiveService(opts.ecs, cluster, name);
  if (!recheck || ownershipOf(recheck.tags, step.ownerId) !== 'ours') return notOurs();
  opts.onProgress?.(`deleting ${name}`);
  await deleteServiceOnce(opts.ecs, { cluster, service: name });
  return { outcome: 'deleted', message: daemon ? 'deleted' : 'scaled to 0, drained, deleted', ...arn };
}

/**
 * DeleteCluster fails while services are DRAINING, so this waits until they are INACTIVE (until the
 * deadline), reads the cluster's ownership again and deletes it.
 */
export async function deleteCluster(
  step: Extract<Step, { call: 'deleteCluster' }>,
  opts: DestroyStepOptions,
): Promise<StepResult> {
  const left = await waitUntilGone(step, opts);
  if (left.length > 0) {
    throw Object.assign(
      new Error(`services still draining after the timeout: ${left.join(', ')}; the cluster was kept`),
      { name: 'DrainTimeout' },
    );
  }
  const out = await opts.ecs.describeClusters({ clusters: [step.cluster], include: ['TAGS'] });
  const live = out.clusters?.find((c) => c.clusterName === step.cluster && c.status !== 'INACTIVE');
  if (!live) return { outcome: 'deleted', message: 'already deleted' };
  if (ownershipOf(tagsToMap(live.tags), step.ownerId) !== 'ours') {
    return { outcome: 'skipped', message: 'no longer owned by ecs-gitops: left alone' };
  }
  await opts.ecs.deleteCluster({ cluster: step.cluster });
  return {
    outcome: 'deleted',
    message: `cluster ${step.cluster} deleted`,
    ...(live.clusterArn ? { arn: live.clusterArn } : {}),
  };
}

function notOurs(): StepResult {
  return { outcome: 'skipped', message: 'no longer owned by ecs-gitops' };
}

/** Tasks have stopped when the service counts none running or pending (stopping tasks still count). */
async function waitForNoTasks(
  step: Extract<Step, { call: 'drainService' }>,
  opts: DestroyStepOptions,
): Promise<void> {
  for (;;) {
    const svc = (await describeLiveService(opts.ecs, step.cluster, step.service))?.service;
    const running = (svc?.runningCount ?? 0) + (svc?.pendingCount ?? 0);
    if (running === 0) return;
    if (opts.clock.now() >= opts.deadline)
      throw Object.assign(new Error(`${running} task(s) still running after the timeout`), {
        name: 'DrainTimeout',
      });
    opts.onProgress?.(`waiting for ${running} task(s) of ${step.service} to stop`);
    await opts.clock.sleep(opts.pollMs ?? 5000);
  }
}

async function waitUntilGone(
  step: Extract<Step, { call: 'deleteCluster' }>,
  opts: DestroyStepOptions,
): Promise<string[]> {
  let left = step.services;
  while (left.length > 0) {
    const present = await presentServices(opts.ecs, step.cluster, left);
    left = left.filter((n) => present.has(n));
    if (left.length === 0 || opts.clock.now() >= opts.deadline) break;
    opts.onProgress?.(`waiting for ${left.length} service(s) to finish draining`);
    await opts.clock.sleep(opts.pollMs ?? 5000);
  }
  return left;
}

/** Which of these services exist and are not INACTIVE (DescribeServices takes 10 names a call). */
async function presentServices(
  ecs: EcsPort,
  cluster: string,
  names: readonly string[],
): Promise<Set<string>> {
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += 10) batches.push(names.slice(i, i + 10));
  const outs = await Promise.all(batches.map((services) => ecs.describeServices({ cluster, services })));
  return new Set(
    outs.flatMap((o) =>
      (o.services ?? []).filter((s) => s.status !== 'INACTIVE').map((s) => s.serviceName ?? ''),
    ),
  );
}
