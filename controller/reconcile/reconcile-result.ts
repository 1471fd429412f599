import { describeAwsError } from '../aws/aws-error';
import type { ActionResult } from '../model/action-result';

/**
 * What one reconcile of one key tells the work queue (controller-runtime's reconcile contract):
 * - `done`: converged; look again at the resync interval, or after `resyncInMs` when given (a
 *   reconcile that looked at part of the key only keeps the key's full resync when it was due);
 * - `requeue`: not finished (e.g. a rollout in progress); look again after `afterMs`;
 * - `transient`: failed for a reason that may go away (throttling, 5xx, network); retry with backoff;
 * - `terminal`: failed for a reason only new input can fix (invalid spec, access denied); no retry
 *   until a new generation (commit) arrives.
 */
export type ReconcileResult =
  | { kind: 'done'; resyncInMs?: number }
  | { kind: 'requeue'; afterMs: number }
  | { kind: 'transient'; error: string }
  | { kind: 'terminal'; error: string };

/** A plan with errors handed to apply: it is never applied (fail closed), and retrying cannot help. */
export class PlanRefusedError extends Error {
  override readonly name = 'PlanRefusedError';

  constructor(readonly errorCount: number) {
    super(`refusing to apply a plan with ${errorCount} error(s)`);
  }
}

/** A reconcile that failed, transient or terminal. */
export type FailedResult = Extract<ReconcileResult, { error: string }>;

export type ErrorClass = 'transient' | 'terminal';

// Codes AWS and Node use for conditions that pass on their own.
const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServerException', // ECS's 5xx
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServiceError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
  // Credentials rotate: the SDK fetches new ones on the next attempt.
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  // Node's socket errors (carried as `code`, with `name` "Error").
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// Rejections of the request itself: the same input gets the same answer.
const TERMINAL_CODES = new Set([
  'ClientException',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterCombination',
  'MissingParameter',
  'ValidationError',
  'ValidationException',
  'InvalidInput',
  'InvalidChangeBatch',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'OptInRequired',
  'UnsupportedFeatureException',
  'PlatformUnknownException',
  'PlatformTaskDefinitionIncompatibilityException',
  'ClusterContainsServicesException',
  'LimitExceededException', // an account quota: raising it is a human's job
]);

/**
 * Whether retrying the same input could succeed. Transient: throttling, 5xx, network errors and
 * timeouts, anything the SDK marked retryable, and unknown errors (a capped backoff costs little,
 * while a wrong "terminal" stalls the key until the next commit). Terminal: access denied,
 * validation and parameter errors, spec errors, and any other 4xx ("client fault") AWS returned.
 */
export function classifyError(err: unknown): ErrorClass {
  const { code, message } = describeAwsError(err);
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    $retryable?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    errors?: unknown;
  };
  const nodeCode = typeof e.code === 'string' ? e.code : undefined;

  if (err instanceof PlanRefusedError) return 'terminal';
  if (e.$retryable) return 'transient';
  if (TRANSIENT_CODES.has(code) || (nodeCode && TRANSIENT_CODES.has(nodeCode))) return 'transient';
  if (/^AccessDenied/i.test(code) || TERMINAL_CODES.has(code)) return 'terminal';
  if (/throttl|timeout|timed out|socket hang up|rate exceeded/i.test(`${code} ${message}`))
    return 'transient';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  // A resource not found yet is often eventual consistency right after its creation.
  if (/NotFound/i.test(code)) return 'transient';
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return 'terminal';
  return 'transient';
}

/** The result a reconcile that threw maps to: its class and `Code: message`. */
export function resultFromError(err: unknown): FailedResult {
  const { code, message } = describeAwsError(err);
  const error = code === 'Error' ? message : `${code}: ${message}`;
  return { kind: classifyError(err), error };
}

/**
 * The class of a reconcile whose actions failed, from the AWS error codes the executor recorded:
 * terminal when every failure is one that the same request gets again (InvalidParameterException,
 * ClientException, access denied...), transient when at least one may pass (throttling, 5xx, an
 * unknown code): the retry then tries them all again, within the capped backoff.
 */
export function classifyActionFailures(failed: readonly ActionResult[]): ErrorClass {
  const transient = failed.some((r) => {
    const err = new Error(r.message ?? '');
    err.name = r.errorCode ?? 'Error';
    return classifyError(err) === 'transient';
  });
  return transient ? 'transient' : 'terminal';
}
