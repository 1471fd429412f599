import type { Command } from 'commander';
import { shortCommit, type ClusterStatus, type StatusDocument } from '../telemetry/status';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { writeDiagnostics } from './common';

export const DEFAULT_STATUS_URL = 'http://127.0.0.1:9090';

export interface StatusOptions {
  url: string;
  output: string;
  timeout: string;
}

/** `status`: asks a running controller (`run`) how its clusters are; exit 0 only when all are Ready. */
export function registerStatus(program: Command, setExit: (code: number) => void): void {
  program
    .command('status')
    .description("show a running controller's clusters and objects not Ready (exit 1 unless all are Ready)")
    .option(
      '--url <url>',
      'the controller HTTP address (env ECS_GITOPS_STATUS_URL)',
      process.env.ECS_GITOPS_STATUS_URL ?? DEFAULT_STATUS_URL,
    )
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--timeout <ms>', 'how long to wait for the controller', '5000')
    .action(async (opts: StatusOptions) => setExit(await runStatus(opts)));
}

export async function runStatus(opts: StatusOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json']);
  const timeout = Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new Error(`--timeout must be milliseconds (got "${opts.timeout}")`);
  const endpoint = statusEndpoint(opts.url);
  const doc = await fetchStatus(endpoint, timeout);
  if (typeof doc === 'string') {
    writeDiagnostics(`error: ${doc}\n`);
    return EXIT_ERROR;
  }
  const out = stdoutOutput(true);
  out.write(format === 'json' ? toJsonText(doc) : renderStatus(doc));
  return allReady(doc) ? EXIT_OK : EXIT_ERROR;
}

/** Every cluster Ready, and the controller past its first successful sync. */
export function allReady(doc: StatusDocument): boolean {
  return doc.controller.ready && doc.clusters.every((c) => c.state === 'Ready');
}

function statusEndpoint(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--url must be an http(s) URL (got "${url}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`--url must be http or https (got "${url}")`);
  // Accept the base address or the /status URL itself.
  if (!u.pathname.endsWith('/status')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/status`;
  return u.toString();
}

/** The document, or a message saying why there is none. */
async function fetchStatus(endpoint: string, timeoutMs: number): Promise<StatusDocument | string> {
  let res: Response;
  try {
    res = await fetch(endpoint, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why =
      err instanceof Error && err.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)));
    return `cannot reach the controller at ${endpoint}: ${why} (is \`ecs-gitops run\` running, with its HTTP port there?)`;
  }
  const text = await res.text();
  if (!res.ok) return `${endpoint} answered HTTP ${res.status}: ${text.trim().slice(0, 200)}`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return `${endpoint} did not answer JSON (is that an ecs-gitops controller?)`;
  }
  const d = doc as Partial<StatusDocument> | null;
  if (d?.schemaVersion !== 1 || !Array.isArray(d.clusters) || typeof d.controller !== 'object') {
    return `${endpoint} answered an unknown status document (schemaVersion ${String(d?.schemaVersion)}); upgrade ecs-gitops`;
  }
  return d as StatusDocument;
}

/** A table of clusters, then one indented line per object not Ready. */
export function renderStatus(doc: StatusDocument): string {
  const c = doc.controller;
  const lines = [`controller: ${c.state}, ${c.ready ? 'ready' : 'not ready'}, started ${c.startedAt}`];
  if (doc.clusters.length === 0) {
    lines.push('no clusters yet');
    return `${lines.join('\n')}\n`;
  }
  const rows = [
    ['CLUSTER', 'STATE', 'COMMIT', 'REASON'],
    ...doc.clusters.map((cl) => [
      cl.cluster,
      cl.state,
      cl.lastAppliedCommit ? shortCommit(cl.lastAppliedCommit) : '-',
      oneLine(cl.reason ?? ''),
    ]),
  ];
  lines.push('', ...table(rows));
  const notReady = doc.clusters.flatMap((cl: ClusterStatus) =>
    cl.objects.filter((o) => o.state !== 'Ready').map((o) => ({ cl, o })),
  );
  if (notReady.length > 0) {
    lines.push('', 'objects not Ready:');
    for (const { cl, o } of notReady) {
      const rollout = o.rollout ? ` (rollout ${o.rollout})` : '';
      lines.push(`  ${cl.cluster}  ${o.id}  ${o.state}${rollout}${o.reason ? `: ${oneLine(o.reason)}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, '; ');
}
