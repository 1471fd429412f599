/**
 * The event source's resources end to end against moto, through the real CLI and SDK clients:
 * `events: { queue: create }` makes the dead-letter queue, the queue (encrypted, redriving to the
 * first, with a policy that lets only our rule send) and the rule with its target, all tagged; a
 * second apply makes no write at all; drift made by hand is put back; destroy removes the rule, its
 * target and both queues, then the cluster. Removing `events:` from cluster.yaml prunes them the
 * same way, then the cluster's event-source marker tag; `prune: false` keeps them. An existing
 * queue (`events: { queue: <URL> }`) is only read.
 *
 * Where moto is not AWS (none of it changes what this test can show):
 * - moto difference: after DeleteQueue, AWS refuses a queue of the same name for 60 seconds
 *   (QueueDeletedRecently); moto creates it again at once (the strict sandbox has the block);
 * - moto difference: moto does not know the RedriveAllowPolicy attribute (SetQueueAttributes
 *   ignores it, GetQueueAttributes names it unknown); ecs-gitops does not set it (a dead-letter
 *   queue that holds only ECS events is no secret), so nothing here depends on it;
 * - moto gives a queue Policy back re-serialized (with spaces after `:` and `,`), as AWS may
 *   reformat it too: the planner compares policies as data, and the second apply shows it;
 * - like AWS, moto refuses DeleteRule while the rule has targets (ValidationException), so a
 *   destroy that deleted the rule before removing its targets fails here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { onAwsContextCreated } from '../../controller/cli/aws-context';
import { ownershipTags } from '../../controller/model/ownership';
import { useMoto, useMotoClient } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const QUEUE = 'ecs-gitops-demo-events';
const DLQ = 'ecs-gitops-demo-events-dlq';
const TAGS = { team: 'platform', ...ownershipTags('demo', 'demo') };

const moto = useMoto();
const ecs = useMotoClient(moto, ECSClient);
const sqs = useMotoClient(moto, SQSClient);
const eventBridge = useMotoClient(moto, EventBridgeClient);

const awsEnv = () => ({ AWS_ENDPOINT_URL: moto.endpoint });

/** Cluster `demo` with one task definition (no service: moto never finishes draining one). */
function clusterDir(events: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-events-moto-'));
  const files: Record<string, string> = {
    'cluster.yaml': ['name: demo', 'tags: { team: platform }', ...events, ''].join('\n'),
    'web.taskdef': JSON.stringify({
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memoryReservation: 64 }],
    }),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Runs the CLI; `order` is every call that is not a read, in order (the counts do not show order). */
async function cli(args: string[]) {
  const order: string[] = [];
  const stop = onAwsContextCreated((ctx) => {
    ctx.callLog.subscribe((service, op, code) => {
      if (!/^(Describe|List|Get)/.test(op)) order.push(`${service}.${op}${code === 'OK' ? '' : ` ${code}`}`);
    });
  });
  try {
    return { ...(await runCli([...args, '--output', 'json'], awsEnv())), order };
  } finally {
    stop();
  }
}

async function apply(dir: string) {
  const run = await cli(['apply', dir]);
  if (run.code !== 0) throw new Error(`apply exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return { out: json(run), order: run.order };
}

/** The calls of these services (`SQS`, `EventBridge`) in an `awsCalls.byOperation`. */
function callsOf(byOperation: Record<string, number>, ...services: string[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byOperation).filter(([op]) => services.some((s) => op.startsWith(`${s}.`))),
  );
}

function writes(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byOperation).filter(([op]) => !/\.(Describe|List|Get)/.test(op)));
}

async function queue(name: string) {
  const url = (await sqs().send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  const attributes = ((
    await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))
  ).Attributes ?? {}) as Record<string, string>;
  const tags = (await sqs().send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
  return { url, attributes, tags };
}

describe('events: { queue: create } (moto)', () => {
  test('apply creates everything tagged; the second apply writes nothing; drift is put back; destroy removes it all', async () => {
    const dir = clusterDir(['events:', '  queue: create', '  deadLetterMaxReceives: 3']);
    const first = await apply(dir);
    expect(writes(callsOf(first.out.awsCalls.byOperation, 'SQS', 'EventBridge'))).toEqual({
      'EventBridge.PutRule': 1,
      'EventBridge.PutTargets': 1,
      'SQS.CreateQueue': 2,
    });
    // The dead-letter queue first (the queue's redrive policy names it), the rule last.
    expect(first.order.filter((op) => /^(SQS|EventBridge)\./.test(op))).toEqual([
      'SQS.CreateQueue',
      'SQS.CreateQueue',
      'EventBridge.PutRule',
      'EventBridge.PutTargets',
    ]);

    const q = await queue(QUEUE);
    const dlq = await queue(DLQ);
    expect(q.tags).toEqual(TAGS);
    expect(dlq.tags).toEqual(TAGS);
    expect(q.attributes).toMatchObject({ SqsManagedSseEnabled: 'true', ReceiveMessageWaitTimeSeconds: '20' });
    expect(dlq.attributes).toMatchObject({ SqsManagedSseEnabled: 'true', MessageRetentionPeriod: '1209600' });
    expect(JSON.parse(q.attributes.RedrivePolicy)).toEqual({
      deadLetterTargetArn: dlq.attributes.QueueArn,
      maxReceiveCount: 3,
    });
    const rule = await eventBridge().send(new DescribeRuleCommand({ Name: QUEUE }));
    expect(JSON.parse(q.attributes.Policy).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: q.attributes.QueueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': rule.Arn } },
      }),
    ]);
    const cluster = (await ecs().send(new DescribeClustersCommand({ clusters: ['demo'] }))).clusters?.[0];
    expect(JSON.parse(rule.EventPattern ?? '').resources).toEqual(
      ['service', 'task', 'container-instance'].map((kind) => ({
        prefix: `${cluster?.clusterArn?.replace(':cluster/', `:${kind}/`)}/`,
      })),
    );
    expect(rule.State).toBe('ENABLED');
    expect((await eventBridge().send(new ListTargetsByRuleCommand({ Rule: QUEUE }))).Targets).toEqual([
      { Id: 'ecs-gitops-queue', Arn: q.attributes.QueueArn },
    ]);
    const ruleTags = (await eventBridge().send(new ListTagsForResourceCommand({ ResourceARN: rule.Arn })))
      .Tags;
    expect(Object.fromEntries((ruleTags ?? []).map((t) => [t.Key, t.Value]))).toEqual(TAGS);

    const second = await apply(dir);
    expect(writes(second.out.awsCalls.byOperation)).toEqual({});
    expect(callsOf(second.out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({
      'EventBridge.DescribeRule': 1,
      'EventBridge.ListTagsForResource': 1,
      'EventBridge.ListTargetsByRule': 1,
      'SQS.GetQueueAttributes': 2,
      'SQS.GetQueueUrl': 2,
      'SQS.ListQueueTags': 2,
    });

    await sqs().send(
      new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { MessageRetentionPeriod: '60' } }),
    );
    const fixed = await apply(dir);
    expect(writes(fixed.out.awsCalls.byOperation)).toEqual({ 'SQS.SetQueueAttributes': 1 });
    expect((await queue(QUEUE)).attributes.MessageRetentionPeriod).toBe('345600');
    expect(writes((await apply(dir)).out.awsCalls.byOperation)).toEqual({});

    const destroyed = await cli(['destroy', 'demo', '--drain', '--confirm']);
    expect(destroyed.code).toBe(0);
    expect(destroyed.order).toEqual([
      'EventBridge.RemoveTargets',
      'EventBridge.DeleteRule',
      'SQS.DeleteQueue',
      'SQS.DeleteQueue',
      'ECS.DeleteCluster',
    ]);
    for (const name of [QUEUE, DLQ]) {
      await expect(sqs().send(new GetQueueUrlCommand({ QueueName: name }))).rejects.toMatchObject({
        name: 'QueueDoesNotExist',
      });
    }
    await expect(eventBridge().send(new DescribeRuleCommand({ Name: QUEUE }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  test('destroy deletes the rule and the dead-letter queue of ours, and leaves a queue no longer ours', async () => {
    await apply(clusterDir(['events:', '  queue: create']));
    const q = await queue(QUEUE);
    // Someone took the queue over: its ownership tags now name another owner id.
    await sqs().send(new TagQueueCommand({ QueueUrl: q.url, Tags: { 'ecs-gitops:owner': 'someone-else' } }));
    const destroyed = await cli(['destroy', 'demo', '--drain', '--confirm']);
    expect(destroyed.code).toBe(0);
    expect(destroyed.order).toEqual([
      'EventBridge.RemoveTargets',
      'EventBridge.DeleteRule',
      'SQS.DeleteQueue',
      'ECS.DeleteCluster',
    ]);
    expect((await queue(QUEUE)).tags['ecs-gitops:owner']).toBe('someone-else');
    await expect(sqs().send(new GetQueueUrlCommand({ QueueName: DLQ }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
  });
});

describe('events: removed from cluster.yaml (moto)', () => {
  test('apply deletes the rule (targets first), the queue, the dead-letter queue, then the marker; the next apply reads and writes neither', async () => {
    await apply(clusterDir(['events:', '  queue: create']));
    const marker = async () => {
      const c = (await ecs().send(new DescribeClustersCommand({ clusters: ['demo'], include: ['TAGS'] })))
        .clusters?.[0];
      return (c?.tags ?? []).find((t) => t.key === 'ecs-gitops:event-source')?.value;
    };
    expect(await marker()).toBe('owned');
    const dir = clusterDir([]);
    const pruned = await apply(dir);
    expect(pruned.order).toEqual([
      'EventBridge.RemoveTargets',
      'EventBridge.DeleteRule',
      'SQS.DeleteQueue',
      'SQS.DeleteQueue',
      'ECS.UntagResource',
    ]);
    for (const name of [QUEUE, DLQ]) {
      await expect(sqs().send(new GetQueueUrlCommand({ QueueName: name }))).rejects.toMatchObject({
        name: 'QueueDoesNotExist',
      });
    }
    await expect(eventBridge().send(new DescribeRuleCommand({ Name: QUEUE }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await marker()).toBeUndefined();
    const again = await apply(dir);
    expect(writes(again.out.awsCalls.byOperation)).toEqual({});
    expect(callsOf(again.out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({});
  });

  test('prune: false keeps the rule and queues and the marker: no write', async () => {
    await apply(clusterDir(['events:', '  queue: create']));
    const kept = await apply(clusterDir(['prune: false']));
    expect(writes(kept.out.awsCalls.byOperation)).toEqual({});
    expect((await queue(QUEUE)).tags).toEqual(TAGS);
    expect((await queue(DLQ)).tags).toEqual(TAGS);
  });
});

describe('events: { queue: <URL> } (moto)', () => {
  test('an existing queue is read, never written', async () => {
    const url = (await sqs().send(new CreateQueueCommand({ QueueName: 'shop-events' }))).QueueUrl ?? '';
    const dir = clusterDir(['events:', `  queue: ${url}`]);
    for (let round = 0; round < 2; round++) {
      const { out } = await apply(dir);
      expect(callsOf(out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({
        'SQS.GetQueueAttributes': 1,
      });
    }
    expect((await queue('shop-events')).tags).toEqual({});
  });
});
