/**
 * Which failed attempts the SDK's standard retry strategy tries again (the error classification of
 * @smithy/core's retry module, restated here so that layers without the SDK, and the test harness
 * that runs the sandbox behind the same policy, classify alike): throttling codes, HTTP 429 and 5xx,
 * request timeouts, and Node's connection errors.
 */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  /** The SDK's own verdict on an error it classified (`throttling: true` for a throttled answer). */
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; attempts?: number };
  cause?: unknown;
}

/**
 * A throttled answer: the one classifier of the SDK retry policy below, the account limiter's
 * retries (account-limiter.ts) and the throttled-attempt counts (call-log-middleware.ts).
 */
export function isThrottlingError(err: unknown): boolean {
  const e = err as ErrorLike | undefined;
  return (
    THROTTLING_CODES.has(e?.name ?? '') ||
    e?.$metadata?.httpStatusCode === 429 ||
    e?.$retryable?.throttling === true
  );
}

/** True when the SDK would try the call again (given attempts left). */
export function isRetryableError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ErrorLike;
  if (e.name === 'AbortError') return false;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return (
    isThrottlingError(e) ||
    TRANSIENT_CODES.has(e.name ?? '') ||
    SOCKET_CODES.has(e.code ?? '') ||
    (status >= 500 && status <= 599) ||
    (e.cause !== undefined && depth < 10 && isRetryableError(e.cause, depth + 1))
  );
}

/** How many attempts a failed call made: the SDK stamps `$metadata.attempts` once its retries end. */
export function attemptsOf(err: unknown): number | undefined {
  const n = (err as ErrorLike | undefined)?.$metadata?.attempts;
  return typeof n === 'number' ? n : undefined;
}

/** Records the attempts a call made on its error (as the SDK does), keeping the rest of `$metadata`. */
export function stampAttempts(err: unknown, attempts: number): void {
  if (typeof err !== 'object' || err === null) return;
  const e = err as ErrorLike;
  e.$metadata = { ...(e.$metadata ?? {}), attempts };
}

/**
 * Calls the SDK makes once, without its retries: a RegisterTaskDefinition whose answer is lost has
 * registered a revision all the same, and a blind retry registers a second one. The reconciler
 * retries it itself, after looking whether the first attempt registered it (registerIdempotently).
 */
export const SINGLE_ATTEMPT_OPERATIONS: ReadonlySet<string> = new Set(['RegisterTaskDefinition']);
