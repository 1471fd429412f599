import type { EventBridgeReadPort } from '../aws/eventbridge-port';
import type { SqsReadPort } from '../aws/sqs-port';
import { describeAwsError } from '../aws/aws-error';
import {
  type ArnContext,
  arnContextOf,
  eventResourceNames,
  type EventsConfig,
  type ObservedEventQueue,
  type ObservedEventRule,
  type ObservedEvents,
} from '../model/events';
import { type TagMap } from '../model/ownership';

/** What reading the event source goes through: reads only. */
export interface EventReadPorts {
  sqs: SqsReadPort;
  eventBridge: EventBridgeReadPort;
}

/**
 * The event source as SQS and EventBridge have it, for a cluster with `events:`. Everything is
 * found by its fixed name (model/events.ts), never by listing.
 *
 * Read budget, owned mode: per queue (the queue and its dead-letter queue) GetQueueUrl, then
 * GetQueueAttributes and ListQueueTags; DescribeRule, then ListTagsForResource and
 * ListTargetsByRule (one page: the rule has one target of ours): 9 calls when all three exist,
 * 3 when none does, plus one DescribeEventBus when none does (the account's ARNs come from the
 * first ARN read). An existing queue: GetQueueAttributes for a URL, GetQueueUrl first for an ARN.
 * Read errors propagate with their AWS code, except an existing queue's, which the plan reports.
 */
export async function readEvents(
  cluster: string,
  cfg: EventsConfig,
  ports: EventReadPorts,
): Promise<ObservedEvents> {
  if (cfg.queue.kind === 'existing') return { existing: await readExisting(cfg.queue, ports.sqs) };
  const found = await readEventResources(cluster, ports);
  const arn = found.rule?.arn ?? found.queue?.arn ?? found.deadLetterQueue?.arn;
  const context = arn !== undefined ? arnContextOf(arn) : await busContext(ports.eventBridge);
  return { ...found, ...(context ? { context } : {}) };
}

/**
 * The rule, queue and dead-letter queue of a cluster's name, whoever's they are (the planner and
 * `destroy` decide by their tags): what `destroy CLUSTER` reads too, with no spec to go by.
 */
export async function readEventResources(
  cluster: string,
  ports: EventReadPorts,
): Promise<Pick<ObservedEvents, 'rule' | 'queue' | 'deadLetterQueue'>> {
  const names = eventResourceNames(cluster);
  const [rule, queue, deadLetterQueue] = await Promise.all([
    readRule(names.rule, ports.eventBridge),
    readQueue(names.queue, ports.sqs),
    readQueue(names.deadLetterQueue, ports.sqs),
  ]);
  return {
    ...(rule ? { rule } : {}),
    ...(queue ? { queue } : {}),
    ...(deadLetterQueue ? { deadLetterQueue } : {}),
  };
}

/** SQS's codes for "no such queue" (the SDK's name, and the query code moto and old SDKs use). */
export const QUEUE_MISSING = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

export function queueMissing(err: unknown): boolean {
  const code = (err as { Code?: string } | undefined)?.Code;
  return QUEUE_MISSING.has(describeAwsError(err).code) || (code !== undefined && QUEUE_MISSING.has(code));
}

export function ruleMissing(err: unknown): boolean {
  return describeAwsError(err).code === 'ResourceNotFoundException';
}

/** A queue by name; undefined when there is none (or it went away between two reads). */
export async function readQueue(name: string, sqs: SqsReadPort): Promise<ObservedEventQueue | undefined> {
  try {
    const url = (await sqs.getQueueUrl({ QueueName: name })).QueueUrl;
    if (!url) return undefined;
    const [attributes, tags] = await Promise.all([
      sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] }),
      sqs.listQueueTags({ QueueUrl: url }),
    ]);
    const all = attributes.Attributes ?? {};
    return { url, arn: all.QueueArn ?? '', attributes: all, tags: { ...(tags.Tags ?? {}) } };
  } catch (err) {
    if (queueMissing(err)) return undefined;
    throw err;
  }
}

/** A rule of the default bus by name, with its tags and targets; undefined when there is none. */
export async function readRule(
  name: string,
  eventBridge: EventBridgeReadPort,
): Promise<ObservedEventRule | undefined> {
  try {
    const rule = await eventBridge.describeRule({ Name: name });
    const arn = rule.Arn ?? '';
    const [tags, targets] = await Promise.all([
      eventBridge.listTagsForResource({ ResourceARN: arn }),
      readTargets(name, eventBridge),
    ]);
    return {
      name,
      arn,
      ...(rule.EventPattern !== undefined ? { eventPattern: rule.EventPattern } : {}),
      ...(rule.State !== undefined ? { state: rule.State } : {}),
      ...(rule.Description !== undefined ? { description: rule.Description } : {}),
      tags: tagMap(tags.Tags),
      targets,
    };
  } catch (err) {
    if (ruleMissing(err)) return undefined;
    throw err;
  }
}

async function readTargets(
  rule: string,
  eventBridge: EventBridgeReadPort,
): Promise<ObservedEventRule['targets']> {
  const out: ObservedEventRule['targets'] = [];
  let token: string | undefined;
  do {
    const page = await eventBridge.listTargetsByRule({ Rule: rule, ...(token ? { NextToken: token } : {}) });
    for (const t of page.Targets ?? []) {
      const changesInput =
        t.Input !== undefined || t.InputPath !== undefined || t.InputTransformer !== undefined;
      out.push({
        id: t.Id ?? '',
        arn: t.Arn ?? '',
        ...(changesInput ? { changesInput: true as const } : {}),
      });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): TagMap {
  const out: TagMap = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** The default bus's ARN names the account and region every ARN of the event source is in. */
async function busContext(eventBridge: EventBridgeReadPort): Promise<ArnContext | undefined> {
  const bus = await eventBridge.describeEventBus({ Name: 'default' });
  return bus.Arn !== undefined ? arnContextOf(bus.Arn) : undefined;
}

/** A queue the user named: readable (its attributes), or why not, as the plan shows it. */
async function readExisting(
  queue: Extract<EventsConfig['queue'], { kind: 'existing' }>,
  sqs: SqsReadPort,
): Promise<NonNullable<ObservedEvents['existing']>> {
  try {
    let url: string;
    if ('url' in queue) url = queue.url;
    else {
      const ctx = arnContextOf(queue.arn);
      const name = queue.arn.slice(queue.arn.lastIndexOf(':') + 1);
      url =
        (
          await sqs.getQueueUrl({
            QueueName: name,
            ...(ctx ? { QueueOwnerAWSAccountId: ctx.accountId } : {}),
          })
        ).QueueUrl ?? '';
    }
    const out = await sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['QueueArn'] });
    const arn = out.Attributes?.QueueArn;
    return { url, ...(arn !== undefined ? { arn } : {}) };
  } catch (err) {
    const { code, message } = describeAwsError(err);
    if (!queueMissing(err) && !/AccessDenied|NotAuthorized|InvalidAddress|InvalidParameter/i.test(code))
      throw err;
    return { error: `${code}: ${message}` };
  }
}
