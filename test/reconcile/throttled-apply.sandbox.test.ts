/**
 * Big applies against the sandbox with aws-like throttling (AWS's published ECS buckets), on a
 * virtual clock: a 300-service first apply that AWS allows in about five minutes runs in seconds of
 * wall time. The client-side AccountLimiter paces every call by the same buckets, so that:
 * - one process converges with zero errors, wastes no call, and takes within a few percent of the
 *   floor the buckets impose (asserted as a ratio of virtual time, never wall time);
 * - two clusters in one process share the account's buckets (no throttled call either);
 * - two processes in one account (each its own limiter, as two controllers would be) get throttled
 *   by AWS, retry, never fail, and the wasted calls are counted.
 * Every scenario runs a second round: zero mutating calls, reads counted.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateClusterDir } from '../../bench/generate';
import { AccountLimiter, sharedAccountLimiter } from '../../controller/aws/account-limiter';
import { limitedCountedEcs } from '../helpers/counted-ecs-port';
import { CallLog, type CallCounts } from '../../controller/aws/call-log';
import { VirtualClock } from '../../controller/aws/clock';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { floorSeconds } from '../../controller/aws/throttle-groups';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { applyPlan, planDesiredState } from '../../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../../controller/specfiles';

const START = Date.UTC(2024, 0, 1);

/** A generated cluster directory of `n` services, renamed to `name`. */
function clusterDir(name: string, n: number): string {
  const dir = generateClusterDir(n);
  const file = path.join(dir, 'cluster.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  return dir;
}

interface Round {
  errors: string[];
  mutating: CallCounts;
  calls: CallCounts;
  throttled: number;
  /** Virtual seconds of the plan (reads) and of the apply (writes). */
  planSeconds: number;
  applySeconds: number;
  planCalls: CallCounts;
  applyCalls: CallCounts;
}

/**
 * One `apply` of one cluster as one process does it: its own call log (what its summary reports),
 * the account's sandbox behind the process's limiter, a cold reader.
 */
async function reconcile(sb: SandboxEcs, limiter: AccountLimiter, dir: string, clock: VirtualClock) {
  const log = new CallLog();
  const ecs = limitedCountedEcs(sb, limiter, log);
  const loaded = await loadClusterDir(dir, { env: {} });
  expect(loaded.errors).toEqual([]);
  if (!loaded.state) throw new Error(`no desired state from ${dir}`);
  const reader = new EcsReader(ecs);
  const t0 = clock.now();
  const plan = await planDesiredState(loaded.state, { ecs, reader });
  expect(plan.errors).toEqual([]);
  const planCalls = log.snapshot();
  const t1 = clock.now();
  const results = await applyPlan(plan, { ecs, reader });
  const calls = log.snapshot();
  const applyCalls = Object.fromEntries(
    Object.entries(calls)
      .map(([k, n]) => [k, n - (planCalls[k] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  return {
    errors: results.filter((r) => r.outcome === 'failed').map((r) => `${r.id}: ${r.message ?? ''}`),
    mutating: log.mutating(),
    calls,
    throttled: log.throttledTotal(),
    planSeconds: (t1 - t0) / 1000,
    applySeconds: (clock.now() - t1) / 1000,
    planCalls,
    applyCalls,
  } satisfies Round;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function account() {
  const clock = new VirtualClock(START);
  const sb = new SandboxEcs({ clock, awsThrottling: true });
  return { clock, sb };
}

/** Clusters applied at the same time in one account, each `[limiter, dir]` through its limiter. */
function applyTogether(
  sb: SandboxEcs,
  clock: VirtualClock,
  runs: [AccountLimiter, string][],
): Promise<Round[]> {
  return clock.run(Promise.all(runs.map(([limiter, dir]) => reconcile(sb, limiter, dir, clock))));
}

/** A first round from nothing: no error, and exactly the cluster, `n` revisions and `n` services. */
function expectCreated(r: Round, n: number): void {
  expect(r.errors).toEqual([]);
  expect(r.mutating).toEqual({
    'ECS.CreateCluster': 1,
    'ECS.CreateService': n,
    'ECS.RegisterTaskDefinition': n,
  });
}

/** Rounds after converging: no error, no write. */
function expectNoWrites(...rounds: Round[]): void {
  for (const r of rounds) {
    expect(r.errors).toEqual([]);
    expect(r.mutating).toEqual({});
  }
}

/** Within `factor` of the floor the buckets impose on the calls that were made. */
function expectNearFloor(seconds: number, calls: CallCounts, factor: number): number {
  const floor = floorSeconds(calls);
  expect(floor).toBeGreaterThan(0);
  const ratio = seconds / floor;
  expect(ratio).toBeGreaterThanOrEqual(1);
  expect(ratio).toBeLessThanOrEqual(factor);
  return ratio;
}

describe('apply against aws-like throttling (virtual clock)', () => {
  it('300 services in one process: zero errors, zero throttled calls, near the bucket floor; round 2 writes nothing', async () => {
    const { clock, sb } = account();
    const limiter = new AccountLimiter({ clock });
    const dir = clusterDir('big', 300);
    dirs.push(dir);

    const first = await clock.run(reconcile(sb, limiter, dir, clock));
    expectCreated(first, 300);
    expect(first.throttled).toBe(0);
    expect(sb.callLog.throttledTotal()).toBe(0);
    // Task definition modify actions (20, then 1/s) set the floor: (300 - 20) / 1 = 280 s.
    expect(floorSeconds(first.applyCalls)).toBe(280);
    const applyRatio = expectNearFloor(first.applySeconds, first.applyCalls, 1.05);
    const planRatio = expectNearFloor(first.planSeconds, first.planCalls, 1.2);

    const second = await clock.run(reconcile(sb, limiter, dir, clock));
    expectNoWrites(second);
    expect(second.throttled).toBe(0);
    // A no-op in a new reader: the reads of a 300-service cluster (ListServices 100 a page,
    // DescribeServices 10 a call, the families 100 a page). No DescribeTaskDefinition: every
    // service's spec-hash tag vouches for its family's revision.
    expect(second.calls).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 30,
      'ECS.ListServices': 3,
      'ECS.ListTaskDefinitionFamilies': 3,
    });
    // 37 reads fit in the read buckets' bursts: the no-op waits for no token at all.
    expect(floorSeconds(second.calls)).toBe(0);
    expect(second.planSeconds + second.applySeconds).toBe(0);
    process.stdout.write(
      `throttled apply 300: plan ${first.planSeconds}s (x${planRatio.toFixed(3)}), apply ${first.applySeconds}s ` +
        `(x${applyRatio.toFixed(3)}), no-op ${second.planSeconds + second.applySeconds}s\n`,
    );
  });

  it('two clusters in one process share the account limiter: no throttled call, one floor for both', async () => {
    const { clock, sb } = account();
    // What aws-context.ts does per account and Region: one limiter for every cluster of the process.
    const key = `test-${Date.now()}|us-east-1`;
    const a = sharedAccountLimiter(key, { clock });
    const b = sharedAccountLimiter(key, { clock });
    expect(b).toBe(a);
    const dirA = clusterDir('one', 150);
    const dirB = clusterDir('two', 150);
    dirs.push(dirA, dirB);

    const rounds = await applyTogether(sb, clock, [
      [a, dirA],
      [b, dirB],
    ]);
    for (const r of rounds) {
      expectCreated(r, 150);
      expect(r.throttled).toBe(0);
    }
    expect(sb.callLog.throttledTotal()).toBe(0);
    const elapsed = (clock.now() - START) / 1000;
    // Both clusters' registrations drain one bucket: (300 - 20) / 1 s at the least.
    const all = sb.callLog.snapshot();
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThanOrEqual(280 * 1.1);
    expect(all['ECS.RegisterTaskDefinition']).toBe(300);

    expectNoWrites(
      ...(await applyTogether(sb, clock, [
        [a, dirA],
        [b, dirB],
      ])),
    );
  });

  it('two processes in one account (a limiter each): AWS throttles, every call is retried, nothing fails, the waste is counted', async () => {
    const { clock, sb } = account();
    const dirA = clusterDir('left', 150);
    const dirB = clusterDir('right', 150);
    dirs.push(dirA, dirB);
    const ownLimiters = (): [AccountLimiter, string][] => [
      [new AccountLimiter({ clock }), dirA],
      [new AccountLimiter({ clock }), dirB],
    ];
    const [ra, rb] = (await applyTogether(sb, clock, ownLimiters())) as [Round, Round];
    expectCreated(ra, 150);
    expectCreated(rb, 150);
    // Each process believed it had the whole bucket: AWS refused the difference.
    const throttled = ra.throttled + rb.throttled;
    expect(throttled).toBeGreaterThan(0);
    // The account's log counts every attempt, the refused ones too; the processes count theirs.
    const accountCalls = sb.callLog.snapshot();
    const sent = Object.values(accountCalls).reduce((x, y) => x + y, 0);
    const wanted = [ra, rb].flatMap((r) => Object.values(r.calls)).reduce((x, y) => x + y, 0);
    expect(sent).toBe(wanted + throttled);
    const elapsed = (clock.now() - START) / 1000;
    const ratio = elapsed / 280;
    expect(ratio).toBeGreaterThanOrEqual(1);
    expect(ratio).toBeLessThanOrEqual(1.5);
    process.stdout.write(
      `two processes, 2x150 services: ${throttled} throttled of ${sent} sent (${wanted} calls), ` +
        `${elapsed}s = x${ratio.toFixed(3)} of the 280 s floor\n`,
    );

    expectNoWrites(...(await applyTogether(sb, clock, ownLimiters())));
  });
});
