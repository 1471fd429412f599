/**
 * An ECS event is a hint: `Controller.hint(cluster, service)` queues the directory, and its next run
 * re-reads only that service through the ECS API and plans it from the specs. Drift on the named
 * service is reverted without reading the rest of the cluster; a forged or stale hint costs reads,
 * never a write; the full resync stays due on its interval however many hints arrive.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Clock, ManualClock } from '../../controller/aws/clock';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { createLogger } from '../../controller/telemetry/logger';
import { StatusStore } from '../../controller/telemetry/status';
import { Controller } from '../../controller/reconcile/controller';
import { createGitSource } from '../../controller/reconcile/git-source';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo });

const RESYNC_MS = 600_000;

async function setUp(opts: { controllerClock?: (manual: ManualClock) => Clock } = {}) {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-hint-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n',
  );
  for (const name of ['web', 'api']) {
    writeFileSync(
      path.join(repo, `${name}.taskdef`),
      JSON.stringify({ containerDefinitions: [{ name, image: 'nginx:1.27', memoryReservation: 64 }] }),
    );
    writeFileSync(path.join(repo, `${name}.service`), '{ "desiredCount": 2 }');
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');

  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const status = new StatusStore();
  const controller = new Controller({
    source: createGitSource({ repo, cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')) }),
    paths: ['.'],
    env: {},
    portsFor: () => Promise.resolve({ ecs: sb, reader: new EcsReader(sb) }),
    clock: opts.controllerClock?.(clock) ?? clock,
    resyncMs: RESYNC_MS,
    status,
    metrics: new ControllerMetrics(),
    log: createLogger({ level: 'silent' }),
  });
  await controller.sourceChanged();
  await controller.idle();
  const described = jest.spyOn(sb, 'describeServices');
  const count = async (name: string) =>
    (await sb.describeServices({ cluster: 'demo', services: [name] })).services?.[0]?.desiredCount;
  return { repo, sb, clock, status, controller, described, count };
}

test('a hint reverts drift on the named service, reading only it; the second round writes nothing', async () => {
  const { sb, status, controller, described, count } = await setUp();
  // Both services edited by hand; only web's event arrives.
  await sb.updateService({ cluster: 'demo', service: 'web', desiredCount: 5 });
  await sb.updateService({ cluster: 'demo', service: 'api', desiredCount: 7 });
  sb.callLog.reset();
  described.mockClear();

  expect(controller.hint('demo', 'web')).toEqual(['.']);
  await controller.idle();

  expect(sb.callLog.mutating()).toEqual({ 'ECS.UpdateService': 1 });
  // Reads: the cluster and the one service; nothing that lists the cluster.
  expect(described.mock.calls.length).toBeGreaterThan(0);
  expect(new Set(described.mock.calls.flatMap(([input]) => input.services))).toEqual(new Set(['web']));
  const reads = sb.callLog.snapshot();
  expect(reads['ECS.ListServices']).toBeUndefined();
  expect(reads['ECS.ListTaskDefinitions']).toBeUndefined();
  expect(await count('web')).toBe(2);
  expect(await count('api')).toBe(7); // not named: left for the resync
  // /status keeps every object; the one looked at is Ready.
  expect(
    status
      .get('demo')
      ?.objects.map((o) => o.id)
      .sort(),
  ).toEqual(expect.arrayContaining(['service/api', 'service/web']));

  // Second round: the same hint again changes nothing.
  sb.callLog.reset();
  controller.hint('demo', 'web');
  await controller.idle();
  expect(sb.callLog.mutating()).toEqual({});
});

test('a forged hint (a service no spec names, another cluster) costs reads only, never a write', async () => {
  const { sb, controller, count } = await setUp();
  await sb.updateService({ cluster: 'demo', service: 'api', desiredCount: 7 });
  sb.callLog.reset();

  expect(controller.hint('other', 'web')).toEqual([]);
  await controller.idle();
  expect(sb.callLog.total()).toBe(0);

  controller.hint('demo', 'ghost');
  await controller.idle();
  expect(sb.callLog.mutating()).toEqual({});
  expect(sb.callLog.snapshot()).toEqual({ 'ECS.DescribeClusters': 1 });
  expect(await count('api')).toBe(7);
});

test('hints do not postpone the full resync: it runs on its interval after the last full run', async () => {
  const { sb, clock, controller, count } = await setUp();
  await sb.updateService({ cluster: 'demo', service: 'api', desiredCount: 7 });
  // Events for web every minute for 9 minutes, then quiet.
  for (let minute = 1; minute <= 9; minute++) {
    clock.advance(60_000);
    controller.hint('demo', 'web');
    await controller.idle();
  }
  expect(await count('api')).toBe(7);
  // 11 minutes after the first full run: its resync (10 minutes) has run, not 10 after the last hint.
  clock.advance(2 * 60_000);
  await controller.idle();
  expect(await count('api')).toBe(2);
  expect(sb.callLog.snapshot()['ECS.ListServices']).toBeGreaterThan(0);
});

test('a hint while a pruned service scales in does not narrow the follow-up: the requeued run goes on with the prune', async () => {
  const { repo, sb, clock, status, controller } = await setUp();
  // api leaves the specs: the full run scales it to zero and asks to be run again to delete it.
  execFileSync('git', ['rm', '-q', 'api.taskdef', 'api.service'], { cwd: repo });
  git(repo, 'commit', '-q', '-m', 'remove api');
  sb.callLog.reset();
  await controller.sourceChanged();
  await controller.idle();
  // (TagResource: the new commit recorded on web's service and revision.)
  expect(sb.callLog.mutating()).toEqual({ 'ECS.UpdateService': 1, 'ECS.TagResource': 2 });

  // An event for web arrives meanwhile; then the tasks have stopped and the requeue is due.
  controller.hint('demo', 'web');
  clock.advance(60_000);
  sb.callLog.reset();
  await controller.idle();
  // The follow-up planned the whole cluster (a run narrowed to web cannot see api) and deleted api.
  expect(sb.callLog.mutating()).toEqual({ 'ECS.DeleteService': 1 });

  // The rest of the prune: the drain, then (once no task uses them) api's revisions, by the resync.
  for (let i = 0; i < 11; i++) {
    clock.advance(60_000);
    await controller.idle();
  }
  expect(status.get('demo')?.objects.find((o) => o.id === 'service/api')).toBeUndefined();
  const left = await sb.listTaskDefinitions({ familyPrefix: 'demo-api', status: 'ACTIVE' });
  expect(left.taskDefinitionArns).toEqual([]);

  // Second round: nothing left to write.
  sb.callLog.reset();
  controller.resyncAll();
  await controller.idle();
  expect(sb.callLog.mutating()).toEqual({});
});

test('a storm of instance events makes one full run at once and one more after 30 s, not one per event', async () => {
  // The controller's waits are held here, to be let go by the test (a ManualClock's sleep returns
  // at once, which would hide the wait).
  const waits: { ms: number; go: () => void }[] = [];
  const { sb, clock, controller } = await setUp({
    controllerClock: (manual) => ({
      now: () => manual.now(),
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          waits.push({
            ms,
            go: () => {
              manual.advance(ms);
              resolve();
            },
          });
          signal?.addEventListener('abort', () => resolve(), { once: true });
        }),
    }),
  });
  clock.advance(60_000);
  sb.callLog.reset();
  for (let i = 0; i < 10; i++) {
    expect(controller.hintCluster('demo')).toEqual(['.']);
    await controller.idle();
  }
  // A full run lists the cluster's services once.
  expect(sb.callLog.snapshot()['ECS.ListServices']).toBe(1);
  // (The other wait is the follower of the first apply's rollouts, polling every 15 s.)
  const delayed = waits.filter((w) => w.ms === 30_000);
  expect(delayed).toHaveLength(1);
  delayed[0]?.go();
  await new Promise((resolve) => setImmediate(resolve));
  await controller.idle();
  expect(sb.callLog.snapshot()['ECS.ListServices']).toBe(2);
  expect(sb.callLog.mutating()).toEqual({});
});
