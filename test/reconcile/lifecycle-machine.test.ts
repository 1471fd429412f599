/**
 * One cluster's lifecycle machine, driven by work-queue events, and the controller line derived from
 * the machines. The same states through the real controller: test/reconcile/controller.sandbox.test.ts.
 */
import {
  createClusterLifecycle,
  describeController,
  type ClusterLifecycleEvent,
} from '../../controller/reconcile/lifecycle-machine';

function drive(...events: ClusterLifecycleEvent[]) {
  const actor = createClusterLifecycle('demo');
  for (const e of events) actor.send(e);
  return actor;
}

const settled = (
  result: Extract<ClusterLifecycleEvent, { type: 'SETTLED' }>['result'],
  at = 0,
  nextRunAt?: number,
): ClusterLifecycleEvent => ({
  type: 'SETTLED',
  result,
  at,
  ...(nextRunAt !== undefined ? { nextRunAt } : {}),
});
const throttled = (at: number, nextRunAt: number) =>
  settled({ kind: 'transient', error: 'ThrottlingException: Rate exceeded' }, at, nextRunAt);
const rejected = settled({ kind: 'terminal', error: 'InvalidParameterException: bad' });

test('converges to idle; a resync and a requeue go through reconciling and back', () => {
  const actor = drive({ type: 'QUEUED', generation: 'c1' }, { type: 'STARTED', generation: 'c1' });
  expect(actor.getSnapshot().value).toBe('reconciling');
  actor.send(settled({ kind: 'done' }));
  expect(actor.getSnapshot().value).toBe('idle');
  actor.send({ type: 'STARTED', generation: 'c1' });
  actor.send(settled({ kind: 'requeue', afterMs: 30_000 }));
  expect(actor.getSnapshot().value).toBe('requeued');
  actor.send({ type: 'STARTED', generation: 'c1' });
  actor.send(settled({ kind: 'done' }));
  expect(actor.getSnapshot().value).toBe('idle');
});

test('transient failures back off and count; the retry that succeeds, or a new commit, starts over', () => {
  const actor = drive({ type: 'STARTED', generation: 'c1' }, throttled(0, 1000));
  expect(actor.getSnapshot().value).toBe('backoff');
  actor.send({ type: 'QUEUED', generation: 'c1' }); // the same commit waits for its backoff
  expect(actor.getSnapshot().value).toBe('backoff');
  actor.send({ type: 'STARTED', generation: 'c1' });
  actor.send(throttled(1000, 3000));
  expect(actor.getSnapshot().context).toMatchObject({ failures: 2, backoffMs: 2000 });
  actor.send({ type: 'QUEUED', generation: 'c2' });
  expect(actor.getSnapshot().value).toBe('queued');
  expect(actor.getSnapshot().context).toMatchObject({ generation: 'c2', failures: 0 });
});

test('a terminal failure stalls until a new commit: the same commit, queued or started, changes nothing', () => {
  const actor = drive({ type: 'STARTED', generation: 'c1' }, rejected);
  expect(actor.getSnapshot().value).toBe('stalled');
  actor.send({ type: 'QUEUED', generation: 'c1' });
  actor.send({ type: 'STARTED', generation: 'c1' });
  expect(actor.getSnapshot().value).toBe('stalled');
  actor.send({ type: 'STARTED', generation: 'c2' });
  expect(actor.getSnapshot().value).toBe('reconciling');
});

test('the controller line shows the busiest cluster state, every cluster not converged, and the phase', () => {
  const idle = drive({ type: 'STARTED', generation: 'c1' }, settled({ kind: 'done' })).getSnapshot();
  const backoff = createClusterLifecycle('api');
  backoff.send({ type: 'STARTED', generation: 'c1' });
  backoff.send(throttled(0, 4000));
  const stalled = createClusterLifecycle('web');
  stalled.send({ type: 'STARTED', generation: 'c1' });
  stalled.send(rejected);
  const clusters = [idle, stalled.getSnapshot(), backoff.getSnapshot()];
  expect(describeController({ phase: 'starting', clusters })).toBe('starting');
  expect(describeController({ phase: 'running', commit: 'abc1234', clusters: [idle] })).toBe(
    'idle at abc1234',
  );
  expect(describeController({ phase: 'running', commit: 'abc1234', clusters })).toBe(
    'backingOff at abc1234: api (1 failure, backoff 4s): ThrottlingException: Rate exceeded; ' +
      'stalled: web (waiting for a new commit): InvalidParameterException: bad',
  );
  expect(
    describeController({
      phase: 'running',
      commit: 'abc1234',
      clusters: [idle],
      sourceError: 'git fetch failed',
    }),
  ).toBe('idle at abc1234; source sync failed: git fetch failed');
  expect(describeController({ phase: 'stopped', commit: 'abc1234', clusters })).toBe('stopped at abc1234');
});
