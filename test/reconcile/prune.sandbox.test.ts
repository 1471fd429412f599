/**
 * Pruning and revision retention at the library level, on the strict sandbox with a manual clock
 * (rollouts and draining take simulated seconds there, which moto does not model: it finishes
 * nothing, or everything at once). Every scenario ends with a round that makes zero mutating calls.
 */
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ManualClock } from '../../controller/aws/clock';
import { EcsReader } from '../../controller/observe/ecs-reader';
import type { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import type { DesiredState } from '../../controller/model/desired';
import { ownershipTags } from '../../controller/model/ownership';
import { DEREGISTER_PER_RECONCILE } from '../../controller/model/revision-retention';
import type { Plan } from '../../controller/plan/plan-types';
import type { ActionResult } from '../../controller/model/action-result';
import { renderPlanText } from '../../controller/plan';
import { applyPlan, planDesiredState } from '../../controller/reconcile/reconcile-cluster';
import { finishPrunes } from '../../controller/reconcile/finish-prunes';
import { loadClusterDir } from '../../controller/specfiles';
import { json, runCli } from '../helpers/run-cli';
import { ec2TaskDef, newSandbox } from '../helpers/sandbox';
import { copySpecsWithoutEvents } from '../helpers/specs-copy';

function copySpecs(extraConfig = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-prune-'));
  copySpecsWithoutEvents(dir);
  if (extraConfig) appendFileSync(path.join(dir, 'cluster.yaml'), `\n${extraConfig}\n`);
  return dir;
}

async function load(dir: string): Promise<DesiredState> {
  const result = await loadClusterDir(dir, { env: {} });
  expect(result.errors).toEqual([]);
  if (!result.state) throw new Error(`no desired state from ${dir}`);
  return result.state;
}

interface Round {
  plan: Plan;
  results: ActionResult[];
  outcomes: Record<string, string>;
  mutating: Record<string, number>;
}

/**
 * One reconcile as the controller makes it: plan, apply, no waiting for drains (`drainWaitMs` 0
 * unless given). A long-lived reader when passed (the controller's), else a cold one.
 */
async function reconcile(
  sb: SandboxEcs,
  dir: string,
  opts: { reader?: EcsReader; drainWaitMs?: number; clock?: ManualClock } = {},
): Promise<Round> {
  const state = await load(dir);
  sb.callLog.reset();
  const reader = opts.reader ?? new EcsReader(sb);
  const plan = await planDesiredState(state, { ecs: sb, reader });
  const results =
    plan.errors.length > 0
      ? []
      : await applyPlan(plan, { ecs: sb, reader }, undefined, {
          drainWaitMs: opts.drainWaitMs ?? 0,
          ...(opts.clock ? { clock: opts.clock } : {}),
          pollMs: 1000,
        });
  const outcomes = Object.fromEntries(results.map((r) => [r.id, r.outcome]));
  return { plan, results, outcomes, mutating: sb.callLog.mutating() };
}

async function liveServices(sb: SandboxEcs, cluster = 'demo') {
  const arns = (await sb.listServices({ cluster, maxResults: 100 })).serviceArns ?? [];
  if (arns.length === 0) return [];
  const out = await sb.describeServices({ cluster, services: arns, include: ['TAGS'] });
  return (out.services ?? []).map((s) => ({
    name: s.serviceName,
    status: s.status,
    desired: s.desiredCount,
    running: s.runningCount,
  }));
}

async function activeRevisions(sb: SandboxEcs, family: string): Promise<number[]> {
  const out = await sb.listTaskDefinitions({ familyPrefix: family, status: 'ACTIVE', maxResults: 100 });
  return (out.taskDefinitionArns ?? []).map((a) => Number(a.slice(a.lastIndexOf(':') + 1)));
}

/** Converged specs/ on a fresh sandbox, rollouts finished. */
async function converged(extraConfig = '') {
  const { sb, clock } = newSandbox();
  const dir = copySpecs(extraConfig);
  await reconcile(sb, dir);
  clock.advanceSeconds(10);
  return { sb, clock, dir };
}

describe('pruning a service whose spec went away', () => {
  test('a removed .service file: scaled to 0, drained, then deleted; the next round changes nothing', async () => {
    const { sb, clock, dir } = await converged();
    rmSync(path.join(dir, 'web.service.template'));
    // web.taskdef has no AUTOCREATE.SERVICE: without its service file, nothing asks for service web.

    const diff = await reconcileDiff(sb, dir);
    expect(diff).toMatch(
      /^- service\/web {2}no spec asks for it any more \(it came from .*web\.service\.template\): scale to 0, drain, delete$/m,
    );
    expect(diff).toMatch(/- {3}desiredCount: 2\n\+ {3}desiredCount: 0/);

    // The controller does not wait for tasks: round 1 scales down and says it is waiting.
    const first = await reconcile(sb, dir);
    expect(first.mutating).toEqual({ 'ECS.TagResource': 2, 'ECS.UpdateService': 1 });
    expect(first.results.find((r) => r.id === 'service/web')).toMatchObject({
      outcome: 'updated',
      pending: expect.stringMatching(/2 task\(s\) of service\/web stopping/) as string,
    });
    expect(await liveServices(sb)).toContainEqual({ name: 'web', status: 'ACTIVE', desired: 0, running: 2 });

    // Tasks stop after the sandbox's drain time; the next round deletes.
    clock.advanceSeconds(6);
    const second = await reconcile(sb, dir);
    expect(second.mutating).toEqual({ 'ECS.DeleteService': 1 });
    expect(second.outcomes['service/web']).toBe('deleted');

    clock.advanceSeconds(6);
    expect((await liveServices(sb)).map((s) => s.name)).toEqual(['worker']);
    const third = await reconcile(sb, dir);
    expect(third.mutating).toEqual({});
    expect(third.plan.actions.some((a) => a.name === 'web')).toBe(false);
  });

  test('apply waits for the drain (drainWaitMs) and deletes in one round', async () => {
    const { sb, clock, dir } = await converged();
    rmSync(path.join(dir, 'web.service.template'));
    const round = await reconcile(sb, dir, { drainWaitMs: 60_000, clock });
    expect(round.mutating).toEqual({ 'ECS.TagResource': 2, 'ECS.UpdateService': 1, 'ECS.DeleteService': 1 });
    expect(round.results.find((r) => r.id === 'service/web')).toMatchObject({
      outcome: 'deleted',
      message: 'scaled to 0, drained, deleted',
    });
    expect(round.results.find((r) => r.id === 'service/web')?.pending).toBeUndefined();
    clock.advanceSeconds(10);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('apply --wait finishes a prune by applying again until nothing waits (finishPrunes)', async () => {
    const { sb, clock, dir } = await converged();
    rmSync(path.join(dir, 'web.service.template'));
    const first = await reconcile(sb, dir);
    expect(first.results.find((r) => r.id === 'service/web')?.pending).toBeDefined();
    const waited: string[][] = [];
    let rounds = 0;
    const mutatingCalls: Record<string, number>[] = [];
    const finished = await finishPrunes(
      { results: first.results, planErrors: [] },
      async (drainWaitMs) => {
        rounds++;
        const round = await reconcile(sb, dir, { drainWaitMs, clock });
        mutatingCalls.push(round.mutating);
        return { results: round.results, planErrors: round.plan.errors };
      },
      {
        clock,
        deadline: clock.now() + 60_000,
        pollMs: 1000,
        onWaiting: (ids) => waited.push(ids),
      },
    );
    expect(waited[0]).toEqual(['service/web']);
    expect(rounds).toBe(1);
    expect(mutatingCalls).toEqual([{ 'ECS.DeleteService': 1 }]);
    // The merged results say what happened to web in the end, not its 'updated' of the first round.
    expect(finished.results.find((r) => r.id === 'service/web')).toMatchObject({ outcome: 'deleted' });
    expect(finished.results.find((r) => r.id === 'service/web')?.pending).toBeUndefined();
    clock.advanceSeconds(10);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('finishPrunes stops at the deadline and keeps the waiting result', async () => {
    const { sb, clock, dir } = await converged();
    rmSync(path.join(dir, 'web.service.template'));
    const first = await reconcile(sb, dir);
    let rounds = 0;
    const finished = await finishPrunes(
      { results: first.results, planErrors: [] },
      async () => {
        rounds++;
        // Never waits for the drain: the service keeps waiting.
        const round = await reconcile(sb, dir);
        return { results: round.results, planErrors: round.plan.errors };
      },
      { clock, deadline: clock.now() + 3000, pollMs: 1000 },
    );
    expect(rounds).toBe(3);
    expect(finished.results.find((r) => r.id === 'service/web')?.pending).toBeDefined();
  });

  test('a removed AUTOCREATE.SERVICE label prunes its service; the family stays (its file is still there)', async () => {
    const { sb, clock, dir } = await converged();
    writeFileSync(
      path.join(dir, 'worker.taskdef.yaml'),
      "containerDefinitions:\n  - name: worker\n    image: busybox:1.36\n    memoryReservation: 32\n    command: ['sh', '-c', 'sleep 3600']\n",
    );
    const first = await reconcile(sb, dir, { drainWaitMs: 60_000, clock });
    expect(first.outcomes['service/worker']).toBe('deleted');
    expect(first.outcomes['taskDefinition/demo-worker']).toBe('updated'); // new revision: the label is gone
    clock.advanceSeconds(10);
    expect((await liveServices(sb)).map((s) => s.name)).toEqual(['web']);
    expect(await activeRevisions(sb, 'demo-worker')).toEqual([1, 2]);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('prune: false reports the service on every round and changes nothing', async () => {
    const { sb, dir } = await converged('prune: false');
    rmSync(path.join(dir, 'web.service.template'));
    for (let i = 0; i < 2; i++) {
      const round = await reconcile(sb, dir);
      expect(round.mutating).toEqual({});
      const action = round.plan.actions.find((a) => a.id === 'service/web');
      expect(action).toMatchObject({ op: 'orphan', steps: [] });
      expect(action?.reason).toMatch(/kept \(prune: false\)$/);
      expect(round.outcomes['service/web']).toBe('unchanged');
    }
    expect(await reconcileDiff(sb, dir)).toMatch(/^\? service\/web .*kept \(prune: false\)$/m);
    expect(await reconcileDiff(sb, dir)).toMatch(/1 kept by prune: false/);
    expect((await liveServices(sb)).map((s) => s.name).sort()).toEqual(['web', 'worker']);
  });
});

describe('guards', () => {
  test('specs that ask for nothing do not wipe the cluster: a plan error, zero calls that change anything', async () => {
    const { sb, dir } = await converged();
    for (const f of ['web.service.template', 'web.taskdef', 'worker.taskdef.yaml']) rmSync(path.join(dir, f));
    const round = await reconcile(sb, dir);
    expect(round.plan.errors).toHaveLength(1);
    expect(round.plan.errors[0]).toMatchObject({ field: 'allowEmpty' });
    expect(round.plan.errors[0].message).toMatch(
      /the specs ask for nothing .* while ecs-gitops owns 2 service\(s\) \(web, worker\) in cluster demo: refusing to prune them all/,
    );
    expect(round.mutating).toEqual({});
    expect((await liveServices(sb)).length).toBe(2);
    // And every round after it, as long as the specs stay so.
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('allowEmpty: true lets the specs empty the cluster', async () => {
    const { sb, clock, dir } = await converged('allowEmpty: true');
    for (const f of ['web.service.template', 'web.taskdef', 'worker.taskdef.yaml']) rmSync(path.join(dir, f));
    const round = await reconcile(sb, dir, { drainWaitMs: 60_000, clock });
    expect(round.plan.errors).toEqual([]);
    expect(round.outcomes).toMatchObject({ 'service/web': 'deleted', 'service/worker': 'deleted' });
    // The families are still used by the DRAINING services: deregistered once those are gone.
    clock.advanceSeconds(10);
    const next = await reconcile(sb, dir);
    expect(next.mutating).toEqual({ 'ECS.DeregisterTaskDefinition': 2 });
    expect(await activeRevisions(sb, 'demo-web')).toEqual([]);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('services ecs-gitops did not create, or another owner created, are never planned, let alone deleted', async () => {
    const { sb, dir } = await converged();
    const td = await sb.registerTaskDefinition(ec2TaskDef('legacy'));
    const arn = td.taskDefinition?.taskDefinitionArn;
    await sb.createService({ cluster: 'demo', serviceName: 'by-hand', taskDefinition: arn, desiredCount: 1 });
    await sb.createService({
      cluster: 'demo',
      serviceName: 'other-repo',
      taskDefinition: arn,
      desiredCount: 1,
      tags: Object.entries(ownershipTags('payments', 'demo')).map(([key, value]) => ({ key, value })),
    });
    await sb.createService({
      cluster: 'demo',
      serviceName: 'other-cluster-dir',
      taskDefinition: arn,
      desiredCount: 1,
      // Our owner id, but written for another cluster's directory.
      tags: Object.entries(ownershipTags('demo', 'elsewhere')).map(([key, value]) => ({ key, value })),
    });
    const round = await reconcile(sb, dir);
    expect(round.mutating).toEqual({});
    expect(round.plan.actions.map((a) => a.id).filter((id) => id.startsWith('service/'))).toEqual([
      'service/web',
      'service/worker',
    ]);
  });

  test('ownership is read again right before the delete: a service taken over since the plan is left alone', async () => {
    const { sb, dir } = await converged();
    rmSync(path.join(dir, 'web.service.template'));
    const reader = new EcsReader(sb);
    const plan = await planDesiredState(await load(dir), { ecs: sb, reader });
    expect(plan.actions.find((a) => a.id === 'service/web')?.op).toBe('delete');
    // Someone takes the service over between plan and apply.
    const web = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services?.[0];
    await sb.tagResource({
      resourceArn: web?.serviceArn,
      tags: [{ key: 'ecs-gitops:owner', value: 'someone-else' }],
    });
    sb.callLog.reset();
    const results = await applyPlan(plan, { ecs: sb, reader });
    expect(results.find((r) => r.id === 'service/web')).toMatchObject({
      outcome: 'skipped',
      message: 'no longer owned by ecs-gitops: left alone',
    });
    expect(sb.callLog.mutating()).toEqual({});
    // Not ours any more: the next round does not even plan it.
    const next = await reconcile(sb, dir);
    expect(next.mutating).toEqual({});
    expect(next.plan.actions.some((a) => a.id === 'service/web')).toBe(false);
  });

  test('...and again right before the delete itself: taken over while its tasks drain, it is not deleted', async () => {
    const { sb, clock, dir } = await converged();
    rmSync(path.join(dir, 'web.service.template'));
    const reader = new EcsReader(sb);
    const plan = await planDesiredState(await load(dir), { ecs: sb, reader });
    const web = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services?.[0];
    // The executor's clock: while it waits for the tasks to stop, someone takes the service over.
    let takenOver = false;
    const sneaky = {
      now: () => clock.now(),
      sleep: async (ms: number) => {
        if (!takenOver) {
          takenOver = true;
          await sb.tagResource({
            resourceArn: web?.serviceArn,
            tags: [{ key: 'ecs-gitops:owner', value: 'someone-else' }],
          });
        }
        clock.advance(ms);
      },
    };
    sb.callLog.reset();
    const results = await applyPlan(plan, { ecs: sb, reader }, undefined, {
      drainWaitMs: 60_000,
      clock: sneaky,
      pollMs: 1000,
    });
    expect(takenOver).toBe(true);
    expect(results.find((r) => r.id === 'service/web')).toMatchObject({ outcome: 'skipped' });
    // Scaled down (it was ours then; the third tag is the takeover), never deleted.
    expect(sb.callLog.mutating()).toEqual({ 'ECS.TagResource': 3, 'ECS.UpdateService': 1 });
    const after = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services?.[0];
    expect(after?.status).toBe('ACTIVE');
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('a spec that comes back while its service drains: the service gets its count back', async () => {
    const { sb, clock, dir } = await converged();
    const file = path.join(dir, 'worker.taskdef.yaml');
    const withLabel = readFileSync(file, 'utf8');
    // The AUTOCREATE.SERVICE label goes (no spec gives this service a desiredCount of its own)...
    const without = withLabel.replace("    dockerLabels:\n      AUTOCREATE.SERVICE: ''\n", '');
    expect(without).not.toBe(withLabel);
    writeFileSync(file, without);
    const first = await reconcile(sb, dir);
    expect(first.mutating).toMatchObject({ 'ECS.UpdateService': 1 });
    // ...and comes back before the tasks have stopped.
    writeFileSync(file, withLabel);
    const back = await reconcile(sb, dir);
    expect(back.plan.actions.find((a) => a.id === 'service/worker')?.reason).toMatch(
      /back in the specs while being pruned: restored/,
    );
    expect(back.mutating).toMatchObject({ 'ECS.UpdateService': 1, 'ECS.UntagResource': 1 });
    // The mark goes only after the count is back: a failed update leaves it for the next round.
    const steps = back.plan.actions.find((a) => a.id === 'service/worker')?.steps.map((x) => x.call);
    expect(steps?.indexOf('untagResource')).toBeGreaterThan(steps?.indexOf('updateService') ?? Infinity);
    clock.advanceSeconds(10);
    const worker = (await sb.describeServices({ cluster: 'demo', services: ['worker'], include: ['TAGS'] }))
      .services?.[0];
    expect(worker).toMatchObject({ status: 'ACTIVE', desiredCount: 1, runningCount: 1 });
    expect(worker?.tags?.some((t) => t.key === 'ecs-gitops:pruning')).toBe(false);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('scaled up again by something else while draining (autoscaling): deleted with force, no tug of war', async () => {
    const { sb, clock, dir } = await converged();
    rmSync(path.join(dir, 'web.service.template'));
    await reconcile(sb, dir);
    // Application Auto Scaling's minimum capacity puts it back: to the very count it had.
    await sb.updateService({ cluster: 'demo', service: 'web', desiredCount: 2 });
    const round = await reconcile(sb, dir);
    expect(round.mutating).toEqual({ 'ECS.DeleteService': 1 });
    expect(round.results.find((r) => r.id === 'service/web')?.message).toMatch(/deleted with force/);
    clock.advanceSeconds(10);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('two directories for one cluster with the same owner id are both refused, before any AWS call', async () => {
    const a = copySpecs();
    const b = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-prune-same-'));
    // No ownerId in either: both default to the cluster name, so each would prune the other's.
    writeFileSync(path.join(b, 'cluster.yaml'), 'name: demo\nregion: us-east-1\nprefix: other\n');
    writeFileSync(
      path.join(b, 'api.taskdef'),
      JSON.stringify({
        containerDefinitions: [
          { name: 'api', image: 'nginx:1.27', memory: 64, dockerLabels: { 'AUTOCREATE.SERVICE': '' } },
        ],
      }),
    );
    const state = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-state-')), 'account.json');
    const run = await runCli(['apply', a, b, '--sandbox', state, '-o', 'json'], {
      ECS_GITOPS_LOG_LEVEL: 'silent',
    });
    expect(run.code).toBe(1);
    const out = json(run);
    expect(out.awsCalls.total).toBe(0);
    expect(run.stderr).toContain(`${b} also manages cluster demo with owner id "demo"`);
    expect(run.stderr).toContain(`${a} also manages cluster demo with owner id "demo"`);
    expect(run.stderr).toMatch(/Give each directory its own ownerId in cluster\.yaml/);
  });

  test('the same directory named twice is one directory, not a clash', async () => {
    const a = copySpecs();
    const state = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-state-')), 'account.json');
    const run = await runCli(['apply', a, `${a}/`, '--sandbox', state, '-o', 'json'], {
      ECS_GITOPS_LOG_LEVEL: 'silent',
    });
    expect(run.code).toBe(0);
    expect(json(run).clusters).toHaveLength(1);
    const again = await runCli(['apply', a, `${a}/`, '--sandbox', state, '-o', 'json'], {
      ECS_GITOPS_LOG_LEVEL: 'silent',
    });
    expect(json(again).awsCalls.mutating).toBe(0);
  });

  test('a clashing directory that does not load still protects its services: the other is refused too', async () => {
    const a = copySpecs();
    const b = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-prune-broken-'));
    writeFileSync(path.join(b, 'cluster.yaml'), 'name: demo\nregion: us-east-1\nprefix: other\n');
    writeFileSync(path.join(b, 'api.service'), '{ "taskDefinition": "nope", ');
    const state = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-state-')), 'account.json');
    const run = await runCli(['apply', a, b, '--sandbox', state, '-o', 'json'], {
      ECS_GITOPS_LOG_LEVEL: 'silent',
    });
    expect(run.code).toBe(1);
    expect(json(run).awsCalls.total).toBe(0);
    expect(run.stderr).toContain(`${b} also manages cluster demo with owner id "demo"`);
  });

  test('no task definition file left, but every family still used (pinned): not an empty set, the rest applies', async () => {
    const { sb, clock, dir } = await converged();
    // The web service pinned to the revision it runs; worker.taskdef.yaml (and so its service) goes.
    writeFileSync(
      path.join(dir, 'web.service.template'),
      '{ "taskDefinition": "demo-web:1", "desiredCount": 2, "healthCheckGracePeriodSeconds": 30 }',
    );
    rmSync(path.join(dir, 'web.taskdef'));
    rmSync(path.join(dir, 'worker.taskdef.yaml'));
    const round = await reconcile(sb, dir, { drainWaitMs: 60_000, clock });
    expect(round.plan.errors).toEqual([]);
    expect(round.outcomes['service/worker']).toBe('deleted');
    expect(round.outcomes['service/web']).toBe('unchanged');
    clock.advanceSeconds(10);
    // Once worker's service is gone its family could go, but no .taskdef is left at all: that is the
    // guard's case (retiring every family), refused until allowEmpty says so.
    const next = await reconcile(sb, dir);
    expect(next.mutating).toEqual({});
    expect(next.plan.errors[0]?.message).toMatch(
      /^the specs ask for no task definition while ecs-gitops owns 1 task definition family\(ies\) in cluster demo/,
    );
    appendFileSync(path.join(dir, 'cluster.yaml'), '\nallowEmpty: true\n');
    expect((await reconcile(sb, dir)).mutating).toEqual({ 'ECS.DeregisterTaskDefinition': 1 });
    expect(await activeRevisions(sb, 'demo-web')).toEqual([1]); // pinned: in use
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('two owner ids share one cluster: each prunes only its own', async () => {
    const { sb, clock } = newSandbox();
    const a = copySpecs('ownerId: team-a');
    const b = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-prune-b-'));
    writeFileSync(
      path.join(b, 'cluster.yaml'),
      'name: demo\nregion: us-east-1\nprefix: b\nownerId: team-b\nserviceDefaults: { launchType: EC2 }\n',
    );
    writeFileSync(
      path.join(b, 'api.taskdef'),
      JSON.stringify({
        containerDefinitions: [
          { name: 'api', image: 'nginx:1.27', memory: 64, dockerLabels: { 'AUTOCREATE.SERVICE': '' } },
        ],
      }),
    );
    await reconcile(sb, a);
    await reconcile(sb, b);
    clock.advanceSeconds(10);
    // Each directory's second round: nothing to do, and in particular no prune of the other's services.
    expect((await reconcile(sb, a)).mutating).toEqual({});
    expect((await reconcile(sb, b)).mutating).toEqual({});
    rmSync(path.join(a, 'web.service.template'));
    const pruneA = await reconcile(sb, a, { drainWaitMs: 60_000, clock });
    expect(pruneA.outcomes['service/web']).toBe('deleted');
    expect(pruneA.plan.actions.some((x) => x.name === 'api')).toBe(false);
    clock.advanceSeconds(10);
    expect((await liveServices(sb)).map((s) => s.name).sort()).toEqual(['api', 'worker']);
    expect((await reconcile(sb, a)).mutating).toEqual({});
    expect((await reconcile(sb, b)).mutating).toEqual({});
  });
});

describe('renaming a service file', () => {
  test('the new service is created and stable before the old one is pruned: never without running tasks', async () => {
    const { sb, clock, dir } = await converged();
    renameSync(path.join(dir, 'web.service.template'), path.join(dir, 'web-v2.service.template'));
    const running = async () =>
      (await liveServices(sb))
        .filter((s) => s.name?.startsWith('web'))
        .reduce((n, s) => n + (s.running ?? 0), 0);

    const first = await reconcile(sb, dir);
    expect(first.mutating).toEqual({ 'ECS.CreateService': 1 });
    const old = first.plan.actions.find((a) => a.id === 'service/web');
    expect(old).toMatchObject({ op: 'none', pending: 'waiting for service/web-v2 to be stable' });
    expect(old?.reason).toMatch(
      /kept until service\/web-v2 \(same task definition family\) is stable, then pruned/,
    );
    expect(await running()).toBeGreaterThan(0);

    // web-v2 still rolling out: the old one stays.
    clock.advanceSeconds(2);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
    expect(await running()).toBeGreaterThan(0);

    clock.advanceSeconds(5);
    const third = await reconcile(sb, dir, { drainWaitMs: 60_000, clock });
    expect(third.mutating).toEqual({ 'ECS.TagResource': 2, 'ECS.UpdateService': 1, 'ECS.DeleteService': 1 });
    expect(await running()).toBe(2); // web-v2's two tasks
    clock.advanceSeconds(10);
    expect((await liveServices(sb)).map((s) => s.name).sort()).toEqual(['web-v2', 'worker']);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('a successor whose rollout failed keeps the old service, reported, without a requeue', async () => {
    const { sb, clock } = newSandbox({ failImages: ['nginx:broken'] });
    const dir = copySpecs();
    await reconcile(sb, dir);
    clock.advanceSeconds(10);
    // Renamed, and the same commit breaks the image: the new service never becomes stable.
    renameSync(path.join(dir, 'web.service.template'), path.join(dir, 'web-v2.service.template'));
    const file = path.join(dir, 'web.taskdef');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/"image": "nginx:[^"]+"/, '"image": "nginx:broken"'),
    );
    await reconcile(sb, dir);
    clock.advanceSeconds(10);
    const round = await reconcile(sb, dir);
    const old = round.plan.actions.find((a) => a.id === 'service/web');
    expect(old?.op).toBe('none');
    expect(old?.reason).toMatch(/kept until service\/web-v2 .*\(service\/web-v2 failed its rollout\)/);
    expect(old?.pending).toBeUndefined();
    expect((await liveServices(sb)).find((x) => x.name === 'web')).toMatchObject({ status: 'ACTIVE' });
    expect(round.mutating).toEqual({});
  });
});

describe('task definition revisions', () => {
  /** N image changes, each rolled out, on a converged cluster: revisions 1..N+1 of demo-web. */
  async function withRevisions(n: number, extraConfig = '') {
    const { sb, clock, dir } = await converged(extraConfig);
    for (let i = 1; i <= n; i++) {
      const file = path.join(dir, 'web.taskdef');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace(/"image": "nginx:[^"]+"/, `"image": "nginx:1.${27 + i}"`));
      await reconcile(sb, dir);
      clock.advanceSeconds(10);
    }
    return { sb, clock, dir };
  }

  test('keeps the newest keepRevisions and any revision in use; the rest are deregistered, oldest first', async () => {
    const { sb, clock, dir } = await withRevisions(7, 'keepRevisions: 3');
    // Revisions 1..8 exist. Each round that registered a revision kept the newest 2 existing ones
    // (3 with the new one) and deregistered older ones in the same apply; the revision a rollout
    // replaces was the newest existing one, kept anyway. Nothing is left for a later round.
    expect(await activeRevisions(sb, 'demo-web')).toEqual([6, 7, 8]);
    const tidy = await reconcile(sb, dir);
    expect(tidy.mutating).toEqual({});
    // A no-op lists no revisions: the family is known equal by the service's spec-hash tag.
    expect(sb.callLog.snapshot()['ECS.ListTaskDefinitions']).toBeUndefined();

    // A one-off task still runs revision 6; the next image change must not deregister it.
    sb.startTask({ cluster: 'demo', taskDefinition: 'demo-web:6' });
    const file = path.join(dir, 'web.taskdef');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/"image": "nginx:[^"]+"/, '"image": "nginx:2.0"'));
    await reconcile(sb, dir);
    clock.advanceSeconds(10);
    const round = await reconcile(sb, dir);
    expect(await activeRevisions(sb, 'demo-web')).toEqual([6, 7, 8, 9]);
    expect(round.mutating).toEqual({});
    expect(round.plan.actions.find((a) => a.id === 'revisions/demo-web')).toBeUndefined();
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('a revision a spec pins is in use: never deregistered, even when older than keepRevisions', async () => {
    // demo-web:1 and :2; :1 is old (keepRevisions 1) and no longer runs anywhere.
    const { sb, clock, dir } = await withRevisions(1, 'keepRevisions: 1');
    // The commit that would see it deregistered also adds a canary pinned to it.
    writeFileSync(path.join(dir, 'canary.service'), '{ "taskDefinition": "demo-web:1", "desiredCount": 1 }');
    const round = await reconcile(sb, dir);
    expect(round.mutating).toEqual({ 'ECS.CreateService': 1 });
    clock.advanceSeconds(10);
    expect(await activeRevisions(sb, 'demo-web')).toEqual([1, 2]);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('deleteRevisions: a revision deregistered but never deleted (a crash between the calls) is deleted with the next revision', async () => {
    const { sb, clock, dir } = await withRevisions(2, 'keepRevisions: 3\ndeleteRevisions: true');
    // What a crash right after DeregisterTaskDefinition leaves: demo-web:1 INACTIVE, not deleted.
    // (Revision cleanup runs when a family changes, so the next image change finds it.)
    await sb.deregisterTaskDefinition({ taskDefinition: 'demo-web:1' });
    clock.advanceSeconds(1);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
    const file = path.join(dir, 'web.taskdef');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"image": "nginx:[^"]+"/, '"image": "nginx:2.0"'));
    const round = await reconcile(sb, dir);
    expect(round.mutating).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
      'ECS.DeleteTaskDefinitions': 1,
    });
    expect(round.plan.actions.find((a) => a.id === 'revisions/demo-web')?.reason).toMatch(
      /^delete 1 deregistered revision\(s\): demo-web:1$/,
    );
    clock.advanceSeconds(10);
    const td = await sb.describeTaskDefinition({ taskDefinition: 'demo-web:1' });
    expect(td.taskDefinition?.status).toBe('DELETE_IN_PROGRESS');
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('revisions from before ecs-gitops adopted a family are not ours: never deregistered', async () => {
    const { sb, clock } = newSandbox();
    const dir = copySpecs('adopt: true\nkeepRevisions: 2');
    // The old tool registered demo-web:1..3 (no tags); the newest matches the spec.
    const spec = (await load(dir)).taskDefinitions.find((t) => t.family === 'demo-web');
    for (let i = 0; i < 3; i++)
      await sb.registerTaskDefinition({ ...spec?.body, family: 'demo-web' } as never);
    await reconcile(sb, dir); // adopts :3 (tags it), creates the cluster and services
    clock.advanceSeconds(10);
    const file = path.join(dir, 'web.taskdef');
    for (const tag of ['1.28', '1.29']) {
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(/"image": "nginx:[^"]+"/, `"image": "nginx:${tag}"`),
      );
      const changed = await reconcile(sb, dir);
      // Each new revision keeps one existing one: at :4, :3 (in use) stays; at :5, :3 (ours since
      // adopted, no longer in use) goes. :1 and :2 carry no tags: never candidates.
      expect(changed.mutating['ECS.DeregisterTaskDefinition']).toBe(tag === '1.29' ? 1 : undefined);
      clock.advanceSeconds(10);
    }
    const round = await reconcile(sb, dir);
    expect(round.mutating).toEqual({});
    expect(await activeRevisions(sb, 'demo-web')).toEqual([1, 2, 4, 5]);
  });

  test(`thousands of old revisions: at most ${DEREGISTER_PER_RECONCILE} per reconcile, the controller comes back for the rest`, async () => {
    const { sb, clock } = newSandbox();
    const dir = copySpecs('keepRevisions: 2');
    await reconcile(sb, dir);
    clock.advanceSeconds(10);
    // 45 more revisions of demo-web registered by ecs-gitops earlier (same tags, another image),
    // none in use: the service runs :1, which matches the spec, so it stays on :1.
    const live = await sb.describeTaskDefinition({ taskDefinition: 'demo-web', include: ['TAGS'] });
    for (let i = 0; i < 45; i++) {
      await sb.registerTaskDefinition({
        family: 'demo-web',
        containerDefinitions: [{ name: 'web', image: `nginx:old-${i}`, memoryReservation: 64 }],
        tags: live.tags,
      });
    }
    // A no-op does not look at them: the service's spec-hash tag vouches for :1, the family is not read.
    const reader = new EcsReader(sb);
    expect((await reconcile(sb, dir, { reader })).mutating).toEqual({});
    expect(sb.callLog.snapshot()['ECS.ListTaskDefinitions']).toBeUndefined();
    // The next image change registers :47 and cleans up in the same apply.
    const file = path.join(dir, 'web.taskdef');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"image": "nginx:[^"]+"/, '"image": "nginx:2.0"'));
    const first = await reconcile(sb, dir, { reader });
    expect(first.mutating).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
      'ECS.DeregisterTaskDefinition': DEREGISTER_PER_RECONCILE,
    });
    const action = first.plan.actions.find((a) => a.id === 'revisions/demo-web');
    expect(action?.pending).toBe('more old revisions than one reconcile deregisters');
    expect(action?.dependsOn).toEqual(['taskDefinition/demo-web', 'service/web']);
    expect(first.results.find((r) => r.id === 'revisions/demo-web')?.pending).toBeDefined();
    // Oldest first, never the one in use (:1) nor the newest existing one (:46, kept with :47).
    expect(await activeRevisions(sb, 'demo-web')).toEqual([1, ...range(22, 47)]);
    clock.advanceSeconds(10); // the rollout to :47 ends: :1 is no longer in use
    // The controller (a warm reader) knows its cleanup is unfinished and lists the family again.
    const second = await reconcile(sb, dir, { reader });
    expect(second.mutating).toEqual({ 'ECS.DeregisterTaskDefinition': 20 });
    const third = await reconcile(sb, dir, { reader });
    expect(third.mutating).toEqual({ 'ECS.DeregisterTaskDefinition': 5 });
    expect(await activeRevisions(sb, 'demo-web')).toEqual([46, 47]);
    const fourth = await reconcile(sb, dir, { reader });
    expect(fourth.mutating).toEqual({});
    // Nothing left: no listing until the family changes again.
    expect(sb.callLog.snapshot()['ECS.ListTaskDefinitions']).toBeUndefined();
  });

  test('a removed .taskdef: its service is pruned first, then every revision once nothing uses them (deleteRevisions)', async () => {
    const { sb, clock, dir } = await converged('deleteRevisions: true');
    rmSync(path.join(dir, 'worker.taskdef.yaml'));
    const first = await reconcile(sb, dir, { drainWaitMs: 60_000, clock });
    expect(first.outcomes['service/worker']).toBe('deleted');
    // The service was still running demo-worker:1 when the plan was made: the family waits.
    expect(first.plan.actions.find((a) => a.id === 'revisions/demo-worker')).toMatchObject({
      op: 'none',
      reason: 'demo-worker is no longer in the specs; kept while demo-worker:1 is in use',
    });
    expect(first.mutating).toEqual({ 'ECS.TagResource': 2, 'ECS.UpdateService': 1, 'ECS.DeleteService': 1 });
    clock.advanceSeconds(10);
    const second = await reconcile(sb, dir);
    expect(second.mutating).toEqual({ 'ECS.DeregisterTaskDefinition': 1, 'ECS.DeleteTaskDefinitions': 1 });
    const td = await sb.describeTaskDefinition({ taskDefinition: 'demo-worker:1' });
    expect(td.taskDefinition?.status).toBe('DELETE_IN_PROGRESS');
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function reconcileDiff(sb: SandboxEcs, dir: string): Promise<string> {
  const plan = await planDesiredState(await load(dir), { ecs: sb, reader: new EcsReader(sb) });
  return renderPlanText([plan], { color: false });
}
