import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { CallLog } from '../aws/call-log';
import { resolveSdkDefaultRegion } from '../aws/clients';
import { monotonicClock, realSleep } from '../aws/clock';
import type { LeasePort } from '../aws/lease-port';
import { isRetryableError } from '../aws/retryable';
import type { WriteFence } from '../aws/write-fence';
import {
  DEFAULT_LEASE_DURATION_MS,
  LeaderElector,
  leaseTimings,
  type Leadership,
} from '../reconcile/leader-elector';
import type { ControllerMetrics } from '../telemetry/metrics';
import type { StatusStore } from '../telemetry/status';
import type { Logger } from '../telemetry/logger';
import { parseDuration } from './duration';

export const DEFAULT_LEASE_TABLE = 'ecs-gitops-leases';

export interface LeaderElectionFlags {
  leaderElection?: boolean;
  leaseTable: string;
  leaseName?: string;
  leaseDuration: string;
  repo?: string;
  branch?: string;
  path: string[];
  region?: string;
  endpoint?: string;
}

/** The work an election starts and stops (work-terms.ts WorkTerms). */
export interface ElectedWork {
  fence?: WriteFence;
  /** `failed`: told when the term could not start (its work not built, or its first sync failed). */
  begin(failed?: (err: unknown) => void): void;
  end(): Promise<void>;
}

export function addLeaderElectionOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--leader-election',
        'run several replicas: only the holder of a DynamoDB lease reconciles, the others stand by',
      ).env('ECS_GITOPS_LEADER_ELECTION'),
    )
    .addOption(
      new Option('--lease-table <name>', 'DynamoDB table of the lease (created, on demand, if missing)')
        .env('ECS_GITOPS_LEASE_TABLE')
        .default(DEFAULT_LEASE_TABLE),
    )
    .addOption(
      new Option(
        '--lease-name <name>',
        'the lease replicas share (default: from the repository, branch and paths)',
      ).env('ECS_GITOPS_LEASE_NAME'),
    )
    .addOption(
      new Option(
        '--lease-duration <duration>',
        'how long followers wait for a silent leader (renew deadline 2/3 of it, retries every 2/15)',
      )
        .env('ECS_GITOPS_LEASE_DURATION')
        .default(`${DEFAULT_LEASE_DURATION_MS / 1000}s`),
    );
}

/**
 * The default lease name: one per repository, branch and set of paths (replicas of one controller
 * share it; two controllers of different directories do not). Replicas must see the repository at
 * the same URL or path: otherwise give --lease-name.
 */
export function defaultLeaseName(flags: Pick<LeaderElectionFlags, 'repo' | 'branch' | 'path'>): string {
  const repo = (flags.repo ?? '')
    .replace(/\/\/[^/@]*@/, '//')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const what = [repo, flags.branch ?? '', ...[...flags.path].sort()].join('\n');
  const hash = createHash('sha256').update(what).digest('hex').slice(0, 10);
  const base =
    path
      .basename(repo)
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 40) || 'repo';
  return `ecs-gitops-${base}-${hash}`;
}

/** This replica: the ECS task id (or the host name) and a random suffix, unique per process. */
export async function replicaIdentity(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return `${(await ecsTaskId(env)) ?? os.hostname()}-${randomBytes(4).toString('hex')}`;
}

/** The task id from the ECS task metadata endpoint (v4), when running as an ECS task. */
async function ecsTaskId(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const uri = env.ECS_CONTAINER_METADATA_URI_V4;
  if (!uri) return undefined;
  try {
    const res = await fetch(`${uri}/task`, { signal: AbortSignal.timeout(1000) });
    const arn = ((await res.json()) as { TaskARN?: string }).TaskARN;
    return arn?.split('/').pop() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `run --leader-election`: the lease (its table created if missing), this replica's elector, and the
 * wiring of its roles to the work, /status and the metrics. `start` begins electing; `stop` stops the
 * work (if leading) and gives the lease back.
 */
export async function newElection(
  flags: LeaderElectionFlags,
  work: ElectedWork,
  t: { log: Logger; status: StatusStore; metrics: ControllerMetrics },
): Promise<{ start(): void; stop(): Promise<void> }> {
  const durationMs = parseDuration(flags.leaseDuration);
  if (durationMs < 1000)
    throw new Error(`--lease-duration must be at least 1s (got "${flags.leaseDuration}")`);
  const region = flags.region ?? (await resolveSdkDefaultRegion());
  if (!region)
    throw new Error('--leader-election needs a region for its DynamoDB table: set --region or AWS_REGION');
  const timings = leaseTimings(durationMs);
  const callLog = new CallLog();
  callLog.subscribe((service, operation, code) => t.metrics.awsRequest(service, operation, code));
  // Loaded only here: the DynamoDB client is of no use to a controller that does not elect.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createLeasePort } = require('../aws/sdk-lease-port') as typeof import('../aws/sdk-lease-port');
  const port = createLeasePort({
    region,
    ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
    table: flags.leaseTable,
    clock: monotonicClock,
    requestTimeoutMs: Math.min(5000, timings.renewDeadlineMs),
    callLog,
  });
  if (await ensureTable(port, flags.leaseTable, t.log)) {
    t.log.warn(
      { table: flags.leaseTable, region },
      `lease table ${flags.leaseTable} did not exist: created it (DynamoDB, on-demand capacity: PAY_PER_REQUEST)`,
    );
  }
  const settings = {
    name: flags.leaseName ?? defaultLeaseName(flags),
    identity: await replicaIdentity(),
    durationMs,
    ...timings,
  };
  t.log.info(
    { lease: settings.name, table: flags.leaseTable, identity: settings.identity },
    'leader election',
  );
  const showFollower = (l: Leadership) => {
    if (l.role === 'leader') return;
    const holder = l.holder && l.holder !== l.identity ? `leader is ${l.holder}` : 'no leader seen yet';
    t.status.setControllerState(`${l.role}: ${holder}`);
    // A follower is doing its job (standing by) once it has read the lease.
    t.status.markReady(l.holder !== undefined);
  };
  const elector = new LeaderElector({
    port,
    settings,
    clock: monotonicClock,
    log: t.log,
    onLeading: () => {
      // Ready again after this term's first successful reconcile.
      t.status.markReady(false);
      work.begin((err) => elector.resign(`the controller did not start: ${String(err)}`));
    },
    onNotLeading: () => {
      void work.end().then(() => {
        t.status.clearClusters();
        showFollower(elector.leadership);
      });
    },
    workStopped: () => work.end(),
    onChange: (l) => {
      t.status.setLeadership(l);
      t.metrics.leadershipRole(l.role);
      showFollower(l);
    },
  });
  work.fence = elector;
  return {
    start: () => elector.start(),
    stop: async () => {
      await elector.stop();
      port.close();
    },
  };
}

/** Attempts at finding (or creating) the table at start, a second more apart each time. */
const TABLE_ATTEMPTS = 8;

/**
 * The table, created if missing; a slow or unreachable DynamoDB at start is tried again (its calls
 * have the lease's short timeout), an error that will not pass (access denied) ends the start.
 */
async function ensureTable(port: LeasePort, table: string, log: Logger): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await port.ensureTable();
    } catch (err) {
      if (!isRetryableError(err) || attempt >= TABLE_ATTEMPTS) throw err;
      log.warn({ table, attempt, err: String(err) }, 'lease table not reachable yet: trying again');
      await realSleep(1000 * attempt);
    }
  }
}
