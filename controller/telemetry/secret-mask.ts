/**
 * The last line of defence before anything is written (stdout, stderr, logs, `/status`): text that
 * looks like a credential is replaced, and so is every secret value the process has been told
 * about (from the specs it loaded and the template variables it was given), the way CI systems
 * mask their own secrets. The planner already redacts what it shows; this catches free text it
 * never sees, such as an AWS error message quoting a request.
 */
import { redactCredentialsInText, SENSITIVE_VALUE } from '../model/secret-detection';

/**
 * Shorter values, and single words of letters, are not masked by exact match: a secret of `1`,
 * `true` or `unchanged` would otherwise replace every such word in the output, JSON included. They
 * are still redacted wherever the plan shows them.
 */
export const MIN_MASKED_LENGTH = 8;

function maskable(v: string): boolean {
  return v.length >= MIN_MASKED_LENGTH && !/^[A-Za-z]+$/.test(v);
}

const known = new Set<string>();
let pattern: RegExp | undefined;

/** Secret values to mask from now on in this process (kept until it exits). */
export function maskSecretValues(values: Iterable<string>): void {
  for (const v of values) {
    if (!maskable(v)) continue;
    known.add(v);
    // As JSON output and log lines spell it (quotes, backslashes, newlines escaped).
    known.add(JSON.stringify(v).slice(1, -1));
  }
  pattern = undefined;
}

/** Forgets every value given to maskSecretValues (for tests). */
export function forgetSecretValues(): void {
  known.clear();
  pattern = undefined;
}

/** `text` with credential-looking parts and known secret values replaced by `(sensitive value)`. */
export function scrubSecrets(text: string): string {
  const out = redactCredentialsInText(text);
  if (known.size === 0) return out;
  // Longest first, so that a value containing another is replaced whole.
  pattern ??= new RegExp(
    [...known]
      .sort((a, b) => b.length - a.length)
      .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return out.replace(pattern, SENSITIVE_VALUE);
}
