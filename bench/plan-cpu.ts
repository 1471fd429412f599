/**
 * Plan CPU for N specs (issue 15: 5,000, target < 2 s): loading the cluster directory (read, parse,
 * validate, render) and the pure planner (planCluster) against the observed state of the converged
 * account, as a no-op reconcile plans it. Reading AWS is not part of it: the observed state is read
 * once from a sandbox converged beforehand (no throttling, virtual clock), then the load + plan is
 * timed REPEATS times in this process (CPU = user + system of process.cpuUsage); the median is shown.
 */
import { VirtualClock } from '../controller/aws/clock';
import { SandboxEcs } from '../controller/aws/sandbox/sandbox-ecs';
import type { ObservedState } from '../controller/model/observed';
import { EcsReader } from '../controller/observe/ecs-reader';
import { observeCluster } from '../controller/observe/dns-observer';
import { planCluster } from '../controller/plan/planner';
import { applyPlan, planDesiredState } from '../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../controller/specfiles';
import type { Check } from './checks';
import { BENCH_REGION } from './generate';

export const PLAN_CPU_TARGET_MS = 2000;
const REPEATS = 3;

export interface PlanCpuRun {
  loadCpuMs: number;
  planCpuMs: number;
  cpuMs: number;
  wallMs: number;
}

export interface PlanCpuReport {
  specs: number;
  /** Actions of the plan (all unchanged: the account is converged). */
  actions: number;
  runs: PlanCpuRun[];
  /** The run with the median total CPU. */
  median: PlanCpuRun;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function loadOrThrow(dir: string) {
  const loaded = await loadClusterDir(dir, { env: {}, region: BENCH_REGION });
  if (!loaded.state) throw new Error(`plan cpu: ${dir} does not load (${loaded.errors.length} errors)`);
  return loaded.state;
}

/** `dir`: a generated cluster directory of `specs` services. */
export async function benchPlanCpu(dir: string, specs: number): Promise<PlanCpuReport> {
  const clock = new VirtualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock, region: BENCH_REGION });
  const ports = { ecs: sb, reader: new EcsReader(sb) };
  const desired = await loadOrThrow(dir);
  await clock.run(planDesiredState(desired, ports).then((plan) => applyPlan(plan, ports)));
  const observed: ObservedState = await clock.run(
    observeCluster(desired, { ecsReader: ports.reader, ecs: sb, retiredEvents: () => undefined }),
  );

  const runs: PlanCpuRun[] = [];
  let actions = 0;
  for (let i = 0; i < REPEATS; i++) {
    const wall0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const state = await loadOrThrow(dir);
    const c1 = process.cpuUsage(c0);
    const plan = planCluster(state, observed);
    const c2 = process.cpuUsage(c0);
    const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
    if (plan.errors.length > 0) throw new Error(`plan cpu: ${plan.errors[0].message}`);
    const changing = plan.actions.filter((a) => a.op !== 'none');
    if (changing.length > 0)
      throw new Error(`plan cpu: the converged account plans ${changing[0].id} ${changing[0].op}`);
    actions = plan.actions.length;
    runs.push({ loadCpuMs: cpuMs(c1), planCpuMs: cpuMs(c2) - cpuMs(c1), cpuMs: cpuMs(c2), wallMs });
  }
  const median = [...runs].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(runs.length / 2)];
  return { specs, actions, runs, median };
}

export function checkPlanCpu(r: PlanCpuReport): Check[] {
  return [
    {
      size: r.specs,
      name: `plan CPU for ${r.specs} specs (load + plan) < ${PLAN_CPU_TARGET_MS} ms`,
      ok: r.median.cpuMs < PLAN_CPU_TARGET_MS,
      detail: `median of ${r.runs.length}: ${r.median.cpuMs.toFixed(0)} ms CPU (load ${r.median.loadCpuMs.toFixed(0)}, plan ${r.median.planCpuMs.toFixed(0)})`,
    },
  ];
}
