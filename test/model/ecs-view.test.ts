import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ContainerInstanceDetail,
  type TaskDetail,
  parseEcsEvent,
} from '../../controller/model/ecs-events';
import { EcsView, type ViewChange } from '../../controller/model/ecs-view';
import {
  type InstanceState,
  type TaskState,
  instanceStateFromEvent,
  taskStateFromApi,
  taskStateFromEvent,
} from '../../controller/model/view-items';

const FIXTURES = join(__dirname, '../fixtures/ecs-events');
const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const ARN = 'arn:aws:ecs:us-east-1:123456789012';
const MINUTE = 60_000;

function fixtureEvent(name: string) {
  const r = parseEcsEvent(JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')));
  if (!r.ok) throw new Error(`fixture ${name}: ${r.reason}`);
  return r.event;
}

function fixtureTask(name: string): TaskDetail {
  const e = fixtureEvent(name);
  if (e.kind !== 'task') throw new Error(`fixture ${name}: ${e.kind}`);
  return e.task;
}

function fixtureInstance(name: string): ContainerInstanceDetail {
  const e = fixtureEvent(name);
  if (e.kind !== 'instance') throw new Error(`fixture ${name}: ${e.kind}`);
  return e.instance;
}

function task(id: string, patch: Partial<TaskDetail> = {}): TaskDetail {
  return {
    cluster: 'demo',
    clusterArn: `${ARN}:cluster/demo`,
    taskArn: `${ARN}:task/demo/${id}`,
    version: 1,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    group: 'service:web',
    startedBy: 'ecs-svc/1',
    taskDefinitionArn: `${ARN}:task-definition/demo-web:1`,
    containers: [{ name: 'web', lastStatus: 'RUNNING' }],
    ...patch,
  };
}

function instance(id: string, patch: Partial<ContainerInstanceDetail> = {}): ContainerInstanceDetail {
  return {
    cluster: 'demo',
    clusterArn: `${ARN}:cluster/demo`,
    containerInstanceArn: `${ARN}:container-instance/demo/${id}`,
    version: 1,
    status: 'ACTIVE',
    agentConnected: true,
    ec2InstanceId: `i-${id}`,
    ...patch,
  };
}

function setup(opts: { retentionMs?: number; maxStopped?: number; maxUnconfirmed?: number } = {}) {
  let now = T0;
  const view = new EcsView({
    now: () => now,
    stoppedTaskRetentionMs: opts.retentionMs,
    maxStoppedTasksPerCluster: opts.maxStopped,
    maxUnconfirmedPerCluster: opts.maxUnconfirmed,
  });
  const changes: ViewChange[] = [];
  view.subscribe((c) => changes.push(c));
  return { view, changes, advance: (ms: number) => (now += ms), now: () => now };
}

test('the documented task event becomes a task entry with the stable JSON fields', () => {
  const { view } = setup();
  expect(view.applyTaskEvent(fixtureTask('task-running.json'))).toBe('applied');
  expect(view.tasks()).toEqual([
    {
      cluster: 'demo',
      taskArn: `${ARN}:task/demo/7d2e41c08f3a4b6e9a1c5d0f2b3e4a5c`,
      id: '7d2e41c08f3a4b6e9a1c5d0f2b3e4a5c',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      taskDefinitionArn: `${ARN}:task-definition/demo-web:12`,
      startedBy: 'ecs-svc/4915038271820734561',
      group: 'service:web',
      service: 'web',
      healthStatus: 'HEALTHY',
      stopCode: null,
      stoppedReason: null,
      stoppedAt: null,
      containerInstanceArn: null,
      containers: [
        { name: 'log-router', exitCode: null, lastStatus: 'RUNNING' },
        { name: 'web', exitCode: null, lastStatus: 'RUNNING' },
      ],
      version: 4,
      updatedAt: new Date(T0).toISOString(),
    },
  ]);
});

test('the documented container instance event becomes an instance entry with the stable JSON fields', () => {
  const { view } = setup();
  view.applyInstanceEvent(fixtureInstance('container-instance.json'));
  expect(view.instances()).toEqual([
    {
      cluster: 'demo',
      containerInstanceArn: `${ARN}:container-instance/demo/9f0e1d2c3b4a49586776a5b4c3d2e1f0`,
      ec2InstanceId: 'i-0c5e7a9b1d3f24680',
      status: 'ACTIVE',
      agentConnected: true,
      remainingCpu: 1920,
      remainingMemory: 3648,
      runningTasksCount: 1,
      pendingTasksCount: 0,
      version: 31,
      updatedAt: new Date(T0).toISOString(),
    },
  ]);
});

describe('the version rule', () => {
  test('a duplicate (same version) is stale and changes nothing', () => {
    const { view, changes } = setup();
    expect(view.applyTaskEvent(task('a', { version: 3 }))).toBe('applied');
    expect(view.applyTaskEvent(task('a', { version: 3, lastStatus: 'STOPPED' }))).toBe('stale');
    expect(view.task('demo', 'a')?.lastStatus).toBe('RUNNING');
    expect(changes).toHaveLength(1);
  });

  test('out of order: an older version after a newer one is stale; the newer state stays', () => {
    const { view } = setup();
    view.applyTaskEvent(task('a', { version: 5, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    expect(view.applyTaskEvent(task('a', { version: 4, lastStatus: 'RUNNING' }))).toBe('stale');
    expect(view.applyTaskEvent(task('a', { version: 2, lastStatus: 'PENDING' }))).toBe('stale');
    expect(view.task('demo', 'a')).toMatchObject({ lastStatus: 'STOPPED', version: 5 });
  });

  test('a newer version replaces the entry, whatever order versions skipped', () => {
    const { view } = setup();
    view.applyTaskEvent(task('a', { version: 2, lastStatus: 'PENDING' }));
    expect(view.applyTaskEvent(task('a', { version: 9 }))).toBe('applied');
    expect(view.task('demo', 'a')).toMatchObject({ lastStatus: 'RUNNING', version: 9 });
  });

  test('instances follow the same rule; a deregistered (INACTIVE) instance leaves, and its old events stay out', () => {
    const { view, changes } = setup();
    view.applyInstanceEvent(instance('i1', { version: 10 }));
    expect(view.applyInstanceEvent(instance('i1', { version: 10, agentConnected: false }))).toBe('stale');
    expect(view.applyInstanceEvent(instance('i1', { version: 8, status: 'DRAINING' }))).toBe('stale');
    expect(view.applyInstanceEvent(instance('i1', { version: 12, status: 'INACTIVE' }))).toBe('applied');
    expect(view.instances()).toEqual([]);
    expect(view.applyInstanceEvent(instance('i1', { version: 11, status: 'ACTIVE' }))).toBe('stale');
    expect(view.instances()).toEqual([]);
    expect(changes.map((c) => `${c.type}.${c.op}.${c.item.version}`)).toEqual([
      'instance.upsert.10',
      'instance.delete.10',
    ]);
  });

  test('tasks of the same ARN in two clusters are two entries', () => {
    const { view } = setup();
    view.applyTaskEvent(task('same'));
    view.applyTaskEvent({
      ...task('same'),
      cluster: 'other',
      clusterArn: `${ARN}:cluster/other`,
    });
    expect(view.size()).toEqual({ tasks: 2, instances: 0 });
  });
});

describe('stopped task retention', () => {
  const stopped = (id: string, version: number, stoppedAt: number) =>
    task(id, {
      version,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedAt: new Date(stoppedAt).toISOString(),
    });

  test('by time: a stopped task goes once the retention passed since ECS stopped it; running ones stay', () => {
    const { view, changes, advance, now } = setup({ retentionMs: 60 * MINUTE });
    view.applyTaskEvent(task('run'));
    view.applyTaskEvent(stopped('s', 2, now()));
    advance(59 * MINUTE);
    expect(view.tasks().map((t) => t.id)).toEqual(['run', 's']);
    advance(MINUTE);
    expect(view.tasks().map((t) => t.id)).toEqual(['run']);
    expect(changes.at(-1)).toMatchObject({ type: 'task', op: 'delete', item: { id: 's' } });
  });

  test('the default retention is one hour', () => {
    const { view, advance, now } = setup();
    view.applyTaskEvent(stopped('s', 2, now()));
    advance(60 * MINUTE - 1);
    expect(view.size().tasks).toBe(1);
    advance(1);
    view.prune();
    expect(view.size().tasks).toBe(0);
  });

  test('a stop time in the future (forged) counts as now', () => {
    const { view, advance, now } = setup({ retentionMs: 10 * MINUTE });
    view.applyTaskEvent(stopped('s', 2, now() + 365 * 24 * 60 * MINUTE));
    advance(10 * MINUTE);
    expect(view.tasks()).toEqual([]);
  });

  test('by count: beyond the limit per cluster, the oldest stopped go first; running ones do not count', () => {
    const { view, now } = setup({ maxStopped: 2 });
    view.applyTaskEvent(task('run1'));
    view.applyTaskEvent(stopped('s-old', 2, now() - 3 * MINUTE));
    view.applyTaskEvent(stopped('s-new', 2, now() - MINUTE));
    view.applyTaskEvent(stopped('s-mid', 2, now() - 2 * MINUTE));
    view.applyTaskEvent({
      ...stopped('o1', 2, now() - 9 * MINUTE),
      cluster: 'other',
      clusterArn: `${ARN}:cluster/other`,
      taskArn: `${ARN}:task/other/o1`,
    });
    expect(view.tasks({ cluster: 'demo' }).map((t) => t.id)).toEqual(['run1', 's-mid', 's-new']);
    expect(view.tasks({ cluster: 'other' }).map((t) => t.id)).toEqual(['o1']);
  });

  test('a task the resync shows running again is no longer subject to retention', () => {
    const { view, advance, now } = setup({ retentionMs: 10 * MINUTE });
    view.applyTaskEvent(stopped('s', 3, now()));
    view.replaceCluster('demo', { tasks: [taskStateFromEvent(task('s', { version: 3 }))], instances: [] });
    advance(11 * MINUTE);
    expect(view.tasks().map((t) => `${t.id}:${t.lastStatus}`)).toEqual(['s:RUNNING']);
  });

  test('a late event of a task already dropped does not bring it back (tombstone)', () => {
    const { view, advance, now } = setup({ retentionMs: 10 * MINUTE });
    view.applyTaskEvent(stopped('s', 7, now()));
    advance(11 * MINUTE);
    view.prune();
    expect(view.applyTaskEvent(task('s', { version: 5 }))).toBe('stale');
    expect(view.applyTaskEvent(stopped('s', 7, now()))).toBe('stale');
    expect(view.tasks()).toEqual([]);
  });
});

describe('full resync correction', () => {
  const live = (tasks: TaskState[], instances: InstanceState[] = []) => ({ tasks, instances });
  const state = (d: TaskDetail) => taskStateFromEvent(d);

  test('a dropped event (task stopped, instance added) is fixed and counted', () => {
    const { view, changes } = setup();
    view.applyTaskEvent(task('a', { version: 3 }));
    view.applyTaskEvent(task('gone', { version: 2 }));
    view.applyTaskEvent(task('same', { version: 4 }));
    changes.length = 0;
    const result = view.replaceCluster(
      'demo',
      live(
        [
          state(
            task('a', {
              version: 5,
              lastStatus: 'STOPPED',
              desiredStatus: 'STOPPED',
              stopCode: 'UserInitiated',
            }),
          ),
          state(task('same', { version: 4 })),
          state(task('new', { version: 1 })),
        ],
        [instanceStateFromEvent(instance('i1', { version: 3 }))],
      ),
    );
    expect(result).toEqual({
      tasks: { added: 1, changed: 1, removed: 1 },
      instances: { added: 1, changed: 0, removed: 0 },
      fixed: 4,
    });
    expect(view.tasks().map((t) => `${t.id}:${t.lastStatus}`)).toEqual([
      'a:STOPPED',
      'new:RUNNING',
      'same:RUNNING',
    ]);
    expect(changes.map((c) => `${c.type}.${c.op}.${c.item.cluster}`)).toHaveLength(4);
  });

  test('a second resync of the same live state fixes nothing', () => {
    const { view } = setup();
    const snapshot = live([state(task('a')), state(task('b'))], [instanceStateFromEvent(instance('i1'))]);
    expect(view.replaceCluster('demo', snapshot).fixed).toBe(3);
    expect(view.replaceCluster('demo', snapshot).fixed).toBe(0);
  });

  test('the read is authoritative at an equal version (a forged event with a real version is undone)', () => {
    const { view } = setup();
    view.applyTaskEvent(task('a', { version: 3, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    const r = view.replaceCluster('demo', live([state(task('a', { version: 3 }))]));
    expect(r.tasks).toEqual({ added: 0, changed: 1, removed: 0 });
    expect(view.task('demo', 'a')?.lastStatus).toBe('RUNNING');
  });

  test('an entry newer than the read (a higher version, or recorded after the read began) is kept', () => {
    const { view, advance, now } = setup();
    const readStartedAt = now();
    advance(1000);
    view.applyTaskEvent(task('a', { version: 6, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    view.applyTaskEvent(task('started-during-read', { version: 1 }));
    const r = view.replaceCluster('demo', live([state(task('a', { version: 5 }))]), readStartedAt);
    expect(r.fixed).toBe(0);
    expect(view.tasks().map((t) => `${t.id}:${t.version}`)).toEqual(['a:6', 'started-during-read:1']);
  });

  test('a forged huge version recorded before the read is undone, and the real events count again', () => {
    const { view, advance, now } = setup();
    view.applyTaskEvent(task('a', { version: 1_000_000, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    advance(1000);
    const r = view.replaceCluster('demo', live([state(task('a', { version: 5 }))]), now());
    expect(r.tasks).toEqual({ added: 0, changed: 1, removed: 0 });
    expect(view.task('demo', 'a')).toMatchObject({ lastStatus: 'RUNNING', version: 5 });
    expect(
      view.applyTaskEvent(task('a', { version: 6, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' })),
    ).toBe('applied');
  });

  test('events add at most the limit of entries no read confirmed; a read confirms them and makes room', () => {
    const { view } = setup({ maxUnconfirmed: 2 });
    expect(view.applyTaskEvent(task('a'))).toBe('applied');
    expect(view.applyInstanceEvent(instance('i1'))).toBe('applied');
    expect(view.applyTaskEvent(task('forged'))).toBe('full');
    expect(view.applyInstanceEvent(instance('forged-i'))).toBe('full');
    expect(view.tasks().map((t) => t.id)).toEqual(['a']);
    // Known entries still move on.
    expect(view.applyTaskEvent(task('a', { version: 9 }))).toBe('applied');
    view.replaceCluster(
      'demo',
      live([state(task('a', { version: 9 }))], [instanceStateFromEvent(instance('i1'))]),
    );
    expect(view.applyTaskEvent(task('b'))).toBe('applied');
    expect(view.applyTaskEvent(task('c'))).toBe('applied');
    expect(view.applyTaskEvent(task('d'))).toBe('full');
  });

  test('stopped tasks the read no longer lists stay until retention; ones past retention are not re-added', () => {
    const { view, now } = setup({ retentionMs: 60 * MINUTE });
    const stoppedNow = task('s', {
      version: 2,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedAt: new Date(now()).toISOString(),
    });
    view.applyTaskEvent(stoppedNow);
    const old = state(
      task('old', {
        version: 2,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedAt: new Date(now() - 61 * MINUTE).toISOString(),
      }),
    );
    expect(view.replaceCluster('demo', live([old])).fixed).toBe(0);
    expect(view.tasks().map((t) => t.id)).toEqual(['s']);
  });

  test('only the named cluster is replaced', () => {
    const { view } = setup();
    view.applyTaskEvent({
      ...task('o'),
      cluster: 'other',
      clusterArn: `${ARN}:cluster/other`,
      taskArn: `${ARN}:task/other/o`,
    });
    view.replaceCluster('demo', live([]));
    expect(view.tasks().map((t) => t.cluster)).toEqual(['other']);
  });

  test('an API task and the event of the same state are equal entries (no false fix)', () => {
    const { view } = setup();
    view.applyTaskEvent(fixtureTask('task-stopped.json'));
    const fromApi = taskStateFromApi('demo', {
      taskArn: `${ARN}:task/demo/c41b9e3d2a7f4e08b6d1a5c9e0f3b278`,
      clusterArn: `${ARN}:cluster/demo`,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      taskDefinitionArn: `${ARN}:task-definition/demo-worker:3`,
      group: 'family:demo-worker',
      startedBy: 'nightly-batch',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      stoppedAt: new Date('2026-11-30T10:02:55.107Z'),
      containerInstanceArn: `${ARN}:container-instance/demo/9f0e1d2c3b4a49586776a5b4c3d2e1f0`,
      containers: [{ name: 'worker', exitCode: 137, lastStatus: 'STOPPED' }],
      version: 6,
    })!;
    expect(view.replaceCluster('demo', live([fromApi])).fixed).toBe(0);
  });
});

describe('queries', () => {
  test('filters by cluster, status, service, group and startedBy; sorted by cluster then ARN', () => {
    const { view } = setup();
    view.applyTaskEvent(task('b2'));
    view.applyTaskEvent(task('a1', { group: 'service:api', startedBy: 'ecs-svc/2' }));
    view.applyTaskEvent(task('c3', { lastStatus: 'PENDING' }));
    view.applyTaskEvent({
      ...task('z'),
      cluster: 'alpha',
      clusterArn: `${ARN}:cluster/alpha`,
      taskArn: `${ARN}:task/alpha/z`,
    });
    const ids = (f: Parameters<EcsView['tasks']>[0]) => view.tasks(f).map((t) => `${t.cluster}/${t.id}`);
    expect(ids({})).toEqual(['alpha/z', 'demo/a1', 'demo/b2', 'demo/c3']);
    expect(ids({ cluster: 'demo', status: 'RUNNING' })).toEqual(['demo/a1', 'demo/b2']);
    expect(ids({ service: 'api' })).toEqual(['demo/a1']);
    expect(ids({ group: 'service:web', status: 'PENDING' })).toEqual(['demo/c3']);
    expect(ids({ startedBy: 'ecs-svc/2' })).toEqual(['demo/a1']);
    expect(ids({ cluster: 'nope' })).toEqual([]);
  });

  test('one task by id or by full ARN, only in its cluster', () => {
    const { view } = setup();
    view.applyTaskEvent(task('abc'));
    expect(view.task('demo', 'abc')?.id).toBe('abc');
    expect(view.task('demo', `${ARN}:task/demo/abc`)?.id).toBe('abc');
    expect(view.task('other', 'abc')).toBeUndefined();
    expect(view.task('demo', 'abd')).toBeUndefined();
  });

  test('forgetCluster removes its entries and tells listeners', () => {
    const { view, changes } = setup();
    view.applyTaskEvent(task('a'));
    view.applyInstanceEvent(instance('i'));
    view.forgetCluster('demo');
    expect(view.size()).toEqual({ tasks: 0, instances: 0 });
    expect(changes.slice(-2).map((c) => `${c.type}.${c.op}`)).toEqual(['task.delete', 'instance.delete']);
  });

  test('a listener that throws breaks neither the view nor other listeners', () => {
    const { view, changes } = setup();
    view.subscribe(() => {
      throw new Error('boom');
    });
    expect(view.applyTaskEvent(task('a'))).toBe('applied');
    expect(changes).toHaveLength(1);
  });
});
