/**
 * The footprint (RSS, idle CPU, a warm reconcile, shutdown) of `ecs-gitops run` managing N services,
 * in a child process of its own, against moto: at 500 services (issue 5's targets) and at 5,000
 * (issue 15's RSS target). See bench/README.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
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
import { git, makeRepo } from './bench-repo';
import type { Check } from './checks';
import { BENCH_REGION, clusterName } from './generate';
import { freePort } from './moto';
import { newSession, runRound } from './round';

const ROOT = path.resolve(__dirname, '..');
const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Issue 5's targets (at 500 services); the RSS one is the section's at other sizes. */
export const FOOTPRINT_TARGETS = {
  rssBytes: 150 * 1024 * 1024,
  idleCpuPercent: 2,
};
/** Issue 15: the controller's RSS at 5,000 services. */
export const RSS_TARGET_AT_SCALE_BYTES = 200 * 1024 * 1024;
const IDLE_WINDOW_MS = 20_000;
const RSS_SAMPLE_MS = 25;

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
          // VmHWM is the peak so far: after the warm reconcile, it covers the first one too.
          ok: r.warm.hwmBytes < target,
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
          name: `${tag}: idle CPU under ${FOOTPRINT_TARGETS.idleCpuPercent}% of one core`,
          ok: r.idleCpuPercent < FOOTPRINT_TARGETS.idleCpuPercent,
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

/** The footprint's table and notes for the report. */
export function renderFootprint(f: FootprintSection): string[] {
  const lines: string[] = [];
  const f0 = (x: number) => x.toFixed(0);
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
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
    const cpuOk = r.idleCpuPercent < FOOTPRINT_TARGETS.idleCpuPercent;
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
      `${FOOTPRINT_TARGETS.idleCpuPercent}% of one core, SIGTERM -> exit 0.`,
  );
  return lines;
}
