/**
 * Reads at the floor on a cold start (a new process, nothing cached): a no-op of N services reads
 * the cluster, ceil(N/10) DescribeServices, ceil(N/100) ListServices pages and the families 100 a
 * page, and no DescribeTaskDefinition for a family whose service vouches for it with its
 * `ecs-gitops:spec-hash` tag (model/spec-hash-tag.ts). Anything that tag cannot vouch for (a
 * revision registered and deployed by hand, a tag edited by hand, a hash of another normalization
 * version) is read and compared in full. And revision cleanup retires an unused duplicate of the
 * newest revision (a lost RegisterTaskDefinition answer of an older version), never one in use or
 * not ours. Every scenario ends with a round of zero mutating calls.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateClusterDir } from '../../bench/generate';
import type { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import type { DesiredState } from '../../controller/model/desired';
import { mapToTags, ownershipTags } from '../../controller/model/ownership';
import { TAG_SPEC_HASH } from '../../controller/model/spec-hash-tag';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { renderPlanText } from '../../controller/plan';
import { planCluster } from '../../controller/plan/planner';
import type { Plan } from '../../controller/plan/plan-types';
import { specHash } from '../../controller/plan/spec-hash';
import { applyPlan, planDesiredState } from '../../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../../controller/specfiles';
import { newSandbox } from '../helpers/sandbox';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function clusterDir(n: number): string {
  const dir = generateClusterDir(n);
  dirs.push(dir);
  return dir;
}

async function load(dir: string): Promise<DesiredState> {
  const result = await loadClusterDir(dir, { env: {} });
  expect(result.errors).toEqual([]);
  if (!result.state) throw new Error(`no desired state from ${dir}`);
  return result.state;
}

/** One `apply` in a new process: a new reader, nothing cached. */
async function coldApply(sb: SandboxEcs, dir: string) {
  const state = await load(dir);
  sb.callLog.reset();
  const reader = new EcsReader(sb);
  const plan = await planDesiredState(state, { ecs: sb, reader });
  expect(plan.errors).toEqual([]);
  const planReads = sb.callLog.snapshot();
  const results = await applyPlan(plan, { ecs: sb, reader }, undefined, { drainWaitMs: 0, pollMs: 1000 });
  expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
  return { state, plan, planReads, calls: sb.callLog.snapshot(), mutating: sb.callLog.mutating() };
}

function changed(plan: Plan): string[] {
  return plan.actions.filter((a) => a.op !== 'none').map((a) => `${a.op} ${a.id}`);
}

/** The floor of a no-op of `n` services (one family each), by operation. */
function floor(n: number): Record<string, number> {
  return {
    'ECS.DescribeClusters': 1,
    'ECS.DescribeServices': Math.ceil(n / 10),
    'ECS.ListServices': Math.ceil(n / 100),
    // Families removed from the specs are looked for under the prefix, 100 a page.
    'ECS.ListTaskDefinitionFamilies': Math.ceil(n / 100),
  };
}

/** A converged cluster of `n` generated services; the rollouts finished. */
async function converged(n: number) {
  const { sb, clock } = newSandbox();
  const dir = clusterDir(n);
  const first = await coldApply(sb, dir);
  expect(first.mutating['ECS.CreateService']).toBe(n);
  clock.advanceSeconds(10);
  const state = first.state;
  const svc1 = state.services.find((s) => s.name === 'svc1');
  if (svc1?.taskDefinition.kind !== 'family') throw new Error('svc1 runs a family');
  const family = svc1.taskDefinition.family;
  const spec = state.taskDefinitions.find((t) => t.family === family);
  if (!spec) throw new Error(`no spec for ${family}`);
  const serviceArn = async () =>
    (await sb.describeServices({ cluster: state.cluster.name, services: ['svc1'] })).services?.[0]
      ?.serviceArn ?? '';
  return { sb, clock, dir, state, family, spec, serviceArn };
}

describe('a cold no-op reads at the floor', () => {
  test('50 services, new reader each round: 1 DescribeClusters, 1 ListServices, 5 DescribeServices, no DescribeTaskDefinition', async () => {
    const { sb, dir } = await converged(50);
    for (const round of [1, 2]) {
      const r = await coldApply(sb, dir);
      expect({ round, calls: r.calls }).toEqual({ round, calls: floor(50) });
      expect(r.mutating).toEqual({});
      expect(changed(r.plan)).toEqual([]);
    }
  });

  test('the plan known by hash reads exactly as the plan of a full read (diff is as quiet as before)', async () => {
    const { sb, state } = await converged(12);
    const byHash = await planDesiredState(state, { ecs: sb, reader: new EcsReader(sb) });
    // Without the planner's hasher the reader reads every family (the behaviour before the tag).
    sb.callLog.reset();
    const fullRead = planCluster(state, await new EcsReader(sb).observe(state));
    expect(sb.callLog.snapshot()['ECS.DescribeTaskDefinition']).toBe(12);
    const text = (p: Plan) => renderPlanText([p], { color: false, showUnchanged: true });
    expect(text(byHash)).toBe(text(fullRead));
    expect(byHash.actions.find((a) => a.id === 'taskDefinition/bench-12-svc1')?.reason).toBe(
      'matches bench-12-svc1:1',
    );
  });

  test('creating records the hash: the new service and revision carry it, the first no-op is at the floor', async () => {
    const { sb, state, family, spec } = await converged(3);
    const live = await sb.describeServices({
      cluster: state.cluster.name,
      services: ['svc1'],
      include: ['TAGS'],
    });
    const hash = specHash(spec);
    expect(live.services?.[0]?.tags).toContainEqual({ key: TAG_SPEC_HASH, value: `${hash}@${family}:1` });
    const td = await sb.describeTaskDefinition({ taskDefinition: family, include: ['TAGS'] });
    expect(td.tags).toContainEqual({ key: TAG_SPEC_HASH, value: hash });
  });
});

describe('what the tag cannot vouch for is read in full', () => {
  test('a revision registered by hand (no spec-hash tag) and deployed by hand: read, and the spec deployed again', async () => {
    const { sb, clock, dir, state, family, spec } = await converged(3);
    // Someone registers another image with ecs-gitops's ownership tags (copied, as the old Makefile
    // flow did) but no spec hash, and points the service at it.
    const mine = await sb.describeTaskDefinition({ taskDefinition: family, include: ['TAGS'] });
    const tags = (mine.tags ?? []).filter((t) => t.key !== TAG_SPEC_HASH);
    await sb.registerTaskDefinition({
      ...spec.body,
      containerDefinitions: [{ ...spec.body.containerDefinitions![0], image: 'nginx:hand-made' }],
      tags,
    });
    await sb.updateService({ cluster: state.cluster.name, service: 'svc1', taskDefinition: `${family}:2` });
    clock.advanceSeconds(10);

    const r = await coldApply(sb, dir);
    // The service's tag names :1, it runs :2: the family is read (its newest, :2, is what it runs),
    // and since a new revision comes, :1 is read to see whether it is a duplicate of :2.
    expect(r.planReads['ECS.DescribeTaskDefinition']).toBe(2);
    expect(changed(r.plan)).toEqual([`update taskDefinition/${family}`, 'update service/svc1']);
    expect(r.plan.actions.find((a) => a.id === `taskDefinition/${family}`)?.reason).toBe(
      'new revision: 1 field changed (containerDefinitions[svc1].image)',
    );
    expect(r.mutating).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });
    clock.advanceSeconds(10);
    const again = await coldApply(sb, dir);
    expect(again.mutating).toEqual({});
    expect(again.calls).toEqual(floor(3));
  });

  test.each([
    ['a service tag edited by hand (another hash)', `v1:${'0'.repeat(32)}`],
    ['a hash of an older normalization version', `v0:${'a'.repeat(32)}`],
  ])(
    '%s: read in full, no change when the content is equal, and the tag is left as it is',
    async (_, value) => {
      const { sb, dir, family, serviceArn } = await converged(3);
      const arn = await serviceArn();
      await sb.tagResource({
        resourceArn: arn,
        tags: [{ key: TAG_SPEC_HASH, value: `${value}@${family}:1` }],
      });
      for (const round of [1, 2]) {
        const r = await coldApply(sb, dir);
        expect({ round, reads: r.calls }).toEqual({
          round,
          reads: { ...floor(3), 'ECS.DescribeTaskDefinition': 1 },
        });
        expect(r.mutating).toEqual({});
        expect(changed(r.plan)).toEqual([]);
      }
      const live = await sb.describeServices({ cluster: 'bench-3', services: ['svc1'], include: ['TAGS'] });
      const tags = live.services?.[0]?.tags ?? [];
      expect(tags).toContainEqual({ key: TAG_SPEC_HASH, value: `${value}@${family}:1` });
    },
  );

  test('a real change of the spec: the hash differs, the family is read and deployed; the next cold no-op is at the floor', async () => {
    const { sb, clock, dir, family } = await converged(3);
    const file = path.join(dir, 'svc1.taskdef');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/nginx:1\.27\.\d/, 'nginx:1.28.0'));
    const r = await coldApply(sb, dir);
    expect(r.planReads['ECS.DescribeTaskDefinition']).toBe(1);
    expect(changed(r.plan)).toEqual([`update taskDefinition/${family}`, 'update service/svc1']);
    expect(r.mutating).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });
    clock.advanceSeconds(10);
    const again = await coldApply(sb, dir);
    expect(again.calls).toEqual(floor(3));
  });
});

describe('duplicates of the newest revision (a lost RegisterTaskDefinition answer of an older version)', () => {
  /**
   * :1 and :2 of svc1's family are the same spec, registered by an older ecs-gitops (ownership
   * tags, no spec hash) whose first answer was lost; the service runs :2. `setup` varies :1.
   */
  async function withDuplicate(setup: (ctx: Awaited<ReturnType<typeof converged>>) => Promise<void>) {
    const ctx = await converged(3);
    const { sb, clock, state, family, spec } = ctx;
    const older = mapToTags(spec.tags);
    await sb.registerTaskDefinition({ ...spec.body, tags: older });
    await sb.updateService({ cluster: state.cluster.name, service: 'svc1', taskDefinition: `${family}:2` });
    clock.advanceSeconds(10);
    await setup(ctx);
    // Cleanup runs when the family changes: the next image.
    const file = path.join(ctx.dir, 'svc1.taskdef');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/nginx:1\.27\.\d/, 'nginx:1.28.0'));
    const round = await coldApply(sb, ctx.dir);
    clock.advanceSeconds(10);
    const active = (
      (await sb.listTaskDefinitions({ familyPrefix: family, status: 'ACTIVE' })).taskDefinitionArns ?? []
    ).map((a) => Number(a.slice(a.lastIndexOf(':') + 1)));
    const last = await coldApply(sb, ctx.dir);
    expect(last.mutating).toEqual({});
    return { round, active, family };
  }

  test('unused and ours: deregistered, as a visible action', async () => {
    const { round, active, family } = await withDuplicate(() => Promise.resolve());
    const action = round.plan.actions.find((a) => a.id === `revisions/${family}`);
    expect(action).toMatchObject({
      op: 'delete',
      reason: `deregister 1 unused duplicate(s) of the newest revision of ${family}: ${family}:1`,
      changes: [{ path: `${family}:1`, before: 'ACTIVE', after: 'INACTIVE' }],
    });
    expect(round.mutating['ECS.DeregisterTaskDefinition']).toBe(1);
    // keepRevisions 5: without the duplicate rule :1 would have stayed.
    expect(active).toEqual([2, 3]);
  });

  test('in use (a one-off task runs it): kept', async () => {
    const { round, active, family } = await withDuplicate(({ sb, state, family: f }) => {
      sb.startTask({ cluster: state.cluster.name, taskDefinition: `${f}:1` });
      return Promise.resolve();
    });
    expect(round.plan.actions.find((a) => a.id === `revisions/${family}`)).toBeUndefined();
    expect(round.mutating['ECS.DeregisterTaskDefinition']).toBeUndefined();
    expect(active).toEqual([1, 2, 3]);
  });

  test('not ours (its ownership tags were removed by hand): kept', async () => {
    const { round, active, family } = await withDuplicate(async ({ sb, family: f }) => {
      const arn = (await sb.describeTaskDefinition({ taskDefinition: `${f}:1` })).taskDefinition
        ?.taskDefinitionArn;
      const keys = Object.keys(ownershipTags('x', 'y'));
      await sb.untagResource({ resourceArn: arn ?? '', tagKeys: keys });
    });
    expect(round.plan.actions.find((a) => a.id === `revisions/${family}`)).toBeUndefined();
    expect(round.mutating['ECS.DeregisterTaskDefinition']).toBeUndefined();
    expect(active).toEqual([1, 2, 3]);
  });
});

describe('the reader caches are bounded', () => {
  test('a reader of 10 entries per cache observes 30 families: at most 10 remembered, the rest read again', async () => {
    const { sb, state } = await converged(30);
    const reader = new EcsReader(sb, { cacheEntries: 10 });
    await reader.observe(state);
    expect(reader.cacheSizes().families).toBe(10);
    sb.callLog.reset();
    await reader.observe(state);
    // The 10 it remembers are not read again, the other 20 are; the cache stays at 10.
    expect(sb.callLog.snapshot()['ECS.DescribeTaskDefinition']).toBe(20);
    expect(reader.cacheSizes().families).toBe(10);
  });
});
