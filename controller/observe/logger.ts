import pino, { type DestinationStream, type Logger } from 'pino';
import { Writable } from 'node:stream';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  level?: string;
  /** json: one JSON object per line (for machines); text: `LEVEL message key=value` (for a terminal). */
  format?: LogFormat;
  /** Where logs go. The CLI uses stderr so that stdout carries only results. */
  stream?: NodeJS.WritableStream;
}

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
  const dest: DestinationStream = opts.format === 'text' ? textStream(stream) : stream;
  return pino({ level: opts.level ?? 'info', base: undefined, redact: REDACT }, dest);
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
