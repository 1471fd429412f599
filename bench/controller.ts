/**
 * The controller section: (a) commit-to-AWS latency of the long-running controller (issue 5), in
 * process, with the real chokidar watcher, here; (b) the footprint of `ecs-gitops run` in a child
 * process, in bench/footprint.ts. See bench/README.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MUTATING_OPERATIONS } from '../controller/aws/ecs-port';
import { AwsContext } from '../controller/cli/aws-context';
import { ControllerMetrics } from '../controller/telemetry/metrics';
import { createLogger } from '../controller/telemetry/logger';
import { type ErrorLike, type ReconcileRecord, StatusStore } from '../controller/telemetry/status';
import type { ActionResult } from '../controller/model/action-result';
import { systemClock } from '../controller/aws/clock';
import { Controller } from '../controller/reconcile/controller';
import { createGitSource } from '../controller/reconcile/git-source';
import { watchGitRepo } from '../controller/reconcile/git-watcher';
import { git, makeRepo } from './bench-repo';
import type { Check } from './checks';
import { type FootprintSection, renderFootprint } from './footprint';
import { BENCH_REGION, clusterName } from './generate';

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Issue 5's latency target. */
export const TARGETS = {
  commitToFirstMutatingP50Ms: 1000,
};
/** The watcher's default quiet time (controller/reconcile/git-watcher.ts), part of every latency. */
export const WATCH_DEBOUNCE_MS = 250;
const LATENCY_FAMILIES = 5;

export interface Stats {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest rank: p50 of 20 is the 10th smallest, p95 the 19th. */
export function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? NaN;
  return {
    n: s.length,
    min: s[0] ?? NaN,
    p50: rank(0.5),
    p95: rank(0.95),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

// ---------------------------------------------------------------------------------------------
// (a) commit -> AWS latency, in process

export interface CommitSample {
  index: number;
  family: string;
  commit: string;
  /** Milliseconds from the `git commit` process exiting to: */
  watcherFiredMs: number;
  /** the first AWS call (any) starting after the watcher fired; */
  firstCallStartMs: number;
  firstCall: string;
  /** the first mutating call settling (what a user sees change in AWS); */
  firstMutatingSettledMs: number;
  firstMutating: string;
  firstMutatingCode: string;
  /** the reconcile's results being recorded (status). */
  reconcileDoneMs: number;
  /** outcome counts of that reconcile, per resource: `taskDefinition updated` ... */
  outcomes: Record<string, number>;
  mutatingCalls: Record<string, number>;
}

export interface LatencyReport {
  commits: number;
  families: number;
  cluster: string;
  debounceMs: number;
  /** The first reconcile (controller.start(): empty account, creates everything), not part of the stats. */
  startMs: number;
  samples: CommitSample[];
  watcherFired: Stats;
  firstCallStart: Stats;
  firstMutatingSettled: Stats;
  reconcileDone: Stats;
}

/** A StatusStore that tells the benchmark when a reconcile's outcome is recorded. */
class TimedStatusStore extends StatusStore {
  onRecord?: (
    commit: string | undefined,
    results: readonly ActionResult[] | undefined,
    error?: string,
  ) => void;

  override recordReconcile(cluster: string, record: ReconcileRecord) {
    const c = super.recordReconcile(cluster, record);
    this.onRecord?.(record.commit, record.results);
    return c;
  }

  override recordSpecErrors(cluster: string, errors: readonly ErrorLike[], commit?: string) {
    const c = super.recordSpecErrors(cluster, errors, commit);
    this.onRecord?.(commit, undefined, c.lastError ?? 'spec errors');
    return c;
  }

  override recordFailure(cluster: string, message: string, commit?: string) {
    const c = super.recordFailure(cluster, message, commit);
    this.onRecord?.(commit, undefined, message);
    return c;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A Controller built as `ecs-gitops run` builds it (controller/cli/run.ts: AwsContext with the
 * endpoint, StatusStore, ControllerMetrics fed by the CallLog, systemClock, account limiter, 10 min
 * resync) with a silent logger, over a local repository watched by the real chokidar watcher. After
 * the first reconcile, `commits` commits each change the image of one family; each is timed from the
 * `git commit` process exiting. The next commit waits for the reconcile and at least 1 s (the
 * RegisterTaskDefinition bucket refills 1/s, so the limiter never waits here).
 */
export async function benchLatency(endpoint: string, commits: number): Promise<LatencyReport> {
  const { repo, clusterPath } = await makeRepo(LATENCY_FAMILIES);
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-bench-cache-'));
  const ctx = new AwsContext({ endpoint });
  const status = new TimedStatusStore();
  const metrics = new ControllerMetrics();
  ctx.callLog.subscribe((service, operation, code) => metrics.awsRequest(service, operation, code));

  // Instruments: when calls start (CallLog.record) and settle (a listener), and when the watcher fires.
  // One object, not lets: the callbacks below set it, which control-flow narrowing cannot see.
  const probe: {
    watcherFiredAt?: number;
    firstCall?: { at: number; name: string };
    firstMutating?: { at: number; name: string; code: string };
    mutating: Record<string, number>;
  } = { mutating: {} };
  const resetProbe = () => {
    probe.watcherFiredAt = undefined;
    probe.firstCall = undefined;
    probe.firstMutating = undefined;
    probe.mutating = {};
  };
  const record = ctx.callLog.record.bind(ctx.callLog);
  ctx.callLog.record = (service: string, operation: string) => {
    if (probe.watcherFiredAt !== undefined && !probe.firstCall) {
      probe.firstCall = { at: hrMs(), name: `${service}.${operation}` };
    }
    record(service, operation);
  };
  ctx.callLog.subscribe((service, operation, code) => {
    if (!MUTATING_OPERATIONS.has(operation)) return;
    const name = `${service}.${operation}`;
    probe.mutating[name] = (probe.mutating[name] ?? 0) + 1;
    if (probe.watcherFiredAt !== undefined && !probe.firstMutating)
      probe.firstMutating = { at: hrMs(), name, code };
  });

  const source = createGitSource({ repo, cacheDir });
  const controller = new Controller({
    source,
    paths: [clusterPath],
    env: {},
    portsFor: (region) => ctx.forRegion(region),
    defaultRegion: BENCH_REGION,
    clock: systemClock,
    resyncMs: 10 * 60_000,
    status,
    metrics,
    log: createLogger({ level: 'silent' }),
  });
  const watcher = watchGitRepo({
    repo,
    onChange: () => {
      probe.watcherFiredAt ??= hrMs();
      return controller.sourceChanged();
    },
  });

  const samples: CommitSample[] = [];
  try {
    await watcher.ready;
    const t0 = hrMs();
    await controller.start();
    await controller.idle();
    const startMs = hrMs() - t0;
    let previous = controller.commit;
    if (!previous || status.snapshot().clusters[0]?.lastAppliedCommit !== previous) {
      throw new Error(`the first reconcile did not apply: ${JSON.stringify(status.snapshot().clusters[0])}`);
    }
    progress(`controller latency: first reconcile ${startMs.toFixed(0)} ms; ${commits} commits`);
    let lastCommitAt = 0;
    for (let i = 1; i <= commits; i++) {
      await sleep(Math.max(0, lastCommitAt + 1000 - hrMs()));
      const k = ((i - 1) % LATENCY_FAMILIES) + 1;
      const file = path.join(repo, clusterPath, `svc${k}.taskdef`);
      const text = readFileSync(file, 'utf8');
      const changed = text.replace(/"image": "[^"]*"/, `"image": "public.ecr.aws/nginx/nginx:bench-${i}"`);
      if (changed === text) throw new Error(`no image to change in ${file}`);
      writeFileSync(file, changed);

      resetProbe();
      const prev = previous;
      const done = new Promise<{
        at: number;
        commit: string;
        results?: readonly ActionResult[];
        error?: string;
      }>((resolve) => {
        status.onRecord = (commit, results, error) => {
          if (commit && commit !== prev)
            resolve({ at: hrMs(), commit, ...(results ? { results } : {}), ...(error ? { error } : {}) });
        };
      });
      await git(repo, ['commit', '-q', '-a', '-m', `bench: svc${k} image bench-${i}`]);
      const committedAt = hrMs();
      lastCommitAt = committedAt;
      const r = await withTimeout(done, 60_000, `commit ${i}`);
      await controller.idle();
      status.onRecord = undefined;
      const head = (await git(repo, ['rev-parse', 'HEAD'])).trim();
      if (r.error) throw new Error(`commit ${i} (${r.commit}): reconcile failed: ${r.error}`);
      if (r.commit !== head) throw new Error(`commit ${i}: reconciled ${r.commit}, HEAD is ${head}`);
      const { watcherFiredAt, firstCall, firstMutating } = probe;
      if (watcherFiredAt === undefined || !firstCall || !firstMutating) {
        throw new Error(`commit ${i}: no watcher event / AWS call / mutating call seen`);
      }
      const outcomes: Record<string, number> = {};
      for (const x of r.results ?? []) {
        const key = `${x.resource} ${x.outcome}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
      samples.push({
        index: i,
        family: `svc${k}`,
        commit: r.commit,
        watcherFiredMs: watcherFiredAt - committedAt,
        firstCallStartMs: firstCall.at - committedAt,
        firstCall: firstCall.name,
        firstMutatingSettledMs: firstMutating.at - committedAt,
        firstMutating: firstMutating.name,
        firstMutatingCode: firstMutating.code,
        reconcileDoneMs: r.at - committedAt,
        outcomes,
        mutatingCalls: { ...probe.mutating },
      });
      previous = r.commit;
    }
    return {
      commits,
      families: LATENCY_FAMILIES,
      cluster: clusterName(LATENCY_FAMILIES),
      debounceMs: WATCH_DEBOUNCE_MS,
      startMs,
      samples,
      watcherFired: stats(samples.map((s) => s.watcherFiredMs)),
      firstCallStart: stats(samples.map((s) => s.firstCallStartMs)),
      firstMutatingSettled: stats(samples.map((s) => s.firstMutatingSettledMs)),
      reconcileDone: stats(samples.map((s) => s.reconcileDoneMs)),
    };
  } finally {
    status.onRecord = undefined;
    await watcher.close();
    await controller.stop();
    await source.close();
    await ctx.close();
    rmSync(repo, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

export function checkLatency(r: LatencyReport): Check[] {
  const wrong = r.samples.filter(
    (s) =>
      s.firstMutating !== 'ECS.RegisterTaskDefinition' ||
      s.firstMutatingCode !== 'OK' ||
      s.outcomes['taskDefinition updated'] !== 1 ||
      s.outcomes['service updated'] !== 1 ||
      Object.keys(s.outcomes).some((k) => !k.endsWith(' unchanged') && !k.endsWith(' updated')),
  );
  return [
    {
      size: r.families,
      name: `controller latency: ${r.commits} commits each reconciled: first mutating call RegisterTaskDefinition OK, 1 task definition + 1 service updated, nothing failed`,
      ok: r.samples.length === r.commits && wrong.length === 0,
      detail:
        wrong.length === 0
          ? `${r.samples.length} commits`
          : `commit ${wrong[0].index}: first mutating ${wrong[0].firstMutating} ${wrong[0].firstMutatingCode}; outcomes ${JSON.stringify(wrong[0].outcomes)}`,
    },
    {
      size: r.families,
      name: `controller latency: commit -> first mutating call p50 under ${TARGETS.commitToFirstMutatingP50Ms} ms`,
      ok: r.firstMutatingSettled.p50 < TARGETS.commitToFirstMutatingP50Ms,
      detail: `p50 ${r.firstMutatingSettled.p50.toFixed(0)} ms, p95 ${r.firstMutatingSettled.p95.toFixed(0)} ms`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Report

export interface ControllerReport {
  latency?: LatencyReport;
  /** At `--controller-services` (500: issue 5's targets), then at `--rss-services` (5,000: issue 15's). */
  footprints: FootprintSection[];
}

export function renderController(c: ControllerReport): string[] {
  const lines: string[] = [];
  const f0 = (x: number) => x.toFixed(0);
  if (c.latency) {
    const l = c.latency;
    lines.push(
      '',
      `**Controller: commit -> AWS latency** (in process, controller built as \`ecs-gitops run\` builds it, ` +
        `real chokidar watcher with its ${l.debounceMs} ms debounce, account limiter with AWS's buckets): cluster ` +
        `\`${l.cluster}\` (${l.families} task definitions + ${l.families} services) in a temp git repository; ` +
        `${l.commits} commits, each changing one family's image, timed from the \`git commit\` process exiting; ` +
        `the next commit waits for the reconcile and at least 1 s. First reconcile (empty account, not in the ` +
        `stats): ${f0(l.startMs)} ms. Percentiles by nearest rank.`,
      '',
      '| commit -> | p50 ms | p95 ms | max ms | min ms | target |',
      '|---|---:|---:|---:|---:|---|',
    );
    const row = (what: string, s: Stats, target = '') =>
      lines.push(`| ${what} | ${f0(s.p50)} | ${f0(s.p95)} | ${f0(s.max)} | ${f0(s.min)} | ${target} |`);
    row('watcher fires (onChange)', l.watcherFired);
    row(`first AWS call starts (${l.samples[0]?.firstCall ?? '?'})`, l.firstCallStart);
    const ok = l.firstMutatingSettled.p50 < TARGETS.commitToFirstMutatingP50Ms;
    row(
      'first mutating call settles (RegisterTaskDefinition)',
      l.firstMutatingSettled,
      `p50 < ${TARGETS.commitToFirstMutatingP50Ms} ms: ${ok ? 'met' : '**FAILED**'}`,
    );
    row('reconcile done (results recorded)', l.reconcileDone);
  }
  for (const f of c.footprints) lines.push(...renderFootprint(f));
  return lines;
}
