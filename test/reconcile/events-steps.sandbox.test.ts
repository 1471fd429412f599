/**
 * The event source's executor steps on the strict sandbox, one at a time: what a lost answer or a
 * resource changed between plan and apply leaves behind.
 */
import { ownershipTags } from '../../controller/model/ownership';
import type { Step } from '../../controller/plan/plan-types';
import { deleteEventResource, runEventStep } from '../../controller/reconcile/events-steps';
import { newSandboxAccount } from '../helpers/sandbox';

const OWNER = { ownerId: 'demo', cluster: 'demo' };
const TAGS = ownershipTags('demo', 'demo');
const ATTRIBUTES = { MessageRetentionPeriod: '345600', SqsManagedSseEnabled: 'true' };
const create: Extract<Step, { call: 'createQueue' }> = {
  call: 'createQueue',
  name: 'ecs-gitops-demo-events',
  attributes: ATTRIBUTES,
  tags: TAGS,
};

function account() {
  const acct = newSandboxAccount();
  const ports = { sqs: acct.sqs, eventBridge: acct.eventBridge };
  const calls = () =>
    Object.fromEntries(
      Object.entries(acct.sqs.callLog.snapshot()).filter(
        ([op]) => op.startsWith('SQS.') || op.startsWith('EventBridge.'),
      ),
    );
  return { acct, ports, calls };
}

async function attributesOf(acct: ReturnType<typeof account>['acct'], name: string) {
  const url = (await acct.sqs.getQueueUrl({ QueueName: name })).QueueUrl;
  return (await acct.sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] })).Attributes ?? {};
}

describe('event source steps', () => {
  test('CreateQueue repeated after a lost answer: the same queue, no error, nothing else called', async () => {
    const { acct, ports, calls } = account();
    await runEventStep(create, ports);
    const url = (await acct.sqs.getQueueUrl({ QueueName: create.name })).QueueUrl;
    await runEventStep(create, ports);
    expect((await acct.sqs.getQueueUrl({ QueueName: create.name })).QueueUrl).toBe(url);
    expect(calls()).toEqual({ 'SQS.CreateQueue': 2, 'SQS.GetQueueUrl': 2 });
  });

  test('CreateQueue finding our queue with other attributes (changed since the lost answer): set to what it asks', async () => {
    const { acct, ports } = account();
    await runEventStep(create, ports);
    const url = (await acct.sqs.getQueueUrl({ QueueName: create.name })).QueueUrl;
    await acct.sqs.setQueueAttributes({ QueueUrl: url, Attributes: { MessageRetentionPeriod: '60' } });
    await runEventStep(create, ports);
    expect((await attributesOf(acct, create.name)).MessageRetentionPeriod).toBe('345600');
  });

  test('CreateQueue finding a queue of that name not ours, with other attributes: the error stands, nothing set', async () => {
    const { acct, ports } = account();
    await acct.sqs.createQueue({ QueueName: create.name, Attributes: { MessageRetentionPeriod: '60' } });
    await expect(runEventStep(create, ports)).rejects.toMatchObject({ name: 'QueueNameExists' });
    expect((await attributesOf(acct, create.name)).MessageRetentionPeriod).toBe('60');
  });

  test("PutTargets answering 200 with failed entries is a failure, named by the entry's code", async () => {
    const { acct, ports } = account();
    // AWS answers PutTargets with FailedEntries (a concurrent change, a target it cannot use); the
    // sandbox never does, so its answer is replaced here.
    jest.spyOn(acct.eventBridge, 'putTargets').mockResolvedValue({
      FailedEntryCount: 1,
      FailedEntries: [
        { TargetId: 't', ErrorCode: 'ConcurrentModificationException', ErrorMessage: 'try again' },
      ],
    });
    await expect(
      runEventStep(
        { call: 'putTargets', rule: 'r', targets: [{ id: 't', arn: 'arn:aws:sqs:us-east-1:1:q' }] },
        ports,
      ),
    ).rejects.toMatchObject({
      name: 'ConcurrentModificationException',
      message: 'PutTargets failed for 1 target(s): t: ConcurrentModificationException try again',
    });
  });

  test('deletes read the tags again: a queue or rule no longer ours is skipped; gone is done', async () => {
    const { acct, ports } = account();
    await acct.sqs.createQueue({ QueueName: 'q', tags: { team: 'x' } });
    await acct.eventBridge.putRule({
      Name: 'r',
      EventPattern: '{"source":["aws.ecs"]}',
      Tags: [{ Key: 'team', Value: 'x' }],
    });
    const queue = { call: 'deleteEventResource', kind: 'queue', name: 'q', owner: OWNER } as const;
    const rule = { call: 'deleteEventResource', kind: 'rule', name: 'r', owner: OWNER } as const;
    expect(await deleteEventResource(queue, ports)).toMatchObject({ outcome: 'skipped' });
    expect(await deleteEventResource(rule, ports)).toMatchObject({ outcome: 'skipped' });
    await acct.sqs.getQueueUrl({ QueueName: 'q' });
    await acct.eventBridge.describeRule({ Name: 'r' });
    expect(await deleteEventResource({ ...queue, name: 'gone' }, ports)).toEqual({
      outcome: 'deleted',
      message: 'already gone',
    });
    expect(await deleteEventResource({ ...rule, name: 'gone' }, ports)).toMatchObject({ outcome: 'deleted' });
  });

  test("a rule of ours loses every target first, someone else's included, then goes", async () => {
    const { acct, ports, calls } = account();
    await acct.eventBridge.putRule({
      Name: 'r',
      EventPattern: '{"source":["aws.ecs"]}',
      Tags: Object.entries(TAGS).map(([Key, Value]) => ({ Key, Value })),
    });
    await acct.eventBridge.putTargets({
      Rule: 'r',
      Targets: [
        { Id: 'ecs-gitops-queue', Arn: 'arn:aws:sqs:us-east-1:123456789012:a' },
        { Id: 'audit', Arn: 'arn:aws:sqs:us-east-1:123456789012:b' },
      ],
    });
    const before = calls();
    const r = await deleteEventResource(
      { call: 'deleteEventResource', kind: 'rule', name: 'r', owner: OWNER },
      ports,
    );
    expect(r).toMatchObject({ outcome: 'deleted', message: 'deleted with its 2 target(s)' });
    const after = calls();
    const delta = Object.fromEntries(
      Object.entries(after)
        .map(([op, n]) => [op, n - (before[op] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    expect(delta).toEqual({
      'EventBridge.DescribeRule': 1,
      'EventBridge.ListTagsForResource': 1,
      'EventBridge.ListTargetsByRule': 1,
      'EventBridge.RemoveTargets': 1,
      'EventBridge.DeleteRule': 1,
    });
    await expect(acct.eventBridge.describeRule({ Name: 'r' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
