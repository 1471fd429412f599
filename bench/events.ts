/**
 * The events section (issue 14): how soon `ecs-gitops run` reverts drift on one service when the ECS
 * event for it arrives (`events: { queue: create }`), beside the same drift left to the resync, and
 * what one event-driven correction costs in AWS calls. `ecs-gitops run` is a child process (the
 * TypeScript source through tsx, as the footprint's comparison run); see bench/README.md.
 *
 * Where moto differs from AWS: moto's ECS emits no events, so the benchmark puts a real-shaped ECS
 * event (test/fixtures/ecs-events/service-action.json, the body EventBridge delivers) into the
 * controller's queue with SendMessage, right after it drifts the service with UpdateService.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MUTATING_OPERATIONS } from '../controller/aws/ecs-port';
import type { Check } from './checks';
import { makeRepo } from './bench-repo';
import { awsRequests } from './footprint';
import { BENCH_REGION, clusterName, generateClusterDir, isAutocreated } from './generate';
import { freePort } from './moto';
import { newSession, runRound } from './round';

const ROOT = path.resolve(__dirname, '..');
const FIXTURE = path.join(ROOT, 'test/fixtures/ecs-events/service-action.json');
const POLL_MS = 50;
/** Resync of the event part: the CLI's default, so no resync falls inside a trial. */
const EVENT_RESYNC = '10m';
/** The default resync, for the expectation stated beside the short one measured. */
const DEFAULT_RESYNC_MS = 10 * 60_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const hrMs = () => Number(process.hrtime.bigint()) / 1e6;
const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export interface Percentiles {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest rank: p50 of 20 is the 10th smallest, p99 of 20 the 20th. */
export function percentiles(xs: readonly number[]): Percentiles {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? NaN;
  return { n: s.length, min: s[0] ?? NaN, p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), max: rank(1) };
}

export interface EventTrial {
  index: number;
  service: string;
  /** SendMessage settled (the event is in the queue) -> DescribeServices shows the spec's desiredCount. */
  correctedMs: number;
  corrected: boolean;
  /** Controller's AWS calls (from /metrics) from before the drift to after its reconcile settled. */
  calls: Record<string, number>;
}

export interface ResyncTrial {
  index: number;
  service: string;
  /** When the drift was made, ms after the first drift (spread at random over two resync intervals). */
  driftAtMs: number;
  /** The drifting UpdateService settled -> DescribeServices shows the spec's desiredCount again. */
  correctedMs: number;
  corrected: boolean;
}

export interface EventsReport {
  services: number;
  cluster: string;
  queue: string;
  runtime: string;
  pollMs: number;
  /** Wall time of the whole section (prepopulate, both controllers), set by bench/run.ts. */
  seconds?: number;
  event: {
    command: string;
    readyMs: number;
    trials: EventTrial[];
    latency: Percentiles;
    /** Calls per correction summed over the trials / trials, per Service.Operation. */
    callsPerCorrection: Record<string, number>;
  };
  resync: {
    command: string;
    resyncMs: number;
    readyMs: number;
    trials: ResyncTrial[];
    latency: Percentiles;
    expectedDefault: string;
  };
}

interface Child {
  child: ChildProcess;
  base: string;
  command: string;
  output: () => string;
  exited: Promise<number | null>;
}

function startController(
  endpoint: string,
  repo: string,
  clusterPath: string,
  resync: string,
): Promise<Child> {
  return freePort().then((port) => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-bench-cache-'));
    const args = ['run', '--repo', repo, '--path', clusterPath, '--port', String(port), '--resync', resync];
    const entry = ['--import', 'tsx', path.join(ROOT, 'bench/cli-entry.ts')];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: BENCH_REGION,
      ECS_GITOPS_LOG_FORMAT: 'json',
      ECS_GITOPS_CACHE_DIR: cacheDir,
    };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        rmSync(cacheDir, { recursive: true, force: true });
        resolve(code);
      }),
    );
    return {
      child,
      base: `http://127.0.0.1:${port}`,
      command: `node --import tsx bench/cli-entry.ts ${args.map((a) => (a === repo ? '<repo>' : a)).join(' ')}`,
      output: () => tail,
      exited,
    };
  });
}

async function stopController(c: Child): Promise<number | null> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGTERM');
  const killer = setTimeout(() => c.child.kill('SIGKILL'), 30_000);
  const code = await c.exited;
  clearTimeout(killer);
  return code;
}

async function until<T>(what: string, c: Child, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = hrMs() + ms;
  for (;;) {
    if (c.child.exitCode !== null || c.child.signalCode !== null) {
      throw new Error(`${what}: the controller exited\ncontroller output (tail):\n${c.output()}`);
    }
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not listening yet
    }
    if (hrMs() > deadline)
      throw new Error(`${what}: not within ${ms} ms\ncontroller output (tail):\n${c.output()}`);
    await sleep(POLL_MS);
  }
}

const list = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';
const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Ready: the first reconcile applied HEAD and the consumer polls the queue; then no call for 1 s. */
async function ready(c: Child, cluster: string, head: string): Promise<number> {
  const started = hrMs();
  await until('ready', c, 5 * 60_000, async () => {
    if (!c.output().includes('consuming ECS events')) return undefined;
    const doc = (await (await fetch(`${c.base}/status`)).json()) as {
      clusters: { cluster: string; lastAppliedCommit?: string }[];
    };
    return doc.clusters.find((x) => x.cluster === cluster)?.lastAppliedCommit === head ? true : undefined;
  });
  const readyMs = hrMs() - started;
  await settled(c);
  return readyMs;
}

/**
 * Waits until the controller's AWS calls other than the queue's long polls stand still for 500 ms
 * (a correction's reconcile done and counted), and returns them.
 */
async function settled(c: Child): Promise<Record<string, number>> {
  let last = -1;
  let since = hrMs();
  return until('a quiet controller', c, 60_000, async () => {
    const calls = await awsRequests(c.base);
    const n = total(calls) - (calls['SQS.ReceiveMessage'] ?? 0);
    if (n !== last) [last, since] = [n, hrMs()];
    return hrMs() - since >= 500 ? calls : undefined;
  });
}

function serviceEvent(cluster: string, service: string): string {
  const e = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    id: string;
    time: string;
    resources: string[];
    detail: { eventName: string; clusterArn: string; createdAt: string };
  };
  const now = new Date().toISOString();
  e.id = `bench-${service}-${Date.now()}`;
  e.time = `${now.slice(0, 19)}Z`;
  e.resources = [`arn:aws:ecs:${BENCH_REGION}:123456789012:service/${cluster}/${service}`];
  e.detail.eventName = 'SERVICE_DESIRED_COUNT_UPDATED';
  e.detail.clusterArn = `arn:aws:ecs:${BENCH_REGION}:123456789012:cluster/${cluster}`;
  e.detail.createdAt = now;
  return JSON.stringify(e);
}

async function desiredCounts(
  ecs: ECSClient,
  cluster: string,
  services: string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < services.length; i += 10) {
    const r = await ecs.send(new DescribeServicesCommand({ cluster, services: services.slice(i, i + 10) }));
    for (const s of r.services ?? []) if (s.serviceName) out.set(s.serviceName, s.desiredCount ?? NaN);
  }
  return out;
}

/** Polls every POLL_MS until each service shows its spec's desiredCount; ms per service from `from`. */
async function pollReverted(
  ecs: ECSClient,
  cluster: string,
  want: Map<string, { count: number; from: number }>,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const done = new Map<string, number>();
  const deadline = hrMs() + timeoutMs;
  while (done.size < want.size && hrMs() < deadline) {
    const pending = [...want.keys()].filter((s) => !done.has(s) && want.get(s)!.from <= hrMs());
    if (pending.length > 0) {
      const live = await desiredCounts(ecs, cluster, pending);
      const at = hrMs();
      for (const s of pending) if (live.get(s) === want.get(s)!.count) done.set(s, at - want.get(s)!.from);
    }
    await sleep(POLL_MS);
  }
  return done;
}

/**
 * Creates the N services first (the benchmark's round 1, raised buckets), so that the controllers
 * start over existing services; then (1) `run --resync 10m`: `trials` times, a service is drifted
 * (desiredCount + 2), its event sent, and the revert timed from SendMessage; (2) `run --resync
 * <resyncMs>`: `trials` services drifted at random moments over two resync intervals, no event,
 * each revert timed from its drift.
 */
export async function benchEvents(
  endpoint: string,
  services: number,
  trials: number,
  resyncMs: number,
): Promise<EventsReport> {
  const cluster = clusterName(services);
  const queue = `ecs-gitops-${cluster}-events`;
  const { repo, clusterPath, head } = await makeRepo(services, {
    clusterYaml: 'events:\n  queue: create\n',
    label: 'events',
  });
  const ecs = new ECSClient({ region: BENCH_REGION, endpoint });
  const sqs = new SQSClient({ region: BENCH_REGION, endpoint });
  try {
    // The plain directory (no events:, which the round's session has no ports for) creates the same services.
    const plain = generateClusterDir(services);
    try {
      const session = newSession(endpoint);
      progress(`events: creating ${services} services (round 1, raised buckets)`);
      const r1 = await runRound('prepopulate', '', plain, session);
      session.destroy();
      const failed = r1.results.filter((r) => r.outcome !== 'created');
      if (failed.length > 0) throw new Error(`events prepopulate: ${failed[0].id}: ${failed[0].outcome}`);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    // Only the services whose spec sets desiredCount (odd K, \`svcK.service\`): serviceDefaults.desiredCount
    // applies when a service is created, so the autocreated ones' count is not drift (autoscaling owns it).
    const names = Array.from({ length: services }, (_, i) => i + 1)
      .filter((k) => !isAutocreated(k))
      .map((k) => `svc${k}`);
    const spec = await desiredCounts(ecs, cluster, names);

    // (1) event-driven
    const ev = await startController(endpoint, repo, clusterPath, EVENT_RESYNC);
    let event: EventsReport['event'];
    try {
      const readyMs = await ready(ev, cluster, head);
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;
      progress(`events: controller ready in ${readyMs.toFixed(0)} ms; ${trials} event trials`);
      const samples: EventTrial[] = [];
      // Each trial starts from where the last one's reconcile settled.
      let before = await settled(ev);
      for (let i = 0; i < trials; i++) {
        const service = names[i % names.length];
        const count = spec.get(service)!;
        await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: count + 2 }));
        await sqs.send(
          new SendMessageCommand({ QueueUrl: url, MessageBody: serviceEvent(cluster, service) }),
        );
        const sent = hrMs();
        const done = await pollReverted(ecs, cluster, new Map([[service, { count, from: sent }]]), 30_000);
        const after = await settled(ev);
        const calls = delta(after, before);
        before = after;
        delete calls['SQS.ReceiveMessage']; // the long polls: time-driven, not per event
        samples.push({
          index: i + 1,
          service,
          corrected: done.has(service),
          correctedMs: done.get(service) ?? NaN,
          calls,
        });
      }
      const sum: Record<string, number> = {};
      for (const s of samples) for (const [k, v] of Object.entries(s.calls)) sum[k] = (sum[k] ?? 0) + v;
      event = {
        command: ev.command,
        readyMs,
        trials: samples,
        latency: percentiles(samples.filter((s) => s.corrected).map((s) => s.correctedMs)),
        callsPerCorrection: Object.fromEntries(
          Object.entries(sum)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, v / samples.length]),
        ),
      };
    } finally {
      await stopController(ev);
    }

    // (2) resync only: no event is sent.
    const rs = await startController(endpoint, repo, clusterPath, `${resyncMs / 1000}s`);
    let resync: EventsReport['resync'];
    try {
      const readyMs = await ready(rs, cluster, head);
      progress(`events: resync-only controller ready; ${trials} drifts over ${(2 * resyncMs) / 1000} s`);
      // One drift per service at a time: at most N drifts (the poller keys them by service).
      const picked = names.slice(0, Math.min(trials, names.length));
      const offsets = picked.map(() => Math.random() * 2 * resyncMs).sort((a, b) => a - b);
      const t0 = hrMs();
      const want = new Map<string, { count: number; from: number }>();
      // Drifts at their moments while the poller runs: each revert timed from its own drift.
      const drifting = (async () => {
        for (let i = 0; i < picked.length; i++) {
          await sleep(Math.max(0, t0 + offsets[i] - hrMs()));
          const count = spec.get(picked[i])!;
          await ecs.send(new UpdateServiceCommand({ cluster, service: picked[i], desiredCount: count + 2 }));
          want.set(picked[i], { count, from: hrMs() });
        }
      })();
      const done = new Map<string, number>();
      while (hrMs() - t0 < 2 * resyncMs + resyncMs + 15_000) {
        const open = new Map([...want].filter(([s]) => !done.has(s)));
        if (open.size === 0) await sleep(POLL_MS);
        for (const [s, ms] of await pollReverted(ecs, cluster, open, POLL_MS)) done.set(s, ms);
        if (want.size === picked.length && done.size === picked.length) break;
      }
      await drifting;
      resync = {
        command: rs.command,
        resyncMs,
        readyMs,
        trials: picked.map((service, i) => ({
          index: i + 1,
          service,
          driftAtMs: offsets[i],
          corrected: done.has(service),
          correctedMs: done.get(service) ?? NaN,
        })),
        latency: percentiles([...done.values()]),
        expectedDefault:
          `--resync ${DEFAULT_RESYNC_MS / 60_000}m (the default): drift is found at the next resync, uniform over ` +
          `the interval: p50 ~${DEFAULT_RESYNC_MS / 2 / 60_000} min, p99 ~${((0.99 * DEFAULT_RESYNC_MS) / 60_000).toFixed(1)} min, ` +
          'plus the reconcile itself.',
      };
    } finally {
      await stopController(rs);
    }
    return {
      services,
      cluster,
      queue,
      runtime: 'node --import tsx bench/cli-entry.ts (the TypeScript source)',
      pollMs: POLL_MS,
      event,
      resync,
    };
  } finally {
    ecs.destroy();
    sqs.destroy();
    rmSync(repo, { recursive: true, force: true });
  }
}

const ecsOnly = (calls: Record<string, number>, mutating: boolean) =>
  Object.fromEntries(
    Object.entries(calls).filter(
      ([k]) => k.startsWith('ECS.') && MUTATING_OPERATIONS.has(k.slice(4)) === mutating,
    ),
  );

export function checkEvents(r: EventsReport): Check[] {
  const size = r.services;
  const missedE = r.event.trials.filter((t) => !t.corrected);
  const missedR = r.resync.trials.filter((t) => !t.corrected);
  const badWrites = r.event.trials.filter((t) => {
    const w = ecsOnly(t.calls, true);
    return total(w) !== 1 || w['ECS.UpdateService'] !== 1;
  });
  // The hinted run reads the cluster and the named service. Each earlier correction's rollout
  // follower still alive looks once when an event wakes it, so trial k may read up to k
  // DescribeServices; anything else (ListServices, DescribeTaskDefinition...) is a full read.
  const wideReads = r.event.trials.filter((t) => {
    const reads = ecsOnly(t.calls, false);
    return Object.entries(reads).some(([k, v]) =>
      k === 'ECS.DescribeClusters' ? v > 1 : k === 'ECS.DescribeServices' ? v > t.index : true,
    );
  });
  const first = r.event.trials[0];
  const firstEcs = first ? ecsOnly(first.calls, false) : {};
  const firstOk =
    first !== undefined &&
    total(firstEcs) === 2 &&
    firstEcs['ECS.DescribeClusters'] === 1 &&
    firstEcs['ECS.DescribeServices'] === 1;
  return [
    {
      size,
      name: `events: every one of ${r.event.trials.length} event-driven drifts reverted`,
      ok: missedE.length === 0 && r.event.trials.length > 0,
      detail: missedE.length ? `not reverted: ${missedE.map((t) => t.service).join(', ')}` : 'all reverted',
    },
    {
      size,
      name: 'events: each correction writes exactly 1 UpdateService (no other ECS write)',
      ok: badWrites.length === 0,
      detail: badWrites.length
        ? `trial ${badWrites[0].index}: ${JSON.stringify(ecsOnly(badWrites[0].calls, true))}`
        : `${r.event.trials.length} trials`,
    },
    {
      size,
      name: 'events: the first correction (no rollout follower alive) reads 1 DescribeClusters + 1 DescribeServices, nothing else from ECS',
      ok: firstOk,
      detail: JSON.stringify(firstEcs),
    },
    {
      size,
      name: 'events: no correction reads the whole cluster (ECS reads: DescribeClusters <= 1, DescribeServices <= 1 + earlier corrections, nothing else)',
      ok: wideReads.length === 0,
      detail: wideReads.length
        ? `trial ${wideReads[0].index}: ${JSON.stringify(ecsOnly(wideReads[0].calls, false))}`
        : `${r.event.trials.length} trials`,
    },
    {
      size,
      name: `events: every one of ${r.resync.trials.length} resync-only drifts reverted`,
      ok: missedR.length === 0 && r.resync.trials.length > 0,
      detail: missedR.length ? `not reverted: ${missedR.map((t) => t.service).join(', ')}` : 'all reverted',
    },
  ];
}

export function renderEvents(r: EventsReport): string[] {
  const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
  const e = r.event.latency;
  const s = r.resync.latency;
  const calls = Object.entries(r.event.callsPerCorrection)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`)
    .join(', ');
  return [
    '',
    `**Events: drift on one service -> reverted** (issue 14): \`ecs-gitops run\` (${r.runtime}) over ` +
      `cluster \`${r.cluster}\` (${r.services} services, \`events: { queue: create }\`, queue \`${r.queue}\`). ` +
      `Event: \`--resync ${EVENT_RESYNC}\`; ${e.n} trials, one service each: UpdateService desiredCount + 2 ` +
      '(the drift), then the ECS Service Action event naming it put into the queue (SendMessage; moto emits ' +
      `none), timed from SendMessage settling to DescribeServices (polled every ${r.pollMs} ms) showing the ` +
      `spec's desiredCount. Resync only: \`--resync ${r.resync.resyncMs / 1000}s\`, no event; ${s.n} services ` +
      `drifted at random moments over ${(2 * r.resync.resyncMs) / 1000} s, each timed from its drift. ` +
      'Percentiles by nearest rank (p99 of 20 is the max).',
    '',
    '| drift reverted by | trials | p50 ms | p95 ms | p99 ms | min ms | max ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| ECS event (--resync ${EVENT_RESYNC}) | ${e.n} | ${f0(e.p50)} | ${f0(e.p95)} | ${f0(e.p99)} | ${f0(e.min)} | ${f0(e.max)} |`,
    `| resync only (--resync ${r.resync.resyncMs / 1000}s) | ${s.n} | ${f0(s.p50)} | ${f0(s.p95)} | ${f0(s.p99)} | ${f0(s.min)} | ${f0(s.max)} |`,
    '',
    `- AWS calls per event-driven correction (controller's /metrics deltas from before the drift to after ` +
      `its reconcile settled; SQS long polls left out): first trial ${list(r.event.trials[0]?.calls ?? {})}; ` +
      `mean over the trials ${calls}; DescribeServices per trial: ` +
      `${r.event.trials.map((t) => t.calls['ECS.DescribeServices'] ?? 0).join(', ')}.`,
    '- Every correction starts a rollout follower (moto never finishes a deployment here: no container ' +
      'instances, so they live until their 30 min timeout); an event wakes only the followers of the service it ' +
      'names, so a correction reads that service once whatever the number of followers still running.',
    '- Resync only: a full reconcile runs `--resync` after the previous one ended, so a drift made just after ' +
      'a reconcile read its service waits up to the interval plus one reconcile of the whole cluster.',
    `- Expected with ${r.resync.expectedDefault}`,
    `- Controllers ready (start + first reconcile over existing services): ${f0(r.event.readyMs)} ms / ${f0(r.resync.readyMs)} ms` +
      (r.seconds === undefined ? '.' : `; the whole section took ${r.seconds.toFixed(1)} s.`),
  ];
}
