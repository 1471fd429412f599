import { Command, CommanderError } from 'commander';
import { registerAdopt } from './adopt';
import { registerApply } from './apply';
import { configureLogging } from './common';
import { registerDestroy } from './destroy';
import { registerDiff } from './diff';
import { EXIT_ERROR } from './exit-codes';
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
    .option('--log-format <format>', 'json, text or pretty (default: text on a terminal, else json)')
    .exitOverride()
    .showHelpAfterError();
  program.hook('preAction', (thisCommand) => {
    const g = thisCommand.opts<{ logLevel?: string; logFormat?: string }>();
    configureLogging(g.logLevel, g.logFormat);
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
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_ERROR;
  }
  return exitCode;
}
