import type { ObservedEventQueue, ObservedEventRule, ObservedEvents } from '../model/events';
import { ownedBy, ownershipOf, type TagMap } from '../model/ownership';
import { emptyAction } from './empty-action';
import type { OwnerRef, PlannedAction } from './plan-types';

/** What `destroy` found of the event source by its names (observe/events-reader.ts). */
export type ClusterEvents = Pick<ObservedEvents, 'rule' | 'queue' | 'deadLetterQueue'>;

export interface DestroyEventsPlan {
  /** In order: the rule (with its targets), the queue, the dead-letter queue; others' kept. */
  actions: PlannedAction[];
  /** The ids of the deletions (the cluster's delete waits for them). */
  deletions: string[];
}

/**
 * The event source's part of `destroy`: after the services are drained, the rule and its targets
 * (nothing is sent any more), then the queue, then its dead-letter queue, each only when its tags
 * make it this cluster's; one of the same name that is not is shown and kept. Pure.
 */
export function planEventsDestroy(
  owner: OwnerRef,
  events: ClusterEvents,
  drains: readonly string[],
): DestroyEventsPlan {
  const actions: PlannedAction[] = [];
  const after: string[] = [...drains];
  const add = (
    resource: 'eventRule' | 'eventQueue',
    live: ObservedEventRule | ObservedEventQueue | undefined,
    name: string | undefined,
    what: string,
  ) => {
    if (!live || name === undefined) return;
    const action = emptyAction(`${resource}/${name}`, resource, name, undefined);
    if (!ownedBy(live.tags, owner)) {
      actions.push({ ...action, reason: `${describeOwner(live.tags, owner)}: kept` });
      return;
    }
    actions.push({
      ...action,
      op: 'delete',
      reason: `created by ecs-gitops: deleted${what}`,
      changes: [{ path: 'arn', before: live.arn }],
      dependsOn: [...after],
      steps: [
        {
          call: 'deleteEventResource',
          kind: resource === 'eventRule' ? 'rule' : 'queue',
          name,
          owner,
          destroying: true,
        },
      ],
    });
    after.push(action.id);
  };
  inRemovalOrder(events, add);
  return { actions, deletions: actions.filter((a) => a.op === 'delete').map((a) => a.id) };
}

/** What to call for each event source resource, in the order they are removed: rule, queue, DLQ. */
export function inRemovalOrder(
  events: ClusterEvents,
  visit: (
    resource: 'eventRule' | 'eventQueue',
    live: ObservedEventRule | ObservedEventQueue | undefined,
    name: string | undefined,
    why: string,
  ) => void,
): void {
  const rule = events.rule;
  visit(
    'eventRule',
    rule,
    rule?.name,
    rule && rule.targets.length > 0 ? ` with its ${rule.targets.length} target(s)` : '',
  );
  visit('eventQueue', events.queue, queueName(events.queue), ', after the rule');
  visit('eventQueue', events.deadLetterQueue, queueName(events.deadLetterQueue), ', after the queue');
}

export function queueName(q: ObservedEventQueue | undefined): string | undefined {
  return q ? q.url.slice(q.url.lastIndexOf('/') + 1) : undefined;
}

export function describeOwner(tags: TagMap, owner: OwnerRef): string {
  const o = ownershipOf(tags, owner.ownerId);
  return o === 'unowned'
    ? 'not created by ecs-gitops'
    : o === 'other-owner'
      ? 'owned by another ecs-gitops owner id'
      : 'created by ecs-gitops for another cluster';
}
