import type { DesiredState } from '../model/desired';
import {
  type DesiredEventQueue,
  type DesiredEventRule,
  type EventsConfig,
  existingQueueName,
  type ObservedEventQueue,
  type ObservedEventRule,
  type ObservedEvents,
} from '../model/events';
import type { ObservedState } from '../model/observed';
import { ownedBy, ownershipOf, TAG_CLUSTER, TAG_OWNER, type TagMap } from '../model/ownership';
import { creationChanges } from './creation-changes';
import { emptyAction } from './empty-action';
import { desiredEventResources } from './events-desired';
import { canonicalJson, isPlainObject } from './json-util';
import type { FieldChange, OwnerRef, PlanError, PlannedAction, Step } from './plan-types';
import { tagDrift } from './tag-drift';

/**
 * The event source's part of a cluster's plan. `events: { queue: create }`: the dead-letter queue,
 * the queue (its redrive policy names the first), then the rule and its target (it sends to the
 * second), each created when missing and brought back to what ecs-gitops wants when it drifted;
 * a resource of that name that is not ours is a plan error, never taken over. An existing queue
 * (`events.queue: <URL or ARN>`) is only shown, once it could be read. Pure.
 */

export interface EventsPlan {
  actions: PlannedAction[];
  errors: PlanError[];
}

const EMPTY: EventsPlan = { actions: [], errors: [] };

/** SQS attributes whose values are JSON documents: compared as data, not as text. */
const JSON_ATTRIBUTES = new Set(['Policy', 'RedrivePolicy']);

export function planEvents(desired: DesiredState, observed: ObservedState): EventsPlan {
  const cluster = desired.cluster;
  const cfg = cluster.events;
  if (!cfg) return EMPTY;
  const obs = observed.events;
  const fail = (message: string, field = 'events'): EventsPlan => ({
    actions: [],
    errors: [{ message, field, source: cfg.source }],
  });
  if (!obs) return fail('an event source is configured but SQS and EventBridge were not read');
  if (cfg.queue.kind === 'existing') return planExisting(cfg, obs);
  if (!obs.context) return fail("the event source's account and region could not be learnt");

  const want = desiredEventResources(
    cluster,
    cfg.queue,
    obs.context,
    observed.cluster?.cluster.clusterArn ?? undefined,
  );
  const owner: OwnerRef = { ownerId: cluster.ownerId, cluster: cluster.name };
  const plan: EventsPlan = { actions: [], errors: [] };
  const dlq = planQueue(want.deadLetterQueue, obs.deadLetterQueue, owner, cfg, [], plan);
  const queue = planQueue(want.queue, obs.queue, owner, cfg, creating(dlq), plan);
  planRule(want.rule, obs.rule, owner, cfg, creating(queue), plan);
  return plan;
}

/** The ids an action waits for: the create of what it names (a queue's dead-letter queue). */
function creating(action: PlannedAction | undefined): string[] {
  return action?.op === 'create' ? [action.id] : [];
}

function planExisting(cfg: EventsConfig, obs: ObservedEvents): EventsPlan {
  if (cfg.queue.kind !== 'existing') return EMPTY;
  const name = existingQueueName(cfg.queue);
  const given = 'url' in cfg.queue ? cfg.queue.url : cfg.queue.arn;
  const found = obs.existing;
  if (!found || 'error' in found) {
    const why = found && 'error' in found ? found.error : 'not read';
    return {
      actions: [],
      errors: [
        {
          message: `the event queue ${given} cannot be read: ${why}`,
          field: 'events.queue',
          source: cfg.source,
        },
      ],
    };
  }
  const action = emptyAction(`eventQueue/${name}`, 'eventQueue', name, cfg.source);
  return { actions: [{ ...action, reason: "exists, not ecs-gitops's: read, never changed" }], errors: [] };
}

/** A resource of our name that is not ours: never changed, never taken over. */
function notOurs(kind: string, name: string, tags: TagMap, owner: OwnerRef, cfg: EventsConfig): PlanError {
  const o = ownershipOf(tags, owner.ownerId);
  const whose =
    o === 'unowned'
      ? 'not ecs-gitops'
      : o === 'other-owner'
        ? `ecs-gitops owner "${tags[TAG_OWNER] ?? ''}"`
        : `cluster ${tags[TAG_CLUSTER] ?? '?'}`;
  return {
    message: `${kind} ${name} exists and is not this cluster's (${whose}): ecs-gitops never takes one over; delete it, or name your queue in events.queue to read it as it is`,
    field: 'events.queue',
    source: cfg.source,
  };
}

function planQueue(
  want: DesiredEventQueue,
  live: ObservedEventQueue | undefined,
  owner: OwnerRef,
  cfg: EventsConfig,
  dependsOn: string[],
  plan: EventsPlan,
): PlannedAction | undefined {
  const action = {
    ...emptyAction(`eventQueue/${want.name}`, 'eventQueue', want.name, cfg.source),
    dependsOn,
  };
  if (!live) {
    const created: PlannedAction = {
      ...action,
      op: 'create',
      reason: 'does not exist',
      changes: creationChanges({ attributes: shownAttributes(want.attributes) }),
      steps: [
        { call: 'createQueue', name: want.name, attributes: { ...want.attributes }, tags: { ...want.tags } },
      ],
    };
    plan.actions.push(created);
    return created;
  }
  if (!ownedBy(live.tags, owner)) {
    plan.errors.push(notOurs('queue', want.name, live.tags, owner, cfg));
    return undefined;
  }
  const changes: FieldChange[] = [];
  const steps: Step[] = [];
  const differing = Object.keys(want.attributes)
    .sort()
    .filter((k) => !sameAttribute(k, want.attributes[k], live.attributes[k]));
  if (differing.length > 0) {
    for (const k of differing) {
      changes.push(change(`attributes.${k}`, shown(k, live.attributes[k]), shown(k, want.attributes[k])));
    }
    steps.push({
      call: 'setQueueAttributes',
      name: want.name,
      attributes: Object.fromEntries(differing.map((k) => [k, want.attributes[k]])),
    });
  }
  const tags = tagDrift(want.tags, live.tags);
  if (tags.keys.length > 0) {
    changes.push(...tags.changes);
    steps.push({ call: 'tagQueue', name: want.name, tags: tags.tags });
  }
  const planned = updated(action, changes, steps);
  plan.actions.push(planned);
  return planned;
}

function planRule(
  want: DesiredEventRule,
  live: ObservedEventRule | undefined,
  owner: OwnerRef,
  cfg: EventsConfig,
  dependsOn: string[],
  plan: EventsPlan,
): void {
  const action = { ...emptyAction(`eventRule/${want.name}`, 'eventRule', want.name, cfg.source), dependsOn };
  const putRule: Step = {
    call: 'putRule',
    name: want.name,
    eventPattern: want.eventPattern,
    description: want.description,
    tags: [],
  };
  const putTargets: Step = { call: 'putTargets', rule: want.name, targets: [{ ...want.target }] };
  if (!live) {
    plan.actions.push({
      ...action,
      op: 'create',
      reason: 'does not exist',
      changes: creationChanges({
        eventPattern: JSON.parse(want.eventPattern) as object,
        description: want.description,
        target: want.target.arn,
      }),
      steps: [{ ...putRule, tags: tagList(want.tags) }, putTargets],
    });
    return;
  }
  if (!ownedBy(live.tags, owner)) {
    plan.errors.push(notOurs('rule', want.name, live.tags, owner, cfg));
    return;
  }
  const changes: FieldChange[] = [];
  const steps: Step[] = [];
  const pattern = parseJson(live.eventPattern);
  if (canonicalJson(pattern) !== canonicalJson(JSON.parse(want.eventPattern))) {
    changes.push(change('eventPattern', pattern, JSON.parse(want.eventPattern)));
  }
  if (live.description !== want.description)
    changes.push(change('description', live.description, want.description));
  if (live.state !== 'ENABLED') changes.push(change('state', live.state, 'ENABLED'));
  if (changes.length > 0) steps.push(putRule);
  const target = live.targets.find((t) => t.id === want.target.id);
  if (!target || target.arn !== want.target.arn || target.changesInput) {
    const before = target ? (target.changesInput ? `${target.arn} (input changed)` : target.arn) : undefined;
    changes.push(change(`targets[${want.target.id}]`, before, want.target.arn));
    steps.push(putTargets);
  }
  const tags = tagDrift(want.tags, live.tags);
  if (tags.keys.length > 0) {
    changes.push(...tags.changes);
    steps.push({ call: 'tagEventRule', arn: live.arn, tags: tags.tags });
  }
  plan.actions.push(updated(action, changes, steps));
}

function updated(action: PlannedAction, changes: FieldChange[], steps: Step[]): PlannedAction {
  if (steps.length === 0) return { ...action, reason: 'exists', dependsOn: [] };
  return {
    ...action,
    op: 'update',
    reason: `${[...new Set(changes.map((c) => c.path.replace(/\[.*$/, '')))].join(', ')} differ`,
    changes,
    steps,
  };
}

function change(path: string, before: unknown, after: unknown): FieldChange {
  const c: FieldChange = { path };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

function tagList(tags: TagMap): { key: string; value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key] }));
}

/** Attributes for a reviewer: JSON documents as data, so that the diff shows their fields. */
function shownAttributes(attributes: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, shown(k, v)]));
}

function shown(name: string, value: string | undefined): unknown {
  return value !== undefined && JSON_ATTRIBUTES.has(name) ? parseJson(value) : value;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function sameAttribute(name: string, want: string, have: string | undefined): boolean {
  if (have === undefined) return false;
  if (!JSON_ATTRIBUTES.has(name)) return want === have;
  return canonicalJson(comparable(parseJson(want))) === canonicalJson(comparable(parseJson(have)));
}

/**
 * A policy as SQS may give it back: one-item lists and their item are the same to IAM and to SQS
 * (`"Action": ["sqs:SendMessage"]`), and numbers may come back as strings (`maxReceiveCount`).
 */
function comparable(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 1 ? comparable(v[0]) : v.map(comparable);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
  if (typeof v === 'number') return String(v);
  return v;
}
