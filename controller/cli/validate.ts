import type { Command } from 'commander';
import { formatSpecError } from '../model/source';
import type { LintFinding } from '../specfiles';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { addSpecOptions, type CommonOptions } from './common';
import { loadSpecDirs, warningsOf } from './load-specs';

export interface ValidateOptions extends CommonOptions {
  output: string;
}

/** `validate`: offline. Every error of every file, with file, line, column and field. */
export function registerValidate(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('validate')
    .description('check specs offline: syntax, schema, references, names (no AWS calls)')
    .argument('[dirs...]', 'cluster directories (a directory holding several expands to them)', [])
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--region <region>', 'value of ${REGION} for directories whose cluster.yaml has none');
  addSpecOptions(cmd);
  cmd.action(async (dirs: string[], opts: ValidateOptions) => setExit(await runValidate(dirs, opts)));
}

export async function runValidate(dirs: string[], opts: ValidateOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json']);
  const out = stdoutOutput(true);
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  // No account id offline: ${ACCOUNT_ID} gets a placeholder unless ACCOUNT_ID is in the environment.
  const loaded = await loadSpecDirs(dirs, opts, region);
  const ok = loaded.every((l) => l.result.errors.length === 0);
  if (format === 'json') {
    out.write(
      toJsonText({
        schemaVersion: 1,
        valid: ok,
        directories: loaded.map(({ dir, result }) => ({
          dir,
          cluster: result.state?.cluster.name,
          files: result.files,
          errors: result.errors,
          warnings: result.warnings,
          // Every policy finding, at warn and at deny (those at deny are in errors as well).
          findings: result.findings,
        })),
      }),
    );
  } else {
    for (const { dir, result } of loaded) {
      for (const e of result.errors) out.write(`error: ${formatSpecError(e)}\n`);
      for (const w of warningsOf(result)) out.write(`warning: ${formatSpecError(w)}\n`);
      const s = result.state;
      out.write(
        s
          ? `${dir}: valid: cluster ${s.cluster.name}, ${s.taskDefinitions.length} task definition(s), ${s.services.length} service(s)${policyCount(result.findings)}\n`
          : `${dir}: ${result.errors.length} error(s)\n`,
      );
    }
  }
  return ok ? EXIT_OK : EXIT_ERROR;
}

/** `, 3 policy warning(s) (log-configuration 2, image-tag 1)`: which rules to look at, in one line. */
function policyCount(findings: readonly LintFinding[]): string {
  const warned = findings.filter((f) => f.level === 'warn');
  if (warned.length === 0) return '';
  const byRule = new Map<string, number>();
  for (const f of warned) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
  const rules = [...byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return `, ${warned.length} policy warning(s) (${rules.map(([r, n]) => `${r} ${n}`).join(', ')})`;
}
