/**
 * The long-running controller (controller/reconcile/controller.ts) as `ecs-gitops run --sandbox`
 * builds it with aws-like throttling (ECS_GITOPS_SANDBOX_THROTTLING=aws), but on a VirtualClock: a
 * git repository of generated specs, the sandbox account enforcing AWS's ECS buckets behind the
 * process's AccountLimiter, StatusStore, ControllerMetrics fed by the call log, a silent logger.
 * Used by the soak (test/soak/).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AccountLimiter, limitPort } from '../controller/aws/account-limiter';
import { VirtualClock } from '../controller/aws/clock';
import type { EcsPort } from '../controller/aws/ecs-port';
import { SandboxEcs } from '../controller/aws/sandbox/sandbox-ecs';
import { EcsReader } from '../controller/observe/ecs-reader';
import { Controller } from '../controller/reconcile/controller';
import { createGitSource, type GitSource } from '../controller/reconcile/git-source';
import { applyPlan, planDesiredState } from '../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../controller/specfiles';
import { createLogger } from '../controller/telemetry/logger';
import { ControllerMetrics } from '../controller/telemetry/metrics';
import { StatusStore } from '../controller/telemetry/status';
import { BENCH_REGION, generateClusterDir } from './generate';

export const SANDBOX_CONTROLLER_START = Date.UTC(2024, 0, 1);

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...args], {
    cwd: repo,
  })
    .toString()
    .trim();

export interface SandboxController {
  controller: Controller;
  clock: VirtualClock;
  sb: SandboxEcs;
  metrics: ControllerMetrics;
  status: StatusStore;
  limiter: AccountLimiter;
  repo: string;
  /** Commits a new image for service `svcK` (K from 1) and tells the controller; returns the commit. */
  changeImage(k: number, tag: string): Promise<string>;
  /** Reconciles performed so far (ecs_gitops_reconcile_total, every result). */
  reconciles(): Promise<number>;
  /** Stops the controller and the git source (on the clock), removes the temp directories. */
  close(): Promise<void>;
}

/**
 * A repository holding one generated cluster of `services`, the account already converged to it (by
 * an apply outside the controller, with the sandbox's throttling off, so that setting up 5,000
 * services does not cost 5,000 simulated seconds), and a controller over it, not started yet.
 */
export async function sandboxController(
  services: number,
  opts: { resyncMs: number; name?: string },
): Promise<SandboxController> {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-soak-repo-'));
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-soak-cache-'));
  git(repo, 'init', '-q', '-b', 'main');
  generateClusterDir(services, { into: repo, ...(opts.name ? { name: opts.name } : {}) });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'generated');

  const clock = new VirtualClock(SANDBOX_CONTROLLER_START);
  const sb = new SandboxEcs({ clock, region: BENCH_REGION });
  await converge(sb, clock, repo);
  sb.setAwsThrottling(true);
  sb.callLog.reset();

  const metrics = new ControllerMetrics();
  sb.callLog.subscribe((service, operation, code) => metrics.awsRequest(service, operation, code));
  sb.callLog.subscribeThrottled((service, operation) => metrics.awsThrottledRequest(service, operation));
  const limiter = new AccountLimiter({ clock });
  const ecs = limitPort<EcsPort>(sb, 'ECS', limiter, { callLog: sb.callLog });
  const ports = { ecs, reader: new EcsReader(ecs) };
  const status = new StatusStore({ now: () => new Date(clock.now()) });
  const source: GitSource = createGitSource({ repo, cacheDir });
  const controller = new Controller({
    source,
    paths: ['.'],
    env: {},
    portsFor: () => Promise.resolve(ports),
    defaultRegion: BENCH_REGION,
    clock,
    resyncMs: opts.resyncMs,
    rolloutPollMs: 1000,
    status,
    metrics,
    log: createLogger({ level: 'silent' }),
  });

  return {
    controller,
    clock,
    sb,
    metrics,
    status,
    limiter,
    repo,
    async changeImage(k, tag) {
      const file = path.join(repo, `svc${k}.taskdef`);
      const text = readFileSync(file, 'utf8').replace(
        /"image": "[^"]*"/,
        `"image": "public.ecr.aws/nginx/nginx:${tag}"`,
      );
      writeFileSync(file, text);
      git(repo, 'commit', '-q', '-a', '-m', `svc${k} ${tag}`);
      await clock.run(controller.sourceChanged());
      return git(repo, 'rev-parse', 'HEAD');
    },
    async reconciles() {
      const m = await metrics.reconcileTotal.get();
      return m.values.reduce((n, v) => n + v.value, 0);
    },
    async close() {
      await clock.run(controller.stop());
      await source.close();
      rmSync(repo, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Creates what the repository asks for, outside the controller (and its call counts). */
async function converge(sb: SandboxEcs, clock: VirtualClock, dir: string): Promise<void> {
  const loaded = await loadClusterDir(dir, { env: {}, region: BENCH_REGION });
  if (!loaded.state) throw new Error(`${dir} does not load: ${loaded.errors[0]?.message ?? '?'}`);
  const ports = { ecs: sb, reader: new EcsReader(sb) };
  const plan = await clock.run(planDesiredState(loaded.state, ports));
  if (plan.errors.length > 0) throw new Error(`plan: ${plan.errors[0].message}`);
  const failed = (await clock.run(applyPlan(plan, ports))).filter((r) => r.outcome === 'failed');
  if (failed.length > 0) throw new Error(`converge: ${failed[0].id}: ${failed[0].message ?? ''}`);
}
