/**
 * The soak (issue 15), `npm run soak`: 10,000 reconciles of the long-running controller on the
 * virtual clock, started as `run` starts it (its own work-queue loop, resync every minute of
 * simulated time), against the sandbox with aws-like throttling behind the process's limiter. Every
 * CHANGE_EVERY reconciles a commit changes one service's image, so the runs are not only no-ops
 * (register, deploy, follow the rollout, tidy old revisions).
 *
 * Asserted: every reconcile succeeded and the account converged to the last commit; calls per no-op
 * reconcile steady (the same spread and mean in both halves after warm-up); heap and RSS after a GC
 * sampled every SAMPLE_EVERY reconciles: the heap's least-squares growth over the post-warm-up window,
 * and the rise of the RSS ceiling from its first half to its second, below noise;
 * after stop() no timer, socket or other handle left that was not there before (and jest
 * --detectOpenHandles, which scripts/soak.js runs this with, reports none).
 * Not in `npm test` (its name matches no jest project): jest.soak.config.js.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  SANDBOX_CONTROLLER_START,
  sandboxController,
  type SandboxController,
} from '../../bench/sandbox-controller';

const RECONCILES = Number(process.env.SOAK_RECONCILES ?? 10_000);
/**
 * Reconciles before the steady state: the changed families then hold more revisions than kept (5),
 * so revision housekeeping lists them as it will from then on (after each change, and hourly).
 */
const WARM_UP = Math.max(1000, Math.floor(RECONCILES / 5));
/** The services whose image the commits change, in turn. */
const CHANGED = [1, 2];
const SERVICES = 20;
const RESYNC_MS = 60_000;
const CHANGE_EVERY = 50;
const SAMPLE_EVERY = 100;
// A fitted growth needs samples after the warm-up: fewer reconciles would measure nothing.
const MIN_RECONCILES = 1000 + 5 * SAMPLE_EVERY;
if (!Number.isInteger(RECONCILES) || RECONCILES < MIN_RECONCILES) {
  throw new Error(
    `--reconciles ${String(process.env.SOAK_RECONCILES)}: the soak needs at least ${MIN_RECONCILES} (1000 of warm-up, then samples every ${SAMPLE_EVERY})`,
  );
}
/** Growth allowed over the post-warm-up window (fitted), in bytes: noise, not a leak. */
const HEAP_GROWTH_LIMIT = 2 * 1024 * 1024;
const RSS_GROWTH_LIMIT = 8 * 1024 * 1024;

interface Sample {
  reconciles: number;
  rss: number;
  heapUsed: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function sample(reconciles: number): Sample {
  gc?.();
  const m = process.memoryUsage();
  return { reconciles, rss: m.rss, heapUsed: m.heapUsed };
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function callStats(calls: number[]): { reconciles: number; min: number; max: number; mean: number } {
  return {
    reconciles: calls.length,
    min: Math.min(...calls),
    max: Math.max(...calls),
    mean: calls.reduce((a, b) => a + b, 0) / calls.length,
  };
}

/** Handles of the process by type (timers, sockets, child processes...), as Node lists them. */
function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of process.getActiveResourcesInfo()) out[h] = (out[h] ?? 0) + 1;
  return out;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

test(`${RECONCILES} controller reconciles: steady RSS and calls, nothing left open`, async () => {
  const before = handles();
  const wall0 = process.hrtime.bigint();
  const s: SandboxController = await sandboxController(SERVICES, {
    resyncMs: RESYNC_MS,
    name: 'soak',
  });
  const { controller, clock, sb } = s;
  await clock.run(controller.start());

  const samples: Sample[] = [];
  /** Calls of each no-op reconcile (none of the service changes or their rollouts in the window). */
  const noopCalls: { at: number; calls: number }[] = [];
  let changes = 0;
  let lastCommit = '';
  let done = await s.reconciles();
  let nextChange = CHANGE_EVERY;
  let nextSample = SAMPLE_EVERY;
  while (done < RECONCILES) {
    const change = done >= nextChange;
    if (change) nextChange += CHANGE_EVERY;
    const calls0 = sb.callLog.total();
    if (change) {
      changes++;
      lastCommit = await s.changeImage(CHANGED[changes % CHANGED.length], `soak-${changes}`);
    }
    // One resync interval of simulated time: the queue's own loop runs the reconcile when it is due.
    await clock.run(clock.sleep(RESYNC_MS));
    await clock.run(Promise.all([controller.idle(), controller.rollouts()]));
    const now = await s.reconciles();
    const calls = sb.callLog.total() - calls0;
    if (!change && now === done + 1) noopCalls.push({ at: now, calls });
    done = now;
    if (done >= nextSample) {
      samples.push(sample(done));
      nextSample += SAMPLE_EVERY;
    }
  }

  // Every run succeeded, and the account runs the last commit's images.
  const results = (await s.metrics.reconcileTotal.get()).values;
  const failed = results.filter((v) => v.labels.result !== 'success').reduce((n, v) => n + v.value, 0);
  const lastApplied = s.status.get('soak')?.lastAppliedCommit;

  // Calls per no-op reconcile after warm-up, in two halves: the same spread and the same mean.
  const steady = noopCalls.filter((c) => c.at > WARM_UP);
  const mid = WARM_UP + (RECONCILES - WARM_UP) / 2;
  const early = callStats(steady.filter((c) => c.at <= mid).map((c) => c.calls));
  const late = callStats(steady.filter((c) => c.at > mid).map((c) => c.calls));

  // Memory after warm-up: the fitted growth over the window is noise.
  const window = samples.filter((x) => x.reconciles >= WARM_UP);
  const span = window[window.length - 1].reconciles - window[0].reconciles;
  const heapGrowth = slope(window.map((x) => [x.reconciles, x.heapUsed])) * span;
  const rssFitted = slope(window.map((x) => [x.reconciles, x.rss])) * span;
  // RSS after a GC flips between two levels (~16 MB apart, V8 keeping or giving back pages) while the
  // heap stays flat, which a fitted line reads as growth; a leak raises the ceiling, so the check is
  // on the highest sample of the second half against that of the first.
  const half = Math.floor(window.length / 2);
  const ceiling = (xs: typeof window) => Math.max(...xs.map((x) => x.rss));
  const rssGrowth = ceiling(window.slice(half)) - ceiling(window.slice(0, half));
  const wallSeconds = Number(process.hrtime.bigint() - wall0) / 1e9;
  const simulatedDays = (clock.now() - SANDBOX_CONTROLLER_START) / 86_400_000;

  await s.close();
  // What stop() leaves running: nothing that was not there before the controller.
  const after = handles();
  const leaked = Object.entries(after).filter(([type, n]) => n > (before[type] ?? 0));

  const report = {
    generatedAt: new Date().toISOString(),
    command: 'npm run soak',
    reconciles: done,
    services: SERVICES,
    resyncSeconds: RESYNC_MS / 1000,
    specChanges: changes,
    gcExposed: gc !== undefined,
    warmUpReconciles: WARM_UP,
    rssAfterWarmUpBytes: window[0].rss,
    rssEndBytes: window[window.length - 1].rss,
    rssFittedGrowthBytes: rssFitted,
    rssCeilingGrowthBytes: rssGrowth,
    heapAfterWarmUpBytes: window[0].heapUsed,
    heapEndBytes: window[window.length - 1].heapUsed,
    heapFittedGrowthBytes: heapGrowth,
    noopCallsPerReconcile: { firstHalfAfterWarmUp: early, secondHalf: late },
    totalCalls: sb.callLog.total(),
    throttled: sb.callLog.throttledTotal(),
    handlesBefore: before,
    handlesAfter: after,
    leakedHandles: Object.fromEntries(leaked),
    simulatedDays,
    wallSeconds,
    samples,
  };
  const dir = path.join(__dirname, '../../bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'soak-latest.json'), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(
    [
      '',
      '| reconciles | spec changes | RSS after warm-up | RSS at end | RSS fitted growth | RSS ceiling growth (2nd half - 1st) | heap after warm-up | heap at end | heap fitted growth | calls per no-op reconcile (1st / 2nd half after warm-up) | handles left | wall s |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|',
      `| ${done} | ${changes} | ${mb(window[0].rss)} | ${mb(window[window.length - 1].rss)} | ${mb(rssFitted)} | ${mb(rssGrowth)} | ` +
        `${mb(window[0].heapUsed)} | ${mb(window[window.length - 1].heapUsed)} | ${mb(heapGrowth)} | ` +
        `${early.min}-${early.max}, mean ${early.mean.toFixed(2)} / ${late.min}-${late.max}, mean ${late.mean.toFixed(2)} | ` +
        `${leaked.length ? JSON.stringify(Object.fromEntries(leaked)) : 'none'} | ${wallSeconds.toFixed(0)} |`,
      '',
    ].join('\n'),
  );

  // Every assertion after the report, so that a failed soak still leaves its figures.
  expect(failed).toBe(0);
  expect(controller.commit).toBe(lastCommit);
  expect(lastApplied).toBe(lastCommit);
  expect(sb.callLog.throttledTotal()).toBe(0);
  expect([late.min, late.max]).toEqual([early.min, early.max]);
  expect(Math.abs(late.mean - early.mean)).toBeLessThan(0.05 * early.mean);
  expect(leaked).toEqual([]);
  expect(heapGrowth).toBeLessThan(HEAP_GROWTH_LIMIT);
  expect(rssGrowth).toBeLessThan(RSS_GROWTH_LIMIT);
}, 3_600_000);
