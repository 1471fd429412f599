import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { Controller } from '../reconcile/controller';
import { createGitSource, isRemoteRepo } from '../reconcile/git-source';
import { pollRemote, watchGitRepo } from '../reconcile/git-watcher';
import { githubWebhookHandler } from '../reconcile/github-webhook';
import { systemClock } from '../aws/clock';
import { parseDuration } from './duration';
import { ControllerMetrics } from '../telemetry/metrics';
import { StatusStore } from '../telemetry/status';
import { startStatusServer, type ExtraRoute } from '../telemetry/http-server';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { addAwsOptions, cliLogger, writeDiagnostics } from './common';
import type { Logger } from '../telemetry/logger';
import { AwsContext, SANDBOX_POLL_MS, type AwsOptions } from './aws-context';
import { parseVars } from './load-specs';
import { EventSources } from '../reconcile/event-sources';
import { EcsView } from '../model/ecs-view';
import { viewRoutes } from '../telemetry/view-routes';
import type { WriteFence } from '../aws/write-fence';
import { addLeaderElectionOptions, newElection } from './leader-election';

export interface RunOptions extends AwsOptions {
  repo?: string;
  branch?: string;
  path: string[];
  port: string;
  host: string;
  worktree?: boolean;
  resync: string;
  fetchInterval: string;
  cacheDir?: string;
  webhookSecretFile?: string;
  var?: string[];
  eventsQueue?: string;
  fullResync: string;
  stoppedTaskRetention: string;
  stoppedTaskMax: string;
  apiTokenFile?: string;
  leaderElection?: boolean;
  leaseTable: string;
  leaseName?: string;
  leaseDuration: string;
}

/**
 * `run`: the long-running controller. Every flag can come from the environment (for the task
 * definition): ECS_GITOPS_REPO, _BRANCH, _PATH (comma separated), _PORT, _HOST, _RESYNC,
 * _FETCH_INTERVAL, _CACHE_DIR, and the webhook secret from ECS_GITOPS_WEBHOOK_SECRET or a file.
 */
export function registerRun(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('run')
    .description('run the controller: watch a git source, reconcile every commit, revert drift, serve status')
    .addOption(
      new Option('--repo <path-or-url>', 'a local git checkout, or a remote URL').env('ECS_GITOPS_REPO'),
    )
    .addOption(new Option('--branch <name>', 'the branch to follow (default: HEAD)').env('ECS_GITOPS_BRANCH'))
    .addOption(
      new Option('--path <dir...>', 'cluster directories inside the repository (default: the root)')
        .env('ECS_GITOPS_PATH')
        .argParser((v: string, prev: string[] | undefined) => [
          ...(prev ?? []),
          ...v.split(',').filter(Boolean),
        ])
        .default([]),
    )
    .addOption(
      new Option('--port <n>', 'port of /healthz, /readyz, /metrics, /status')
        .env('ECS_GITOPS_PORT')
        .default('9090'),
    )
    .addOption(
      new Option('--host <addr>', 'address to listen on (0.0.0.0 in a container)')
        .env('ECS_GITOPS_HOST')
        .default('127.0.0.1'),
    )
    .option('--worktree', 'reconcile uncommitted files of a local checkout (local editing)')
    .addOption(
      new Option('--resync <duration>', 're-read AWS and revert drift this often')
        .env('ECS_GITOPS_RESYNC')
        .default('10m'),
    )
    .addOption(
      new Option('--fetch-interval <duration>', 'how often a remote repository is fetched')
        .env('ECS_GITOPS_FETCH_INTERVAL')
        .default('60s'),
    )
    .addOption(
      new Option('--cache-dir <dir>', 'where clones and commit trees are kept').env('ECS_GITOPS_CACHE_DIR'),
    )
    .option('--webhook-secret-file <file>', 'enables POST /webhook (GitHub push, X-Hub-Signature-256)')
    .addOption(
      new Option(
        '--events-queue <url>',
        'SQS queue of ECS events for clusters whose cluster.yaml has no events: (one your infrastructure made)',
      ).env('ECS_GITOPS_EVENTS_QUEUE'),
    )
    .addOption(
      new Option(
        '--full-resync <duration>',
        'read the tasks and instances of event-watched clusters in full this often',
      )
        .env('ECS_GITOPS_FULL_RESYNC')
        .default('20m'),
    )
    .addOption(
      new Option('--stopped-task-retention <duration>', 'how long /v1/tasks keeps a stopped task')
        .env('ECS_GITOPS_STOPPED_TASK_RETENTION')
        .default('1h'),
    )
    .addOption(
      new Option('--stopped-task-max <n>', 'stopped tasks /v1/tasks keeps per cluster (the oldest go first)')
        .env('ECS_GITOPS_STOPPED_TASK_MAX')
        .default('1000'),
    )
    .option(
      '--api-token-file <file>',
      'bearer token for /v1 (also ECS_GITOPS_API_TOKEN); without one, /v1 is served only on a loopback --host',
    )
    .option('--var <KEY=VALUE>', 'template variable (repeatable)', (v: string, p: string[]) => [...p, v], []);
  addLeaderElectionOptions(cmd);
  addAwsOptions(cmd);
  cmd.action(async (opts: RunOptions) => setExit(await runController(opts)));
}

export async function runController(opts: RunOptions, signal?: AbortSignal): Promise<number> {
  // The controller logs to stdout (it is a service; its output is its log), JSON unless told.
  const log = cliLogger(process.stdout);
  if (!opts.repo) {
    writeDiagnostics('error: --repo (or ECS_GITOPS_REPO) is required\n');
    return EXIT_ERROR;
  }
  if (opts.leaderElection && opts.sandbox !== undefined && opts.sandbox !== false) {
    writeDiagnostics('error: --leader-election needs AWS (its lease is in DynamoDB), not --sandbox\n');
    return EXIT_ERROR;
  }
  // Flags the work reads when it starts (maybe later, on becoming leader): wrong ones end the start.
  for (const d of [opts.resync, opts.fetchInterval, opts.fullResync]) parseDuration(d);
  const secret = webhookSecret(opts);
  // SIGTERM (ECS stopping the task) or SIGINT, from now on: stop taking work, let the AWS calls in
  // flight finish, send no other write (the next start continues from what AWS holds), exit 0.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const status = new StatusStore();
  const metrics = new ControllerMetrics();
  const view = newView(opts);
  const token = apiToken(opts);
  const shared: Shared = { opts, log, status, metrics, view };
  // The work (controller, event consumers, watchers) of this process: started at once, or each time
  // this replica becomes leader; a webhook push goes to the one running, if any.
  const work = new WorkTerms(shared);
  const extraRoutes = webhookRoutes(secret, opts.branch, log, () => work.push());
  if (token !== undefined || isLoopback(opts.host)) {
    for (const [p, route] of viewRoutes({ view, ...(token ? { token } : {}) })) extraRoutes.set(p, route);
  } else {
    log.warn(
      { host: opts.host },
      '/v1 (tasks, instances, stream) is off: listening beyond localhost needs --api-token-file',
    );
  }
  const election = opts.leaderElection ? await newElection(opts, work, shared) : undefined;
  const server = await startStatusServer({
    port: Number(opts.port),
    host: opts.host,
    status,
    metrics,
    extraRoutes,
    log,
  });
  log.info(
    { url: server.url, repo: redact(opts.repo) },
    `status on ${server.url}/status, metrics on ${server.url}/metrics`,
  );

  if (election) {
    election.start();
    await stopRequested;
    log.info('stopping');
    // The work first (no write after this), then the lease is given back for a fast hand-over.
    await election.stop();
  } else {
    metrics.leadershipRole('leader', false);
    work.begin();
    await Promise.race([work.started(), stopRequested]);
    await stopRequested;
    log.info('stopping');
    await work.end();
  }
  await server.close();
  log.info('stopped');
  return EXIT_OK;
}

/** What every term of work shares with the process: flags, telemetry and the view behind /v1. */
interface Shared {
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
        this.shared.log.error({ err: String(err) }, 'could not start the controller');
        // Not once ended (the lease lost meanwhile): a later term must not step down for this one.
        if (this.asked === term) failed?.(err);
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

/** POST /webhook when a webhook secret is set: a verified GitHub push triggers a fetch (or a sync). */
function webhookRoutes(
  secret: string | undefined,
  branch: string | undefined,
  log: Logger,
  onPush: () => void,
): Map<string, ExtraRoute> {
  const extraRoutes = new Map<string, ExtraRoute>();
  if (!secret) return extraRoutes;
  const handler = githubWebhookHandler({
    secret,
    ...(branch ? { branch } : {}),
    onPush: (push) => {
      log.info({ commit: push.commit, delivery: push.delivery }, 'webhook push');
      onPush();
    },
  });
  extraRoutes.set('/webhook', (req) => handler({ headers: req.headers, body: req.body }));
  return extraRoutes;
}

/** The local view of tasks and instances behind /v1, with the retention the flags give. */
function newView(opts: RunOptions): EcsView {
  const max = Number(opts.stoppedTaskMax);
  if (!Number.isInteger(max) || max < 0) {
    throw new Error(`--stopped-task-max wants a whole number, e.g. 1000; got "${opts.stoppedTaskMax}"`);
  }
  return new EcsView({
    stoppedTaskRetentionMs: parseDuration(opts.stoppedTaskRetention),
    maxStoppedTasksPerCluster: max,
  });
}

function apiToken(opts: RunOptions): string | undefined {
  const token = opts.apiTokenFile
    ? readFileSync(opts.apiTokenFile, 'utf8').trim()
    : process.env.ECS_GITOPS_API_TOKEN?.trim();
  return token || undefined;
}

/** Only addresses that cannot be reached from another machine (not `127.evil.example.com`). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(host);
}

function webhookSecret(opts: RunOptions): string | undefined {
  if (opts.webhookSecretFile) return readFileSync(opts.webhookSecretFile, 'utf8').trim();
  return process.env.ECS_GITOPS_WEBHOOK_SECRET || undefined;
}

function redact(repo: string): string {
  return repo.replace(/\/\/[^/@]*@/, '//***@');
}
