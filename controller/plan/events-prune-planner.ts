import { lifecycleOf, type DesiredState } from '../model/desired';
import {
  eventResourceNames,
  existingQueueName,
  type ObservedEventQueue,
  type ObservedEventRule,
  TAG_EVENT_SOURCE,
  wantsOwnedEventSource,
} from '../model/events';
import type { ObservedState } from '../model/observed';
import { ownedBy } from '../model/ownership';
import { describeOwner, inRemovalOrder } from './destroy-events-planner';
import { emptyAction } from './empty-action';
import type { EventsPlan } from './events-planner';
import type { OwnerRef, PlannedAction } from './plan-types';

/**
 * Pruning the event source: the cluster carries the marker tag (ecs-gitops made a rule and queues
 * for it) and `events.queue` is no longer `create`. The rule (with its targets), the queue, then
 * the dead-letter queue are deleted in that order, each only when its tags make it this cluster's
 * (the delete reads them again); then the marker is removed, after the deletes, so that a failure
 * in between leaves it and the next plan prunes again. `prune: false`: each is `orphan` and the
 * marker stays. Nothing is planned when the plan did not read them (narrowed plans). Pure.
 */
export function planEventsPrune(desired: DesiredState, observed: ObservedState): EventsPlan {
  const cfg = desired.cluster;
  const live = observed.cluster;
  const found = observed.retiredEvents;
  if (wantsOwnedEventSource(cfg) || !live || !found || !(TAG_EVENT_SOURCE in live.tags))
    return { actions: [], errors: [] };
  const fail = (message: string): EventsPlan => ({
    actions: [],
    errors: [{ message, field: 'events', ...(cfg.source ? { source: cfg.source } : {}) }],
  });
  if ('error' in found)
    return fail(
      `cluster ${cfg.name} carries ${TAG_EVENT_SOURCE} (ecs-gitops made its event source) but ${found.error}`,
    );
  const names = eventResourceNames(cfg.name);
  if (cfg.events?.queue.kind === 'existing') {
    const named = existingQueueName(cfg.events.queue);
    if ((named === names.queue || named === names.deadLetterQueue) && (found.queue || found.deadLetterQueue))
      return fail(
        `events.queue names ${named}, a queue ecs-gitops made for this cluster and would now prune: ` +
          'set events.queue back to create to keep it, or name a queue of your own',
      );
  }
  const owner: OwnerRef = { ownerId: cfg.ownerId, cluster: cfg.name };
  const prune = lifecycleOf(cfg).prune;
  const why = cfg.events ? 'events.queue is no longer create' : 'cluster.yaml has no events: any more';
  const actions: PlannedAction[] = [];
  const deletes: string[] = [];
  let kept = false;
  const add = (
    resource: 'eventRule' | 'eventQueue',
    res: ObservedEventRule | ObservedEventQueue | undefined,
    name: string | undefined,
    what: string,
  ): void => {
    if (!res || name === undefined) return;
    const action = emptyAction(`${resource}/${name}`, resource, name, undefined);
    if (!ownedBy(res.tags, owner)) {
      actions.push({ ...action, reason: `${describeOwner(res.tags, owner)}: left as is` });
      return;
    }
    const changes = [{ path: 'arn', before: res.arn }];
    if (!prune) {
      kept = true;
      actions.push({ ...action, op: 'orphan', reason: `${why}; kept (prune: false)`, changes });
      return;
    }
    actions.push({
      ...action,
      op: 'delete',
      reason: `${why}: deleted${what}`,
      changes,
      dependsOn: [...deletes],
      steps: [
        { call: 'deleteEventResource', kind: resource === 'eventRule' ? 'rule' : 'queue', name, owner },
      ],
    });
    deletes.push(action.id);
  };
  inRemovalOrder(found, add);
  if (kept) return { actions, errors: [] };
  actions.push({
    ...emptyAction(`eventSource/${cfg.name}`, 'cluster', cfg.name, cfg.source),
    op: 'update',
    reason:
      deletes.length > 0
        ? `event source marker removed once the event source is deleted (${why})`
        : `no event source of ecs-gitops's left: marker removed (${why})`,
    changes: [{ path: `tags[${TAG_EVENT_SOURCE}]`, before: live.tags[TAG_EVENT_SOURCE] }],
    dependsOn: [...deletes],
    steps: [{ call: 'untagResource', arn: live.cluster.clusterArn ?? cfg.name, keys: [TAG_EVENT_SOURCE] }],
  });
  return { actions, errors: [] };
}
