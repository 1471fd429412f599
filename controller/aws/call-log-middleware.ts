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
 * Counts calls into the CallLog: one per logical call at `initialize` (before retries), and one
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
      log.record(service, operationName(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'ecsGitopsCallLog', priority: 'high', override: true },
  );
  client.middlewareStack.add(
    (next: Handler, context: Context) => (args: { request?: unknown }) => {
      const attempt = attemptOf(args.request);
      if (attempt !== undefined && attempt > 1) log.recordRetry(service, operationName(context.commandName));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'ecsGitopsRetryLog', priority: 'low', override: true },
  );
}
