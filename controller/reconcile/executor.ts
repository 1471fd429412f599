import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsPort } from '../aws/ecs-port';
import type { ActionResult, Outcome, Plan, PlannedAction, Step } from '../plan/plan-types';
import { tagsToMap } from '../model/ownership';
import type { ObservedTaskDefinition } from '../model/observed';
import type { ApplyListener } from './apply-listener';
import { describeAwsError } from './aws-error';

export interface ExecuteOptions {
  ecs: EcsPort;
  listener?: ApplyListener;
  /** Told about every revision registered, so a process-wide cache stays right without re-reading. */
  onRegistered?: (family: string, observed: ObservedTaskDefinition) => void;
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
    // Services live in the cluster: if creating the cluster failed, creating services cannot work.
    const deps = [...action.dependsOn];
    if (action.resource === 'service' && clusterAction && clusterAction.op === 'create')
      deps.push(clusterAction.id);
    const depResults = await Promise.all(
      deps.filter((id) => byId.has(id)).map((id) => run(byId.get(id) as PlannedAction)),
    );
    const blocked = depResults.find((r) => r.outcome === 'failed' || r.outcome === 'skipped');
    let result: ActionResult;
    if (action.op === 'none') {
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
    let arn: string | undefined;
    let taskDefinitionArn: string | undefined;
    try {
      for (const step of action.steps) {
        if (step.call === 'createService' || step.call === 'updateService')
          taskDefinitionArn = resolveArn(step, arns);
        arn = (await runStep(step, arns, action)) ?? arn;
      }
    } catch (err) {
      const { code, message } = describeAwsError(err);
      return { ...base(action, 'failed', `${code}: ${message}`), errorCode: code };
    }
    const outcome: Outcome = action.op === 'create' ? 'created' : 'updated';
    return {
      ...base(action, outcome, action.reason),
      arn,
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
    };
  };

  const runStep = async (
    step: Step,
    arns: Map<string, string>,
    action: PlannedAction,
  ): Promise<string | undefined> => {
    switch (step.call) {
      case 'createCluster':
        return (await opts.ecs.createCluster(step.input)).cluster?.clusterArn;
      case 'registerTaskDefinition': {
        const out = await opts.ecs.registerTaskDefinition(step.input);
        const td = out.taskDefinition as TaskDefinition;
        // AWS echoes the tags; a backend that does not (moto) registered the ones we sent.
        opts.onRegistered?.(action.name, {
          taskDefinition: td,
          tags: tagsToMap(out.tags ?? step.input.tags),
        });
        return td.taskDefinitionArn;
      }
      case 'createService': {
        const input = { ...step.input, taskDefinition: resolveArn(step, arns) };
        return (await opts.ecs.createService(input)).service?.serviceArn;
      }
      case 'updateService': {
        const input = step.taskDefinitionFrom
          ? { ...step.input, taskDefinition: resolveArn(step, arns) }
          : step.input;
        return (await opts.ecs.updateService(input)).service?.serviceArn;
      }
      case 'tagResource':
        await opts.ecs.tagResource({ resourceArn: step.arn, tags: step.tags });
        return step.arn;
    }
  };

  return Promise.all(plan.actions.map(run));
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
