import { assign, emit, enqueueActions, fromPromise, setup, type SnapshotFrom } from 'xstate';
import type { LeaseRecord, LeaseWrite } from '../aws/lease-port';

/**
 * One replica's view of the leader lease, as controller-runtime's leader election keeps it: an
 * xstate machine whose I/O (reading and writing the lease) is done by actors the edge provides
 * (leader-elector.ts), and whose every decision is here, from the times those actors report.
 *
 * - `follower`: reads the lease every retry period. It never trusts another host's wall clock: a
 *   lease is expired when this replica has seen the same version for the holder's lease duration
 *   on its own monotonic clock (controller-runtime's observedTime). An absent lease is taken at once.
 * - `acquiring`: a conditional write: the lease is still absent, or still at the version watched.
 * - `leader`: renews every retry period (a conditional write: still ours). A renew not done within
 *   the renew deadline of the last one sent loses the lease, and so does a conflict (taken over).
 *   Writes are allowed only here, and only before that deadline (the fence, leader-elector.ts).
 * - `releasing`: on stop: the work is stopped first (no write after this), then the lease deleted
 *   if still ours, so that a follower takes over at its next read instead of after a lease.
 * - `stopped`: final.
 *
 * Emitted to the edge: `leading` on entering `leader`, `notLeading` (with why) on leaving it.
 */
export interface LeaseSettings {
  name: string;
  /** This replica: host or task id plus a random suffix. */
  identity: string;
  durationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** What a follower saw last, and when it first saw it (its own monotonic clock). */
export interface Observed {
  record: LeaseRecord;
  at: number;
}

export interface LeaseContext extends LeaseSettings {
  observed?: Observed;
  /** Leader: the lease as written last, and when that write was sent (monotonic). */
  held?: LeaseRecord;
  renewedAt?: number;
  /** Why the lease was lost last, for the log. */
  lostBecause?: string;
}

/** What the edge writes: `version`, `renewedAt` (and `acquiredAt` when absent) are filled in there. */
export interface LeaseWriteInput {
  record: Omit<LeaseRecord, 'version' | 'renewedAt' | 'acquiredAt'> & { acquiredAt?: string };
  expect?: { holder: string; version?: string };
  /** A renew gives up at this monotonic time (the renew deadline): it could no longer help. */
  deadline?: number;
}

export interface LeaseWriteOutput {
  result: LeaseWrite;
  record: LeaseRecord;
  /** Monotonic time the write was sent: the lease runs from here, not from the answer. */
  sentAt: number;
}

export type LeaseEvent =
  | { type: 'STOP' }
  /** The fence refused a write: the renew deadline passed (a pause, a hung renew). */
  | { type: 'FENCED'; why: string }
  /** The work could not start on becoming leader: give the lease back and let another replica try. */
  | { type: 'RESIGN'; why: string };

export type LeaseEmitted = { type: 'leading' } | { type: 'notLeading'; why: string };

interface ReadOutput {
  record?: LeaseRecord;
  /** Monotonic time of the answer (when this replica learned what it holds). */
  at: number;
}

/** Placeholders: leader-elector.ts provides the real ones (`leaseMachine.provide`). */
function placeholder<Output, Input = void>(what: string) {
  return fromPromise<Output, Input>(() => Promise.reject(new Error(`${what} not provided`)));
}

/** The error a write actor throws carries when it gave up (monotonic), if the edge knows it. */
function errorAt(error: unknown): number | undefined {
  const at = (error as { at?: unknown } | null)?.at;
  return typeof at === 'number' ? at : undefined;
}

/**
 * Giving the lease back (on stop, or stepping down): the work stops first, then the lease is deleted
 * if still ours, whatever either answers, then `then`.
 */
function stopWorkThenRelease<Then extends string>(then: Then) {
  return {
    stoppingWork: { invoke: { src: 'stopWork', onDone: 'deleting', onError: 'deleting' } },
    deleting: { invoke: { src: 'releaseLease', onDone: then, onError: then } },
  } as const;
}

export const leaseMachine = setup({
  types: {
    context: {} as LeaseContext,
    events: {} as LeaseEvent,
    input: {} as LeaseSettings,
    emitted: {} as LeaseEmitted,
  },
  actors: {
    readLease: placeholder<ReadOutput>('readLease'),
    writeLease: placeholder<LeaseWriteOutput, LeaseWriteInput>('writeLease'),
    /** Stops the work (the controller) before the lease is given back. */
    stopWork: placeholder<void>('stopWork'),
    releaseLease: placeholder<LeaseWrite>('releaseLease'),
  },
  delays: {
    retryPeriod: ({ context }) => context.retryPeriodMs,
    leaseDuration: ({ context }) => context.durationMs,
  },
  guards: {
    /** Absent, ours (this replica lost it on a deadline but nobody took it), or unchanged too long. */
    takeable: ({ context }, read: ReadOutput) => {
      const { record, at } = read;
      if (!record || record.holder === context.identity) return true;
      const seen = context.observed;
      if (!seen || seen.record.version !== record.version) return false;
      return at - seen.at >= record.durationMs;
    },
    written: (_, out: LeaseWriteOutput) => out.result === 'ok',
    /** A renew that failed: lost only once the deadline of the last renew sent has passed. */
    pastDeadline: ({ context }, failed: { at?: number }) =>
      failed.at !== undefined && failed.at - (context.renewedAt ?? -Infinity) >= context.renewDeadlineMs,
  },
  actions: {
    /** Keeps the time a version was first seen: only a new version restarts the wait. */
    observe: assign(({ context }, read: ReadOutput) => {
      if (!read.record) return { observed: undefined };
      if (context.observed?.record.version === read.record.version) return {};
      return { observed: { record: read.record, at: read.at } };
    }),
    hold: assign((_, out: LeaseWriteOutput) => ({ held: out.record, renewedAt: out.sentAt })),
    leading: emit({ type: 'leading' } as const),
    /** Leaving `leader`: writes are refused from now on (the fence asks the state). */
    lose: enqueueActions(({ enqueue }, params: { why: string }) => {
      enqueue.assign({ held: undefined, renewedAt: undefined, lostBecause: params.why });
      enqueue.emit({ type: 'notLeading', why: params.why });
    }),
  },
}).createMachine({
  id: 'lease',
  initial: 'follower',
  context: ({ input }) => ({ ...input }),
  on: { STOP: '.stopped' },
  states: {
    follower: {
      initial: 'reading',
      states: {
        reading: {
          invoke: {
            src: 'readLease',
            onDone: [
              {
                guard: { type: 'takeable', params: ({ event }) => event.output },
                target: '#lease.acquiring',
                actions: { type: 'observe', params: ({ event }) => event.output },
              },
              { target: 'waiting', actions: { type: 'observe', params: ({ event }) => event.output } },
            ],
            onError: 'waiting',
          },
        },
        waiting: { after: { retryPeriod: 'reading' } },
      },
    },
    acquiring: {
      invoke: {
        src: 'writeLease',
        input: ({ context }): LeaseWriteInput => {
          const seen = context.observed?.record;
          const mine = seen?.holder === context.identity;
          return {
            record: {
              name: context.name,
              holder: context.identity,
              durationMs: context.durationMs,
              transitions: seen ? seen.transitions + (mine ? 0 : 1) : 0,
              ...(mine && seen ? { acquiredAt: seen.acquiredAt } : {}),
            },
            ...(seen ? { expect: { holder: seen.holder, version: seen.version } } : {}),
          };
        },
        onDone: [
          {
            guard: { type: 'written', params: ({ event }) => event.output },
            target: 'leader',
            actions: { type: 'hold', params: ({ event }) => event.output },
          },
          { target: 'follower' },
        ],
        onError: 'follower',
      },
      // A write in flight may land: release (if it did) rather than walk away holding it.
      on: { STOP: 'releasing' },
    },
    leader: {
      entry: 'leading',
      initial: 'waiting',
      on: {
        STOP: { target: 'releasing', actions: { type: 'lose', params: { why: 'stopping' } } },
        FENCED: {
          target: 'follower',
          actions: { type: 'lose', params: ({ event }) => ({ why: event.why }) },
        },
        RESIGN: {
          target: 'resigning',
          actions: { type: 'lose', params: ({ event }) => ({ why: event.why }) },
        },
      },
      states: {
        waiting: { after: { retryPeriod: 'renewing' } },
        renewing: {
          invoke: {
            src: 'writeLease',
            input: ({ context }): LeaseWriteInput => ({
              record: {
                name: context.name,
                holder: context.identity,
                durationMs: context.durationMs,
                transitions: context.held?.transitions ?? 0,
                ...(context.held ? { acquiredAt: context.held.acquiredAt } : {}),
              },
              expect: { holder: context.identity },
              deadline: (context.renewedAt ?? 0) + context.renewDeadlineMs,
            }),
            onDone: [
              {
                guard: { type: 'written', params: ({ event }) => event.output },
                target: 'waiting',
                actions: { type: 'hold', params: ({ event }) => event.output },
              },
              {
                target: '#lease.follower',
                actions: { type: 'lose', params: { why: 'another replica holds the lease now' } },
              },
            ],
            onError: [
              {
                guard: { type: 'pastDeadline', params: ({ event }) => ({ at: errorAt(event.error) }) },
                target: '#lease.follower',
                actions: {
                  type: 'lose',
                  params: ({ context }) => ({
                    why: `not renewed within the renew deadline (${context.renewDeadlineMs / 1000} s)`,
                  }),
                },
              },
              { target: 'waiting' },
            ],
          },
        },
      },
    },
    // Stepping down: the work stopped, the lease given back, then one lease duration before trying
    // again, so that another replica (which may be able to start) takes it first.
    resigning: {
      initial: 'stoppingWork',
      states: {
        ...stopWorkThenRelease('backingOff'),
        backingOff: { after: { leaseDuration: '#lease.follower' } },
      },
      on: { STOP: '#lease.releasing' },
    },
    releasing: {
      initial: 'stoppingWork',
      states: stopWorkThenRelease('#lease.stopped'),
      // Already on the way out.
      on: { STOP: {} },
    },
    stopped: { type: 'final' },
  },
});

export type LeaseSnapshot = SnapshotFrom<typeof leaseMachine>;

/** The replica's role as /status and the metrics show it. */
export type LeaseRole = 'follower' | 'acquiring' | 'leader' | 'releasing' | 'stopped';

export function roleOf(snapshot: LeaseSnapshot): LeaseRole {
  for (const role of ['leader', 'acquiring', 'releasing', 'stopped'] as const) {
    if (snapshot.matches(role)) return role;
  }
  return 'follower';
}
