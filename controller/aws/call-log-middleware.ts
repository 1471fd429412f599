import { stampOperation } from './aws-error';
import { isThrottlingError } from './retryable';
import type { CallLog } from './call-log';

/** What we need of an SDK client's middleware stack (structural, so ECS and STS clients both fit). */
interface StackLike {
  add(middleware: unknown, options: Record<string, unknown>): void;
}

type Handler = (args: { request?: unknown }) => Promise<unknown>;
interface Context {
  commandName?: string;
}

/** `DescribeServicesCommand` -> `DescribeServices`. */
export function operationName(commandName: string | undefined): string {
  const name = commandName ?? 'Unknown';
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}

/** The standard retry strategy stamps every attempt with `amz-sdk-request: attempt=N; max=M`. */
function attemptOf(request: unknown): number | undefined {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers;
  const m = /attempt=(\d+)/.exec(headers?.['amz-sdk-request'] ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * An error made in another JavaScript realm (Node's own socket errors, seen from a vm context such
 * as jest's) is no `instanceof Error` here: the SDK's retry middleware would replace it, once the
 * attempts end, with an "AWS SDK error wrapper" that keeps neither its name (`TimeoutError`) nor
 * its code (`ECONNRESET`), and a caller could no longer tell that the call is safe to try again.
 * So it is rebuilt as an Error of this realm with the same fields.
 */
export function ownRealmError(err: unknown): unknown {
  if (err instanceof Error || typeof err !== 'object' || err === null) return err;
  const e = err as { name?: unknown; message?: unknown; stack?: unknown };
  if (typeof e.name !== 'string' || typeof e.message !== 'string') return err;
  const own = Object.assign(new Error(e.message), err, { name: e.name });
  if (typeof e.stack === 'string') own.stack = e.stack;
  return own;
}

/** The code a settled call reports to CallLog listeners: "OK", or the SDK error's name (the AWS code). */
export function errorCode(err: unknown): string {
  return err instanceof Error && err.name ? err.name : 'Error';
}

/**
 * Counts calls into the CallLog: one per logical call at `initialize` (before retries; listeners are
 * told its outcome once it settles, after every retry), and one
 * retry per attempt after the first, seen in `finalizeRequest` below the retry middleware (which is
 * `finalizeRequest`/`high`), where every attempt passes.
 */
export function addCallLogMiddleware(
  client: { middlewareStack: StackLike },
  service: string,
  log: CallLog,
): void {
  client.middlewareStack.add(
    (next: Handler, context: Context) => (args: { request?: unknown }) => {
      const operation = operationName(context.commandName);
      log.record(service, operation);
      return next(args).then(
        (out) => {
          log.settled(service, operation, 'OK');
          return out;
        },
        (err: unknown) => {
          log.settled(service, operation, errorCode(err));
          // So that an error reported far from here names the API call (the SDK's errors do not).
          stampOperation(err, `${service}.${operation}`);
          throw err;
        },
      );
    },
    { step: 'initialize', name: 'ecsGitopsCallLog', priority: 'high', override: true },
  );
  client.middlewareStack.add(
    (next: Handler, context: Context) => (args: { request?: unknown }) => {
      const attempt = attemptOf(args.request);
      const operation = operationName(context.commandName);
      if (attempt !== undefined && attempt > 1) log.recordRetry(service, operation);
      return next(args).catch((err: unknown) => {
        // Every throttled attempt, the ones the SDK retries on its own included: the wasted calls.
        if (isThrottlingError(err)) log.recordThrottled(service, operation);
        throw ownRealmError(err);
      });
    },
    { step: 'finalizeRequest', name: 'ecsGitopsRetryLog', priority: 'low', override: true },
  );
}
