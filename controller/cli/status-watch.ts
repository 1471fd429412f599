import type { ViewChange } from '../model/ecs-view';
import type { StatusDocument } from '../telemetry/status';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { openSse, type SseOpen } from './sse-client';
import { type ChangeLine, renderLine } from './watch-lines';
import { WatchState, viewKey } from './watch-state';
import { renderTable } from './watch-table';

/*
 * `status --watch`: follows a running controller. Tasks and container instances come from
 * /v1/stream?snapshot=true (server-sent events); clusters and services from /status, read every
 * `intervalMs`. Off a terminal it prints one line per change; on one it redraws a table.
 *
 * When the stream drops it reconnects with backoff and re-reads the snapshot; nothing already
 * printed is printed again (only what changed meanwhile, and entries gone meanwhile as `gone`).
 * 401 and 404 on /v1 end it with exit 1; a stop (SIGINT, SIGTERM: `signal`) ends it with exit 0.
 */

export interface WatchConfig {
  /** The controller's base URL (no /status). */
  baseUrl: string;
  cluster?: string;
  /** Sent to /v1 only, as `Authorization: Bearer`; never printed. */
  token?: string;
  intervalMs: number;
  timeoutMs: number;
}

export interface WatchIo {
  signal: AbortSignal;
  /** Results (change lines, or the table). */
  write: (text: string) => void;
  /** Diagnostics: `error: ...`, `note: ...` lines. */
  diagnose: (text: string) => void;
  tty: boolean;
  /** Terminal rows for the table; 0 for no limit. */
  rows?: () => number;
  now?: () => number;
  /** First reconnect delay, doubled up to `maxReconnectMs`. Default 1 s and 30 s. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** No byte (the server sends a keep-alive every 15 s) for this long: reconnect. Default 45 s. */
  idleTimeoutMs?: number;
}

const RECENT_LINES = 8;
const REDRAW_DELAY_MS = 100;

export async function watchStatus(cfg: WatchConfig, io: WatchIo): Promise<number> {
  const now = io.now ?? Date.now;
  const state = new WatchState(cfg.cluster);
  const stopped = new AbortController();
  const stop = () => stopped.abort();
  io.signal.addEventListener('abort', stop, { once: true });
  if (io.signal.aborted) stop();
  let failure: string | undefined;
  const fail = (message: string) => {
    failure ??= message;
    stop();
  };
  const out = output(cfg, io, state, now);
  try {
    await Promise.all([
      followStream(cfg, io, state, out, stopped.signal, fail),
      pollStatus(cfg, state, out, stopped.signal, fail),
    ]);
  } finally {
    io.signal.removeEventListener('abort', stop);
    out.close();
  }
  if (failure === undefined) return EXIT_OK;
  io.diagnose(`error: ${failure}\n`);
  return EXIT_ERROR;
}

type Source = 'stream' | 'status';

const BACK: Record<Source, string> = {
  stream: 'note: connected again\n',
  status: 'note: /status answers again\n',
};

interface Printer {
  lines(lines: readonly (ChangeLine | undefined)[]): void;
  /** What is wrong with the stream or with /status just now; undefined once it works again. */
  trouble(source: Source, why: string | undefined): void;
  /** Redraws the table (its clock) even without a change. */
  refresh(): void;
  close(): void;
}

/** Lines as they come, or (on a terminal) a table redrawn at most every REDRAW_DELAY_MS. */
function output(cfg: WatchConfig, io: WatchIo, state: WatchState, now: () => number): Printer {
  const recent: string[] = [];
  const troubles = new Map<Source, string>();
  let timer: NodeJS.Timeout | undefined;
  const redraw = () => {
    timer = undefined;
    const frame = { url: cfg.baseUrl, at: now(), recent, rows: io.rows?.() ?? 0 };
    const trouble = [...troubles.values()].join('; ');
    io.write(`\x1b[H\x1b[2J${renderTable(state, trouble ? { ...frame, trouble } : frame)}`);
  };
  const schedule = () => {
    if (io.tty && timer === undefined) timer = setTimeout(redraw, REDRAW_DELAY_MS);
  };
  return {
    lines(lines) {
      for (const l of lines) {
        if (!l) continue;
        const text = renderLine(now(), l);
        if (!io.tty) io.write(`${text}\n`);
        recent.push(text);
        if (recent.length > RECENT_LINES) recent.shift();
        schedule();
      }
    },
    trouble(source, why) {
      const was = troubles.get(source);
      if (why === was) return;
      if (why === undefined) troubles.delete(source);
      else troubles.set(source, why);
      if (!io.tty) io.diagnose(why === undefined ? BACK[source] : `note: ${why}\n`);
      schedule();
    },
    refresh: schedule,
    close() {
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- /v1/stream

async function followStream(
  cfg: WatchConfig,
  io: WatchIo,
  state: WatchState,
  out: Printer,
  signal: AbortSignal,
  fail: (message: string) => void,
): Promise<void> {
  const url = v1Url(cfg, 'stream', { snapshot: 'true' });
  const first = io.reconnectMs ?? 1000;
  let delay = first;
  let connected = false;
  while (!signal.aborted) {
    let open: SseOpen | undefined;
    let why = '';
    try {
      open = await openSse(url, {
        signal,
        headers: authHeader(cfg),
        idleTimeoutMs: io.idleTimeoutMs ?? 45_000,
        connectTimeoutMs: cfg.timeoutMs,
      });
    } catch (err) {
      if (signal.aborted) return;
      why = `cannot reach ${url}: ${reason(err)}`;
    }
    if (open?.ok === false) {
      const refusal = refused(open.status, open.body);
      if (refusal) return fail(refusal);
      why = `${url} answered HTTP ${open.status}: ${open.body.trim().slice(0, 200)}`;
    }
    if (open?.ok) {
      if (connected) {
        state.beginResync();
        void listEntries(cfg, signal).then(
          (listed) => out.lines(state.endResync(listed)),
          // Without the list nothing is known to be gone: say nothing rather than guess.
          () => state.cancelResync(),
        );
      }
      connected = true;
      delay = first;
      out.trouble('stream', undefined);
      try {
        for await (const event of open.events) out.lines([viewChange(event.event, event.data, state)]);
        why = 'the stream ended';
      } catch (err) {
        why = `the stream broke: ${reason(err)}`;
      }
      if (signal.aborted) return;
    }
    // The first connection must work: a wrong URL or a stopped controller is an error, not a wait.
    if (!connected) return fail(why);
    out.trouble('stream', `${why}; reconnecting in ${Math.round(delay / 100) / 10} s`);
    await sleep(delay, signal);
    delay = Math.min(delay * 2, io.maxReconnectMs ?? 30_000);
  }
}

/** The change an event carries, applied to the state; undefined for events of no interest. */
function viewChange(event: string, data: string, state: WatchState): ChangeLine | undefined {
  if (event !== 'task' && event !== 'instance') return undefined;
  let change: ViewChange;
  try {
    change = JSON.parse(data) as ViewChange;
  } catch {
    return undefined;
  }
  if (change.type !== event || (change.op !== 'upsert' && change.op !== 'delete') || !change.item)
    return undefined;
  return state.applyView(change);
}

/** The keys of every task and instance the controller lists now (after a reconnect). */
async function listEntries(cfg: WatchConfig, signal: AbortSignal): Promise<Set<string>> {
  const get = async (kind: 'tasks' | 'instances') => {
    const res = await fetch(v1Url(cfg, kind, {}), {
      signal: AbortSignal.any([signal, AbortSignal.timeout(cfg.timeoutMs)]),
      headers: { accept: 'application/json', ...authHeader(cfg) },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (
      (await res.json()) as { items: { cluster: string; taskArn?: string; containerInstanceArn?: string }[] }
    ).items;
  };
  const [tasks, instances] = await Promise.all([get('tasks'), get('instances')]);
  return new Set([
    ...tasks.map((t) => viewKey('task', t.cluster, t.taskArn ?? '')),
    ...instances.map((i) => viewKey('instance', i.cluster, i.containerInstanceArn ?? '')),
  ]);
}

/** 401 and 404 end the watch: waiting does not fix a wrong token or a controller without /v1. */
function refused(status: number, body: string): string | undefined {
  if (status === 401) {
    const why = /invalid token/.test(body) ? 'refused the API token' : 'wants an API token';
    return `the controller ${why} (HTTP 401): give the token of its --api-token-file with --token-file or ECS_GITOPS_API_TOKEN`;
  }
  if (status === 404)
    return 'the controller has no /v1 API (HTTP 404): it serves /v1 only on a loopback --host or with --api-token-file (and from the version that has /v1/stream)';
  return undefined;
}

// ---------------------------------------------------------------- /status

async function pollStatus(
  cfg: WatchConfig,
  state: WatchState,
  out: Printer,
  signal: AbortSignal,
  fail: (message: string) => void,
): Promise<void> {
  const url = `${cfg.baseUrl}/status`;
  let read = false;
  while (!signal.aborted) {
    const doc = await readStatus(url, cfg.timeoutMs, signal);
    if (signal.aborted) return;
    if (typeof doc !== 'string') {
      read = true;
      out.trouble('status', undefined);
      out.lines(state.applyStatus(doc));
      out.refresh();
    } else if (!read) {
      return fail(doc);
    } else {
      out.trouble('status', doc);
    }
    await sleep(cfg.intervalMs, signal);
  }
}

async function readStatus(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<StatusDocument | string> {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      headers: { accept: 'application/json' },
    });
    const text = await res.text();
    if (!res.ok) return `${url} answered HTTP ${res.status}: ${text.trim().slice(0, 200)}`;
    const doc = JSON.parse(text) as Partial<StatusDocument> | null;
    if (doc?.schemaVersion !== 1 || !Array.isArray(doc.clusters))
      return `${url} answered an unknown status document; upgrade ecs-gitops`;
    return doc as StatusDocument;
  } catch (err) {
    return `cannot read ${url}: ${reason(err)}`;
  }
}

// ---------------------------------------------------------------- helpers

function v1Url(cfg: WatchConfig, path: string, params: Record<string, string>): string {
  const u = new URL(`${cfg.baseUrl}/v1/${path}`);
  if (cfg.cluster !== undefined) u.searchParams.set('cluster', cfg.cluster);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

function authHeader(cfg: WatchConfig): Record<string, string> {
  return cfg.token === undefined ? {} : { authorization: `Bearer ${cfg.token}` };
}

function reason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
