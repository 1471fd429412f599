/**
 * Fault injection on the sandbox, in-process: the account's ports behind a fault layer (what the
 * network and AWS's front door do to a request) and, above it, a retry layer with the SDK's policy
 * (what the SDK does about it). The sandbox is called directly by the CLI, without the SDK, so
 * without the retry layer every injected fault would fail its call at once, which is not what a run
 * against AWS sees.
 *
 * Faults, drawn per attempt from a seeded FaultPlan:
 * - throttle: refused before it reaches the account (ECS `ThrottlingException`, Route53 and ELBv2
 *   `Throttling`, EC2 `RequestLimitExceeded`, HTTP 400 "Rate exceeded");
 * - serverError: refused with `ServiceUnavailable` (HTTP 503) before it reaches the account;
 * - reset: the connection resets before the request is sent (`read ECONNRESET`);
 * - timeout: the request reaches the account and is applied, the answer never comes: the SDK's
 *   request timeout ends it (`TimeoutError`);
 * - lostAnswer: the request is applied, then the connection resets (`read ECONNRESET`).
 *
 * Retries (the SDK's standard strategy, aws/retryable.ts): up to 8 attempts for a retryable error,
 * each retry counted in the call log (`recordRetry`); SINGLE_ATTEMPT_OPERATIONS are sent once, as
 * the production ECS client sends them. No backoff is waited: the tests run on a manual clock.
 */
import { stampOperation } from '../../controller/aws/aws-error';
import type { CallLog } from '../../controller/aws/call-log';
import { isRetryableError, SINGLE_ATTEMPT_OPERATIONS, stampAttempts } from '../../controller/aws/retryable';
import type { LoadedSandbox } from '../../controller/aws/sandbox/state-file';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import type { Fault, FaultPlan } from './fault-plan';

/** An API operation (not one of the sandbox's own helpers such as `createHostedZone`). */
function isApiCall(op: string): boolean {
  return MUTATING_OPERATIONS.has(op) || /^(Describe|List|Get)[A-Z]/.test(op);
}

const SERVICES: Record<keyof LoadedSandbox, string> = {
  ecs: 'ECS',
  sts: 'STS',
  route53: 'Route53',
  elbv2: 'ELBv2',
  ec2: 'EC2',
  sqs: 'SQS',
  eventBridge: 'EventBridge',
};

/** The services faults are injected into; STS, SQS and EventBridge pass untouched. */
const FAULTED = new Set(['ECS', 'Route53', 'ELBv2', 'EC2']);

const THROTTLING_CODE: Record<string, string> = {
  ECS: 'ThrottlingException',
  Route53: 'Throttling',
  ELBv2: 'Throttling',
  EC2: 'RequestLimitExceeded',
};

/** An error shaped like the one the SDK throws for that fault. */
export function faultError(fault: Fault, service: string): Error {
  const err = (name: string, message: string, extra: Record<string, unknown>) =>
    Object.assign(new Error(message), { name, ...extra });
  switch (fault) {
    case 'throttle':
      return err(THROTTLING_CODE[service] ?? 'Throttling', 'Rate exceeded', {
        $metadata: { httpStatusCode: 400 },
      });
    case 'serverError':
      return err('ServiceUnavailable', 'Service Unavailable', { $metadata: { httpStatusCode: 503 } });
    case 'timeout':
      return err('TimeoutError', 'Request timed out (fault injected: the answer never came)', {
        $metadata: {},
      });
    case 'reset':
    case 'lostAnswer':
      return err('Error', 'read ECONNRESET', { code: 'ECONNRESET', $metadata: {} });
  }
}

export interface FaultyAccountOptions {
  plan: FaultPlan;
  /** Where retries are counted; a getter, as each CLI run brings its own log. */
  callLog?: () => CallLog | undefined;
  maxAttempts?: number;
}

/** The account's ports behind injected faults and the SDK's retry policy. */
export function faultyAccount(account: LoadedSandbox, opts: FaultyAccountOptions): LoadedSandbox {
  const maxAttempts = opts.maxAttempts ?? 8;

  const attempt = async (service: string, call: string, run: () => Promise<unknown>): Promise<unknown> => {
    const fault = FAULTED.has(service) ? opts.plan.next(call) : undefined;
    if (fault === 'throttle' || fault === 'serverError' || fault === 'reset')
      throw faultError(fault, service);
    const answer = await run();
    if (fault === 'timeout' || fault === 'lostAnswer') throw faultError(fault, service);
    return answer;
  };

  const withRetries = async (service: string, op: string, run: () => Promise<unknown>): Promise<unknown> => {
    const call = `${service}.${op}`;
    const limit = SINGLE_ATTEMPT_OPERATIONS.has(op) && service === 'ECS' ? 1 : maxAttempts;
    for (let n = 1; ; n++) {
      try {
        return await attempt(service, call, run);
      } catch (err) {
        if (n >= limit || !isRetryableError(err)) {
          stampAttempts(err, n);
          // As the SDK middleware does (call-log-middleware.ts): the error names its call.
          stampOperation(err, call);
          throw err;
        }
        opts.callLog?.()?.recordRetry(service, op);
      }
    }
  };

  const wrap = <T extends object>(target: T, service: string): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value: unknown = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const fn = value as (...args: unknown[]) => unknown;
        const op = `${prop.charAt(0).toUpperCase()}${prop.slice(1)}`;
        if (!isApiCall(op)) return value.bind(obj);
        return (...args: unknown[]): Promise<unknown> =>
          withRetries(service, op, async () => await fn.apply(obj, args));
      },
    });

  return Object.fromEntries(
    (Object.keys(SERVICES) as (keyof LoadedSandbox)[]).map((key) => [key, wrap(account[key], SERVICES[key])]),
  ) as unknown as LoadedSandbox;
}
