import type { Command } from 'commander';
import { planConflicts, planHasChanges, type Plan } from '../plan/plan-types';
import { formatPlanError, planToJson, renderPlanText } from '../plan';
import { planDesiredState } from '../reconcile/reconcile-cluster';
import { describeAwsError } from '../aws/aws-error';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { addAwsOptions, addSpecOptions, type CommonOptions, withContext, writeDiagnostics } from './common';
import { formatErrors } from './load-specs';
import { resolveTargets } from './cluster-targets';
import { awsErrorLine } from './aws-error-line';
import { readVarFile } from './var-file';
import { markdownPlan, parseMaxLength } from './diff-markdown';
import { defaultPlanCommentDeps, postPlanComment } from './pr-comment/post-plan-comment';
import { checkCommentOptions } from './pr-comment/sticky-comment';

export interface DiffOptions extends CommonOptions {
  output: string;
  color: boolean;
  showUnchanged?: boolean;
  /** `--base REF`: offline, between two commits (cli/offline-diff.ts). */
  base?: string;
  head?: string;
  varFile?: string;
  /** `--max-length N` (markdown only): cut details, then table rows, to fit N characters. */
  maxLength?: string;
  /** `--comment [--comment-id NAME]`: also post the plan as one sticky pull-request comment. */
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
    .option('--max-length <n>', 'markdown only: longest output in characters (65536 fits a GitHub comment)')
    .option('--base <ref>', 'offline: compare the specs of this commit with the head, no AWS access at all')
    .option('--head <ref>', 'with --base: the commit to compare (default: the working tree)')
    .option('--var-file <file>', 'template variables, NAME=VALUE a line (--var wins)')
    .option(
      '--comment',
      'also post the plan on the pull/merge request of this CI job, as one comment kept up to date',
    )
    .option('--comment-id <name>', 'with --comment: one comment per name (default: per set of directories)');
  addSpecOptions(cmd);
  addAwsOptions(cmd);
  cmd.action(async (dirs: string[], opts: DiffOptions) => {
    if (opts.base !== undefined) {
      // Loaded only here: it brings the in-memory account along.
      const { runOfflineDiff } = await import('./offline-diff');
      setExit(await runOfflineDiff(dirs, { ...opts, base: opts.base }));
      return;
    }
    if (opts.head !== undefined) throw new Error('--head needs --base (the commit to compare it with)');
    const fileVars = opts.varFile
      ? Object.entries(readVarFile(opts.varFile)).map(([k, v]) => `${k}=${v}`)
      : [];
    setExit(await runDiff(dirs, { ...opts, var: [...fileVars, ...(opts.var ?? [])] }));
  });
}

export async function runDiff(dirs: string[], opts: DiffOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json', 'markdown']);
  const maxLength = parseMaxLength(opts.maxLength, format);
  const out = stdoutOutput(!opts.color);
  checkCommentOptions(opts);
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
        {
          dirs,
          plans,
          errorLines,
          exitCode,
          ...(opts.commentId ? { commentId: opts.commentId } : {}),
          // Spec and AWS failures are in the comment's error block already.
          renderPlan: (max, fullPlanHint) =>
            markdownPlan(plans, {
              ...(resolved?.targets[0] ? { aws: { context: ctx, region: resolved.targets[0].region } } : {}),
              maxLength: max,
              fullPlanHint,
            }),
        },
        defaultPlanCommentDeps(log),
      );
    let resolved: Awaited<ReturnType<typeof resolveTargets>> | undefined;
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
    } else if (format === 'markdown' || plans.length > 0 || failures.length + awsFailures.length === 0) {
      // When every directory failed, the errors above are the whole story: no "No clusters to plan."
      // (a markdown comment lists them too, so that it never reads as a clean plan).
      out.write(
        format === 'markdown'
          ? await markdownPlan(plans, {
              ...(targets[0] ? { aws: { context: ctx, region: targets[0].region } } : {}),
              ...(maxLength !== undefined ? { maxLength } : {}),
              specFailures: failures,
              awsFailures,
            })
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
