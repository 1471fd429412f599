import { MUTATING_OPERATIONS } from './ecs-port';

/** The name (error code) of the error below, as the executor records it on the refused action. */
export const STOPPING_ERROR = 'StoppingError';

/** The error a write refused by a stop gate throws (never sent to AWS; retried by the next start). */
export class StoppingError extends Error {
  override readonly name = STOPPING_ERROR;

  constructor(operation: string) {
    super(`${operation} not sent: the controller is stopping`);
  }
}

/** Whether a port method is a write: the one list of mutating operations (`registerTaskDefinition`). */
function isWrite(method: string): boolean {
  return MUTATING_OPERATIONS.has(method.charAt(0).toUpperCase() + method.slice(1));
}

/**
 * Wraps a port so that, once `signal` aborts, its mutating calls are refused instead of sent; reads
 * and the calls already sent are untouched. A stop (SIGTERM) so ends a reconcile after the calls in
 * flight: the level-triggered next start picks up from what AWS then holds. (The AccountLimiter above
 * the gate takes the signal too: a write waiting there for a token stops waiting and is refused here.)
 */
export function gateWrites<P extends object>(port: P, signal: AbortSignal | undefined): P {
  if (!signal) return port;
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || !isWrite(prop)) return fn.bind(target);
      return (...args: unknown[]) =>
        signal.aborted ? Promise.reject(new StoppingError(prop)) : fn.apply(target, args);
    },
  });
}
