import type { Command } from 'commander';
import { planConflicts, planHasChanges, type Plan } from '../plan/plan-types';
import { planToJson, renderPlanMarkdown, renderPlanText } from '../plan';
import { planDesiredState } from '../reconcile/reconcile-cluster';
import { describeAwsError } from '../reconcile/aws-error';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { addAwsOptions, addSpecOptions, type CommonOptions, withContext } from './common';
import { formatErrors, formatWarnings, loadSpecDirs } from './load-specs';
import type { SpecError } from '../model/source';

export interface DiffOptions extends CommonOptions {
  output: string;
  color: boolean;
  showUnchanged?: boolean;
}

interface DirFailure {
  dir: string;
  errors: SpecError[];
  awsError?: { code: string; message: string };
}

/** `diff`: the plan, field by field. Exit 0 nothing to change, 2 changes, 1 error (or conflicts). */
export function registerDiff(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('diff')
    .description('show what apply would change, field by field (reads AWS, changes nothing)')
    .argument('[dirs...]', 'cluster directories (a directory holding several expands to them)', [])
    .option('-o, --output <format>', 'text, json or markdown (for pull request comments)', 'text')
    .option('--no-color', 'never colour the output (colour is only used on a terminal anyway)')
    .option('--show-unchanged', 'list unchanged resources too');
  addSpecOptions(cmd);
  addAwsOptions(cmd);
  cmd.action(async (dirs: string[], opts: DiffOptions) => setExit(await runDiff(dirs, opts)));
}

export async function runDiff(dirs: string[], opts: DiffOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json', 'markdown']);
  const out = stdoutOutput(!opts.color);
  return withContext(opts, async (ctx, log) => {
    const defaultRegion = await ctx.defaultRegion();
    const loaded = await loadSpecDirs(dirs, opts, defaultRegion, async (r) =>
      (await ctx.forRegion(r ?? defaultRegion ?? 'us-east-1')).sts.getAccountId(),
    );
    const plans: Plan[] = [];
    const failures: DirFailure[] = [];
    for (const { dir, result } of loaded) {
      if (result.warnings.length > 0) process.stderr.write(formatWarnings(result.warnings));
      if (!result.state) {
        failures.push({ dir, errors: result.errors });
        continue;
      }
      const region = result.state.cluster.region ?? defaultRegion;
      if (!region) {
        failures.push({ dir, errors: [noRegionError(result.state.cluster.source.file)] });
        continue;
      }
      try {
        plans.push(await planDesiredState(result.state, await ctx.forRegion(region)));
      } catch (err) {
        const awsError = describeAwsError(err);
        log.error({ dir, code: awsError.code }, `cannot read AWS state: ${awsError.message}`);
        failures.push({ dir, errors: [], awsError });
      }
    }
    for (const f of failures) {
      process.stderr.write(formatErrors(f.errors));
      if (f.awsError) process.stderr.write(`error: ${f.dir}: ${f.awsError.code}: ${f.awsError.message}\n`);
    }
    if (format === 'json') {
      out.write(toJsonText({ ...planToJson(plans), errors: failures }));
    } else {
      out.write(
        format === 'markdown'
          ? renderPlanMarkdown(plans)
          : renderPlanText(plans, { color: out.color, showUnchanged: opts.showUnchanged === true }),
      );
    }
    if (failures.length > 0 || plans.some((p) => planConflicts(p).length > 0)) return EXIT_ERROR;
    return plans.some(planHasChanges) ? EXIT_CHANGES : EXIT_OK;
  });
}

export function noRegionError(file: string): SpecError {
  return {
    file,
    line: 1,
    column: 1,
    field: 'region',
    message: 'no region: set `region` in cluster.yaml, pass --region, or set AWS_REGION',
  };
}
