import type { Elbv2Port } from '../aws/elbv2-port';
import { describeAwsError } from '../aws/aws-error';
import { TAG_ROUTE, TAG_TARGET } from '../model/load-balancer';
import { elbTagsToMap, ownedBy, TAG_CLUSTER, type TagMap } from '../model/ownership';
import { readTags } from '../observe/elbv2-reader';
import { fillRefs, refsIn, vpcRef } from '../plan/lb-refs';
import type { Step } from '../plan/plan-types';
import type { StepResult } from './prune-executor';

/**
 * The ELBv2 calls of the shared load balancer's actions. Every create is safe to repeat after an
 * answer was lost: a second CreateTargetGroup or CreateLoadBalancer with the same settings returns
 * the first (AWS), and where a backend answers "duplicate" instead (moto, or a create whose first
 * attempt did land) the resource of that name is used once its tags show it is ours; a CreateRule
 * that finds its priority taken checks whether the rule there is the one it was making.
 */

export type ElbStep = Extract<
  Step,
  {
    call:
      | 'createLoadBalancer'
      | 'setSecurityGroups'
      | 'setSubnets'
      | 'createListener'
      | 'modifyListener'
      | 'createTargetGroup'
      | 'modifyTargetGroup'
      | 'modifyTargetGroupAttributes'
      | 'createRule'
      | 'modifyRule'
      | 'tagElbResource';
  }
>;

export function isElbStep(step: Step): step is ElbStep {
  return ELB_CALLS.has(step.call);
}

const ELB_CALLS = new Set<string>([
  'createLoadBalancer',
  'setSecurityGroups',
  'setSubnets',
  'createListener',
  'modifyListener',
  'createTargetGroup',
  'modifyTargetGroup',
  'modifyTargetGroupAttributes',
  'createRule',
  'modifyRule',
  'tagElbResource',
]);

/**
 * The VPC of each balancer this run created, read once per balancer (DescribeLoadBalancers) however
 * many target groups are created for it; the plan cannot know it, as the balancer did not exist.
 * One per run: the answer is the same for the whole apply.
 */
export class BalancerVpcs {
  private readonly byArn = new Map<string, Promise<string | undefined>>();

  constructor(private readonly elbv2: Pick<Elbv2Port, 'describeLoadBalancers'>) {}

  of(arn: string): Promise<string | undefined> {
    let vpc = this.byArn.get(arn);
    if (!vpc) {
      // The creates that need it run at once: they share the one read in flight.
      vpc = this.elbv2
        .describeLoadBalancers({ LoadBalancerArns: [arn] })
        .then((out) => out.LoadBalancers?.[0]?.VpcId);
      // A failed read is not kept: the next step that needs the VPC asks again.
      vpc.catch(() => this.byArn.delete(arn));
      this.byArn.set(arn, vpc);
    }
    return vpc;
  }
}

/**
 * Fills the references of a step (or any step input) from the ARNs earlier actions produced; a
 * balancer's VPC comes from `vpcs` (only a balancer created by this plan is referred to that way).
 */
export async function resolveRefs<T>(
  value: T,
  arns: Map<string, string>,
  vpcs: BalancerVpcs | undefined,
): Promise<T> {
  const found = new Map<string, string>();
  for (const id of refsIn(value)) {
    const arn = arns.get(id);
    if (!arn || !id.startsWith('loadBalancer/') || !vpcs) continue;
    if (!JSON.stringify(value).includes(vpcRef(id))) continue;
    const vpc = await vpcs.of(arn);
    if (vpc) found.set(id, vpc);
  }
  return fillRefs(value, { arn: (id) => arns.get(id), vpc: (id) => found.get(id) });
}

export async function runElbStep(step: ElbStep, elbv2: Elbv2Port): Promise<{ arn?: string }> {
  switch (step.call) {
    case 'createLoadBalancer':
      return { arn: await createLoadBalancer(step, elbv2) };
    case 'setSecurityGroups':
      await elbv2.setSecurityGroups(step.input);
      return { arn: step.input.LoadBalancerArn };
    case 'setSubnets':
      await elbv2.setSubnets(step.input);
      return { arn: step.input.LoadBalancerArn };
    case 'createListener':
      return { arn: await createListener(step, elbv2) };
    case 'modifyListener':
      await elbv2.modifyListener(step.input);
      return { arn: step.input.ListenerArn };
    case 'createTargetGroup': {
      const arn = await createTargetGroup(step, elbv2);
      await elbv2.modifyTargetGroupAttributes({ TargetGroupArn: arn, Attributes: step.attributes });
      return { arn };
    }
    case 'modifyTargetGroup':
      await elbv2.modifyTargetGroup(step.input);
      return { arn: step.input.TargetGroupArn };
    case 'modifyTargetGroupAttributes':
      await elbv2.modifyTargetGroupAttributes({ TargetGroupArn: step.arn, Attributes: step.attributes });
      return { arn: step.arn };
    case 'createRule':
      return { arn: await createRule(step, elbv2) };
    case 'modifyRule':
      await elbv2.modifyRule(step.input);
      return { arn: step.input.RuleArn };
    case 'tagElbResource':
      await elbv2.addTags({
        ResourceArns: [step.arn],
        Tags: step.tags.map((t) => ({ Key: t.key ?? '', Value: t.value ?? '' })),
      });
      return { arn: step.arn };
  }
}

/**
 * The ELBv2 error code without the SDK's `Exception` suffix (`DuplicateTargetGroupNameException`
 * from the SDK, `DuplicateTargetGroupName` in the API reference and on the wire).
 */
function codeOf(err: unknown): string {
  return describeAwsError(err).code.replace(/Exception$/, '');
}

async function tagsOf(elbv2: Elbv2Port, arn: string): Promise<TagMap> {
  return (await readTags([arn], elbv2)).get(arn) ?? {};
}

/** The tags we write carry these; a resource found by name is ours when it has the same values. */
function sameOwner(want: TagMap, have: TagMap, keys: readonly string[]): boolean {
  return keys.every((k) => want[k] === undefined || want[k] === have[k]);
}

const OWNER_KEYS = ['ecs-gitops:managed-by', 'ecs-gitops:owner', TAG_CLUSTER];

/**
 * A create answered `duplicate` (the first attempt landed and its answer was lost, or a backend
 * that is not idempotent): the resource `find` names is the one to use if its tags show it is ours
 * (same owner, cluster and, for `keys`, the same route or target); otherwise the error stands.
 */
async function ownedDuplicate(
  err: unknown,
  code: string,
  find: () => Promise<string | undefined>,
  want: TagMap,
  keys: readonly string[],
  elbv2: Elbv2Port,
): Promise<string> {
  if (codeOf(err) !== code) throw err;
  const arn = await find();
  if (!arn || !sameOwner(want, await tagsOf(elbv2, arn), [...OWNER_KEYS, ...keys])) throw err;
  return arn;
}

async function createLoadBalancer(step: Extract<Step, { call: 'createLoadBalancer' }>, elbv2: Elbv2Port) {
  try {
    return (await elbv2.createLoadBalancer(step.input)).LoadBalancers?.[0]?.LoadBalancerArn;
  } catch (err) {
    const find = async () =>
      (await elbv2.describeLoadBalancers({ Names: [step.input.Name ?? ''] })).LoadBalancers?.[0]
        ?.LoadBalancerArn;
    return ownedDuplicate(err, 'DuplicateLoadBalancerName', find, elbTagsToMap(step.input.Tags), [], elbv2);
  }
}

async function createListener(step: Extract<Step, { call: 'createListener' }>, elbv2: Elbv2Port) {
  try {
    return (await elbv2.createListener(step.input)).Listeners?.[0]?.ListenerArn;
  } catch (err) {
    const find = async () =>
      (await elbv2.describeListeners({ LoadBalancerArn: step.input.LoadBalancerArn })).Listeners?.find(
        (l) => l.Port === step.input.Port,
      )?.ListenerArn;
    return ownedDuplicate(err, 'DuplicateListener', find, elbTagsToMap(step.input.Tags), [], elbv2);
  }
}

async function createTargetGroup(step: Extract<Step, { call: 'createTargetGroup' }>, elbv2: Elbv2Port) {
  let arn: string | undefined;
  try {
    arn = (await elbv2.createTargetGroup(step.input)).TargetGroups?.[0]?.TargetGroupArn;
  } catch (err) {
    const find = async () =>
      (await elbv2.describeTargetGroups({ Names: [step.input.Name ?? ''] })).TargetGroups?.[0]
        ?.TargetGroupArn;
    const found = await ownedDuplicate(
      err,
      'DuplicateTargetGroupName',
      find,
      elbTagsToMap(step.input.Tags),
      [TAG_TARGET],
      elbv2,
    );
    // Ours, from an attempt whose answer was lost: bring its health check to what this one asks.
    const i = step.input;
    await elbv2.modifyTargetGroup({
      TargetGroupArn: found,
      HealthCheckProtocol: i.HealthCheckProtocol,
      HealthCheckPath: i.HealthCheckPath,
      HealthCheckIntervalSeconds: i.HealthCheckIntervalSeconds,
      HealthCheckTimeoutSeconds: i.HealthCheckTimeoutSeconds,
      HealthyThresholdCount: i.HealthyThresholdCount,
      UnhealthyThresholdCount: i.UnhealthyThresholdCount,
      Matcher: i.Matcher,
    });
    return found;
  }
  if (!arn) throw new Error('CreateTargetGroup returned no target group');
  return arn;
}

async function createRule(step: Extract<Step, { call: 'createRule' }>, elbv2: Elbv2Port) {
  try {
    return (await elbv2.createRule(step.input)).Rules?.[0]?.RuleArn;
  } catch (err) {
    // The priority is taken: by the rule this create made before its answer was lost?
    const find = async () =>
      (await elbv2.describeRules({ ListenerArn: step.input.ListenerArn })).Rules?.find(
        (r) => r.Priority === String(step.input.Priority),
      )?.RuleArn;
    const arn = await ownedDuplicate(
      err,
      'PriorityInUse',
      find,
      elbTagsToMap(step.input.Tags),
      [TAG_ROUTE],
      elbv2,
    );
    await elbv2.modifyRule({ RuleArn: arn, Conditions: step.input.Conditions, Actions: step.input.Actions });
    return arn;
  }
}

const NOT_FOUND = new Set([
  'RuleNotFound',
  'TargetGroupNotFound',
  'ListenerNotFound',
  'LoadBalancerNotFound',
]);

/**
 * Deletes one ELBv2 resource of ours: its tags are read again first (it may have been taken over or
 * deleted since the plan was made). Already gone is done; no longer ours is skipped.
 */
export async function deleteElbResource(
  step: Extract<Step, { call: 'deleteElbResource' }>,
  elbv2: Elbv2Port,
): Promise<StepResult> {
  let tags: TagMap;
  try {
    tags = await tagsOf(elbv2, step.arn);
  } catch (err) {
    if (NOT_FOUND.has(codeOf(err))) return { outcome: 'deleted', message: 'already gone' };
    throw err;
  }
  if (!ownedBy(tags, step.owner)) {
    return { outcome: 'skipped', message: 'no longer carries our ownership tags: left as is' };
  }
  try {
    await deleteOne(step, elbv2);
  } catch (err) {
    // It was there and ours a moment ago: not found now means an earlier attempt of this very
    // delete did it and its answer was lost (the SDK sent it again), not that the delete failed.
    if (NOT_FOUND.has(codeOf(err))) return { outcome: 'deleted', message: 'deleted', arn: step.arn };
    throw err;
  }
  return { outcome: 'deleted', message: 'deleted', arn: step.arn };
}

async function deleteOne(step: Extract<Step, { call: 'deleteElbResource' }>, elbv2: Elbv2Port) {
  switch (step.kind) {
    case 'rule':
      await elbv2.deleteRule({ RuleArn: step.arn });
      return;
    case 'targetGroup':
      await elbv2.deleteTargetGroup({ TargetGroupArn: step.arn });
      return;
    case 'listener':
      await elbv2.deleteListener({ ListenerArn: step.arn });
      return;
    case 'loadBalancer':
      await elbv2.deleteLoadBalancer({ LoadBalancerArn: step.arn });
      return;
  }
}
