import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
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

type Handler = (args: { request?: unknown }) => Promise<unknown>;

/**
 * The attempts the fence let through, by their request's headers object (the one the SDK's HTTP
 * handler passes on to node:http): the fenced agents below check those once more on the socket.
 */
const passed = new WeakMap<object, string>();

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
  const check = (next: Handler, context: { commandName?: string }) => (args: { request?: unknown }) => {
    const operation = operationName(context.commandName);
    if (MUTATING_OPERATIONS.has(operation)) {
      const op = `${service}.${operation}`;
      try {
        fence.check(op);
      } catch (err) {
        // A rejection, as any failed call: never a throw out of `send`.
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      const headers = (args.request as { headers?: object } | undefined)?.headers;
      if (headers) passed.set(headers, op);
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

/**
 * HTTP agents (keep-alive, as the SDK's own) that check the fence a last time once a write's socket
 * is ready to carry it: node:http queues a request's bytes until its socket has connected, so a
 * process paused between the middleware's check and the connection would otherwise send them on
 * resuming. A request refused here is destroyed before any byte of it is written.
 */
export function fencedAgents(fence: WriteFence): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const guard = (req: http.ClientRequest, options: { headers?: unknown }) => {
    const op =
      typeof options.headers === 'object' && options.headers ? passed.get(options.headers) : undefined;
    if (op === undefined) return;
    req.prependOnceListener('socket', (socket: Socket) => {
      const last = () => {
        try {
          fence.check(op);
        } catch (err) {
          req.destroy(err as Error);
        }
      };
      if (socket.connecting) socket.prependOnceListener('connect', last);
      else last();
    });
  };
  const options = { keepAlive: true, maxSockets: 50 };
  // addRequest is node:http's internal hook where a request meets its agent (not in the typings).
  type AddRequest = (req: http.ClientRequest, opts: { headers?: unknown }) => void;
  const fenced = <A extends http.Agent>(agent: A): A => {
    const internal = agent as unknown as { addRequest: AddRequest };
    const add = internal.addRequest.bind(agent);
    internal.addRequest = (req, opts) => {
      guard(req, opts);
      add(req, opts);
    };
    return agent;
  };
  return { httpAgent: fenced(new http.Agent(options)), httpsAgent: fenced(new https.Agent(options)) };
}
