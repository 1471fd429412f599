/**
 * The throttled section (issue 15): ecs-gitops as the CLI runs it against an account that throttles
 * like AWS. The sandbox with aws-like throttling (AWS's published ECS buckets, controller/aws/
 * throttle-groups.ts) behind the process's AccountLimiter (limitPort, one limiter per account and
 * Region, as controller/cli/aws-context.ts builds it), on a VirtualClock: a first converge that AWS
 * allows in an hour and a half runs in about a minute of wall time, and its time is the simulated one.
 *
 * Per configuration (C clusters of N services in one process, applied one after the other as
 * `apply` does with several directories):
 * - round 1: empty account; a new process (limiter, reader);
 * - round 2: no change, 2 minutes later, a new process (cold reader: a CI run);
 * - round 2w: no change, 2 minutes later, round 1's process (warm reader: the controller).
 * Time is compared with the floor the buckets impose on the calls the round made (floorSeconds),
 * and the calls of a no-op with the read floor: per cluster 1 DescribeClusters + ceil(N/10)
 * DescribeServices + ceil(N/100) ListServices (+ one read per family without a service: none here).
 */
import { AccountLimiter } from '../controller/aws/account-limiter';
import { limitedCountedEcs } from '../test/helpers/counted-ecs-port';
import { CallLog, type CallCounts } from '../controller/aws/call-log';
import { VirtualClock } from '../controller/aws/clock';
import type { EcsPort } from '../controller/aws/ecs-port';
import { SandboxEcs } from '../controller/aws/sandbox/sandbox-ecs';
import { floorSeconds } from '../controller/aws/throttle-groups';
import { DESCRIBE_SERVICES_BATCH, EcsReader, LIST_SERVICES_PAGE } from '../controller/observe/ecs-reader';
import { applyPlan, planDesiredState } from '../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../controller/specfiles';
import type { Check } from './checks';
import { BENCH_REGION } from './generate';

/** First converge, as a ratio of the bucket floor: the issue's target. */
export const CONVERGE_TARGET = 1.2;
/** No-op calls, as a ratio of the read floor: the issue's target. */
export const NOOP_CALLS_TARGET = 1.1;
/** Simulated idle time between rounds: AWS's buckets are full again (the slowest, 20 at 1/s, in 20 s). */
const BETWEEN_ROUNDS_MS = 120_000;

export interface ThrottledConfig {
  clusters: number;
  /** Services (and task definition families) per cluster. */
  services: number;
}

export interface ThrottledRound {
  round: '1' | '2' | '2w';
  description: string;
  /** Simulated seconds from the round's first call to its last result (all clusters). */
  seconds: number;
  /** floorSeconds of the round's calls: what AWS's buckets allow at best. */
  floorSeconds: number;
  /** seconds / floorSeconds; null when the calls fit in the bursts (floor 0). */
  ratio: number | null;
  /** Calls made (one per logical call; throttled attempts apart), `ECS.` dropped. */
  calls: CallCounts;
  totalCalls: number;
  mutatingCalls: number;
  /** Attempts AWS (the sandbox) answered ThrottlingException; each was retried by the limiter. */
  throttled: number;
  /** No-op rounds: the read floor (calls) and totalCalls / readFloor. */
  readFloorCalls?: number;
  callsRatio?: number;
  /** Count of action results per outcome. */
  outcomes: Record<string, number>;
  wallMs: number;
}

export interface ThrottledReport {
  clusters: number;
  servicesPerCluster: number;
  services: number;
  rounds: ThrottledRound[];
  /** Wall time of the whole configuration (the three rounds, generating excluded). */
  wallSeconds: number;
}

/** What one process holds against the account: its limiter, its reader, its call log. */
interface Process {
  log: CallLog;
  ports: { ecs: EcsPort; reader: EcsReader };
  limiter: AccountLimiter;
}

/**
 * A new process as aws-context.ts builds it in sandbox mode with aws-like throttling: the account's
 * sandbox behind the process's limiter, which records the throttled answers in the process's log.
 * Calls are counted above the limiter (one per logical call, as the SDK middleware counts).
 */
function newProcess(sb: SandboxEcs, clock: VirtualClock): Process {
  const log = new CallLog();
  const limiter = new AccountLimiter({ clock });
  const ecs = limitedCountedEcs(sb, limiter, log);
  return { log, ports: { ecs, reader: new EcsReader(ecs) }, limiter };
}

const strip = (c: CallCounts): CallCounts =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k.replace(/^ECS\./, ''), v]));

/** The reads a no-op of one cluster of `n` services needs at the least (every service has one). */
export function readFloorCalls(n: number): number {
  return 1 + Math.ceil(n / DESCRIBE_SERVICES_BATCH) + Math.ceil(n / LIST_SERVICES_PAGE);
}

async function round(
  name: ThrottledRound['round'],
  description: string,
  proc: Process,
  dirs: string[],
  clock: VirtualClock,
  servicesPerCluster: number,
): Promise<ThrottledRound> {
  proc.log.reset();
  const wall0 = process.hrtime.bigint();
  const t0 = clock.now();
  const outcomes: Record<string, number> = {};
  // One directory after the other, as `apply` with several directories and the controller's queue do.
  for (const dir of dirs) {
    const loaded = await loadClusterDir(dir, { env: {}, region: BENCH_REGION });
    if (!loaded.state) throw new Error(`throttled round ${name}: ${dir} does not load`);
    const state = loaded.state;
    const results = await clock.run(
      (async () => {
        const plan = await planDesiredState(state, proc.ports);
        if (plan.errors.length > 0) throw new Error(`throttled round ${name}: ${plan.errors[0].message}`);
        return applyPlan(plan, proc.ports);
      })(),
    );
    for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  }
  const seconds = (clock.now() - t0) / 1000;
  const calls = proc.log.snapshot();
  const floor = floorSeconds(calls);
  const totalCalls = proc.log.total();
  const noop = name !== '1';
  const readFloor = readFloorCalls(servicesPerCluster) * dirs.length;
  return {
    round: name,
    description,
    seconds,
    floorSeconds: floor,
    ratio: floor > 0 ? seconds / floor : null,
    calls: strip(calls),
    totalCalls,
    mutatingCalls: proc.log.mutatingTotal(),
    throttled: proc.log.throttledTotal(),
    ...(noop ? { readFloorCalls: readFloor, callsRatio: totalCalls / readFloor } : {}),
    outcomes,
    wallMs: Number(process.hrtime.bigint() - wall0) / 1e6,
  };
}

/** Runs the three rounds of one configuration over cluster directories already generated. */
export async function benchThrottled(cfg: ThrottledConfig, dirs: string[]): Promise<ThrottledReport> {
  const wall0 = process.hrtime.bigint();
  const clock = new VirtualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock, awsThrottling: true, region: BENCH_REGION });
  const idle = () => clock.run(clock.sleep(BETWEEN_ROUNDS_MS));
  const first = newProcess(sb, clock);
  const r1 = await round(
    '1',
    'empty account; a new process (limiter, cold reader)',
    first,
    dirs,
    clock,
    cfg.services,
  );
  await idle();
  const r2 = await round(
    '2',
    'no change, 2 min later; a new process (its own limiter, cold reader: a CI run)',
    newProcess(sb, clock),
    dirs,
    clock,
    cfg.services,
  );
  await idle();
  const r2w = await round(
    '2w',
    "no change, 2 min later; round 1's process (warm reader: the controller's resync)",
    first,
    dirs,
    clock,
    cfg.services,
  );
  return {
    clusters: cfg.clusters,
    servicesPerCluster: cfg.services,
    services: cfg.clusters * cfg.services,
    rounds: [r1, r2, r2w],
    wallSeconds: Number(process.hrtime.bigint() - wall0) / 1e9,
  };
}

export const configLabel = (r: { clusters: number; servicesPerCluster: number }) =>
  r.clusters === 1 ? `${r.servicesPerCluster}` : `${r.clusters} x ${r.servicesPerCluster}`;

const x = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${v.toFixed(3)}x`);

/** Correctness first (a fast wrong answer is no result), then the issue's targets. */
export function checkThrottled(r: ThrottledReport): Check[] {
  const [r1, r2, r2w] = r.rounds;
  const label = configLabel(r);
  const size = r.services;
  const expected = r.clusters * (1 + 2 * r.servicesPerCluster);
  const created = r1.outcomes.created ?? 0;
  const checks: Check[] = [
    {
      size,
      name: `throttled ${label}: round 1 creates every cluster, family and service, none failed`,
      ok: created === expected && Object.keys(r1.outcomes).length === 1,
      detail: `outcomes ${JSON.stringify(r1.outcomes)}; expected ${expected} created`,
    },
    ...[r2, r2w].map((x) => ({
      size,
      name: `throttled ${label}: round ${x.round} makes zero mutating calls, changes nothing`,
      ok: x.mutatingCalls === 0 && (x.outcomes.unchanged ?? 0) === expected,
      detail: `${x.mutatingCalls} mutating; outcomes ${JSON.stringify(x.outcomes)}`,
    })),
    ...[r1, r2, r2w].map((x) => ({
      size,
      name: `throttled ${label}: round ${x.round}, no throttled call (one process paces itself)`,
      ok: x.throttled === 0,
      detail: `${x.throttled} throttled`,
    })),
    {
      size,
      name: `throttled ${label}: first converge <= ${CONVERGE_TARGET}x the bucket floor`,
      ok: r1.ratio !== null && r1.ratio <= CONVERGE_TARGET,
      detail: `${r1.seconds.toFixed(1)} s / floor ${r1.floorSeconds.toFixed(1)} s = ${x(r1.ratio)}`,
    },
    ...[r2, r2w].map((x2) => ({
      size,
      name: `throttled ${label}: round ${x2.round} no-op calls <= ${NOOP_CALLS_TARGET}x the read floor`,
      ok: (x2.callsRatio ?? Infinity) <= NOOP_CALLS_TARGET,
      detail: `${x2.totalCalls} calls / read floor ${x2.readFloorCalls} = ${x(x2.callsRatio)}`,
    })),
  ];
  return checks;
}

const list = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function renderThrottled(reports: ThrottledReport[]): string[] {
  const lines = [
    '',
    "**Throttled (aws-like):** the sandbox enforcing ECS's published per-account buckets, behind the " +
      "process's AccountLimiter, on a virtual clock (simulated seconds; wall time is this machine's). " +
      `Targets: first converge <= ${CONVERGE_TARGET}x the floor the buckets impose on its calls; a no-op's ` +
      `calls <= ${NOOP_CALLS_TARGET}x the read floor (per cluster 1 DescribeClusters + ceil(N/10) ` +
      'DescribeServices + ceil(N/100) ListServices). Several clusters: one process, applied one after the other.',
    '',
    '| services | round | simulated s | floor s | time / floor | calls | read floor | calls / read floor | mutating | throttled | wall s | calls per operation |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of reports) {
    for (const x2 of r.rounds) {
      lines.push(
        `| ${configLabel(r)} | ${x2.round} | ${x2.seconds.toFixed(1)} | ${x2.floorSeconds.toFixed(1)} | ${x(x2.ratio)} | ` +
          `${x2.totalCalls} | ${x2.readFloorCalls ?? '-'} | ${x(x2.callsRatio)} | ${x2.mutatingCalls} | ` +
          `${x2.throttled} | ${(x2.wallMs / 1000).toFixed(1)} | ${list(x2.calls)} |`,
      );
    }
  }
  lines.push('', 'Throttled rounds:');
  for (const x2 of reports[0]?.rounds ?? []) lines.push(`- **${x2.round}**: ${x2.description}`);
  lines.push(
    `- wall time per configuration: ${reports.map((r) => `${configLabel(r)} ${r.wallSeconds.toFixed(1)} s`).join(', ')}`,
  );
  return lines;
}
