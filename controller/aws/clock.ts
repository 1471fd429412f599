/** Waits; an aborted signal ends the wait at once (so that stopping never waits out a poll interval). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Time, injectable so that tests and the sandbox run on simulated time: what time it is, and
 * waiting. The one clock type of every layer (the rate limiter, the sandbox, the executor's drain
 * wait, the rollout follower and the work queue). Tests pass a ManualClock, whose sleep moves
 * simulated time (and so the sandbox's rollouts) forward.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep: Sleep;
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep };

/**
 * A clock that only moves when told to. `sleep` advances it, so code that waits on it finishes
 * instantly in tests while still seeing time pass.
 */
export class ManualClock implements Clock {
  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  advanceSeconds(s: number): void {
    this.t += s * 1000;
  }

  readonly sleep: Sleep = (ms) => {
    this.t += Math.max(0, ms);
    return Promise.resolve();
  };
}

/**
 * Simulated time for concurrent work (benches, throttling tests): `sleep` parks the caller; once
 * nothing else can run (every pending promise job done), time jumps to the earliest wake-up and
 * everyone due then wakes together. Unlike ManualClock, whose every sleep adds up, ten callers
 * sleeping one second at once cost one simulated second. Drive the work with `run`.
 */
export class VirtualClock implements Clock {
  private t: number;
  private timers: { at: number; wake: () => void }[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** As realSleep: an aborted signal ends the wait at once. */
  readonly sleep: Sleep = (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = {
        at: this.t + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', early);
          resolve();
        },
      };
      const early = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      signal?.addEventListener('abort', early, { once: true });
      this.timers.push(timer);
    });

  /** Runs `work` to its end, moving time on whenever it waits on this clock alone. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    for (;;) {
      // setImmediate runs after every pending promise job: the simulated world is idle now.
      await new Promise((r) => setImmediate(r));
      if (settled) return watched;
      if (this.timers.length === 0) continue;
      let at = Infinity;
      for (const x of this.timers) at = Math.min(at, x.at);
      const due = this.timers.filter((x) => x.at === at);
      this.timers = this.timers.filter((x) => x.at !== at);
      this.t = at;
      for (const x of due) x.wake();
    }
  }
}

/**
 * Time that only moves forward at a steady rate (performance.now(), CLOCK_MONOTONIC): for the leader
 * lease, which must not be fooled by the wall clock being set back or forward. It keeps counting while
 * the process is paused (SIGSTOP), which is what the lease's deadlines need. Its zero is arbitrary.
 */
export const monotonicClock: Clock = { now: () => performance.now(), sleep: realSleep };
