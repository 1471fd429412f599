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
 * Puts `fence` in front of every attempt of the client's mutating calls: in the deserialize step at
 * low priority, the innermost middleware, below the retry strategy and the signer, so that the check
 * is the last thing before the request is handed to the socket (a retry after a pause is checked
 * again). Reads pass: a follower may read, and the renew itself is a DynamoDB call outside this list.
 */
export function addWriteFenceMiddleware(
  client: { middlewareStack: StackLike },
  service: string,
  fence: WriteFence,
): void {
  client.middlewareStack.add(
    (next: Handler, context: { commandName?: string }) => (args: unknown) => {
      const operation = operationName(context.commandName);
      if (MUTATING_OPERATIONS.has(operation)) fence.check(`${service}.${operation}`);
      return next(args);
    },
    { step: 'deserialize', name: 'ecsGitopsWriteFence', priority: 'low', override: true },
  );
}
