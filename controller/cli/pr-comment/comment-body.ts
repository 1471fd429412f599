/**
 * The text of the sticky comment: the marker, then the errors (if any), the plan in markdown cut to
 * the host's limit, and a footer naming the commit and the job log (which always has the full plan).
 */
import { redactCredentialsInText } from '../../model/secret-detection';
import { renderPlanMarkdown } from '../../plan';
import { planConflicts, planHasChanges, type Plan } from '../../plan/plan-types';

export interface CommentContent {
  marker: string;
  plans: readonly Plan[];
  /** The `error: ...` lines the diff printed (spec errors, AWS failures, denied lint rules). */
  errorLines: readonly string[];
  maxLength: number;
  /** The commit the plan is for. */
  sha?: string;
  /** The job's page: its log has the full plan. */
  jobUrl?: string;
  /**
   * The plan's markdown in at most `maxLength` characters, saying `fullPlanHint` when cut. Default:
   * `fitPlanMarkdown`; a caller with a richer renderer (the account in the header, an offline diff's
   * refs) passes its own.
   */
  renderPlan?: PlanRenderer;
  /** An offline diff: "no changes" is about two commits, not about AWS. */
  offline?: { base: string; head: string };
}

export type PlanRenderer = (maxLength: number, fullPlanHint: string) => string | Promise<string>;

/** At most this many error lines in the comment; the job log has them all. */
const MAX_ERROR_LINES = 50;

/** The comment. A plan without changes, conflicts or errors gets the short "no changes" body. */
export async function commentBody(c: CommentContent): Promise<string> {
  const footer = footerLine(c);
  const notable = c.plans.some(
    (p) => planHasChanges(p) || planConflicts(p).length > 0 || p.errors.length > 0,
  );
  if (!notable && c.errorLines.length === 0) {
    return [c.marker, noChangesText(c.plans, c.offline), footer].join('\n');
  }
  const head = [c.marker];
  if (c.errorLines.length > 0) head.push(errorsText(c.errorLines), '');
  const fixed = head.join('\n').length + footer.length + 3;
  const hint = c.jobUrl
    ? `the full plan is in the [job log](${c.jobUrl})`
    : 'the full plan is in the job log';
  const render = c.renderPlan ?? ((max, fullPlanHint) => fitPlanMarkdown(c.plans, max, fullPlanHint));
  const plan = c.plans.length > 0 ? await render(c.maxLength - fixed, hint) : '';
  return [...head, plan.trimEnd(), '', footer].join('\n');
}

/** The plan's markdown in at most `maxLength` characters (the renderer keeps header and table). */
export function fitPlanMarkdown(plans: readonly Plan[], maxLength: number, fullPlanHint: string): string {
  return renderPlanMarkdown(plans, { maxLength, fullPlanHint });
}

function errorsText(lines: readonly string[]): string {
  const shown = lines.slice(0, MAX_ERROR_LINES).map((l) => redactCredentialsInText(l));
  if (lines.length > shown.length) shown.push(`... and ${lines.length - shown.length} more in the job log`);
  const text = shown.join('\n');
  // A longer fence than any run of backticks in the messages, so none can close it.
  const fence = '`'.repeat(Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return [
    '**ecs-gitops: errors. Nothing is applied to a cluster with an error.**',
    '',
    `${fence}text`,
    text,
    fence,
  ].join('\n');
}

function noChangesText(plans: readonly Plan[], offline?: { base: string; head: string }): string {
  const clusters = plans.map((p) => `\`${p.cluster}\``).join(', ');
  const what = offline
    ? `offline, \`${offline.base}...${offline.head}\`: the head's specs change nothing against the base's.`
    : 'AWS already matches the specs; `apply` would change nothing.';
  return [
    '### ecs-gitops plan: no changes',
    '',
    `${clusters ? `${plans.length === 1 ? 'Cluster' : 'Clusters'} ${clusters}: ` : ''}${what}`,
    '',
  ].join('\n');
}

function footerLine(c: CommentContent): string {
  const parts = [`Plan by \`ecs-gitops diff\`${c.sha ? ` for commit ${c.sha.slice(0, 12)}` : ''}`];
  if (c.jobUrl) parts.push(`full output in the [job log](${c.jobUrl})`);
  return `<sub>${parts.join('; ')}.</sub>\n`;
}
