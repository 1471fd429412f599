/** The AWS error code and message of whatever a port threw (SDK errors carry the code as `name`). */
export function describeAwsError(err: unknown): { code: string; message: string } {
  if (err instanceof Error) return { code: err.name || 'Error', message: err.message };
  return { code: 'Error', message: String(err) };
}

/** Errors worth retrying later rather than reporting as the user's problem. */
export function isTransient(err: unknown): boolean {
  const { code } = describeAwsError(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return (
    /Throttl|TooManyRequests|RequestLimitExceeded|PriorRequestNotComplete|ServiceUnavailable|ServerException/.test(
      code,
    ) ||
    (typeof status === 'number' && status >= 500)
  );
}
