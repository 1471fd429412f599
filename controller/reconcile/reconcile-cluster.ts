import type { Ec2Port } from '../aws/ec2-port';
import type { EcsPort } from '../aws/ecs-port';
import type { EcsReader } from '../observe/ecs-reader';
import type { Elbv2Port } from '../aws/elbv2-port';
import type { EventBridgePort } from '../aws/eventbridge-port';
import type { SqsPort } from '../aws/sqs-port';
import { observeCluster } from '../observe/dns-observer';
import { specHasher } from '../plan/spec-hash';
import type { Route53Port } from '../aws/route53-port';
import type { Route53Reader } from '../observe/route53-reader';
import type { DesiredState } from '../model/desired';
import { planCluster } from '../plan/planner';
import { narrowToServices } from '../plan/narrow-to-services';
import type { Plan, PlanInputs } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import type { ApplyListener } from './apply-listener';
import { executePlan, type ExecuteOptions } from './executor';
import { PlanRefusedError } from './reconcile-result';

/** What DNS management reads and writes through. */
export interface DnsPorts {
  route53: Route53Port;
  route53Reader: Route53Reader;
  elbv2: Elbv2Port;
  ec2: Ec2Port;
}

/**
 * The ports and readers one cluster's reconcile uses (one set per account and region). Without
 * `dns`, a cluster whose config has `dns:` gets a plan error instead of DNS changes (fail closed).
 */
export interface ClusterPorts {
  ecs: EcsPort;
  reader: EcsReader;
  dns?: DnsPorts;
  /** The shared load balancer's port; a cluster with `loadBalancer:` and no port gets a plan error. */
  elbv2?: Elbv2Port;
  /**
   * The event source's queue and rule (issue 14). Built on first read: touching them loads the
   * SQS and EventBridge SDK clients, which a cluster without `events:` never needs.
   */
  sqs?: SqsPort;
  eventBridge?: EventBridgePort;
}

/**
 * Observe, then plan: everything `diff` needs. Reads only; Route53 only when `dns:` is configured,
 * ELBv2 only with `loadBalancer:`, SQS and EventBridge only with `events:` or the cluster's
 * event-source marker (an owned event source to prune; never in a narrowed plan).
 * `inputs`: what the controller knows beyond specs and AWS (see PlanInputs). `services`: plan only
 * these services (an ECS event named them), reading only them (see plan/narrow-to-services.ts);
 * what such a plan keeps as it is (`orphan`) is left out, since the rest was not looked at.
 */
export async function planDesiredState(
  desired: DesiredState,
  ports: ClusterPorts,
  inputs: PlanInputs = {},
  services?: ReadonlySet<string>,
): Promise<Plan> {
  const wanted = services ? narrowToServices(desired, services) : desired;
  // Ports are only touched when needed: building the DNS ones loads three more SDK clients.
  const observed = await observeCluster(
    wanted,
    {
      ecsReader: ports.reader,
      ecs: ports.ecs,
      ...(wanted.cluster.dns && ports.dns ? { dns: ports.dns } : {}),
      ...(wanted.cluster.loadBalancer && ports.elbv2 ? { elbv2: ports.elbv2 } : {}),
      ...(wanted.cluster.events && ports.sqs && ports.eventBridge
        ? { events: { sqs: ports.sqs, eventBridge: ports.eventBridge } }
        : {}),
      retiredEvents: () =>
        ports.sqs && ports.eventBridge ? { sqs: ports.sqs, eventBridge: ports.eventBridge } : undefined,
    },
    { narrowed: services !== undefined, specs: specHasher },
  );
  const plan = planCluster(wanted, observed, inputs);
  return services ? { ...plan, actions: plan.actions.filter((a) => a.op !== 'orphan') } : plan;
}

const LOAD_BALANCER_RESOURCES = new Set(['loadBalancer', 'listener', 'targetGroup', 'listenerRule']);
const EVENT_RESOURCES = new Set(['eventQueue', 'eventRule']);

/**
 * Runs a plan and keeps the reader's revision cache in step with what was registered. A plan with
 * errors is never applied (fail closed): callers check `plan.errors` and this refuses too.
 */
export async function applyPlan(
  plan: Plan,
  ports: ClusterPorts,
  listener?: ApplyListener,
  removal: Pick<ExecuteOptions, 'drainWaitMs' | 'clock' | 'pollMs'> = {},
): Promise<ActionResult[]> {
  if (plan.errors.length > 0) throw new PlanRefusedError(plan.errors.length);
  const results = await executePlan(plan, {
    ...removal,
    onRetired: (family, arns) => ports.reader.retired(family, arns),
    ecs: ports.ecs,
    ...(plan.actions.some((a) => a.resource === 'dnsRecord') && ports.dns
      ? { route53: ports.dns.route53 }
      : {}),
    ...(ports.elbv2 && plan.actions.some((a) => LOAD_BALANCER_RESOURCES.has(a.resource))
      ? { elbv2: ports.elbv2 }
      : {}),
    // The plan first: touching the ports loads the SQS and EventBridge SDK clients.
    ...(plan.actions.some((a) => EVENT_RESOURCES.has(a.resource)) && ports.sqs && ports.eventBridge
      ? { events: { sqs: ports.sqs, eventBridge: ports.eventBridge } }
      : {}),
    listener,
    onRegistered: (family, observed) => ports.reader.remember(family, observed),
  });
  // A cleanup that did not run is tried again by this process (a new one finds it at the family's
  // next change, or from a service whose deploy did not finish).
  for (const r of results) {
    if (r.resource === 'revisions' && (r.outcome === 'skipped' || r.outcome === 'failed')) {
      ports.reader.cleanupUnfinished(r.name);
    }
  }
  return results;
}
