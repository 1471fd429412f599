import type { EventBridgeReadPort, EventBridgeWritePort } from '../aws/eventbridge-port';
import type { SqsReadPort, SqsWritePort } from '../aws/sqs-port';
import { describeAwsError } from '../aws/aws-error';
import {
  mapToElbTags,
  ownedBy,
  type TagMap,
  TAG_CLUSTER,
  TAG_MANAGED_BY,
  TAG_OWNER,
} from '../model/ownership';
import { queueMissing, readRule, ruleMissing } from '../observe/events-reader';
import type { Step } from '../plan/plan-types';
import type { StepResult } from './prune-executor';

/**
 * The SQS and EventBridge calls of the event source's actions. Each is safe to repeat after an
 * answer was lost: CreateQueue with the same attributes returns the queue it made (and a queue of
 * that name with other attributes is used once its tags show it is ours), PutRule and PutTargets
 * set the rule and the target of that name and Id whatever they were, tags are set, not added.
 * Deletes read the tags again first.
 */

export interface EventWritePorts {
  sqs: SqsReadPort & SqsWritePort;
  eventBridge: EventBridgeReadPort & EventBridgeWritePort;
}

export type EventStep = Extract<
  Step,
  { call: 'createQueue' | 'setQueueAttributes' | 'tagQueue' | 'putRule' | 'putTargets' | 'tagEventRule' }
>;

const EVENT_CALLS = new Set<string>([
  'createQueue',
  'setQueueAttributes',
  'tagQueue',
  'putRule',
  'putTargets',
  'tagEventRule',
]);

export function isEventStep(step: Step): step is EventStep {
  return EVENT_CALLS.has(step.call);
}

export async function runEventStep(step: EventStep, ports: EventWritePorts): Promise<{ arn?: string }> {
  const { sqs, eventBridge } = ports;
  switch (step.call) {
    case 'createQueue':
      await createQueue(step, sqs);
      return {};
    case 'setQueueAttributes':
      await sqs.setQueueAttributes({ QueueUrl: await queueUrl(step.name, sqs), Attributes: step.attributes });
      return {};
    case 'tagQueue':
      await sqs.tagQueue({ QueueUrl: await queueUrl(step.name, sqs), Tags: tagMapOf(step.tags) });
      return {};
    case 'putRule': {
      const out = await eventBridge.putRule({
        Name: step.name,
        EventPattern: step.eventPattern,
        Description: step.description,
        State: 'ENABLED',
        ...(step.tags.length > 0 ? { Tags: mapToElbTags(tagMapOf(step.tags)) } : {}),
      });
      return out.RuleArn !== undefined ? { arn: out.RuleArn } : {};
    }
    case 'putTargets': {
      const out = await eventBridge.putTargets({
        Rule: step.rule,
        Targets: step.targets.map((t) => ({ Id: t.id, Arn: t.arn })),
      });
      failedEntries('PutTargets', out);
      return {};
    }
    case 'tagEventRule':
      await eventBridge.tagResource({ ResourceARN: step.arn, Tags: mapToElbTags(tagMapOf(step.tags)) });
      return { arn: step.arn };
  }
}

function tagMapOf(tags: readonly { key?: string; value?: string }[]): TagMap {
  const out: TagMap = {};
  for (const t of tags) if (t.key !== undefined) out[t.key] = t.value ?? '';
  return out;
}

/** PutTargets and RemoveTargets answer 200 with the entries they could not do: an error here. */
function failedEntries(
  call: string,
  out: {
    FailedEntryCount?: number;
    FailedEntries?: { TargetId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  },
): void {
  if (!out.FailedEntryCount) return;
  const entries = (out.FailedEntries ?? []).map((e) =>
    `${e.TargetId ?? '?'}: ${e.ErrorCode ?? '?'} ${e.ErrorMessage ?? ''}`.trim(),
  );
  const err = new Error(`${call} failed for ${out.FailedEntryCount} target(s): ${entries.join('; ')}`);
  err.name = (out.FailedEntries ?? [])[0]?.ErrorCode ?? 'FailedEntries';
  throw err;
}

async function queueUrl(name: string, sqs: SqsReadPort): Promise<string> {
  const url = (await sqs.getQueueUrl({ QueueName: name })).QueueUrl;
  if (!url) throw new Error(`GetQueueUrl returned no URL for ${name}`);
  return url;
}

const OWNER_KEYS = [TAG_MANAGED_BY, TAG_OWNER, TAG_CLUSTER];

/**
 * CreateQueue; `QueueNameExists` means a queue of that name has other attributes: when its tags
 * show it is ours (an attempt whose answer was lost, changed since), its attributes are set to
 * what this create asks; otherwise the error stands.
 */
async function createQueue(
  step: Extract<Step, { call: 'createQueue' }>,
  sqs: EventWritePorts['sqs'],
): Promise<string> {
  try {
    const url = (
      await sqs.createQueue({ QueueName: step.name, Attributes: step.attributes, tags: step.tags })
    ).QueueUrl;
    if (!url) throw new Error(`CreateQueue returned no URL for ${step.name}`);
    return url;
  } catch (err) {
    if (describeAwsError(err).code !== 'QueueNameExists') throw err;
    const url = await queueUrl(step.name, sqs);
    const tags = (await sqs.listQueueTags({ QueueUrl: url })).Tags ?? {};
    if (!OWNER_KEYS.every((k) => step.tags[k] === tags[k])) throw err;
    await sqs.setQueueAttributes({ QueueUrl: url, Attributes: step.attributes });
    return url;
  }
}

/**
 * Deletes a queue, or a rule after removing all its targets (EventBridge refuses to delete a rule
 * that has any). The tags are read again first: one no longer ours is skipped, one gone is done.
 */
export async function deleteEventResource(
  step: Extract<Step, { call: 'deleteEventResource' }>,
  ports: EventWritePorts,
): Promise<StepResult> {
  const gone: StepResult = { outcome: 'deleted', message: 'already gone' };
  const notOurs: StepResult = {
    outcome: 'skipped',
    message: 'no longer carries our ownership tags: left as is',
  };
  if (step.kind === 'queue') {
    const { sqs } = ports;
    let url: string;
    let tags: TagMap;
    try {
      url = await queueUrl(step.name, sqs);
      tags = (await sqs.listQueueTags({ QueueUrl: url })).Tags ?? {};
    } catch (err) {
      if (queueMissing(err)) return gone;
      throw err;
    }
    if (!ownedBy(tags, step.owner)) return notOurs;
    await sqs.deleteQueue({ QueueUrl: url });
    return { outcome: 'deleted', message: 'deleted' };
  }
  const { eventBridge } = ports;
  const rule = await readRule(step.name, eventBridge);
  if (!rule) return gone;
  if (!ownedBy(rule.tags, step.owner)) return notOurs;
  if (rule.targets.length > 0) {
    try {
      failedEntries(
        'RemoveTargets',
        await eventBridge.removeTargets({ Rule: step.name, Ids: rule.targets.map((t) => t.id) }),
      );
    } catch (err) {
      if (!ruleMissing(err)) throw err;
    }
  }
  try {
    await eventBridge.deleteRule({ Name: step.name });
  } catch (err) {
    if (!ruleMissing(err)) throw err;
  }
  return { outcome: 'deleted', message: `deleted with its ${rule.targets.length} target(s)`, arn: rule.arn };
}
