import type { SourceRef } from '../model/source';
import { redactCredentialsInText } from '../model/secret-detection';
import { palette, type Palette } from './ansi';
import { compactJson } from './json-util';
import { summarizePlan, summaryCounts } from './plan-summary';
import type { ActionOp, Plan, PlanError, PlannedAction } from './plan-types';
import { isProvenanceChange } from './tag-drift';

export interface PlanTextOptions {
  /** ANSI colours (green +, red -, yellow !); the CLI only sets this on a terminal. */
  color: boolean;
  /** List unchanged resources one by one instead of one count line. */
  showUnchanged?: boolean;
  /** `diff --base`: the two sides compared (`main (1a2b3c4)`, `working tree`) and notes on the comparison. */
  offline?: OfflineContext;
}

export interface OfflineContext {
  base: string;
  head: string;
  notes?: readonly string[];
}

/** `offline: main (1a2b3c4)...working tree`, then a `note:` line each. */
export function offlineHeaderLines(offline: OfflineContext): string[] {
  return [`offline: ${offline.base}...${offline.head}`, ...(offline.notes ?? []).map((n) => `note: ${n}`)];
}

const SYMBOL: Record<ActionOp, string> = {
  create: '+',
  update: '~',
  delete: '-',
  conflict: '!',
  orphan: '?',
  none: ' ',
};

/**
 * The plan the way `git diff` reads: `error:` lines first (a plan with errors is not applied), a header
 * line per action (`+` create, `~` update, `-` delete, `!` conflict, `?` kept by `prune: false`, `…`
 * waiting), then `-`/`+` lines per field,
 * then one summary line per cluster.
 */
export function renderPlanText(plans: readonly Plan[], opts: PlanTextOptions): string {
  const p = palette(opts.color);
  const blocks = plans.map((plan) => {
    const lines = [
      p.bold(clusterHeading(plan)),
      ...redactionLines(plan).map((l) => p.yellow(l)),
      ...planErrorLines(plan).map((l) => p.red(l)),
      ...planBodyLines(plan, p, opts.showUnchanged === true),
    ];
    lines.push(
      `Plan for cluster ${plan.cluster}: ${summaryCounts(summarizePlan(plan), plan.errors.length)}.`,
    );
    if (plan.errors.length > 0)
      lines.push(p.red('This plan has errors: nothing will be applied to this cluster.'));
    return lines.join('\n');
  });
  const header = opts.offline ? `${offlineHeaderLines(opts.offline).join('\n')}\n\n` : '';
  return header + (blocks.length ? `${blocks.join('\n\n')}\n` : 'No clusters to plan.\n');
}

function clusterHeading(plan: Plan): string {
  const region = plan.region ? ` (${plan.region})` : '';
  return `Cluster ${plan.cluster}${region} from ${plan.dir}`;
}

/**
 * cluster.yaml's `redaction:`, said under the cluster heading: which secret-looking names have their
 * values shown and which patterns hide more, so that a reviewer sees a change to either. One line.
 */
export function redactionLines(plan: Plan): string[] {
  const r = plan.redaction;
  if (!r || (r.exempt.length === 0 && r.patterns.length === 0)) return [];
  const parts = [
    r.exempt.length > 0 ? `values shown for ${r.exempt.join(', ')}` : '',
    r.patterns.length > 0 ? `also hidden: names matching ${r.patterns.map((x) => `/${x}/i`).join(', ')}` : '',
  ].filter((s) => s !== '');
  return [`redaction${r.source ? ` (${formatSource(r.source)})` : ''}: ${parts.join('; ')}`];
}

/** `error: <message>  (<file>:<line>, <field>)`, one per plan error. */
export function planErrorLines(plan: Plan): string[] {
  return plan.errors.map((e) => `error: ${formatPlanError(e)}`);
}

export function formatPlanError(e: PlanError): string {
  const where = [e.source ? formatSource(e.source) : '', e.field ?? ''].filter((x) => x !== '').join(', ');
  const message = redactCredentialsInText(e.message);
  return where ? `${message}  (${where})` : message;
}

/** Action and field lines of one plan, without heading and summary (shared with markdown). */
function planBodyLines(plan: Plan, p: Palette, showUnchanged: boolean): string[] {
  const lines: string[] = [];
  let hidden = 0;
  for (const a of plan.actions) {
    // A waiting action (a pruned service draining, a rename waiting for its successor) is news.
    if (a.op === 'none' && a.pending === undefined && !showUnchanged) {
      hidden++;
      continue;
    }
    lines.push(...actionLines(a, p));
  }
  if (hidden > 0)
    lines.push(p.dim(`  ${hidden} unchanged ${hidden === 1 ? 'resource' : 'resources'} not shown`));
  return lines;
}

function actionLines(a: PlannedAction, p: Palette): string[] {
  const paint =
    a.op === 'create'
      ? p.green
      : a.op === 'update'
        ? p.cyan
        : a.op === 'delete'
          ? p.red
          : a.op === 'conflict' || a.op === 'orphan'
            ? p.yellow
            : p.dim;
  const symbol = a.op === 'none' && a.pending !== undefined ? '…' : SYMBOL[a.op];
  const head = [`${symbol} ${a.id}`, a.source ? `(${formatSource(a.source)})` : '', a.reason]
    .filter((s) => s !== '')
    .join('  ');
  const lines = [paint(head)];
  for (const c of a.changes.filter((c) => !isProvenanceChange(c))) {
    if (c.before !== undefined) lines.push(p.red(`-   ${c.path}: ${compactJson(c.before)}`));
    if (c.after !== undefined) lines.push(p.green(`+   ${c.path}: ${compactJson(c.after)}`));
  }
  return lines;
}

export function formatSource(s: SourceRef): string {
  return `${s.file}:${s.line}`;
}
