/**
 * The controller section (issue 5): (a) commit-to-AWS latency of the long-running controller, in
 * process, with the real chokidar watcher; (b) the footprint (RSS, idle CPU, shutdown) of
 * `ecs-gitops run` managing N services, in a child process of its own. See bench/README.md.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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
import type { Check } from './checks';
import { BENCH_REGION, clusterName, generateClusterDir } from './generate';
import { freePort } from './moto';
import { newSession, runRound } from './round';

const ROOT = path.resolve(__dirname, '..');
const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Targets of issue 5 (the footprint at 500 services). */
export const TARGETS = {
  commitToFirstMutatingP50Ms: 1000,
  rssBytes: 150 * 1024 * 1024,
  idleCpuPercent: 2,
};
/** Issue 15: the controller's RSS at 5,000 services. */
export const RSS_TARGET_AT_SCALE_BYTES = 200 * 1024 * 1024;
/** The watcher's default quiet time (controller/reconcile/git-watcher.ts), part of every latency. */
export const WATCH_DEBOUNCE_MS = 250;
const LATENCY_FAMILIES = 5;
const IDLE_WINDOW_MS = 20_000;
const RSS_SAMPLE_MS = 25;

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

/** The identity of the bench's commits, for every git call the bench makes. */
export const BENCH_GIT_CONFIG = [
  '-c',
  'user.name=bench',
  '-c',
  'user.email=bench@example.invalid',
  '-c',
  'commit.gpgsign=false',
];

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('git', [...BENCH_GIT_CONFIG, ...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`git ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}

/** A fresh repository holding `clusters/<name>` (the generated directory) in one commit. */
async function makeRepo(n: number): Promise<{ repo: string; clusterPath: string; head: string }> {
  const repo = mkdtempSync(path.join(tmpdir(), `ecs-gitops-bench-repo-${n}-`));
  const generated = generateClusterDir(n);
  const clusterPath = path.join('clusters', clusterName(n));
  try {
    cpSync(generated, path.join(repo, clusterPath), { recursive: true });
  } finally {
    rmSync(generated, { recursive: true, force: true });
  }
  await git(repo, ['init', '-q', '-b', 'main']);
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', `bench: ${n} services`]);
  return { repo, clusterPath, head: (await git(repo, ['rev-parse', 'HEAD'])).trim() };
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
// (b) footprint of `ecs-gitops run` in a child process

export interface Runtime {
  /** `node (compiled dist)` or `node --import tsx` */
  name: string;
  /** Arguments before `run ...` (node flags and the entry script). */
  args: string[];
  cwd: string;
  /** Whether the RSS and CPU targets are checked on this runtime (the shipped one). */
  checked: boolean;
  note: string;
}

export interface FootprintReport {
  runtime: string;
  note: string;
  checked: boolean;
  services: number;
  command: string;
  /** Spawn to /readyz 200 and lastAppliedCommit = HEAD in /status (start-up + the first reconcile). */
  readyMs: number;
  /** AWS calls of the first reconcile (from /metrics): every one and the mutating ones. */
  firstReconcileCalls: Record<string, number>;
  firstReconcileMutatingCalls: number;
  /** VmHWM at the end of the first reconcile (the kernel's peak RSS of the process). */
  peakRssBytes: number;
  /** Highest VmRSS sampled every 25 ms from spawn to ready. */
  sampledPeakRssBytes: number;
  idleWindowMs: number;
  /** VmRSS at the start and end of the idle window, and its highest sample in it. */
  idleRssStartBytes: number;
  idleRssEndBytes: number;
  idleRssMaxBytes: number;
  /** utime + stime over the idle window, in clock ticks (CLK_TCK per second). */
  idleCpuTicks: number;
  clkTck: number;
  /** % of one core: (ticks / CLK_TCK) / window seconds * 100. */
  idleCpuPercent: number;
  /** CPU seconds (utime + stime) from spawn to ready: start-up and the first reconcile. */
  startupCpuSeconds: number;
  /** AWS calls the controller made during the idle window (from /metrics before and after). */
  idleAwsCalls: number;
  /**
   * After the idle window, a commit that changes only a comment of one spec file: the warm reconcile
   * it starts (the watcher's debounce included), its calls, and the memory after it.
   */
  warm: {
    reconcileMs: number;
    calls: number;
    mutatingCalls: number;
    rssBytes: number;
    /** VmHWM after the warm reconcile: the peak of the whole run so far. */
    hwmBytes: number;
  };
  exitCode: number | null;
  exitSignal: string | null;
  shutdownMs: number;
}

export interface FootprintSection {
  services: number;
  /** The RSS target checked on the compiled run (peak, idle and after the warm reconcile). */
  rssTargetBytes: number;
  /** Round 1 of the benchmark (raised buckets) that created the N services before the controller starts. */
  prepopulateMs: number;
  runs: FootprintReport[];
}

function clkTck(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** VmRSS and VmHWM in bytes from /proc/<pid>/status. */
function procMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** utime + stime (fields 14 and 15) in clock ticks from /proc/<pid>/stat. */
function procCpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14 -> index 11, stime field 15 -> index 12.
  return Number(fields[11]) + Number(fields[12]);
}

/** `ecs_gitops_aws_requests_total` from /metrics, per `Service.Operation` (codes summed). */
export async function awsRequests(base: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('ecs_gitops_aws_requests_total{')) continue;
    const service = /service="([^"]*)"/.exec(line)?.[1] ?? '?';
    const operation = /operation="([^"]*)"/.exec(line)?.[1] ?? '?';
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    out[`${service}.${operation}`] = (out[`${service}.${operation}`] ?? 0) + value;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const mutatingOf = (calls: Record<string, number>) =>
  total(
    Object.fromEntries(
      Object.entries(calls).filter(([k]) => MUTATING_OPERATIONS.has(k.slice(k.indexOf('.') + 1))),
    ),
  );

/**
 * Compiles controller/ (tsconfig.build.json) into a temp directory laid out like the package
 * (dist/, bin/ecs-gitops.js, and links to package.json, crds/ and node_modules), so that the
 * footprint can run the shipped JavaScript without touching the repository's dist/.
 */
export function buildDist(): { dir: string; bin: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-bench-dist-'));
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      path.join(dir, 'dist'),
      '--incremental',
      'false',
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  execFileSync(process.execPath, [
    path.join(ROOT, 'scripts/build-schema-validators.js'),
    path.join(dir, 'dist'),
  ]);
  mkdirSync(path.join(dir, 'bin'));
  copyFileSync(path.join(ROOT, 'bin/ecs-gitops.js'), path.join(dir, 'bin/ecs-gitops.js'));
  for (const name of ['package.json', 'crds', 'node_modules'])
    symlinkSync(path.join(ROOT, name), path.join(dir, name));
  return { dir, bin: path.join(dir, 'bin/ecs-gitops.js') };
}

/**
 * The node flags of the image's ENTRYPOINT (the Dockerfile): the footprint runs the compiled CLI
 * with them, so that it measures what the image runs.
 */
export function imageNodeFlags(dockerfile = path.join(ROOT, 'Dockerfile')): string[] {
  const line = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error(`${dockerfile}: no ENTRYPOINT`);
  const argv = JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
  const node = argv.indexOf('node');
  const script = argv.findIndex((a, i) => i > node && !a.startsWith('-'));
  if (node < 0 || script < 0) throw new Error(`${dockerfile}: the ENTRYPOINT runs no node script: ${line}`);
  return argv.slice(node + 1, script);
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  child: ChildProcess,
  fn: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${what}: the controller exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)})`,
      );
    }
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function runFootprint(
  runtime: Runtime,
  endpoint: string,
  services: number,
  repo: string,
  clusterPath: string,
): Promise<FootprintReport> {
  const head = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-bench-cache-'));
  const runArgs = [
    'run',
    '--repo',
    repo,
    '--path',
    clusterPath,
    '--port',
    String(port),
    '--resync',
    '10m',
    '--cache-dir',
    cacheDir,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: BENCH_REGION,
    ECS_GITOPS_LOG_FORMAT: 'json',
  };
  // Nothing of the benchmark's own runtime (tsx) may leak into the child through the environment.
  delete env.NODE_OPTIONS;
  const started = hrMs();
  const child = spawn(process.execPath, [...runtime.args, ...runArgs], {
    cwd: runtime.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep); // the controller's JSON log: read (or it blocks), keep the tail
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: hrMs() })),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot spawn ${runtime.name}`);
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    const m = procMemory(pid);
    if (m) sampledPeak = Math.max(sampledPeak, m.rss);
  }, RSS_SAMPLE_MS);
  try {
    const cluster = clusterName(services);
    const applied = (commit: string) => async () => {
      const ready = await fetch(`${base}/readyz`);
      if (ready.status !== 200) return undefined;
      const doc = (await (await fetch(`${base}/status`)).json()) as {
        clusters: { cluster: string; lastAppliedCommit?: string }[];
      };
      return doc.clusters.find((c) => c.cluster === cluster)?.lastAppliedCommit === commit ? true : undefined;
    };
    await waitFor(`${runtime.name}: ready`, 10 * 60_000, child, applied(head));
    const readyMs = hrMs() - started;
    clearInterval(sampler);
    const atReady = procMemory(pid);
    const startupCpuTicks = procCpuTicks(pid);
    const firstReconcileCalls = await awsRequests(base);
    const firstReconcileMutatingCalls = mutatingOf(firstReconcileCalls);
    progress(`${runtime.name}: ready in ${readyMs.toFixed(0)} ms; idle window ${IDLE_WINDOW_MS / 1000} s`);
    await sleep(1000); // let the /metrics request above settle outside the window

    const tck = clkTck();
    const w0 = hrMs();
    const cpu0 = procCpuTicks(pid);
    const rss0 = procMemory(pid)?.rss ?? NaN;
    let idleMax = rss0;
    while (hrMs() - w0 < IDLE_WINDOW_MS) {
      await sleep(250);
      const m = procMemory(pid);
      if (m) idleMax = Math.max(idleMax, m.rss);
    }
    const cpu1 = procCpuTicks(pid);
    const w1 = hrMs();
    const rss1 = procMemory(pid)?.rss ?? NaN;
    idleMax = Math.max(idleMax, rss1);
    const afterIdle = await awsRequests(base);
    const idleAwsCalls = total(afterIdle) - total(firstReconcileCalls);

    // A warm reconcile: a commit changing only a comment (the specs load the same, nothing to write).
    const file = path.join(repo, clusterPath, 'svc1.taskdef');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/\/\/[^\n]*/, `// warm reconcile (${runtime.name})`),
    );
    await git(repo, ['commit', '-q', '-am', `bench: comment only (${runtime.name})`]);
    const warmHead = (await git(repo, ['rev-parse', 'HEAD'])).trim();
    const warm0 = hrMs();
    await waitFor(`${runtime.name}: warm reconcile`, 10 * 60_000, child, applied(warmHead));
    const warmMs = hrMs() - warm0;
    const afterWarm = await awsRequests(base);
    const warmMem = procMemory(pid);
    const warmCalls = Object.fromEntries(
      Object.entries(afterWarm).map(([k, v]) => [k, v - (afterIdle[k] ?? 0)]),
    );

    const stopAt = hrMs();
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const exit = await exited;
    clearTimeout(killer);
    const windowMs = w1 - w0;
    return {
      runtime: runtime.name,
      note: runtime.note,
      checked: runtime.checked,
      services,
      command: `node ${[...runtime.args, ...runArgs].map((a) => (a === repo ? '<repo>' : a === cacheDir ? '<cache>' : a)).join(' ')}`,
      readyMs,
      firstReconcileCalls,
      firstReconcileMutatingCalls,
      peakRssBytes: atReady?.hwm ?? NaN,
      sampledPeakRssBytes: Math.max(sampledPeak, atReady?.rss ?? 0),
      idleWindowMs: windowMs,
      idleRssStartBytes: rss0,
      idleRssEndBytes: rss1,
      idleRssMaxBytes: idleMax,
      idleCpuTicks: cpu1 - cpu0,
      clkTck: tck,
      idleCpuPercent: ((cpu1 - cpu0) / tck / (windowMs / 1000)) * 100,
      startupCpuSeconds: startupCpuTicks / tck,
      idleAwsCalls,
      warm: {
        reconcileMs: warmMs,
        calls: total(warmCalls),
        mutatingCalls: mutatingOf(warmCalls),
        rssBytes: warmMem?.rss ?? NaN,
        hwmBytes: warmMem?.hwm ?? NaN,
      },
      exitCode: exit.code,
      exitSignal: exit.signal,
      shutdownMs: exit.at - stopAt,
    };
  } catch (err) {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\ncontroller output (tail):\n${tail}`,
      { cause: err },
    );
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/**
 * Creates the N services first (the benchmark's round 1 with raised buckets: under the CLI's default
 * write buckets, 1/s after a burst of 20, creating them would take minutes of waiting), commits the
 * same directory to a repository, then runs `ecs-gitops run` on it once per runtime: a controller
 * (re)starting over N existing services, whose first reconcile reads all of them and changes nothing.
 */
export async function benchFootprint(
  endpoint: string,
  services: number,
  runtimes: Runtime[],
  rssTargetBytes: number,
): Promise<FootprintSection> {
  const { repo, clusterPath } = await makeRepo(services);
  try {
    const session = newSession(endpoint);
    progress(`controller footprint: creating ${services} services (round 1, raised buckets)`);
    const r1 = await runRound('prepopulate', '', path.join(repo, clusterPath), session);
    session.destroy();
    const failed = r1.results.filter((r) => r.outcome !== 'created');
    if (failed.length > 0)
      throw new Error(
        `prepopulate: ${failed.length} actions not created, e.g. ${failed[0].id}: ${failed[0].outcome}`,
      );
    const runs: FootprintReport[] = [];
    for (const runtime of runtimes) {
      progress(`controller footprint: ${runtime.name} over ${services} services`);
      runs.push(await runFootprint(runtime, endpoint, services, repo, clusterPath));
    }
    return { services, rssTargetBytes, prepopulateMs: r1.result.wallMs, runs };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

export function checkFootprint(f: FootprintSection): Check[] {
  const checks: Check[] = [];
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  const target = f.rssTargetBytes;
  for (const r of f.runs) {
    const tag = `controller footprint (${r.runtime})`;
    checks.push(
      {
        size: r.services,
        name: `${tag}: first reconcile over ${r.services} existing services makes zero mutating calls`,
        ok: r.firstReconcileMutatingCalls === 0,
        detail: `${r.firstReconcileMutatingCalls} mutating of ${total(r.firstReconcileCalls)} calls`,
      },
      {
        size: r.services,
        name: `${tag}: a commit changing only a comment reconciles with zero mutating calls`,
        ok: r.warm.mutatingCalls === 0,
        detail: `${r.warm.mutatingCalls} mutating of ${r.warm.calls} calls`,
      },
    );
    if (r.checked) {
      checks.push(
        {
          size: r.services,
          name: `${tag}: peak RSS (VmHWM, through the first and a warm reconcile) under ${mb(target)}`,
          ok: r.peakRssBytes < target && r.warm.hwmBytes < target,
          detail: `${mb(r.peakRssBytes)} after the first, ${mb(r.warm.hwmBytes)} after the warm reconcile`,
        },
        {
          size: r.services,
          name: `${tag}: idle RSS (highest in the idle window) under ${mb(target)}`,
          ok: r.idleRssMaxBytes < target,
          detail: mb(r.idleRssMaxBytes),
        },
        {
          size: r.services,
          name: `${tag}: idle CPU under ${TARGETS.idleCpuPercent}% of one core`,
          ok: r.idleCpuPercent < TARGETS.idleCpuPercent,
          detail: `${r.idleCpuPercent.toFixed(2)}% (${r.idleCpuTicks} ticks at ${r.clkTck}/s over ${(r.idleWindowMs / 1000).toFixed(1)} s)`,
        },
        {
          size: r.services,
          name: `${tag}: no AWS calls while idle (resync 10m)`,
          ok: r.idleAwsCalls === 0,
          detail: `${r.idleAwsCalls} calls`,
        },
      );
    }
    checks.push({
      size: r.services,
      name: `${tag}: SIGTERM -> clean exit 0`,
      ok: r.exitCode === 0 && r.exitSignal === null,
      detail: `exit code ${String(r.exitCode)}, signal ${String(r.exitSignal)}, ${r.shutdownMs.toFixed(0)} ms`,
    });
  }
  return checks;
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
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
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
  for (const f of c.footprints) {
    const target = f.rssTargetBytes;
    lines.push(
      '',
      `**Controller footprint: \`ecs-gitops run\` managing ${f.services} services** (a child process of its ` +
        `own, AWS_ENDPOINT_URL = moto, --resync 10m). The ${f.services} task definitions + services were ` +
        `created first by the benchmark's round 1 (${f0(f.prepopulateMs)} ms, raised buckets), so the ` +
        "controller's first reconcile is a restart over existing services: reads all, writes none. RSS from " +
        '/proc/<pid>/status (peak = VmHWM through the first reconcile), CPU = utime + stime from ' +
        `/proc/<pid>/stat over a ${(IDLE_WINDOW_MS / 1000).toFixed(0)} s idle window. Then a commit that ` +
        'changes only a comment of one spec file: the warm reconcile it starts (watcher debounce included), ' +
        `its calls, RSS and VmHWM after it. Target: RSS under ${mb(target)} MB.`,
      '',
      '| runtime | ready ms (start + first reconcile) | first reconcile calls (mutating) | peak RSS MB | idle RSS MB (start / end / max) | idle CPU % of a core | idle AWS calls | warm reconcile ms, calls (mutating) | RSS / peak MB after it | exit | shutdown ms |',
      '|---|---:|---|---:|---|---:|---:|---|---|---|---:|',
    );
    for (const r of f.runs) {
      const rssOk = r.peakRssBytes < target && r.idleRssMaxBytes < target;
      const warmOk = r.warm.hwmBytes < target;
      const cpuOk = r.idleCpuPercent < TARGETS.idleCpuPercent;
      const mark = (good: boolean) => (r.checked ? (good ? '' : ' **FAILED**') : '');
      lines.push(
        `| ${r.runtime} | ${f0(r.readyMs)} | ${total(r.firstReconcileCalls)} (${r.firstReconcileMutatingCalls}) | ` +
          `${mb(r.peakRssBytes)}${mark(rssOk)} | ${mb(r.idleRssStartBytes)} / ${mb(r.idleRssEndBytes)} / ${mb(r.idleRssMaxBytes)}${mark(rssOk)} | ` +
          `${r.idleCpuPercent.toFixed(2)} (${r.idleCpuTicks} ticks)${mark(cpuOk)} | ${r.idleAwsCalls} | ` +
          `${f0(r.warm.reconcileMs)}, ${r.warm.calls} (${r.warm.mutatingCalls}) | ${mb(r.warm.rssBytes)} / ${mb(r.warm.hwmBytes)}${mark(warmOk)} | ` +
          `${r.exitSignal ?? String(r.exitCode)}${r.exitCode === 0 ? '' : ' **FAILED**'} | ${f0(r.shutdownMs)} |`,
      );
    }
    lines.push('');
    for (const r of f.runs) {
      lines.push(
        `- **${r.runtime}**: ${r.note} First reconcile calls: ` +
          `${Object.entries(r.firstReconcileCalls)
            .map(([k, v]) => `${k.replace(/^ECS\./, '')} ${v}`)
            .join(
              ', ',
            )}; CPU from spawn to ready ${r.startupCpuSeconds.toFixed(2)} s; highest RSS sampled every ` +
          `${RSS_SAMPLE_MS} ms up to ready ${mb(r.sampledPeakRssBytes)} MB.`,
      );
    }
    lines.push(
      `- Targets: RSS under ${mb(target)} MB (peak, idle, after the warm reconcile), idle CPU under ` +
        `${TARGETS.idleCpuPercent}% of one core, SIGTERM -> exit 0.`,
    );
  }
  return lines;
}
