import { rmSync } from 'node:fs';
import path from 'node:path';
import { generateClusterDir } from '../../bench/generate';
import { benchPlanCpu } from '../../bench/plan-cpu';

// The plan CPU child (bench/plan-cpu-child.js) is plain JavaScript over the compiled modules: no
// type checks it. This runs it on the repository's dist/ (npm test builds it first), so a renamed
// or reshaped export fails here rather than in the next benchmark.
test('the plan CPU child prepares an account and plans it, cold then warm, all unchanged', async () => {
  const dir = generateClusterDir(12);
  try {
    const r = await benchPlanCpu(dir, 12, path.resolve(__dirname, '../../dist'), 1);
    // 1 cluster + 12 task definitions + 12 services, none changing (the child throws otherwise).
    expect(r.actions).toBe(25);
    expect(r.runs).toHaveLength(1);
    for (const run of [r.median.cold, r.median.warm]) {
      expect(run.loadCpuMs).toBeGreaterThan(0);
      expect(run.cpuMs).toBeCloseTo(run.loadCpuMs + run.planCpuMs, 6);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
