import { MUTATING_OPERATIONS } from './ecs-port';
import { operationName } from './call-log-middleware';

/** The name (error code) of the error below, as the executor records it on the refused action. */
export const LEASE_LOST_ERROR = 'LeaseLostError';

/** A write refused because this replica no longer holds the leader lease (never sent to AWS). */
export class LeaseLostError extends Error {
  override readonly name = LEASE_LOST_ERROR;
}

/**
 * Asked before every attempt of every mutating AWS call (leader election): throws a LeaseLostError
 * when this replica may no longer write. `operation` is `Service.Operation`, e.g. `ECS.UpdateService`.
 */
export interface WriteFence {
  check(operation: string): void;
}

interface StackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
}

type Handler = (args: unknown) => Promise<unknown>;

/**
 * Puts `fence` in front of the client's mutating calls, twice: before the call is counted or
 * serialized (initialize step, added before the call log's middleware so a refused call is not
 * counted as made), and before every attempt (deserialize step at low priority: the innermost
 * middleware, below the retry strategy and the signer, the last thing before the request is handed
 * to the socket, so that a retry after a pause is checked again). Reads pass: a follower may read,
 * and the lease's own calls are DynamoDB's, not in MUTATING_OPERATIONS.
 */
export function addWriteFenceMiddleware(
  client: { middlewareStack: StackLike },
  service: string,
  fence: WriteFence,
): void {
  const check = (next: Handler, context: { commandName?: string }) => (args: unknown) => {
    const operation = operationName(context.commandName);
    try {
      if (MUTATING_OPERATIONS.has(operation)) fence.check(`${service}.${operation}`);
    } catch (err) {
      // A rejection, as any failed call: never a throw out of `send`.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return next(args);
  };
  client.middlewareStack.add(check, {
    step: 'initialize',
    name: 'ecsGitopsWriteFenceCall',
    priority: 'high',
    override: true,
  });
  client.middlewareStack.add(check, {
    step: 'deserialize',
    name: 'ecsGitopsWriteFenceAttempt',
    priority: 'low',
    override: true,
  });
}
