import { createHash } from 'node:crypto';
import type { SourceRef } from './source';
import type { TagMap } from './ownership';

/**
 * The ECS event source of a cluster (cluster.yaml `events:`): an EventBridge rule for the cluster's
 * ECS events and the SQS queue it feeds. Either ecs-gitops creates and owns both (and a dead-letter
 * queue), or the user names a queue their own infrastructure made, which is only ever read. Types,
 * names and limits; pure.
 */

/** `events.queue: create`: a rule, a queue and a dead-letter queue ecs-gitops creates and owns. */
export interface OwnedEventQueue {
  kind: 'owned';
  /** Receives before a message moves to the dead-letter queue (RedrivePolicy maxReceiveCount). */
  deadLetterMaxReceives: number;
  /** MessageRetentionPeriod of the queue, in seconds. */
  messageRetentionSeconds: number;
}

/** `events.queue: <URL or ARN>`: a queue that exists; ecs-gitops reads from it and never writes it. */
export type ExistingEventQueue = { kind: 'existing'; url: string } | { kind: 'existing'; arn: string };

export interface EventsConfig {
  queue: OwnedEventQueue | ExistingEventQueue;
  source: SourceRef;
}

/** The value of `events.queue` that makes ecs-gitops create the queue. */
export const CREATE_QUEUE = 'create';

export const DEFAULT_DEAD_LETTER_MAX_RECEIVES = 5;
/** SQS's own default (4 days); said explicitly so that drift from it is seen and corrected. */
export const DEFAULT_MESSAGE_RETENTION_SECONDS = 345_600;
/** SQS's limits for MessageRetentionPeriod and for a RedrivePolicy's maxReceiveCount. */
export const MESSAGE_RETENTION_RANGE = { min: 60, max: 1_209_600 } as const;
export const MAX_RECEIVES_RANGE = { min: 1, max: 1000 } as const;

/**
 * The dead-letter queue keeps messages the longest SQS allows: a message moved there keeps its
 * original enqueue time (standard queues), so with the source's retention it could expire on arrival.
 */
export const DEAD_LETTER_RETENTION_SECONDS = MESSAGE_RETENTION_RANGE.max;

/** Long polling on the queue itself, so that any consumer (ours, or a person's CLI) waits by default. */
export const RECEIVE_WAIT_SECONDS = 20;

/** The ECS events the rule forwards (EventBridge `detail-type`s). */
export const ECS_EVENT_DETAIL_TYPES = [
  'ECS Task State Change',
  'ECS Container Instance State Change',
  'ECS Service Action',
  'ECS Deployment State Change',
] as const;

/**
 * The resources an ECS event names first in `resources`: a service (service action and deployment
 * events), a task, a container instance. Their ARNs hold the cluster's name
 * (`arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID`), which is how the rule picks the cluster's events.
 */
export const ECS_EVENT_RESOURCE_KINDS = ['service', 'task', 'container-instance'] as const;

/** `arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/` from the cluster's ARN; the slash ends the name. */
export function resourceArnPrefix(
  clusterArn: string,
  kind: (typeof ECS_EVENT_RESOURCE_KINDS)[number],
): string {
  return `${clusterArn.replace(/:cluster\/([^/]+)$/, `:${kind}/$1`)}/`;
}

/** SQS queue names: at most 80 letters, digits, `-` and `_`. */
export const SQS_QUEUE_NAME_MAX = 80;
/** EventBridge rule names: at most 64 of letters, digits, `.`, `-` and `_`. */
export const EVENT_RULE_NAME_MAX = 64;

const PREFIX = 'ecs-gitops-';
const SUFFIX = '-events';
const DEAD_LETTER_SUFFIX = '-dlq';
const HASH_LENGTH = 8;

export interface EventResourceNames {
  rule: string;
  queue: string;
  deadLetterQueue: string;
  /** The Id of the rule's one target (PutTargets replaces the target of that Id). */
  targetId: string;
}

/**
 * `ecs-gitops-<cluster>-events` for the rule and the queue, `...-events-dlq` for the dead-letter
 * queue. A cluster name too long for the rule's 64 characters is cut and given a hash of the whole
 * name, so that two long names that share a beginning still get names of their own. Cluster names
 * (letters, digits, `-`, `_`) are valid in both services' names as they are.
 */
export function eventResourceNames(cluster: string): EventResourceNames {
  const room = EVENT_RULE_NAME_MAX - PREFIX.length - SUFFIX.length;
  const stem =
    cluster.length <= room
      ? cluster
      : `${cluster.slice(0, room - HASH_LENGTH - 1)}-${createHash('sha256').update(cluster).digest('hex').slice(0, HASH_LENGTH)}`;
  const base = `${PREFIX}${stem}${SUFFIX}`;
  return {
    rule: base,
    queue: base,
    deadLetterQueue: `${base}${DEAD_LETTER_SUFFIX}`,
    targetId: 'ecs-gitops-queue',
  };
}

/** The queue's name in `events.queue`: the last part of its URL or ARN. */
export function existingQueueName(q: ExistingEventQueue): string {
  return 'url' in q ? q.url.slice(q.url.lastIndexOf('/') + 1) : q.arn.slice(q.arn.lastIndexOf(':') + 1);
}

/** Partition, region and account: what every ARN of the event source is built from. */
export interface ArnContext {
  partition: string;
  region: string;
  accountId: string;
}

/** The context an ARN is in (`arn:PARTITION:SERVICE:REGION:ACCOUNT:...`), or undefined. */
export function arnContextOf(arn: string): ArnContext | undefined {
  const m = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]+):(\d{12}):/.exec(arn);
  return m ? { partition: m[1], region: m[2], accountId: m[3] } : undefined;
}

export function clusterArnIn(ctx: ArnContext, cluster: string): string {
  return `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.accountId}:cluster/${cluster}`;
}

export function queueArnIn(ctx: ArnContext, queue: string): string {
  return `arn:${ctx.partition}:sqs:${ctx.region}:${ctx.accountId}:${queue}`;
}

/** A rule on the default event bus, where AWS services deliver their events. */
export function ruleArnIn(ctx: ArnContext, rule: string): string {
  return `arn:${ctx.partition}:events:${ctx.region}:${ctx.accountId}:rule/${rule}`;
}

/** One SQS queue as the planner wants it: attributes as CreateQueue and SetQueueAttributes take them. */
export interface DesiredEventQueue {
  name: string;
  arn: string;
  /** Only the attributes ecs-gitops manages; others on a live queue are left alone. */
  attributes: Record<string, string>;
  tags: TagMap;
}

export interface DesiredEventRule {
  name: string;
  arn: string;
  /** The EventBridge event pattern, as the JSON text PutRule takes. */
  eventPattern: string;
  description: string;
  tags: TagMap;
  target: { id: string; arn: string };
}

/** Everything `events: { queue: create }` makes, in creation order. */
export interface DesiredEventResources {
  deadLetterQueue: DesiredEventQueue;
  queue: DesiredEventQueue;
  rule: DesiredEventRule;
}

/** One queue as read: URL, ARN, every attribute SQS returned, and its tags. */
export interface ObservedEventQueue {
  url: string;
  arn: string;
  attributes: Record<string, string>;
  tags: TagMap;
}

export interface ObservedEventRule {
  name: string;
  arn: string;
  eventPattern?: string;
  state?: string;
  description?: string;
  tags: TagMap;
  /** `changesInput`: the target sends something else than the event (Input, InputPath, a transformer). */
  targets: { id: string; arn: string; changesInput?: true }[];
}

/**
 * What SQS and EventBridge have for a cluster's event source. Owned mode: the three resources by
 * their names (absent: not there), and the context ARNs are built in. Existing queue: only that.
 */
export interface ObservedEvents {
  /** Absent when no ARN of the account could be learnt (then the plan fails closed). */
  context?: ArnContext;
  rule?: ObservedEventRule;
  queue?: ObservedEventQueue;
  deadLetterQueue?: ObservedEventQueue;
  /** `events.queue: <URL or ARN>`: the queue as found, or why it could not be read. */
  existing?: { url: string; arn?: string } | { error: string };
}

/**
 * On the ECS cluster exactly while cluster.yaml asks for an owned event source: the one sign that
 * ecs-gitops may have made a rule and queues for it. Once `events:` no longer asks for them, the
 * marker is what makes a plan read and prune them; a cluster without it never reads SQS or
 * EventBridge for that.
 */
export const TAG_EVENT_SOURCE = 'ecs-gitops:event-source';
export const EVENT_SOURCE_OWNED = 'owned';

/** cluster.yaml asks ecs-gitops to create and own the event source (`events: { queue: create }`). */
export function wantsOwnedEventSource(cfg: { events?: EventsConfig }): boolean {
  return cfg.events?.queue.kind === 'owned';
}

/** The owned event source's resources as found by their names, whoever's they are. */
export type EventResources = Pick<ObservedEvents, 'rule' | 'queue' | 'deadLetterQueue'>;
