import { randomBytes } from 'node:crypto';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsPort } from '../aws/ecs-port';
import type { Route53Port } from '../aws/route53-port';
import type { ActionResult, Outcome, Plan, PlannedAction, Step } from '../plan/plan-types';
import { tagsToMap } from '../model/ownership';
import type { ObservedTaskDefinition } from '../model/observed';
import type { ApplyListener } from './apply-listener';
import { describeAwsError } from '../aws/aws-error';
import { applyDnsActions } from './dns-executor';
import { type Clock, systemClock } from '../aws/clock';
import { pruneService, retireRevisions } from './prune-executor';

export interface ExecuteOptions {
  ecs: EcsPort;
  /** Needed when the plan has dnsRecord actions. */
  route53?: Route53Port;
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
}

/**
 * Runs a plan's actions through the port. Independent actions run concurrently (the port decides how
 * many writes are in flight); an action waits for the actions it depends on, and is `skipped` when one
 * of them did not succeed, while the rest of the plan goes on.
 */
export async function executePlan(plan: Plan, opts: ExecuteOptions): Promise<ActionResult[]> {
  const byId = new Map(plan.actions.map((a) => [a.id, a]));
  const running = new Map<string, Promise<ActionResult>>();
  const clusterAction = plan.actions.find((a) => a.resource === 'cluster');

  const run = (action: PlannedAction): Promise<ActionResult> => {
    let p = running.get(action.id);
    if (!p) {
      p = runAction(action);
      running.set(action.id, p);
    }
    return p;
  };

  const runAction = async (action: PlannedAction): Promise<ActionResult> => {
    // Services live in the cluster: if creating it (or associating the capacity providers they
    // use) failed, creating or updating them cannot work. A failed cluster tag update blocks nothing.
    const deps = [...action.dependsOn];
    const clusterShapes =
      clusterAction?.op === 'create' ||
      clusterAction?.steps.some((st) => st.call === 'putClusterCapacityProviders');
    if (action.resource === 'service' && clusterAction && clusterShapes) deps.push(clusterAction.id);
    const depResults = await Promise.all(
      deps.filter((id) => byId.has(id)).map((id) => run(byId.get(id) as PlannedAction)),
    );
    const blocked = depResults.find((r) => r.outcome === 'failed' || r.outcome === 'skipped');
    let result: ActionResult;
    if (action.op === 'none') {
      result = base(action, 'unchanged', action.reason);
      if (action.pending !== undefined) result.pending = action.pending;
    } else if (action.op === 'orphan') {
      // Nothing changed, by the config's choice (`prune: false`): not a failure to converge.
      result = base(action, 'unchanged', action.reason);
    } else if (action.op === 'conflict') {
      result = base(action, 'skipped', `conflict: ${action.reason}`);
    } else if (blocked) {
      result = base(action, 'skipped', `not attempted: ${blocked.id} was ${blocked.outcome}`);
    } else {
      opts.listener?.actionStarted?.(action);
      result = await perform(action, producedArns(depResults));
    }
    opts.listener?.actionFinished?.(action, result);
    return result;
  };

  const perform = async (action: PlannedAction, arns: Map<string, string>): Promise<ActionResult> => {
    const removal = action.steps[0];
    if (removal?.call === 'pruneService' || removal?.call === 'retireRevisions') {
      try {
        const r =
          removal.call === 'pruneService'
            ? await pruneService(removal, {
                ecs: opts.ecs,
                drainWaitMs: opts.drainWaitMs ?? 0,
                clock: opts.clock ?? systemClock,
                ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
              })
            : await retireRevisions(removal, opts.ecs);
        const result: ActionResult = { ...base(action, r.outcome, r.message) };
        if (r.arn) result.arn = r.arn;
        const pending = r.pending ?? action.pending;
        if (pending !== undefined) result.pending = pending;
        return result;
      } catch (err) {
        const { code, message } = describeAwsError(err);
        return { ...base(action, 'failed', `${code}: ${message}`), errorCode: code };
      } finally {
        if (removal.call === 'retireRevisions') opts.onRetired?.(removal.family, removal.taskDefinitions);
      }
    }
    let produced: StepOutput = {};
    try {
      for (const step of action.steps) produced = { ...produced, ...(await runStep(step, arns, action)) };
    } catch (err) {
      const { code, message } = describeAwsError(err);
      return { ...base(action, 'failed', `${code}: ${message}`), errorCode: code };
    }
    const outcome: Outcome = action.op === 'create' ? 'created' : 'updated';
    return { ...base(action, outcome, action.reason), ...produced };
  };

  type StepOutput = { arn?: string; taskDefinitionArn?: string };

  const runStep = async (
    step: Step,
    arns: Map<string, string>,
    action: PlannedAction,
  ): Promise<StepOutput> => {
    switch (step.call) {
      case 'createCluster':
        return { arn: (await opts.ecs.createCluster(step.input)).cluster?.clusterArn };
      case 'putClusterCapacityProviders':
        return { arn: (await opts.ecs.putClusterCapacityProviders(step.input)).cluster?.clusterArn };
      case 'registerTaskDefinition': {
        const out = await opts.ecs.registerTaskDefinition(step.input);
        const td = out.taskDefinition as TaskDefinition;
        // AWS echoes the tags; a backend that does not (moto) registered the ones we sent.
        opts.onRegistered?.(action.name, {
          taskDefinition: td,
          tags: tagsToMap(out.tags ?? step.input.tags),
        });
        return { arn: td.taskDefinitionArn };
      }
      case 'createService': {
        // A fresh token per attempt at creating: the SDK's retries of this request reuse it (so a
        // retried create is idempotent), while a later re-creation of the same name gets its own.
        const input = { ...step.input, taskDefinition: resolveArn(step, arns), clientToken: randomToken() };
        const service = (await opts.ecs.createService(input)).service;
        return {
          arn: service?.serviceArn,
          taskDefinitionArn: service?.taskDefinition ?? input.taskDefinition,
        };
      }
      case 'updateService': {
        const input = step.taskDefinitionFrom
          ? { ...step.input, taskDefinition: resolveArn(step, arns) }
          : step.input;
        const service = (await opts.ecs.updateService(input)).service;
        // The ARN AWS reports, not the spec's spelling (a pinned `family:3` is returned as a full ARN).
        return {
          arn: service?.serviceArn,
          ...(input.taskDefinition ? { taskDefinitionArn: service?.taskDefinition } : {}),
        };
      }
      case 'tagResource':
        await opts.ecs.tagResource({ resourceArn: step.arn, tags: step.tags });
        return { arn: step.arn };
      case 'untagResource':
        await opts.ecs.untagResource({ resourceArn: step.arn, tagKeys: step.keys });
        return { arn: step.arn };
      case 'changeRecords':
        throw new Error('internal: DNS changes are applied by the DNS executor');
      case 'pruneService':
      case 'retireRevisions':
        throw new Error(`internal: ${step.call} is an action of its own`);
    }
  };

  // DNS records do not depend on ECS resources (their values come from the target, not the tasks),
  // so they are applied alongside, batched per hosted zone.
  const dnsActions = plan.actions.filter((a) => a.resource === 'dnsRecord');
  const ecsActions = plan.actions.filter((a) => a.resource !== 'dnsRecord' && a.resource !== 'revisions');
  const dns = async (): Promise<ActionResult[]> => {
    if (dnsActions.length === 0) return [];
    if (!opts.route53) throw new Error('internal: a plan with DNS records needs a Route53 port');
    return applyDnsActions(dnsActions, opts.route53, opts.listener);
  };
  const [ecsResults, dnsResults] = await Promise.all([Promise.all(ecsActions.map(run)), dns()]);
  // Housekeeping after the real work, one family at a time: it never competes with it for write tokens.
  // And only when the real work succeeded: a failed create may be retried with a revision that
  // housekeeping would otherwise have retired meanwhile.
  const failed = [...ecsResults, ...dnsResults].find((r) => r.outcome === 'failed');
  const housekeeping: ActionResult[] = [];
  for (const a of plan.actions) {
    if (a.resource !== 'revisions') continue;
    housekeeping.push(
      failed && a.op === 'delete' ? base(a, 'skipped', `not attempted: ${failed.id} failed`) : await run(a),
    );
  }
  const byResult = new Map([...ecsResults, ...dnsResults, ...housekeeping].map((r) => [r.id, r]));
  return plan.actions.map((a) => byResult.get(a.id) as ActionResult);
}

function base(action: PlannedAction, outcome: Outcome, message: string): ActionResult {
  const result: ActionResult = {
    id: action.id,
    resource: action.resource,
    name: action.name,
    outcome,
    message,
  };
  if (action.source) result.source = action.source;
  return result;
}

function producedArns(results: ActionResult[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of results) if (r.arn) m.set(r.id, r.arn);
  return m;
}

function resolveArn(
  step: Extract<Step, { call: 'createService' | 'updateService' }>,
  arns: Map<string, string>,
): string | undefined {
  if (!step.taskDefinitionFrom) return step.input.taskDefinition;
  const arn = arns.get(step.taskDefinitionFrom.actionId);
  // The planner made the service depend on that action, so a missing ARN is a planner bug.
  if (!arn) throw new Error(`internal: no task definition ARN from ${step.taskDefinitionFrom.actionId}`);
  return arn;
}

/** 32 hex characters: within CreateService's 36-character client token limit. */
function randomToken(): string {
  return randomBytes(16).toString('hex');
}
