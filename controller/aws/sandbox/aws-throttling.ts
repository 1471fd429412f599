import type { Clock } from '../clock';
import { type ServiceThrottles, bucketsOf } from '../throttle-groups';
import { type BucketSpec, TokenBucket, tryTakeAll } from '../token-bucket';

/**
 * A throttle table with its buckets, full, refilling on the sandbox's clock: a group's at once (a
 * bucket that cannot be is refused here, not at some later call), the others on first use.
 */
class Buckets {
  private readonly byKey = new Map<string, TokenBucket>();

  constructor(
    private readonly throttles: ServiceThrottles,
    private readonly clock: Clock,
  ) {
    for (const g of throttles.groups) this.byKey.set(g.name, new TokenBucket(g, clock));
  }

  of(operation: string): TokenBucket[] {
    return bucketsOf(this.throttles, operation).map(([key, spec]) => {
      let b = this.byKey.get(key);
      if (!b) this.byKey.set(key, (b = new TokenBucket(spec, this.clock)));
      return b;
    });
  }
}

/**
 * A table of per-operation buckets (`{ CreateRule: { burst, perSecond } }`, what a test asks for)
 * in the shape of AWS's tables (throttle-groups.ts): each operation a group of its own.
 */
export function perOperationThrottles(code: string, table: Record<string, BucketSpec>): ServiceThrottles {
  return {
    code,
    groups: Object.entries(table).map(([operation, spec]) => ({
      name: operation,
      actions: [operation],
      burst: spec.burst,
      perSecond: spec.perSecond,
    })),
  };
}

/**
 * A sandbox service's request throttles, one mechanism for the two ways to ask for them: AWS's own
 * buckets (`setAws`: the service's table of throttle-groups.ts, the sandbox's "aws-like
 * throttling") and a table a test gives (`setTable`: per operation, a bucket of its own). A call
 * draws from the buckets of both; one that finds any of them empty is refused and takes nothing.
 * Each is replaced on its own (full), so that turning one on or off leaves the other's state.
 */
export class AwsThrottling {
  private aws?: Buckets;
  private table?: Buckets;

  constructor(
    private readonly throttles: ServiceThrottles,
    private readonly clock: Clock,
  ) {}

  /** AWS's own buckets on (full) or off. */
  setAws(on: boolean): void {
    this.aws = on ? new Buckets(this.throttles, this.clock) : undefined;
  }

  /** A per-operation table (full), or none. */
  setTable(table: Record<string, BucketSpec> | undefined): void {
    this.table = table
      ? new Buckets(perOperationThrottles(this.throttles.code, table), this.clock)
      : undefined;
  }

  /** Whether the call of `operation` is accepted now (and if so, its tokens are taken). */
  admit(operation: string): boolean {
    return tryTakeAll([...(this.aws?.of(operation) ?? []), ...(this.table?.of(operation) ?? [])]);
  }
}
