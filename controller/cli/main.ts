import { scrubSecrets } from '../telemetry/secret-mask';
import { Command, CommanderError } from 'commander';
import { registerAdopt } from './adopt';
import { registerApply } from './apply';
import { knownAwsErrorLine } from './aws-error-line';
import { describeAwsError } from '../aws/aws-error';
import { cliLogger, configureLogging, writeDiagnostics } from './common';
import { registerDestroy } from './destroy';
import { registerDiff } from './diff';
import { EXIT_ERROR } from './exit-codes';
import { nodeSupportNotice } from './node-support';
import { registerExport } from './export';
import { registerRun } from './run';
import { registerStatus } from './status';
import { registerTemplates } from './templates';
import { registerValidate } from './validate';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require('../../package.json') as { version: string }).version;

/** Parses argv, runs one command, and returns its exit code (the bin sets process.exitCode). */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('ecs-gitops')
    .description(
      'GitOps for Amazon ECS: make task definitions, services and clusters match a directory of specs',
    )
    .version(VERSION)
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent (env ECS_GITOPS_LOG_LEVEL)')
    .option(
      '--log-format <format>',
      'json, text or pretty (env ECS_GITOPS_LOG_FORMAT; default: json for run, text for the other commands)',
    )
    .exitOverride()
    // Usage errors echo what was typed (`--db-password=...` as an unknown option): scrubbed too.
    .configureOutput({ writeErr: (text) => void process.stderr.write(scrubSecrets(text)) })
    .showHelpAfterError();
  program.hook('preAction', (thisCommand, actionCommand) => {
    const g = thisCommand.opts<{ logLevel?: string; logFormat?: string }>();
    configureLogging(actionCommand.name(), g.logLevel, g.logFormat);
    const log = cliLogger();
    log.debug({ version: VERSION, node: process.version }, 'ecs-gitops starting');
    const notice = nodeSupportNotice();
    if (notice) log.warn(notice);
  });
  registerValidate(program, setExit);
  registerDiff(program, setExit);
  registerApply(program, setExit);
  registerDestroy(program, setExit);
  registerAdopt(program, setExit);
  registerExport(program, setExit);
  registerTemplates(program, setExit);
  registerStatus(program, setExit);
  registerRun(program, setExit);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors (already printed by commander) exit 1.
      return err.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    // An AWS error outside a command's own handling (reading the account id while loading specs)
    // still gets its remedy.
    const line = knownAwsErrorLine(describeAwsError(err));
    writeDiagnostics(`error: ${line ?? (err instanceof Error ? err.message : String(err))}\n`);
    return EXIT_ERROR;
  }
  return exitCode;
}
