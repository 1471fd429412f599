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
