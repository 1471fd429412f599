/**
 * The controller and cluster.yaml `policy:`: a commit breaking a rule at deny stalls its cluster like
 * a spec error (nothing applied, the rule named in /status), and the next commit that fixes it
 * applies again. Rules at warn change nothing in what the controller applies.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../controller/aws/clock';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Controller } from '../../controller/reconcile/controller';
import { createGitSource } from '../../controller/reconcile/git-source';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { createLogger } from '../../controller/telemetry/logger';
import { StatusStore } from '../../controller/telemetry/status';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo })
    .toString()
    .trim();

function commit(repo: string, message: string): void {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
}

const CLUSTER_YAML = [
  'name: demo',
  'region: us-east-1',
  'serviceDefaults:',
  '  launchType: EC2',
  '  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } }',
  'policy:',
  '  rules: { privileged: deny }',
  '',
].join('\n');

function webTaskdef(image: string, privileged: boolean): string {
  return JSON.stringify(
    {
      containerDefinitions: [
        { name: 'web', image, memoryReservation: 64, ...(privileged ? { privileged: true } : {}) },
      ],
    },
    null,
    2,
  );
}

test('a denied rule stalls the cluster with nothing applied; the commit that fixes it applies', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-lint-controller-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'cluster.yaml'), CLUSTER_YAML);
  const taskdef = path.join(repo, 'web.taskdef');
  writeFileSync(taskdef, webTaskdef('nginx:1.27', false));
  writeFileSync(path.join(repo, 'web.service'), '{ "desiredCount": 1 }');
  commit(repo, 'initial');

  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const status = new StatusStore();
  const controller = new Controller({
    source: createGitSource({ repo, cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')) }),
    paths: ['.'],
    env: {},
    portsFor: () => Promise.resolve({ ecs: sb, reader: new EcsReader(sb) }),
    clock,
    status,
    metrics: new ControllerMetrics(),
    log: createLogger({ level: 'silent' }),
  });
  const round = async () => {
    await controller.sourceChanged();
    await controller.idle();
    await controller.rollouts();
  };
  const revisions = () => sb.callLog.mutating()['ECS.RegisterTaskDefinition'] ?? 0;
  try {
    await round();
    expect(status.get('demo')).toMatchObject({ state: 'Ready' });
    expect(revisions()).toBe(1);
    // A second round of the same commit changes nothing.
    sb.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({});

    writeFileSync(taskdef, webTaskdef('nginx:1.28', true));
    commit(repo, 'privileged web');
    sb.callLog.reset();
    await round();
    expect(sb.callLog.mutating()).toEqual({});
    expect(status.get('demo')).toMatchObject({ state: 'Stalled' });
    expect(status.get('demo')?.lastError).toMatch(
      /web\.taskdef:7:7: containerDefinitions\[0\]\.privileged: container "web" is privileged.*\[privileged\]$/,
    );
    // The resync does not apply it either: the cluster waits for a new commit.
    controller.resyncAll();
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({});

    writeFileSync(taskdef, webTaskdef('nginx:1.28', false));
    commit(repo, 'not privileged');
    sb.callLog.reset();
    await round();
    expect(status.get('demo')).toMatchObject({ state: 'Ready' });
    expect(revisions()).toBe(1);
  } finally {
    await controller.stop();
  }
});
