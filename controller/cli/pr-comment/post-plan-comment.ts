/**
 * `diff --comment`: after the plan is printed (the job log always has all of it), put it on the
 * pull or merge request as one sticky comment. Failing to post (a fork's read-only token, an API
 * outage) is a warning: the diff's own exit code stands. No pull request to post on is an error.
 */
import { readFileSync } from 'node:fs';
import type { Plan } from '../../plan/plan-types';
import type { Logger } from '../../telemetry/logger';
import { scrubSecrets } from '../../telemetry/secret-mask';
import { writeDiagnostics } from '../common';
import { EXIT_ERROR } from '../exit-codes';
import { commentTarget, describeTarget, type CommentTarget, type Env } from './ci-environment';
import { commentBody, type PlanRenderer } from './comment-body';
import { ReviewApiError, type ReviewComments } from './review-comments';
import { clusterSetId, stickyMarker, upsertStickyComment } from './sticky-comment';

export interface PlanComment {
  /** The directories as given on the command line. */
  dirs: readonly string[];
  commentId?: string;
  plans: readonly Plan[];
  errorLines: readonly string[];
  /** The diff's exit code (0, 2 or 1), returned unless there is no pull request to post on. */
  exitCode: number;
  /** The plan's markdown within a length (default: comment-body's fitPlanMarkdown). */
  renderPlan?: PlanRenderer;
  /** An offline diff (`--base`): the refs compared, for the "no changes" text. */
  offline?: { base: string; head: string };
}

export interface PlanCommentDeps {
  env: Env;
  cwd: string;
  readFile: (file: string) => string;
  reviewComments: (target: CommentTarget) => Promise<ReviewComments>;
}

export function defaultPlanCommentDeps(log: Logger): PlanCommentDeps {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const userAgent = `ecs-gitops/${(require('../../../package.json') as { version: string }).version}`;
  return {
    env: process.env,
    cwd: process.cwd(),
    readFile: (file) => readFileSync(file, 'utf8'),
    reviewComments: async (target) =>
      target.platform === 'github'
        ? (await import('./github')).githubReviewComments(target, log, userAgent)
        : (await import('./gitlab')).gitlabReviewComments(target),
  };
}

export async function postPlanComment(input: PlanComment, deps: PlanCommentDeps): Promise<number> {
  const found = commentTarget(deps.env, deps.readFile);
  if ('error' in found) {
    writeDiagnostics(`error: ${found.error}\n`);
    return EXIT_ERROR;
  }
  const target = found.target;
  const where = describeTarget(target);
  const marker = stickyMarker(input.commentId ?? clusterSetId(input.dirs, deps.cwd));
  try {
    const port = await deps.reviewComments(target);
    // Masked like everything else ecs-gitops writes (it never reaches stdout, so it is done here).
    const body = scrubSecrets(
      await commentBody({
        marker,
        plans: input.plans,
        errorLines: input.errorLines,
        maxLength: port.maxLength,
        ...(target.sha ? { sha: target.sha } : {}),
        ...(target.jobUrl ? { jobUrl: target.jobUrl } : {}),
        ...(input.renderPlan ? { renderPlan: input.renderPlan } : {}),
        ...(input.offline ? { offline: input.offline } : {}),
      }),
    );
    const result = await upsertStickyComment(port, marker, body);
    writeDiagnostics(
      `note: plan comment ${result.outcome} on ${where} (${port.host} comment ${result.id})\n`,
    );
  } catch (err) {
    writeDiagnostics(`warning: ${scrub(failureLine(err, where), target.token)}\n`);
  }
  return input.exitCode;
}

/** What went wrong and what to do, on one line; the plan itself is in the job log above. */
function failureLine(err: unknown, where: string): string {
  const what = err instanceof Error ? err.message : String(err);
  const hint = err instanceof ReviewApiError ? remedy(err) : undefined;
  return `could not post the plan on ${where}: ${what}${hint ? ` (${hint})` : ''}; the plan is in this job log`;
}

function remedy(err: ReviewApiError): string | undefined {
  if (err.host === 'GitHub') {
    if (err.status === 403) {
      return 'the token may not write comments: the workflow needs `permissions: pull-requests: write`, and a pull request from a fork only gets a read-only token';
    }
    if (err.status === 401) return 'GITHUB_TOKEN was refused';
    if (err.status === 404) return 'no such pull request, or the token cannot see the repository';
  } else {
    if (err.status === 403)
      return 'GITLAB_TOKEN may not comment: it needs the `api` scope and at least the Reporter role';
    if (err.status === 401) return 'GITLAB_TOKEN was refused (expired or revoked?)';
    if (err.status === 404) return 'no such merge request, or GITLAB_TOKEN cannot see the project';
  }
  return undefined;
}

/** Never print the token, whatever an error message carries. */
function scrub(text: string, token: string): string {
  return token ? text.split(token).join('[Redacted]') : text;
}
