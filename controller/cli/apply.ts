import type { Command } from 'commander';
import type { PlanError } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import { planConflicts } from '../plan/plan-types';
import { formatPlanError, renderResultsText } from '../plan';
import { applyPlan, planDesiredState } from '../reconcile/reconcile-cluster';
import { waitForRollouts, type RolloutResult } from '../reconcile/rollout-waiter';
import { waitForDnsChanges, type DnsSyncResult } from '../reconcile/dns-waiter';
import { finishPrunes } from '../reconcile/finish-prunes';
import { parseDuration } from './duration';
import { describeAwsError } from '../aws/aws-error';
import type { SpecError } from '../model/source';
import type { Logger } from '../telemetry/logger';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { awsCallsJson, awsCallsLine, parseFormat, stdoutOutput, toJsonText, type Output } from './output';
import { addAwsOptions, addSpecOptions, type CommonOptions, withContext, writeDiagnostics } from './common';
import { formatErrors } from './load-specs';
import { runDiff } from './diff';
import type { AwsContext, RegionContext } from './aws-context';
import { resolveTargets, type ClusterTarget } from './cluster-targets';
import { explainAwsError } from './aws-error-line';

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
  /** Found while planning (a host name without a zone, ...): the plan was not applied. */
  planErrors: PlanError[];
  awsError?: { code: string; message: string };
  results: ActionResult[];
  rollouts: RolloutResult[];
  dnsSync: DnsSyncResult[];
  /** Waiting failed (not the deployments: the waiting itself, e.g. retries exhausted). */
  waitError?: { code: string; message: string };
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
    .option('--wait', "wait until each changed service's deployment completes (and DNS changes are INSYNC)")
    .option(
      '--timeout <duration>',
      'how long --wait waits, for all clusters together (e.g. 90s, 10m)',
      '10m',
    );
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
    const { targets, failures } = await resolveTargets(dirs, opts, ctx);
    // Fail closed: a directory with any bad spec changes nothing in its cluster.
    const outcomes: ClusterOutcome[] = failures.map((f) => ({
      ...emptyOutcome(f.dir, f.cluster),
      errors: f.errors,
    }));
    const applied: { outcome: ClusterOutcome; rctx: RegionContext; target: ClusterTarget }[] = [];
    const deadline = Date.now() + timeoutMs;
    for (const target of targets) {
      const rctx = await ctx.forRegion(target.region);
      // No waiting here: with --wait, the drains of every cluster are awaited together below.
      const outcome = await applyOne(target, rctx, log);
      outcomes.push(outcome);
      applied.push({ outcome, rctx, target });
    }
    // Every cluster is applied first, then all deployments are awaited together, under one deadline.
    if (opts.wait) {
      await Promise.all(
        applied.map(async ({ outcome, rctx, target }) => {
          const clog = log.child({ cluster: outcome.cluster });
          Object.assign(
            outcome,
            await finishPrunes(outcome, (drainWaitMs) => applyOne(target, rctx, log, drainWaitMs), {
              clock: rctx.clock,
              deadline,
              ...(rctx.pollMs !== undefined ? { pollMs: rctx.pollMs } : {}),
              onWaiting: (waiting) => clog.info({ waiting }, 'waiting to finish pruning'),
            }),
          );
          await waitFor(outcome, rctx, deadline, log);
        }),
      );
    }
    for (const o of outcomes) o.converged = isConverged(o, opts.wait === true);
    report(outcomes, format, out, ctx);
    return outcomes.every((o) => o.converged) ? EXIT_OK : EXIT_ERROR;
  });
}

function emptyOutcome(dir: string, cluster?: string): ClusterOutcome {
  return {
    dir,
    cluster,
    errors: [],
    planErrors: [],
    results: [],
    rollouts: [],
    dnsSync: [],
    converged: false,
  };
}

async function applyOne(
  target: ClusterTarget,
  rctx: RegionContext,
  log: Logger,
  drainWaitMs = 0,
): Promise<ClusterOutcome> {
  const cluster = target.state.cluster.name;
  const outcome = emptyOutcome(target.dir, cluster);
  const clog = log.child({ cluster });
  try {
    const plan = await planDesiredState(target.state, rctx);
    if (plan.errors.length > 0) {
      outcome.planErrors = plan.errors;
      return outcome;
    }
    outcome.results = await applyPlan(
      plan,
      rctx,
      {
        actionStarted: (a) => clog.debug({ resource: a.id, op: a.op }, `${a.op} ${a.id}`),
        actionFinished: (a, r) =>
          r.outcome === 'failed'
            ? clog.error({ resource: a.id, outcome: r.outcome, code: r.errorCode }, r.message ?? '')
            : clog.info({ resource: a.id, outcome: r.outcome }, r.message ?? ''),
      },
      { drainWaitMs, clock: rctx.clock, ...(rctx.pollMs !== undefined ? { pollMs: rctx.pollMs } : {}) },
    );
    if (planConflicts(plan).length > 0)
      clog.warn({ conflicts: planConflicts(plan).length }, 'conflicts left alone');
  } catch (err) {
    // Reported once, by report(), with what to do.
    outcome.awsError = describeAwsError(err);
  }
  return outcome;
}

/** Follows this cluster's changed services and DNS changes until the shared deadline. */
async function waitFor(
  outcome: ClusterOutcome,
  rctx: RegionContext,
  deadline: number,
  log: Logger,
): Promise<void> {
  const cluster = outcome.cluster ?? '';
  const clog = log.child({ cluster });
  const changed = outcome.results.filter(
    (r) => r.resource === 'service' && (r.outcome === 'created' || r.outcome === 'updated'),
  );
  const changeIds = [...new Set(outcome.results.flatMap((r) => (r.changeId ? [r.changeId] : [])))];
  const timeoutMs = () => Math.max(0, deadline - Date.now());
  try {
    if (changed.length > 0) {
      clog.info({ services: changed.length }, 'waiting for deployments');
      outcome.rollouts = await waitForRollouts(
        cluster,
        changed.map((r) => ({ name: r.name, taskDefinitionArn: r.taskDefinitionArn })),
        {
          reader: rctx.reader,
          clock: rctx.clock,
          timeoutMs: timeoutMs(),
          ...(rctx.pollMs !== undefined ? { pollMs: rctx.pollMs } : {}),
          onProgress: (service, state) => clog.debug({ service }, state),
        },
      );
    }
    if (changeIds.length > 0) {
      clog.info({ changes: changeIds.length }, 'waiting for DNS changes to be INSYNC');
      outcome.dnsSync = await waitForDnsChanges(rctx.dns.route53, changeIds, {
        clock: rctx.clock,
        timeoutMs: timeoutMs(),
        ...(rctx.pollMs !== undefined ? { pollMs: rctx.pollMs } : {}),
      });
    }
  } catch (err) {
    // What was applied stays reported; only the waiting failed.
    outcome.waitError = describeAwsError(err);
  }
}

function isConverged(o: ClusterOutcome, waited: boolean): boolean {
  return (
    o.errors.length === 0 &&
    o.planErrors.length === 0 &&
    !o.awsError &&
    !o.waitError &&
    o.results.every((r) => r.outcome !== 'failed' && r.outcome !== 'skipped') &&
    // Without --wait, a prune still draining is finished by the next apply (or the controller).
    (!waited || o.results.every((r) => r.pending === undefined || r.resource === 'revisions')) &&
    o.rollouts.every((r) => r.state === 'completed') &&
    o.dnsSync.every((d) => d.state === 'insync')
  );
}

function report(
  outcomes: ClusterOutcome[],
  format: 'text' | 'json' | 'markdown',
  out: Output,
  ctx: AwsContext,
): void {
  // Spec errors are diagnostics: always on stderr, and in the JSON document too.
  for (const o of outcomes) writeDiagnostics(formatErrors(o.errors));
  if (format === 'json') {
    out.write(
      toJsonText({
        schemaVersion: 1,
        converged: outcomes.every((o) => o.converged),
        clusters: outcomes,
        awsCalls: awsCallsJson(ctx.callLog),
      }),
    );
    return;
  }
  for (const o of outcomes) {
    out.write(o.cluster ? `Cluster ${o.cluster} (${o.dir}):\n` : `${o.dir}:\n`);
    if (o.errors.length > 0) {
      out.write(`  not applied: ${o.errors.length} spec error(s); nothing in this cluster was changed\n`);
    }
    for (const e of o.planErrors) out.write(`  not applied: ${formatPlanError(e)}\n`);
    if (o.awsError) out.write(`  failed: ${explainAwsError(o.awsError)}\n`);
    if (o.results.length > 0) out.write(indent(renderResultsText(o.results, { color: out.color })));
    for (const r of o.rollouts)
      out.write(`  rollout ${r.state.padEnd(9)} service/${r.service}: ${r.reason}\n`);
    const synced = o.dnsSync.filter((d) => d.state === 'insync').length;
    if (o.dnsSync.length > 0) out.write(`  dns     ${synced}/${o.dnsSync.length} change(s) INSYNC\n`);
    if (o.waitError) out.write(`  waiting failed: ${explainAwsError(o.waitError)}\n`);
  }
  out.write(`${awsCallsLine(ctx.callLog)}\n`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}
