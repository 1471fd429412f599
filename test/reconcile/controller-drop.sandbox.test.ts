/**
 * A cluster directory removed by a commit while its reconcile is in flight: the run ends without
 * writing, and nothing of the directory comes back (no event consumer, no status entry, no metric
 * series), while the other directory converges as usual.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Controller } from '../../controller/reconcile/controller';
import type { EventSourceRegistry } from '../../controller/reconcile/event-sources';
import { createGitSource } from '../../controller/reconcile/git-source';
import { createLogger } from '../../controller/telemetry/logger';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { newSandboxAccount } from '../helpers/sandbox';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo })
    .toString()
    .trim();

function writeDir(repo: string, dir: string, cluster: string, region: string): void {
  mkdirSync(path.join(repo, dir));
  writeFileSync(
    path.join(repo, dir, 'cluster.yaml'),
    `name: ${cluster}\nregion: ${region}\nevents:\n  queue: create\n`,
  );
  writeFileSync(
    path.join(repo, dir, 'web.taskdef'),
    JSON.stringify({
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memoryReservation: 64 }],
    }),
  );
}

test('a directory dropped during its reconcile writes nothing and is not revived by that run', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-drop-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeDir(repo, 'a', 'demo-a', 'us-east-1');
  writeDir(repo, 'b', 'demo-b', 'us-west-2');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'two clusters');

  const acct = newSandboxAccount();
  const ports = () => ({
    ecs: acct.ecs,
    reader: new EcsReader(acct.ecs),
    sqs: acct.sqs,
    eventBridge: acct.eventBridge,
  });
  // Directory a (us-east-1) is held right after loading its specs, until the test lets it go.
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const configured: string[] = [];
  const released: string[] = [];
  const events: EventSourceRegistry = {
    configure: (key) => void configured.push(key),
    release: (key) => void released.push(key),
  };
  const status = new StatusStore();
  const metrics = new ControllerMetrics();
  const controller = new Controller({
    source: createGitSource({ repo, cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')) }),
    paths: ['.'],
    env: {},
    portsFor: async (region) => {
      if (region === 'us-east-1') {
        entered();
        await held;
      }
      return ports();
    },
    clock: acct.clock,
    status,
    metrics,
    log: createLogger({ level: 'silent' }),
    events,
  });
  try {
    await controller.sourceChanged();
    const running = controller.idle();
    await inFlight;

    rmSync(path.join(repo, 'a'), { recursive: true });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'remove a');
    await controller.sourceChanged();
    release();
    await running;
    await controller.idle();

    expect(released).toEqual(['a']);
    expect(configured).toEqual(['b']);
    const clusters = (await acct.ecs.describeClusters({ clusters: ['demo-a', 'demo-b'] })).clusters ?? [];
    expect(clusters.map((c) => c.clusterName)).toEqual(['demo-b']);
    expect(status.snapshot().clusters.map((c) => c.cluster)).toEqual(['demo-b']);
    expect(await metrics.text()).not.toMatch(/cluster="demo-a"/);

    // Second round: nothing to write.
    acct.ecs.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(acct.ecs.callLog.mutating()).toEqual({});
  } finally {
    release();
    await controller.stop();
  }
});
