import pino, { type DestinationStream, type Logger } from 'pino';
import { Writable } from 'node:stream';
import { DEFAULT_SECRET_MATCHER } from '../model/secret-detection';
import { scrubSecrets } from './secret-mask';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'text' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text', 'pretty'];

export interface LoggerOptions {
  level?: string;
  /**
   * json: one JSON object per line (for machines); text: `LEVEL message key=value` (short, for a
   * terminal); pretty: pino-pretty (multi-line fields, colours on a terminal).
   */
  format?: LogFormat;
  /** Where logs go. The CLI uses stderr so that stdout carries only results; `run` uses stdout. */
  stream?: NodeJS.WritableStream;
  /** pretty only. Default: when the stream is a TTY and NO_COLOR is not set. */
  colorize?: boolean;
}

/** The value a secret is replaced with (pino's own censor text). */
export const REDACTED = '[Redacted]';

/** Keys whose values never reach a log line (credentials, tokens, webhook secrets). */
const REDACT = [
  '*.secretAccessKey',
  '*.sessionToken',
  '*.password',
  '*.token',
  '*.secret',
  'secret',
  'token',
];

export function createLogger(opts: LoggerOptions = {}): Logger {
  const stream = opts.stream ?? process.stderr;
  const dest: DestinationStream = scrubbing(
    opts.format === 'text'
      ? textStream(stream)
      : opts.format === 'pretty'
        ? prettyStream(stream, opts.colorize ?? isColorTerminal(stream))
        : stream,
  );
  const log = pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      redact: REDACT,
      // Paths cannot say "any key that looks like a secret, at any depth"; this can.
      formatters: { log: (obj) => redactSecrets(obj) as Record<string, unknown> },
    },
    dest,
  );
  // Child bindings skip formatters.log (and pino resets formatters.bindings for children), so
  // they are redacted here; children inherit this `child`, so grandchildren are covered too.
  // Called with each child as `this` below, so it must stay unbound.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const pinoChild = log.child;
  const child = function (this: Logger, bindings: Record<string, unknown>, options?: object) {
    return pinoChild.call(this, redactSecrets(bindings) as Record<string, unknown>, options);
  };
  (log as unknown as { child: typeof child }).child = child;
  return log;
}

/**
 * Every serialized line is scrubbed (secret-mask.ts) before it is formatted: the message and
 * errors' messages skip the key-based redaction below, and may quote a secret value.
 */
function scrubbing(dest: DestinationStream): DestinationStream {
  return { write: (line: string) => dest.write(scrubSecrets(line)) };
}

export function parseLogFormat(value: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(value)) {
    throw new Error(`--log-format must be one of ${LOG_FORMATS.join(', ')} (got "${value}")`);
  }
  return value as LogFormat;
}

function isColorTerminal(stream: NodeJS.WritableStream): boolean {
  return (
    (stream as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
  );
}

function prettyStream(out: NodeJS.WritableStream, colorize: boolean): DestinationStream {
  // sync: a line is written before the call returns, so nothing is lost when the process exits.
  // Loaded only for --log-format pretty: a service writing JSON never pays for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinoPretty = require('pino-pretty') as typeof import('pino-pretty');
  return pinoPretty({ destination: out, colorize, sync: true, translateTime: 'SYS:HH:MM:ss.l' });
}

/**
 * Words that make a name (environment variable, object key) a secret's: WEBHOOK_SECRET,
 * GITHUB_TOKEN, DB_PASSWORD, apiKey, secretAccessKey, authorization, ...
 */
const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'token',
  'tokens',
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'pwd',
  'credential',
  'credentials',
  'auth',
  'authorization',
  'cookie',
  'signature',
  'dsn',
  'apikey',
  'privatekey',
]);
/** Run-together spellings (GITHUBTOKEN, dbpassword) that word splitting misses. */
const SECRET_SUBSTRINGS = /secret|token|passw|credential|apikey|privatekey/i;

/**
 * True when a name looks like it holds a secret: by the plan's rules (model/secret-detection.ts)
 * and by these, which also split camelCase (`dbPassword`, `apiKey`). `key` counts as the last word
 * of a longer name (API_KEY, ssh-key, accessKey) but not alone: `{ key, value }` is how AWS spells tags.
 */
export function isSecretName(name: string): boolean {
  if (SECRET_SUBSTRINGS.test(name) || DEFAULT_SECRET_MATCHER.isSecretName(name)) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  const last = words[words.length - 1];
  return words.length > 1 && (last === 'key' || last === 'keys');
}

/** `https://user:pass@host` -> `https://user:[Redacted]@host`, anywhere in a string. */
export function redactUrlPasswords(value: string): string {
  return value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]+@/gi, `$1${REDACTED}@`);
}

/**
 * A copy of a value to log with secrets removed, at any depth: values under secret-looking keys,
 * `{ name, value }` pairs with a secret-looking name (ECS container environment, template
 * variables), field diffs `{ path, before, after }` whose path names a secret, and in strings
 * credential-looking text and known secret values (secret-mask.ts).
 * Errors and other class instances are kept as they are (pino's serializers handle them).
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object' || depth > 12) return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((v) => redactSecrets(v, depth + 1, seen));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  const obj = value as Record<string, unknown>;
  const pairName = typeof obj.name === 'string' && 'value' in obj ? obj.name : undefined;
  const diffPath = typeof obj.path === 'string' && ('before' in obj || 'after' in obj) ? obj.path : undefined;
  const secretDiff =
    diffPath !== undefined && diffPath.split(/[.[\]]+/).some((seg) => seg && isSecretName(seg));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const secret =
      (isSecretName(k) && v !== undefined && v !== null) ||
      (k === 'value' && pairName !== undefined && isSecretName(pairName)) ||
      ((k === 'before' || k === 'after') && secretDiff && v !== undefined);
    out[k] = secret ? REDACTED : redactSecrets(v, depth + 1, seen);
  }
  return out;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Renders pino's JSON lines as short human lines; a few lines instead of another dependency. */
function textStream(out: NodeJS.WritableStream): DestinationStream {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const { level, time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const fields = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          const t = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
          out.write(
            `${t} ${(LEVELS[level as number] ?? 'LOG').padEnd(5)} ${typeof msg === 'string' ? msg : JSON.stringify(msg ?? '')}${fields ? ` ${fields}` : ''}\n`,
          );
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
