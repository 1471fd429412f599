/** The pieces of a markdown plan: cluster lines, table rows, one `<details>` block per resource. */
import type { ResourceType } from '../model/action-result';
import {
  redactCredentialsInText,
  SENSITIVE_CHANGED,
  SENSITIVE_UNCHANGED,
  SENSITIVE_VALUE,
} from '../model/secret-detection';
import { actionKind, type ActionKind } from './action-kind';
import { DESTROY_PLAN_DIR } from './destroy-planner';
import { compactJson } from './json-util';
import { codeSpan, fencedBlock, htmlCode, htmlText, mdText } from './markdown-escape';
import type { FieldChange, Plan, PlannedAction } from './plan-types';
import { formatPlanError, formatSource } from './render-text';
import { isProvenanceChange } from './tag-drift';

export const RESOURCE_LABEL: Record<ResourceType, string> = {
  cluster: 'cluster',
  taskDefinition: 'task definition',
  service: 'service',
  dnsRecord: 'DNS record',
  revisions: 'old revisions',
  loadBalancer: 'load balancer',
  listener: 'listener',
  targetGroup: 'target group',
  listenerRule: 'listener rule',
  eventQueue: 'event queue',
  eventRule: 'event rule',
};

/** The order kinds are counted in, and how a count reads. */
const COUNTED: readonly [ActionKind, (n: number) => string][] = [
  ['create', (n) => `${n} to create`],
  ['update', (n) => `${n} to update`],
  ['replace', (n) => `${n} to replace`],
  ['delete', (n) => `${n} to delete`],
  ['prune', (n) => `${n} to prune`],
  ['conflict', (n) => `${n} ${n === 1 ? 'conflict' : 'conflicts'}`],
  ['kept', (n) => `${n} kept by prune: false`],
  ['waiting', (n) => `${n} waiting`],
  ['unchanged', (n) => `${n} unchanged`],
];

/** An action a reviewer needs to see: anything but unchanged. */
export function isShown(a: PlannedAction): boolean {
  return actionKind(a) !== 'unchanged';
}

/** `1 to create, 1 to replace, 3 unchanged, 1 error`: the kinds of the table, zeros left out. */
export function kindCounts(plan: Plan): string {
  const n = new Map<ActionKind, number>();
  for (const a of plan.actions) n.set(actionKind(a), (n.get(actionKind(a)) ?? 0) + 1);
  const parts = COUNTED.filter(([k]) => (n.get(k) ?? 0) > 0).map(([k, say]) => say(n.get(k)!));
  const e = plan.errors.length;
  if (e > 0) parts.push(`${e} ${e === 1 ? 'error' : 'errors'}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing to plan';
}

/** `- `demo` in `eu-west-1` from `specs/demo`: 2 to update, 3 unchanged` */
export function clusterLine(plan: Plan): string {
  const region = plan.region !== undefined ? ` in ${codeSpan(plan.region)}` : '';
  const from = plan.dir !== DESTROY_PLAN_DIR ? ` from ${codeSpan(plan.dir)}` : '';
  return `- ${codeSpan(plan.cluster)}${region}${from}: ${kindCounts(plan)}`;
}

/** The plan's errors as a list under one bold line; empty when there are none. */
export function errorBlocks(plan: Plan): string[] {
  if (plan.errors.length === 0) return [];
  return [
    `**Errors in ${codeSpan(plan.cluster)}: nothing will be applied to this cluster.**`,
    plan.errors.map((e) => `- ${mdText(redactCredentialsInText(formatPlanError(e)))}`).join('\n'),
  ];
}

/** Directories that were not planned, with their errors: nothing in them is compared or applied. */
export function notPlannedBlocks(
  failed: readonly { dir: string; cluster?: string; errors: readonly string[] }[],
): string[] {
  if (failed.length === 0) return [];
  const n = failed.length;
  const items = failed.flatMap((f) => {
    const name = `${codeSpan(f.dir)}${f.cluster !== undefined ? ` (cluster ${codeSpan(f.cluster)})` : ''}`;
    return f.errors.map((e) => `- ${name}: ${mdText(redactCredentialsInText(e))}`);
  });
  return [
    `**Not planned: ${n} ${n === 1 ? 'directory' : 'directories'} with errors; nothing in ${n === 1 ? 'it' : 'them'} is compared or applied.**`,
    items.join('\n'),
  ];
}

/**
 * cluster.yaml's `redaction:` section, shown because it decides which values this comment hides:
 * a pull request that exempts a name shows it here, in the same comment as the values it reveals.
 */
export function redactionBlock(plan: Plan): string[] {
  const r = plan.redaction;
  if (!r || (r.exempt.length === 0 && r.patterns.length === 0)) return [];
  const where = r.source ? ` (${codeSpan(formatSource(r.source))})` : '';
  const lines = [
    `**Redaction settings of ${codeSpan(plan.cluster)}** from \`redaction:\` in cluster.yaml${where}:`,
  ];
  if (r.exempt.length > 0)
    lines.push(`- values shown although the name looks secret: ${r.exempt.map(codeSpan).join(', ')}`);
  if (r.patterns.length > 0)
    lines.push(`- more secret name patterns: ${r.patterns.map(codeSpan).join(', ')}`);
  return [lines.join('\n')];
}

export const TABLE_HEADER = '| Cluster | Kind | Name | Action |\n| --- | --- | --- | --- |';

export function tableRow(plan: Plan, a: PlannedAction): string {
  const cells = [plan.cluster, RESOURCE_LABEL[a.resource], a.name, actionKind(a)].map(mdText);
  return `| ${cells.join(' | ')} |`;
}

/**
 * One resource: its kind of action, name and cluster in the summary line; the file and the reason;
 * the fields that differ as `! path: before -> after`, `+ path: added`, `- path: removed` in a
 * ```diff block (which GitHub colours).
 */
export function detailsBlock(plan: Plan, a: PlannedAction, showCluster: boolean): string {
  const cluster = showCluster ? ` in ${htmlCode(plan.cluster)}` : '';
  const summary = `<b>${actionKind(a)}</b> ${htmlText(RESOURCE_LABEL[a.resource])} ${htmlCode(a.name)}${cluster}`;
  const from = a.source ? `${codeSpan(formatSource(a.source))}: ` : '';
  const out = [`<details><summary>${summary}</summary>`, `${from}${mdText(a.reason)}`];
  const shown = a.changes.filter((c) => !isProvenanceChange(c));
  if (shown.length > 0) out.push(fencedBlock('diff', shown.map(changeLine)));
  out.push('</details>');
  return out.join('\n\n');
}

const MARKERS = new Set<unknown>([SENSITIVE_VALUE, SENSITIVE_CHANGED, SENSITIVE_UNCHANGED]);

/** `! containerDefinitions[web].image: "repo:1.4" -> "repo:1.5"`; a redaction marker unquoted. */
export function changeLine(c: FieldChange): string {
  const show = (v: unknown): string => (c.sensitive && MARKERS.has(v) ? String(v) : compactJson(v));
  if (c.before !== undefined && c.after !== undefined)
    return `! ${c.path}: ${show(c.before)} -> ${show(c.after)}`;
  if (c.after !== undefined) return `+ ${c.path}: ${show(c.after)}`;
  return `- ${c.path}: ${show(c.before)}`;
}
