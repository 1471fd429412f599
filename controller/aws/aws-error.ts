/** The AWS call an error came from (`ECS.CreateService`), recorded on it by the SDK middleware. */
const OPERATION = '$ecsGitopsOperation';

/** Records on an SDK error the call that failed, unless an inner call already did. */
export function stampOperation(err: unknown, operation: string): void {
  if (typeof err !== 'object' || err === null) return;
  const e = err as Record<string, unknown>;
  if (typeof e[OPERATION] !== 'string') e[OPERATION] = operation;
}

/**
 * `p`, its rejection stamped with the call (`ECS.CreateService`): the sandbox's ports do what the
 * SDK middleware does, so that an error from a sandbox run names its call too.
 */
export function withOperation<T>(operation: string, p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    stampOperation(err, operation);
    throw err;
  });
}

/** The AWS call an error came from, when an SDK client (or a sandbox port) made it. */
export function operationOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const op = (err as Record<string, unknown>)[OPERATION];
  return typeof op === 'string' ? op : undefined;
}

/** The AWS error code and message of whatever a port threw (SDK errors carry the code as `name`). */
export function describeAwsError(err: unknown): { code: string; message: string; operation?: string } {
  const operation = operationOf(err);
  const named = operation ? { operation } : {};
  if (err instanceof Error) return { code: err.name || 'Error', message: err.message, ...named };
  return { code: 'Error', message: String(err), ...named };
}
