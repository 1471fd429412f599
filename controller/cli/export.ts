import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { readLiveCluster } from '../export/export-reader';
import { exportCluster, type ClusterExport } from '../export/export-cluster';
import { awsErrorLine } from './aws-error-line';
import { CLUSTER_CONFIG_NAMES, parseSpecFileName } from '../specfiles';
import type { AwsContext, AwsOptions } from './aws-context';
import { addAwsOptions, withContext, writeDiagnostics } from './common';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { awsCallsLine, stdoutOutput, type Output } from './output';

export interface ExportCliOptions extends AwsOptions {
  prefix?: string;
  families?: string | true;
  force?: boolean;
  dryRun?: boolean;
}

/**
 * `export CLUSTER DIR`: writes a cluster directory for a cluster that exists, so that it can move
 * into git in one step. Reads only; applying the directory back plans no field change.
 */
export function registerExport(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('export')
    .description(
      'write a cluster directory (cluster.yaml, .taskdef and .service files) for an existing cluster; reads AWS, changes nothing',
    )
    .argument('<cluster>', 'the ECS cluster name')
    .argument('<dir>', 'the directory to write (created if missing; it must be empty unless --force)')
    .option(
      '--prefix <prefix>',
      'family prefix: export only the families that start with "<prefix>-" (default: one that keeps every family name)',
    )
    .option(
      '--families [prefix]',
      'also the task definition families no service runs (scheduled tasks, RunTask jobs) under "<prefix>-" ' +
        '(default: the export prefix); on a cluster ecs-gitops owns, its own families are always exported',
    )
    .option('--force', 'write into a directory that is not empty (files of the same name are replaced)')
    .option('--dry-run', 'list the files it would write, and write nothing');
  addAwsOptions(cmd);
  cmd.action(async (cluster: string, dir: string, opts: ExportCliOptions) =>
    setExit(await runExport(cluster, dir, opts)),
  );
}

export async function runExport(cluster: string, dir: string, opts: ExportCliOptions): Promise<number> {
  return withContext(opts, (ctx) => exportWithContext(ctx, cluster, dir, opts));
}

/** The command on a given AWS context (tests read `ctx.callLog` afterwards). */
export async function exportWithContext(
  ctx: AwsContext,
  cluster: string,
  dir: string,
  opts: ExportCliOptions,
): Promise<number> {
  const out = stdoutOutput(true);
  const fail = (message: string): number => {
    writeDiagnostics(`error: ${message}\n`);
    return EXIT_ERROR;
  };
  // Before any AWS call: a directory that cannot take the files is refused at once.
  const entries = dirEntries(dir);
  if (typeof entries === 'string') return fail(entries);
  const busy = entries.length > 0 && !opts.force;
  if (busy && !opts.dryRun) {
    return fail(
      `${dir} is not empty (${entries.length} entries): give an empty directory, or --force to write into it`,
    );
  }

  const region = await ctx.defaultRegion();
  if (!region) return fail('no region: pass --region or set AWS_REGION');
  let result: ClusterExport | { error: string };
  try {
    const prefix = opts.prefix !== undefined ? { prefix: opts.prefix } : {};
    const families = opts.families !== undefined ? { families: opts.families } : {};
    const live = await readLiveCluster(await ctx.forRegion(region), cluster, region, {
      ...prefix,
      ...families,
    });
    if (!live)
      return fail(`cluster ${cluster} does not exist in ${region} (or is INACTIVE): nothing to export`);
    result = exportCluster(live, { ...prefix, families: opts.families !== undefined });
  } catch (err) {
    return fail(`cannot read cluster ${cluster}: ${awsErrorLine(err)}`);
  }
  if ('error' in result) return fail(`cannot export cluster ${cluster}: ${result.error}`);

  if (opts.dryRun) {
    out.write(`Would write ${result.files.length} files to ${dir} (dry run: nothing written):\n`);
    report(out, result);
    if (busy) out.write(`note: ${dir} is not empty: writing there needs --force\n`);
  } else {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of result.files) fs.writeFileSync(path.join(dir, f.name), f.text);
    const others = otherSpecFiles(entries, result);
    if (others.length > 0) {
      writeDiagnostics(
        `warning: ${dir} also holds ${others.join(', ')}, not written by this export: they are part of the ` +
          'cluster directory too; remove them unless they belong there\n',
      );
    }
    out.write(`Wrote ${result.files.length} files to ${dir}:\n`);
    report(out, result);
    out.write(
      result.owned
        ? `Next: ecs-gitops diff ${dir}  (ecs-gitops already manages this cluster: it shows no change)\n`
        : `Next: ecs-gitops adopt ${dir}  (tags these resources as ecs-gitops's, so that the next apply manages them)\n`,
    );
  }
  reportRenamed(result);
  out.write(`${awsCallsLine(ctx.callLog)}\n`);
  return EXIT_OK;
}

function report(out: Output, result: ClusterExport): void {
  const width = Math.max(...result.files.map((f) => f.name.length));
  for (const f of result.files) out.write(`  ${f.name.padEnd(width)}  ${f.about}\n`);
  for (const n of result.notes) out.write(`note: ${n}\n`);
}

/**
 * One note on stderr per file written under another name than the spec file it was applied from: a
 * template is exported as the plain file it rendered to, YAML as JSON. stderr, so that a user who
 * keeps templates in git sees it whatever stdout goes to (a JSON line with --log-format json).
 */
function reportRenamed(result: ClusterExport): void {
  for (const f of result.files) {
    if (f.from === undefined) continue;
    const what = /\.template(\.|$)/.test(f.from)
      ? 'the plain file it rendered to'
      : 'the same content as JSON';
    writeDiagnostics(`note: ${f.from} is exported as ${f.name}: ${what}\n`);
  }
}

/** The names in `dir` ([] when it does not exist yet), or why it cannot be used. */
function dirEntries(dir: string): string[] | string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return [];
  }
  if (!stat.isDirectory()) return `${dir} exists and is not a directory`;
  return fs.readdirSync(dir).sort();
}

/** Spec files already in the directory that this export did not write (with --force). */
function otherSpecFiles(entries: readonly string[], result: ClusterExport): string[] {
  const written = new Set(result.files.map((f) => f.name));
  return entries.filter(
    (e) =>
      !written.has(e) &&
      (parseSpecFileName(e) !== undefined || (CLUSTER_CONFIG_NAMES as readonly string[]).includes(e)),
  );
}
