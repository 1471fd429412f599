import type { Command } from 'commander';
import { applyDestroyPlan, planClusterDestroy, type DestroyReport } from '../reconcile/destroy';
import { describeOwner, type DestroyPlan } from '../plan/destroy-planner';
import { planHasChanges } from '../plan/plan-types';
import { formatPlanError, planToJson, renderPlanMarkdown, renderPlanText } from '../plan';
import { parseDuration } from './duration';
import { awsErrorLine } from './aws-error-line';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText, type Output, type OutputFormat } from './output';
import { addAwsOptions, withContext, writeDiagnostics } from './common';
import type { AwsContext, AwsOptions } from './aws-context';

export interface DestroyCliOptions extends AwsOptions {
  confirm?: boolean;
  drain?: boolean;
  dryRun?: boolean;
  ownerId?: string;
  timeout: string;
  output: string;
  color?: boolean;
}

/**
 * `destroy CLUSTER --confirm`: refuses, changing nothing, while any service remains. With --drain it
 * scales our services to 0, waits, deletes them, then the cluster; it refuses up front if any
 * service is not ours. `--dry-run` prints that plan (exit 2 something to destroy, 0 nothing, 1 refused).
 */
export function registerDestroy(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('destroy')
    .description('delete a cluster that ecs-gitops created, only when no services remain (or with --drain)')
    .argument('<cluster>', 'the ECS cluster name')
    .option('--confirm', 'required (except with --dry-run): says you mean it')
    .option('--drain', 'first scale our services to 0, wait for their tasks to stop, and delete them')
    .option('--dry-run', 'only show what destroy would do (reads AWS, changes nothing); exit 2 if anything')
    .option('--owner-id <id>', 'owner id in the ownership tags (default: the cluster name)')
    .option('--timeout <duration>', 'how long to wait for tasks to stop and services to drain', '10m')
    .option('-o, --output <format>', 'text or json (and markdown with --dry-run)', 'text')
    .option('--no-color', 'never colour the output');
  addAwsOptions(cmd);
  cmd.action(async (cluster: string, opts: DestroyCliOptions) => setExit(await runDestroy(cluster, opts)));
}

export async function runDestroy(cluster: string, opts: DestroyCliOptions): Promise<number> {
  const format = parseFormat(opts.output, opts.dryRun ? ['text', 'json', 'markdown'] : ['text', 'json']);
  const out = stdoutOutput(opts.color === false || !opts.dryRun);
  if (!opts.confirm && !opts.dryRun) {
    writeDiagnostics(
      `error: destroy deletes cluster ${cluster}; pass --confirm to do it (or --dry-run to see)\n`,
    );
    return EXIT_ERROR;
  }
  return withContext(opts, async (ctx, log) => {
    const region = await ctx.defaultRegion();
    if (!region) {
      writeDiagnostics('error: no region: pass --region or set AWS_REGION\n');
      return EXIT_ERROR;
    }
    const rctx = await ctx.forRegion(region);
    const request = { cluster, ownerId: opts.ownerId ?? cluster, drain: opts.drain === true, region };
    try {
      // The cluster's load balancer pieces are found by their tags, its event source by the names
      // ecs-gitops gives it (then checked by tags): there is no spec to name them.
      const elbv2 = rctx.elbv2;
      const events = { sqs: rctx.sqs, eventBridge: rctx.eventBridge };
      const planned = await planClusterDestroy({ ...request, reader: rctx.reader, elbv2, events });
      if (opts.dryRun) return printPlan(planned, format, out, ctx);
      const rep = await applyDestroyPlan(planned, {
        ecs: rctx.ecs,
        elbv2,
        events,
        clock: rctx.clock,
        ...(rctx.pollMs !== undefined ? { pollMs: rctx.pollMs } : {}),
        timeoutMs: parseDuration(opts.timeout),
        onProgress: (m) => log.info({ cluster }, m),
      });
      printReport(rep, format, out);
      return rep.verdict === 'deleted' || rep.verdict === 'absent' ? EXIT_OK : EXIT_ERROR;
    } catch (err) {
      writeDiagnostics(`error: ${awsErrorLine(err)}\n`);
      return EXIT_ERROR;
    }
  });
}

/** `--dry-run`: the plan, as diff prints one. Exit 1 refused, 2 something to destroy, 0 nothing. */
function printPlan(planned: DestroyPlan, format: OutputFormat, out: Output, ctx: AwsContext): number {
  const { plan, services } = planned;
  if (format === 'json') {
    const awsCalls = { total: ctx.callLog.total(), mutating: ctx.callLog.mutatingTotal() };
    out.write(toJsonText({ ...planToJson([plan]), services, awsCalls }));
  } else {
    // The text plan shows its own errors; for markdown they also go to stderr for the log.
    for (const e of format === 'markdown' ? plan.errors : [])
      writeDiagnostics(`error: ${formatPlanError(e)}\n`);
    out.write(
      format === 'markdown'
        ? renderPlanMarkdown([plan])
        : renderPlanText([plan], { color: out.color, showUnchanged: true }),
    );
  }
  if (plan.errors.length > 0) return EXIT_ERROR;
  return planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
}

function printReport(rep: DestroyReport, format: OutputFormat, out: Output): void {
  if (format === 'json') {
    out.write(toJsonText({ version: 1, ...rep }));
    return;
  }
  out.write(`${rep.verdict}: ${rep.reason}\n`);
  if (rep.verdict === 'refused' || rep.verdict === 'failed') {
    for (const s of rep.services) out.write(`  service ${s.name} (${s.status}, ${describeOwner(s.owner)})\n`);
  }
  for (const r of rep.results)
    out.write(`  ${r.outcome.padEnd(9)} ${r.id}${r.message ? `: ${r.message}` : ''}\n`);
}
