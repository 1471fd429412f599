/**
 * "Crash after the k-th mutating call", in-process: wraps the ports of a sandbox account so that a
 * run stops the way a killed process does, or sees the error a dropped connection gives.
 *
 * - `kill`: once the k-th mutating call has succeeded in the sandbox, the run never hears back from
 *   it or from any later call (every call hangs forever), so nothing after the kill is done,
 *   reported or cleaned up. Calls already handed to the sandbox when the kill lands took effect, as
 *   calls in flight at a real SIGKILL may have.
 * - `lostReply`: the k-th mutating call succeeds in the sandbox, then its caller gets a network
 *   error instead of the answer (the write happened, the client cannot know); later calls go on.
 *
 * Calls are counted when they settle, as test/helpers/crash-after-mutating.js does on moto. A call
 * goes to the sandbox with the sandbox itself as `this`, so calls the sandbox makes internally are
 * neither counted nor stopped.
 */
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import type { LoadedSandbox } from '../../controller/aws/sandbox/state-file';

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

const SERVICES: Record<keyof LoadedSandbox, string> = {
  ecs: 'ECS',
  sts: 'STS',
  route53: 'Route53',
  elbv2: 'ELBv2',
  ec2: 'EC2',
  sqs: 'SQS',
  eventBridge: 'EventBridge',
};

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

  const wrap = <T extends object>(target: T, service: string): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value: unknown = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const fn = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]): unknown => {
          if (dead) return never();
          const out = fn.apply(obj, args);
          if (!(out instanceof Promise)) return out;
          const call = `${service}.${prop.charAt(0).toUpperCase()}${prop.slice(1)}`;
          // A failed call is counted too: it settled (crash-after-mutating.js does the same on moto).
          return settle(call, out);
        };
      },
    });

  const ports = Object.fromEntries(
    (Object.keys(SERVICES) as (keyof LoadedSandbox)[]).map((key) => [key, wrap(account[key], SERVICES[key])]),
  ) as unknown as LoadedSandbox;
  return { ports, crashed };
}
