/**
 * `status --watch` as a separate process, as a CI job runs it: stdout not a terminal, so one line
 * per change; SIGTERM and SIGINT end it with exit 0; the token (from ECS_GITOPS_API_TOKEN) never
 * appears in what it prints. Runs the compiled CLI: `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { EcsView } from '../../controller/model/ecs-view';
import { type StatusServer, startStatusServer } from '../../controller/telemetry/http-server';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { viewRoutes } from '../../controller/telemetry/view-routes';
import { distCli } from '../helpers/dist-cli';
import { bareEnv } from '../helpers/spawn-cli';

const ARN = 'arn:aws:ecs:us-east-1:123456789012';
const TOKEN = 'spawned-watch-token-0123456789';
const ID = '7d2e41c0aa5b4c0f9e1d2c3b4a596877';

let server: StatusServer;
let view: EcsView;

beforeEach(async () => {
  view = new EcsView();
  const status = new StatusStore();
  status.recordReconcile('demo', { commit: 'abcdef0123456789abcdef0123456789abcdef01', results: [] });
  server = await startStatusServer({
    port: 0,
    status,
    metrics: new ControllerMetrics(),
    extraRoutes: viewRoutes({ view, token: TOKEN }),
  });
});
afterEach(() => server.close());

function task(version: number, lastStatus: string) {
  return {
    cluster: 'demo',
    clusterArn: `${ARN}:cluster/demo`,
    taskArn: `${ARN}:task/demo/${ID}`,
    version,
    lastStatus,
    desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    group: 'service:web',
    containers: [{ name: 'app', lastStatus, ...(lastStatus === 'STOPPED' ? { exitCode: 137 } : {}) }],
    ...(lastStatus === 'STOPPED' ? { stopCode: 'EssentialContainerExited' } : {}),
  };
}

/** Lines without their leading timestamp. */
function changes(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, ''));
}

test.each(['SIGTERM', 'SIGINT'] as const)('a change per line, then %s: exit 0', async (sig) => {
  view.applyTaskEvent(task(1, 'RUNNING'));
  const child = spawn(
    process.execPath,
    [distCli(), 'status', '--url', server.url, '--watch', '--interval', '200ms'],
    {
      env: bareEnv({ ECS_GITOPS_API_TOKEN: TOKEN }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const until = async (what: string, check: () => boolean) => {
    const end = Date.now() + 15_000;
    while (!check()) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await until('the first lines', () => changes(stdout).length >= 2);
    view.applyTaskEvent(task(2, 'STOPPED'));
    await until('the stop', () => stdout.includes('STOPPED'));
    child.kill(sig);
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
  expect(changes(stdout).sort()).toEqual([
    'demo cluster Ready, commit abcdef0',
    'demo task 7d2e41c0 web RUNNING',
    'demo task 7d2e41c0 web RUNNING -> STOPPED (exit 137, EssentialContainerExited)',
  ]);
  // No escape codes off a terminal, and never the token.
  expect(stdout).not.toContain('\x1b');
  expect(stdout + stderr).not.toContain(TOKEN);
});
