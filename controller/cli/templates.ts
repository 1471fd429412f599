import path from 'node:path';
import type { Command } from 'commander';
import { CRDS_DIR, starterTemplate } from '../specfiles';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { writeDiagnostics } from './common';

const KINDS = ['taskdef', 'service', 'cluster'] as const;

/** `templates taskdef|service|cluster`: an annotated starting spec (replaces `make templates`). */
export function registerTemplates(program: Command, setExit: (code: number) => void): void {
  program
    .command('templates')
    .description('print an annotated starting spec: taskdef, service or cluster')
    .argument('<kind>', KINDS.join(' | '))
    .option(
      '--schema-base <url-or-path>',
      "where the printed $schema line points (default: this install's crds/, relative to the current directory)",
    )
    .action((kind: string, opts: { schemaBase?: string }) => {
      if (!(KINDS as readonly string[]).includes(kind)) {
        writeDiagnostics(`error: unknown kind "${kind}"; choose one of ${KINDS.join(', ')}\n`);
        setExit(EXIT_ERROR);
        return;
      }
      const base =
        opts.schemaBase ?? (path.relative(process.cwd(), CRDS_DIR).split(path.sep).join('/') || '.');
      process.stdout.write(starterTemplate(kind as (typeof KINDS)[number], base));
      setExit(EXIT_OK);
    });
}
