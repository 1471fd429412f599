/**
 * Reconcile scenarios at the library level, on the strict in-memory sandbox with a manual clock:
 * load a spec directory, plan against the sandbox, apply, and look at the account the way a user
 * would (describe calls). Every scenario runs a further round and counts the mutating calls per
 * operation.
 *
 * These live on the sandbox rather than moto because moto is not AWS here: moto does not store a
 * service's deploymentConfiguration, never finishes (or fails) a deployment, and deletes clusters
 * that still have services.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CreateServiceRequest } from '@aws-sdk/client-ecs';
import { ManualClock } from '../../controller/aws/clock';
import type { EcsPort } from '../../controller/aws/ecs-port';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { SandboxEcs, type SandboxOptions } from '../../controller/aws/sandbox/sandbox-ecs';
import type { DesiredState } from '../../controller/model/desired';
import type { Plan } from '../../controller/plan/plan-types';
import type { ActionResult } from '../../controller/model/action-result';
import { destroyCluster, type DestroyOptions } from '../../controller/reconcile/destroy';
import { applyPlan, planDesiredState } from '../../controller/reconcile/reconcile-cluster';
import { waitForRollouts } from '../../controller/reconcile/rollout-waiter';
import { loadClusterDir } from '../../controller/specfiles';
import { copySpecsWithoutEvents } from '../helpers/specs-copy';

const OWNERSHIP = { key: 'ecs-gitops:managed-by', value: 'ecs-gitops' };

/** A copy of specs/ that a scenario may edit. */
function copySpecs(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-apply-'));
  copySpecsWithoutEvents(dir);
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(file, next);
}

async function load(dir: string): Promise<DesiredState> {
  const result = await loadClusterDir(dir, { env: {} });
  expect(result.errors).toEqual([]);
  if (!result.state) throw new Error(`no desired state from ${dir}`);
  return result.state;
}

/** One sandbox account on a manual clock, shared by the rounds of a scenario. */
function account(opts: SandboxOptions = {}) {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock, ...opts });
  return { sb, clock };
}

interface Round {
  plan: Plan;
  results: ActionResult[];
  outcomes: Record<string, string>;
  /** Mutating calls of this round, per operation (`ECS.CreateService`: 1). */
  mutating: Record<string, number>;
  reader: EcsReader;
}

/**
 * One reconcile, as one `apply` run: a fresh reader (a new process has a cold cache), plan, apply.
 * `ecs` wraps the sandbox when a scenario needs AWS to answer differently.
 */
async function reconcile(sb: SandboxEcs, dir: string, ecs: EcsPort = sb): Promise<Round> {
  const state = await load(dir);
  sb.callLog.reset();
  const reader = new EcsReader(ecs);
  const plan = await planDesiredState(state, { ecs, reader });
  const results = await applyPlan(plan, { ecs, reader });
  const outcomes = Object.fromEntries(results.map((r) => [r.id, r.outcome]));
  return { plan, results, outcomes, mutating: sb.callLog.mutating(), reader };
}

function result(round: Round, id: string): ActionResult {
  const r = round.results.find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}: ${JSON.stringify(round.results)}`);
  return r;
}

async function service(sb: SandboxEcs, cluster: string, name: string) {
  const out = await sb.describeServices({ cluster, services: [name], include: ['TAGS'] });
  const svc = out.services?.[0];
  if (!svc) throw new Error(`service ${name} not found`);
  return svc;
}

async function image(sb: SandboxEcs, taskDefinitionArn: string | undefined): Promise<string | undefined> {
  const td = await sb.describeTaskDefinition({ taskDefinition: taskDefinitionArn });
  return td.taskDefinition?.containerDefinitions?.[0].image;
}

const CONVERGED_FROM_EMPTY = {
  'cluster/demo': 'created',
  'taskDefinition/demo-web': 'created',
  'taskDefinition/demo-worker': 'created',
  'service/web': 'created',
  'service/worker': 'created',
};

describe('applying specs/ (the example cluster) to an empty account', () => {
  test('converges, and the next rounds (warm and cold cache) make zero mutating calls', async () => {
    const { sb } = account();
    const dir = copySpecs();
    const first = await reconcile(sb, dir);
    expect(first.outcomes).toEqual(CONVERGED_FROM_EMPTY);
    expect(first.mutating).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.RegisterTaskDefinition': 2,
      'ECS.CreateService': 2,
    });

    // A long-lived controller keeps its reader (and its revision cache) between rounds.
    sb.callLog.reset();
    const state = await load(dir);
    const warmPlan = await planDesiredState(state, { ecs: sb, reader: first.reader });
    const warm = await applyPlan(warmPlan, { ecs: sb, reader: first.reader });
    expect(warm.every((r) => r.outcome === 'unchanged')).toBe(true);
    expect(sb.callLog.mutating()).toEqual({});

    // A second `apply` process starts cold.
    const second = await reconcile(sb, dir);
    expect(second.mutating).toEqual({});
    expect(Object.values(second.outcomes).every((o) => o === 'unchanged')).toBe(true);
  });

  test('the services carry the deploymentConfiguration cluster.yaml asks for, and the specs as written', async () => {
    const { sb } = account();
    await reconcile(sb, copySpecs());

    const web = await service(sb, 'demo', 'web');
    expect(web.deploymentConfiguration).toMatchObject({
      maximumPercent: 200,
      minimumHealthyPercent: 50,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    expect(web.desiredCount).toBe(2);
    expect(web.healthCheckGracePeriodSeconds).toBe(30);
    expect(web.launchType).toBe('EC2');
    expect(web.taskDefinition).toMatch(/task-definition\/demo-web:1$/);
    expect(web.tags).toEqual(expect.arrayContaining([OWNERSHIP, { key: 'team', value: 'platform' }]));

    // The AUTOCREATE.SERVICE worker gets the cluster's defaults, desiredCount included.
    const worker = await service(sb, 'demo', 'worker');
    expect(worker.deploymentConfiguration).toMatchObject({
      minimumHealthyPercent: 50,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    expect(worker.desiredCount).toBe(1);
    expect(worker.taskDefinition).toMatch(/task-definition\/demo-worker:1$/);

    const td = await sb.describeTaskDefinition({ taskDefinition: 'demo-web', include: ['TAGS'] });
    expect(td.taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: 'web',
      image: 'nginx:1.27',
      memoryReservation: 64,
    });
    expect(td.tags).toEqual(expect.arrayContaining([OWNERSHIP]));
    const cluster = await sb.describeClusters({ clusters: ['demo'], include: ['TAGS'] });
    expect(cluster.clusters?.[0].tags).toEqual(expect.arrayContaining([OWNERSHIP]));
  });
});

describe('--wait: following the rollout of what changed', () => {
  /** specs/ applied and its first rollouts finished; `web` is then given another image. */
  async function changedWeb(newImage: string, opts: SandboxOptions = {}) {
    const { sb, clock } = account(opts);
    const dir = copySpecs();
    await reconcile(sb, dir);
    clock.advanceSeconds(60);
    expect((await service(sb, 'demo', 'web')).runningCount).toBe(2);
    edit(path.join(dir, 'web.taskdef'), '"nginx:1.27"', JSON.stringify(newImage));
    const round = await reconcile(sb, dir);
    expect(round.outcomes['service/web']).toBe('updated');
    // The deploy tags the service with the new spec hash (UpdateService cannot tag).
    expect(round.mutating).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });
    const web = result(round, 'service/web');
    expect(web.taskDefinitionArn).toMatch(/demo-web:2$/);
    return { sb, clock, dir, round, web };
  }

  test('a changed service rolls out: state completed, running the new revision', async () => {
    const { sb, clock, dir, round, web } = await changedWeb('nginx:1.28');
    const started = clock.now();
    const rollouts = await waitForRollouts(
      'demo',
      [{ name: 'web', taskDefinitionArn: web.taskDefinitionArn }],
      {
        reader: round.reader,
        clock,
        timeoutMs: 120_000,
        pollMs: 1000,
      },
    );
    expect(rollouts).toEqual([{ service: 'web', state: 'completed', reason: 'deployment completed' }]);
    expect(clock.now()).toBeGreaterThan(started); // it really waited (simulated time)
    const live = await service(sb, 'demo', 'web');
    expect(live.taskDefinition).toBe(web.taskDefinitionArn);
    expect(await image(sb, live.taskDefinition)).toBe('nginx:1.28');
    expect(live.runningCount).toBe(2);

    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('a failing image with circuit breaker + rollback: failed, naming the rollback, back on the previous revision', async () => {
    const { sb, clock, dir, round, web } = await changedWeb('nginx:broken', { failImages: ['nginx:broken'] });
    const rollouts = await waitForRollouts(
      'demo',
      [{ name: 'web', taskDefinitionArn: web.taskDefinitionArn }],
      {
        reader: round.reader,
        clock,
        timeoutMs: 120_000,
        pollMs: 1000,
      },
    );
    expect(rollouts).toHaveLength(1);
    expect(rollouts[0].state).toBe('failed');
    expect(rollouts[0].reason).toMatch(/rolled back to demo-web:1/);
    expect(rollouts[0].reason).toMatch(/circuit breaker/);
    const live = await service(sb, 'demo', 'web');
    expect(live.taskDefinition).toMatch(/demo-web:1$/);
    expect(await image(sb, live.taskDefinition)).toBe('nginx:1.27');

    // The fix is a commit putting the good image back. The service already runs demo-web:1, which
    // matches, so nothing is registered (no duplicate of :1) and nothing is deployed again, although
    // the newest revision, :2, is the broken one.
    edit(path.join(dir, 'web.taskdef'), '"nginx:broken"', '"nginx:1.27"');
    const fixed = await reconcile(sb, dir);
    expect(fixed.mutating).toEqual({});
    expect(fixed.outcomes['taskDefinition/demo-web']).toBe('unchanged');
    expect(fixed.plan.actions.find((a) => a.id === 'taskDefinition/demo-web')?.reason).toMatch(
      /matches demo-web:1, which its services run \(the newest, demo-web:2, differs\)/,
    );
    expect((await service(sb, 'demo', 'web')).taskDefinition).toMatch(/demo-web:1$/);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('a failing image without a circuit breaker: timeout after the given timeout', async () => {
    const { sb, clock } = account({ failImages: ['nginx:broken'] });
    const dir = copySpecs();
    edit(
      path.join(dir, 'cluster.yaml'),
      /enable: true\n(\s+)rollback: true/,
      'enable: false\n$1rollback: false',
    );
    await reconcile(sb, dir);
    clock.advanceSeconds(60);
    edit(path.join(dir, 'web.taskdef'), '"nginx:1.27"', '"nginx:broken"');
    const round = await reconcile(sb, dir);
    const web = result(round, 'service/web');
    expect(web.outcome).toBe('updated');

    const started = clock.now();
    const rollouts = await waitForRollouts(
      'demo',
      [{ name: 'web', taskDefinitionArn: web.taskDefinitionArn }],
      {
        reader: round.reader,
        clock,
        timeoutMs: 90_000,
        pollMs: 10_000,
      },
    );
    expect(rollouts).toEqual([
      { service: 'web', state: 'timeout', reason: 'deployment still in progress after 90s' },
    ]);
    expect(clock.now() - started).toBe(90_000);

    // The service does run the revision of the spec (its tasks just never start): nothing to change.
    const second = await reconcile(sb, dir);
    expect(second.mutating).toEqual({});
    expect(second.outcomes['service/web']).toBe('unchanged');
  });
});

describe('one AWS failure does not stop the rest', () => {
  test('a task definition AWS rejects: that family failed with the AWS error and the call, its service skipped, the rest converges', async () => {
    const { sb } = account();
    const dir = copySpecs();
    // Valid to the loader, rejected by AWS: memoryReservation above the hard memory limit.
    edit(path.join(dir, 'web.taskdef'), '"memoryReservation": 64,', '"memoryReservation": 64, "memory": 32,');
    const first = await reconcile(sb, dir);

    const td = result(first, 'taskDefinition/demo-web');
    expect(td.outcome).toBe('failed');
    expect(td.errorCode).toBe('ClientException');
    expect(td.message).toBe(
      "ClientException: Invalid setting for container 'web'. 'memoryReservation' must be less than or equal to 'memory'. (ECS.RegisterTaskDefinition)",
    );
    const web = result(first, 'service/web');
    expect(web.outcome).toBe('skipped');
    expect(web.message).toMatch(/taskDefinition\/demo-web was failed/);
    expect(first.outcomes).toMatchObject({
      'cluster/demo': 'created',
      'taskDefinition/demo-worker': 'created',
      'service/worker': 'created',
    });
    expect((await sb.describeServices({ cluster: 'demo', services: ['web'] })).services).toEqual([]);

    // Nothing that converged is touched again; only the rejected registration is retried.
    const second = await reconcile(sb, dir);
    expect(second.mutating).toEqual({ 'ECS.RegisterTaskDefinition': 1 });
    expect(second.outcomes).toEqual({
      'cluster/demo': 'unchanged',
      'taskDefinition/demo-web': 'failed',
      'taskDefinition/demo-worker': 'unchanged',
      'service/web': 'skipped',
      'service/worker': 'unchanged',
    });

    // Fixed: web is created, and the round after that is a no-op.
    edit(path.join(dir, 'web.taskdef'), '"memory": 32,', '"memory": 128,');
    const fixed = await reconcile(sb, dir);
    expect(fixed.mutating).toEqual({ 'ECS.RegisterTaskDefinition': 1, 'ECS.CreateService': 1 });
    expect(result(fixed, 'service/web').outcome).toBe('created');
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('AccessDeniedException on one CreateService: that service failed with the code, the others converge', async () => {
    const { sb } = account();
    const dir = copySpecs();
    /** A role whose policy does not allow creating the web service. */
    const denyWeb: EcsPort = Object.assign(Object.create(sb) as SandboxEcs, {
      createService: (input: CreateServiceRequest) => {
        if (input.serviceName !== 'web') return sb.createService(input);
        const err = new Error(
          'User: arn:aws:sts::123456789012:assumed-role/ci/ecs-gitops is not authorized to perform: ecs:CreateService',
        );
        err.name = 'AccessDeniedException';
        return Promise.reject(err);
      },
    });
    const first = await reconcile(sb, dir, denyWeb);
    const web = result(first, 'service/web');
    expect(web.outcome).toBe('failed');
    expect(web.errorCode).toBe('AccessDeniedException');
    expect(web.message).toMatch(/^AccessDeniedException: .*not authorized to perform: ecs:CreateService/);
    expect(first.outcomes).toEqual({ ...CONVERGED_FROM_EMPTY, 'service/web': 'failed' });
    expect(first.mutating).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.RegisterTaskDefinition': 2,
      'ECS.CreateService': 1,
    });

    // Permission granted: only web is created; then nothing changes.
    const second = await reconcile(sb, dir);
    expect(second.mutating).toEqual({ 'ECS.CreateService': 1 });
    expect(result(second, 'service/web').outcome).toBe('created');
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });
});

describe('desiredCount removed from a spec', () => {
  test('leaves the count autoscaling set alone: the plan changes nothing', async () => {
    const { sb, clock } = account();
    const dir = copySpecs();
    await reconcile(sb, dir);
    clock.advanceSeconds(60);
    // Application Auto Scaling (or a person) scales the service.
    await sb.updateService({ cluster: 'demo', service: 'web', desiredCount: 5 });
    edit(path.join(dir, 'web.service.template'), /\s*"desiredCount": 2,/, '');

    const round = await reconcile(sb, dir);
    expect(round.plan.actions.filter((a) => a.op !== 'none')).toEqual([]);
    expect(round.mutating).toEqual({});
    expect((await service(sb, 'demo', 'web')).desiredCount).toBe(5);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });
});

describe('an AUTOCREATE.SERVICE service scaled by autoscaling', () => {
  test('starts with serviceDefaults.desiredCount, then keeps the count autoscaling set', async () => {
    const { sb, clock } = account();
    const dir = copySpecs();
    await reconcile(sb, dir);
    expect((await service(sb, 'demo', 'worker')).desiredCount).toBe(1);
    clock.advanceSeconds(60);
    await sb.updateService({ cluster: 'demo', service: 'worker', desiredCount: 4 });

    const round = await reconcile(sb, dir);
    expect(round.plan.actions.filter((a) => a.op !== 'none')).toEqual([]);
    expect(round.mutating).toEqual({});
    expect((await service(sb, 'demo', 'worker')).desiredCount).toBe(4);
  });
});

describe('an existing service ecs-gitops did not create', () => {
  /** The cluster converged without `web`; then someone creates `web` by hand, without our tags. */
  async function handMadeWeb() {
    const { sb } = account();
    const dir = copySpecs();
    const template = path.join(dir, 'web.service.template');
    const templateText = readFileSync(template, 'utf8');
    rmSync(template);
    await reconcile(sb, dir);
    writeFileSync(template, templateText);
    await sb.registerTaskDefinition({
      family: 'hand-made',
      containerDefinitions: [{ name: 'web', image: 'httpd:2.4', memory: 64 }],
    });
    await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'hand-made',
      desiredCount: 3,
    });
    return { sb, dir };
  }

  test('is a conflict and is left untouched', async () => {
    const { sb, dir } = await handMadeWeb();
    const round = await reconcile(sb, dir);
    const action = round.plan.actions.find((a) => a.id === 'service/web');
    expect(action?.op).toBe('conflict');
    expect(action?.reason).toMatch(/without ecs-gitops ownership tags.*adopt: true/);
    expect(result(round, 'service/web').outcome).toBe('skipped');
    expect(round.mutating).toEqual({});
    const web = await service(sb, 'demo', 'web');
    expect(web.desiredCount).toBe(3);
    expect(web.taskDefinition).toMatch(/task-definition\/hand-made:1$/);
    expect(web.tags).toEqual([]);

    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('with adopt: true it is tagged and managed, and the next round changes nothing', async () => {
    const { sb, dir } = await handMadeWeb();
    writeFileSync(
      path.join(dir, 'cluster.yaml'),
      `${readFileSync(path.join(dir, 'cluster.yaml'), 'utf8')}adopt: true\n`,
    );
    const round = await reconcile(sb, dir);
    expect(round.outcomes['service/web']).toBe('updated');
    expect(round.mutating).toEqual({ 'ECS.UpdateService': 1, 'ECS.TagResource': 1 });
    const web = await service(sb, 'demo', 'web');
    expect(web.tags).toEqual(expect.arrayContaining([OWNERSHIP, { key: 'ecs-gitops:owner', value: 'demo' }]));
    expect(web.taskDefinition).toMatch(/task-definition\/demo-web:1$/);
    expect(web.desiredCount).toBe(2);
    expect(web.deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 50 });

    const second = await reconcile(sb, dir);
    expect(second.mutating).toEqual({});
    expect(second.outcomes['service/web']).toBe('unchanged');
  });
});

describe('destroying a cluster', () => {
  async function converged() {
    const { sb, clock } = account({ drainSeconds: 30 });
    const dir = copySpecs();
    await reconcile(sb, dir);
    clock.advanceSeconds(60);
    expect((await service(sb, 'demo', 'web')).runningCount).toBe(2);
    return { sb, clock, dir };
  }

  function destroy(sb: SandboxEcs, clock: ManualClock, extra: Partial<DestroyOptions> = {}) {
    sb.callLog.reset();
    return destroyCluster({
      ecs: sb,
      reader: new EcsReader(sb),
      clock,
      cluster: 'demo',
      ownerId: 'demo',
      drain: false,
      timeoutMs: 600_000,
      pollMs: 5000,
      ...extra,
    });
  }

  async function clusterStatus(sb: SandboxEcs): Promise<string | undefined> {
    return (await sb.describeClusters({ clusters: ['demo'] })).clusters?.[0]?.status;
  }

  test('refuses while services remain, lists them, and changes nothing', async () => {
    const { sb, clock } = await converged();
    const report = await destroy(sb, clock);
    expect(report.verdict).toBe('refused');
    expect(report.reason).toMatch(/still has 2 service\(s\)/);
    expect(report.services.map((s) => [s.name, s.owner])).toEqual([
      ['web', 'ours'],
      ['worker', 'ours'],
    ]);
    expect(sb.callLog.mutating()).toEqual({});
    expect(await clusterStatus(sb)).toBe('ACTIVE');
    expect((await service(sb, 'demo', 'web')).desiredCount).toBe(2);
  });

  test('drain: scales to 0, waits for the tasks, deletes the services, waits for INACTIVE, deletes the cluster', async () => {
    const { sb, clock } = await converged();
    const progress: string[] = [];
    const started = clock.now();
    const report = await destroy(sb, clock, { drain: true, onProgress: (m) => progress.push(m) });
    expect(report.verdict).toBe('deleted');
    expect(report.results.map((r) => [r.id, r.outcome])).toEqual([
      ['service/web', 'deleted'],
      ['service/worker', 'deleted'],
      ['cluster/demo', 'deleted'],
    ]);
    expect(sb.callLog.mutating()).toEqual({
      'ECS.DeleteCluster': 1,
      'ECS.DeleteService': 2,
      'ECS.UpdateService': 2,
    });
    // It waited for the tasks to stop and for the services to drain (30 simulated seconds).
    expect(progress).toEqual(expect.arrayContaining(['scaling web to 0', 'deleting web']));
    expect(progress.some((m) => /waiting for 2 task\(s\) of web to stop/.test(m))).toBe(true);
    expect(progress.some((m) => /finish draining/.test(m))).toBe(true);
    expect(clock.now() - started).toBeGreaterThanOrEqual(30_000);
    expect(await clusterStatus(sb)).toBe('INACTIVE');
    const left = await sb
      .describeServices({ cluster: 'demo', services: ['web', 'worker'] })
      .catch((e: Error) => e);
    expect((left as Error).name).toBe('ClusterNotFoundException');

    // Second round: the cluster is gone, nothing to do.
    const again = await destroy(sb, clock, { drain: true });
    expect(again.verdict).toBe('absent');
    expect(sb.callLog.mutating()).toEqual({});
  });

  test('drain: tasks still running at the timeout keep the cluster (failed); the next destroy finishes', async () => {
    const { sb, clock } = await converged();
    const report = await destroy(sb, clock, { drain: true, timeoutMs: 10_000 });
    expect(report.verdict).toBe('failed');
    expect(report.reason).toMatch(
      /^some services could not be drained \(web: DrainTimeout: 2 task\(s\) still running after the timeout/,
    );
    expect(report.reason).toMatch(/the cluster was kept$/);
    expect(report.results.find((r) => r.id === 'cluster/demo')).toMatchObject({
      outcome: 'skipped',
      message: expect.stringMatching(/^not attempted: service\/\w+ was failed$/) as string,
    });
    expect(sb.callLog.mutating()).toEqual({ 'ECS.UpdateService': 2 });
    expect(await clusterStatus(sb)).toBe('ACTIVE');

    // The services are at 0 now: the next destroy deletes them (no scale-down again) and the cluster.
    clock.advanceSeconds(60);
    const again = await destroy(sb, clock, { drain: true });
    expect(again.verdict).toBe('deleted');
    expect(sb.callLog.mutating()).toEqual({ 'ECS.DeleteService': 2, 'ECS.DeleteCluster': 1 });
    expect((await destroy(sb, clock, { drain: true })).verdict).toBe('absent');
    expect(sb.callLog.mutating()).toEqual({});
  });

  test('drain refuses up front, changing nothing, when a service is not ours', async () => {
    const { sb, clock } = await converged();
    await sb.createService({
      cluster: 'demo',
      serviceName: 'legacy',
      taskDefinition: 'demo-web:1',
      desiredCount: 1,
    });
    const report = await destroy(sb, clock, { drain: true });
    expect(report.verdict).toBe('refused');
    expect(report.reason).toMatch(/1 service\(s\) that ecs-gitops does not own/);
    expect(report.services.find((s) => s.name === 'legacy')?.owner).toBe('unowned');
    expect(report.results).toEqual([]);
    expect(sb.callLog.mutating()).toEqual({});
    expect((await service(sb, 'demo', 'web')).desiredCount).toBe(2);
    expect(await clusterStatus(sb)).toBe('ACTIVE');
  });

  test('a cluster not created by ecs-gitops is refused', async () => {
    const { sb, clock } = account();
    await sb.createCluster({ clusterName: 'demo', tags: [{ key: 'team', value: 'platform' }] });
    const report = await destroy(sb, clock, { drain: true });
    expect(report.verdict).toBe('refused');
    expect(report.reason).toMatch(/not created by ecs-gitops/);
    expect(sb.callLog.mutating()).toEqual({});
    expect(await clusterStatus(sb)).toBe('ACTIVE');
  });
});
