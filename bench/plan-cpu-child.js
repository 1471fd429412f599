'use strict';
/**
 * One plan CPU measurement (bench/plan-cpu.ts) in a process of its own, over the compiled
 * JavaScript (what `npx ecs-gitops diff` and the image run; not tsx).
 *   plan-cpu-child.js prepare <dist> <cluster dir> <state file>: loads the directory, converges a
 *     sandbox account to it (virtual clock, no throttling) and writes the account to <state file>;
 *   plan-cpu-child.js measure <dist> <cluster dir> <state file>: reads the account, then does what a
 *     `diff` does, timing the CPU of each part: load the directory (the first in this process: cold,
 *     like every CI run), observe (not timed: AWS reads), plan; then load + plan again (warm, like
 *     the controller on each commit). Prints one JSON line.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const [mode, dist, dir, stateFile] = process.argv.slice(2);
if (!['prepare', 'measure'].includes(mode) || !dist || !dir || !stateFile) {
  throw new Error('usage: plan-cpu-child.js prepare|measure <dist> <cluster dir> <state file>');
}
const lib = (name) => require(path.join(dist, name));
const { VirtualClock } = lib('aws/clock');
const { SandboxEcs } = lib('aws/sandbox/sandbox-ecs');
const { EcsReader } = lib('observe/ecs-reader');
const { observeCluster } = lib('observe/dns-observer');
const { planCluster } = lib('plan/planner');
const { specHasher } = lib('plan/spec-hash');
const { applyPlan, planDesiredState } = lib('reconcile/reconcile-cluster');
const { loadClusterDir } = lib('specfiles');

const REGION = 'us-east-1';
const cpuMs = (u) => (u.user + u.system) / 1000;

async function load() {
  const loaded = await loadClusterDir(dir, { env: {}, region: REGION });
  if (!loaded.state) throw new Error(`${dir} does not load: ${loaded.errors[0]?.message ?? '?'}`);
  return loaded.state;
}

function plan(state, observed) {
  const p = planCluster(state, observed);
  if (p.errors.length > 0) throw new Error(`plan: ${p.errors[0].message}`);
  const changing = p.actions.filter((a) => a.op !== 'none');
  if (changing.length > 0) throw new Error(`the converged account plans ${changing[0].id} ${changing[0].op}`);
  return p.actions.length;
}

/** CPU of `fn` in ms (user + system of this process). */
async function timed(fn) {
  const c0 = process.cpuUsage();
  const value = await fn();
  return { value, ms: cpuMs(process.cpuUsage(c0)) };
}

async function main() {
  const clock = new VirtualClock(Date.UTC(2024, 0, 1));
  if (mode === 'prepare') {
    const sb = new SandboxEcs({ clock, region: REGION });
    const ports = { ecs: sb, reader: new EcsReader(sb) };
    const desired = await load();
    await clock.run(planDesiredState(desired, ports).then((p) => applyPlan(p, ports)));
    writeFileSync(stateFile, JSON.stringify(sb.toJSON()));
    return;
  }
  const sb = SandboxEcs.fromJSON(JSON.parse(readFileSync(stateFile, 'utf8')), { clock });
  const reader = new EcsReader(sb);
  const observe = (state) =>
    clock.run(
      observeCluster(
        state,
        { ecsReader: reader, ecs: sb, retiredEvents: () => undefined },
        { specs: specHasher },
      ),
    );
  const coldLoad = await timed(load);
  const observed = await observe(coldLoad.value);
  const coldPlan = await timed(() => plan(coldLoad.value, observed));
  const warmLoad = await timed(load);
  const warmPlan = await timed(() => plan(warmLoad.value, observed));
  process.stdout.write(
    JSON.stringify({
      actions: coldPlan.value,
      cold: { loadCpuMs: coldLoad.ms, planCpuMs: coldPlan.ms, cpuMs: coldLoad.ms + coldPlan.ms },
      warm: { loadCpuMs: warmLoad.ms, planCpuMs: warmPlan.ms, cpuMs: warmLoad.ms + warmPlan.ms },
    }) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
