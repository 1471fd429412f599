/**
 * Plan CPU for N specs (issue 15: 5,000, target < 2 s): loading the cluster directory (read, parse,
 * validate, render) and the pure planner (planCluster) against the observed state of the converged
 * account, as a no-op `diff` does. On the compiled JavaScript (buildDist), each run in a new
 * process (bench/plan-cpu-child.js): its first load + plan is cold, as in every CI run (the target
 * is checked on it); a second one in the same process is warm, as in the controller on each commit.
 * Reading AWS is not part of it: the account is converged once (a sandbox on a virtual clock, saved
 * to a file) and each run observes it untimed. CPU = user + system of process.cpuUsage.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Check } from './checks';

export const PLAN_CPU_TARGET_MS = 2000;
const REPEATS = 5;

export interface PlanCpuRun {
  loadCpuMs: number;
  planCpuMs: number;
  cpuMs: number;
}

export interface PlanCpuReport {
  specs: number;
  /** Actions of the plan (all unchanged: the account is converged). */
  actions: number;
  command: string;
  /** Each run's first load + plan (a new process) and its second (warm). */
  runs: { cold: PlanCpuRun; warm: PlanCpuRun }[];
  /** The runs with the median total CPU, cold and warm. */
  median: { cold: PlanCpuRun; warm: PlanCpuRun };
}

const CHILD = path.join(__dirname, 'plan-cpu-child.js');

function child(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [CHILD, ...args],
      { maxBuffer: 1 << 20, timeout: 10 * 60_000, env: { ...process.env, NODE_OPTIONS: '' } },
      (err, stdout, stderr) =>
        err ? reject(new Error(`plan cpu child: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

const medianOf = (runs: PlanCpuRun[]) =>
  [...runs].sort((a, b) => a.cpuMs - b.cpuMs)[Math.floor(runs.length / 2)];

/** `dir`: a generated cluster directory of `specs` services; `dist`: buildDist()'s dist/ folder. */
export async function benchPlanCpu(
  dir: string,
  specs: number,
  dist: string,
  repeats = REPEATS,
): Promise<PlanCpuReport> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-bench-plan-'));
  const state = path.join(tmp, 'account.json');
  try {
    await child(['prepare', dist, dir, state]);
    const runs: PlanCpuReport['runs'] = [];
    let actions = 0;
    for (let i = 0; i < repeats; i++) {
      const out = JSON.parse((await child(['measure', dist, dir, state])).trim()) as {
        actions: number;
        cold: PlanCpuRun;
        warm: PlanCpuRun;
      };
      actions = out.actions;
      runs.push({ cold: out.cold, warm: out.warm });
    }
    return {
      specs,
      actions,
      command: `node bench/plan-cpu-child.js measure <dist> <${specs} specs> <account>`,
      runs,
      median: { cold: medianOf(runs.map((r) => r.cold)), warm: medianOf(runs.map((r) => r.warm)) },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function checkPlanCpu(r: PlanCpuReport): Check[] {
  const { cold, warm } = r.median;
  return [
    {
      size: r.specs,
      name: `plan CPU for ${r.specs} specs (load + plan, first in a new process, as a CI diff) < ${PLAN_CPU_TARGET_MS} ms`,
      ok: cold.cpuMs < PLAN_CPU_TARGET_MS,
      detail:
        `median of ${r.runs.length}: ${cold.cpuMs.toFixed(0)} ms CPU (load ${cold.loadCpuMs.toFixed(0)}, plan ${cold.planCpuMs.toFixed(0)}); ` +
        `warm ${warm.cpuMs.toFixed(0)} ms (load ${warm.loadCpuMs.toFixed(0)}, plan ${warm.planCpuMs.toFixed(0)})`,
    },
  ];
}
