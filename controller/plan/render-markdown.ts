/**
 * The plan as a pull-request comment: a header (what was compared with what), a summary table with
 * one row per action that is not `unchanged`, then one collapsible section per resource with its
 * field-level diff. Pure: same plans, same text.
 */
import { codeSpan, mdText } from './markdown-escape';
import { fitMarkdown, type MarkdownDocument } from './markdown-limit';
import {
  clusterLine,
  detailsBlock,
  errorBlocks,
  isShown,
  notPlannedBlocks,
  redactionBlock,
  TABLE_HEADER,
  tableRow,
} from './markdown-sections';
import type { Plan } from './plan-types';

export { GITHUB_COMMENT_MAX_LENGTH, GITLAB_NOTE_MAX_LENGTH } from './markdown-limit';

export interface MarkdownContext {
  /** The AWS account the live state was read from, when known. */
  account?: string;
  /** An offline diff (`diff --base`): the two git refs compared; no account, AWS was not read. */
  offline?: { base: string; head: string; notes?: readonly string[] };
  /**
   * The longest text allowed (UTF-16 code units, as GitHub counts): over it, details are left out
   * from the end, then table rows (see fitMarkdown). No limit when absent.
   */
  maxLength?: number;
  /** Where a reader finds the whole plan when some of it is left out. */
  fullPlanHint?: string;
  /**
   * Directories that were not planned (spec errors, AWS read errors), each error one line: shown
   * under the clusters, so that a comment never says "No changes" about a directory it did not see.
   */
  notPlanned?: readonly NotPlanned[];
}

export interface NotPlanned {
  dir: string;
  cluster?: string;
  errors: readonly string[];
}

export const DEFAULT_FULL_PLAN_HINT = 'the full plan is in the job log';

export function renderPlanMarkdown(plans: readonly Plan[], ctx: MarkdownContext = {}): string {
  const notPlanned = ctx.notPlanned ?? [];
  const head = ['### ecs-gitops plan', comparedWith(ctx)];
  if (plans.length > 0) head.push(plans.map(clusterLine).join('\n'));
  else if (notPlanned.length === 0) head.push('No clusters to plan.');
  head.push(...notPlannedBlocks(notPlanned));
  const notes = ctx.offline?.notes ?? [];
  if (notes.length > 0) head.push(notes.map((n) => `> Note: ${mdText(n)}`).join('\n>\n'));
  for (const plan of plans) head.push(...errorBlocks(plan), ...redactionBlock(plan));

  const shown = plans.flatMap((plan) => plan.actions.filter(isShown).map((a) => ({ plan, a })));
  const clean = notPlanned.length === 0 && plans.every((p) => p.errors.length === 0);
  if (plans.length > 0 && shown.length === 0 && clean) head.push('**No changes.**');
  const doc: MarkdownDocument = {
    head,
    tableHeader: TABLE_HEADER,
    rows: shown.map(({ plan, a }) => tableRow(plan, a)),
    details: shown.map(({ plan, a }) => detailsBlock(plan, a, plans.length > 1)),
  };
  return fitMarkdown(doc, {
    ...(ctx.maxLength !== undefined ? { maxLength: ctx.maxLength } : {}),
    fullPlanHint: ctx.fullPlanHint ?? DEFAULT_FULL_PLAN_HINT,
  });
}

function comparedWith(ctx: MarkdownContext): string {
  if (ctx.offline) {
    const refs = `${ctx.offline.base}...${ctx.offline.head}`;
    return `Offline: ${codeSpan(refs)}, the specs of two git refs compared (AWS not read).`;
  }
  return ctx.account !== undefined
    ? `Compared against AWS account ${codeSpan(ctx.account)}.`
    : 'Compared against the live AWS account.';
}
