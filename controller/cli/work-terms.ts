import os from 'node:os';
import path from 'node:path';
import { Controller } from '../reconcile/controller';
import { createGitSource, isRemoteRepo } from '../reconcile/git-source';
import { pollRemote, watchGitRepo } from '../reconcile/git-watcher';
import { systemClock } from '../aws/clock';
import type { WriteFence } from '../aws/write-fence';
import { EventSources } from '../reconcile/event-sources';
import type { EcsView } from '../model/ecs-view';
import type { ControllerMetrics } from '../telemetry/metrics';
import type { StatusStore } from '../telemetry/status';
import type { Logger } from '../telemetry/logger';
import { AwsContext, SANDBOX_POLL_MS } from './aws-context';
import { parseDuration } from './duration';
import { parseVars } from './load-specs';
// Type only (erased): run.ts builds the terms from its flags.
import type { RunOptions } from './run';

/** What every term of work shares with the process: flags, telemetry and the view behind /v1. */
export interface Shared {
  opts: RunOptions;
  log: Logger;
  status: StatusStore;
  metrics: ControllerMetrics;
  view: EcsView;
}

/** One term of work: from start (or becoming leader) to stop (or losing the lease). */
interface Term {
  /** Resolves once the first sync of the repository is done: to why it failed, if it did. */
  started: Promise<string | undefined>;
  push(): void;
  stop(): Promise<void>;
}

/**
 * The terms of work one after the other: a term begins only once the one before has stopped (a
 * replica that loses and regains the lease quickly never runs two controllers).
 */
export class WorkTerms {
  private chain: Promise<void> = Promise.resolve();
  private current?: Term;
  /** Counts every begin and end: a term's failure is told only while it is the last one asked for. */
  private asked = 0;
  /** Leader election: every AWS write of every term asks it first (aws/write-fence.ts). */
  fence?: WriteFence;

  constructor(private readonly shared: Shared) {}

  /**
   * Starts a term once the one before has stopped. With `failed` (a leader's term), the term has
   * started only once its first sync of the repository succeeded: `failed` is told if that sync
   * fails, as if the work could not be built, so the leader steps down. Without it (a lone `run`),
   * a failed first sync is logged and retried like any other (at the next poll or change).
   */
  begin(failed?: (err: unknown) => void): void {
    const term = ++this.asked;
    this.chain = this.chain
      .then(async () => {
        this.current = await startTerm(this.shared, this.fence);
        if (!failed) return;
        const why = await this.current.started;
        if (why !== undefined) throw new Error(`the first sync of the repository failed: ${why}`);
      })
      .catch((err: unknown) => {
        // Ended meanwhile on purpose (the lease lost during the first sync, or the process stopping):
        // expected, so a warning, and a later term must not step down for this one.
        if (this.asked !== term) {
          this.shared.log.warn({ err: String(err) }, 'could not start the controller');
          return;
        }
        this.shared.log.error({ err: String(err) }, 'could not start the controller');
        failed?.(err);
      });
  }

  /** Resolves once the term begun last has made its first sync (or failed it). */
  async started(): Promise<void> {
    await this.chain;
    await this.current?.started;
  }

  push(): void {
    this.current?.push();
  }

  end(): Promise<void> {
    this.asked++;
    this.chain = this.chain.then(async () => {
      const term = this.current;
      this.current = undefined;
      await term?.stop();
    });
    return this.chain;
  }
}

/**
 * Starts the work: an AWS context whose writes stop with the term (and pass `fence` when electing),
 * the event sources, the controller, and the watcher or poller of the repository.
 */
async function startTerm(shared: Shared, fence: WriteFence | undefined): Promise<Term> {
  const { opts, log, status, metrics, view } = shared;
  const repo = opts.repo ?? '';
  const remote = isRemoteRepo(repo);
  const writesStopped = new AbortController();
  const ctx = new AwsContext(opts, writesStopped.signal, fence);
  ctx.callLog.subscribe((service, operation, code) => metrics.awsRequest(service, operation, code));
  ctx.callLog.subscribeThrottled((service, operation) => metrics.awsThrottledRequest(service, operation));
  const defaultRegion = await ctx.defaultRegion();
  const source = createGitSource({
    repo,
    ...(opts.branch ? { branch: opts.branch } : {}),
    cacheDir: opts.cacheDir ?? path.join(os.tmpdir(), 'ecs-gitops-cache'),
    worktree: opts.worktree === true,
  });
  // Filled right below: the event sources give the controller's hints, the controller configures them.
  const hints: { to?: Controller } = {};
  // One STS call for the process: the port keeps the account (sdk-sts-port.ts).
  const accountId = async () => (await ctx.forRegion(defaultRegion ?? 'us-east-1')).sts.getAccountId();
  const events = new EventSources({
    view,
    metrics,
    log,
    clock: systemClock,
    portsFor: async (region) => {
      const ports = await ctx.forRegion(region);
      return { sqs: ports.sqs, ecs: ports.ecs };
    },
    hint: (cluster, service, at) => void hints.to?.hint(cluster, service, at),
    hintCluster: (cluster) => void hints.to?.hintCluster(cluster),
    fullResyncMs: parseDuration(opts.fullResync),
    ...(opts.eventsQueue ? { defaultQueue: opts.eventsQueue } : {}),
    accountId,
  });
  const controller = newController(
    opts,
    ctx,
    source,
    { status, metrics, log, events },
    defaultRegion,
    accountId,
  );
  hints.to = controller;
  const poller = remote
    ? pollRemote({
        intervalMs: parseDuration(opts.fetchInterval),
        immediate: false,
        onTick: () => controller.sourceChanged(),
      })
    : undefined;
  const watcher = remote
    ? undefined
    : watchGitRepo({
        repo,
        worktree: opts.worktree === true,
        onChange: () => controller.sourceChanged(),
      });
  const started = (async () => {
    await watcher?.ready;
    return controller.start();
  })();
  return {
    started,
    push: () => (poller ? poller.trigger() : void controller.sourceChanged()),
    stop: async () => {
      // The controller first (it then sees the refused writes as a stop, not as failures), then the gate.
      const controllerStopped = controller.stop();
      writesStopped.abort();
      await events.stop();
      await watcher?.close();
      await poller?.close();
      await started.catch(() => undefined);
      await controllerStopped;
      await ctx.close();
      await source.close();
    },
  };
}

/** The controller for this process: its source, specs paths, variables, AWS context and telemetry. */
function newController(
  opts: RunOptions,
  ctx: AwsContext,
  source: ReturnType<typeof createGitSource>,
  telemetry: { status: StatusStore; metrics: ControllerMetrics; log: Logger; events: EventSources },
  defaultRegion: string | undefined,
  accountId: () => Promise<string>,
): Controller {
  return new Controller({
    source,
    paths: opts.path.length > 0 ? opts.path : ['.'],
    env: { ...process.env, ...parseVars(opts.var) },
    portsFor: (region) => ctx.forRegion(region),
    ...(defaultRegion ? { defaultRegion } : {}),
    accountId,
    clock: systemClock,
    resyncMs: parseDuration(opts.resync),
    // The sandbox's rollouts take seconds: follow them as often as RegionContext.pollMs says.
    ...(ctx.isSandbox ? { rolloutPollMs: SANDBOX_POLL_MS } : {}),
    ...telemetry,
  });
}
