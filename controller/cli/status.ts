import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { maskSecretValues } from '../telemetry/secret-mask';
import { parseDuration } from './duration';
import { watchStatus } from './status-watch';
import { shortCommit, type ClusterStatus, type StatusDocument } from '../telemetry/status';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { writeDiagnostics } from './common';

export const DEFAULT_STATUS_URL = 'http://127.0.0.1:9090';

export interface StatusOptions {
  url: string;
  output: string;
  timeout: string;
  watch?: boolean;
  cluster?: string;
  tokenFile?: string;
  interval: string;
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
    .option('--watch', 'follow services, deployments, tasks and instances live (until Ctrl-C)')
    .option('--cluster <name>', 'with --watch: only this cluster')
    .option('--token-file <file>', "with --watch: the controller's /v1 API token (also ECS_GITOPS_API_TOKEN)")
    .option('--interval <duration>', 'with --watch: how often to read /status', '5s')
    .action(async (opts: StatusOptions) => setExit(await (opts.watch ? runWatch(opts) : runStatus(opts))));
}

/** `status --watch` until SIGINT or SIGTERM (exit 0), or until the controller refuses it (exit 1). */
export async function runWatch(opts: StatusOptions, signal?: AbortSignal): Promise<number> {
  if (opts.output !== 'text') throw new Error('--watch prints text only; leave out --output');
  const timeoutMs = parseTimeout(opts.timeout);
  const intervalMs = parseDuration(opts.interval);
  if (intervalMs <= 0) throw new Error(`--interval must be more than 0 (got "${opts.interval}")`);
  const token = apiToken(opts.tokenFile);
  if (token) maskSecretValues([token]);
  const baseUrl = statusEndpoint(opts.url).replace(/\/status$/, '');
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  const out = stdoutOutput(true);
  try {
    return await watchStatus(
      {
        baseUrl,
        intervalMs,
        timeoutMs,
        ...(opts.cluster ? { cluster: opts.cluster } : {}),
        ...(token ? { token } : {}),
      },
      {
        signal: stop.signal,
        write: (text) => out.write(text),
        diagnose: writeDiagnostics,
        tty: process.stdout.isTTY === true,
        rows: () => process.stdout.rows ?? 0,
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    signal?.removeEventListener('abort', onSignal);
  }
}

/** From the file (trimmed), else ECS_GITOPS_API_TOKEN; none when empty. */
function apiToken(file: string | undefined): string | undefined {
  let token: string | undefined;
  if (file) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new Error(
        `cannot read --token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        { cause: err },
      );
    }
    if (!token) throw new Error(`--token-file ${file} is empty`);
  } else {
    token = process.env.ECS_GITOPS_API_TOKEN?.trim();
  }
  return token || undefined;
}

function parseTimeout(text: string): number {
  const timeout = Number(text);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new Error(`--timeout must be milliseconds (got "${text}")`);
  return timeout;
}

export async function runStatus(opts: StatusOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json']);
  const timeout = parseTimeout(opts.timeout);
  const alone = ['cluster', 'tokenFile'].find((k) => opts[k as keyof StatusOptions] !== undefined);
  if (alone) throw new Error(`--${alone === 'tokenFile' ? 'token-file' : alone} goes with --watch`);
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
  const l = c.leadership;
  if (l) {
    const holder = l.role === 'leader' ? 'this replica' : (l.holder ?? 'none seen yet');
    lines.push(`leader election: ${l.role} (lease ${l.lease}, this replica ${l.identity}, leader ${holder})`);
  }
  if (doc.clusters.length === 0) {
    lines.push(
      l && l.role !== 'leader'
        ? 'no clusters: a follower reconciles nothing; ask the leader'
        : 'no clusters yet',
    );
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
