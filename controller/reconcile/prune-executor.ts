import type { Service } from '../model/aws-types';
import type { EcsPort } from '../aws/ecs-port';
import { isMissingTaskDefinitionError } from '../observe/ecs-reader';
import { shortTaskDefinition } from '../model/naming';
import { ownedBy, parsePruningMark, pruningMark, TAG_PRUNING, tagsToMap } from '../model/ownership';
import type { OwnerRef, Step } from '../plan/plan-types';
import type { Outcome } from '../model/action-result';
import type { Clock } from '../aws/clock';
import { describeLiveService } from './live-service';
import { deleteServiceOnce } from './delete-service';

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
  const look = () => describeOwned(opts.ecs, cluster, name, step.owner);
  let live = await look();
  if (typeof live === 'string') return settled(live);
  if (live.status === 'DRAINING') return { outcome: 'deleted', message: 'already being deleted' };
  const arn = live.serviceArn;
  const arnField = arn ? { arn } : {};
  // A DAEMON service has no desired count (AWS rejects one); deleting it stops its tasks.
  const daemon = live.schedulingStrategy === 'DAEMON';
  if (!daemon && (live.desiredCount ?? 0) > 0) {
    const count = live.desiredCount ?? 0;
    const mark = parsePruningMark(tagsToMap(live.tags)[TAG_PRUNING]);
    if (mark?.scaled) {
      // We scaled it to 0 and something scaled it up again (Application Auto Scaling's minimum
      // capacity): no tug of war; DeleteService with force stops its tasks (draining them) and deletes.
      await deleteServiceOnce(opts.ecs, { cluster, service: name, force: true });
      return {
        outcome: 'deleted',
        message: `scaled up again to ${count} by something else while draining (Application Auto Scaling?): deleted with force`,
        ...arnField,
      };
    }
    // The mark first, so that a spec that comes back before the delete gets this count back
    // (planner.ts); then the scale-down; then the mark says it is done, which tells a later run
    // "scaled up again by someone else" apart from "stopped before scaling down". A mark already
    // there (not scaled): a run that stopped right after writing it.
    const recorded = mark?.count ?? count;
    const tag = (scaled: boolean) =>
      opts.ecs.tagResource({
        resourceArn: arn,
        tags: [{ key: TAG_PRUNING, value: pruningMark(recorded, scaled) }],
      });
    if (!mark) await tag(false);
    await opts.ecs.updateService({ cluster, service: name, desiredCount: 0 });
    await tag(true);
    // What the scale-down left running (and, again, whose the service is).
    live = await look();
    if (typeof live === 'string') return settled(live);
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
          ...arnField,
          pending: `${tasks} task(s) of service/${name} stopping`,
        };
      }
      await opts.clock.sleep(Math.min(opts.pollMs ?? 5000, Math.max(0, deadline - opts.clock.now())));
      live = await look();
      if (typeof live === 'string') return settled(live);
    }
  }
  // Ownership read again right before the delete.
  const last = await look();
  if (typeof last === 'string') return settled(last);
  if (last.status === 'ACTIVE') await deleteServiceOnce(opts.ecs, { cluster, service: name });
  return { outcome: 'deleted', message: daemon ? 'deleted' : 'scaled to 0, drained, deleted', ...arnField };
}

function settled(state: 'gone' | 'not-ours'): StepResult {
  return state === 'gone'
    ? { outcome: 'deleted', message: 'already deleted' }
    : { outcome: 'skipped', message: 'no longer owned by ecs-gitops: left alone' };
}

async function describeOwned(
  ecs: EcsPort,
  cluster: string,
  name: string,
  owner: OwnerRef,
): Promise<Service | 'gone' | 'not-ours'> {
  const live = await describeLiveService(ecs, cluster, name);
  if (!live) return 'gone';
  return ownedBy(live.tags, owner) ? live.service : 'not-ours';
}

/**
 * Deregisters old revisions one by one, each right after reading its tags and status again, and
 * (with `delete`) deletes each right after deregistering it, so that no delete is far from its
 * ownership check. Repeatable: a revision already INACTIVE (a crash between the two calls) is only
 * deleted; one already deleted or gone is skipped. A failed delete does not stop the others; the
 * failures are reported together at the end.
 */
export async function retireRevisions(
  step: Extract<Step, { call: 'retireRevisions' }>,
  ecs: EcsPort,
): Promise<StepResult> {
  const retired: string[] = [];
  const skipped: string[] = [];
  const failures: string[] = [];
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
    else if (!step.delete) continue; // already INACTIVE: nothing to do
    if (step.delete) {
      const out = await ecs.deleteTaskDefinitions({ taskDefinitions: [arn] });
      for (const f of out.failures ?? [])
        failures.push(`${shortTaskDefinition(f.arn ?? arn)}: ${f.reason ?? '?'}`);
      if ((out.failures ?? []).length > 0) continue;
    }
    retired.push(arn);
  }
  const verb = step.delete ? 'deregistered and deleted' : 'deregistered';
  const list = retired.map(shortTaskDefinition).join(', ');
  const skip = skipped.length > 0 ? `; ${skipped.length} no longer ours, left alone` : '';
  if (failures.length > 0) {
    throw Object.assign(
      new Error(`${retired.length > 0 ? `${verb} ${list}; ` : ''}could not delete ${failures.join('; ')}`),
      { name: 'DeleteTaskDefinitionsFailure' },
    );
  }
  if (retired.length === 0) {
    return { outcome: 'unchanged', message: `nothing to deregister${skip}` };
  }
  return { outcome: 'deleted', message: `${verb} ${retired.length}: ${list}${skip}` };
}
