import type { InstanceItem, TaskItem } from '../../controller/model/view-items';
import type { StatusDocument } from '../../controller/telemetry/status';
import {
  instanceChange,
  instanceGone,
  renderLine,
  statusChanges,
  taskChange,
  taskGone,
} from '../../controller/cli/watch-lines';
import { WatchState, viewKey } from '../../controller/cli/watch-state';
import { renderTable } from '../../controller/cli/watch-table';

const AT = Date.UTC(2026, 11, 5, 12, 40, 1, 250);
const ARN = 'arn:aws:ecs:us-east-1:123456789012';

function task(patch: Partial<TaskItem> = {}): TaskItem {
  return {
    cluster: 'demo',
    taskArn: `${ARN}:task/demo/7d2e41c0aa5b4c0f9e1d2c3b4a596877`,
    id: '7d2e41c0aa5b4c0f9e1d2c3b4a596877',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    taskDefinitionArn: `${ARN}:task-definition/demo-web:3`,
    startedBy: 'ecs-svc/1',
    group: 'service:web',
    service: 'web',
    healthStatus: null,
    stopCode: null,
    stoppedReason: null,
    stoppedAt: null,
    containerInstanceArn: null,
    containers: [{ name: 'app', exitCode: null, lastStatus: 'RUNNING' }],
    version: 2,
    updatedAt: '2026-12-05T12:40:00.000Z',
    ...patch,
  };
}

function instance(patch: Partial<InstanceItem> = {}): InstanceItem {
  return {
    cluster: 'demo',
    containerInstanceArn: `${ARN}:container-instance/demo/0f1e2d3c4b5a69788796a5b4c3d2e1f0`,
    ec2InstanceId: 'i-0abc123',
    status: 'ACTIVE',
    agentConnected: true,
    remainingCpu: 1024,
    remainingMemory: 2048,
    runningTasksCount: 1,
    pendingTasksCount: 0,
    version: 1,
    updatedAt: '2026-12-05T12:40:00.000Z',
    ...patch,
  };
}

function line(l: ReturnType<typeof taskChange>): string | undefined {
  return l && renderLine(AT, l);
}

describe('task lines', () => {
  test('RUNNING -> STOPPED with the exit code and stop code, as in CI logs', () => {
    const stopped = task({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', exitCode: 137, lastStatus: 'STOPPED' }],
      version: 4,
    });
    expect(line(taskChange(task(), stopped))).toBe(
      '2026-12-05T12:40:01Z demo task 7d2e41c0 web RUNNING -> STOPPED (exit 137, EssentialContainerExited)',
    );
  });

  test('several containers: the failed one is named; no stop code: the reason', () => {
    const stopped = task({
      lastStatus: 'STOPPED',
      stoppedReason: 'Task stopped by user\nvia the console',
      containers: [
        { name: 'app', exitCode: 0, lastStatus: 'STOPPED' },
        { name: 'sidecar', exitCode: 1, lastStatus: 'STOPPED' },
      ],
    });
    expect(taskChange(task(), stopped)?.change).toBe(
      'RUNNING -> STOPPED (sidecar exit 1, Task stopped by user; via the console)',
    );
  });

  test('a new task prints its state; desired, health changes; a bare version bump prints nothing', () => {
    expect(line(taskChange(undefined, task({ lastStatus: 'PENDING' })))).toBe(
      '2026-12-05T12:40:01Z demo task 7d2e41c0 web PENDING',
    );
    expect(taskChange(undefined, task({ healthStatus: 'HEALTHY', desiredStatus: 'STOPPED' }))?.change).toBe(
      'RUNNING, HEALTHY, desired STOPPED',
    );
    expect(taskChange(task(), task({ desiredStatus: 'STOPPED', version: 3 }))?.change).toBe(
      'desired RUNNING -> STOPPED',
    );
    expect(taskChange(task(), task({ healthStatus: 'HEALTHY', version: 3 }))?.change).toBe(
      'health none -> HEALTHY',
    );
    expect(taskChange(task(), task({ version: 3, updatedAt: '2026-12-05T12:41:00.000Z' }))).toBeUndefined();
  });

  test('no service: the group or who started it', () => {
    const batch = task({ service: null, group: 'family:batch', startedBy: 'cron' });
    expect(taskGone({ ...batch, lastStatus: 'STOPPED' })).toEqual({
      cluster: 'demo',
      subject: 'task 7d2e41c0 family:batch',
      change: 'gone (was STOPPED)',
    });
    expect(taskChange(undefined, { ...batch, group: null })?.subject).toBe('task 7d2e41c0 cron');
  });
});

describe('instance lines', () => {
  test('status and agent changes; gone; the ARN id when there is no EC2 id', () => {
    expect(instanceChange(undefined, instance({ agentConnected: false }))?.change).toBe(
      'ACTIVE, agent disconnected',
    );
    expect(
      line(instanceChange(instance(), instance({ status: 'DRAINING', agentConnected: false, version: 2 }))),
    ).toBe('2026-12-05T12:40:01Z demo instance i-0abc123 ACTIVE -> DRAINING, agent disconnected');
    expect(instanceChange(instance(), instance({ runningTasksCount: 3, version: 2 }))).toBeUndefined();
    expect(instanceGone(instance({ ec2InstanceId: null }))).toEqual({
      cluster: 'demo',
      subject: 'instance 0f1e2d3c',
      change: 'gone (was ACTIVE)',
    });
  });
});

const C1 = 'abcdef0123456789abcdef0123456789abcdef01';
const C2 = '1234567890123456789012345678901234567890';

function doc(clusters: StatusDocument['clusters']): StatusDocument {
  return { schemaVersion: 1, controller: { state: 'Idle', startedAt: '', ready: true }, clusters };
}

describe('/status lines', () => {
  const ready = doc([
    {
      cluster: 'demo',
      state: 'Ready',
      lastAppliedCommit: C1,
      objects: [
        { id: 'service/web', resource: 'service', state: 'Ready' },
        { id: 'taskDefinition/demo-web', resource: 'taskDefinition', state: 'Ready' },
      ],
    },
  ]);

  test('first reading: each cluster and service, not other objects', () => {
    expect(statusChanges(undefined, ready).map((l) => renderLine(AT, l))).toEqual([
      '2026-12-05T12:40:01Z demo cluster Ready, commit abcdef0',
      '2026-12-05T12:40:01Z demo service web Ready',
    ]);
    expect(statusChanges(ready, ready)).toEqual([]);
  });

  test('a rollout: Reconciling with its reason, then Ready with the new commit; a service gone', () => {
    const rolling = doc([
      {
        cluster: 'demo',
        state: 'Reconciling',
        reason: 'reconciling 1234567',
        lastAppliedCommit: C1,
        objects: [
          {
            id: 'service/web',
            resource: 'service',
            state: 'Reconciling',
            rollout: 'in-progress',
            reason: 'updated: rollout in progress',
          },
          { id: 'service/api', resource: 'service', state: 'Ready' },
        ],
      },
    ]);
    expect(statusChanges(ready, rolling)).toEqual([
      { cluster: 'demo', subject: 'cluster', change: 'Ready -> Reconciling: reconciling 1234567' },
      {
        cluster: 'demo',
        subject: 'service web',
        change: 'Ready -> Reconciling (rollout in-progress): updated: rollout in progress',
      },
      { cluster: 'demo', subject: 'service api', change: 'Ready' },
    ]);
    const done = doc([
      { ...rolling.clusters[0], state: 'Ready', reason: undefined, lastAppliedCommit: C2, objects: [] },
    ]);
    expect(statusChanges(rolling, done).map((l) => `${l.subject} ${l.change}`)).toEqual([
      'cluster Reconciling -> Ready, commit 1234567',
      'service web gone',
      'service api gone',
    ]);
    expect(statusChanges(done, doc([]))).toEqual([{ cluster: 'demo', subject: 'cluster', change: 'gone' }]);
  });

  test('--cluster: other clusters print nothing', () => {
    const two = doc([...ready.clusters, { ...ready.clusters[0], cluster: 'other' }]);
    expect(statusChanges(undefined, two, 'other').map((l) => l.cluster)).toEqual(['other', 'other']);
  });
});

describe('WatchState', () => {
  test('an upsert equal in the fields shown prints nothing again (a re-read snapshot)', () => {
    const s = new WatchState();
    expect(s.applyView({ type: 'task', op: 'upsert', item: task() })?.change).toBe('RUNNING');
    expect(s.applyView({ type: 'task', op: 'upsert', item: task() })).toBeUndefined();
    expect(s.applyView({ type: 'task', op: 'delete', item: task() })?.change).toBe('gone (was RUNNING)');
    // A delete of an entry it never printed: nothing.
    expect(s.applyView({ type: 'task', op: 'delete', item: task() })).toBeUndefined();
  });

  test('resync: entries the new connection neither sent nor lists went meanwhile', () => {
    const s = new WatchState();
    const kept = task();
    const sent = task({ taskArn: `${ARN}:task/demo/aaaaaaaa`, id: 'aaaaaaaa' });
    const lost = task({ taskArn: `${ARN}:task/demo/bbbbbbbb`, id: 'bbbbbbbb', lastStatus: 'STOPPED' });
    const inst = instance();
    for (const item of [kept, sent, lost]) s.applyView({ type: 'task', op: 'upsert', item });
    s.applyView({ type: 'instance', op: 'upsert', item: inst });
    s.beginResync();
    s.applyView({ type: 'task', op: 'upsert', item: sent });
    const listed = new Set([viewKey('task', 'demo', kept.taskArn)]);
    expect(s.endResync(listed).map((l) => `${l.subject} ${l.change}`)).toEqual([
      'task bbbbbbbb web gone (was STOPPED)',
      'instance i-0abc123 gone (was ACTIVE)',
    ]);
    expect([...s.tasks.values()].map((t) => t.id)).toEqual([kept.id, sent.id]);
    expect(s.endResync(new Set())).toEqual([]);
  });

  test('the terminal table: clusters, services, tasks, instances, recent lines; cut to the rows', () => {
    const s = new WatchState();
    s.applyStatus(doc([{ cluster: 'demo', state: 'Ready', lastAppliedCommit: C1, objects: [] }]));
    for (let i = 0; i < 30; i++) {
      const id = `${String(i).padStart(2, '0')}aaaaaaaaaa`;
      s.applyView({ type: 'task', op: 'upsert', item: task({ taskArn: `${ARN}:task/demo/${id}`, id }) });
    }
    const text = renderTable(s, { url: 'http://127.0.0.1:9090', at: AT, recent: ['a line'], rows: 20 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('ecs-gitops status --watch  http://127.0.0.1:9090  2026-12-05T12:40:01Z');
    expect(text).toContain('CLUSTER  STATE  COMMIT   REASON\ndemo     Ready  abcdef0\n');
    expect(text).toContain('services: none yet');
    expect(text).toContain(
      'CLUSTER  TASK      OWNER  STATUS   HEALTH  DESIRED\ndemo     00aaaaaa  web    RUNNING  -',
    );
    expect(text).toContain('demo     05aaaaaa  web    RUNNING  -       RUNNING\n... 24 more tasks\n');
    expect(text).toContain('container instances: none yet');
    expect(text).toContain('recent changes:\n  a line\n');
    // 20 rows and the empty string after the last newline.
    expect(lines.length).toBeLessThanOrEqual(21);
  });
});
