/**
 * One benchmark round: load the cluster directory, observe + plan, apply; timed per phase, AWS calls
 * counted per operation by the CallLog middleware on the real SDK clients.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { CallLog } from '../controller/aws/call-log';
import { createAwsClients } from '../controller/aws/clients';
import { DEFAULT_WRITE_BUCKETS, RateLimitedEcsPort } from '../controller/aws/rate-limited-ecs-port';
import { EcsReader } from '../controller/aws/ecs-reader';
import { SdkEcsPort } from '../controller/aws/sdk-ecs-port';
import type { BucketSpec } from '../controller/aws/token-bucket';
import type { ActionResult, Plan } from '../controller/plan/plan-types';
import { applyPlan, type ClusterPorts, planDesiredState } from '../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../controller/spec';
import { BENCH_REGION } from './generate';

/**
 * The benchmark's write buckets: far above anything moto needs, so that the limiter never waits and
 * round 1 measures ecs-gitops and moto, not our pacing. Printed with the results.
 */
export const BENCH_BUCKET: BucketSpec = { burst: 1000, perSecond: 1000 };
export const BENCH_BUCKETS: Record<string, BucketSpec> = Object.fromEntries(
  Object.keys(DEFAULT_WRITE_BUCKETS).map((op) => [op, BENCH_BUCKET]),
);

/** What one "process" (a CI run, or the controller) holds: a call log, SDK clients, a reader. */
export interface Session {
  callLog: CallLog;
  ecsClient: ECSClient;
  destroy(): void;
  ports: ClusterPorts;
}

/** A fresh process: new CallLog, new SDK clients, new EcsReader (cold revision cache). */
export function newSession(endpoint: string): Session {
  const callLog = new CallLog();
  const clients = createAwsClients({ region: BENCH_REGION, endpoint, callLog });
  const ecs = new RateLimitedEcsPort(new SdkEcsPort(clients.ecs), { buckets: BENCH_BUCKETS });
  return {
    callLog,
    ecsClient: clients.ecs,
    ports: { ecs, reader: new EcsReader(ecs) },
    destroy: () => {
      clients.ecs.destroy();
      clients.sts.destroy();
      clients.route53.destroy();
      clients.elbv2.destroy();
      clients.ec2.destroy();
    },
  };
}

export interface RoundResult {
  round: string;
  description: string;
  wallMs: number;
  phasesMs: { load: number; observePlan: number; apply: number };
  totalCalls: number;
  /** Per operation, `ECS.` prefix dropped. */
  calls: Record<string, number>;
  retries: Record<string, number>;
  mutatingCalls: number;
  /** Count of action results per outcome. */
  outcomes: Record<string, number>;
  actions: number;
}

export interface RoundRun {
  result: RoundResult;
  plan: Plan;
  results: ActionResult[];
}

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

function stripService(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k.replace(/^ECS\./, ''), v]));
}

/**
 * Times load + observe/plan + apply. The session's CallLog is reset first, so the counts are this
 * round's alone (a warm round reuses round 1's session).
 */
export async function runRound(
  round: string,
  description: string,
  dir: string,
  session: Session,
): Promise<RoundRun> {
  session.callLog.reset();
  const t0 = process.hrtime.bigint();
  const loaded = await loadClusterDir(dir, { env: {}, region: BENCH_REGION });
  const t1 = process.hrtime.bigint();
  if (!loaded.state) {
    const first = loaded.errors[0];
    throw new Error(
      `round ${round}: the generated specs do not load (${loaded.errors.length} errors); first: ` +
        (first ? `${first.file}:${first.line} ${first.field}: ${first.message}` : '?'),
    );
  }
  const plan = await planDesiredState(loaded.state, session.ports);
  const t2 = process.hrtime.bigint();
  const results = await applyPlan(plan, session.ports);
  const t3 = process.hrtime.bigint();

  const outcomes: Record<string, number> = {};
  for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return {
    plan,
    results,
    result: {
      round,
      description,
      wallMs: ms(t0, t3),
      phasesMs: { load: ms(t0, t1), observePlan: ms(t1, t2), apply: ms(t2, t3) },
      totalCalls: session.callLog.total(),
      calls: stripService(session.callLog.snapshot()),
      retries: stripService(session.callLog.retrySnapshot()),
      mutatingCalls: session.callLog.mutatingTotal(),
      outcomes,
      actions: results.length,
    },
  };
}
