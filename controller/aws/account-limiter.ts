import type { CallLog } from './call-log';
import { type Clock, systemClock } from './clock';
import { isThrottlingError } from './retryable';
import { Semaphore } from './semaphore';
import { SERVICE_THROTTLES, type ServiceThrottles, bucketsOf } from './throttle-groups';
import type { BucketSpec } from './token-bucket';

/**
 * Throttled answers to one call before it is given up (and surfaced). With the rate halved on each,
 * 30 means AWS refused for minutes on end: something other than pacing is wrong then.
 */
export const MAX_THROTTLED_ATTEMPTS = 30;

/** Calls in flight at once per service, so that a burst of reads cannot open hundreds of sockets. */
export const DEFAULT_CONCURRENCY = 16;

/** The lowest a throttled bucket's rate falls to, as a fraction of the published rate. */
const MIN_RATE_FRACTION = 0.1;
/** Each success gives back this fraction of the published rate (additive increase). */
const RECOVERY_FRACTION = 0.05;
/**
 * AWS's bucket starts refilling when the first call of a burst reaches it, one network trip after
 * ours left: our refill starts this much later, so that a trip that varies does not make the first
 * call after the burst arrive before AWS's token. Paid once per burst, not per call.
 */
const TRIP_ALLOWANCE_MS = 50;

/**
 * A token bucket whose refill rate adapts: halved (down to a tenth) and emptied when AWS throttles
 * anyway, because other callers in the account (another controller, the console, CI) spend the
 * same bucket; given back little by little on each success (AIMD, as the SDK's adaptive mode).
 */
class AdaptiveBucket {
  private tokens: number;
  private last: number;
  rate: number;

  constructor(
    readonly spec: BucketSpec,
    private readonly clock: Clock,
  ) {
    this.tokens = spec.burst;
    this.rate = spec.perSecond;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
  }

  waitMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    const notYet = Math.max(0, this.last - this.clock.now());
    return notYet + Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  take(): void {
    if (this.tokens >= this.spec.burst) this.last = Math.max(this.last, this.clock.now() + TRIP_ALLOWANCE_MS);
    this.tokens -= 1;
  }

  throttled(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    // AWS has just said its bucket is empty: count from now.
    this.last = this.clock.now();
    this.rate = Math.max(this.spec.perSecond * MIN_RATE_FRACTION, this.rate / 2);
  }

  succeeded(): void {
    this.rate = Math.min(this.spec.perSecond, this.rate + this.spec.perSecond * RECOVERY_FRACTION);
  }
}

export interface AccountLimiterOptions {
  clock?: Clock;
  /** Calls in flight at once per service. Default 16. */
  concurrency?: number;
  /** Buckets per service; default SERVICE_THROTTLES (AWS's published ones). */
  throttles?: Readonly<Record<string, ServiceThrottles>>;
}

export interface RunOptions {
  /**
   * Once aborted, a call stops waiting for tokens and goes on at once (the stop gate below it
   * refuses it if it is a write), and a throttled answer is no longer retried.
   */
  signal?: AbortSignal;
  /**
   * Where throttled answers are counted (`recordThrottled`): the command's log, so that a limiter
   * shared by several commands counts each one's own. Left out for SDK-backed ports, whose
   * middleware counts every throttled attempt, the SDK's own retries included.
   */
  callLog?: CallLog;
}

/**
 * Client-side pacing for one AWS account and Region, shared by every cluster (and every port) of
 * the process that talks to it: a call first waits for a token of each AWS bucket it draws from
 * (throttle-groups.ts: its group's, and the service's account-level one), so that a big apply
 * spends AWS's buckets at their refill rate instead of living on ThrottlingException. What still
 * gets throttled (someone else spent the tokens) is retried here, with the bucket emptied and its
 * rate halved: throttling is never an error of ours, only a count.
 */
export class AccountLimiter {
  private readonly clock: Clock;
  private readonly buckets = new Map<string, AdaptiveBucket>();
  private readonly slots = new Map<string, Semaphore>();
  private readonly concurrency: number;
  private readonly throttles: Readonly<Record<string, ServiceThrottles>>;
  private throttledCount = 0;

  constructor(opts: AccountLimiterOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.throttles = opts.throttles ?? SERVICE_THROTTLES;
  }

  /** Throttled answers seen by this limiter (all services). */
  get throttled(): number {
    return this.throttledCount;
  }

  private bucketsFor(service: string, operation: string): AdaptiveBucket[] {
    const throttles = this.throttles[service];
    if (!throttles) return [];
    return bucketsOf(throttles, operation).map(([key, spec]) => {
      const id = `${service}/${key}`;
      let b = this.buckets.get(id);
      if (!b) this.buckets.set(id, (b = new AdaptiveBucket(spec, this.clock)));
      return b;
    });
  }

  private slotsFor(service: string): Semaphore {
    let s = this.slots.get(service);
    if (!s) this.slots.set(service, (s = new Semaphore(this.concurrency)));
    return s;
  }

  /** Waits until every bucket of the call has a token, then takes them (all at once). */
  private async acquire(buckets: AdaptiveBucket[], signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = Math.max(0, ...buckets.map((b) => b.waitMs()));
      if (wait === 0 || signal?.aborted) break;
      await this.clock.sleep(wait, signal);
    }
    for (const b of buckets) b.take();
  }

  /** Runs one AWS call paced by the account's buckets, retrying it while AWS answers throttled. */
  async run<T>(service: string, operation: string, fn: () => Promise<T>, opts: RunOptions = {}): Promise<T> {
    const { signal } = opts;
    const buckets = this.bucketsFor(service, operation);
    const slots = this.slotsFor(service);
    for (let attempt = 1; ; attempt++) {
      await this.acquire(buckets, signal);
      try {
        const out = await slots.run(fn);
        for (const b of buckets) b.succeeded();
        return out;
      } catch (err) {
        if (!isThrottlingError(err)) throw err;
        this.throttledCount++;
        opts.callLog?.recordThrottled(service, operation);
        if (attempt >= MAX_THROTTLED_ATTEMPTS || signal?.aborted) throw err;
        for (const b of buckets) b.throttled();
        // A service without published buckets: plain exponential backoff (0.2 s doubling, up to 20 s).
        if (buckets.length === 0) await this.clock.sleep(Math.min(20_000, 100 * 2 ** attempt), signal);
      }
    }
  }
}

/** `describeServices` -> `DescribeServices`. */
function operationOf(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}

/**
 * A port whose every method call goes through the limiter as `service`'s operation of the same
 * name (`describeServices` -> ECS DescribeServices).
 */
export function limitPort<P extends object>(
  port: P,
  service: string,
  limiter: AccountLimiter,
  opts: RunOptions = {},
): P {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) =>
        limiter.run(service, operationOf(prop), () => fn.apply(target, args), opts);
    },
  });
}

const shared = new Map<string, AccountLimiter>();

/**
 * The process's limiter for one account and Region (`key`, e.g. the endpoint and Region: a process
 * talks to one account through its credentials), created on first use: every cluster of the
 * process in that Region paces itself by the same buckets, as AWS counts them.
 */
export function sharedAccountLimiter(key: string, opts: AccountLimiterOptions = {}): AccountLimiter {
  let l = shared.get(key);
  if (!l) shared.set(key, (l = new AccountLimiter(opts)));
  return l;
}
