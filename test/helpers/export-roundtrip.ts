import type { CallLog } from '../../controller/aws/call-log';
import type { AwsContext } from '../../controller/cli/aws-context';
import { exportWithContext } from '../../controller/cli/export';
/** Round-trip checks for `export`: the exported directory planned back against the account. */
import { appendFileSync, cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Plan } from '../../controller/plan/plan-types';
import { planDesiredState, type ClusterPorts } from '../../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../../controller/specfiles';

/** Plans an exported directory with `adopt: true`, as the adoption step will. */
export async function planAdopted(dir: string, ports: ClusterPorts): Promise<Plan> {
  const loaded = await loadClusterDir(dir, { env: {} });
  expect(loaded.errors).toEqual([]);
  expect(loaded.warnings).toEqual([]);
  const state = loaded.state!;
  return planDesiredState({ ...state, cluster: { ...state.cluster, adopt: true } }, ports);
}

/**
 * The plan only adopts: no registration, no create, no update; the only calls are TagResource and
 * the only differences are the ownership tags. Returns the resources it tags.
 */
export function expectOnlyAdoption(plan: Plan): string[] {
  expect(plan.errors).toEqual([]);
  expect(plan.actions.filter((a) => a.op === 'conflict').map((a) => `${a.id}: ${a.reason}`)).toEqual([]);
  const calls = plan.actions.flatMap((a) => a.steps.map((s) => s.call));
  expect(calls.filter((c) => c !== 'tagResource')).toEqual([]);
  const fieldChanges = plan.actions.flatMap((a) =>
    a.changes.filter((c) => !c.path.startsWith('tags[')).map((c) => `${a.id} ${c.path}`),
  );
  expect(fieldChanges).toEqual([]);
  return plan.actions.filter((a) => a.steps.length > 0).map((a) => a.id);
}

/** A copy of an exported directory with `adopt: true` in its cluster.yaml. */
export function adoptingCopy(dir: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-adopt-'));
  cpSync(dir, copy, { recursive: true });
  appendFileSync(path.join(copy, 'cluster.yaml'), 'adopt: true\n');
  return copy;
}

/** The names of the files in a directory, sorted. */
export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/**
 * Runs `export` of the legacy cluster through this context with stdout silenced; returns the calls it
 * made. The read budget both backends must meet: 1 DescribeClusters, 1 ListServices page, 1
 * DescribeServices batch, 1 DescribeTaskDefinition per family; and nothing mutating.
 */
export async function exportCalls(ctx: AwsContext, cluster: string, dir: string): Promise<CallLog> {
  const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await exportWithContext(ctx, cluster, dir, { force: true })).toBe(0);
  } finally {
    quiet.mockRestore();
  }
  return ctx.callLog;
}

export const LEGACY_EXPORT_READS = {
  'ECS.DescribeClusters': 1,
  'ECS.DescribeServices': 1,
  'ECS.DescribeTaskDefinition': 3,
  'ECS.ListServices': 1,
};

/** What planning the exported legacy cluster with adopt takes over: everything, the untagged cluster too (its tags only). */
export const LEGACY_ADOPTED = [
  'cluster/legacy',
  'taskDefinition/legacy-api',
  'taskDefinition/legacy-web',
  'taskDefinition/legacy-worker',
  'service/api',
  'service/api-canary',
  'service/web',
  'service/worker',
];

/** The files `export` writes for the legacy cluster (test/helpers/legacy-cluster.ts), sorted. */
export const LEGACY_FILES = [
  'api-canary.service',
  'api.service',
  'api.taskdef',
  'cluster.yaml',
  'web.service',
  'web.taskdef',
  'worker.service',
  'worker.taskdef',
];
