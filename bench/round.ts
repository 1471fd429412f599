/**
 * One benchmark round: load the cluster directory, observe + plan, apply; timed per phase, AWS calls
 * counted per operation by the CallLog middleware on the real SDK clients.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { CallLog } from '../controller/aws/call-log';
import { createAwsClients } from '../controller/aws/clients';
import { AccountLimiter, limitPort } from '../controller/aws/account-limiter';
import { SERVICE_THROTTLES, type ServiceThrottles } from '../controller/aws/throttle-groups';
import { EcsReader } from '../controller/observe/ecs-reader';
import { Route53Reader } from '../controller/observe/route53-reader';
import { SdkEc2Port } from '../controller/aws/sdk-ec2-port';
import { SdkEcsPort } from '../controller/aws/sdk-ecs-port';
import { SdkElbv2Port } from '../controller/aws/sdk-elbv2-port';
import { SdkRoute53Port } from '../controller/aws/sdk-route53-port';
import type { BucketSpec } from '../controller/aws/token-bucket';
import type { Plan } from '../controller/plan/plan-types';
import type { ActionResult } from '../controller/model/action-result';
import { applyPlan, type ClusterPorts, planDesiredState } from '../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../controller/specfiles';
import { BENCH_REGION } from './generate';
import { TimedRoute53Port } from './timed-route53-port';

/**
 * The benchmark's buckets against moto: every one of AWS's (throttle-groups.ts) raised to this, far
 * above anything moto needs, so that the limiter never waits and the moto rounds measure ecs-gitops
 * and moto, not AWS's pacing (the throttled section measures that, on the virtual clock). Printed
 * with the results.
 */
export const BENCH_BUCKET: BucketSpec = { burst: 1000, perSecond: 1000 };

function raised(t: ServiceThrottles): ServiceThrottles {
  return {
    ...t,
    groups: t.groups.map((g) => ({ ...g, ...BENCH_BUCKET })),
    ...(t.account ? { account: BENCH_BUCKET } : {}),
    ...(t.ungrouped ? { ungrouped: BENCH_BUCKET } : {}),
  };
}

export const BENCH_THROTTLES: Readonly<Record<string, ServiceThrottles>> = Object.fromEntries(
  Object.entries(SERVICE_THROTTLES).map(([service, t]) => [service, raised(t)]),
);

/** What one "process" (a CI run, or the controller) holds: a call log, SDK clients, a reader. */
export interface Session {
  callLog: CallLog;
  ecsClient: ECSClient;
  destroy(): void;
  ports: ClusterPorts;
  /** With `dns: true`: the Route53 port the DNS ports use, timing every call. */
  route53?: TimedRoute53Port;
}

/**
 * A fresh process: new CallLog, new SDK clients, new EcsReader (cold revision cache). With
 * `dns: true` also DNS ports as the CLI builds them (controller/cli/aws-context.ts): a new
 * Route53Reader (cold hosted-zone cache) over the SDK Route53 port, and the ELBv2/EC2 ports; the
 * Route53 port is wrapped in a TimedRoute53Port. Without it the ports are as before (no `dns`).
 */
export function newSession(endpoint: string, opts: { dns?: boolean } = {}): Session {
  const callLog = new CallLog();
  const clients = createAwsClients({ region: BENCH_REGION, endpoint, callLog });
  // As aws-context.ts builds it (the process's AccountLimiter over the SDK port, RegisterTaskDefinition
  // sent once by the SDK), with the raised buckets.
  const limiter = new AccountLimiter({ throttles: BENCH_THROTTLES });
  const ecs = limitPort(new SdkEcsPort(clients.ecs, clients.ecsSingleAttempt), 'ECS', limiter);
  const route53 = opts.dns ? new TimedRoute53Port(new SdkRoute53Port(clients.route53)) : undefined;
  // Route53 is global: its buckets are an account's of their own (aws-context.ts's route53 limiter).
  const limitedRoute53 =
    route53 && limitPort(route53, 'Route53', new AccountLimiter({ throttles: BENCH_THROTTLES }));
  return {
    callLog,
    ecsClient: clients.ecs,
    ...(route53 ? { route53 } : {}),
    ports: {
      ecs,
      reader: new EcsReader(ecs),
      ...(route53
        ? {
            dns: {
              route53: limitedRoute53 ?? route53,
              route53Reader: new Route53Reader(limitedRoute53 ?? route53),
              elbv2: limitPort(new SdkElbv2Port(clients.elbv2), 'ELBv2', limiter),
              ec2: new SdkEc2Port(clients.ec2),
            },
          }
        : {}),
    },
    destroy: () => {
      clients.ecs.destroy();
      clients.ecsSingleAttempt.destroy();
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
  /** process.hrtime.bigint() at: start (load), observe+plan start, apply start, apply end. */
  marks: { start: bigint; observePlan: bigint; apply: bigint; end: bigint };
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
  session.route53?.reset();
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
  if (plan.errors.length > 0) {
    const first = plan.errors[0];
    throw new Error(
      `round ${round}: the plan has ${plan.errors.length} errors; first: ${first.field ?? ''} ${first.message}`,
    );
  }
  const results = await applyPlan(plan, session.ports);
  const t3 = process.hrtime.bigint();

  const outcomes: Record<string, number> = {};
  for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return {
    plan,
    results,
    marks: { start: t0, observePlan: t1, apply: t2, end: t3 },
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
