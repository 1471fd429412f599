import { assign, createActor, setup, type SnapshotFrom } from 'xstate';
import type { ReconcileResult } from './reconcile-result';

/**
 * One cluster directory's lifecycle: an xstate machine per work-queue key, driven by the queue's
 * events for that key (queued, started, settled with the reconcile's result), the way
 * controller-runtime reports per object. The queue decides when a key runs; the machine says where
 * the key stands and what it waits for, and the controller's state in /status is derived from
 * all of them (`describeController`).
 *
 * - `queued`: due to run (a new commit, a resync asked for, a retry or requeue that came due);
 * - `reconciling`: a reconcile is in flight;
 * - `idle`: converged; the resync re-reads AWS later;
 * - `requeued`: converged so far, something ends on its own soon (a draining service): looks again soon;
 * - `backoff`: failed for a reason that may pass (throttling, 5xx, network); retried after a delay
 *   that doubles per failure;
 * - `stalled`: failed for a reason only new input fixes (specs that do not load, an action AWS
 *   rejects): nothing runs for this commit, not even the resync, until a new commit arrives.
 */
export interface ClusterLifecycleContext {
  /** The cluster's name once its specs loaded (the directory until then). */
  cluster: string;
  /** The commit last queued or run. */
  generation?: string;
  /** Consecutive transient failures on this commit. */
  failures: number;
  lastError?: string;
  /** Delay before the next try after a transient failure, in ms. */
  backoffMs?: number;
}

export type ClusterLifecycleEvent =
  | { type: 'QUEUED'; generation: string }
  | { type: 'STARTED'; generation: string }
  | {
      type: 'SETTLED';
      result: ReconcileResult;
      /** The cluster name the reconcile found (it may have loaded the specs for the first time). */
      cluster?: string;
      /** When the queue runs the key next, if it does (clock ms), and the clock when it settled. */
      nextRunAt?: number;
      at: number;
    };

export type ClusterLifecycleState = 'queued' | 'reconciling' | 'idle' | 'requeued' | 'backoff' | 'stalled';

const resultIs =
  (kind: ReconcileResult['kind']) =>
  ({ event }: { event: ClusterLifecycleEvent }) =>
    event.type === 'SETTLED' && event.result.kind === kind;

export const clusterLifecycleMachine = setup({
  types: {
    context: {} as ClusterLifecycleContext,
    events: {} as ClusterLifecycleEvent,
    input: {} as { cluster: string },
  },
  guards: {
    /** Only a new commit wakes a stalled cluster: the same input fails the same way. */
    newCommit: ({ context, event }) =>
      (event.type === 'QUEUED' || event.type === 'STARTED') && event.generation !== context.generation,
    done: resultIs('done'),
    requeue: resultIs('requeue'),
    transient: resultIs('transient'),
  },
  actions: {
    /** A new commit starts over: the failures of the previous one do not count against it. */
    noteGeneration: assign(({ context, event }) => {
      if (event.type !== 'QUEUED' && event.type !== 'STARTED') return {};
      if (event.generation === context.generation) return {};
      return { generation: event.generation, failures: 0, lastError: undefined, backoffMs: undefined };
    }),
    noteCluster: assign({
      cluster: ({ context, event }) => (event.type === 'SETTLED' && event.cluster) || context.cluster,
    }),
    noteSuccess: assign({ failures: 0, lastError: undefined, backoffMs: undefined }),
    noteTransient: assign(({ context, event }) => {
      if (event.type !== 'SETTLED' || !('error' in event.result)) return {};
      return {
        failures: context.failures + 1,
        lastError: event.result.error,
        backoffMs: event.nextRunAt === undefined ? undefined : event.nextRunAt - event.at,
      };
    }),
    noteTerminal: assign({
      lastError: ({ context, event }) =>
        event.type === 'SETTLED' && 'error' in event.result ? event.result.error : context.lastError,
      backoffMs: undefined,
    }),
  },
}).createMachine({
  id: 'cluster',
  initial: 'queued',
  context: ({ input }) => ({ cluster: input.cluster, failures: 0 }),
  states: {
    queued: {
      on: {
        QUEUED: { actions: 'noteGeneration' },
        STARTED: { target: 'reconciling', actions: 'noteGeneration' },
      },
    },
    reconciling: {
      // A QUEUED while running is folded into this run by the queue, which says so after it settles.
      on: {
        SETTLED: [
          { guard: 'done', target: 'idle', actions: ['noteCluster', 'noteSuccess'] },
          { guard: 'requeue', target: 'requeued', actions: ['noteCluster', 'noteSuccess'] },
          { guard: 'transient', target: 'backoff', actions: ['noteCluster', 'noteTransient'] },
          { target: 'stalled', actions: ['noteCluster', 'noteTerminal'] },
        ],
      },
    },
    idle: {
      on: {
        QUEUED: { target: 'queued', actions: 'noteGeneration' },
        STARTED: { target: 'reconciling', actions: 'noteGeneration' },
      },
    },
    requeued: {
      on: {
        QUEUED: { target: 'queued', actions: 'noteGeneration' },
        STARTED: { target: 'reconciling', actions: 'noteGeneration' },
      },
    },
    backoff: {
      on: {
        // A new commit runs at once; the same one waits for the backoff, then the queue starts it.
        QUEUED: { guard: 'newCommit', target: 'queued', actions: 'noteGeneration' },
        STARTED: { target: 'reconciling', actions: 'noteGeneration' },
      },
    },
    stalled: {
      on: {
        QUEUED: { guard: 'newCommit', target: 'queued', actions: 'noteGeneration' },
        STARTED: { guard: 'newCommit', target: 'reconciling', actions: 'noteGeneration' },
      },
    },
  },
});

export type ClusterLifecycleActor = ReturnType<typeof createClusterLifecycle>;
export type ClusterLifecycleSnapshot = SnapshotFrom<typeof clusterLifecycleMachine>;

/** A started lifecycle actor for one cluster directory (in `queued`). */
export function createClusterLifecycle(cluster: string) {
  return createActor(clusterLifecycleMachine, { input: { cluster } }).start();
}

/** The controller process around the clusters: before the first sync, running, or shutting down. */
export type ControllerPhase = 'starting' | 'running' | 'stopping' | 'stopped';

export interface ControllerView {
  phase: ControllerPhase;
  /** The commit being reconciled (short or full). */
  commit?: string;
  /** Why the last source sync failed, when it did. */
  sourceError?: string;
  clusters: readonly ClusterLifecycleSnapshot[];
}

// Highest first: the controller shows the busiest state any cluster is in.
const PRECEDENCE: readonly ClusterLifecycleState[] = [
  'reconciling',
  'queued',
  'backoff',
  'stalled',
  'requeued',
  'idle',
];
const SHOWN_AS: Record<ClusterLifecycleState, string> = {
  reconciling: 'reconciling',
  queued: 'reconciling',
  backoff: 'backingOff',
  stalled: 'stalled',
  requeued: 'idle',
  idle: 'idle',
};

/**
 * The controller's state line for /status, derived from the per-cluster machines: `idle at abc1234`
 * when every cluster converged, else the busiest state with the clusters in it, e.g.
 * `backingOff at abc1234: demo (2 failures, backoff 2s): ThrottlingException: Rate exceeded` or
 * `stalled at abc1234: demo (waiting for a new commit): 2 spec error(s)`.
 */
export function describeController(view: ControllerView): string {
  const at = view.commit ? ` at ${view.commit}` : '';
  if (view.phase === 'starting') return 'starting';
  if (view.phase !== 'running') return `${view.phase}${at}`;
  const groups = new Map<string, string[]>();
  const byPrecedence = [...view.clusters].sort(
    (a, b) =>
      PRECEDENCE.indexOf(a.value) - PRECEDENCE.indexOf(b.value) ||
      a.context.cluster.localeCompare(b.context.cluster),
  );
  for (const s of byPrecedence) {
    const state = s.value;
    const detail = describeCluster(s);
    if (detail === undefined) continue;
    const shown = SHOWN_AS[state];
    groups.set(shown, [...(groups.get(shown) ?? []), detail]);
  }
  const parts = [...groups].map(([shown, clusters], i) =>
    i === 0 ? `${shown}${at}: ${clusters.join(', ')}` : `${shown}: ${clusters.join(', ')}`,
  );
  const line = parts.length > 0 ? parts.join('; ') : `idle${at}`;
  return view.sourceError ? `${line}; source sync failed: ${view.sourceError}` : line;
}

/** One cluster's part of the line; undefined for a converged one (the controller line says idle). */
function describeCluster(s: ClusterLifecycleSnapshot): string | undefined {
  const c = s.context;
  switch (s.value) {
    case 'reconciling':
    case 'queued':
      return c.cluster;
    case 'backoff': {
      const failures = `${c.failures} failure${c.failures === 1 ? '' : 's'}`;
      const backoff = c.backoffMs !== undefined ? `, backoff ${formatMs(c.backoffMs)}` : '';
      return `${c.cluster} (${failures}${backoff}): ${c.lastError ?? 'unknown error'}`;
    }
    case 'stalled':
      return `${c.cluster} (waiting for a new commit): ${c.lastError ?? 'unknown error'}`;
    case 'requeued':
    case 'idle':
      return undefined;
  }
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  return `${Math.round(ms / 6000) / 10}m`;
}
