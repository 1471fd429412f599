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
import { DEFAULT_WRITE_BUCKETS, DEFAULT_WRITE_CONCURRENCY } from '../controller/aws/rate-limited-ecs-port';
import { type Check, checkRound1, checkRound2, checkRound2Warm } from './checks';
import {
  benchFootprint,
  benchLatency,
  buildDist,
  checkFootprint,
  checkLatency,
  type ControllerReport,
  type Runtime,
} from './controller';
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
import { predictDefaultLimiter } from './limiter-model';
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

/**
 * `--controller` / `--events`: only those sections (both: both); `--no-controller` / `--no-events`:
 * everything but it; none: all. `--controller-services N` (default 500): services in the footprint
 * part; `--events-trials K` (default 20): drifts per events part.
 */
function parseParts(argv: string[]): {
  existing: boolean;
  controller: boolean;
  events: boolean;
  controllerServices: number;
  eventsTrials: number;
} {
  const onlyController = argv.includes('--controller');
  const onlyEvents = argv.includes('--events');
  const noController = argv.includes('--no-controller');
  const noEvents = argv.includes('--no-events');
  if (onlyController && noController) throw new Error('--controller and --no-controller exclude each other');
  if (onlyEvents && noEvents) throw new Error('--events and --no-events exclude each other');
  const only = onlyController || onlyEvents;
  return {
    existing: !only,
    controller: only ? onlyController : !noController,
    events: only ? onlyEvents : !noEvents,
    controllerServices: positiveInt(argv, '--controller-services', DEFAULT_CONTROLLER_SERVICES),
    eventsTrials: positiveInt(argv, '--events-trials', EVENTS_TRIALS),
  };
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
    const computed = await predictDefaultLimiter(r1.plan);
    return {
      n,
      dir,
      rounds: [r1.result, r2.result, r2w.result],
      computedDefaultLimiterRound1: computed,
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

/**
 * The controller section: (a) commit -> AWS latency in process, (b) the footprint of `ecs-gitops
 * run` in a child process, on the compiled JavaScript (what the image ships; built into a temp dir,
 * not dist/) and on tsx (the TypeScript source, no build; tsx adds its loader to the RSS). The RSS
 * and CPU targets are checked on the compiled run; when the build fails, on the tsx run instead.
 */
async function benchController(
  moto: { endpoint: string; reset(): Promise<void> },
  services: number,
  checks: Check[],
): Promise<ControllerReport> {
  await moto.reset();
  progress(`controller latency (${CONTROLLER_COMMITS} commits)`);
  const latency = await benchLatency(moto.endpoint, CONTROLLER_COMMITS);
  checks.push(...checkLatency(latency));

  progress('controller footprint: compiling controller/ (tsconfig.build.json) into a temp dir');
  let dist: { dir: string; bin: string } | undefined;
  let buildError = '';
  try {
    dist = buildDist();
  } catch (err) {
    buildError = err instanceof Error ? err.message.split('\n')[0] : String(err);
    progress(`build failed, footprint on tsx only: ${buildError}`);
  }
  const root = path.resolve(__dirname, '..');
  const runtimes: Runtime[] = [
    ...(dist
      ? [
          {
            name: 'node (compiled dist)',
            args: [dist.bin],
            cwd: root,
            checked: true,
            note: 'bin/ecs-gitops.js over controller/ compiled with tsconfig.build.json into a temp dir (what the image runs); the targets are checked on this run.',
          },
        ]
      : []),
    {
      name: 'node --import tsx',
      args: ['--import', 'tsx', path.join(root, 'bench/cli-entry.ts')],
      cwd: root,
      checked: !dist,
      note: dist
        ? 'the TypeScript source through the tsx loader (no build); tsx adds its loader (esbuild, a hooks thread) to RSS and start-up, so this run is for comparison, not checked.'
        : `the TypeScript source through the tsx loader; the build failed (${buildError}), so the targets are checked here, tsx's overhead included.`,
    },
  ];
  await moto.reset();
  try {
    const footprint = await benchFootprint(moto.endpoint, services, runtimes);
    checks.push(...checkFootprint(footprint));
    return { latency, footprint };
  } finally {
    if (dist) rmSync(dist.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const started = process.hrtime.bigint();
  const sizes = parseSizes(process.argv.slice(2));
  const dnsNames = parseDnsNames(process.argv.slice(2));
  const parts = parseParts(process.argv.slice(2));
  fakeAwsEnvironment();
  const rss = new RssSampler(RSS_SAMPLE_MS);
  const versionPromise = motoVersion();
  progress(
    `starting moto_server; ` +
      (parts.existing
        ? `sizes ${sizes.join(', ')}; DNS names ${dnsNames || 'none'}`
        : 'ECS sizes and DNS skipped') +
      `; controller ${parts.controller ? `(${CONTROLLER_COMMITS} commits, ${parts.controllerServices} services)` : 'skipped'}` +
      `; events ${parts.events ? `(${EVENTS_SERVICES} services, ${parts.eventsTrials} trials)` : 'skipped'}`,
  );
  const moto = await startMoto();
  const checks: Check[] = [];
  const reports: SizeReport[] = [];
  let dns: DnsReport | undefined;
  let controller: ControllerReport | undefined;
  let events: EventsReport | undefined;
  try {
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
    if (parts.controller) controller = await benchController(moto, parts.controllerServices, checks);
    if (parts.events) {
      await moto.reset();
      progress(`events (${EVENTS_SERVICES} services, ${parts.eventsTrials} trials)`);
      const started = process.hrtime.bigint();
      events = await benchEvents(moto.endpoint, EVENTS_SERVICES, parts.eventsTrials, EVENTS_RESYNC_MS);
      events.seconds = Number(process.hrtime.bigint() - started) / 1e9;
      checks.push(...checkEvents(events));
    }
  } finally {
    await moto.stop();
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
      moto: await versionPromise,
      awsSdkClientEcs: sdkPkg.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
    },
    limiter: {
      note:
        `write buckets RAISED to burst ${BENCH_BUCKET.burst}, ${BENCH_BUCKET.perSecond}/s for every write ` +
        `operation (defaults: burst ${DEFAULT_WRITE_BUCKETS.RegisterTaskDefinition.burst}, ` +
        `${DEFAULT_WRITE_BUCKETS.RegisterTaskDefinition.perSecond}/s), so the measured times are ecs-gitops + moto, ` +
        `not our pacing; write concurrency left at the default ${DEFAULT_WRITE_CONCURRENCY}. ` +
        'What the defaults would cost is computed below. An untimed N=2 warm-up runs first (moto and Node start-up).',
      benchmarkBucket: BENCH_BUCKET,
      defaultBuckets: { ...DEFAULT_WRITE_BUCKETS },
    },
    sizes: reports,
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
