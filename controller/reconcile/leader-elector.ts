import { randomUUID } from 'node:crypto';
import { createActor, fromPromise, type Actor } from 'xstate';
import type { Clock } from '../aws/clock';
import type { LeasePort, LeaseRecord } from '../aws/lease-port';
import { LeaseLostError, type WriteFence } from '../aws/write-fence';
import type { Logger } from '../telemetry/logger';
import {
  leaseMachine,
  roleOf,
  type LeaseRole,
  type LeaseSettings,
  type LeaseWriteInput,
  type LeaseWriteOutput,
} from './lease-machine';

/** controller-runtime's defaults: lease 15 s, renew deadline 10 s, retry period 2 s. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;

/** The renew deadline and retry period for a lease duration, in controller-runtime's proportions. */
export function leaseTimings(durationMs: number): Pick<LeaseSettings, 'renewDeadlineMs' | 'retryPeriodMs'> {
  return { renewDeadlineMs: (durationMs * 2) / 3, retryPeriodMs: (durationMs * 2) / 15 };
}

export interface Leadership {
  role: LeaseRole;
  lease: string;
  identity: string;
  /** The holder this replica knows of (itself when leader). */
  holder?: string;
}

export interface LeaderElectorOptions {
  port: LeasePort;
  settings: LeaseSettings;
  /** Monotonic (aws/clock.ts monotonicClock; a VirtualClock in tests). */
  clock: Clock;
  /** For the times written in the lease, for people only. */
  wallClock?: () => Date;
  log: Logger;
  /** Entered `leader`: start the work. */
  onLeading: () => void;
  /** Left `leader` (lost, fenced or stopping): stop the work; writes are already refused. */
  onNotLeading: (why: string) => void;
  /** Resolves once the work has stopped: awaited before the lease is given back. */
  workStopped: () => Promise<void>;
  /** Told every change of role or known holder (status, metrics). */
  onChange?: (leadership: Leadership) => void;
}

/**
 * Runs the lease machine (lease-machine.ts) against a LeasePort and a monotonic clock, and is the
 * write fence every AWS client asks (aws/write-fence.ts): a write passes only while the machine is
 * `leader` and the last renew sent is younger than the renew deadline, measured when the write is
 * about to be sent. A process paused past its lease (SIGSTOP, a VM freeze) so refuses its next write
 * on resuming, before any renew could tell it that another replica took over.
 */
export class LeaderElector implements WriteFence {
  private readonly actor: Actor<typeof leaseMachine>;
  private last?: string;

  constructor(private readonly opts: LeaderElectorOptions) {
    const { clock } = opts;
    const now = opts.wallClock ?? (() => new Date());
    const machine = leaseMachine.provide({
      actors: {
        readLease: fromPromise(async () => {
          const record = await opts.port.get(opts.settings.name);
          return { ...(record ? { record } : {}), at: clock.now() };
        }),
        writeLease: fromPromise<LeaseWriteOutput, LeaseWriteInput>(({ input, signal }) =>
          this.write(input, now().toISOString(), signal),
        ),
        stopWork: fromPromise(() => opts.workStopped()),
        releaseLease: fromPromise(async () => {
          const out = await opts.port.delete(opts.settings.name, opts.settings.identity);
          opts.log.info({ lease: opts.settings.name, result: out }, 'lease released');
          return out;
        }),
      },
    });
    this.actor = createActor(machine, { input: opts.settings, clock: xstateClock(clock) });
    this.actor.on('leading', () => {
      opts.log.info({ lease: opts.settings.name, identity: opts.settings.identity }, 'became leader');
      opts.onLeading();
    });
    this.actor.on('notLeading', ({ why }) => {
      const level = why === 'stopping' ? 'info' : 'error';
      opts.log[level]({ lease: opts.settings.name, why }, `no longer leader: ${why}; writes are refused`);
      opts.onNotLeading(why);
    });
    this.actor.subscribe({
      next: () => this.changed(),
      error: (err: unknown) => opts.log.error({ err: String(err) }, 'lease machine failed'),
    });
  }

  start(): void {
    this.actor.start();
    this.changed();
  }

  /** Stops the work, gives the lease back if held, and resolves once `stopped`. */
  async stop(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const sub = this.actor.subscribe((s) => {
        if (s.status === 'done') {
          sub.unsubscribe();
          resolve();
        }
      });
      if (this.actor.getSnapshot().status === 'done') resolve();
    });
    this.actor.send({ type: 'STOP' });
    await done;
  }

  get leadership(): Leadership {
    const s = this.actor.getSnapshot();
    const role = roleOf(s);
    const holder = role === 'leader' ? s.context.identity : s.context.observed?.record.holder;
    return {
      role,
      lease: s.context.name,
      identity: s.context.identity,
      ...(holder ? { holder } : {}),
    };
  }

  /**
   * The work could not start on becoming leader (the repository cannot be fetched, no region...):
   * writes are refused at once, the work stopped, the lease given back, and this replica waits one
   * lease duration before it may take it again. Without this it would renew a lease it cannot use.
   */
  resign(why: string): void {
    this.actor.send({ type: 'RESIGN', why });
  }

  /** The fence (aws/write-fence.ts): throws unless this replica may write right now. */
  check(operation: string): void {
    const s = this.actor.getSnapshot();
    const { name, renewDeadlineMs } = s.context;
    if (!s.matches('leader')) {
      throw new LeaseLostError(
        `${operation} not sent: this replica is not the leader of lease ${name} (${roleOf(s)})`,
      );
    }
    const age = this.opts.clock.now() - (s.context.renewedAt ?? -Infinity);
    if (age >= renewDeadlineMs) {
      const why = `lease ${name} last renewed ${(age / 1000).toFixed(1)} s ago, past its renew deadline of ${renewDeadlineMs / 1000} s (paused or cut off?); another replica may be leader`;
      this.actor.send({ type: 'FENCED', why });
      throw new LeaseLostError(`${operation} not sent: ${why}`);
    }
  }

  private async write(input: LeaseWriteInput, at: string, signal: AbortSignal): Promise<LeaseWriteOutput> {
    const record: LeaseRecord = {
      ...input.record,
      version: randomUUID(),
      renewedAt: at,
      acquiredAt: input.record.acquiredAt ?? at,
    };
    const { clock } = this.opts;
    const sentAt = clock.now();
    const put = this.opts.port.put(record, input.expect);
    if (input.deadline === undefined) return { result: await put, record, sentAt };
    // A renew that cannot finish before the deadline cannot keep the lease: stop waiting for it.
    const late = new AbortController();
    signal.addEventListener('abort', () => late.abort(), { once: true });
    const timeout = clock
      .sleep(Math.max(0, input.deadline - sentAt), late.signal)
      .then(() => 'late' as const);
    try {
      const result = await Promise.race([put, timeout]);
      if (result === 'late')
        throw Object.assign(new Error('renew not answered before the deadline'), { at: clock.now() });
      return { result, record, sentAt };
    } catch (err) {
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { at: clock.now() });
    } finally {
      late.abort();
      put.catch(() => undefined);
    }
  }

  private changed(): void {
    const l = this.leadership;
    const key = `${l.role}|${l.holder ?? ''}`;
    if (key === this.last) return;
    this.last = key;
    this.opts.onChange?.(l);
  }
}

/** xstate's timers (`after`) on our Clock, so that tests drive them with a VirtualClock. */
function xstateClock(clock: Clock) {
  return {
    setTimeout(fn: () => void, ms: number): AbortController {
      const cancel = new AbortController();
      void clock.sleep(ms, cancel.signal).then(() => {
        if (!cancel.signal.aborted) fn();
      });
      return cancel;
    },
    clearTimeout(id: AbortController): void {
      id.abort();
    },
  };
}
