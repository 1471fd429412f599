import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EcsEvent,
  eventTarget,
  parseEcsEvent,
  parseEcsEventJson,
} from '../../controller/model/ecs-events';

const FIXTURES = join(__dirname, '../fixtures/ecs-events');
const text = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = (name: string): any => JSON.parse(text(name));

function parsed(value: unknown): EcsEvent {
  const r = parseEcsEvent(value);
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  return r.event;
}

function reason(value: unknown): string {
  const r = parseEcsEvent(value);
  if (r.ok) throw new Error('accepted');
  return r.reason;
}

test('a task state change (Fargate, service task) parses with ECS field names', () => {
  const e = parsed(fixture('task-running.json'));
  expect(e).toEqual({
    kind: 'task',
    id: '5c1f7a9e-2b1d-4a3c-9e8f-0d4b6a7c1e21',
    account: '123456789012',
    region: 'us-east-1',
    time: '2026-11-30T09:14:07Z',
    task: {
      cluster: 'demo',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/7d2e41c08f3a4b6e9a1c5d0f2b3e4a5c',
      version: 4,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:12',
      group: 'service:web',
      startedBy: 'ecs-svc/4915038271820734561',
      healthStatus: 'HEALTHY',
      containers: [
        { name: 'web', lastStatus: 'RUNNING' },
        { name: 'log-router', lastStatus: 'RUNNING' },
      ],
    },
  });
  expect(eventTarget(e)).toEqual({ cluster: 'demo', service: 'web' });
});

test('a stopped task carries stop code, reason, time, instance and exit codes; a family group names no service', () => {
  const e = parsed(fixture('task-stopped.json'));
  if (e.kind !== 'task') throw new Error(e.kind);
  expect(e.task).toMatchObject({
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: '2026-11-30T10:02:55.107Z',
    startedBy: 'nightly-batch',
    containerInstanceArn:
      'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/9f0e1d2c3b4a49586776a5b4c3d2e1f0',
    containers: [{ name: 'worker', lastStatus: 'STOPPED', exitCode: 137 }],
    version: 6,
  });
  expect(eventTarget(e)).toEqual({ cluster: 'demo' });
});

test('a container instance state change: status, agent, remaining CPU and memory, task counts', () => {
  const e = parsed(fixture('container-instance.json'));
  if (e.kind !== 'instance') throw new Error(e.kind);
  expect(e.instance).toEqual({
    cluster: 'demo',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
    containerInstanceArn:
      'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/9f0e1d2c3b4a49586776a5b4c3d2e1f0',
    version: 31,
    status: 'ACTIVE',
    agentConnected: true,
    ec2InstanceId: 'i-0c5e7a9b1d3f24680',
    remainingCpu: 1920,
    remainingMemory: 3648,
    runningTasksCount: 1,
    pendingTasksCount: 0,
  });
  expect(eventTarget(e)).toEqual({ cluster: 'demo' });
});

test('a service action names the service of its resources ARN', () => {
  const e = parsed(fixture('service-action.json'));
  expect(e).toMatchObject({
    kind: 'serviceAction',
    action: { cluster: 'demo', service: 'web', eventType: 'INFO', eventName: 'SERVICE_STEADY_STATE' },
  });
  expect(eventTarget(e)).toEqual({ cluster: 'demo', service: 'web' });
});

test('a deployment state change (no clusterArn, as documented) takes the cluster from the service ARN', () => {
  const e = parsed(fixture('deployment-failed.json'));
  expect(e).toMatchObject({
    kind: 'deployment',
    deployment: {
      cluster: 'demo',
      service: 'api',
      eventName: 'SERVICE_DEPLOYMENT_FAILED',
      deploymentId: 'ecs-svc/2749163058172649301',
      reason: 'ECS deployment circuit breaker: task failed to start.',
    },
  });
  expect(eventTarget(e)).toEqual({ cluster: 'demo', service: 'api' });
});

test('an SQS body parses the same as the value; text that is not JSON is rejected', () => {
  expect(parseEcsEventJson(text('task-running.json'))).toEqual(parseEcsEvent(fixture('task-running.json')));
  expect(parseEcsEventJson('{"source": "aws.ecs"')).toEqual({ ok: false, reason: 'not JSON' });
});

test('empty or null optional fields are no value, not a reason to reject', () => {
  const e = fixture('task-running.json');
  const r = parsed({
    ...e,
    detail: { ...e.detail, stoppedReason: '', stopCode: null, healthStatus: '', startedBy: '' },
  });
  if (r.kind !== 'task') throw new Error(r.kind);
  expect(r.task).not.toHaveProperty('stoppedReason');
  expect(r.task).not.toHaveProperty('stopCode');
  expect(r.task).not.toHaveProperty('healthStatus');
  expect(r.task).not.toHaveProperty('startedBy');
});

test('unknown properties are ignored (ECS adds fields over time)', () => {
  const e = fixture('task-running.json');
  e.detail.somethingNew = { nested: [1, 2] };
  e.brandNewTopLevel = true;
  expect(parsed(e)).toEqual(parsed(fixture('task-running.json')));
});

describe('malformed events are rejected with a reason, never thrown', () => {
  const cases: [string, (e: any) => unknown, RegExp][] = [
    ['not an object', () => 'hello', /^event: not an object/],
    ['an array', () => [], /^event: not an object/],
    ['null', () => null, /^event: not an object/],
    ['another source', (e) => ({ ...e, source: 'aws.ec2' }), /^source: not aws.ecs/],
    ['an unknown detail-type', (e) => ({ ...e, 'detail-type': 'ECS Hook State Change' }), /unsupported/],
    ['no detail-type', (e) => ({ ...e, 'detail-type': undefined }), /detail-type: missing/],
    ['no detail', (e) => ({ ...e, detail: undefined }), /^detail: not an object/],
    ['no id', (e) => ({ ...e, id: undefined }), /^event\.id: missing/],
    ['a version that is a string', (e) => withDetail(e, { version: '4' }), /detail\.version/],
    ['a negative version', (e) => withDetail(e, { version: -1 }), /detail\.version/],
    ['a fractional version', (e) => withDetail(e, { version: 1.5 }), /detail\.version/],
    ['no version', (e) => withDetail(e, { version: undefined }), /detail\.version/],
    ['no taskArn', (e) => withDetail(e, { taskArn: undefined }), /detail\.taskArn: missing/],
    ['a taskArn that is not one', (e) => withDetail(e, { taskArn: 'task/x' }), /not a task ARN/],
    [
      'a task ARN of another cluster',
      (e) => withDetail(e, { taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/other/abc' }),
      /names cluster other, not demo/,
    ],
    [
      'a cluster ARN of another account than the event',
      (e) => withDetail(e, { clusterArn: 'arn:aws:ecs:us-east-1:999999999999:cluster/demo' }),
      /another account or Region/,
    ],
    ['a clusterArn that is not one', (e) => withDetail(e, { clusterArn: 'demo' }), /not a cluster ARN/],
    ['a lowercase status', (e) => withDetail(e, { lastStatus: 'running' }), /lastStatus: not a status/],
    ['a numeric desiredStatus', (e) => withDetail(e, { desiredStatus: 1 }), /desiredStatus/],
    ['containers not an array', (e) => withDetail(e, { containers: {} }), /containers: not an array/],
    [
      'a container without name',
      (e) => withDetail(e, { containers: [{ lastStatus: 'RUNNING' }] }),
      /containers\[0\]\.name: missing/,
    ],
    [
      'a container exit code that is a string',
      (e) => withDetail(e, { containers: [{ name: 'web', exitCode: '1' }] }),
      /exitCode: not an integer/,
    ],
    [
      'too many containers',
      (e) => withDetail(e, { containers: Array.from({ length: 65 }, (_, i) => ({ name: `c${i}` })) }),
      /more than 64/,
    ],
    ['a huge stoppedReason', (e) => withDetail(e, { stoppedReason: 'x'.repeat(5000) }), /longer than 2048/],
    ['a stoppedAt that is no time', (e) => withDetail(e, { stoppedAt: 'yesterday' }), /not a timestamp/],
  ];
  test.each(cases)('%s', (_name, mutate, expected) => {
    expect(reason(mutate(fixture('task-running.json')))).toMatch(expected);
  });

  test('container instance: agentConnected must be a boolean, resources integers, counts non-negative', () => {
    const ci = fixture('container-instance.json');
    expect(reason(withDetail(ci, { agentConnected: 'true' }))).toMatch(/agentConnected: not a boolean/);
    expect(
      reason(withDetail(ci, { remainingResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 'x' }] })),
    ).toMatch(/integerValue: not an integer/);
    expect(reason(withDetail(ci, { runningTasksCount: -2 }))).toMatch(/runningTasksCount: not a count/);
    expect(reason(withDetail(ci, { status: undefined }))).toMatch(/detail\.status: missing/);
  });

  test('deployment: needs a service ARN that names its cluster (or a clusterArn) and a deploymentId', () => {
    const d = fixture('deployment-failed.json');
    expect(reason({ ...d, resources: [] })).toMatch(/no service ARN/);
    const oldFormat = { ...d, resources: ['arn:aws:ecs:us-east-1:123456789012:service/api'] };
    expect(reason(oldFormat)).toMatch(/names no cluster/);
    expect(
      eventTarget(
        parsed(withDetail(oldFormat, { clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo' })),
      ),
    ).toEqual({ cluster: 'demo', service: 'api' });
    expect(reason(withDetail(d, { deploymentId: undefined }))).toMatch(/deploymentId: missing/);
    expect(reason(withDetail(d, { clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/other' }))).toMatch(
      /the service is in cluster demo, not other/,
    );
  });

  test('service action: a service of another cluster than clusterArn is rejected; none names only the cluster', () => {
    const s = fixture('service-action.json');
    expect(reason({ ...s, resources: ['arn:aws:ecs:us-east-1:123456789012:service/other/web'] })).toMatch(
      /not demo/,
    );
    expect(eventTarget(parsed({ ...s, resources: [] }))).toEqual({ cluster: 'demo' });
  });

  test('events of another account or Region are rejected when the consumer says which it expects', () => {
    const e = fixture('task-running.json');
    expect(parseEcsEvent(e, { account: '123456789012', regions: new Set(['us-east-1']) }).ok).toBe(true);
    expect(parseEcsEvent(e, { account: '210987654321' })).toEqual({
      ok: false,
      reason: 'account: 123456789012 is not this account',
    });
    expect(parseEcsEvent(e, { regions: new Set(['eu-west-1']) })).toEqual({
      ok: false,
      reason: 'region: us-east-1 is not a Region watched here',
    });
    // One queue may carry the events of clusters in several Regions (`run --events-queue`).
    expect(parseEcsEvent(e, { regions: new Set(['eu-west-1', 'us-east-1']) }).ok).toBe(true);
  });

  test('text from the event is clipped in the reason (a forged event cannot fill logs)', () => {
    const e = { ...(fixture('task-running.json') as Record<string, unknown>), account: 'x'.repeat(2000) };
    const parsed = parseEcsEvent(e, { account: '123456789012' });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason.length).toBeLessThan(120);
  });
});

test('a rejected value is clipped in the reason', () => {
  const r = reason({ ...fixture('task-running.json'), 'detail-type': 'Z'.repeat(500) });
  expect(r.length).toBeLessThan(120);
});

function withDetail(e: any, patch: Record<string, unknown>): any {
  return { ...e, detail: { ...e.detail, ...patch } };
}
