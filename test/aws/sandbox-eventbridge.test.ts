/**
 * The strict EventBridge sandbox beyond the contract (test/aws/event-source-contract.ts): event
 * pattern checks and matching, PutRule / PutTargets / PutEvents validation and limits, and how its
 * state and the queue's survive a saved sandbox file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import { matchesPattern, parseEventPattern } from '../../controller/aws/sandbox/event-pattern';
import { SandboxEventBridge } from '../../controller/aws/sandbox/sandbox-eventbridge';
import { SandboxSqs } from '../../controller/aws/sandbox/sandbox-sqs';
import { loadSandbox, saveSandbox } from '../../controller/aws/sandbox/state-file';
import { errorName, queuePolicy } from './event-source-contract';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const newBridge = () => new SandboxEventBridge({ accountId: ACCOUNT, region: REGION });

const ecsEvent = {
  version: '0',
  source: 'aws.ecs',
  'detail-type': 'ECS Task State Change',
  resources: ['arn:aws:ecs:us-east-1:123456789012:task/demo/abc'],
  detail: {
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
    lastStatus: 'STOPPED',
    group: 'service:web',
    containers: [{ name: 'web', exitCode: 1 }],
  },
};

describe('event patterns', () => {
  test.each<[string, Record<string, unknown>, boolean]>([
    ['source', { source: ['aws.ecs'] }, true],
    ['another source', { source: ['aws.ec2'] }, false],
    ['detail-type among several', { 'detail-type': ['ECS Service Action', 'ECS Task State Change'] }, true],
    ['a detail field', { detail: { lastStatus: ['STOPPED'] } }, true],
    ['a detail field, other value', { detail: { lastStatus: ['RUNNING'] } }, false],
    ['every field must match', { source: ['aws.ecs'], detail: { lastStatus: ['RUNNING'] } }, false],
    ['a missing field', { detail: { stopCode: ['X'] } }, false],
    ['exists: false on a missing field', { detail: { stopCode: [{ exists: false }] } }, true],
    ['exists: true', { detail: { group: [{ exists: true }] } }, true],
    ['prefix', { detail: { group: [{ prefix: 'service:' }] } }, true],
    [
      'resources by prefix',
      { resources: [{ prefix: 'arn:aws:ecs:us-east-1:123456789012:task/demo/' }] },
      true,
    ],
    [
      'resources, another cluster',
      { resources: [{ prefix: 'arn:aws:ecs:us-east-1:123456789012:task/other/' }] },
      false,
    ],
    ['anything-but', { detail: { lastStatus: [{ 'anything-but': ['RUNNING', 'PENDING'] }] } }, true],
    ['anything-but the value', { detail: { lastStatus: [{ 'anything-but': 'STOPPED' }] } }, false],
    ['equals-ignore-case', { detail: { lastStatus: [{ 'equals-ignore-case': 'stopped' }] } }, true],
    ['inside an array of objects', { detail: { containers: { exitCode: [1] } } }, true],
    ['inside an array of objects, other value', { detail: { containers: { exitCode: [0] } } }, false],
  ])('%s', (_label, pattern, matches) => {
    expect(matchesPattern(parseEventPattern(JSON.stringify(pattern)), ecsEvent)).toBe(matches);
  });

  test.each([
    ['not JSON', 'source'],
    ['not an object', '["aws.ecs"]'],
    ['a bare value', '{"source":"aws.ecs"}'],
    ['an unknown match type', '{"source":[{"like":"aws"}]}'],
    ['two keys in a match', '{"source":[{"prefix":"a","suffix":"b"}]}'],
    ['a numeric match the sandbox does not model', '{"detail":{"n":[{"numeric":[">",1]}]}}'],
  ])('%s: InvalidEventPatternException', async (_label, pattern) => {
    expect(await errorName(newBridge().putRule({ Name: 'r', EventPattern: pattern }))).toBe(
      'InvalidEventPatternException',
    );
  });
});

describe('rules and targets', () => {
  test('PutRule: name pattern, a pattern required, the default bus only, a known state', async () => {
    const eb = newBridge();
    expect(await errorName(eb.putRule({ Name: 'bad name', EventPattern: '{}' }))).toBe('ValidationException');
    expect(await errorName(eb.putRule({ Name: 'r' }))).toBe('ValidationException');
    expect(await errorName(eb.putRule({ Name: 'r', EventPattern: '{}', EventBusName: 'custom' }))).toBe(
      'ResourceNotFoundException',
    );
    expect(
      await errorName(eb.putRule({ Name: 'r', EventPattern: '{}', State: 'OFF' as unknown as 'DISABLED' })),
    ).toBe('ValidationException');
  });

  test('tags given to PutRule count only when it creates the rule', async () => {
    const eb = newBridge();
    const { RuleArn } = await eb.putRule({ Name: 'r', EventPattern: '{}', Tags: [{ Key: 'a', Value: '1' }] });
    await eb.putRule({ Name: 'r', EventPattern: '{}', Tags: [{ Key: 'b', Value: '2' }] });
    expect((await eb.listTagsForResource({ ResourceARN: RuleArn })).Tags).toEqual([{ Key: 'a', Value: '1' }]);
  });

  test('PutTargets: at most 5 targets per rule, ids of the documented characters, ARNs', async () => {
    const eb = newBridge();
    await eb.putRule({ Name: 'r', EventPattern: '{}' });
    const target = (i: number) => ({ Id: `t${i}`, Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:q${i}` });
    expect(await errorName(eb.putTargets({ Rule: 'missing', Targets: [target(1)] }))).toBe(
      'ResourceNotFoundException',
    );
    expect(
      await errorName(eb.putTargets({ Rule: 'r', Targets: [{ Id: 'bad id', Arn: target(1).Arn }] })),
    ).toBe('ValidationException');
    expect(await errorName(eb.putTargets({ Rule: 'r', Targets: [{ Id: 't', Arn: 'queue' }] }))).toBe(
      'ValidationException',
    );
    expect(
      await errorName(
        eb.putTargets({ Rule: 'r', Targets: [{ Id: 't', Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:q.fifo` }] }),
      ),
    ).toBe('ValidationException');
    await eb.putTargets({ Rule: 'r', Targets: [1, 2, 3, 4, 5].map(target) });
    // The same id replaces; a sixth one is over the limit.
    await eb.putTargets({ Rule: 'r', Targets: [target(5)] });
    expect(await errorName(eb.putTargets({ Rule: 'r', Targets: [target(6)] }))).toBe(
      'LimitExceededException',
    );
    expect((await eb.listTargetsByRule({ Rule: 'r', Limit: 2 })).NextToken).toBeDefined();
  });

  test('PutEvents: 1-10 entries; a malformed detail or a missing field fails that entry only', async () => {
    const eb = newBridge();
    const entry = { Source: 'my.app', DetailType: 't', Detail: '{}' };
    expect(await errorName(eb.putEvents({ Entries: [] }))).toBe('ValidationException');
    expect(await errorName(eb.putEvents({ Entries: Array.from({ length: 11 }, () => entry) }))).toBe(
      'ValidationException',
    );
    const out = await eb.putEvents({
      Entries: [
        entry,
        { ...entry, Detail: '{' },
        { ...entry, Detail: '[1]' },
        { ...entry, Source: undefined },
      ],
    });
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual([
      undefined,
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
    ]);
  });

  test('a DISABLED rule delivers nothing; InputPath sends only that part of the event', async () => {
    const sqs = new SandboxSqs({ accountId: ACCOUNT, region: REGION });
    const eb = new SandboxEventBridge({ accountId: ACCOUNT, region: REGION, sqs });
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:q`;
    const { RuleArn } = await eb.putRule({
      Name: 'r',
      EventPattern: '{"source":["my.app"]}',
      State: 'DISABLED',
    });
    const { QueueUrl } = await sqs.createQueue({
      QueueName: 'q',
      Attributes: { Policy: queuePolicy(queueArn, RuleArn ?? '') },
    });
    await eb.putTargets({ Rule: 'r', Targets: [{ Id: 'q', Arn: queueArn, InputPath: '$.detail' }] });
    const send = () => eb.putEvents({ Entries: [{ Source: 'my.app', DetailType: 't', Detail: '{"a":1}' }] });
    await send();
    expect(await sqs.receiveMessage({ QueueUrl })).toEqual({});
    await eb.putRule({ Name: 'r', EventPattern: '{"source":["my.app"]}' });
    await send();
    expect((await sqs.receiveMessage({ QueueUrl })).Messages?.map((m) => m.Body)).toEqual(['{"a":1}']);
  });
});

test('every write of the SQS and EventBridge sandboxes is a mutating operation (call log, stop gate, crashes)', () => {
  const writes = [
    'CreateQueue',
    'SetQueueAttributes',
    'TagQueue',
    'UntagQueue',
    'DeleteQueue',
    'DeleteMessageBatch',
    'ChangeMessageVisibility',
    'SendMessage',
    'PutRule',
    'PutTargets',
    'RemoveTargets',
    'DeleteRule',
    'TagResource',
    'UntagResource',
    'PutEvents',
  ];
  const reads = [
    'GetQueueUrl',
    'GetQueueAttributes',
    'ListQueueTags',
    'ReceiveMessage',
    'DescribeRule',
    'ListRules',
    'ListRuleNamesByTarget',
    'ListTargetsByRule',
    'ListTagsForResource',
  ];
  const methods = (proto: object) =>
    Object.getOwnPropertyNames(proto)
      .filter((m) => m !== 'constructor' && /^[a-z]/.test(m))
      .map((m) => m.charAt(0).toUpperCase() + m.slice(1));
  const ports = new Set([...writes, ...reads]);
  // Every API method of the two sandboxes is classified above (helpers such as `deliver` are not).
  const api = [...methods(SandboxSqs.prototype), ...methods(SandboxEventBridge.prototype)].filter((m) =>
    ports.has(m),
  );
  expect(api.sort()).toEqual([...ports].sort());
  expect(writes.filter((op) => !MUTATING_OPERATIONS.has(op))).toEqual([]);
  expect(reads.filter((op) => MUTATING_OPERATIONS.has(op))).toEqual([]);
});

test('a saved sandbox keeps its queues, messages and rules', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sandbox-events-'));
  try {
    const file = path.join(dir, 'account.json');
    const first = await loadSandbox(file);
    const { QueueUrl } = await first.sqs.createQueue({ QueueName: 'events' });
    await first.sqs.sendMessage({ QueueUrl, MessageBody: 'kept' });
    await first.eventBridge.putRule({ Name: 'ecs-events', EventPattern: '{"source":["aws.ecs"]}' });
    await saveSandbox(file, first);
    const second = await loadSandbox(file);
    expect((await second.sqs.receiveMessage({ QueueUrl })).Messages?.map((m) => m.Body)).toEqual(['kept']);
    expect((await second.eventBridge.describeRule({ Name: 'ecs-events' })).EventPattern).toBe(
      '{"source":["aws.ecs"]}',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
