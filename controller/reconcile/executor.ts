import type { EcsPort } from '../aws/ecs-port';
import type { Route53Port } from '../aws/route53-port';
import type { Elbv2Port } from '../aws/elbv2-port';
import type { EventWritePorts } from './events-steps';
import type { Plan } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import type { ObservedTaskDefinition } from '../model/observed';
import type { ApplyListener } from './apply-listener';
import { applyDnsActions } from './dns-executor';
import { type Clock, systemClock } from '../aws/clock';
import { resultOf } from './result-of';
import { createScheduler } from './scheduler';
import { performAction } from './step-runner';
import { BalancerVpcs } from './elbv2-steps';

export interface ExecuteOptions {
  ecs: EcsPort;
  /** Needed when the plan has dnsRecord actions. */
  route53?: Route53Port;
  /** Needed when the plan has load balancer actions (balancer, listeners, target groups, rules). */
  elbv2?: Elbv2Port;
  /** Needed when the plan has event source actions (queues, the rule and its target). */
  events?: EventWritePorts;
  listener?: ApplyListener;
  /** Told about every revision registered, so a process-wide cache stays right without re-reading. */
  onRegistered?: (family: string, observed: ObservedTaskDefinition) => void;
  /** Told when revisions of a family were deregistered (its cached newest revision may be gone). */
  onRetired?: (family: string, taskDefinitions: readonly string[]) => void;
  /**
   * How long a pruned service's tasks may take to stop before the delete is left to the next
   * reconcile. `apply` waits (its --timeout); the controller does not (0) and looks again soon.
   */
  drainWaitMs?: number;
  clock?: Clock;
  pollMs?: number;
  /** Progress lines of long waits (destroy's drains). */
  onProgress?: (message: string) => void;
}

/**
 * Runs a plan's actions through the port, in three parts: the ECS actions in dependency order
 * (scheduler.ts; each action's calls by step-runner.ts), the DNS records alongside (they do not
 * depend on ECS resources: their values come from the target, not the tasks), and housekeeping
 * (old revisions) last, one family at a time, so that it never competes with the real work for
 * write tokens, and only when the real work succeeded: a failed create may be retried with a
 * revision that housekeeping would otherwise have retired meanwhile. (A family's cleanup after its
 * new revision waits only for that family's register and services: see prune-planner.ts.)
 */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<ActionResult[]> {
  const clock = opts.clock ?? systemClock;
  // `destroy` drains every service under one deadline: one after the other would add up the waits.
  const deadline = clock.now() + (opts.drainWaitMs ?? 0);
  const vpcs = opts.elbv2 ? new BalancerVpcs(opts.elbv2) : undefined;
  const run = createScheduler(
    plan.actions,
    (action, dependencies) =>
      performAction(action, dependencies, {
        ecs: opts.ecs,
        ...(opts.elbv2 ? { elbv2: opts.elbv2 } : {}),
        ...(opts.events ? { events: opts.events } : {}),
        ...(vpcs ? { vpcs } : {}),
        clock,
        drainWaitMs: opts.drainWaitMs ?? 0,
        deadline,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
        ...(opts.onRegistered ? { onRegistered: opts.onRegistered } : {}),
        ...(opts.onRetired ? { onRetired: opts.onRetired } : {}),
      }),
    opts.listener,
  );
  const dnsActions = plan.actions.filter((a) => a.resource === 'dnsRecord');
  const ecsActions = plan.actions.filter((a) => a.resource !== 'dnsRecord' && a.resource !== 'revisions');
  const dns = async (): Promise<ActionResult[]> => {
    if (dnsActions.length === 0) return [];
    if (!opts.route53) throw new Error('internal: a plan with DNS records needs a Route53 port');
    return applyDnsActions(dnsActions, opts.route53, opts.listener);
  };
  const [ecsResults, dnsResults] = await Promise.all([Promise.all(ecsActions.map(run)), dns()]);
  const results = [...ecsResults, ...dnsResults];
  const housekeeping: ActionResult[] = [];
  for (const a of plan.actions) {
    if (a.resource !== 'revisions') continue;
    // A family's cleanup that follows its own new revision waits only for that family's actions:
    // it is the only chance a new process gets to clean up after them. Any other waits for all.
    const failed =
      a.dependsOn.length > 0
        ? results.find(
            (r) => a.dependsOn.includes(r.id) && (r.outcome === 'failed' || r.outcome === 'skipped'),
          )
        : results.find((r) => r.outcome === 'failed');
    housekeeping.push(
      failed && a.op === 'delete'
        ? resultOf(a, 'skipped', `not attempted: ${failed.id} ${failed.outcome}`)
        : await run(a),
    );
  }
  const byResult = new Map([...ecsResults, ...dnsResults, ...housekeeping].map((r) => [r.id, r]));
  return plan.actions.map((a) => byResult.get(a.id) as ActionResult);
}
