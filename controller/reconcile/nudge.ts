import type { Clock } from '../aws/clock';

/**
 * Wakes sleepers early: the rollout followers poll every 15 s, and an ECS deployment event says
 * "look now" (a hint: they re-read the service through the API, as on any poll).
 */
export class Nudge {
  private readonly sleepers = new Set<() => void>();

  /** Ends every `sleep` in progress now. */
  poke(): void {
    const woken = [...this.sleepers];
    this.sleepers.clear();
    for (const wake of woken) wake();
  }

  /** `clock.sleep(ms, signal)`, or less when poked. */
  sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.sleepers.delete(done);
        resolve();
      };
      this.sleepers.add(done);
      clock.sleep(ms, signal).then(done, done);
    });
  }
}
