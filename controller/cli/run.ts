import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { githubWebhookHandler } from '../reconcile/github-webhook';
import { parseDuration } from './duration';
import { ControllerMetrics } from '../telemetry/metrics';
import { StatusStore } from '../telemetry/status';
import { startStatusServer, type ExtraRoute } from '../telemetry/http-server';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { addAwsOptions, cliLogger, writeDiagnostics } from './common';
import type { Logger } from '../telemetry/logger';
import type { AwsOptions } from './aws-context';
import { EcsView } from '../model/ecs-view';
import { viewRoutes } from '../telemetry/view-routes';
import { addLeaderElectionOptions, newElection } from './leader-election';
import { WorkTerms, type Shared } from './work-terms';

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
