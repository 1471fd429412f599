import { Option, type Command } from 'commander';
import { createLogger, parseLogFormat, type LogFormat, type Logger } from '../telemetry/logger';
import { scrubSecrets } from '../telemetry/secret-mask';
import { AwsContext, type AwsOptions } from './aws-context';
import type { SpecOptions } from './load-specs';

export interface CommonOptions extends SpecOptions, AwsOptions {}

/** Logging settings from the global flags, set once before any command runs. */
const logSettings: { level: string; format: LogFormat; stream: NodeJS.WritableStream } = {
  level: 'info',
  // Until the flags are read (a bad --log-format is itself reported): for people.
  format: 'text',
  stream: process.stderr,
};

/**
 * `run` is a service: JSON logs, for a log pipeline. Every other command is run by a person or a CI
 * job whose log a person reads, so it writes short text lines, on a terminal or not.
 */
export function configureLogging(command: string, level?: string, format?: string): void {
  logSettings.level = level ?? process.env.ECS_GITOPS_LOG_LEVEL ?? 'info';
  logSettings.format = parseLogFormat(
    format ?? process.env.ECS_GITOPS_LOG_FORMAT ?? (command === 'run' ? 'json' : 'text'),
  );
  // The controller's output is its log (stdout); a command's stdout carries only its results.
  logSettings.stream = command === 'run' ? process.stdout : process.stderr;
}

export function cliLogger(stream: NodeJS.WritableStream = logSettings.stream): Logger {
  return createLogger({ level: logSettings.level, format: logSettings.format, stream });
}

/**
 * Writes a command's diagnostics, `error: ...`, `warning: ...` and `note: ...` lines, to stderr: as
 * they are for people, or with `--log-format json` as JSON log lines (level error, warn or info), so
 * that a machine reading stderr gets nothing but JSON. Shown whatever --log-level says: they are not
 * progress. Credential-looking text and known secret values never get through (an AWS error may
 * quote the request that carried them).
 */
export function writeDiagnostics(text: string): void {
  if (logSettings.format !== 'json') {
    process.stderr.write(scrubSecrets(text));
    return;
  }
  const log = createLogger({ level: 'info', format: 'json', stream: process.stderr });
  for (const line of text.split('\n')) {
    if (!line) continue;
    const m = /^(error|warning|note): (.*)$/.exec(line);
    if (m?.[1] === 'warning') log.warn(m[2]);
    else if (m?.[1] === 'note') log.info(m[2]);
    else log.error(m ? m[2] : line);
  }
}

export function addSpecOptions(cmd: Command): Command {
  return cmd
    .option('--cluster <name>', 'cluster name, for a directory without cluster.yaml (an ecs-efs directory)')
    .option(
      '--prefix <prefix>',
      'task definition family prefix for such a directory (default: the cluster name)',
    )
    .option(
      '--config <file>',
      'a cluster.yaml kept outside the directory (an ecs-efs directory left unchanged)',
    )
    .option('--var <KEY=VALUE>', 'template variable (repeatable); overrides the environment', collect, []);
}

export function addAwsOptions(cmd: Command): Command {
  return cmd
    .option(
      '--region <region>',
      'AWS region when cluster.yaml has none (default: AWS_REGION, AWS_DEFAULT_REGION or the profile)',
    )
    .addOption(
      new Option('--endpoint <url>', 'AWS endpoint (moto, LocalStack); AWS_ENDPOINT_URL is honoured too').env(
        'ECS_GITOPS_ENDPOINT',
      ),
    )
    .option(
      '--sandbox [state-file]',
      'use the in-memory sandbox account instead of AWS, optionally saved to a file',
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs a command with its AWS context and logger, and always saves the sandbox state afterwards. */
export async function withContext<T>(
  opts: AwsOptions,
  fn: (ctx: AwsContext, log: Logger) => Promise<T>,
): Promise<T> {
  const ctx = new AwsContext(opts);
  const log = cliLogger();
  try {
    return await fn(ctx, log);
  } finally {
    await ctx.close();
  }
}
