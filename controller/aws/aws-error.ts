/** The AWS error code and message of whatever a port threw (SDK errors carry the code as `name`). */
export function describeAwsError(err: unknown): { code: string; message: string } {
  if (err instanceof Error) return { code: err.name || 'Error', message: err.message };
  return { code: 'Error', message: String(err) };
}
