import type { Clock } from '../aws/clock';
import { resultFromError, type FailedResult, type ReconcileResult } from './reconcile-result';

/**
 * - `queued`: waiting to run (new input, an event during a run, or a `requeue`), at `nextRunAt`;
 * - `running`: a reconcile is in flight;
 * - `backoff`: waiting to retry after transient errors;
 * - `idle`: converged, or never seen; the periodic resync is at `nextRunAt`;
 * - `terminal`: failed for good on this generation; waits for a new one.
 */
export type KeyStatus = 'idle' | 'queued' | 'running' | 'backoff' | 'terminal';

export interface KeyState {
  key: string;
  status: KeyStatus;
  /** Newest generation (input version, e.g. the commit) seen for the key. */
  generation?: string;
  /** When the key runs next (clock ms); absent while running, terminal or unknown. */
  nextRunAt?: number;
  /** Consecutive transient failures since the last success or new generation. */
  attempts: number;
  lastError?: string;
  /** An enqueue arrived while running: the key runs once more when this run finishes. */
  dirty: boolean;
}

/**
 * What happens to a key, in order (controller-runtime reports the same per object): `queued` when it
 * becomes due at once (new input, an event, or an event that arrived while it ran), `started`, and
 * `settled` with the reconcile's result and the key's state after it (when it runs next).
 */
export type KeyEvent<R extends ReconcileResult = ReconcileResult> =
  | { type: 'queued'; generation: string }
  | { type: 'started'; generation: string; attempt: number }
  | { type: 'settled'; generation: string; result: R | FailedResult; attempt: number; next: KeyState };

export interface WorkQueueOptions<R extends ReconcileResult = ReconcileResult> {
  /** Reconciles one key at one generation. A throw is classified with `classifyError`. */
  process: (key: string, generation: string) => Promise<R>;
  clock: Clock;
  /** First retry delay after a transient error; doubles per consecutive failure. */
  baseDelayMs?: number;
  /** Cap of the retry delay. */
  maxDelayMs?: number;
  /** After `done`, the key runs again (same generation) after this long. */
  resyncMs?: number;
  /** Keys reconciled at the same time (never two runs of one key). Default 1, gentle on AWS rate limits. */
  concurrency?: number;
  /**
   * A factor applied to each backoff delay (e.g. `() => 0.8 + Math.random() * 0.4`); the result is
   * still capped at `maxDelayMs`. Default: none, so that delays are deterministic.
   */
  jitter?: () => number;
  /** Longest single `clock.sleep` of the `start()` loop, which bounds how long it outlives `stop()`. */
  maxSleepMs?: number;
  /** The number of keys ready to run and not running, whenever it changes. */
  onDepth?: (depth: number) => void;
  /**
   * Every key event (`attempt` counts from 1: consecutive tries of this key). The one place a
   * reconcile's result is reported (metrics, status, lifecycle); throws are ignored.
   */
  onEvent?: (key: string, event: KeyEvent<R>) => void;
}

interface Entry {
  key: string;
  generation: string;
  status: KeyStatus;
  dueAt?: number;
  attempts: number;
  lastError?: string;
  dirty: boolean;
  /** The generation a terminal error was for. */
  terminalGeneration?: string;
  /** The generation of the run in flight. */
  runningGeneration?: string;
  forgotten: boolean;
  seq: number;
}

/**
 * Per-key reconcile scheduling: coalescing, one run per key at a time, exponential backoff,
 * requeue, periodic resync, terminal errors parked until new input, graceful stop.
 *
 * It holds no timers: every due time is a clock reading. `start()` runs a loop that sleeps with
 * `clock.sleep`; tests instead move a ManualClock and call `runDue()` (and `nextDueAt()`), so time
 * advances only when the test says so.
 */
export class WorkQueue<R extends ReconcileResult = ReconcileResult> {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly process: WorkQueueOptions<R>['process'];
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly resyncMs: number;
  private readonly concurrency: number;
  private readonly maxSleepMs: number;
  private readonly jitter?: () => number;
  private readonly onDepth?: (depth: number) => void;
  private readonly onEvent?: WorkQueueOptions<R>['onEvent'];
  private lastDepth = 0;
  private seq = 0;
  private stopping = false;
  private stopPromise?: Promise<void>;
  private loopPromise?: Promise<void>;
  private wakeUp: () => void = () => {};
  private wakeSignal: Promise<void>;

  constructor(opts: WorkQueueOptions<R>) {
    this.process = opts.process;
    this.clock = opts.clock;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 600_000;
    this.resyncMs = opts.resyncMs ?? 600_000;
    this.concurrency = opts.concurrency ?? 1;
    this.maxSleepMs = opts.maxSleepMs ?? 1000;
    this.jitter = opts.jitter;
    this.onDepth = opts.onDepth;
    this.onEvent = opts.onEvent;
    if (!(this.concurrency >= 1)) throw new Error(`concurrency must be at least 1, got ${this.concurrency}`);
    if (!(this.baseDelayMs > 0) || !(this.maxDelayMs >= this.baseDelayMs)) {
      throw new Error(`invalid backoff: base ${this.baseDelayMs} ms, max ${this.maxDelayMs} ms`);
    }
    this.wakeSignal = this.newWakeSignal();
  }

  /**
   * New input (or an event) for `key` at `generation`. A new or waiting (queued, idle) key becomes
   * due now, coalesced into one run with the newest generation; a running key is marked dirty and
   * runs once more when it finishes; a terminal key is skipped unless the generation differs; a
   * backing-off key runs at once on a new generation (its backoff resets) and keeps waiting on the
   * same one. A different generation always resets the attempt count. Ignored after `stop()`.
   */
  enqueue(key: string, generation: string): void {
    if (this.stopping) return;
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (!e) {
      this.entries.set(key, {
        key,
        generation,
        status: 'queued',
        dueAt: now,
        attempts: 0,
        dirty: false,
        forgotten: false,
        seq: this.seq++,
      });
      this.emit(key, { type: 'queued', generation });
    } else {
      const changed = e.generation !== generation;
      switch (e.status) {
        case 'running':
          e.dirty = true;
          e.generation = generation;
          break;
        case 'terminal':
          if (generation === e.terminalGeneration) return;
          this.makeDue(e, generation, now, true);
          break;
        case 'backoff':
          if (!changed) return;
          this.makeDue(e, generation, now, true);
          break;
        case 'queued':
        case 'idle':
          this.makeDue(e, generation, now, changed);
          break;
      }
      if (e.status === 'queued') this.emit(key, { type: 'queued', generation });
    }
    this.changed();
  }

  /** Drops a key (e.g. its cluster left the repository); a run in flight finishes but is not rescheduled. */
  forget(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.forgotten = true;
    this.entries.delete(key);
    this.changed();
  }

  /** Keys whose run is due now and not running (controller-runtime's queue depth). */
  depth(): number {
    const now = this.clock.now();
    let n = 0;
    for (const e of this.entries.values()) if (this.isWaiting(e) && e.dueAt! <= now) n++;
    return n;
  }

  /** Keys scheduled at all (due now or later), not counting those running. */
  pending(): number {
    let n = 0;
    for (const e of this.entries.values()) if (this.isWaiting(e)) n++;
    return n;
  }

  /** Keys running now. */
  running(): number {
    return this.inFlight.size;
  }

  state(key: string): KeyState {
    const e = this.entries.get(key);
    if (!e) return { key, status: 'idle', attempts: 0, dirty: false };
    const s: KeyState = {
      key,
      status: e.status,
      generation: e.generation,
      attempts: e.attempts,
      dirty: e.dirty,
    };
    if (this.isWaiting(e)) s.nextRunAt = e.dueAt;
    if (e.lastError !== undefined) s.lastError = e.lastError;
    return s;
  }

  /** Every known key's state, by key. */
  states(): KeyState[] {
    return [...this.entries.keys()].sort().map((k) => this.state(k));
  }

  /** The earliest due time of a waiting key (may be in the past), or undefined when nothing waits. */
  nextDueAt(): number | undefined {
    let min: number | undefined;
    for (const e of this.entries.values()) {
      if (this.isWaiting(e) && (min === undefined || e.dueAt! < min)) min = e.dueAt;
    }
    return min;
  }

  /**
   * Runs everything due at the clock's current reading, including the re-runs that become due
   * meanwhile (a key enqueued while it ran), until nothing is due and nothing runs. Resolves with
   * the number of reconciles it started. Does not move the clock.
   */
  async runDue(): Promise<number> {
    let started = 0;
    for (;;) {
      started += this.pump();
      if (this.inFlight.size === 0) return started;
      await Promise.race(this.inFlight.values());
    }
  }

  /**
   * Starts the long-running loop: runs due keys, then sleeps (`clock.sleep`, at most `maxSleepMs`
   * at a time) until the next due time or an enqueue. Idempotent; ends with `stop()`.
   */
  start(): void {
    if (this.loopPromise || this.stopping) return;
    this.loopPromise = this.loop();
  }

  /**
   * Graceful stop (SIGTERM): no new run starts, enqueues are ignored; resolves when the runs in
   * flight have finished and the loop has exited. Nothing stays scheduled.
   */
  stop(): Promise<void> {
    if (!this.stopPromise) {
      this.stopping = true;
      this.wakeUp();
      this.stopPromise = (async () => {
        await this.loopPromise;
        while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
        this.changed();
      })();
    }
    return this.stopPromise;
  }

  /** True once `stop()` was called. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.pump();
      const wake = this.wakeSignal;
      const due = this.nextDueAt();
      const wait = due === undefined ? undefined : due - this.clock.now();
      if (wait === undefined || wait <= 0) {
        // Nothing scheduled, or due but all slots busy: the next enqueue or finished run wakes us.
        await wake;
      } else {
        await Promise.race([wake, this.clock.sleep(Math.min(wait, this.maxSleepMs))]);
      }
    }
  }

  /** Starts due keys, earliest first, up to the concurrency limit. */
  private pump(): number {
    if (this.stopping) return 0;
    const now = this.clock.now();
    const due = [...this.entries.values()]
      // A forgotten key re-added while its old run is in flight waits for that run.
      .filter((e) => this.isWaiting(e) && e.dueAt! <= now && !this.inFlight.has(e.key))
      .sort((a, b) => a.dueAt! - b.dueAt! || a.seq - b.seq);
    let started = 0;
    for (const e of due) {
      if (this.inFlight.size >= this.concurrency) break;
      this.startRun(e);
      started++;
    }
    if (started > 0) this.changed();
    return started;
  }

  private startRun(e: Entry): void {
    e.status = 'running';
    e.dueAt = undefined;
    e.dirty = false;
    e.runningGeneration = e.generation;
    const attempt = e.attempts + 1;
    const generation = e.generation;
    this.emit(e.key, { type: 'started', generation, attempt });
    const run = (async () => {
      let result: R | FailedResult;
      try {
        result = await this.process(e.key, generation);
      } catch (err) {
        result = resultFromError(err);
      }
      this.inFlight.delete(e.key);
      const again = e.forgotten ? false : this.settle(e, result);
      this.emit(e.key, { type: 'settled', generation, result, attempt, next: this.state(e.key) });
      if (again) this.emit(e.key, { type: 'queued', generation: e.generation });
      this.changed();
    })();
    this.inFlight.set(e.key, run);
  }

  /** Schedules the key after a run; true when an event that came during the run made it due again. */
  private settle(e: Entry, result: ReconcileResult): boolean {
    const now = this.clock.now();
    const ran = e.runningGeneration!;
    e.runningGeneration = undefined;
    const newInput = e.generation !== ran;
    switch (result.kind) {
      case 'done':
        e.attempts = 0;
        e.lastError = undefined;
        this.schedule(e, 'idle', now + Math.max(0, result.resyncInMs ?? this.resyncMs));
        break;
      case 'requeue':
        e.attempts = 0;
        e.lastError = undefined;
        this.schedule(e, 'queued', now + Math.max(0, result.afterMs));
        break;
      case 'transient':
        e.attempts++;
        e.lastError = result.error;
        this.schedule(e, 'backoff', now + this.backoffDelay(e.attempts));
        break;
      case 'terminal':
        e.lastError = result.error;
        e.terminalGeneration = ran;
        e.status = 'terminal';
        e.dueAt = undefined;
        break;
    }
    if (e.dirty) {
      e.dirty = false;
      // An event arrived during the run. New input always runs at once (and resets the backoff);
      // the same input runs at once unless the run asked to back off or failed for good.
      if (newInput || result.kind === 'done' || result.kind === 'requeue') {
        this.makeDue(e, e.generation, now, newInput);
        return true;
      }
    }
    return false;
  }

  private emit(key: string, event: KeyEvent<R>): void {
    try {
      this.onEvent?.(key, event);
    } catch {
      // A listener's failure must not break scheduling.
    }
  }

  private schedule(e: Entry, status: KeyStatus, dueAt: number): void {
    e.status = status;
    e.dueAt = dueAt;
  }

  private makeDue(e: Entry, generation: string, now: number, newInput: boolean): void {
    e.generation = generation;
    if (newInput) {
      e.attempts = 0;
      e.terminalGeneration = undefined;
    }
    // A key already due keeps its place in line.
    e.dueAt = e.status === 'queued' && e.dueAt !== undefined ? Math.min(e.dueAt, now) : now;
    e.status = 'queued';
  }

  /** base * 2^(n-1), capped, times the jitter factor (capped again). */
  private backoffDelay(failures: number): number {
    const exp = Math.min(failures - 1, 52);
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** exp);
    if (!this.jitter) return delay;
    return Math.max(0, Math.min(this.maxDelayMs, Math.round(delay * this.jitter())));
  }

  private isWaiting(e: Entry): boolean {
    return (e.status === 'queued' || e.status === 'backoff' || e.status === 'idle') && e.dueAt !== undefined;
  }

  /** After any change: report the depth if it moved, and wake the loop. */
  private changed(): void {
    const d = this.depth();
    if (d !== this.lastDepth) {
      this.lastDepth = d;
      try {
        this.onDepth?.(d);
      } catch {
        // A listener's failure must not break scheduling.
      }
    }
    this.wakeUp();
  }

  private newWakeSignal(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = () => {
        this.wakeSignal = this.newWakeSignal();
        resolve();
      };
    });
  }
}
