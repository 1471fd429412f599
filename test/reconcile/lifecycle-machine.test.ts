/** The controller lifecycle machine: the states /status reports, driven by the loop's events. */
import {
  createLifecycle,
  describeState,
  lifecycleMachine,
  type LifecycleEvent,
  type LifecycleState,
} from '../../controller/reconcile/lifecycle-machine';

function drive(...events: LifecycleEvent[]) {
  const actor = createLifecycle();
  for (const e of events) actor.send(e);
  return actor;
}

const state = (actor: ReturnType<typeof createLifecycle>) => actor.getSnapshot().value;

describe('lifecycle machine', () => {
  test('the happy path: start, sync, reconcile, idle, resync, a new commit', () => {
    const actor = createLifecycle();
    expect(state(actor)).toBe('starting');
    expect(describeState(actor.getSnapshot())).toBe('starting');

    actor.send({ type: 'STARTED' });
    expect(state(actor)).toBe('syncingSource');
    actor.send({ type: 'SYNCED', commit: 'c1' });
    expect(state(actor)).toBe('reconciling');
    expect(actor.getSnapshot().context.lastCommit).toBe('c1');
    expect(describeState(actor.getSnapshot())).toBe('reconciling at c1');
    actor.send({ type: 'RECONCILED' });
    expect(state(actor)).toBe('idle');
    expect(describeState(actor.getSnapshot())).toBe('idle at c1');

    actor.send({ type: 'RESYNC' });
    expect(state(actor)).toBe('syncingSource');
    actor.send({ type: 'SYNCED', commit: 'c1' });
    actor.send({ type: 'RECONCILED' });
    expect(state(actor)).toBe('idle');

    actor.send({ type: 'SOURCE_CHANGED', commit: 'c2' });
    expect(state(actor)).toBe('syncingSource');
    expect(describeState(actor.getSnapshot())).toBe('syncingSource (c2), last synced c1');
    actor.send({ type: 'SYNCED', commit: 'c2' });
    actor.send({ type: 'RECONCILED' });
    expect(state(actor)).toBe('idle');
    expect(actor.getSnapshot().context).toMatchObject({ lastCommit: 'c2', consecutiveFailures: 0 });
    expect(actor.getSnapshot().context.lastError).toBeUndefined();
  });

  test('events a state does not expect change nothing', () => {
    const actor = drive({ type: 'STARTED' }, { type: 'SYNCED', commit: 'c1' }, { type: 'RECONCILED' });
    const before = actor.getSnapshot().context;
    actor.send({ type: 'RECONCILED' });
    actor.send({ type: 'SYNCED', commit: 'c9' });
    actor.send({ type: 'BACKOFF_ELAPSED' });
    expect(state(actor)).toBe('idle');
    expect(actor.getSnapshot().context).toEqual(before);
  });

  test('a failed sync backs off, counts failures, and recovers', () => {
    const actor = drive({ type: 'STARTED' }, { type: 'SYNC_FAILED', error: 'git fetch: connection reset' });
    expect(state(actor)).toBe('backingOff');
    expect(actor.getSnapshot().context).toMatchObject({
      consecutiveFailures: 1,
      lastError: 'git fetch: connection reset',
    });
    expect(describeState(actor.getSnapshot())).toBe(
      'backingOff after 1 failure: git fetch: connection reset',
    );

    actor.send({ type: 'BACKOFF_ELAPSED' });
    expect(state(actor)).toBe('syncingSource');
    actor.send({ type: 'SYNC_FAILED', error: 'git fetch: timeout' });
    expect(actor.getSnapshot().context.consecutiveFailures).toBe(2);
    expect(describeState(actor.getSnapshot())).toBe('backingOff after 2 failures: git fetch: timeout');

    actor.send({ type: 'BACKOFF_ELAPSED' });
    actor.send({ type: 'SYNCED', commit: 'c1' });
    expect(state(actor)).toBe('reconciling');
    actor.send({ type: 'RECONCILED' });
    expect(state(actor)).toBe('idle');
    expect(actor.getSnapshot().context.consecutiveFailures).toBe(0);
    expect(actor.getSnapshot().context.lastError).toBeUndefined();
  });

  test('a transient reconcile failure backs off; a new commit during backoff syncs at once and resets the count', () => {
    const actor = drive(
      { type: 'STARTED' },
      { type: 'SYNCED', commit: 'c1' },
      { type: 'RECONCILE_FAILED', error: 'ThrottlingException: Rate exceeded', kind: 'transient' },
    );
    expect(state(actor)).toBe('backingOff');
    actor.send({ type: 'BACKOFF_ELAPSED' });
    actor.send({ type: 'SYNCED', commit: 'c1' });
    actor.send({ type: 'RECONCILE_FAILED', error: 'ThrottlingException: Rate exceeded', kind: 'transient' });
    expect(actor.getSnapshot().context.consecutiveFailures).toBe(2);

    actor.send({ type: 'SOURCE_CHANGED', commit: 'c2' });
    expect(state(actor)).toBe('syncingSource');
    expect(actor.getSnapshot().context.consecutiveFailures).toBe(0);
  });

  test('a terminal reconcile failure waits in idle for a new commit', () => {
    const actor = drive(
      { type: 'STARTED' },
      { type: 'SYNCED', commit: 'c1' },
      { type: 'RECONCILE_FAILED', error: 'AccessDeniedException: not authorized', kind: 'terminal' },
    );
    expect(state(actor)).toBe('idle');
    expect(describeState(actor.getSnapshot())).toBe(
      'idle at c1, failed (terminal, waiting for a new commit): AccessDeniedException: not authorized',
    );
    actor.send({ type: 'BACKOFF_ELAPSED' });
    expect(state(actor)).toBe('idle');

    actor.send({ type: 'SOURCE_CHANGED', commit: 'c2' });
    actor.send({ type: 'SYNCED', commit: 'c2' });
    actor.send({ type: 'RECONCILED' });
    expect(describeState(actor.getSnapshot())).toBe('idle at c2');
  });

  test('a commit announced while reconciling is synced right after', () => {
    const actor = drive({ type: 'STARTED' }, { type: 'SYNCED', commit: 'c1' });
    actor.send({ type: 'SOURCE_CHANGED', commit: 'c2' });
    expect(state(actor)).toBe('reconciling');
    actor.send({ type: 'RECONCILED' });
    expect(state(actor)).toBe('syncingSource');
    actor.send({ type: 'SYNCED', commit: 'c2' });
    actor.send({ type: 'RECONCILED' });
    expect(state(actor)).toBe('idle');
  });

  const pathTo: Record<Exclude<LifecycleState, 'stopping' | 'stopped'>, LifecycleEvent[]> = {
    starting: [],
    syncingSource: [{ type: 'STARTED' }],
    reconciling: [{ type: 'STARTED' }, { type: 'SYNCED', commit: 'c1' }],
    idle: [{ type: 'STARTED' }, { type: 'SYNCED', commit: 'c1' }, { type: 'RECONCILED' }],
    backingOff: [{ type: 'STARTED' }, { type: 'SYNC_FAILED', error: 'boom' }],
  };

  test.each(Object.entries(pathTo))(
    'STOP from %s goes to stopping, then stopped on STOPPED',
    (from, events) => {
      const actor = drive(...events);
      expect(state(actor)).toBe(from);
      actor.send({ type: 'STOP' });
      expect(state(actor)).toBe('stopping');
      actor.send({ type: 'STOP' });
      actor.send({ type: 'STARTED' });
      actor.send({ type: 'SOURCE_CHANGED', commit: 'c9' });
      expect(state(actor)).toBe('stopping');
      actor.send({ type: 'STOPPED' });
      expect(state(actor)).toBe('stopped');
      expect(actor.getSnapshot().status).toBe('done');
      expect(describeState(actor.getSnapshot())).toMatch(/^stopped/);
    },
  );

  test('every state has a STOP path (the table covers the machine)', () => {
    const states = Object.keys(lifecycleMachine.config.states ?? {}).sort();
    expect(states).toEqual([...Object.keys(pathTo), 'stopping', 'stopped'].sort());
  });
});
