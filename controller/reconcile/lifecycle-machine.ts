import { assign, createActor, setup, type ActorOptions, type SnapshotFrom } from 'xstate';

/**
 * The controller's lifecycle as /status shows it: one machine for the whole process, driven by the
 * loop (which sends events); per-key scheduling lives in WorkQueue. The machine decides nothing
 * with timers: the loop sends BACKOFF_ELAPSED and RESYNC when its clock says so.
 */
export interface LifecycleContext {
  /** The commit last synced from the source. */
  lastCommit?: string;
  /** The newest commit the source announced (may be ahead of lastCommit). */
  sourceCommit?: string;
  lastError?: string;
  /** Whether lastError was transient (retried after backoff) or terminal (waits for a new commit). */
  lastErrorKind?: 'transient' | 'terminal';
  consecutiveFailures: number;
}

export type LifecycleEvent =
  | { type: 'STARTED' }
  | { type: 'SOURCE_CHANGED'; commit: string }
  | { type: 'SYNCED'; commit: string }
  | { type: 'SYNC_FAILED'; error: string }
  | { type: 'RECONCILED' }
  | { type: 'RECONCILE_FAILED'; error: string; kind: 'transient' | 'terminal' }
  | { type: 'RESYNC' }
  | { type: 'BACKOFF_ELAPSED' }
  | { type: 'STOP' }
  | { type: 'STOPPED' };

export type LifecycleState =
  'starting' | 'syncingSource' | 'reconciling' | 'idle' | 'backingOff' | 'stopping' | 'stopped';

export const lifecycleMachine = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as LifecycleEvent,
  },
  guards: {
    /** The source moved on while we synced or reconciled an older commit. */
    newerCommitWaiting: ({ context }) =>
      context.sourceCommit !== undefined && context.sourceCommit !== context.lastCommit,
    transientFailure: ({ event }) => event.type === 'RECONCILE_FAILED' && event.kind === 'transient',
  },
  actions: {
    noteSourceCommit: assign({
      sourceCommit: ({ event, context }) =>
        event.type === 'SOURCE_CHANGED' ? event.commit : context.sourceCommit,
    }),
    /** New input: the backoff starts over. */
    resetFailures: assign({ consecutiveFailures: 0 }),
    noteSynced: assign({
      lastCommit: ({ event, context }) => (event.type === 'SYNCED' ? event.commit : context.lastCommit),
    }),
    noteReconciled: assign({ lastError: undefined, lastErrorKind: undefined, consecutiveFailures: 0 }),
    noteFailure: assign({
      lastError: ({ event, context }) =>
        event.type === 'SYNC_FAILED' || event.type === 'RECONCILE_FAILED' ? event.error : context.lastError,
      lastErrorKind: ({ event }) => (event.type === 'RECONCILE_FAILED' ? event.kind : 'transient'),
      consecutiveFailures: ({ context }) => context.consecutiveFailures + 1,
    }),
  },
}).createMachine({
  id: 'lifecycle',
  initial: 'starting',
  context: { consecutiveFailures: 0 },
  // STOP from any state but stopping/stopped (which handle it themselves).
  on: { STOP: { target: '.stopping' } },
  states: {
    starting: {
      on: { STARTED: 'syncingSource', SOURCE_CHANGED: { actions: 'noteSourceCommit' } },
    },
    syncingSource: {
      on: {
        SYNCED: { target: 'reconciling', actions: 'noteSynced' },
        SYNC_FAILED: { target: 'backingOff', actions: 'noteFailure' },
        SOURCE_CHANGED: { actions: 'noteSourceCommit' },
      },
    },
    reconciling: {
      on: {
        SOURCE_CHANGED: { actions: 'noteSourceCommit' },
        RECONCILED: [
          { guard: 'newerCommitWaiting', target: 'syncingSource', actions: 'noteReconciled' },
          { target: 'idle', actions: 'noteReconciled' },
        ],
        RECONCILE_FAILED: [
          // New input supersedes the failure, whatever its kind.
          { guard: 'newerCommitWaiting', target: 'syncingSource', actions: ['noteFailure', 'resetFailures'] },
          { guard: 'transientFailure', target: 'backingOff', actions: 'noteFailure' },
          // Terminal: nothing to retry until the next commit.
          { target: 'idle', actions: 'noteFailure' },
        ],
      },
    },
    idle: {
      on: {
        SOURCE_CHANGED: { target: 'syncingSource', actions: ['noteSourceCommit', 'resetFailures'] },
        RESYNC: 'syncingSource',
      },
    },
    backingOff: {
      on: {
        SOURCE_CHANGED: { target: 'syncingSource', actions: ['noteSourceCommit', 'resetFailures'] },
        BACKOFF_ELAPSED: 'syncingSource',
      },
    },
    stopping: {
      on: { STOP: {}, STOPPED: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});

export type LifecycleActor = ReturnType<typeof createLifecycle>;
export type LifecycleSnapshot = SnapshotFrom<typeof lifecycleMachine>;

/** A started lifecycle actor (in `starting`). */
export function createLifecycle(options?: ActorOptions<typeof lifecycleMachine>) {
  return createActor(lifecycleMachine, options).start();
}

/** One line for /status, e.g. `idle at abc1234` or `backingOff after 3 failures: Throttling: ...`. */
export function describeState(snapshot: LifecycleSnapshot): string {
  const state = snapshot.value;
  const c = snapshot.context;
  const at = c.lastCommit ? ` at ${c.lastCommit}` : '';
  switch (state) {
    case 'starting':
      return 'starting';
    case 'syncingSource':
      return `syncingSource${c.sourceCommit ? ` (${c.sourceCommit})` : ''}${c.lastCommit ? `, last synced ${c.lastCommit}` : ''}`;
    case 'reconciling':
      return `reconciling${at}`;
    case 'idle':
      return c.lastError && c.lastErrorKind === 'terminal'
        ? `idle${at}, failed (terminal, waiting for a new commit): ${c.lastError}`
        : `idle${at}`;
    case 'backingOff':
      return `backingOff${at} after ${c.consecutiveFailures} failure${c.consecutiveFailures === 1 ? '' : 's'}: ${c.lastError ?? 'unknown error'}`;
    case 'stopping':
      return `stopping${at}`;
    case 'stopped':
      return `stopped${at}`;
  }
}
