/**
 * `--var-file FILE`: template variables, one `NAME=VALUE` a line. The value is the rest of the line
 * exactly as written (no quotes removed, nothing expanded: the same text `--var NAME=VALUE` would
 * get); blank lines and lines starting with `#` are skipped. A malformed line is an error with its
 * file and line.
 */
import { readFileSync } from 'node:fs';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseVarFileText(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq) : '';
    if (!NAME.test(name)) {
      // The line itself is not repeated: it may hold a secret.
      throw new Error(`${file}:${i + 1}: expected NAME=VALUE (a name of letters, digits and _, then =)`);
    }
    out[name] = line.slice(eq + 1);
  });
  return out;
}

export function readVarFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--var-file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseVarFileText(text, file);
}
