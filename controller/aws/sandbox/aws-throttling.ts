import type { Clock } from '../clock';
import { type ServiceThrottles, bucketsOf } from '../throttle-groups';
import { TokenBucket, tryTakeAll } from '../token-bucket';

/**
 * AWS's request throttles of one service for one account (the sandbox's "aws-like throttling"):
 * the buckets of throttle-groups.ts, shared by the actions of a group, starting full and refilling
 * on the sandbox's clock. A call that finds one of its buckets empty is refused and takes nothing.
 */
export class AwsThrottling {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly throttles: ServiceThrottles,
    private readonly clock: Clock,
  ) {}

  /** Whether AWS would accept a call of `operation` now (and if so, its tokens are taken). */
  admit(operation: string): boolean {
    const needed = bucketsOf(this.throttles, operation).map(([key, spec]) => {
      let b = this.buckets.get(key);
      if (!b) this.buckets.set(key, (b = new TokenBucket(spec, this.clock)));
      return b;
    });
    return tryTakeAll(needed);
  }
}
