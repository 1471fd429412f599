import { startStatusServer, type StatusServer } from '../../controller/telemetry/http-server';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { json, runCli } from '../helpers/run-cli';

const C1 = 'abcdef0123456789abcdef0123456789abcdef01';
let server: StatusServer;
let status: StatusStore;

beforeEach(async () => {
  status = new StatusStore();
  server = await startStatusServer({ port: 0, status, metrics: new ControllerMetrics() });
});
afterEach(() => server.close());

function allReady() {
  status.setControllerState('Idle');
  status.recordReconcile('demo', {
    commit: C1,
    results: [
      { id: 'cluster/demo', resource: 'cluster', name: 'demo', outcome: 'unchanged' },
      { id: 'service/web', resource: 'service', name: 'web', outcome: 'unchanged' },
    ],
  });
  status.recordReconcile('other', { commit: C1, results: [] });
  status.markReady();
}

test('every cluster Ready: a table, exit 0', async () => {
  allReady();
  const run = await runCli(['status', '--url', server.url]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const lines = run.stdout.split('\n');
  expect(lines[0]).toMatch(/^controller: Idle, ready, started \d{4}-/);
  expect(lines.slice(2, 5)).toEqual([
    'CLUSTER  STATE  COMMIT   REASON',
    'demo     Ready  abcdef0',
    'other    Ready  abcdef0',
  ]);
  expect(run.stdout).not.toMatch(/not Ready/);
});

test('a Stalled cluster: its reason, one line per object not Ready, exit 1', async () => {
  allReady();
  status.recordReconcile('demo', {
    commit: '9999999999999999999999999999999999999999',
    results: [
      { id: 'cluster/demo', resource: 'cluster', name: 'demo', outcome: 'unchanged' },
      { id: 'service/web', resource: 'service', name: 'web', outcome: 'updated' },
      {
        id: 'service/api',
        resource: 'service',
        name: 'api',
        outcome: 'failed',
        errorCode: 'AccessDeniedException',
        message: 'denied',
      },
    ],
  });
  const run = await runCli(['status', '--url', `${server.url}/status`]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    'demo     Stalled  abcdef0  1 object(s) stalled: service/api: failed: AccessDeniedException: denied',
  );
  expect(run.stdout).toContain('objects not Ready:\n');
  expect(run.stdout).toContain(
    '  demo  service/web  Reconciling (rollout in-progress): updated: rollout in progress\n',
  );
  expect(run.stdout).toContain('  demo  service/api  Stalled: failed: AccessDeniedException: denied\n');
  expect(run.stdout).not.toContain('cluster/demo');
});

test('--output json prints the document; the exit code still says whether all are Ready', async () => {
  allReady();
  const ok = await runCli(['status', '--url', server.url, '--output', 'json']);
  expect(ok.code).toBe(0);
  expect(json(ok)).toEqual(status.snapshot());
  status.recordSpecErrors('other', ['other/web.service:2:3: unknown field "imagee"'], C1);
  const bad = await runCli(['status', '--url', server.url, '-o', 'json']);
  expect(bad.code).toBe(1);
  expect(json(bad).clusters[1]).toMatchObject({ cluster: 'other', state: 'Stalled' });
});

test('a controller not ready yet (no successful sync) exits 1', async () => {
  const run = await runCli(['status', '--url', server.url]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('not ready');
  expect(run.stdout).toContain('no clusters yet');
});

test('unreachable controller: a clear message on stderr, exit 1', async () => {
  const url = server.url;
  await server.close();
  server = await startStatusServer({ port: 0, status, metrics: new ControllerMetrics() });
  const run = await runCli(['status', '--url', url]);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(
    new RegExp(`^error: cannot reach the controller at ${url}/status: ECONNREFUSED`),
  );
});

test('something else answering: a clear message, exit 1', async () => {
  const run = await runCli(['status', '--url', `${server.url}/healthz`]);
  // /healthz/status is not a path of the controller
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/answered HTTP 404/);
  const bad = await runCli(['status', '--url', 'ftp://x']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/--url must be http or https/);
});
