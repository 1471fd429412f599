/**
 * The long-running controller end to end: a temporary git repository, the real git source, the real
 * AWS SDK against moto. Commits are made the way a user makes them; the controller is told about them
 * as its watcher would (the watcher itself is tested in test/reconcile/git-source.test.ts, and the
 * whole `run` command in the last test, as a child process).
 *
 * moto never finishes a deployment (IN_PROGRESS forever), so rollouts are not followed here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { AwsContext } from '../../controller/cli/aws-context';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { createLogger } from '../../controller/telemetry/logger';
import { StatusStore } from '../../controller/telemetry/status';
import { systemClock } from '../../controller/aws/clock';
import { Controller } from '../../controller/reconcile/controller';
import { createGitSource } from '../../controller/reconcile/git-source';
import { freePort, useMoto, useMotoClient } from '../helpers/moto';
import { distCli } from '../helpers/dist-cli';

const moto = useMoto();
const ecs = useMotoClient(moto, ECSClient);
// The controller's AwsContext finds moto by the environment. useMoto's own restore (setTestAwsEnv
// saved AWS_ENDPOINT_URL when it cleared it) puts the previous value back after the file.
beforeAll(() => {
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
});

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo })
    .toString()
    .trim();

function newRepo(): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-ctl-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: ctl\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n',
  );
  writeFileSync(
    path.join(repo, 'web.taskdef'),
    JSON.stringify(
      { containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memoryReservation: 64 }] },
      null,
      2,
    ),
  );
  writeFileSync(path.join(repo, 'web.service'), '{ "desiredCount": 1 }\n');
  commit(repo, 'initial');
  return repo;
}

function commit(repo: string, message: string): string {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

async function web() {
  const out = await ecs().send(new DescribeServicesCommand({ cluster: 'ctl', services: ['web'] }));
  return out.services?.[0];
}

function controllerFor(repo: string) {
  const ctx = new AwsContext({});
  const status = new StatusStore();
  const metrics = new ControllerMetrics();
  ctx.callLog.subscribe((s, o, c) => metrics.awsRequest(s, o, c));
  const controller = new Controller({
    source: createGitSource({ repo, cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')) }),
    paths: ['.'],
    env: {},
    portsFor: (region) => ctx.forRegion(region),
    defaultRegion: 'us-east-1',
    clock: systemClock,
    status,
    metrics,
    log: createLogger({ level: 'silent' }),
  });
  return { controller, status, metrics, ctx };
}

test('commits converge; a broken commit changes nothing and is Stalled; the fix recovers; drift is reverted and counted', async () => {
  const repo = newRepo();
  const { controller, status, metrics, ctx } = controllerFor(repo);
  await controller.start();
  await controller.idle();
  try {
    // The first commit converges.
    expect((await web())?.taskDefinition).toMatch(/task-definition\/ctl-web:1$/);
    const first = git(repo, 'rev-parse', 'HEAD');
    // Reconciling, not Ready: the new service's rollout is in progress (and on moto it stays so,
    // since moto never finishes a deployment).
    expect(status.get('ctl')).toMatchObject({ state: 'Reconciling', lastAppliedCommit: first });
    expect(status.isReady()).toBe(true);
    expect(await metrics.text()).toContain(
      `ecs_gitops_last_applied_commit_info{cluster="ctl",commit="${first}"} 1`,
    );

    // A new commit: exactly one family re-registered, one service updated.
    const file = path.join(repo, 'web.taskdef');
    writeFileSync(file, readFileSync(file, 'utf8').replace('nginx:1.27', 'nginx:1.28'));
    const second = commit(repo, 'bump nginx');
    ctx.callLog.reset();
    await controller.sourceChanged();
    await controller.idle();
    // (+1 TagResource: the deploy records the spec hash on the service.)
    expect(ctx.callLog.mutating()).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });
    expect((await web())?.taskDefinition).toMatch(/ctl-web:2$/);
    // The revision records the commit that produced it, so a running task traces to its commit.
    const revision = await ecs().send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'ctl-web:2', include: ['TAGS'] }),
    );
    expect(revision.tags).toContainEqual({ key: 'ecs-gitops:commit', value: second });
    expect(status.get('ctl')?.lastAppliedCommit).toBe(second);

    // A broken commit: AWS stays exactly as the last good commit left it; the cluster is Stalled.
    writeFileSync(file, '{ "containerDefinitions": [ { "name": "web", ');
    const broken = commit(repo, 'oops');
    ctx.callLog.reset();
    await controller.sourceChanged();
    await controller.idle();
    expect(ctx.callLog.mutating()).toEqual({});
    expect(ctx.callLog.total()).toBe(0);
    expect(status.get('ctl')).toMatchObject({
      state: 'Stalled',
      lastAttemptedCommit: broken,
      lastAppliedCommit: second,
    });
    expect(await metrics.text()).toMatch(/ecs_gitops_reconcile_total\{cluster="ctl",result="stalled"\} 1/);

    // The fix recovers by itself.
    writeFileSync(
      file,
      JSON.stringify({ containerDefinitions: [{ name: 'web', image: 'nginx:1.29', memoryReservation: 64 }] }),
    );
    const fixed = commit(repo, 'fix');
    await controller.sourceChanged();
    await controller.idle();
    expect(status.get('ctl')).toMatchObject({ state: 'Reconciling', lastAppliedCommit: fixed });
    expect((await web())?.taskDefinition).toMatch(/ctl-web:3$/);

    // Drift behind its back (someone scales in the console): the resync reverts it and counts it.
    await ecs().send(new UpdateServiceCommand({ cluster: 'ctl', service: 'web', desiredCount: 3 }));
    ctx.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect((await web())?.desiredCount).toBe(1);
    expect(ctx.callLog.mutating()).toEqual({ 'ECS.UpdateService': 1 });
    expect(await metrics.text()).toMatch(/ecs_gitops_drift_detected_total\{cluster="ctl",kind="service"\} 1/);

    // And the round after changes nothing.
    ctx.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(ctx.callLog.mutating()).toEqual({});
  } finally {
    await controller.stop();
  }
});

/**
 * `ecs-gitops run` as a child process, the compiled CLI as users run it (`npm test` builds dist/
 * first), output collected. Signals go straight to the controller's process: no launcher between
 * (the tsx CLI, for one, relays SIGTERM and SIGKILLs its child when not acknowledged within 30 ms).
 */
function spawnRun(args: string[]) {
  const child = spawn(process.execPath, [distCli(), 'run', ...args, '--log-format', 'json'], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = {
    child,
    output: '',
    exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout.on('data', (d: Buffer) => (run.output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.output += d.toString()));
  return run;
}

/** Polls /readyz until 200 (or 60 s). */
async function waitReady(port: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return status;
}

test('`run` as a process: ready, a webhook with a bad signature is rejected, SIGTERM exits 0', async () => {
  const repo = newRepo();
  const secretFile = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-secret-')), 'secret');
  writeFileSync(secretFile, 's3cret\n');
  const port = await freePort();
  const run = spawnRun(['--repo', repo, '--port', String(port), '--webhook-secret-file', secretFile]);
  try {
    const base = `http://127.0.0.1:${port}`;
    expect(await waitReady(port)).toBe(200);
    expect((await web())?.serviceName).toBe('web');

    const bad = await fetch(`${base}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': 'sha256=' + '0'.repeat(64),
      },
      body: JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40) }),
    });
    expect(bad.status).toBe(401);
    const metricsText = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metricsText).toContain('ecs_gitops_reconcile_total{cluster="ctl",result="success"} 1');
  } finally {
    run.child.kill('SIGTERM');
  }
  const started = Date.now();
  expect(await run.exited).toBe(0);
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(run.output).toContain('"msg":"stopped"');
  expect(run.output).not.toContain('s3cret');
});

/** The exit code, or what is wrong when the process is still running after `ms` (it is then killed). */
async function exitWithin(run: ReturnType<typeof spawnRun>, ms: number): Promise<number | null | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`still running ${ms / 1000} s after SIGTERM`), ms);
  });
  const outcome = await Promise.race([run.exited, late]);
  clearTimeout(timer);
  if (typeof outcome === 'string') run.child.kill('SIGKILL');
  return outcome;
}

/** Every service ARN of a cluster, all pages. */
async function serviceArns(cluster: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs().send(new ListServicesCommand({ cluster, nextToken }));
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** Polls `check` every 20 ms until it holds; fails with `why()` after `ms`. */
async function waitFor(check: () => Promise<boolean>, ms: number, why: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGTERM in the middle of a reconcile stops after the calls in flight and exits 0; the next start finishes the job without duplicates', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-ctl-many-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: many\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n',
  );
  const N = 40;
  for (let i = 0; i < N; i++) {
    writeFileSync(
      path.join(repo, `svc${i}.taskdef`),
      JSON.stringify({
        containerDefinitions: [
          {
            name: 'app',
            image: `nginx:1.${i}`,
            memoryReservation: 32,
            dockerLabels: { 'AUTOCREATE.SERVICE': '' },
          },
        ],
      }),
    );
  }
  commit(repo, 'forty services');
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-'));

  // First start: SIGTERM as soon as AWS has its third service, while the reconcile is far from done
  // (40 families and 40 services, paced by the write rate limits).
  const INTERRUPT_AT = 3;
  const first = spawnRun(['--repo', repo, '--port', String(await freePort()), '--cache-dir', cacheDir]);
  await waitFor(
    async () => (await serviceArns('many')).length >= INTERRUPT_AT,
    60_000,
    () => `the controller did not create ${INTERRUPT_AT} services within 60 s; its output:\n${first.output}`,
  );
  first.child.kill('SIGTERM');
  // What is left waits for the next start, not for the rate limits (1 write per second after a burst).
  expect(await exitWithin(first, 10_000)).toBe(0);
  expect(first.output).toContain('"msg":"stopped"');
  // A stop, not a failure: no error line, no backoff.
  expect(first.output).toContain('stopped before the reconcile finished; the next start continues');
  expect(first.output).not.toContain('reconcile failed');
  // It stopped between writes: the reconcile was not finished on the way out.
  const afterStop = (await serviceArns('many')).length;
  expect({ servicesAfterSigterm: afterStop, interrupted: afterStop < N }).toEqual({
    servicesAfterSigterm: afterStop,
    interrupted: true,
  });

  // Second start: finishes the job.
  const port = await freePort();
  const second = spawnRun(['--repo', repo, '--port', String(port), '--cache-dir', cacheDir]);
  try {
    expect(await waitReady(port)).toBe(200);
  } finally {
    second.child.kill('SIGTERM');
  }
  expect(await second.exited).toBe(0);
  // Exactly one service per task definition, and exactly one revision per family: no duplicates.
  expect(await serviceArns('many')).toHaveLength(N);
  const revisions = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'many-svc1' }));
  expect(revisions.taskDefinitionArns?.filter((a) => /many-svc1:\d+$/.test(a))).toEqual([
    expect.stringMatching(/many-svc1:1$/),
  ]);
  for (let i = 0; i < N; i++) {
    const td = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: `many-svc${i}` }));
    expect(td.taskDefinition?.revision).toBe(1);
  }
}, 120_000);
