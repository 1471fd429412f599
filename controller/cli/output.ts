import type { CallLog } from '../aws/call-log';
import { scrubSecrets } from '../telemetry/secret-mask';

/**
 * Where results go (stdout) and whether they may be coloured. Logs go to stderr, never here. What is
 * written is scrubbed of credential-looking text and known secret values (telemetry/secret-mask.ts):
 * plans are redacted already, but results carry AWS's error messages as AWS wrote them.
 */
export interface Output {
  write(text: string): void;
  color: boolean;
}

export type OutputFormat = 'text' | 'json' | 'markdown';

export function stdoutOutput(noColorFlag: boolean): Output {
  const color =
    !noColorFlag && process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return { write: (text) => void process.stdout.write(scrubSecrets(text)), color };
}

export function parseFormat(value: string, allowed: readonly OutputFormat[]): OutputFormat {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`--output must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as OutputFormat;
}

export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * `AWS calls: 12 (3 mutating): ECS.CreateService 1, ...` for the end of a command's output; when the
 * SDK retried, the requests sent too: `AWS calls: 96 (12 mutating; 113 attempts, 17 retries): ...`.
 */
export function awsCallsLine(log: CallLog): string {
  const parts = Object.entries(log.snapshot()).map(([op, n]) => `${op} ${n}`);
  const retries = log.retryTotal();
  const attempts = retries > 0 ? `; ${log.total() + retries} attempts, ${retries} retries` : '';
  // Throttled attempts are wasted calls (retried, never an error); shown only when there were some.
  const throttled = log.throttledTotal();
  const wasted = throttled > 0 ? `; ${throttled} throttled, retried` : '';
  return `AWS calls: ${log.total()} (${log.mutatingTotal()} mutating${attempts}${wasted})${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * The `awsCalls` of a JSON document: calls (one per logical call), the mutating ones, the requests
 * the SDK's retries added (`attempts` = `total` + `retries`), and the attempts AWS throttled, per
 * operation too.
 */
export function awsCallsJson(log: CallLog): Record<string, unknown> {
  const retries = log.retryTotal();
  return {
    total: log.total(),
    mutating: log.mutatingTotal(),
    attempts: log.total() + retries,
    retries,
    byOperation: log.snapshot(),
    retriesByOperation: log.retrySnapshot(),
    throttled: log.throttledTotal(),
    throttledByOperation: log.throttledSnapshot(),
  };
}
