/**
 * The controller following deployments, on the sandbox (moto never finishes or fails one): a failed
 * rollout marks the service Stalled with the reason and is not deployed again for the same commit;
 * the next commit deploys again. Simulated time (ManualClock): the sandbox's deployments and the
 * controller's polling move together.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { errors as sandboxErrors } from '../../controller/aws/sandbox/errors';
import { ECSServiceException } from '@aws-sdk/client-ecs';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo })
    .toString()
    .trim();

function commit(repo: string, message: string): string {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A new git repository (not committed yet) with this cluster.yaml. */
function newRepo(prefix: string, clusterYaml: string): string {
  const repo = mkdtempSync(path.join(tmpdir(), prefix));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'cluster.yaml'), clusterYaml);
  return repo;
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
  const repo = newRepo(
    'ecs-gitops-rollout-',
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
  const metrics = new ControllerMetrics();
  const controller = controllerFor(repo, ports, clock, { status, metrics });
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
    expect(await metrics.text()).toMatch(/ecs_gitops_rollouts_total\{cluster="demo",result="failed"\} 1/);

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
    // The deploy also tags the service with the new spec hash (UpdateService cannot tag).
    expect(sb.callLog.mutating()).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });
    expect(web()).toMatchObject({ state: 'Ready', rollout: 'completed' });
    expect(readFileSync(taskdef, 'utf8')).toContain('nginx:1.28');
  } finally {
    await controller.stop();
  }
});

test('--worktree: an edited file (not committed) is reconciled, and each further edit again', async () => {
  const repo = newRepo(
    'ecs-gitops-worktree-',
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
  const repo = newRepo(
    'ecs-gitops-dnsdrift-',
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
  const repo = newRepo(
    'ecs-gitops-prune-ctl-',
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
  const repo = newRepo(
    'ecs-gitops-keep-',
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

/**
 * An ECS port whose next calls of one operation fail with the given error (as AWS would answer
 * them), the rest going to the sandbox.
 */
function withFaults(sb: SandboxEcs): { ecs: SandboxEcs; fail: (op: string, error?: () => Error) => void } {
  const faults = new Map<string, () => Error>();
  const ecs = new Proxy(sb, {
    get(target, prop, receiver) {
      const fault = typeof prop === 'string' ? faults.get(prop) : undefined;
      if (fault) return () => Promise.reject(fault());
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    ecs,
    fail: (op, error) => {
      if (error) faults.set(op, error);
      else faults.delete(op);
    },
  };
}

function oneServiceRepo(prefix: string): { repo: string; bump: (image: string) => string } {
  const repo = mkdtempSync(path.join(tmpdir(), prefix));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nserviceDefaults: { launchType: EC2 }\n',
  );
  const taskdef = path.join(repo, 'web.taskdef');
  const withImage = (image: string) =>
    JSON.stringify({ containerDefinitions: [{ name: 'web', image, memoryReservation: 64 }] });
  writeFileSync(taskdef, withImage('nginx:1.0'));
  writeFileSync(path.join(repo, 'web.service'), '{ "desiredCount": 1 }');
  commit(repo, 'initial');
  return {
    repo,
    bump: (image) => {
      writeFileSync(taskdef, withImage(image));
      return commit(repo, image);
    },
  };
}

const short = (sha: string) => sha.slice(0, 7);

/** A one-service repository and a controller over the sandbox through `withFaults`, on a manual clock. */
function faultyController(prefix: string) {
  const { repo, bump } = oneServiceRepo(prefix);
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const { ecs, fail } = withFaults(sb);
  const status = new StatusStore();
  const metrics = new ControllerMetrics();
  const controller = controllerFor(repo, { ecs, reader: new EcsReader(ecs) }, clock, { status, metrics });
  const shown = () => status.snapshot().controller.state;
  return { repo, bump, clock, sb, fail, status, metrics, controller, shown };
}

test('/status shows the controller idle after each commit and resync, backingOff while a throttled action is retried, idle once the retry succeeds', async () => {
  const { bump, clock, sb, fail, status, metrics, controller, shown } = faultyController('ecs-gitops-state-');
  try {
    await controller.sourceChanged();
    await controller.idle();
    expect(shown()).toBe(`idle at ${short(controller.commit!)}`);
    expect(status.get('demo')?.lifecycle).toBe('idle');

    const second = bump('nginx:1.1');
    await controller.sourceChanged();
    await controller.idle();
    expect(shown()).toBe(`idle at ${short(second)}`);

    controller.resyncAll();
    await controller.idle();
    expect(shown()).toBe(`idle at ${short(second)}`);

    // The next commit's UpdateService is throttled (after the SDK's own retries): the cluster backs
    // off for 1 s and /status says so.
    const during: string[] = [];
    fail('updateService', () => {
      during.push(shown());
      return sandboxErrors.throttling();
    });
    const third = bump('nginx:1.2');
    await controller.sourceChanged();
    await controller.idle();
    expect(during).toEqual([`reconciling at ${short(third)}: demo`]);
    expect(shown()).toMatch(
      new RegExp(`^backingOff at ${short(third)}: demo \\(1 failure, backoff 1s\\): .*ThrottlingException`),
    );
    expect(status.get('demo')?.lifecycle).toBe('backoff');
    // Nothing is retried before the backoff elapses.
    sb.callLog.reset();
    clock.advance(999);
    await controller.idle();
    expect(sb.callLog.total()).toBe(0);

    // The retry succeeds: idle again, at the same commit.
    fail('updateService');
    clock.advance(1);
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({ 'ECS.UpdateService': 1 });
    expect(shown()).toBe(`idle at ${short(third)}`);
    expect(await metrics.text()).toMatch(/ecs_gitops_reconcile_total\{cluster="demo",result="error"\} 1/);

    // And the round after changes nothing.
    sb.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({});
    expect(shown()).toBe(`idle at ${short(third)}`);
  } finally {
    await controller.stop();
  }
  expect(status.snapshot().controller.state).toMatch(/^stopped/);
});

test('an action AWS rejects (InvalidParameterException) is Stalled and not retried, not even at the resync, until a new commit', async () => {
  const { bump, clock, sb, fail, status, metrics, controller, shown } =
    faultyController('ecs-gitops-terminal-');
  try {
    await controller.sourceChanged();
    await controller.idle();

    fail('updateService', () => sandboxErrors.invalidParameter('Invalid setting for placement.'));
    const rejected = bump('nginx:1.1');
    sb.callLog.reset();
    await controller.sourceChanged();
    await controller.idle();
    // The service's spec-hash tag is written before the update AWS rejects: naming a revision the
    // service does not run, it vouches for nothing (the next read of the family is a full one).
    expect(sb.callLog.mutating()).toEqual({ 'ECS.RegisterTaskDefinition': 1, 'ECS.TagResource': 1 });
    expect(shown()).toBe(
      `stalled at ${short(rejected)}: demo (waiting for a new commit): 1 action(s) failed: ` +
        'service/web: InvalidParameterException: Invalid setting for placement.',
    );
    expect(status.get('demo')).toMatchObject({
      state: 'Stalled',
      lifecycle: 'stalled',
      lastAttemptedCommit: rejected,
    });
    expect(await metrics.text()).toMatch(/ecs_gitops_reconcile_total\{cluster="demo",result="stalled"\} 1/);

    // No retry: not after the longest backoff, not at the resync, not when asked to resync.
    sb.callLog.reset();
    clock.advance(11 * 60_000);
    await controller.idle();
    controller.resyncAll();
    await controller.idle();
    expect(sb.callLog.total()).toBe(0);
    expect(shown()).toMatch(/^stalled at/);

    // A new commit is tried at once (the fault is still there for this one: ClientException is terminal too).
    fail('updateService', () => sandboxErrors.client('The service cannot be updated.'));
    bump('nginx:1.2');
    sb.callLog.reset();
    await controller.sourceChanged();
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({ 'ECS.RegisterTaskDefinition': 1, 'ECS.TagResource': 1 });
    expect(shown()).toMatch(/^stalled at .*ClientException: The service cannot be updated\.$/);

    // The fix: converges, idle; the round after changes nothing.
    fail('updateService');
    const fixed = bump('nginx:1.3');
    await controller.sourceChanged();
    await controller.idle();
    expect(shown()).toBe(`idle at ${short(fixed)}`);
    sb.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({});
  } finally {
    await controller.stop();
  }
});

test('a 5xx from AWS on an action is retried with backoff (1 s, then 2 s)', async () => {
  const { bump, clock, sb, fail, controller, shown } = faultyController('ecs-gitops-5xx-');
  const serverError = () =>
    new ECSServiceException({ name: 'ServerException', $fault: 'server', $metadata: {}, message: 'boom' });
  try {
    await controller.sourceChanged();
    await controller.idle();
    fail('updateService', serverError);
    bump('nginx:1.1');
    await controller.sourceChanged();
    await controller.idle();
    expect(shown()).toMatch(/^backingOff at \w+: demo \(1 failure, backoff 1s\): .*ServerException: boom/);
    clock.advance(1000);
    await controller.idle();
    expect(shown()).toMatch(/^backingOff at \w+: demo \(2 failures, backoff 2s\): .*ServerException: boom/);
    fail('updateService');
    sb.callLog.reset();
    clock.advance(2000);
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({ 'ECS.UpdateService': 1 });
    expect(shown()).toMatch(/^idle at /);
  } finally {
    await controller.stop();
  }
});

test('a cluster directory with no region (and no default) is Stalled, counted, and shown', async () => {
  const repo = newRepo('ecs-gitops-noregion-', 'name: demo\n');
  commit(repo, 'no region');
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const status = new StatusStore();
  const metrics = new ControllerMetrics();
  const controller = controllerFor(repo, { ecs: sb, reader: new EcsReader(sb) }, clock, { status, metrics });
  try {
    await controller.sourceChanged();
    await controller.idle();
    expect(sb.callLog.total()).toBe(0);
    expect(status.get('demo')).toMatchObject({ state: 'Stalled' });
    expect(await metrics.text()).toMatch(/ecs_gitops_reconcile_total\{cluster="demo",result="stalled"\} 1/);
    expect(status.snapshot().controller.state).toMatch(
      /^stalled at \w+: demo \(waiting for a new commit\): .*no region/,
    );
  } finally {
    await controller.stop();
  }
});

test('a source that cannot be read is shown after the controller state, which keeps the last commit', async () => {
  const { repo, controller, shown } = faultyController('ecs-gitops-source-');
  try {
    await controller.sourceChanged();
    await controller.idle();
    const at = short(controller.commit!);
    rmSync(path.join(repo, '.git'), { recursive: true, force: true });
    await controller.sourceChanged();
    await controller.idle();
    expect(shown()).toMatch(new RegExp(`^idle at ${at}; source sync failed: .+`));
  } finally {
    await controller.stop();
  }
});

test('a cluster directory removed from the repository is no longer reconciled nor shown; its AWS resources stay', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-removed-'));
  git(repo, 'init', '-q', '-b', 'main');
  for (const name of ['alpha', 'beta']) {
    mkdirSync(path.join(repo, name));
    writeFileSync(
      path.join(repo, name, 'cluster.yaml'),
      `name: ${name}\nregion: us-east-1\nserviceDefaults: { launchType: EC2 }\n`,
    );
    writeFileSync(
      path.join(repo, name, 'web.taskdef'),
      JSON.stringify({ containerDefinitions: [{ name: 'web', image: 'nginx:1.0', memoryReservation: 64 }] }),
    );
    writeFileSync(path.join(repo, name, 'web.service'), '{ "desiredCount": 1 }');
  }
  commit(repo, 'two clusters');
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const status = new StatusStore();
  const metrics = new ControllerMetrics();
  const controller = controllerFor(repo, { ecs: sb, reader: new EcsReader(sb) }, clock, { status, metrics });
  const shown = () => status.snapshot().controller.state;
  try {
    await controller.sourceChanged();
    await controller.idle();
    expect(status.snapshot().clusters.map((c) => c.cluster)).toEqual(['alpha', 'beta']);

    rmSync(path.join(repo, 'beta'), { recursive: true });
    const removed = commit(repo, 'beta leaves');
    await controller.sourceChanged();
    await controller.idle();
    // At the resync, the gone directory is not tried again (it would fail to load and stall forever).
    sb.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(shown()).toBe(`idle at ${short(removed)}`);
    expect(status.snapshot().clusters.map((c) => c.cluster)).toEqual(['alpha']);
    expect(await metrics.text()).not.toMatch(/ecs_gitops_last_applied_commit_info\{cluster="beta"/);
    // alpha's resync reads, changes nothing; beta is left as it is in AWS.
    expect(sb.callLog.mutating()).toEqual({});
    const beta = await sb.describeServices({ cluster: 'beta', services: ['web'] });
    expect(beta.services?.[0]?.status).toBe('ACTIVE');
  } finally {
    await controller.stop();
  }
});
