import type { EventBridgePort } from '../../controller/aws/eventbridge-port';
import type { SqsPort } from '../../controller/aws/sqs-port';

/**
 * The SQS and EventBridge calls of the ECS event source (issue 14), as AWS documents them, written
 * against the ports so that any backend runs the same scenario: moto
 * (test/aws/event-source.moto.test.ts) and the strict sandbox
 * (event-source-contract.sandbox.test.ts). Each backend starts empty.
 *
 * Where a backend is known not to behave as AWS, the caller names the difference in
 * `EventSourceDifferences` (with a "moto difference:" comment beside it); the contract then asserts
 * only what both agree on for that step, never the backend's own behaviour as if it were AWS's.
 */
export interface EventSourceContractEnv {
  sqs: SqsPort;
  eventBridge: EventBridgePort;
  accountId: string;
  region: string;
}

export interface EventSourceDifferences {
  /** EventBridge delivers to a queue whatever its policy says (AWS: only if it allows the rule). */
  queuePolicyNotEnforced?: boolean;
  /** PutEvents accepts an `aws.*` source (AWS: NotAuthorizedForSourceException per entry). */
  awsSourceAccepted?: boolean;
  /** A deleted queue's name can be used again at once (AWS: QueueDeletedRecently for 60 s). */
  deletedNameReusable?: boolean;
  /** DeleteRule of a rule with targets succeeds (AWS: ValidationException). */
  deleteRuleWithTargets?: boolean;
  /** The delivered event has no `account` field (AWS: the account id). */
  deliveredEventLacksAccount?: boolean;
}

/** The error a call rejects with, by the SDK's `name`. */
export async function errorName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return (err as { name?: string }).name ?? 'Error';
  }
  return 'no error';
}

const SOURCE = 'ecs-gitops.contract';

/** A policy that lets EventBridge send from one rule only (what the event source writes). */
export function queuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'events-from-rule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });
}

export function describeEventSourceContract(
  backend: string,
  setup: () => Promise<EventSourceContractEnv>,
  differences: EventSourceDifferences = {},
): void {
  describe(`event source contract (${backend})`, () => {
    let env: EventSourceContractEnv;
    beforeEach(async () => {
      env = await setup();
    });

    const queueArn = (name: string) => `arn:aws:sqs:${env.region}:${env.accountId}:${name}`;

    async function newQueue(name: string, attributes: Record<string, string> = {}) {
      const { QueueUrl } = await env.sqs.createQueue({ QueueName: name, Attributes: attributes });
      return QueueUrl ?? '';
    }

    test('CreateQueue is idempotent: the same attributes give the same URL, different ones QueueNameExists', async () => {
      const url = await newQueue('events', { VisibilityTimeout: '60', ReceiveMessageWaitTimeSeconds: '20' });
      expect(url).toMatch(new RegExp(`/${env.accountId}/events$`));
      expect(await newQueue('events', { VisibilityTimeout: '60', ReceiveMessageWaitTimeSeconds: '20' })).toBe(
        url,
      );
      // Without attributes nothing is compared: the existing queue comes back.
      expect(await newQueue('events')).toBe(url);
      expect(await errorName(newQueue('events', { VisibilityTimeout: '61' }))).toBe('QueueNameExists');
      expect((await env.sqs.getQueueUrl({ QueueName: 'events' })).QueueUrl).toBe(url);
      expect(await errorName(env.sqs.getQueueUrl({ QueueName: 'missing' }))).toBe('QueueDoesNotExist');
    });

    test('a new queue has AWS defaults: 30 s visibility, no long poll, SSE-SQS on', async () => {
      const url = await newQueue('defaults');
      const { Attributes } = await env.sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] });
      expect(Attributes).toMatchObject({
        QueueArn: queueArn('defaults'),
        VisibilityTimeout: '30',
        ReceiveMessageWaitTimeSeconds: '0',
        DelaySeconds: '0',
        MessageRetentionPeriod: '345600',
        SqsManagedSseEnabled: 'true',
        ApproximateNumberOfMessages: '0',
      });
      expect(Attributes?.Policy).toBeUndefined();
    });

    test('a dead-letter queue and a policy are stored as set', async () => {
      await newQueue('events-dlq');
      const url = await newQueue('events');
      const redrive = JSON.stringify({ deadLetterTargetArn: queueArn('events-dlq'), maxReceiveCount: 5 });
      const policy = queuePolicy(queueArn('events'), `arn:aws:events:${env.region}:${env.accountId}:rule/r`);
      await env.sqs.setQueueAttributes({
        QueueUrl: url,
        Attributes: { RedrivePolicy: redrive, Policy: policy },
      });
      const { Attributes } = await env.sqs.getQueueAttributes({
        QueueUrl: url,
        AttributeNames: ['RedrivePolicy', 'Policy'],
      });
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual(JSON.parse(redrive));
      expect(JSON.parse(Attributes?.Policy ?? '{}')).toEqual(JSON.parse(policy));
    });

    test('ReceiveMessage refuses WaitTimeSeconds outside 0-20 and MaxNumberOfMessages outside 1-10', async () => {
      const url = await newQueue('limits');
      expect(await errorName(env.sqs.receiveMessage({ QueueUrl: url, WaitTimeSeconds: 21 }))).toBe(
        'InvalidParameterValue',
      );
      expect(await errorName(env.sqs.receiveMessage({ QueueUrl: url, MaxNumberOfMessages: 11 }))).toBe(
        'InvalidParameterValue',
      );
      expect(await errorName(env.sqs.receiveMessage({ QueueUrl: url, MaxNumberOfMessages: 0 }))).toBe(
        'InvalidParameterValue',
      );
    });

    test('receive, count receives, delete: a deleted message is gone', async () => {
      const url = await newQueue('work');
      const sent = await env.sqs.sendMessage({ QueueUrl: url, MessageBody: '{"n":1}' });
      const attrs = ['ApproximateReceiveCount', 'SentTimestamp'] as const;
      const first = await env.sqs.receiveMessage({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: [...attrs],
      });
      expect(
        first.Messages?.map((m) => [m.MessageId, m.Body, m.Attributes?.ApproximateReceiveCount]),
      ).toEqual([[sent.MessageId, '{"n":1}', '1']]);
      expect(Number(first.Messages?.[0].Attributes?.SentTimestamp)).toBeGreaterThan(0);
      // Visibility 0: at once receivable again, with a new receipt handle and a higher count.
      const second = await env.sqs.receiveMessage({ QueueUrl: url, MessageSystemAttributeNames: [...attrs] });
      expect(second.Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('2');
      expect(second.Messages?.[0].ReceiptHandle).not.toBe(first.Messages?.[0].ReceiptHandle);
      const stale = await env.sqs.deleteMessageBatch({
        QueueUrl: url,
        Entries: [{ Id: 'stale', ReceiptHandle: first.Messages?.[0].ReceiptHandle }],
      });
      // AWS: with an older handle "the request will succeed, but the message might not be deleted"
      // (whether it is, is the backend's: sandbox-sqs.test.ts holds the sandbox to "not deleted").
      expect(stale.Successful?.map((s) => s.Id)).toEqual(['stale']);
      const done = await env.sqs.deleteMessageBatch({
        QueueUrl: url,
        Entries: [{ Id: 'a', ReceiptHandle: second.Messages?.[0].ReceiptHandle }],
      });
      expect(done.Successful?.map((s) => s.Id)).toEqual(['a']);
      expect((await env.sqs.receiveMessage({ QueueUrl: url })).Messages ?? []).toEqual([]);
      const bad = await env.sqs.deleteMessageBatch({
        QueueUrl: url,
        Entries: [{ Id: 'x', ReceiptHandle: 'garbage' }],
      });
      expect(bad.Failed?.map((f) => [f.Id, f.Code])).toEqual([['x', 'ReceiptHandleIsInvalid']]);
      expect(await errorName(env.sqs.deleteMessageBatch({ QueueUrl: url, Entries: [] }))).toBe(
        'EmptyBatchRequest',
      );
    });

    test('a long poll returns as soon as a message arrives', async () => {
      const url = await newQueue('poll');
      const started = Date.now();
      const polling = env.sqs.receiveMessage({ QueueUrl: url, WaitTimeSeconds: 10 });
      await new Promise((r) => setTimeout(r, 300));
      await env.sqs.sendMessage({ QueueUrl: url, MessageBody: 'wake' });
      const got = await polling;
      expect(got.Messages?.map((m) => m.Body)).toEqual(['wake']);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    test('queue tags: at creation, added, removed', async () => {
      const { QueueUrl } = await env.sqs.createQueue({
        QueueName: 'tagged',
        tags: { 'ecs-gitops:managed-by': 'ecs-gitops' },
      });
      const url = QueueUrl ?? '';
      await env.sqs.tagQueue({ QueueUrl: url, Tags: { 'ecs-gitops:cluster': 'demo' } });
      expect((await env.sqs.listQueueTags({ QueueUrl: url })).Tags).toEqual({
        'ecs-gitops:managed-by': 'ecs-gitops',
        'ecs-gitops:cluster': 'demo',
      });
      await env.sqs.untagQueue({ QueueUrl: url, TagKeys: ['ecs-gitops:cluster'] });
      expect((await env.sqs.listQueueTags({ QueueUrl: url })).Tags).toEqual({
        'ecs-gitops:managed-by': 'ecs-gitops',
      });
    });

    test('a deleted queue is gone; its name is blocked for 60 s', async () => {
      const url = await newQueue('gone');
      await env.sqs.deleteQueue({ QueueUrl: url });
      expect(await errorName(env.sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] }))).toBe(
        'QueueDoesNotExist',
      );
      expect(await errorName(newQueue('gone'))).toBe(
        differences.deletedNameReusable ? 'no error' : 'QueueDeletedRecently',
      );
    });

    /** A rule for the contract's events that are STOPPED, sending to `queue`. */
    async function ruleToQueue(queue: string, name = 'ecs-events') {
      const { RuleArn } = await env.eventBridge.putRule({
        Name: name,
        EventPattern: JSON.stringify({
          source: [SOURCE],
          'detail-type': ['ECS Task State Change'],
          detail: { lastStatus: ['STOPPED'] },
        }),
        Tags: [{ Key: 'ecs-gitops:managed-by', Value: 'ecs-gitops' }],
      });
      await env.eventBridge.putTargets({ Rule: name, Targets: [{ Id: 'queue', Arn: queueArn(queue) }] });
      return RuleArn ?? '';
    }

    const taskEvent = (lastStatus: string) => ({
      Source: SOURCE,
      DetailType: 'ECS Task State Change',
      Resources: ['arn:aws:ecs:us-east-1:123456789012:task/demo/0123'],
      Detail: JSON.stringify({ lastStatus, version: 3, group: 'service:web' }),
    });

    async function received(url: string) {
      const r = await env.sqs.receiveMessage({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
      return (r.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
    }

    test('a rule sends matching events to a queue whose policy allows that rule, and no others', async () => {
      const url = await newQueue('events');
      const ruleArn = await ruleToQueue('events');
      expect(ruleArn).toBe(`arn:aws:events:${env.region}:${env.accountId}:rule/ecs-events`);
      await env.sqs.setQueueAttributes({
        QueueUrl: url,
        Attributes: { Policy: queuePolicy(queueArn('events'), ruleArn) },
      });
      const put = await env.eventBridge.putEvents({ Entries: [taskEvent('STOPPED'), taskEvent('RUNNING')] });
      expect(put.FailedEntryCount).toBe(0);
      const events = await received(url);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        version: '0',
        source: SOURCE,
        'detail-type': 'ECS Task State Change',
        ...(differences.deliveredEventLacksAccount ? {} : { account: env.accountId }),
        region: env.region,
        resources: ['arn:aws:ecs:us-east-1:123456789012:task/demo/0123'],
        detail: { lastStatus: 'STOPPED', version: 3, group: 'service:web' },
      });
      expect(events[0].id).toBe(put.Entries?.[0].EventId);
      expect(String(events[0].time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(
        (await env.eventBridge.listRuleNamesByTarget({ TargetArn: queueArn('events') })).RuleNames,
      ).toEqual(['ecs-events']);
    });

    test('without a policy for the rule, or with one for another rule, nothing is delivered', async () => {
      const url = await newQueue('closed');
      const ruleArn = await ruleToQueue('closed');
      await env.eventBridge.putEvents({ Entries: [taskEvent('STOPPED')] });
      expect(await received(url)).toHaveLength(differences.queuePolicyNotEnforced ? 1 : 0);
      await env.sqs.setQueueAttributes({
        QueueUrl: url,
        Attributes: { Policy: queuePolicy(queueArn('closed'), `${ruleArn}-other`) },
      });
      await env.eventBridge.putEvents({ Entries: [taskEvent('STOPPED')] });
      expect(await received(url)).toHaveLength(differences.queuePolicyNotEnforced ? 1 : 0);
    });

    test('PutEvents refuses an aws.* source: only AWS services publish those', async () => {
      const put = await env.eventBridge.putEvents({
        Entries: [{ ...taskEvent('STOPPED'), Source: 'aws.ecs' }],
      });
      if (differences.awsSourceAccepted) expect(put.FailedEntryCount).toBe(0);
      else expect(put.Entries?.map((e) => e.ErrorCode)).toEqual(['NotAuthorizedForSourceException']);
    });

    test('rule lifecycle: describe, tags, targets, delete', async () => {
      await newQueue('events');
      const ruleArn = await ruleToQueue('events');
      const rule = await env.eventBridge.describeRule({ Name: 'ecs-events' });
      expect(rule).toMatchObject({
        Name: 'ecs-events',
        Arn: ruleArn,
        State: 'ENABLED',
        EventBusName: 'default',
      });
      expect(JSON.parse(rule.EventPattern ?? '{}')).toMatchObject({ source: [SOURCE] });
      // PutRule again (an update) keeps the ARN.
      expect(
        (await env.eventBridge.putRule({ Name: 'ecs-events', EventPattern: rule.EventPattern })).RuleArn,
      ).toBe(ruleArn);
      expect((await env.eventBridge.listTagsForResource({ ResourceARN: ruleArn })).Tags).toEqual([
        { Key: 'ecs-gitops:managed-by', Value: 'ecs-gitops' },
      ]);
      await env.eventBridge.tagResource({
        ResourceARN: ruleArn,
        Tags: [{ Key: 'ecs-gitops:cluster', Value: 'demo' }],
      });
      await env.eventBridge.untagResource({ ResourceARN: ruleArn, TagKeys: ['ecs-gitops:managed-by'] });
      expect((await env.eventBridge.listTagsForResource({ ResourceARN: ruleArn })).Tags).toEqual([
        { Key: 'ecs-gitops:cluster', Value: 'demo' },
      ]);
      const targets = await env.eventBridge.listTargetsByRule({ Rule: 'ecs-events' });
      expect(targets.Targets?.map((t) => [t.Id, t.Arn])).toEqual([['queue', queueArn('events')]]);
      expect(await errorName(env.eventBridge.deleteRule({ Name: 'ecs-events' }))).toBe(
        differences.deleteRuleWithTargets ? 'no error' : 'ValidationException',
      );
      if (!differences.deleteRuleWithTargets) {
        await env.eventBridge.removeTargets({ Rule: 'ecs-events', Ids: ['queue'] });
        await env.eventBridge.deleteRule({ Name: 'ecs-events' });
      }
      expect(await errorName(env.eventBridge.describeRule({ Name: 'ecs-events' }))).toBe(
        'ResourceNotFoundException',
      );
      expect(await errorName(env.eventBridge.listTargetsByRule({ Rule: 'ecs-events' }))).toBe(
        'ResourceNotFoundException',
      );
      expect(
        await errorName(env.eventBridge.putRule({ Name: 'bad', EventPattern: '{"source":"aws.ecs"}' })),
      ).toBe('InvalidEventPatternException');
    });
  });
}
