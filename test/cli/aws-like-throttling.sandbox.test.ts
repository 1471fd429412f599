/**
 * `--sandbox` with aws-like throttling (ECS_GITOPS_SANDBOX_THROTTLING=aws): the sandbox enforces
 * AWS's buckets and the CLI's ports pace themselves by them, so an apply that needs one more task
 * definition than the burst of 20 (Task definition modify actions) waits for a token instead of
 * failing with ThrottlingException. Real time here (the CLI's clock): one token, one second.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateClusterDir } from '../../bench/generate';
import { json, runCli } from '../helpers/run-cli';

const THROTTLING = { ECS_GITOPS_SANDBOX_THROTTLING: 'aws' };

test('apply of 21 services converges, paced by the buckets (throttled calls, if any, retried and reported); round 2 writes nothing', async () => {
  const dir = generateClusterDir(21);
  const state = path.join(tmpdir(), `ecs-gitops-throttling-${process.pid}-${Date.now()}.json`);
  try {
    const first = json(await runCli(['apply', dir, '--sandbox', state, '--output', 'json'], THROTTLING));
    expect(first.converged).toBe(true);
    // Pacing runs on the client's real clock and the sandbox sees each call a moment later: on a
    // loaded machine that moment can exceed the limiter's 50 ms allowance and cost a throttled call,
    // which is retried and reported, never an error. A quiet machine shows 0.
    const throttled = Object.values(first.awsCalls.throttledByOperation as Record<string, number>);
    expect(first.awsCalls.throttled).toBe(throttled.reduce((a, b) => a + b, 0));
    expect(first.awsCalls.throttled).toBeLessThanOrEqual(3);
    expect(
      Object.fromEntries(
        Object.entries(first.awsCalls.byOperation).filter(([op]) => /Create|Register/.test(op)),
      ),
    ).toEqual({ 'ECS.CreateCluster': 1, 'ECS.CreateService': 21, 'ECS.RegisterTaskDefinition': 21 });

    const again = json(await runCli(['apply', dir, '--sandbox', state, '--output', 'json'], THROTTLING));
    expect(again.converged).toBe(true);
    expect(again.awsCalls.mutating).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { force: true });
  }
});
