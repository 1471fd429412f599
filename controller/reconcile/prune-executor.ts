import type { Service } from '@aws-sdk/client-ecs';
import type { EcsPort } from '../aws/ecs-port';
import { isMissingTaskDefinitionError } from '../aws/ecs-reader';
import { shortTaskDefinition } from '../model/naming';
import { ownedBy, tagsToMap } from '../model/ownership';
import type { OwnerRef, Outcome, Step } from '../plan/plan-types';
import type { Clock } from './clock';

/** AWS limit: DeleteTaskDefinitions takes at most 10 revisions. */
const DELETE_TASK_DEFINITIONS_BATCH = 10;

export interface PruneOptions {
  ecs: EcsPort;
  /** How long to wait for a scaled-down service's tasks to stop before deleting it. 0: do not wait. */
  drainWaitMs: number;
  clock: Clock;
  pollMs?: number;
}

export interface StepResult {
  outcome: Outcome;
  message: string;
  arn?: string;
  pending?: string;
}

/**
 * Scale to 0, wait for the tasks to stop, delete. Every call that changes the service comes right
 * after a read that shows it is still ours (the tags could have changed since the plan was made: a
 * person taking it over, another controller). Safe to repeat from any point: a service already at 0
 * is not scaled again, one already DRAINING or gone is done. When the tasks are still stopping once
 * `drainWaitMs` is over, the service stays (at 0) and the next reconcile deletes it.
 */
export async function pruneService(
  step: Extract<Step, { call: 'pruneService' }>,
  opts: PruneOptions,
): Promise<StepResult> {
  const { cluster, service: name } = step;
  let live = await describeOwned(opts.ecs, cluster, name, step.owner);
  if (live === 'gone') return { outcome: 'deleted', message: 'already deleted' };
  if (live === 'not-ours')
    return { outcome: 'skipped', message: 'no longer owned by ecs-gitops: left alone' };
  if (live.status === 'DRAINING') return { outcome: 'deleted', message: 'already being deleted' };
  const arn = live.serviceArn;
  const daemon = live.schedulingStrategy === 'DAEMON';
  // A DAEMON service has no desired count (AWS rejects one); deleting it stops its tasks.
  if (!daemon && (live.desiredCount ?? 0) > 0) {
    await opts.ecs.updateService({ cluster, service: name, desiredCount: 0 });
    // What the scale-down left running (and, again, whose the service is).
    const scaled = await describeOwned(opts.ecs, cluster, name, step.owner);
    if (scaled === 'gone') return { outcome: 'deleted', message: 'deleted meanwhile' };
    if (scaled === 'not-ours')
      return { outcome: 'skipped', message: 'no longer owned by ecs-gitops: left alone' };
    live = scaled;
  }
  if (!daemon) {
    const deadline = opts.clock.now() + opts.drainWaitMs;
    for (;;) {
      const tasks = (live.runningCount ?? 0) + (live.pendingCount ?? 0);
      if (tasks === 0 && (live.desiredCount ?? 0) === 0) break;
      if (opts.clock.now() >= deadline) {
        return {
          outcome: 'updated',
          message: `scaled to 0; deleted once its ${tasks} task(s) have stopped`,
          ...(arn ? { arn } : {}),
          pending: `${tasks} task(s) of service/${name} stopping`,
        };
      }
      await opts.clock.sleep(Math.min(opts.pollMs ?? 5000, Math.max(0, deadline - opts.clock.now())));
      const again = await describeOwned(opts.ecs, cluster, name, step.owner);
      if (again === 'gone') return { outcome: 'deleted', message: 'deleted meanwhile' };
      if (again === 'not-ours')
        return { outcome: 'skipped', message: 'no longer owned by ecs-gitops: left alone' };
      live = again;
    }
  }
  // Ownership read again right before the delete.
  const last = await describeOwned(opts.ecs, cluster, name, step.owner);
  if (last === 'gone') return { outcome: 'deleted', message: 'deleted meanwhile' };
  if (last === 'not-ours')
    return { outcome: 'skipped', message: 'no longer owned by ecs-gitops: left alone' };
  if (last.status === 'ACTIVE') await opts.ecs.deleteService({ cluster, service: name });
  return {
    outcome: 'deleted',
    message: daemon ? 'deleted' : 'scaled to 0, drained, deleted',
    ...(arn ? { arn } : {}),
  };
}

async function describeOwned(
  ecs: EcsPort,
  cluster: string,
  name: string,
  owner: OwnerRef,
): Promise<Service | 'gone' | 'not-ours'> {
  const out = await ecs.describeServices({ cluster, services: [name], include: ['TAGS'] });
  const svc = out.services?.find((s) => s.serviceName === name);
  if (!svc || svc.status === 'INACTIVE') return 'gone';
  return ownedBy(tagsToMap(svc.tags), owner) ? svc : 'not-ours';
}

/**
 * Deregisters old revisions one by one, each right after reading its tags and status again, then
 * (with `delete`) deletes the ones it deregistered, 10 per call. Repeatable: a revision already
 * INACTIVE is not deregistered again but is still deleted when asked.
 */
export async function retireRevisions(
  step: Extract<Step, { call: 'retireRevisions' }>,
  ecs: EcsPort,
): Promise<StepResult> {
  const retired: string[] = [];
  const skipped: string[] = [];
  for (const arn of step.taskDefinitions) {
    let current;
    try {
      current = await ecs.describeTaskDefinition({ taskDefinition: arn, include: ['TAGS'] });
    } catch (err) {
      if (!isMissingTaskDefinitionError(err)) throw err;
      continue; // deleted meanwhile
    }
    const status = current.taskDefinition?.status;
    if (!ownedBy(tagsToMap(current.tags), step.owner) || status === 'DELETE_IN_PROGRESS') {
      skipped.push(arn);
      continue;
    }
    if (status === 'ACTIVE') await ecs.deregisterTaskDefinition({ taskDefinition: arn });
    retired.push(arn);
  }
  if (step.delete) {
    for (let i = 0; i < retired.length; i += DELETE_TASK_DEFINITIONS_BATCH) {
      const batch = retired.slice(i, i + DELETE_TASK_DEFINITIONS_BATCH);
      const out = await ecs.deleteTaskDefinitions({ taskDefinitions: batch });
      const failed = out.failures ?? [];
      if (failed.length > 0) {
        throw Object.assign(new Error(failed.map((f) => `${f.arn ?? '?'}: ${f.reason ?? '?'}`).join('; ')), {
          name: 'DeleteTaskDefinitionsFailure',
        });
      }
    }
  }
  const verb = step.delete ? 'deregistered and deleted' : 'deregistered';
  const list = retired.map(shortTaskDefinition).join(', ');
  const skip = skipped.length > 0 ? `; ${skipped.length} no longer ours, left alone` : '';
  if (retired.length === 0) {
    return { outcome: 'unchanged', message: `nothing to deregister${skip}` };
  }
  return { outcome: 'deleted', message: `${verb} ${retired.length}: ${list}${skip}` };
}
