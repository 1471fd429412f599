/**
 * The controller following deployments, on the sandbox (moto never finishes or fails one): a failed
 * rollout marks the service Stalled with the reason and is not deployed again for the same commit;
 * the next commit deploys again. Simulated time (ManualClock): the sandbox's deployments and the
 * controller's polling move together.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../controller/aws/clock';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { createLogger, type Logger } from '../../controller/telemetry/logger';
import { StatusStore } from '../../controller/telemetry/status';
import { Controller } from '../../controller/reconcile/controller';
import type { ClusterPorts } from '../../controller/reconcile/reconcile-cluster';
import { createGitSource } from '../../controller/reconcile/git-source';
import { Route53Reader } from '../../controller/observe/route53-reader';
import { newSandboxAccount } from '../helpers/sandbox';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo })
    .toString()
    .trim();

function commit(repo: string, message: string): string {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A controller over a git repository and these ports, on a manual clock, logging nothing. */
function controllerFor(
  repo: string,
  ports: ClusterPorts,
  clock: ManualClock,
  opts: { worktree?: boolean; status?: StatusStore; metrics?: ControllerMetrics; log?: Logger } = {},
): Controller {
  return new Controller({
    source: createGitSource({
      repo,
      ...(opts.worktree ? { worktree: true } : {}),
      cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')),
    }),
    paths: ['.'],
    env: {},
    portsFor: () => Promise.resolve(ports),
    clock,
    status: opts.status ?? new StatusStore(),
    metrics: opts.metrics ?? new ControllerMetrics(),
    log: opts.log ?? createLogger({ level: 'silent' }),
  });
}

test('a failed rollout is Stalled with its reason, not redeployed for the same commit, and the next commit deploys', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-rollout-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    [
      'name: demo',
      'region: us-east-1',
      'serviceDefaults:',
      '  launchType: EC2',
      '  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } }',
      '',
    ].join('\n'),
  );
  const taskdef = path.join(repo, 'web.taskdef');
  const withImage = (image: string) =>
    JSON.stringify({ containerDefinitions: [{ name: 'web', image, memoryReservation: 64 }] });
  writeFileSync(taskdef, withImage('nginx:1.27'));
  writeFileSync(path.join(repo, 'web.service'), '{ "desiredCount": 2 }');
  commit(repo, 'initial');

  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock, failImages: ['nginx:broken'] });
  const ports = { ecs: sb, reader: new EcsReader(sb) };
  const status = new StatusStore();
  const controller = controllerFor(repo, ports, clock, { status });
  const round = async () => {
    await controller.idle();
    await controller.rollouts();
  };
  const web = () => status.get('demo')?.objects.find((o) => o.id === 'service/web');

  try {
    await controller.sourceChanged();
    await round();
    expect(web()).toMatchObject({ state: 'Ready', rollout: 'completed' });

    writeFileSync(taskdef, withImage('nginx:broken'));
    const broken = commit(repo, 'broken image');
    await controller.sourceChanged();
    await round();
    expect(web()).toMatchObject({ state: 'Stalled', rollout: 'failed' });
    expect(web()?.reason).toMatch(/rolled back to demo-web:1/);

    // The resync sees the service back on :1 while the commit asks for :2: it does not deploy the
    // broken revision again for this commit.
    sb.callLog.reset();
    controller.resyncAll();
    await round();
    expect(sb.callLog.mutating()).toEqual({});
    expect(controller.commit).toBe(broken);

    // The next commit deploys again, and completes.
    writeFileSync(taskdef, withImage('nginx:1.28'));
    commit(repo, 'fixed image');
    sb.callLog.reset();
    await controller.sourceChanged();
    await round();
    expect(sb.callLog.mutating()).toEqual({ 'ECS.RegisterTaskDefinition': 1, 'ECS.UpdateService': 1 });
    expect(web()).toMatchObject({ state: 'Ready', rollout: 'completed' });
    expect(readFileSync(taskdef, 'utf8')).toContain('nginx:1.28');
  } finally {
    await controller.stop();
  }
});

test('--worktree: an edited file (not committed) is reconciled, and each further edit again', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-worktree-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n',
  );
  const taskdef = path.join(repo, 'web.taskdef');
  const withImage = (image: string) =>
    JSON.stringify({
      containerDefinitions: [
        { name: 'web', image, memoryReservation: 64, dockerLabels: { 'AUTOCREATE.SERVICE': '' } },
      ],
    });
  writeFileSync(taskdef, withImage('nginx:1.27'));
  commit(repo, 'initial');
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const ports = { ecs: sb, reader: new EcsReader(sb) };
  const controller = controllerFor(repo, ports, clock, { worktree: true });
  const image = async () => {
    const svc = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services?.[0];
    const td = await sb.describeTaskDefinition({ taskDefinition: svc?.taskDefinition });
    return td.taskDefinition?.containerDefinitions?.[0].image;
  };
  try {
    await controller.sourceChanged();
    await controller.idle();
    expect(await image()).toBe('nginx:1.27');
    for (const next of ['nginx:1.28', 'nginx:1.29']) {
      writeFileSync(taskdef, withImage(next));
      await controller.sourceChanged();
      await controller.idle();
      expect(await image()).toBe(next);
    }
  } finally {
    await controller.stop();
  }
});

test('a DNS record edited by hand is reverted on the resync, and counted as drift', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-dnsdrift-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\ndns:\n  domain: example.com\n  target:\n    addresses: [203.0.113.10]\n',
  );
  writeFileSync(
    path.join(repo, 'web.taskdef'),
    JSON.stringify({
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          memoryReservation: 64,
          dockerLabels: { 'AUTOCREATE.SERVICE': '', 'dns.hostname': 'www' },
        },
      ],
    }),
  );
  commit(repo, 'initial');
  const acct = newSandboxAccount();
  const zone = acct.route53.createHostedZone('example.com');
  const ports = {
    ecs: acct.ecs,
    reader: new EcsReader(acct.ecs),
    dns: {
      route53: acct.route53,
      route53Reader: new Route53Reader(acct.route53),
      elbv2: acct.elbv2,
      ec2: acct.ec2,
    },
  };
  const metrics = new ControllerMetrics();
  const controller = controllerFor(repo, ports, acct.clock, { metrics });
  const www = async () => {
    const out = await acct.route53.listResourceRecordSets({ HostedZoneId: zone });
    return out.ResourceRecordSets?.find((r) => r.Name === 'www.example.com.' && r.Type === 'A');
  };
  try {
    await controller.sourceChanged();
    await controller.idle();
    expect((await www())?.ResourceRecords).toEqual([{ Value: '203.0.113.10' }]);

    // Someone points the record elsewhere in the console.
    await acct.route53.changeResourceRecordSets({
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'www.example.com.',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '198.51.100.9' }],
            },
          },
        ],
      },
    });
    acct.ecs.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect((await www())?.ResourceRecords).toEqual([{ Value: '203.0.113.10' }]);
    expect((await www())?.TTL).toBe(300);
    expect(acct.ecs.callLog.mutating()).toEqual({ 'Route53.ChangeResourceRecordSets': 1 });
    expect(await metrics.text()).toMatch(
      /ecs_gitops_drift_detected_total\{cluster="demo",kind="dnsRecord"\} 1/,
    );

    acct.ecs.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(acct.ecs.callLog.mutating()).toEqual({});
  } finally {
    await controller.stop();
  }
});

test('a service removed by a commit: scaled to 0, then deleted by the requeue once drained, without waiting for the resync', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-prune-ctl-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nserviceDefaults: { launchType: EC2 }\n',
  );
  for (const name of ['web', 'api']) {
    writeFileSync(
      path.join(repo, `${name}.taskdef`),
      JSON.stringify({ containerDefinitions: [{ name, image: 'nginx:1.27', memoryReservation: 64 }] }),
    );
    writeFileSync(path.join(repo, `${name}.service`), '{ "desiredCount": 2 }');
  }
  commit(repo, 'two services');

  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock, drainSeconds: 20 });
  const ports = { ecs: sb, reader: new EcsReader(sb) };
  const controller = controllerFor(repo, ports, clock);
  const api = async () => (await sb.describeServices({ cluster: 'demo', services: ['api'] })).services?.[0];
  try {
    await controller.sourceChanged();
    await controller.idle();
    clock.advanceSeconds(10);

    execFileSync('git', ['rm', '-q', 'api.service'], { cwd: repo });
    commit(repo, 'remove api');
    sb.callLog.reset();
    await controller.sourceChanged();
    await controller.idle();
    // The controller does not block on the drain: it scales down and comes back.
    expect(sb.callLog.mutating()).toEqual({ 'ECS.TagResource': 2, 'ECS.UpdateService': 1 });
    expect(await api()).toMatchObject({ status: 'ACTIVE', desiredCount: 0, runningCount: 2 });

    // The requeue 30 s later (not the 10-minute resync): the 20 s drain is over, the service goes.
    sb.callLog.reset();
    clock.advanceSeconds(30);
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({ 'ECS.DeleteService': 1 });
    expect((await api())?.status).not.toBe('ACTIVE');

    // Converged: the next requeue slot passes without a reconcile that changes anything.
    sb.callLog.reset();
    clock.advanceSeconds(60);
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({});
  } finally {
    await controller.stop();
  }
});

test('two directories of one commit that manage one cluster under one owner id: both Stalled, nothing applied', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-clash-'));
  git(repo, 'init', '-q', '-b', 'main');
  for (const [dir, prefix] of [
    ['a', 'a'],
    ['b', 'b'],
  ]) {
    mkdirSync(path.join(repo, dir));
    writeFileSync(path.join(repo, dir, 'cluster.yaml'), `name: demo\nregion: us-east-1\nprefix: ${prefix}\n`);
    writeFileSync(
      path.join(repo, dir, 'web.taskdef'),
      JSON.stringify({
        containerDefinitions: [
          { name: 'web', image: 'nginx:1.27', memory: 64, dockerLabels: { 'AUTOCREATE.SERVICE': '' } },
        ],
      }),
    );
  }
  commit(repo, 'two directories, one cluster');
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const status = new StatusStore();
  const controller = controllerFor(repo, { ecs: sb, reader: new EcsReader(sb) }, clock, { status });
  try {
    await controller.sourceChanged();
    await controller.idle();
    expect(sb.callLog.total()).toBe(0);
    expect(status.get('demo')).toMatchObject({ state: 'Stalled' });
    expect(status.get('demo')?.lastError).toMatch(/also manages cluster demo with owner id "demo"/);
  } finally {
    await controller.stop();
  }
});

test('prune: false: what would be pruned is reported on every reconcile (a warning and a gauge), never deleted', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-keep-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nprune: false\nserviceDefaults: { launchType: EC2 }\n',
  );
  for (const name of ['web', 'api']) {
    writeFileSync(
      path.join(repo, `${name}.taskdef`),
      JSON.stringify({ containerDefinitions: [{ name, image: 'nginx:1.27', memoryReservation: 64 }] }),
    );
    writeFileSync(path.join(repo, `${name}.service`), '{ "desiredCount": 1 }');
  }
  commit(repo, 'two services');
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const metrics = new ControllerMetrics();
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', stream: { write: (l: string) => void lines.push(l) } as never });
  const controller = controllerFor(repo, { ecs: sb, reader: new EcsReader(sb) }, clock, { metrics, log });
  try {
    await controller.sourceChanged();
    await controller.idle();
    execFileSync('git', ['rm', '-q', 'api.service'], { cwd: repo });
    commit(repo, 'remove api');
    sb.callLog.reset();
    await controller.sourceChanged();
    await controller.idle();
    controller.resyncAll();
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({});
    const kept = lines.filter((l) => l.includes('kept by prune: false') && l.includes('service/api'));
    expect(kept).toHaveLength(2); // the commit's reconcile and the resync
    expect(await metrics.text()).toMatch(/ecs_gitops_prunable_resources\{cluster="demo",kind="service"\} 1/);
  } finally {
    await controller.stop();
  }
});
