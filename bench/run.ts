/**
 * `npm run bench [-- --sizes 10,50] [--dns-names 500]`: ecs-gitops against one moto_server, for
 * clusters of N task definitions and N services. Per size: round 1 (empty account), round 2 (no
 * change, cold process), round 2w (no change, round 1's warm reader). Then the DNS section: a cluster
 * with `--dns-names` host names in one hosted zone, round 1 (empty zone) and round 2 (no change, cold
 * process). Then the controller section and the events section (drift reverted by an ECS event vs.
 * by the resync). Prints markdown tables, writes bench/results/*.json, exits non-zero when a
 * correctness check fails. See bench/README.md.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Check, checkRound1, checkRound2, checkRound2Warm } from './checks';
import { benchLatency, checkLatency, type ControllerReport } from './controller';
import {
  benchFootprint,
  buildDist,
  checkFootprint,
  FOOTPRINT_TARGETS,
  type FootprintSection,
  imageNodeFlags,
  RSS_TARGET_AT_SCALE_BYTES,
  type Runtime,
} from './footprint';
import {
  checkDnsRound1,
  checkDnsRound2,
  createBenchZone,
  type DnsReport,
  dnsRoundReport,
  expectedBatches,
  zoneRecordTypes,
} from './dns';
import {
  DNS_TARGET_ADDRESS,
  DNS_ZONE,
  dnsFamilies,
  generateClusterDir,
  generateDnsClusterDir,
} from './generate';
import { benchEvents, checkEvents, type EventsReport } from './events';
import { benchMakefileFlow, checkMakefileFlow, type MakefileFlowReport } from './makefile-flow';
import { benchPlanCpu, checkPlanCpu, type PlanCpuReport } from './plan-cpu';
import { benchThrottled, checkThrottled, type ThrottledConfig, type ThrottledReport } from './throttled';
import { motoVersion, startMoto } from './moto';
import { type BenchReport, renderMarkdown, type SizeReport } from './report';
import { BENCH_BUCKET, newSession, runRound } from './round';

const DEFAULT_SIZES = [10, 100, 500];
const DEFAULT_DNS_NAMES = 500;
const RSS_SAMPLE_MS = 25;
const WARM_UP_SIZE = 2;
const DNS_WARM_UP_NAMES = 2;
const DEFAULT_CONTROLLER_SERVICES = 500;
const CONTROLLER_COMMITS = 20;
/** Half of them (odd K) set desiredCount in their spec: the 20 drifted ones. */
const EVENTS_SERVICES = 40;
const EVENTS_TRIALS = 20;
/** The resync-only figure's interval: short enough to measure, the default (10m) is stated. */
const EVENTS_RESYNC_MS = 10_000;

/** The throttled section's defaults (issue 15): one cluster of each size, and 10 clusters of 500. */
const DEFAULT_THROTTLED_SIZES = [1000, 5000];
const DEFAULT_THROTTLED_CLUSTERS: ThrottledConfig = { clusters: 10, services: 500 };
const DEFAULT_PLAN_SPECS = 5000;
const DEFAULT_RSS_SERVICES = 5000;
const DEFAULT_MAKEFILE_SERVICES = 30;

interface Parts {
  /** The moto ECS sizes and DNS. */
  existing: boolean;
  controller: boolean;
  events: boolean;
  throttled: boolean;
  makefile: boolean;
  controllerServices: number;
  eventsTrials: number;
  throttledConfigs: ThrottledConfig[];
  planSpecs: number;
  rssServices: number;
  makefileServices: number;
}

/**
 * `--controller` / `--events` / `--throttled` / `--makefile`: only those sections (several: those);
 * `--no-<section>`: everything but it; none: all. `--controller-services N` (default 500): services
 * in the footprint part; `--events-trials K` (default 20): drifts per events part;
 * `--throttled-sizes 1000,5000` (one cluster each) and `--throttled-clusters 10x500` (C clusters
 * of N in one process; 0 for none); `--plan-specs N` and `--rss-services N` (default 5000; 0: skip);
 * `--makefile-services N` (default 30).
 */
function parseParts(argv: string[]): Parts {
  const sections = ['controller', 'events', 'throttled', 'makefile'] as const;
  const only = new Set(sections.filter((x) => argv.includes(`--${x}`)));
  for (const x of sections) {
    if (only.has(x) && argv.includes(`--no-${x}`)) throw new Error(`--${x} and --no-${x} exclude each other`);
  }
  const on = (x: (typeof sections)[number]) => (only.size > 0 ? only.has(x) : !argv.includes(`--no-${x}`));
  const throttledSizes = parseList(argv, '--throttled-sizes', DEFAULT_THROTTLED_SIZES);
  const clusters = parseClusters(argv);
  return {
    existing: only.size === 0,
    controller: on('controller'),
    events: on('events'),
    throttled: on('throttled'),
    makefile: on('makefile'),
    controllerServices: positiveInt(argv, '--controller-services', DEFAULT_CONTROLLER_SERVICES),
    eventsTrials: positiveInt(argv, '--events-trials', EVENTS_TRIALS),
    throttledConfigs: [
      ...throttledSizes.map((services) => ({ clusters: 1, services })),
      ...(clusters ? [clusters] : []),
    ],
    planSpecs: nonNegativeInt(argv, '--plan-specs', DEFAULT_PLAN_SPECS),
    rssServices: nonNegativeInt(argv, '--rss-services', DEFAULT_RSS_SERVICES),
    makefileServices: positiveInt(argv, '--makefile-services', DEFAULT_MAKEFILE_SERVICES),
  };
}

function rawValue(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return (argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1]) ?? '';
}

/** `--name 1000,5000`: positive integers. */
function parseList(argv: string[], name: string, fallback: number[]): number[] {
  const raw = rawValue(argv, name);
  if (raw === undefined) return fallback;
  if (raw.trim() === '0') return [];
  const out = raw.split(',').map((x) => Number(x.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(
      `${name} wants positive integers separated by commas (or 0), e.g. ${name} 1000,5000; got "${raw}"`,
    );
  }
  return out;
}

/** `--throttled-clusters 10x500` (C clusters of N services in one process), or 0 for none. */
function parseClusters(argv: string[]): ThrottledConfig | undefined {
  const raw = rawValue(argv, '--throttled-clusters');
  if (raw === undefined) return DEFAULT_THROTTLED_CLUSTERS;
  if (raw.trim() === '0') return undefined;
  const m = /^(\d+)x(\d+)$/.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new Error(`--throttled-clusters wants CxN (e.g. 10x500) or 0; got "${raw}"`);
  }
  return { clusters: Number(m[1]), services: Number(m[2]) };
}

function nonNegativeInt(argv: string[], name: string, fallback: number): number {
  const raw = rawValue(argv, name);
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new Error(`${name} wants a non-negative integer (0: skip), e.g. ${name} ${fallback}; got "${raw}"`);
  }
  return n;
}

/** `--name K` or `--name=K`, a positive integer; `fallback` when absent. */
function positiveInt(argv: string[], name: string, fallback: number): number {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return fallback;
  const raw = argv[i].includes('=') ? argv[i].slice(name.length + 1) : argv[i + 1];
  const n = Number((raw ?? '').trim());
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} wants a positive integer, e.g. ${name} ${fallback}; got "${raw}"`);
  }
  return n;
}

/** `--dns-names N` (or `--dns-names=N`): host names in the DNS section; 0 leaves it out. */
function parseDnsNames(argv: string[]): number {
  const i = argv.findIndex((a) => a === '--dns-names' || a.startsWith('--dns-names='));
  if (i < 0) return DEFAULT_DNS_NAMES;
  const raw = argv[i].includes('=') ? argv[i].slice('--dns-names='.length) : argv[i + 1];
  const n = Number((raw ?? '').trim());
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new Error(
      `--dns-names wants a non-negative integer (0: no DNS section), e.g. --dns-names 500; got "${raw}"`,
    );
  }
  return n;
}

function parseSizes(argv: string[]): number[] {
  const i = argv.findIndex((a) => a === '--sizes' || a.startsWith('--sizes='));
  if (i < 0) return DEFAULT_SIZES;
  const raw = argv[i].includes('=') ? argv[i].slice('--sizes='.length) : argv[i + 1];
  const sizes = (raw ?? '').split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--sizes wants positive integers separated by commas, e.g. --sizes 10,50; got "${raw}"`);
  }
  return sizes;
}

/** Samples RSS on a timer and at every explicit `sample()`; `peak` since construction or `restart()`. */
class RssSampler {
  overall = 0;
  private current = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(everyMs: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }
  sample(): void {
    const rss = process.memoryUsage().rss;
    this.overall = Math.max(this.overall, rss);
    this.current = Math.max(this.current, rss);
  }
  /** Peak since the last restart, then starts a new window. */
  restart(): number {
    this.sample();
    const peak = this.current;
    this.current = 0;
    return peak;
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

function fakeAwsEnvironment(): void {
  // Never a real account: fake credentials, no profile, no instance metadata lookups.
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function benchSize(n: number, endpoint: string, rss: RssSampler, checks: Check[]): Promise<SizeReport> {
  const dir = generateClusterDir(n);
  try {
    // Round 1 and round 2 are two CI runs: each its own call log, SDK clients and cold reader.
    const first = newSession(endpoint);
    progress(`N=${n} round 1 (empty account)`);
    const r1 = await runRound(
      '1',
      'empty account; fresh process (new CallLog, SDK clients, EcsReader)',
      dir,
      first,
    );
    rss.sample();
    progress(`N=${n} round 1: ${r1.result.wallMs.toFixed(0)} ms; round 2 (no change, cold)`);
    const second = newSession(endpoint);
    const r2 = await runRound(
      '2',
      'no change; fresh process, cold revision cache (a second CI run)',
      dir,
      second,
    );
    second.destroy();
    rss.sample();
    progress(`N=${n} round 2: ${r2.result.wallMs.toFixed(0)} ms; round 2w (no change, warm)`);
    // The long-running controller: round 1's reader, whose cache the executor kept up to date.
    const r2w = await runRound(
      '2w',
      "no change; round 1's session and reader (warm revision cache, the long-running controller); " +
        'load + observe/plan + a no-op apply',
      dir,
      first,
    );
    first.destroy();
    progress(`N=${n} round 2w: ${r2w.result.wallMs.toFixed(0)} ms`);

    checks.push(...checkRound1(n, r1), ...checkRound2(n, r2), ...checkRound2Warm(n, r2w));
    return {
      n,
      dir,
      rounds: [r1.result, r2.result, r2w.result],
      peakRssBytes: rss.restart(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One untimed N=2 round 1 + round 2 before the first size, so that the first size does not pay for
 * moto importing its ECS backend and Node loading and compiling the SDK and our modules (seconds).
 */
async function warmUp(endpoint: string): Promise<void> {
  const dir = generateClusterDir(WARM_UP_SIZE);
  try {
    for (const round of ['warm-up 1', 'warm-up 2']) {
      const session = newSession(endpoint);
      await runRound(round, '', dir, session);
      session.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The DNS section: a cluster of `names` host names (ceil(names/10) autocreated services) in the
 * hosted zone DNS_ZONE, created in moto first. Round 1: empty zone; round 2: no change, a fresh
 * process (new CallLog, SDK clients, EcsReader, Route53Reader).
 */
async function benchDns(
  names: number,
  endpoint: string,
  rss: RssSampler,
  checks: Check[],
): Promise<DnsReport> {
  const dir = generateDnsClusterDir(names);
  try {
    const zoneId = await createBenchZone(endpoint);
    const first = newSession(endpoint, { dns: true });
    progress(`DNS ${names} names round 1 (empty zone ${DNS_ZONE})`);
    const r1 = await runRound(
      '1',
      `empty hosted zone ${DNS_ZONE}, empty ECS account; fresh process (new CallLog, SDK clients, EcsReader, Route53Reader)`,
      dir,
      first,
    );
    const d1 = dnsRoundReport(r1, first);
    first.destroy();
    rss.sample();
    const zone = await zoneRecordTypes(endpoint, zoneId);
    progress(`DNS round 1: ${r1.result.wallMs.toFixed(0)} ms; round 2 (no change, cold)`);
    const second = newSession(endpoint, { dns: true });
    const r2 = await runRound(
      '2',
      'no change; fresh process (new CallLog, SDK clients, EcsReader, Route53Reader: cold caches)',
      dir,
      second,
    );
    const d2 = dnsRoundReport(r2, second);
    second.destroy();
    progress(`DNS round 2: ${r2.result.wallMs.toFixed(0)} ms`);

    const batches = expectedBatches(r1.plan);
    checks.push(...checkDnsRound1(names, r1, d1, batches, zone), ...checkDnsRound2(names, r2, d2, zone));
    return {
      names,
      zone: DNS_ZONE,
      target: DNS_TARGET_ADDRESS,
      families: dnsFamilies(names),
      dir,
      expectedBatchesRound1: batches,
      zoneAfterRound1: zone,
      rounds: [d1, d2],
      peakRssBytes: rss.restart(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An untimed DNS round 1 + 2 of 2 names: moto loads its Route53 backend, Node the DNS code. */
async function warmUpDns(endpoint: string): Promise<void> {
  const dir = generateDnsClusterDir(DNS_WARM_UP_NAMES);
  try {
    await createBenchZone(endpoint);
    for (const round of ['dns warm-up 1', 'dns warm-up 2']) {
      const session = newSession(endpoint, { dns: true });
      await runRound(round, '', dir, session);
      session.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** controller/ compiled once per run (buildDist), for the plan CPU and the footprint. */
interface Compiled {
  dist?: { dir: string; bin: string };
  /** Why the build failed (then `dist` is undefined). */
  error?: string;
}

function compileOnce(): { get(): Compiled; cleanup(): void } {
  let compiled: Compiled | undefined;
  return {
    get() {
      if (!compiled) {
        progress('compiling controller/ (tsconfig.build.json) into a temp dir');
        try {
          compiled = { dist: buildDist() };
        } catch (err) {
          compiled = { error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
        }
      }
      return compiled;
    },
    cleanup() {
      if (compiled?.dist) rmSync(compiled.dist.dir, { recursive: true, force: true });
    },
  };
}

/**
 * The controller section: (a) commit -> AWS latency in process, (b) the footprint of `ecs-gitops
 * run` in a child process, on the compiled JavaScript (what the image ships; built into a temp dir,
 * not dist/) and on tsx (the TypeScript source, no build; tsx adds its loader to the RSS). The RSS
 * and CPU targets are checked on the compiled run; when the build fails, on the tsx run instead.
 */
async function benchController(
  moto: { endpoint: string; reset(): Promise<void> },
  parts: Parts,
  checks: Check[],
  compiled: { get(): Compiled },
): Promise<ControllerReport> {
  await moto.reset();
  progress(`controller latency (${CONTROLLER_COMMITS} commits)`);
  const latency = await benchLatency(moto.endpoint, CONTROLLER_COMMITS);
  checks.push(...checkLatency(latency));

  const { dist, error: buildError = '' } = compiled.get();
  if (!dist) progress(`build failed, footprint on tsx only: ${buildError}`);
  const root = path.resolve(__dirname, '..');
  const flags = imageNodeFlags();
  const shown = flags.length > 0 ? ` ${flags.join(' ')}` : '';
  const runtimes: Runtime[] = [
    ...(dist
      ? [
          {
            name: 'node (compiled dist)',
            args: [...flags, dist.bin],
            cwd: root,
            checked: true,
            note: `\`node${shown} bin/ecs-gitops.js\` (the node flags of the Dockerfile's ENTRYPOINT) over controller/ compiled with tsconfig.build.json into a temp dir: what the image runs; the targets are checked on this run.`,
          },
        ]
      : []),
    {
      name: 'node --import tsx',
      args: [...flags, '--import', 'tsx', path.join(root, 'bench/cli-entry.ts')],
      cwd: root,
      checked: !dist,
      note: dist
        ? 'the TypeScript source through the tsx loader (no build); tsx adds its loader (esbuild, a hooks thread) to RSS and start-up, so this run is for comparison, not checked.'
        : `the TypeScript source through the tsx loader; the build failed (${buildError}), so the targets are checked here, tsx's overhead included.`,
    },
  ];
  const footprints: FootprintSection[] = [];
  await moto.reset();
  footprints.push(
    await benchFootprint(moto.endpoint, parts.controllerServices, runtimes, FOOTPRINT_TARGETS.rssBytes),
  );
  if (parts.rssServices > 0) {
    // At scale, what the image runs only (the tsx run doubles the time and is not checked).
    await moto.reset();
    progress(`controller RSS at ${parts.rssServices} services`);
    footprints.push(
      await benchFootprint(moto.endpoint, parts.rssServices, runtimes.slice(0, 1), RSS_TARGET_AT_SCALE_BYTES),
    );
  }
  for (const f of footprints) checks.push(...checkFootprint(f));
  return { latency, footprints };
}

/**
 * The throttled section: each configuration's three rounds on the sandbox with AWS's buckets (its
 * cluster directories generated first, not timed), then plan CPU and the controller's RSS.
 */
async function benchThrottledSection(
  parts: Parts,
  checks: Check[],
  compiled: { get(): Compiled },
): Promise<NonNullable<BenchReport['throttled']>> {
  const started = process.hrtime.bigint();
  const configurations: ThrottledReport[] = [];
  for (const cfg of parts.throttledConfigs) {
    const label =
      cfg.clusters === 1 ? `${cfg.services} services` : `${cfg.clusters} clusters x ${cfg.services}`;
    progress(`throttled: ${label} (3 rounds on the virtual clock)`);
    const dirs = Array.from({ length: cfg.clusters }, (_, i) =>
      generateClusterDir(cfg.services, {
        ...(cfg.clusters > 1 ? { name: `bench-${cfg.clusters}x${cfg.services}-${i + 1}` } : {}),
      }),
    );
    try {
      const r = await benchThrottled(cfg, dirs);
      progress(
        `throttled ${label}: ${r.rounds.map((x) => `round ${x.round} ${x.seconds.toFixed(0)} s simulated`).join(', ')}; ${r.wallSeconds.toFixed(1)} s wall`,
      );
      configurations.push(r);
      checks.push(...checkThrottled(r));
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }
  let planCpu: PlanCpuReport | undefined;
  if (parts.planSpecs > 0) {
    progress(`plan CPU for ${parts.planSpecs} specs`);
    const { dist, error } = compiled.get();
    if (!dist)
      throw new Error(`plan CPU runs the compiled JavaScript, and the build failed: ${error ?? '?'}`);
    const dir = generateClusterDir(parts.planSpecs);
    try {
      planCpu = await benchPlanCpu(dir, parts.planSpecs, path.join(dist.dir, 'dist'));
      checks.push(...checkPlanCpu(planCpu));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    configurations,
    ...(planCpu ? { planCpu } : {}),
    wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

async function main(): Promise<number> {
  const started = process.hrtime.bigint();
  const sizes = parseSizes(process.argv.slice(2));
  const dnsNames = parseDnsNames(process.argv.slice(2));
  const parts = parseParts(process.argv.slice(2));
  fakeAwsEnvironment();
  const rss = new RssSampler(RSS_SAMPLE_MS);
  const versionPromise = motoVersion();
  const checks: Check[] = [];
  // First, without moto: it needs none, and the machine is the simulated account's alone.
  const compiled = compileOnce();
  const throttled = parts.throttled ? await benchThrottledSection(parts, checks, compiled) : undefined;
  const needsMoto = parts.existing || parts.controller || parts.events || parts.makefile;
  progress(
    (needsMoto ? 'starting moto_server; ' : 'moto not needed; ') +
      (parts.existing
        ? `sizes ${sizes.join(', ')}; DNS names ${dnsNames || 'none'}`
        : 'ECS sizes and DNS skipped') +
      `; controller ${parts.controller ? `(${CONTROLLER_COMMITS} commits, ${parts.controllerServices} services)` : 'skipped'}` +
      `; events ${parts.events ? `(${EVENTS_SERVICES} services, ${parts.eventsTrials} trials)` : 'skipped'}` +
      `; makefile comparison ${parts.makefile ? `(${parts.makefileServices} services)` : 'skipped'}`,
  );
  const moto = needsMoto ? await startMoto() : undefined;
  const reports: SizeReport[] = [];
  let makefile: MakefileFlowReport | undefined;
  let dns: DnsReport | undefined;
  let controller: ControllerReport | undefined;
  let events: EventsReport | undefined;
  try {
    if (moto) {
      if (parts.existing) {
        progress(`warm-up (N=${WARM_UP_SIZE}, not reported)`);
        await warmUp(moto.endpoint);
      }
      for (const n of parts.existing ? sizes : []) {
        // One moto for the whole run, emptied between sizes.
        await moto.reset();
        rss.restart();
        reports.push(await benchSize(n, moto.endpoint, rss, checks));
      }
      if (parts.existing && dnsNames > 0) {
        await moto.reset();
        progress(`DNS warm-up (${DNS_WARM_UP_NAMES} names, not reported)`);
        await warmUpDns(moto.endpoint);
        await moto.reset();
        rss.restart();
        dns = await benchDns(dnsNames, moto.endpoint, rss, checks);
      }
      if (parts.makefile) {
        await moto.reset();
        progress(`no-op beside the ecs-efs Makefile flow (${parts.makefileServices} services, the AWS CLI)`);
        makefile = await benchMakefileFlow(parts.makefileServices, moto.endpoint);
        checks.push(...checkMakefileFlow(makefile));
      }
      if (parts.controller) controller = await benchController(moto, parts, checks, compiled);
      if (parts.events) {
        await moto.reset();
        progress(`events (${EVENTS_SERVICES} services, ${parts.eventsTrials} trials)`);
        const started = process.hrtime.bigint();
        events = await benchEvents(moto.endpoint, EVENTS_SERVICES, parts.eventsTrials, EVENTS_RESYNC_MS);
        events.seconds = Number(process.hrtime.bigint() - started) / 1e9;
        checks.push(...checkEvents(events));
      }
    }
  } finally {
    await moto?.stop();
    compiled.cleanup();
    rss.stop();
  }

  const sdkPkg = JSON.parse(
    readFileSync(path.join(__dirname, '../node_modules/@aws-sdk/client-ecs/package.json'), 'utf8'),
  ) as { version: string };
  const generatedAt = new Date().toISOString();
  const report: BenchReport = {
    generatedAt,
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    environment: {
      node: process.version,
      moto: moto ? await versionPromise : 'not used',
      awsSdkClientEcs: sdkPkg.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
    },
    limiter: {
      note:
        `against moto, every one of AWS's buckets in the AccountLimiter (controller/aws/throttle-groups.ts) is RAISED ` +
        `to burst ${BENCH_BUCKET.burst}, ${BENCH_BUCKET.perSecond}/s, so the moto times are ecs-gitops + moto, not ` +
        "AWS's pacing (the throttled section measures that, against AWS's buckets on a virtual clock); " +
        'calls in flight left at the default 16 per service. An untimed N=2 warm-up runs first (moto and Node start-up).',
      benchmarkBucket: BENCH_BUCKET,
    },
    sizes: reports,
    ...(throttled ? { throttled } : {}),
    ...(makefile ? { makefile } : {}),
    ...(dns ? { dns } : {}),
    ...(controller ? { controller } : {}),
    ...(events ? { events } : {}),
    peakRssBytes: rss.overall,
    rssSampleMs: RSS_SAMPLE_MS,
    checks,
    ok: checks.every((c) => c.ok),
    totalSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };

  const resultsDir = path.join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json = JSON.stringify(report, null, 2) + '\n';
  writeFileSync(path.join(resultsDir, 'latest.json'), json);
  // Colons are not portable in file names: 2025-01-31T12-00-00.000Z.json
  writeFileSync(path.join(resultsDir, `${generatedAt.replace(/:/g, '-')}.json`), json);
  process.stdout.write(renderMarkdown(report));
  for (const c of checks.filter((x) => !x.ok)) progress(`CHECK FAILED N=${c.size}: ${c.name}: ${c.detail}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
