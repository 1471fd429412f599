import { palette, type Paint, type Palette } from './ansi';
import type { ActionResult, Outcome, ResourceType } from '../model/action-result';
import { redactCredentialsInText } from '../model/secret-detection';
import { formatSource } from './render-text';

export const OUTCOMES: readonly Outcome[] = [
  'created',
  'updated',
  'unchanged',
  'deleted',
  'skipped',
  'failed',
];

export type ResultsSummary = Record<Outcome, number>;

export function summarizeResults(results: readonly ActionResult[]): ResultsSummary {
  const s = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as ResultsSummary;
  for (const r of results) s[r.outcome]++;
  return s;
}

export interface ResultsTextOptions {
  color: boolean;
  /** Names the cluster in the summary line. */
  cluster?: string;
}

function paintFor(o: Outcome, p: Palette): Paint {
  switch (o) {
    case 'created':
      return p.green;
    case 'updated':
      return p.cyan;
    case 'deleted':
    case 'failed':
      return p.red;
    case 'skipped':
      return p.yellow;
    case 'unchanged':
      return p.dim;
  }
}

/**
 * One line per action (`created  service/jenkins  (jenkins.taskdef:23)  message`), then a summary
 * line. A credential-looking part of a message (AWS's) is replaced.
 */
export function renderResultsText(results: readonly ActionResult[], opts: ResultsTextOptions): string {
  const p = palette(opts.color);
  const width = Math.max(0, ...results.map((r) => r.outcome.length));
  const lines = results.map((r) => {
    const parts = [r.outcome.padEnd(width), r.id];
    if (r.source) parts.push(`(${formatSource(r.source)})`);
    if (r.message) parts.push(redactCredentialsInText(r.message));
    if (r.pending) parts.push(`(waiting: ${r.pending})`);
    return paintFor(r.outcome, p)(parts.join('  '));
  });
  const s = summarizeResults(results);
  const counts = OUTCOMES.map((o) => `${s[o]} ${o}`).join(', ');
  lines.push(opts.cluster ? `Applied to cluster ${opts.cluster}: ${counts}.` : `Results: ${counts}.`);
  return `${lines.join('\n')}\n`;
}

export interface ResultsJson {
  schemaVersion: 1;
  ok: boolean;
  results: {
    id: string;
    resource: ResourceType;
    name: string;
    outcome: Outcome;
    message: string | null;
    errorCode: string | null;
    arn: string | null;
    source: { file: string; line: number; column: number } | null;
  }[];
  summary: ResultsSummary;
}

/**
 * Results as a stable JSON document; `ok` is false when anything failed. Messages are AWS's: a
 * credential-looking part is replaced here already (the CLI also masks known secret values).
 */
export function resultsToJson(results: readonly ActionResult[]): ResultsJson {
  const summary = summarizeResults(results);
  return {
    schemaVersion: 1,
    ok: summary.failed === 0,
    results: results.map((r) => ({
      id: r.id,
      resource: r.resource,
      name: r.name,
      outcome: r.outcome,
      message: r.message === undefined ? null : redactCredentialsInText(r.message),
      errorCode: r.errorCode ?? null,
      arn: r.arn ?? null,
      source: r.source ? { file: r.source.file, line: r.source.line, column: r.source.column } : null,
    })),
    summary,
  };
}
