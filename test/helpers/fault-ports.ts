/**
 * The sandbox account's ports behind what goes wrong between a client and AWS, in-process:
 * - `faultyAccount`: injected faults, drawn per attempt from a seeded FaultPlan, under a retry
 *   layer with the SDK's policy;
 * - `crashingAccount`: a run killed, or a reply lost, right after its k-th mutating call.
 * Both wrap every port the same way (`wrapAccount`): a call goes to the sandbox with the sandbox
 * itself as `this`, so calls the sandbox makes internally are neither counted, faulted nor stopped.
 *
 * ## Faults (faultyAccount)
 *
 * The account's ports behind a fault layer (what the network and AWS's front door do to a request)
 * and, above it, a retry layer with the SDK's policy (what the SDK does about it). The sandbox is
 * called directly by the CLI, without the SDK, so without the retry layer every injected fault
 * would fail its call at once, which is not what a run against AWS sees.
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
 *
 * ## Crashes (crashingAccount)
 *
 * "Crash after the k-th mutating call": a run stops the way a killed process does, or sees the
 * error a dropped connection gives.
 * - `kill`: once the k-th mutating call has succeeded in the sandbox, the run never hears back from
 *   it or from any later call (every call hangs forever), so nothing after the kill is done,
 *   reported or cleaned up. Calls already handed to the sandbox when the kill lands took effect, as
 *   calls in flight at a real SIGKILL may have.
 * - `lostReply`: the k-th mutating call succeeds in the sandbox, then its caller gets a network
 *   error instead of the answer (the write happened, the client cannot know); later calls go on.
 *
 * Calls are counted when they settle, as test/helpers/crash-after-mutating.js does on moto.
 */
import { stampOperation } from '../../controller/aws/aws-error';
import type { CallLog } from '../../controller/aws/call-log';
import { isRetryableError, SINGLE_ATTEMPT_OPERATIONS, stampAttempts } from '../../controller/aws/retryable';
import type { LoadedSandbox } from '../../controller/aws/sandbox/state-file';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import type { Fault, FaultPlan } from './fault-plan';

const SERVICES: Record<keyof LoadedSandbox, string> = {
  ecs: 'ECS',
  sts: 'STS',
  route53: 'Route53',
  elbv2: 'ELBv2',
  ec2: 'EC2',
  sqs: 'SQS',
  eventBridge: 'EventBridge',
};

/**
 * The account with every method call of every port handed to `around`: the service (`ECS`), the
 * operation (`CreateService`, from the method's name) and `run`, which makes the call on the
 * sandbox itself (`this` = the port, so its internal calls are not seen here).
 */
function wrapAccount(
  account: LoadedSandbox,
  around: (service: string, operation: string, run: () => unknown) => unknown,
): LoadedSandbox {
  const wrap = <T extends object>(target: T, service: string): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value: unknown = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const fn = value as (...args: unknown[]) => unknown;
        const operation = `${prop.charAt(0).toUpperCase()}${prop.slice(1)}`;
        return (...args: unknown[]): unknown => around(service, operation, () => fn.apply(obj, args));
      },
    });
  return Object.fromEntries(
    (Object.keys(SERVICES) as (keyof LoadedSandbox)[]).map((key) => [key, wrap(account[key], SERVICES[key])]),
  ) as unknown as LoadedSandbox;
}

// ------------------------------------------------------------------------------------- faults

/** An API operation (not one of the sandbox's own helpers such as `createHostedZone`). */
function isApiCall(op: string): boolean {
  return MUTATING_OPERATIONS.has(op) || /^(Describe|List|Get)[A-Z]/.test(op);
}

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

  return wrapAccount(account, (service, op, run) =>
    isApiCall(op) ? withRetries(service, op, async () => await run()) : run(),
  );
}

// ------------------------------------------------------------------------------------- crashes

export type CrashMode = 'kill' | 'lostReply';

export interface CrashPlan {
  /** Crash after this mutating call (1-based). */
  k: number;
  mode: CrashMode;
}

export interface CrashingAccount {
  /** The account as the run under test sees it. */
  ports: LoadedSandbox;
  /** Settles with `Service.Operation` of the k-th mutating call once it has succeeded. */
  crashed: Promise<string>;
}

/** Like the error a reset connection gives the SDK once its retries are spent. */
export class LostReplyError extends Error {
  readonly code = 'ECONNRESET';
  readonly $metadata = {};
  constructor(call: string) {
    super(`socket hang up (test: ${call} succeeded, its reply was lost)`);
    this.name = 'Error';
  }
}

export function crashingAccount(account: LoadedSandbox, plan: CrashPlan): CrashingAccount {
  if (!(Number.isInteger(plan.k) && plan.k > 0))
    throw new Error(`k must be a positive integer (got ${plan.k})`);
  let seen = 0;
  let dead = false;
  let announce!: (call: string) => void;
  const crashed = new Promise<string>((resolve) => (announce = resolve));
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

  const isMutating = (call: string): boolean => MUTATING_OPERATIONS.has(call.slice(call.indexOf('.') + 1));

  /** What the caller of a call gets once the sandbox has answered it. */
  const settle = async (call: string, pending: Promise<unknown>): Promise<unknown> => {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await pending };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (dead) return never();
    if (isMutating(call) && ++seen === plan.k) {
      announce(call);
      if (plan.mode === 'kill') {
        dead = true;
        return never();
      }
      if (outcome.ok) throw new LostReplyError(call);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };

  const ports = wrapAccount(account, (service, op, run) => {
    if (dead) return never();
    const out = run();
    if (!(out instanceof Promise)) return out;
    // A failed call is counted too: it settled (crash-after-mutating.js does the same on moto).
    return settle(`${service}.${op}`, out);
  });
  return { ports, crashed };
}
