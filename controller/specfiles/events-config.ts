/**
 * cluster.yaml `events:` -> EventsConfig. The schema has checked the shape and the ranges; this
 * checks the queue (create, a queue URL or a queue ARN) and that the settings of a queue
 * ecs-gitops creates are not given for one it does not.
 */
import {
  CREATE_QUEUE,
  DEFAULT_DEAD_LETTER_MAX_RECEIVES,
  DEFAULT_MESSAGE_RETENTION_SECONDS,
  type EventsConfig,
  type ExistingEventQueue,
} from '../model/events';
import type { SourceRef, SpecError } from '../model/source';
import type { FieldPath } from './field-path';
import { didYouMean } from './suggest';

/** As the schema admits it. */
export interface EventsFile {
  queue: string;
  deadLetterMaxReceives?: number;
  messageRetentionSeconds?: number;
}

/** Settings that only mean something for a queue ecs-gitops creates. */
const OWNED_ONLY = ['deadLetterMaxReceives', 'messageRetentionSeconds'] as const;

const AT = ['events'];
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$|^[A-Za-z0-9_-]{1,75}\.fifo$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):(.+)$/;
/** `sqs.REGION.amazonaws.com[.cn]` and the legacy `REGION.queue.amazonaws.com`. */
const QUEUE_HOST = /^(?:sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|([a-z0-9-]+)\.queue\.amazonaws\.com)$/;

/**
 * Returns the config, or undefined with errors pushed. `region` (when known) is the cluster's: a
 * queue named in another region cannot be read through the cluster's SQS client.
 */
export function parseEventsConfig(
  events: EventsFile,
  region: string | undefined,
  source: SourceRef,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): EventsConfig | undefined {
  const before = errors.length;
  if (events.queue === CREATE_QUEUE) {
    return {
      queue: {
        kind: 'owned',
        deadLetterMaxReceives: events.deadLetterMaxReceives ?? DEFAULT_DEAD_LETTER_MAX_RECEIVES,
        messageRetentionSeconds: events.messageRetentionSeconds ?? DEFAULT_MESSAGE_RETENTION_SECONDS,
      },
      source,
    };
  }
  const queue = existingQueue(events.queue, region, errorAt, errors);
  for (const field of OWNED_ONLY) {
    if (events[field] === undefined) continue;
    errors.push(
      errorAt(
        [...AT, field],
        `only for a queue ecs-gitops creates (events.queue: ${CREATE_QUEUE}): an existing queue's settings are not ours to change`,
      ),
    );
  }
  if (errors.length > before || !queue) return undefined;
  return { queue, source };
}

function existingQueue(
  value: string,
  region: string | undefined,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): ExistingEventQueue | undefined {
  const at = [...AT, 'queue'];
  const fail = (problem: string) => {
    errors.push(errorAt(at, `"${value}" ${problem}`));
    return undefined;
  };
  const otherRegion = (r: string) =>
    `is in ${r}, but the cluster is in ${region}: the queue must be in the cluster's region, where its ECS events are`;
  if (value.startsWith('arn:')) {
    const m = QUEUE_ARN.exec(value);
    if (!m) return fail('is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)');
    if (!QUEUE_NAME.test(m[3])) return fail(`names no valid queue: ${queueNameRule}`);
    if (region !== undefined && m[1] !== region) return fail(otherRegion(m[1]));
    return { kind: 'existing', arn: value };
  }
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail(`is not a valid URL; a queue URL reads ${URL_SHAPE}`);
    }
    const path = /^\/(\d{12})\/([^/]+)$/.exec(url.pathname);
    if (!path || url.search !== '' || url.hash !== '')
      return fail(`is not a queue URL: it reads ${URL_SHAPE}`);
    if (!QUEUE_NAME.test(path[2])) return fail(`names no valid queue: ${queueNameRule}`);
    const host = QUEUE_HOST.exec(url.hostname.toLowerCase());
    const inRegion = host?.[1] ?? host?.[2];
    if (region !== undefined && inRegion !== undefined && inRegion !== region)
      return fail(otherRegion(inRegion));
    return { kind: 'existing', url: value };
  }
  return fail(
    `is neither ${CREATE_QUEUE} (ecs-gitops creates the queue) nor a queue URL (${URL_SHAPE}) or ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)${didYouMean(value, [CREATE_QUEUE])}`,
  );
}

const URL_SHAPE = 'https://sqs.REGION.amazonaws.com/ACCOUNT/NAME';
const queueNameRule = 'at most 80 letters, digits, "-" and "_" (a FIFO queue: ending in .fifo)';
