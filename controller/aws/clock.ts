/** Time source, injectable so that tests and the sandbox can run on simulated time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Waits; an aborted signal ends the wait at once (so that stopping never waits out a poll interval). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const systemClock: Clock = { now: () => Date.now() };

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
