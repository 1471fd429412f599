/**
 * The event source's resources (`events:` in cluster.yaml) through the real CLI (in-process,
 * `--sandbox FILE`) on the strict sandbox: apply creates the dead-letter queue, the queue and the
 * rule with its target, a second apply writes nothing; drift made by hand is put back, and only
 * it; an existing queue is read and never written; destroy removes what it created, after the
 * services, and nothing it did not create. Every count is per operation, from the call log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CallLog } from '../../controller/aws/call-log';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import { loadSandbox, saveSandbox, type LoadedSandbox } from '../../controller/aws/sandbox/state-file';
import { ownershipTags } from '../../controller/model/ownership';
import { json, runCli } from '../helpers/run-cli';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { applyPlan, planDesiredState, type ClusterPorts } from '../../controller/reconcile/reconcile-cluster';
import { crashingAccount } from '../helpers/fault-ports';
import { newSandboxAccount } from '../helpers/sandbox';
import { loadClusterDir } from '../../controller/specfiles';

const ENV = { ECS_GITOPS_LOG_LEVEL: 'warn', NO_COLOR: '1' };
const QUEUE = 'ecs-gitops-demo-events';
const DLQ = 'ecs-gitops-demo-events-dlq';

function clusterDir(events: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-events-'));
  const files: Record<string, string> = {
    'cluster.yaml': ['name: demo', 'region: us-east-1', 'tags: { team: platform }', ...events, ''].join('\n'),
    'web.taskdef': JSON.stringify({
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memoryReservation: 64 }],
    }),
    'web.service': '{ "desiredCount": 1, "launchType": "EC2" }\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function stateFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-events-acct-')), 'account.json');
}

async function cli(args: string[]) {
  const run = await runCli(['--log-level', 'warn', ...args], ENV);
  return { code: run.code, out: json(run), stderr: run.stderr };
}

async function apply(dir: string, file: string) {
  const run = await cli(['apply', dir, '--sandbox', file, '--output', 'json']);
  if (run.code !== 0) throw new Error(`apply exited ${run.code}: ${JSON.stringify(run.out)}\n${run.stderr}`);
  return run.out;
}

/** The calls of one service (`SQS.`, `EventBridge.`) of an `awsCalls.byOperation`. */
function callsOf(byOperation: Record<string, number>, ...services: string[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byOperation).filter(([op]) => services.some((s) => op.startsWith(`${s}.`))),
  );
}

function writes(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byOperation).filter(([op]) => MUTATING_OPERATIONS.has(op.slice(op.indexOf('.') + 1))),
  );
}

async function queue(acct: LoadedSandbox, name: string) {
  const url = (await acct.sqs.getQueueUrl({ QueueName: name })).QueueUrl ?? '';
  const attributes = ((await acct.sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] }))
    .Attributes ?? {}) as Record<string, string>;
  const tags = (await acct.sqs.listQueueTags({ QueueUrl: url })).Tags ?? {};
  return { url, attributes, tags };
}

const TAGS = { team: 'platform', ...ownershipTags('demo', 'demo') };
const OWNED = ['events:', '  queue: create'];

/** The reads of a plan with all three in place: the read budget of observe/events-reader.ts. */
const STEADY_READS = {
  'EventBridge.DescribeRule': 1,
  'EventBridge.ListTagsForResource': 1,
  'EventBridge.ListTargetsByRule': 1,
  'SQS.GetQueueAttributes': 2,
  'SQS.GetQueueUrl': 2,
  'SQS.ListQueueTags': 2,
};

describe('events: { queue: create }', () => {
  test('apply creates dead-letter queue, queue, rule and target with our tags; the second apply writes nothing', async () => {
    const file = stateFile();
    const dir = clusterDir(OWNED);
    const first = await apply(dir, file);
    expect(writes(callsOf(first.awsCalls.byOperation, 'SQS', 'EventBridge'))).toEqual({
      'EventBridge.PutRule': 1,
      'EventBridge.PutTargets': 1,
      'SQS.CreateQueue': 2,
    });
    // Nothing existed: one DescribeEventBus learns the account's ARNs.
    expect(callsOf(first.awsCalls.byOperation, 'SQS', 'EventBridge')).toMatchObject({
      'EventBridge.DescribeEventBus': 1,
      'EventBridge.DescribeRule': 1,
      'SQS.GetQueueUrl': 2,
    });

    const acct = await loadSandbox(file);
    const q = await queue(acct, QUEUE);
    const dlq = await queue(acct, DLQ);
    expect(q.tags).toEqual(TAGS);
    expect(dlq.tags).toEqual(TAGS);
    expect(q.attributes).toMatchObject({
      SqsManagedSseEnabled: 'true',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '20',
    });
    expect(dlq.attributes).toMatchObject({ SqsManagedSseEnabled: 'true', MessageRetentionPeriod: '1209600' });
    expect(JSON.parse(q.attributes.RedrivePolicy)).toEqual({
      deadLetterTargetArn: dlq.attributes.QueueArn,
      maxReceiveCount: 5,
    });
    const rule = await acct.eventBridge.describeRule({ Name: QUEUE });
    const policy = JSON.parse(q.attributes.Policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: q.attributes.QueueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': rule.Arn } },
      }),
    ]);
    const cluster = (await acct.ecs.describeClusters({ clusters: ['demo'] })).clusters?.[0];
    expect(JSON.parse(rule.EventPattern ?? '')).toEqual({
      source: ['aws.ecs'],
      'detail-type': [
        'ECS Task State Change',
        'ECS Container Instance State Change',
        'ECS Service Action',
        'ECS Deployment State Change',
      ],
      resources: ['service', 'task', 'container-instance'].map((kind) => ({
        prefix: `${cluster?.clusterArn?.replace(':cluster/', `:${kind}/`)}/`,
      })),
    });
    expect(rule.State).toBe('ENABLED');
    expect((await acct.eventBridge.listTargetsByRule({ Rule: QUEUE })).Targets).toEqual([
      { Id: 'ecs-gitops-queue', Arn: q.attributes.QueueArn },
    ]);
    const ruleTags = (await acct.eventBridge.listTagsForResource({ ResourceARN: rule.Arn })).Tags ?? [];
    expect(Object.fromEntries(ruleTags.map((t) => [t.Key, t.Value]))).toEqual(TAGS);

    const second = await apply(dir, file);
    expect(writes(second.awsCalls.byOperation)).toEqual({});
    expect(callsOf(second.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual(STEADY_READS);
  });

  test("the rule sends the cluster's events, deployment events included, and no other cluster's", async () => {
    const file = stateFile();
    await apply(clusterDir(OWNED), file);
    const acct = await loadSandbox(file);
    await acct.ecs.createCluster({ clusterName: 'demo2' });
    for (const cluster of ['demo', 'demo2']) {
      await acct.ecs.createService({
        cluster,
        serviceName: 'api',
        taskDefinition: 'demo-web',
        desiredCount: 1,
        launchType: 'EC2',
      });
    }
    const url = (await queue(acct, QUEUE)).url;
    const got = await acct.sqs.receiveMessage({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
    const events = (got.Messages ?? []).map(
      (m) => JSON.parse(m.Body ?? '{}') as { 'detail-type': string; resources: string[] },
    );
    expect(events.map((e) => e['detail-type'])).toContain('ECS Deployment State Change');
    const resources = events.flatMap((e) => e.resources);
    expect(resources.length).toBeGreaterThan(0);
    for (const arn of resources) expect(arn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:[a-z-]+\/demo\//);
  });

  test('an apply cut short after the dead-letter queue: the next apply makes the rest, and only it', async () => {
    const file = stateFile();
    const dir = clusterDir(OWNED);
    // What a crash right after the first CreateQueue leaves: the dead-letter queue alone, as made.
    let acct = await loadSandbox(file);
    await acct.sqs.createQueue({
      QueueName: DLQ,
      Attributes: { MessageRetentionPeriod: '1209600', SqsManagedSseEnabled: 'true' },
      tags: TAGS,
    });
    await saveSandbox(file, acct);
    const resumed = await apply(dir, file);
    expect(writes(callsOf(resumed.awsCalls.byOperation, 'SQS', 'EventBridge'))).toEqual({
      'EventBridge.PutRule': 1,
      'EventBridge.PutTargets': 1,
      'SQS.CreateQueue': 1,
    });
    acct = await loadSandbox(file);
    expect((await queue(acct, QUEUE)).tags).toEqual(TAGS);
    expect(writes((await apply(dir, file)).awsCalls.byOperation)).toEqual({});
  });

  test('drift made by hand is put back by the next apply, and only it', async () => {
    const file = stateFile();
    const dir = clusterDir(OWNED);
    await apply(dir, file);
    let acct = await loadSandbox(file);
    const q = await queue(acct, QUEUE);
    await acct.sqs.setQueueAttributes({
      QueueUrl: q.url,
      Attributes: { MessageRetentionPeriod: '60', Policy: '' },
    });
    await acct.eventBridge.removeTargets({ Rule: QUEUE, Ids: ['ecs-gitops-queue'] });
    await acct.eventBridge.putRule({ Name: QUEUE, EventPattern: JSON.stringify({ source: ['aws.ecs'] }) });
    await saveSandbox(file, acct);

    const fixed = await apply(dir, file);
    expect(writes(fixed.awsCalls.byOperation)).toEqual({
      'EventBridge.PutRule': 1,
      'EventBridge.PutTargets': 1,
      'SQS.SetQueueAttributes': 1,
    });
    acct = await loadSandbox(file);
    const after = await queue(acct, QUEUE);
    expect(after.attributes.MessageRetentionPeriod).toBe('345600');
    expect(JSON.parse(after.attributes.Policy).Statement).toHaveLength(1);
    expect((await acct.eventBridge.listTargetsByRule({ Rule: QUEUE })).Targets).toHaveLength(1);
    expect(writes((await apply(dir, file)).awsCalls.byOperation)).toEqual({});
  });

  test('settings in cluster.yaml: maxReceiveCount and retention reach the queue', async () => {
    const file = stateFile();
    await apply(clusterDir(OWNED), file);
    const changed = await apply(
      clusterDir([...OWNED, '  deadLetterMaxReceives: 2', '  messageRetentionSeconds: 600']),
      file,
    );
    expect(writes(changed.awsCalls.byOperation)).toEqual({ 'SQS.SetQueueAttributes': 1 });
    const q = await queue(await loadSandbox(file), QUEUE);
    expect(q.attributes.MessageRetentionPeriod).toBe('600');
    expect(JSON.parse(q.attributes.RedrivePolicy).maxReceiveCount).toBe(2);
  });

  test('a queue of our name that is not ours: diff reports it, apply changes nothing', async () => {
    const file = stateFile();
    const acct = await loadSandbox(file);
    await acct.sqs.createQueue({ QueueName: QUEUE, tags: { team: 'someone-else' } });
    await saveSandbox(file, acct);
    const run = await cli(['apply', clusterDir(OWNED), '--sandbox', file, '--output', 'json']);
    expect(run.code).toBe(1);
    expect(JSON.stringify(run.out)).toContain(
      `queue ${QUEUE} exists and is not this cluster's (not ecs-gitops)`,
    );
    expect(writes(run.out.awsCalls?.byOperation ?? {})).toEqual({});
    const q = await queue(await loadSandbox(file), QUEUE);
    expect(q.tags).toEqual({ team: 'someone-else' });
  });

  test('destroy --drain: after the service, the rule and its target, the queue, the dead-letter queue, then the cluster', async () => {
    const file = stateFile();
    await apply(clusterDir(OWNED), file);
    const record = jest.spyOn(CallLog.prototype, 'record');
    let calls: [string, string][];
    let run: Awaited<ReturnType<typeof cli>>;
    try {
      run = await cli([
        'destroy',
        'demo',
        '--sandbox',
        file,
        '--drain',
        '--confirm',
        '--output',
        'json',
        '--timeout',
        '1m',
      ]);
    } finally {
      calls = [...record.mock.calls];
      record.mockRestore();
    }
    expect(run.code).toBe(0);
    const order = calls
      .filter(([, operation]) => MUTATING_OPERATIONS.has(operation))
      .map(([service, operation]) => `${service}.${operation}`)
      .filter((op) => op !== 'ECS.UpdateService');
    expect(order).toEqual([
      'ECS.DeleteService',
      'EventBridge.RemoveTargets',
      'EventBridge.DeleteRule',
      'SQS.DeleteQueue',
      'SQS.DeleteQueue',
      'ECS.DeleteCluster',
    ]);
    const acct = await loadSandbox(file);
    await expect(acct.sqs.getQueueUrl({ QueueName: QUEUE })).rejects.toThrow(/does not exist/);
    await expect(acct.sqs.getQueueUrl({ QueueName: DLQ })).rejects.toThrow(/does not exist/);
    await expect(acct.eventBridge.describeRule({ Name: QUEUE })).rejects.toThrow(/does not exist/);
  });

  test('destroy leaves a queue of our name that is not ours', async () => {
    const file = stateFile();
    await apply(clusterDir(OWNED), file);
    let acct = await loadSandbox(file);
    const dlq = await queue(acct, DLQ);
    await acct.sqs.untagQueue({ QueueUrl: dlq.url, TagKeys: Object.keys(ownershipTags('demo', 'demo')) });
    await saveSandbox(file, acct);
    const run = await cli([
      'destroy',
      'demo',
      '--sandbox',
      file,
      '--drain',
      '--confirm',
      '--output',
      'json',
      '--timeout',
      '1m',
    ]);
    expect(run.code).toBe(0);
    acct = await loadSandbox(file);
    expect((await queue(acct, DLQ)).tags).toEqual({ team: 'platform' });
    await expect(acct.sqs.getQueueUrl({ QueueName: QUEUE })).rejects.toThrow(/does not exist/);
  });
});

describe('no events: section', () => {
  test('plan and apply read nothing of SQS or EventBridge', async () => {
    const out = await apply(clusterDir([]), stateFile());
    expect(callsOf(out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({});
  });
});

describe('events: { queue: <existing> }', () => {
  test('read, never written: apply twice makes no SQS or EventBridge write', async () => {
    const file = stateFile();
    let acct = await loadSandbox(file);
    const url = (await acct.sqs.createQueue({ QueueName: 'shop-events' })).QueueUrl ?? '';
    await saveSandbox(file, acct);
    const dir = clusterDir(['events:', `  queue: ${url}`]);
    for (let round = 0; round < 2; round++) {
      const out = await apply(dir, file);
      expect(callsOf(out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({
        'SQS.GetQueueAttributes': 1,
      });
    }
    acct = await loadSandbox(file);
    expect((await acct.sqs.listQueueTags({ QueueUrl: url })).Tags ?? {}).toEqual({});
  });

  test('by ARN: GetQueueUrl first; a queue that is not there is a plan error', async () => {
    const file = stateFile();
    const acct = await loadSandbox(file);
    const url = (await acct.sqs.createQueue({ QueueName: 'shop-events' })).QueueUrl ?? '';
    const arn = (await acct.sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
      .Attributes?.QueueArn;
    await saveSandbox(file, acct);
    const out = await apply(clusterDir(['events:', `  queue: ${arn}`]), file);
    expect(callsOf(out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({
      'SQS.GetQueueUrl': 1,
      'SQS.GetQueueAttributes': 1,
    });
    const missing = await cli([
      'diff',
      clusterDir(['events:', `  queue: ${arn}-gone`]),
      '--sandbox',
      file,
      '--output',
      'json',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.out.clusters[0].errors[0]).toMatchObject({
      field: 'events.queue',
      message: expect.stringMatching(/^the event queue .*shop-events-gone cannot be read: /),
    });
  });
});

test('specs/ as shipped (the npm start demo) gets its event source, and a second apply writes nothing', async () => {
  const file = stateFile();
  const first = await apply(path.join(__dirname, '../../specs'), file);
  expect(writes(first.awsCalls.byOperation)).toEqual({
    'ECS.CreateCluster': 1,
    'ECS.RegisterTaskDefinition': 2,
    'ECS.CreateService': 2,
    'EventBridge.PutRule': 1,
    'EventBridge.PutTargets': 1,
    'SQS.CreateQueue': 2,
  });
  const second = await apply(path.join(__dirname, '../../specs'), file);
  expect(writes(second.awsCalls.byOperation)).toEqual({});
});

describe('events: removed from cluster.yaml (pruning the owned event source)', () => {
  const PRUNE_WRITES = {
    'ECS.UntagResource': 1,
    'EventBridge.DeleteRule': 1,
    'EventBridge.RemoveTargets': 1,
    'SQS.DeleteQueue': 2,
  };

  async function appliedWithEvents(extra: string[] = []) {
    const file = stateFile();
    const dir = clusterDir(OWNED);
    await apply(dir, file);
    const acct = await loadSandbox(file);
    const cluster = (await acct.ecs.describeClusters({ clusters: ['demo'], include: ['TAGS'] }))
      .clusters?.[0];
    expect(cluster?.tags).toContainEqual({ key: 'ecs-gitops:event-source', value: 'owned' });
    return { file, dir: clusterDir(extra), acct };
  }

  async function clusterTags(file: string) {
    const acct = await loadSandbox(file);
    const c = (await acct.ecs.describeClusters({ clusters: ['demo'], include: ['TAGS'] })).clusters?.[0];
    return Object.fromEntries((c?.tags ?? []).map((t) => [t.key, t.value]));
  }

  async function gone(file: string) {
    const acct = await loadSandbox(file);
    for (const name of [QUEUE, DLQ]) {
      await expect(acct.sqs.getQueueUrl({ QueueName: name })).rejects.toMatchObject({
        name: 'QueueDoesNotExist',
      });
    }
    await expect(acct.eventBridge.describeRule({ Name: QUEUE })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  }

  test('diff shows the deletions; apply deletes rule (targets first), queue, dead-letter queue, then the marker; the second apply writes nothing', async () => {
    const { file, dir } = await appliedWithEvents();
    const diff = await cli(['diff', dir, '--sandbox', file, '--output', 'json']);
    const planned = diff.out.clusters[0].actions.filter((a: { kind: string }) => a.kind !== 'unchanged');
    // The order apply keeps: each waits for the deletes before it, the marker for all three.
    expect(
      planned.map(
        (a: { kind: string; id: string; dependsOn: string[] }) =>
          `${a.kind} ${a.id} <- ${a.dependsOn.join(',')}`,
      ),
    ).toEqual([
      `prune eventRule/${QUEUE} <- `,
      `prune eventQueue/${QUEUE} <- eventRule/${QUEUE}`,
      `prune eventQueue/${DLQ} <- eventRule/${QUEUE},eventQueue/${QUEUE}`,
      `update eventSource/demo <- eventRule/${QUEUE},eventQueue/${QUEUE},eventQueue/${DLQ}`,
    ]);
    const text = await runCli(['--log-level', 'warn', 'diff', dir, '--sandbox', file], ENV);
    expect(text.stdout).toContain(`- eventRule/${QUEUE}`);
    expect(text.stdout).toContain(`- eventQueue/${DLQ}`);

    const pruned = await apply(dir, file);
    expect(writes(pruned.awsCalls.byOperation)).toEqual(PRUNE_WRITES);
    const results = pruned.clusters[0].results.filter((r: { outcome: string }) => r.outcome !== 'unchanged');
    expect(results.map((r: { id: string; outcome: string }) => `${r.outcome} ${r.id}`)).toEqual([
      `deleted eventRule/${QUEUE}`,
      `deleted eventQueue/${QUEUE}`,
      `deleted eventQueue/${DLQ}`,
      'updated eventSource/demo',
    ]);
    await gone(file);
    expect(await clusterTags(file)).not.toHaveProperty('ecs-gitops:event-source');

    const again = await apply(dir, file);
    expect(writes(again.awsCalls.byOperation)).toEqual({});
    // The marker is gone: the cluster is read as one that never had an event source.
    expect(callsOf(again.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({});
  });

  test('a cluster that never had an event source makes no SQS or EventBridge call, apply after apply', async () => {
    const file = stateFile();
    const dir = clusterDir([]);
    for (let round = 0; round < 2; round++) {
      const out = await apply(dir, file);
      expect(callsOf(out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({});
    }
  });

  test('prune: false: kept and reported as orphan, the marker stays, nothing written', async () => {
    const { file, dir } = await appliedWithEvents(['prune: false']);
    for (let round = 0; round < 2; round++) {
      const out = await apply(dir, file);
      expect(writes(out.awsCalls.byOperation)).toEqual({});
      expect(callsOf(out.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual(STEADY_READS);
    }
    const diff = await cli(['diff', dir, '--sandbox', file, '--output', 'json']);
    expect(
      diff.out.clusters[0].actions
        .filter((a: { kind: string }) => a.kind === 'kept')
        .map((a: { id: string }) => a.id),
    ).toEqual([`eventRule/${QUEUE}`, `eventQueue/${QUEUE}`, `eventQueue/${DLQ}`]);
    expect(await clusterTags(file)).toHaveProperty('ecs-gitops:event-source', 'owned');
  });

  test('an apply cut short after the rule was deleted: the next apply deletes the rest and the marker', async () => {
    const { file, dir, acct } = await appliedWithEvents();
    // What a crash right after the rule's delete leaves: the queues and the marker.
    await acct.eventBridge.removeTargets({ Rule: QUEUE, Ids: ['ecs-gitops-queue'] });
    await acct.eventBridge.deleteRule({ Name: QUEUE });
    await saveSandbox(file, acct);
    const resumed = await apply(dir, file);
    expect(writes(resumed.awsCalls.byOperation)).toEqual({ 'ECS.UntagResource': 1, 'SQS.DeleteQueue': 2 });
    await gone(file);
    expect(writes((await apply(dir, file)).awsCalls.byOperation)).toEqual({});
  });

  test('switched to an existing queue: the owned source is pruned, the named queue is only read', async () => {
    const { file, acct } = await appliedWithEvents();
    const url = (await acct.sqs.createQueue({ QueueName: 'shop-events' })).QueueUrl ?? '';
    await saveSandbox(file, acct);
    const dir = clusterDir(['events:', `  queue: ${url}`]);
    expect(writes((await apply(dir, file)).awsCalls.byOperation)).toEqual(PRUNE_WRITES);
    await gone(file);
    const again = await apply(dir, file);
    expect(writes(again.awsCalls.byOperation)).toEqual({});
    expect(callsOf(again.awsCalls.byOperation, 'SQS', 'EventBridge')).toEqual({
      'SQS.GetQueueAttributes': 1,
    });
  });

  test('a narrowed plan (an ECS event named a service) never reads or prunes the event source', async () => {
    const { dir, acct } = await appliedWithEvents();
    const loaded = await loadClusterDir(dir, { env: {} });
    if (!loaded.state) throw new Error(JSON.stringify(loaded.errors));
    let touched = 0;
    const ports: ClusterPorts = {
      ecs: acct.ecs,
      reader: new EcsReader(acct.ecs),
      get sqs() {
        touched += 1;
        return acct.sqs;
      },
      get eventBridge() {
        touched += 1;
        return acct.eventBridge;
      },
    };
    const narrowed = await planDesiredState(loaded.state, ports, {}, new Set(['web']));
    expect(narrowed.errors).toEqual([]);
    expect(narrowed.actions.filter((a) => a.op !== 'none').map((a) => a.id)).toEqual([]);
    expect(touched).toBe(0);
    // The whole plan of the same specs does read them, and prunes.
    const whole = await planDesiredState(loaded.state, ports);
    expect(whole.actions.filter((a) => a.op === 'delete')).toHaveLength(3);
    expect(touched).toBeGreaterThan(0);
  });
});

describe('events: removed, the prune killed after each of its mutating calls', () => {
  const STEPS = [
    'EventBridge.RemoveTargets',
    'EventBridge.DeleteRule',
    'SQS.DeleteQueue',
    'SQS.DeleteQueue',
    'ECS.UntagResource',
  ];
  const portsOf = (a: LoadedSandbox): ClusterPorts => ({
    ecs: a.ecs,
    reader: new EcsReader(a.ecs),
    sqs: a.sqs,
    eventBridge: a.eventBridge,
  });
  async function run(a: LoadedSandbox, dir: string) {
    const loaded = await loadClusterDir(dir, { env: {} });
    if (!loaded.state) throw new Error(JSON.stringify(loaded.errors));
    const plan = await planDesiredState(loaded.state, portsOf(a));
    expect(plan.errors).toEqual([]);
    return applyPlan(plan, portsOf(a), undefined, { drainWaitMs: 0, pollMs: 1000 });
  }
  const counts = (calls: string[]) =>
    calls.reduce<Record<string, number>>((out, c) => ({ ...out, [c]: (out[c] ?? 0) + 1 }), {});

  test.each([1, 2, 3, 4, 5])(
    'killed after mutating call %i: the next apply makes exactly the rest, the one after writes nothing',
    async (k) => {
      const callLog = new CallLog();
      const acct = newSandboxAccount({ callLog });
      await run(acct, clusterDir(OWNED));
      const dir = clusterDir([]);
      const crash = crashingAccount(acct, { k, mode: 'kill' });
      // The killed run never settles: nothing after the kill is done or reported.
      void run(crash.ports, dir);
      expect(await crash.crashed).toBe(STEPS[k - 1]);
      callLog.reset();
      await run(acct, dir);
      expect(callLog.mutating()).toEqual(counts(STEPS.slice(k)));
      const c = (await acct.ecs.describeClusters({ clusters: ['demo'], include: ['TAGS'] })).clusters?.[0];
      expect((c?.tags ?? []).map((t) => t.key)).not.toContain('ecs-gitops:event-source');
      for (const name of [QUEUE, DLQ]) {
        await expect(acct.sqs.getQueueUrl({ QueueName: name })).rejects.toMatchObject({
          name: 'QueueDoesNotExist',
        });
      }
      await expect(acct.eventBridge.describeRule({ Name: QUEUE })).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      callLog.reset();
      await run(acct, dir);
      expect(callLog.mutating()).toEqual({});
    },
  );
});
