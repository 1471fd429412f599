/**
 * The strict SQS sandbox beyond the contract (test/aws/event-source-contract.ts): AWS's validation
 * errors, visibility timeouts, redrive, retention, FIFO groups, the 60 s name block and long polls
 * on the sandbox clock (which must never hold the event loop).
 */
import { ManualClock } from '../../controller/aws/clock';
import { SandboxSqs } from '../../controller/aws/sandbox/sandbox-sqs';
import { errorName, queuePolicy } from './event-source-contract';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const arn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

function newSqs(clock = new ManualClock(1_000_000)) {
  return { sqs: new SandboxSqs({ accountId: ACCOUNT, region: REGION, clock }), clock };
}

async function errorOf(call: Promise<unknown>): Promise<{ name: string; message: string; Code?: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; message: string; Code?: string };
    return { name: e.name, message: e.message, ...(e.Code !== undefined ? { Code: e.Code } : {}) };
  }
  throw new Error('expected the call to fail');
}

describe('queue names and attributes', () => {
  test.each([
    ['has a space', 'InvalidParameterValue'],
    ['x'.repeat(81), 'InvalidParameterValue'],
    ['', 'MissingParameter'],
    ['ok.fifo', 'InvalidParameterValue'], // a .fifo name needs FifoQueue=true
  ])('CreateQueue %j: %s', async (name, code) => {
    const { sqs } = newSqs();
    expect(await errorName(sqs.createQueue({ QueueName: name }))).toBe(code);
  });

  test('a FIFO queue needs both the attribute and the suffix', async () => {
    const { sqs } = newSqs();
    expect(await errorName(sqs.createQueue({ QueueName: 'q', Attributes: { FifoQueue: 'true' } }))).toBe(
      'InvalidParameterValue',
    );
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q.fifo', Attributes: { FifoQueue: 'true' } });
    expect(QueueUrl).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/q.fifo`);
  });

  test('unknown, out-of-range and misplaced attributes are refused with AWS codes', async () => {
    const { sqs } = newSqs();
    expect(
      await errorOf(sqs.createQueue({ QueueName: 'q', Attributes: { Foo: '1' } as Record<string, string> })),
    ).toEqual({
      name: 'InvalidAttributeName',
      message: 'Unknown Attribute Foo.',
      Code: 'InvalidAttributeName',
    });
    expect(
      await errorName(sqs.createQueue({ QueueName: 'q', Attributes: { VisibilityTimeout: '43201' } })),
    ).toBe('InvalidAttributeValue');
    expect(await errorName(sqs.createQueue({ QueueName: 'q', Attributes: { DelaySeconds: '1.5' } }))).toBe(
      'InvalidAttributeValue',
    );
    expect(
      await errorName(sqs.createQueue({ QueueName: 'q', Attributes: { ContentBasedDeduplication: 'true' } })),
    ).toBe('InvalidAttributeName');
    expect(
      await errorName(
        sqs.createQueue({
          QueueName: 'q',
          Attributes: { KmsMasterKeyId: 'alias/x', SqsManagedSseEnabled: 'true' },
        }),
      ),
    ).toBe('InvalidAttributeValue');
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    expect(await errorName(sqs.setQueueAttributes({ QueueUrl, Attributes: { FifoQueue: 'true' } }))).toBe(
      'InvalidAttributeName',
    );
    expect(await errorName(sqs.setQueueAttributes({ QueueUrl, Attributes: { Policy: 'not json' } }))).toBe(
      'InvalidAttributeValue',
    );
  });

  test('a redrive policy needs an existing dead-letter queue of the same type and 1-1000 receives', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    const redrive = (target: string, maxReceiveCount: number) =>
      sqs.setQueueAttributes({
        QueueUrl,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount }) },
      });
    expect(await errorOf(redrive(arn('dlq'), 3))).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('Dead letter target does not exist.') as string,
    });
    await sqs.createQueue({ QueueName: 'dlq' });
    expect(await errorName(redrive(arn('dlq'), 0))).toBe('InvalidParameterValue');
    expect(await errorName(redrive(arn('dlq'), 1001))).toBe('InvalidParameterValue');
    await sqs.createQueue({ QueueName: 'dlq.fifo', Attributes: { FifoQueue: 'true' } });
    expect(await errorName(redrive(arn('dlq.fifo'), 3))).toBe('InvalidParameterValue');
    await redrive(arn('dlq'), 3);
  });

  test('a different attribute names itself in QueueNameExists; the code is QueueAlreadyExists', async () => {
    const { sqs } = newSqs();
    await sqs.createQueue({ QueueName: 'q', Attributes: { VisibilityTimeout: '60' } });
    expect(await errorOf(sqs.createQueue({ QueueName: 'q', Attributes: { DelaySeconds: '5' } }))).toEqual({
      name: 'QueueNameExists',
      message: 'A queue already exists with the same name and a different value for attribute DelaySeconds',
      Code: 'QueueAlreadyExists',
    });
    // A default given explicitly is the same value.
    await sqs.createQueue({ QueueName: 'q', Attributes: { DelaySeconds: '0' } });
  });

  test("a deleted queue's name is free again after 60 s", async () => {
    const { sqs, clock } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    await sqs.deleteQueue({ QueueUrl });
    clock.advanceSeconds(59);
    expect(await errorOf(sqs.createQueue({ QueueName: 'q' }))).toMatchObject({
      name: 'QueueDeletedRecently',
    });
    clock.advanceSeconds(1);
    await sqs.createQueue({ QueueName: 'q' });
  });
});

describe('receiving', () => {
  test('WaitTimeSeconds, MaxNumberOfMessages and VisibilityTimeout out of range: InvalidParameterValue', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    expect(await errorOf(sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: -1 }))).toEqual({
      name: 'InvalidParameterValue',
      message:
        'Value -1 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
      Code: 'InvalidParameterValue',
    });
    expect((await errorOf(sqs.receiveMessage({ QueueUrl, MaxNumberOfMessages: 11 }))).message).toBe(
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    );
    expect(await errorName(sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 43201 }))).toBe(
      'InvalidParameterValue',
    );
    expect(
      await errorName(
        sqs.receiveMessage({ QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/nope` }),
      ),
    ).toBe('QueueDoesNotExist');
  });

  test('an empty long poll ends after WaitTimeSeconds of sandbox time, not of real time', async () => {
    const { sqs, clock } = newSqs();
    const { QueueUrl } = await sqs.createQueue({
      QueueName: 'q',
      Attributes: { ReceiveMessageWaitTimeSeconds: '20' },
    });
    const t0 = clock.now();
    const started = Date.now();
    // The queue's ReceiveMessageWaitTimeSeconds applies when the call gives none.
    expect(await sqs.receiveMessage({ QueueUrl })).toEqual({});
    expect(clock.now() - t0).toBe(20_000);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a consumer polling an empty queue in a loop on a manual clock still lets timers run', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    let stopped = false;
    setTimeout(() => (stopped = true), 20);
    // Bounded, so that a sandbox that never yields fails here instead of hanging the run.
    let polls = 0;
    while (!stopped && polls < 10_000) {
      await sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 20 });
      polls++;
    }
    expect(stopped).toBe(true);
  });

  test('an aborted long poll returns at once', async () => {
    const real = new SandboxSqs({ accountId: ACCOUNT, region: REGION });
    const { QueueUrl } = await real.createQueue({ QueueName: 'q' });
    const stop = new AbortController();
    const started = Date.now();
    const polling = real.receiveMessage({ QueueUrl, WaitTimeSeconds: 20 }, { signal: stop.signal });
    setTimeout(() => stop.abort(), 50);
    expect(await polling).toEqual({});
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a message whose visibility timeout runs out during a long poll is received again', async () => {
    const { sqs, clock } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    await sqs.sendMessage({ QueueUrl, MessageBody: 'm' });
    const first = await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 5 });
    const t0 = clock.now();
    const again = await sqs.receiveMessage({
      QueueUrl,
      WaitTimeSeconds: 20,
      MessageSystemAttributeNames: ['All'],
    });
    expect(clock.now() - t0).toBe(5000);
    expect(again.Messages?.[0]).toMatchObject({ MessageId: first.Messages?.[0].MessageId, Body: 'm' });
    expect(again.Messages?.[0].Attributes).toMatchObject({
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: String(t0),
      SentTimestamp: String(t0),
    });
  });

  test('after maxReceiveCount receives a message moves to the dead-letter queue', async () => {
    const { sqs } = newSqs();
    const dlq = (await sqs.createQueue({ QueueName: 'dlq' })).QueueUrl;
    const { QueueUrl } = await sqs.createQueue({
      QueueName: 'q',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('dlq'), maxReceiveCount: 2 }) },
    });
    const sent = await sqs.sendMessage({ QueueUrl, MessageBody: 'poison' });
    for (let i = 0; i < 2; i++) {
      expect((await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 0 })).Messages).toHaveLength(1);
    }
    expect(await sqs.receiveMessage({ QueueUrl })).toEqual({});
    const dead = await sqs.receiveMessage({ QueueUrl: dlq });
    expect(dead.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[sent.MessageId, 'poison']]);
  });

  test('messages older than the retention period are gone', async () => {
    const { sqs, clock } = newSqs();
    const { QueueUrl } = await sqs.createQueue({
      QueueName: 'q',
      Attributes: { MessageRetentionPeriod: '60' },
    });
    await sqs.sendMessage({ QueueUrl, MessageBody: 'old' });
    clock.advanceSeconds(60);
    expect(await sqs.receiveMessage({ QueueUrl })).toEqual({});
  });

  test('an older receipt handle deletes nothing: AWS says the message "might not be deleted", the sandbox takes that case', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    await sqs.sendMessage({ QueueUrl, MessageBody: 'm' });
    const first = (await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 0 })).Messages?.[0].ReceiptHandle;
    await sqs.receiveMessage({ QueueUrl });
    const out = await sqs.deleteMessageBatch({ QueueUrl, Entries: [{ Id: 'old', ReceiptHandle: first }] });
    expect(out).toEqual({ Successful: [{ Id: 'old' }], Failed: [] });
    const { Attributes } = await sqs.getQueueAttributes({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
    });
    expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
  });

  test('ChangeMessageVisibility: only the newest handle of a message in flight', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    await sqs.sendMessage({ QueueUrl, MessageBody: 'm' });
    const first = (await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 0 })).Messages?.[0].ReceiptHandle;
    expect(
      await errorName(sqs.changeMessageVisibility({ QueueUrl, ReceiptHandle: first, VisibilityTimeout: 10 })),
    ).toBe('MessageNotInflight');
    const second = (await sqs.receiveMessage({ QueueUrl })).Messages?.[0].ReceiptHandle;
    expect(
      (await errorOf(sqs.changeMessageVisibility({ QueueUrl, ReceiptHandle: first, VisibilityTimeout: 10 })))
        .message,
    ).toMatch(/Reason: The receipt handle has expired\.$/);
    expect(
      await errorName(
        sqs.changeMessageVisibility({ QueueUrl, ReceiptHandle: 'junk', VisibilityTimeout: 10 }),
      ),
    ).toBe('ReceiptHandleIsInvalid');
    // Visibility 0 hands the message back at once.
    await sqs.changeMessageVisibility({ QueueUrl, ReceiptHandle: second, VisibilityTimeout: 0 });
    expect((await sqs.receiveMessage({ QueueUrl })).Messages).toHaveLength(1);
  });

  test('DeleteMessageBatch: at most 10 entries, distinct ids of letters, digits, - and _', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q' });
    const entry = (Id: string) => ({ Id, ReceiptHandle: 'x' });
    expect(
      await errorName(
        sqs.deleteMessageBatch({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => entry(`e${i}`)) }),
      ),
    ).toBe('TooManyEntriesInBatchRequest');
    expect(await errorName(sqs.deleteMessageBatch({ QueueUrl, Entries: [entry('a'), entry('a')] }))).toBe(
      'BatchEntryIdsNotDistinct',
    );
    expect(await errorName(sqs.deleteMessageBatch({ QueueUrl, Entries: [entry('a b')] }))).toBe(
      'InvalidBatchEntryId',
    );
  });

  test('FIFO: a group waits while one of its messages is in flight; a repeated deduplication id is dropped', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'q.fifo', Attributes: { FifoQueue: 'true' } });
    expect(await errorName(sqs.sendMessage({ QueueUrl, MessageBody: 'a' }))).toBe('MissingParameter');
    expect(await errorName(sqs.sendMessage({ QueueUrl, MessageBody: 'a', MessageGroupId: 'g' }))).toBe(
      'InvalidParameterValue',
    );
    const a = await sqs.sendMessage({
      QueueUrl,
      MessageBody: 'a',
      MessageGroupId: 'g',
      MessageDeduplicationId: '1',
    });
    const dup = await sqs.sendMessage({
      QueueUrl,
      MessageBody: 'a',
      MessageGroupId: 'g',
      MessageDeduplicationId: '1',
    });
    expect(dup.MessageId).toBe(a.MessageId);
    await sqs.sendMessage({ QueueUrl, MessageBody: 'b', MessageGroupId: 'g', MessageDeduplicationId: '2' });
    await sqs.sendMessage({ QueueUrl, MessageBody: 'c', MessageGroupId: 'h', MessageDeduplicationId: '3' });
    expect((await sqs.receiveMessage({ QueueUrl })).Messages?.map((m) => m.Body)).toEqual(['a']);
    expect(
      (await sqs.receiveMessage({ QueueUrl, MaxNumberOfMessages: 10 })).Messages?.map((m) => m.Body),
    ).toEqual(['c']);
  });

  test('a body over MaximumMessageSize or with characters outside XML is refused', async () => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({
      QueueName: 'q',
      Attributes: { MaximumMessageSize: '1024' },
    });
    expect(await errorName(sqs.sendMessage({ QueueUrl, MessageBody: 'x'.repeat(1025) }))).toBe(
      'InvalidParameterValue',
    );
    expect(await errorName(sqs.sendMessage({ QueueUrl, MessageBody: 'bad \u0001' }))).toBe(
      'InvalidMessageContents',
    );
    expect(await errorName(sqs.sendMessage({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 }))).toBe(
      'InvalidParameterValue',
    );
  });
});

describe('delivery from EventBridge (the queue policy)', () => {
  const RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/ecs-events`;
  const allow = (statement: Record<string, unknown>) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const base = {
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: arn('q'),
  };

  test.each<[string, boolean, string | undefined]>([
    ['no policy', false, undefined],
    ['the rule by ArnEquals', true, queuePolicy(arn('q'), RULE)],
    ['another rule', false, queuePolicy(arn('q'), `${RULE}-2`)],
    ['no condition', true, allow(base)],
    [
      'ArnLike on the account rules',
      true,
      allow({
        ...base,
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/*` } },
      }),
    ],
    [
      'the account by aws:SourceAccount',
      true,
      allow({ ...base, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }),
    ],
    ['another principal', false, allow({ ...base, Principal: { Service: 'sns.amazonaws.com' } })],
    ['another action', false, allow({ ...base, Action: 'sqs:ReceiveMessage' })],
    ['another queue', false, allow({ ...base, Resource: arn('other') })],
    [
      'an operator the sandbox does not model',
      false,
      allow({ ...base, Condition: { DateLessThan: { 'aws:CurrentTime': '2100-01-01' } } }),
    ],
  ])('%s: delivered %s', async (_label, delivered, policy) => {
    const { sqs } = newSqs();
    const { QueueUrl } = await sqs.createQueue({
      QueueName: 'q',
      Attributes: policy ? { Policy: policy } : {},
    });
    expect(sqs.deliver(arn('q'), '{"e":1}', { sourceArn: RULE })).toBe(delivered);
    expect((await sqs.receiveMessage({ QueueUrl })).Messages?.length ?? 0).toBe(delivered ? 1 : 0);
  });

  test('a Deny statement wins over an Allow', async () => {
    const { sqs } = newSqs();
    const policy = JSON.stringify({
      Statement: [
        JSON.parse(queuePolicy(arn('q'), RULE)).Statement[0],
        { Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: arn('q') },
      ],
    });
    await sqs.createQueue({ QueueName: 'q', Attributes: { Policy: policy } });
    expect(sqs.deliver(arn('q'), '{}', { sourceArn: RULE })).toBe(false);
  });

  test('a delivery wakes a long poll', async () => {
    const real = new SandboxSqs({ accountId: ACCOUNT, region: REGION });
    const { QueueUrl } = await real.createQueue({
      QueueName: 'q',
      Attributes: { Policy: queuePolicy(arn('q'), RULE) },
    });
    const started = Date.now();
    const polling = real.receiveMessage({ QueueUrl, WaitTimeSeconds: 20 });
    setTimeout(() => real.deliver(arn('q'), '{"e":1}', { sourceArn: RULE }), 50);
    expect((await polling).Messages?.map((m) => m.Body)).toEqual(['{"e":1}']);
    // Woken by the delivery, not by the next look a second later.
    expect(Date.now() - started).toBeLessThan(900);
  });
});

test('queues, messages and receive counts survive toJSON/fromJSON', async () => {
  const { sqs, clock } = newSqs();
  const { QueueUrl } = await sqs.createQueue({ QueueName: 'q', tags: { a: 'b' } });
  await sqs.sendMessage({ QueueUrl, MessageBody: 'kept' });
  await sqs.receiveMessage({ QueueUrl, VisibilityTimeout: 0 });
  const copy = SandboxSqs.fromJSON(JSON.parse(JSON.stringify(sqs.toJSON())), {
    accountId: ACCOUNT,
    region: REGION,
    clock,
  });
  const got = await copy.receiveMessage({
    QueueUrl,
    MessageSystemAttributeNames: ['ApproximateReceiveCount'],
  });
  expect(got.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['kept', '2']]);
  expect((await copy.listQueueTags({ QueueUrl })).Tags).toEqual({ a: 'b' });
});
