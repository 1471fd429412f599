import type { Command } from 'commander';
import type { ActionResult } from '../plan/plan-types';
import { planConflicts } from '../plan/plan-types';
import { renderResultsText } from '../plan';
import { applyPlan, planDesiredState } from '../reconcile/reconcile-cluster';
import { waitForRollouts, type RolloutResult } from '../reconcile/rollout-waiter';
import { parseDuration } from '../reconcile/clock';
import { describeAwsError } from '../reconcile/aws-error';
import type { SpecError } from '../model/source';
import type { Logger } from '../observe/logger';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText, type Output } from './output';
import { addAwsOptions, addSpecOptions, type CommonOptions, withContext } from './common';
import { formatErrors, formatWarnings, loadSpecDirs } from './load-specs';
import { noRegionError, runDiff } from './diff';
import type { AwsContext } from './aws-context';

export interface ApplyOptions extends CommonOptions {
  output: string;
  color: boolean;
  dryRun?: boolean;
  wait?: boolean;
  timeout: string;
}

/** What happened to one cluster directory. */
interface ClusterOutcome {
  dir: string;
  cluster?: string;
  errors: SpecError[];
  awsError?: { code: string; message: string };
  results: ActionResult[];
  rollouts: RolloutResult[];
  converged: boolean;
}

export function registerApply(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('apply')
    .description('make AWS match the specs; prints each action and its outcome')
    .argument('[dirs...]', 'cluster directories (a directory holding several expands to them)', [])
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--no-color', 'never colour the output')
    .option('--dry-run', 'only show the plan (the same as diff, with its exit codes)')
    .option('--wait', "wait until each changed service's deployment completes; fail when it fails")
    .option('--timeout <duration>', 'how long --wait waits for deployments (e.g. 90s, 10m)', '10m');
  addSpecOptions(cmd);
  addAwsOptions(cmd);
  cmd.action(async (dirs: string[], opts: ApplyOptions) => {
    if (opts.dryRun) {
      setExit(await runDiff(dirs, { ...opts, output: opts.output }));
      return;
    }
    setExit(await runApply(dirs, opts));
  });
}

export async function runApply(dirs: string[], opts: ApplyOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json']);
  const out = stdoutOutput(!opts.color);
  const timeoutMs = parseDuration(opts.timeout);
  return withContext(opts, async (ctx, log) => {
    const defaultRegion = await ctx.defaultRegion();
    const loaded = await loadSpecDirs(dirs, opts, defaultRegion, async (r) =>
      (await ctx.forRegion(r ?? defaultRegion ?? 'us-east-1')).sts.getAccountId(),
    );
    const outcomes: ClusterOutcome[] = [];
    for (const { dir, result } of loaded) {
      if (result.warnings.length > 0) process.stderr.write(formatWarnings(result.warnings));
      if (!result.state) {
        // Fail closed: a directory with any bad spec changes nothing in its cluster.
        outcomes.push({ dir, errors: result.errors, results: [], rollouts: [], converged: false });
        continue;
      }
      const region = result.state.cluster.region ?? defaultRegion;
      if (!region) {
        outcomes.push({
          dir,
          errors: [noRegionError(result.state.cluster.source.file)],
          results: [],
          rollouts: [],
          converged: false,
        });
        continue;
      }
      outcomes.push(await applyOne(dir, result.state, region, ctx, log, opts.wait === true, timeoutMs));
    }
    report(outcomes, format, out, ctx);
    return outcomes.every((o) => o.converged) ? EXIT_OK : EXIT_ERROR;
  });
}

async function applyOne(
  dir: string,
  state: NonNullable<Awaited<ReturnType<typeof loadSpecDirs>>[number]['result']['state']>,
  region: string,
  ctx: AwsContext,
  log: Logger,
  wait: boolean,
  timeoutMs: number,
): Promise<ClusterOutcome> {
  const cluster = state.cluster.name;
  const rctx = await ctx.forRegion(region);
  const clog = log.child({ cluster });
  try {
    const plan = await planDesiredState(state, rctx);
    const results = await applyPlan(plan, rctx, {
      actionStarted: (a) => clog.debug({ resource: a.id, op: a.op }, `${a.op} ${a.id}`),
      actionFinished: (a, r) =>
        r.outcome === 'failed'
          ? clog.error({ resource: a.id, outcome: r.outcome, code: r.errorCode }, r.message ?? '')
          : clog.info({ resource: a.id, outcome: r.outcome }, r.message ?? ''),
    });
    let rollouts: RolloutResult[] = [];
    const changed = results.filter(
      (r) => r.resource === 'service' && (r.outcome === 'created' || r.outcome === 'updated'),
    );
    if (wait && changed.length > 0) {
      clog.info({ services: changed.length }, 'waiting for deployments');
      rollouts = await waitForRollouts(
        cluster,
        changed.map((r) => ({ name: r.name, taskDefinitionArn: r.taskDefinitionArn })),
        {
          reader: rctx.reader,
          clock: rctx.clock,
          timeoutMs,
          onProgress: (service, state) => clog.debug({ service }, state),
        },
      );
    }
    const converged =
      planConflicts(plan).length === 0 &&
      results.every((r) => r.outcome !== 'failed' && r.outcome !== 'skipped') &&
      rollouts.every((r) => r.state === 'completed');
    return { dir, cluster, errors: [], results, rollouts, converged };
  } catch (err) {
    const awsError = describeAwsError(err);
    clog.error({ code: awsError.code }, awsError.message);
    return { dir, cluster, errors: [], awsError, results: [], rollouts: [], converged: false };
  }
}

function report(
  outcomes: ClusterOutcome[],
  format: 'text' | 'json' | 'markdown',
  out: Output,
  ctx: AwsContext,
): void {
  const calls = ctx.callLog.snapshot();
  // Spec errors are diagnostics: always on stderr, and in the JSON document too.
  for (const o of outcomes) process.stderr.write(formatErrors(o.errors));
  if (format === 'json') {
    out.write(
      toJsonText({
        version: 1,
        converged: outcomes.every((o) => o.converged),
        clusters: outcomes,
        awsCalls: { total: ctx.callLog.total(), mutating: ctx.callLog.mutatingTotal(), byOperation: calls },
      }),
    );
    return;
  }
  for (const o of outcomes) {
    out.write(o.cluster ? `Cluster ${o.cluster} (${o.dir}):\n` : `${o.dir}:\n`);
    if (o.errors.length > 0) {
      out.write(`  not applied: ${o.errors.length} spec error(s); nothing in this cluster was changed\n`);
    }
    if (o.awsError) out.write(`  failed: ${o.awsError.code}: ${o.awsError.message}\n`);
    if (o.results.length > 0) out.write(indent(renderResultsText(o.results, { color: out.color })));
    for (const r of o.rollouts)
      out.write(`  rollout ${r.state.padEnd(9)} service/${r.service}: ${r.reason}\n`);
  }
  const parts = Object.entries(calls).map(([op, n]) => `${op} ${n}`);
  out.write(
    `AWS calls: ${ctx.callLog.total()} (${ctx.callLog.mutatingTotal()} mutating)${parts.length ? `: ${parts.join(', ')}` : ''}\n`,
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}
