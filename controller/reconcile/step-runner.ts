import { randomBytes } from 'node:crypto';
import type { EcsPort } from '../aws/ecs-port';
import type { PlannedAction, Step } from '../plan/plan-types';
import type { ActionResult, Outcome } from '../model/action-result';
import { type Tag, tagsToMap } from '../model/ownership';
import { parseServiceSpecHash, serviceSpecHash, TAG_SPEC_HASH } from '../model/spec-hash-tag';
import { shortTaskDefinition } from '../model/naming';
import type { ObservedTaskDefinition } from '../model/observed';
import type { Clock } from '../aws/clock';
import { failedResult, resultOf } from './result-of';
import { registerIdempotently } from './register-idempotently';
import { pruneService, retireRevisions, type StepResult } from './prune-executor';
import { deleteCluster, drainService } from './destroy-steps';
import type { Elbv2Port } from '../aws/elbv2-port';
import { type BalancerVpcs, deleteElbResource, isElbStep, resolveRefs, runElbStep } from './elbv2-steps';
import { deleteEventResource, type EventWritePorts, isEventStep, runEventStep } from './events-steps';

export interface StepRunnerOptions {
  ecs: EcsPort;
  /** Needed when the plan has load balancer actions. */
  elbv2?: Elbv2Port;
  /** Needed when the plan has event source actions (queues, the rule). */
  events?: EventWritePorts;
  /** The VPCs of the balancers the plan creates, shared by all of one run's actions. */
  vpcs?: BalancerVpcs;
  clock: Clock;
  /** How long a pruned service's tasks may take to stop (see ExecuteOptions.drainWaitMs). */
  drainWaitMs: number;
  pollMs?: number;
  onRegistered?: (family: string, observed: ObservedTaskDefinition) => void;
  onRetired?: (family: string, taskDefinitions: readonly string[]) => void;
  /** Epoch ms: when `destroy`'s drains give up (one deadline for the whole plan). */
  deadline: number;
  /** Progress lines of the long waits (destroy's drains). */
  onProgress?: (message: string) => void;
}

/**
 * Makes the port calls of one action, in order, and says what happened. A step that fails stops the
 * action (`failed`, with the AWS error code); the steps before it stay done. `dependencies` are the
 * results of the actions it depends on: a new revision's ARN comes from there.
 */
export async function performAction(
  action: PlannedAction,
  dependencies: readonly ActionResult[],
  opts: StepRunnerOptions,
): Promise<ActionResult> {
  const first = action.steps[0];
  if (first && isRemoval(first)) return performRemoval(action, first, opts);
  const arns = producedArns(dependencies);
  let produced: StepOutput = {};
  try {
    for (const planned of action.steps) {
      // References to what earlier actions made (a new target group's ARN) are filled in here.
      const step = await resolveRefs(planned, arns, opts.vpcs);
      produced = { ...produced, ...(await runStep(step, arns, action, opts)) };
    }
  } catch (err) {
    return failedResult(action, err);
  }
  const outcome: Outcome = action.op === 'create' ? 'created' : 'updated';
  return { ...resultOf(action, outcome, action.reason), ...produced };
}

type Removal = Extract<
  Step,
  {
    call:
      | 'pruneService'
      | 'retireRevisions'
      | 'drainService'
      | 'deleteCluster'
      | 'deleteElbResource'
      | 'deleteEventResource';
  }
>;

function isRemoval(step: Step): step is Removal {
  return (
    step.call === 'pruneService' ||
    step.call === 'retireRevisions' ||
    step.call === 'drainService' ||
    step.call === 'deleteCluster' ||
    step.call === 'deleteElbResource' ||
    step.call === 'deleteEventResource'
  );
}

/**
 * Removals (pruning, retiring revisions, destroy's drains and cluster delete) are one step each that
 * reads ownership again and decides its own outcome (prune-executor.ts, destroy-steps.ts).
 */
async function performRemoval(
  action: PlannedAction,
  removal: Removal,
  opts: StepRunnerOptions,
): Promise<ActionResult> {
  const poll = opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {};
  const destroying = {
    ecs: opts.ecs,
    clock: opts.clock,
    deadline: opts.deadline,
    ...poll,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  try {
    let r: StepResult;
    if (removal.call === 'pruneService') {
      r = await pruneService(removal, {
        ecs: opts.ecs,
        drainWaitMs: opts.drainWaitMs,
        clock: opts.clock,
        ...poll,
      });
    } else if (removal.call === 'retireRevisions') {
      r = await retireRevisions(removal, opts.ecs);
    } else if (removal.call === 'deleteElbResource') {
      r = await deleteElbResource(removal, elbv2Of(opts));
    } else if (removal.call === 'deleteEventResource') {
      r = await deleteEventResource(removal, eventsOf(opts));
    } else if (removal.call === 'drainService') {
      r = await drainService(removal, destroying);
    } else {
      r = await deleteCluster(removal, destroying);
    }
    const result: ActionResult = resultOf(action, r.outcome, r.message);
    if (r.arn) result.arn = r.arn;
    const pending = r.pending ?? action.pending;
    if (pending !== undefined) result.pending = pending;
    return result;
  } catch (err) {
    return failedResult(action, err);
  } finally {
    if (removal.call === 'retireRevisions') opts.onRetired?.(removal.family, removal.taskDefinitions);
  }
}

type StepOutput = { arn?: string; taskDefinitionArn?: string };

async function runStep(
  step: Step,
  arns: Map<string, string>,
  action: PlannedAction,
  opts: StepRunnerOptions,
): Promise<StepOutput> {
  const { ecs } = opts;
  if (isElbStep(step)) return runElbStep(step, elbv2Of(opts));
  if (isEventStep(step)) return runEventStep(step, eventsOf(opts));
  switch (step.call) {
    case 'createCluster':
      return { arn: (await ecs.createCluster(step.input)).cluster?.clusterArn };
    case 'putClusterCapacityProviders':
      return { arn: (await ecs.putClusterCapacityProviders(step.input)).cluster?.clusterArn };
    case 'registerTaskDefinition': {
      const out = await registerIdempotently(ecs, step.input, opts.clock);
      const td = out.taskDefinition;
      // AWS echoes the tags; a backend that does not (moto) registered the ones we sent.
      opts.onRegistered?.(action.name, { taskDefinition: td, tags: tagsToMap(out.tags ?? step.input.tags) });
      return { arn: td.taskDefinitionArn };
    }
    case 'createService': {
      // A fresh token per attempt at creating: the SDK's retries of this request reuse it (so a
      // retried create is idempotent), while a later re-creation of the same name gets its own.
      const taskDefinition = resolveArn(step, arns);
      const input = {
        ...step.input,
        taskDefinition,
        ...(step.taskDefinitionFrom && step.input.tags
          ? { tags: withRevision(step.input.tags, taskDefinition) }
          : {}),
        clientToken: randomToken(),
      };
      const service = (await ecs.createService(input)).service;
      return { arn: service?.serviceArn, taskDefinitionArn: service?.taskDefinition ?? input.taskDefinition };
    }
    case 'updateService': {
      const input = step.taskDefinitionFrom
        ? { ...step.input, taskDefinition: resolveArn(step, arns) }
        : step.input;
      const service = (await ecs.updateService(input)).service;
      // The ARN AWS reports, not the spec's spelling (a pinned `family:3` is returned as a full ARN).
      return {
        arn: service?.serviceArn,
        ...(input.taskDefinition ? { taskDefinitionArn: service?.taskDefinition } : {}),
      };
    }
    case 'tagResource': {
      const tags = step.taskDefinitionFrom ? withRevision(step.tags, resolveArn(step, arns)) : step.tags;
      await ecs.tagResource({ resourceArn: step.arn, tags });
      return { arn: step.arn };
    }
    case 'untagResource':
      await ecs.untagResource({ resourceArn: step.arn, tagKeys: step.keys });
      return { arn: step.arn };
    case 'changeRecords':
      throw new Error('internal: DNS changes are applied by the DNS executor');
    case 'pruneService':
    case 'retireRevisions':
    case 'drainService':
    case 'deleteCluster':
    case 'deleteElbResource':
    case 'deleteEventResource':
      throw new Error(`internal: ${step.call} is an action of its own`);
  }
}

function elbv2Of(opts: StepRunnerOptions): Elbv2Port {
  if (!opts.elbv2) throw new Error('internal: a plan with load balancer actions needs an ELBv2 port');
  return opts.elbv2;
}

function eventsOf(opts: StepRunnerOptions): EventWritePorts {
  if (!opts.events)
    throw new Error('internal: a plan with event source actions needs SQS and EventBridge ports');
  return opts.events;
}

function producedArns(results: readonly ActionResult[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of results) if (r.arn) m.set(r.id, r.arn);
  return m;
}

/** The spec-hash tag names the revision just registered instead of the plan's placeholder. */
function withRevision<T extends Tag>(tags: T[], arn: string | undefined): T[] {
  return tags.map((t) => {
    const parsed = t.key === TAG_SPEC_HASH ? parseServiceSpecHash(t.value) : undefined;
    return parsed && arn ? { ...t, value: serviceSpecHash(parsed.hash, shortTaskDefinition(arn)) } : t;
  });
}

function resolveArn(
  step: Extract<Step, { call: 'createService' | 'updateService' | 'tagResource' }>,
  arns: Map<string, string>,
): string | undefined {
  if (!step.taskDefinitionFrom) return 'input' in step ? step.input.taskDefinition : undefined;
  const arn = arns.get(step.taskDefinitionFrom.actionId);
  // The planner made the service depend on that action, so a missing ARN is a planner bug.
  if (!arn) throw new Error(`internal: no task definition ARN from ${step.taskDefinitionFrom.actionId}`);
  return arn;
}

/** 32 hex characters: within CreateService's 36-character client token limit. */
function randomToken(): string {
  return randomBytes(16).toString('hex');
}
