import type { Command } from 'commander';
import { starterTemplate } from '../spec';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';

const KINDS = ['taskdef', 'service', 'cluster'] as const;

/** `templates taskdef|service|cluster`: an annotated starting spec (replaces `make templates`). */
export function registerTemplates(program: Command, setExit: (code: number) => void): void {
  program
    .command('templates')
    .description('print an annotated starting spec: taskdef, service or cluster')
    .argument('<kind>', KINDS.join(' | '))
    .action((kind: string) => {
      if (!(KINDS as readonly string[]).includes(kind)) {
        process.stderr.write(`error: unknown kind "${kind}"; choose one of ${KINDS.join(', ')}\n`);
        setExit(EXIT_ERROR);
        return;
      }
      process.stdout.write(starterTemplate(kind as (typeof KINDS)[number]));
      setExit(EXIT_OK);
    });
}
