/**
 * `status --watch` against a real status server (startStatusServer with the /v1 routes over an
 * EcsView the test fills): the lines it prints as the view and /status change, the refusals (401,
 * 404) that end it with exit 1, and a reconnect after the server went away and came back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { watchStatus, type WatchConfig, type WatchIo } from '../../controller/cli/status-watch';
import type { TaskDetail } from '../../controller/model/ecs-events';
import { EcsView } from '../../controller/model/ecs-view';
import { type StatusServer, startStatusServer } from '../../controller/telemetry/http-server';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { viewRoutes } from '../../controller/telemetry/view-routes';
import { runCli } from '../helpers/run-cli';

const ARN = 'arn:aws:ecs:us-east-1:123456789012';
const TOKEN = 'watch-token-0123456789abcdef';
const AT = Date.UTC(2026, 11, 5, 12, 40, 1);
const TS = '2026-12-05T12:40:01Z';
const C1 = 'abcdef0123456789abcdef0123456789abcdef01';
const ID_A = '7d2e41c0aa5b4c0f9e1d2c3b4a596877';
const ID_B = 'b0b0b0b0aa5b4c0f9e1d2c3b4a596877';
const ID_C = 'c0c0c0c0aa5b4c0f9e1d2c3b4a596877';

function task(id: string, patch: Partial<TaskDetail> = {}): TaskDetail {
  return {
    cluster: 'demo',
    clusterArn: `${ARN}:cluster/demo`,
    taskArn: `${ARN}:task/demo/${id}`,
    version: 1,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    group: 'service:web',
    startedBy: 'ecs-svc/1',
    containers: [{ name: 'app', lastStatus: 'RUNNING' }],
    ...patch,
  };
}

const STOPPED_A = task(ID_A, {
  version: 3,
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stopCode: 'EssentialContainerExited',
  containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 137 }],
});

let view: EcsView;
let status: StatusStore;
const servers: StatusServer[] = [];

async function serve(opts: { token?: string; v1?: boolean; port?: number } = {}): Promise<StatusServer> {
  const server = await startStatusServer({
    port: opts.port ?? 0,
    status,
    metrics: new ControllerMetrics(),
    ...(opts.v1 === false
      ? {}
      : { extraRoutes: viewRoutes({ view, ...(opts.token ? { token: opts.token } : {}) }) }),
  });
  servers.push(server);
  return server;
}

beforeEach(() => {
  view = new EcsView({ now: () => AT });
  status = new StatusStore();
  status.recordReconcile('demo', {
    commit: C1,
    results: [{ id: 'service/web', resource: 'service', name: 'web', outcome: 'unchanged' }],
  });
  view.applyTaskEvent(task(ID_A));
});
const watches: AbortController[] = [];
afterEach(async () => {
  // A test that failed midway leaves its watch running: it must not outlive the test.
  for (const w of watches.splice(0)) w.abort();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A watch in this process, printing into arrays; `stop` is SIGINT. */
function startWatch(cfg: Partial<WatchConfig> & { baseUrl: string }, io: Partial<WatchIo> = {}) {
  const out: string[] = [];
  const notes: string[] = [];
  const stop = new AbortController();
  watches.push(stop);
  const done = watchStatus(
    { intervalMs: 50, timeoutMs: 2000, ...cfg },
    {
      signal: stop.signal,
      write: (t) => out.push(...t.split('\n').filter(Boolean)),
      diagnose: (t) => notes.push(t.trimEnd()),
      tty: false,
      now: () => AT,
      reconnectMs: 50,
      maxReconnectMs: 200,
      ...io,
    },
  );
  return {
    out,
    notes,
    done,
    stop: async () => {
      stop.abort();
      return done;
    },
  };
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('prints the current state, then one line per change of tasks and services; exit 0 when stopped', async () => {
  const server = await serve();
  const w = startWatch({ baseUrl: server.url });
  await until('the first lines', () => w.out.length >= 3);
  expect(w.out.sort()).toEqual([
    `${TS} demo cluster Ready, commit abcdef0`,
    `${TS} demo service web Ready`,
    `${TS} demo task 7d2e41c0 web RUNNING`,
  ]);
  w.out.length = 0;

  view.applyTaskEvent(STOPPED_A);
  view.applyTaskEvent(task(ID_B, { lastStatus: 'PENDING', version: 1 }));
  view.applyTaskEvent(task(ID_B, { lastStatus: 'PENDING', version: 2 })); // nothing shown changed
  status.recordReconcile('demo', {
    commit: C1,
    results: [{ id: 'service/web', resource: 'service', name: 'web', outcome: 'updated' }],
  });
  await until('the changes', () => w.out.length >= 4);
  await new Promise((r) => setTimeout(r, 150)); // a few more /status reads: nothing new
  // The stream and /status come on two connections: their lines may interleave either way.
  expect(w.out.filter((l) => l.includes(' task '))).toEqual([
    `${TS} demo task 7d2e41c0 web RUNNING -> STOPPED (exit 137, EssentialContainerExited)`,
    `${TS} demo task b0b0b0b0 web PENDING`,
  ]);
  expect(w.out.filter((l) => !l.includes(' task '))).toEqual([
    `${TS} demo cluster Ready -> Reconciling: 1 object(s) reconciling: service/web`,
    `${TS} demo service web Ready -> Reconciling (rollout in-progress): updated: rollout in progress`,
  ]);
  expect(await w.stop()).toBe(0);
  expect(w.notes).toEqual([]);
});

test('--cluster: only that cluster', async () => {
  view.applyTaskEvent({
    ...task(ID_C),
    cluster: 'other',
    clusterArn: `${ARN}:cluster/other`,
    taskArn: `${ARN}:task/other/${ID_C}`,
  });
  status.recordReconcile('other', { commit: C1, results: [] });
  const server = await serve();
  const w = startWatch({ baseUrl: server.url, cluster: 'other' });
  await until('the first lines', () => w.out.length >= 2);
  await new Promise((r) => setTimeout(r, 150));
  expect(await w.stop()).toBe(0);
  expect(w.out.sort()).toEqual([
    `${TS} other cluster Ready, commit abcdef0`,
    `${TS} other task c0c0c0c0 web RUNNING`,
  ]);
});

test('reconnect: the server goes and comes back; only what changed meanwhile is printed', async () => {
  view.applyTaskEvent(task(ID_B));
  view.applyTaskEvent(task(ID_C, { group: 'family:batch', startedBy: 'cron' }));
  const server = await serve();
  const port = server.port;
  const w = startWatch({ baseUrl: server.url });
  await until('the first lines', () => w.out.length >= 5);
  const first = [...w.out];

  await server.close();
  servers.splice(servers.indexOf(server), 1);
  await until('the drop to be noted', () => w.notes.some((n) => n.includes('reconnecting')));
  await until('/status to fail', () => w.notes.some((n) => n.startsWith('note: cannot read http')));
  // While it is away: A stops, B goes (a full resync no longer finds it), C stays as it was.
  view.applyTaskEvent(STOPPED_A);
  view.replaceCluster('demo', {
    tasks: [view.task('demo', ID_A)!, view.task('demo', ID_C)!],
    instances: [],
  });
  expect(view.task('demo', ID_B)).toBeUndefined();
  await serve({ port });

  await until('the changes made meanwhile', () => w.out.length >= first.length + 2);
  await new Promise((r) => setTimeout(r, 200));
  expect(w.out.slice(0, first.length)).toEqual(first);
  expect(w.out.slice(first.length).sort()).toEqual([
    `${TS} demo task 7d2e41c0 web RUNNING -> STOPPED (exit 137, EssentialContainerExited)`,
    `${TS} demo task b0b0b0b0 web gone (was RUNNING)`,
  ]);
  expect(w.notes).toContain('note: the stream ended; reconnecting in 0.1 s');
  expect(w.notes).toContain('note: connected again');
  await until('/status back', () => w.notes.includes('note: /status answers again'));

  // Live again: a change after the reconnect prints once.
  view.applyTaskEvent(
    task(ID_C, {
      version: 2,
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      group: 'family:batch',
      startedBy: 'cron',
      containers: [],
    }),
  );
  await until('the live change', () => w.out.length >= first.length + 3);
  expect(w.out.at(-1)).toBe(`${TS} demo task c0c0c0c0 family:batch RUNNING -> STOPPED (TaskFailedToStart)`);
  expect(await w.stop()).toBe(0);
});

test('on a terminal: the table, redrawn (not appended) as things change', async () => {
  const server = await serve();
  const w = startWatch({ baseUrl: server.url }, { tty: true, rows: () => 40 });
  const frames = () => w.out.join('\n').split('\x1b[H\x1b[2J').slice(1);
  await until('a frame with the task', () => frames().some((f) => f.includes('7d2e41c0')));
  view.applyTaskEvent(STOPPED_A);
  await until('a frame with the stop', () => (frames().at(-1) ?? '').includes('STOPPED'));
  expect(await w.stop()).toBe(0);
  const last = frames().at(-1) ?? '';
  expect(last).toContain('demo     7d2e41c0  web    STOPPED  -       STOPPED');
  expect(last).toContain('demo     web      Ready');
  expect(last).toContain('recent changes:\n');
  expect(last.trimEnd().split('\n').at(-1)).toBe(
    `  ${TS} demo task 7d2e41c0 web RUNNING -> STOPPED (exit 137, EssentialContainerExited)`,
  );
});

test('a stream that goes silent (no keep-alive) counts as dropped: it reconnects', async () => {
  const server = await serve();
  // The server's keep-alive comes every 15 s: an idle limit of 150 ms sees the stream as dead.
  const w = startWatch({ baseUrl: server.url }, { idleTimeoutMs: 150 });
  await until('a reconnect', () =>
    w.notes.some((n) => n.startsWith('note: the stream broke: nothing received for 150 ms')),
  );
  await until('connected again', () => w.notes.includes('note: connected again'));
  expect(await w.stop()).toBe(0);
  // Reconnected, and nothing printed twice.
  expect(new Set(w.out).size).toBe(w.out.length);
});

describe('refusals end the watch with exit 1 (through the CLI)', () => {
  test('401: a wrong token, and none; the token is never printed', async () => {
    const server = await serve({ token: TOKEN });
    const dir = mkdtempSync(path.join(tmpdir(), 'watch-token-'));
    const file = path.join(dir, 'token');
    writeFileSync(file, `wrong-${TOKEN}\n`);
    const bad = await runCli(['status', '--url', server.url, '--watch', '--token-file', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'error: the controller refused the API token (HTTP 401): give the token of its --api-token-file with --token-file or ECS_GITOPS_API_TOKEN',
    );
    const none = await runCli(['status', '--url', server.url, '--watch'], {
      ECS_GITOPS_API_TOKEN: undefined,
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error: the controller wants an API token (HTTP 401)');
    for (const run of [bad, none]) expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  test('the right token from ECS_GITOPS_API_TOKEN: it watches', async () => {
    const server = await serve({ token: TOKEN });
    const w = startWatch({ baseUrl: server.url, token: TOKEN });
    await until('the task line', () => w.out.some((l) => l.includes('task 7d2e41c0')));
    expect(await w.stop()).toBe(0);
  });

  test('404: a controller without /v1 says where /v1 is served', async () => {
    const server = await serve({ v1: false });
    const run = await runCli(['status', '--url', `${server.url}/status`, '--watch']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error: the controller has no /v1 API (HTTP 404): it serves /v1 only on a loopback --host or with --api-token-file',
    );
  });

  test('nothing listening: exit 1 at once, no waiting', async () => {
    const server = await serve();
    const url = server.url;
    await server.close();
    servers.splice(0);
    const run = await runCli(['status', '--url', url, '--watch', '--timeout', '1000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot (reach|read) .*ECONNREFUSED/m);
  });

  test('--cluster and --token-file without --watch are usage errors', async () => {
    const server = await serve();
    const run = await runCli(['status', '--url', server.url, '--cluster', 'demo']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--cluster goes with --watch');
  });
});
