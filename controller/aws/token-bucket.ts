import type { Clock } from './clock';

/** Burst capacity and sustained refill rate, as AWS publishes its throttles. */
export interface BucketSpec {
  burst: number;
  perSecond: number;
}

/** A token bucket on an injectable clock. Starts full. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly spec: BucketSpec,
    private readonly clock: Clock,
  ) {
    if (!(spec.burst >= 1) || !(spec.perSecond > 0)) {
      throw new Error(`invalid token bucket: burst ${spec.burst}, perSecond ${spec.perSecond}`);
    }
    this.tokens = spec.burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.perSecond);
      this.last = now;
    }
  }

  /** Takes a token if one is there. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until a token will be there (0 if one is there now). */
  waitMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.spec.perSecond) * 1000);
  }
}

/** Takes a token from each bucket, or from none when one of them is empty (a call needs them all). */
export function tryTakeAll(buckets: readonly TokenBucket[]): boolean {
  if (buckets.some((b) => b.waitMs() > 0)) return false;
  for (const b of buckets) b.tryTake();
  return true;
}
