import type { Command } from 'commander';
import { planConflicts, planHasChanges, type Plan } from '../plan/plan-types';
import { formatPlanError, planToJson, renderPlanMarkdown, renderPlanText } from '../plan';
import { planDesiredState } from '../reconcile/reconcile-cluster';
import { describeAwsError } from '../aws/aws-error';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { addAwsOptions, addSpecOptions, type CommonOptions, withContext, writeDiagnostics } from './common';
import { formatErrors } from './load-specs';
import { resolveTargets } from './cluster-targets';
import { awsErrorLine } from './aws-error-line';
import { defaultPlanCommentDeps, postPlanComment } from './pr-comment/post-plan-comment';
import { checkCommentId } from './pr-comment/sticky-comment';

export interface DiffOptions extends CommonOptions {
  output: string;
  color: boolean;
  showUnchanged?: boolean;
  comment?: boolean;
  commentId?: string;
}

/** `diff`: the plan, field by field. Exit 0 nothing to change, 2 changes, 1 error (or conflicts). */
export function registerDiff(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('diff')
    .description('show what apply would change, field by field (reads AWS, changes nothing)')
    .argument('[dirs...]', 'cluster directories (a directory holding several expands to them)', [])
    .option('-o, --output <format>', 'text, json or markdown (for pull request comments)', 'text')
    .option('--no-color', 'never colour the output (colour is only used on a terminal anyway)')
    .option('--show-unchanged', 'list unchanged resources too')
    .option(
      '--comment',
      'also post the plan on the pull/merge request of this CI job, as one comment kept up to date',
    )
    .option('--comment-id <name>', 'with --comment: one comment per name (default: per set of directories)');
  addSpecOptions(cmd);
  addAwsOptions(cmd);
  cmd.action(async (dirs: string[], opts: DiffOptions) => setExit(await runDiff(dirs, opts)));
}

export async function runDiff(dirs: string[], opts: DiffOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json', 'markdown']);
  const out = stdoutOutput(!opts.color);
  if (opts.commentId !== undefined) {
    if (!opts.comment) throw new Error('--comment-id needs --comment');
    const bad = checkCommentId(opts.commentId);
    if (bad) throw new Error(bad);
  }
  // The error lines, also for the pull request comment.
  const errorLines: string[] = [];
  const reportErrors = (text: string) => {
    writeDiagnostics(text);
    errorLines.push(...text.split('\n').filter(Boolean));
  };
  const plans: Plan[] = [];
  return withContext(opts, async (ctx, log) => {
    // The comment carries the errors too; plan errors are in the plan's markdown already.
    const comment = (exitCode: number) =>
      postPlanComment(
        { dirs, plans, errorLines, exitCode, ...(opts.commentId ? { commentId: opts.commentId } : {}) },
        defaultPlanCommentDeps(log),
      );
    let resolved: Awaited<ReturnType<typeof resolveTargets>>;
    try {
      resolved = await resolveTargets(dirs, opts, ctx);
    } catch (err) {
      // Reading the account id while loading specs (for templates): main reports it without --comment.
      if (!opts.comment) throw err;
      reportErrors(`error: ${awsErrorLine(err)}\n`);
      return comment(EXIT_ERROR);
    }
    const { targets, failures } = resolved;
    for (const f of failures) reportErrors(formatErrors(f.errors));
    const awsFailures: { dir: string; cluster: string; code: string; message: string }[] = [];
    for (const target of targets) {
      try {
        plans.push(await planDesiredState(target.state, await ctx.forRegion(target.region)));
      } catch (err) {
        // Said once, on one line with what to do; not also as a log line.
        reportErrors(`error: ${target.dir}: ${awsErrorLine(err)}\n`);
        awsFailures.push({ dir: target.dir, cluster: target.state.cluster.name, ...describeAwsError(err) });
      }
    }
    // The text plan shows its own errors; for JSON and markdown they also go to stderr for the log.
    if (format !== 'text') {
      for (const p of plans) for (const e of p.errors) writeDiagnostics(`error: ${formatPlanError(e)}\n`);
    }
    if (format === 'json') {
      out.write(toJsonText({ ...planToJson(plans), errors: [...failures, ...awsFailures] }));
    } else if (plans.length > 0 || failures.length + awsFailures.length === 0) {
      // When every directory failed, the errors above are the whole story: no "No clusters to plan.".
      out.write(
        format === 'markdown'
          ? renderPlanMarkdown(plans)
          : renderPlanText(plans, { color: out.color, showUnchanged: opts.showUnchanged === true }),
      );
    }
    const broken = failures.length > 0 || awsFailures.length > 0 || plans.some((p) => p.errors.length > 0);
    const exitCode =
      broken || plans.some((p) => planConflicts(p).length > 0)
        ? EXIT_ERROR
        : plans.some(planHasChanges)
          ? EXIT_CHANGES
          : EXIT_OK;
    return opts.comment ? comment(exitCode) : exitCode;
  });
}
