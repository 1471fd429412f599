import { MUTATING_OPERATIONS } from './ecs-port';

/** Counts of AWS requests per `Service.Operation`, e.g. `ECS.DescribeServices`. */
export type CallCounts = Record<string, number>;

/**
 * Told once per logical call when it settles (after its retries): `code` is "OK", or the AWS error
 * code (the SDK error's `name`, e.g. `ThrottlingException`). Feeds metrics; must not throw.
 */
export type RequestListener = (service: string, operation: string, code: string) => void;

/**
 * Counts AWS calls per operation. The SDK adapters feed it from middleware (one count per logical
 * call, retries counted separately); the sandbox feeds it at its port boundary. Tests and the
 * `apply` summary read it.
 */
export class CallLog {
  private readonly calls = new Map<string, number>();
  private readonly retries = new Map<string, number>();
  private readonly throttled = new Map<string, number>();
  private readonly listeners = new Set<RequestListener>();
  private readonly throttleListeners = new Set<(service: string, operation: string) => void>();
  /** Optional single listener (metrics); `subscribe` adds more. */
  onRequest?: RequestListener;

  /** Adds a listener for settled calls; returns a function that removes it. */
  subscribe(fn: RequestListener): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /**
   * A logical call settled with `code` ("OK" or an AWS error code). Only tells the listeners: the
   * call itself was counted by `record` when it started. A listener that throws is ignored, so
   * observability never breaks a call.
   */
  settled(service: string, operation: string, code: string): void {
    for (const fn of [this.onRequest, ...this.listeners]) {
      if (!fn) continue;
      try {
        fn(service, operation, code);
      } catch {
        // ignored: see above
      }
    }
  }

  record(service: string, operation: string): void {
    const key = `${service}.${operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  recordRetry(service: string, operation: string): void {
    const key = `${service}.${operation}`;
    this.retries.set(key, (this.retries.get(key) ?? 0) + 1);
  }

  /**
   * An attempt AWS answered throttled (a wasted call: the limiter or the SDK retries it). Counted
   * apart from `retries`, which hold every repeated attempt whatever its cause.
   */
  recordThrottled(service: string, operation: string): void {
    const key = `${service}.${operation}`;
    this.throttled.set(key, (this.throttled.get(key) ?? 0) + 1);
    for (const fn of this.throttleListeners) {
      try {
        fn(service, operation);
      } catch {
        // ignored: observability never breaks a call
      }
    }
  }

  /** Adds a listener for throttled attempts (metrics); returns a function that removes it. */
  subscribeThrottled(fn: (service: string, operation: string) => void): () => void {
    this.throttleListeners.add(fn);
    return () => void this.throttleListeners.delete(fn);
  }

  throttledSnapshot(): CallCounts {
    return sortedObject(this.throttled);
  }

  throttledTotal(): number {
    let n = 0;
    for (const v of this.throttled.values()) n += v;
    return n;
  }

  /** Calls per operation, keys sorted. */
  snapshot(): CallCounts {
    return sortedObject(this.calls);
  }

  retrySnapshot(): CallCounts {
    return sortedObject(this.retries);
  }

  total(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }

  /** Retries (attempts after the first) of every call: attempts sent = total() + retryTotal(). */
  retryTotal(): number {
    let n = 0;
    for (const v of this.retries.values()) n += v;
    return n;
  }

  /** Only the calls that change something (CreateService, RegisterTaskDefinition, ...). */
  mutating(): CallCounts {
    const out: CallCounts = {};
    for (const [key, n] of [...this.calls].sort(([a], [b]) => a.localeCompare(b))) {
      if (MUTATING_OPERATIONS.has(key.slice(key.indexOf('.') + 1))) out[key] = n;
    }
    return out;
  }

  mutatingTotal(): number {
    return Object.values(this.mutating()).reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.calls.clear();
    this.retries.clear();
    this.throttled.clear();
  }
}

function sortedObject(m: Map<string, number>): CallCounts {
  const out: CallCounts = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k) ?? 0;
  return out;
}
