import type {
  CreateListenerInput,
  CreateLoadBalancerInput,
  CreateRuleInput,
  CreateTargetGroupInput,
  ModifyListenerInput,
  ModifyRuleInput,
  ModifyTargetGroupInput,
  SetSecurityGroupsInput,
  SetSubnetsInput,
  TargetGroupAttribute,
  CreateClusterRequest,
  CreateServiceRequest,
  PutClusterCapacityProvidersRequest,
  RegisterTaskDefinitionRequest,
  Tag,
  UpdateServiceRequest,
} from '../model/aws-types';
import type { Change } from '../model/aws-types';
import type { SourceRef } from '../model/source';
import type { RedactionConfig } from '../model/secret-detection';
import type { ResourceType } from '../model/action-result';

/**
 * One field that differs. `path` is dotted, with array items of objects that have a `name` (or
 * `containerName`, `sourceVolume`, ...) keyed by it: `containerDefinitions[web].image`.
 * `before`/`after` undefined means the field is absent on that side.
 */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
  /**
   * A secret was replaced in `before`/`after` (plan/redact-changes.ts): the values are markers such
   * as `(sensitive value changed)`, never the secret.
   */
  sensitive?: true;
}

/** Placeholder used in a step's `taskDefinition` until the executor knows the new revision's ARN. */
export interface TaskDefinitionFrom {
  /** Id of the `taskDefinition/<family>` action whose registered ARN goes into `taskDefinition`. */
  actionId: string;
}

/** One AWS call the executor makes for an action. The plan decides every field of it. */
export type Step =
  | { call: 'createCluster'; input: CreateClusterRequest }
  | { call: 'putClusterCapacityProviders'; input: PutClusterCapacityProvidersRequest }
  | { call: 'registerTaskDefinition'; input: RegisterTaskDefinitionRequest }
  | { call: 'createService'; input: CreateServiceRequest; taskDefinitionFrom?: TaskDefinitionFrom }
  | { call: 'updateService'; input: UpdateServiceRequest; taskDefinitionFrom?: TaskDefinitionFrom }
  /** Adds or changes tags on an existing resource (tags we manage that differ). */
  /** `taskDefinitionFrom`: the spec-hash tag names a revision this plan registers (filled in then). */
  | { call: 'tagResource'; arn: string; tags: Tag[]; taskDefinitionFrom?: TaskDefinitionFrom }
  /** Removes tags of ours that no longer apply (the pruning mark of a service whose spec came back). */
  | { call: 'untagResource'; arn: string; keys: string[] }
  /**
   * Route53 changes for ONE record and its TXT ownership record, which must stay atomic. The
   * executor packs the dnsRecord actions of a zone into as few ChangeResourceRecordSets batches as
   * the limits allow (plan/dns-batches.ts), and retries a rejected batch one action at a time.
   */
  | { call: 'changeRecords'; zoneId: string; changes: Change[] }
  /**
   * Removes a service ecs-gitops owns and the specs no longer ask for: scale to 0 (when above),
   * wait for its tasks to stop (as long as the executor may wait), then delete. Ownership is read
   * again before the scale-down and before the delete; a service that is no longer ours is skipped.
   */
  | { call: 'pruneService'; cluster: string; service: string; owner: OwnerRef }
  /**
   * Deregisters these revisions (and deletes them when `delete`), each after reading its tags again:
   * one that is no longer ACTIVE or not ours is skipped.
   */
  | { call: 'retireRevisions'; family: string; taskDefinitions: string[]; delete: boolean; owner: OwnerRef }
  /**
   * `destroy --drain`: scales a service of the cluster being destroyed to 0 (when above), waits for
   * its tasks to stop (until the destroy's one deadline), deletes it. Ownership (this owner id) is
   * read again before each change; a service that is no longer ours is skipped.
   */
  | { call: 'drainService'; cluster: string; service: string; ownerId: string }
  /**
   * `destroy`: waits until these services are gone (DeleteCluster fails while any is DRAINING), reads
   * the cluster's ownership again, deletes the cluster.
   */
  | { call: 'deleteCluster'; cluster: string; ownerId: string; services: string[] }
  // The shared load balancer (ELBv2). Any string in an input may be a reference to what an earlier
  // action made (plan/lb-refs.ts): `{{targetGroup/x}}` is that action's ARN, `{{loadBalancer/x|vpc}}`
  // the VPC of the balancer it created; the executor fills them in.
  | { call: 'createLoadBalancer'; input: CreateLoadBalancerInput }
  | { call: 'setSecurityGroups'; input: SetSecurityGroupsInput }
  | { call: 'setSubnets'; input: SetSubnetsInput }
  | { call: 'createListener'; input: CreateListenerInput }
  | { call: 'modifyListener'; input: ModifyListenerInput }
  /**
   * CreateTargetGroup, then its attributes. A create retried after a lost answer finds the group it
   * made by name (AWS returns it; a DuplicateTargetGroupName is checked for our tags).
   */
  | { call: 'createTargetGroup'; input: CreateTargetGroupInput; attributes: TargetGroupAttribute[] }
  | { call: 'modifyTargetGroup'; input: ModifyTargetGroupInput }
  | { call: 'modifyTargetGroupAttributes'; arn: string; attributes: TargetGroupAttribute[] }
  /** CreateRule with our tags. A retry after a lost answer finds the rule at its priority by its tags. */
  | { call: 'createRule'; input: CreateRuleInput }
  | { call: 'modifyRule'; input: ModifyRuleInput }
  /** Adds or changes tags of an ELBv2 resource of ours. */
  | { call: 'tagElbResource'; arn: string; tags: Tag[] }
  /** Deletes an ELBv2 resource after reading its tags again: one no longer ours is skipped. */
  | {
      call: 'deleteElbResource';
      kind: 'rule' | 'targetGroup' | 'listener' | 'loadBalancer';
      arn: string;
      owner: OwnerRef;
      /** Part of `destroy` (a reviewer reads "delete"), not of pruning what the specs dropped. */
      destroying?: true;
    }
  // The ECS event source (SQS and EventBridge). Every ARN is known to the plan (they follow from the
  // names, model/events.ts), so no step waits for another's output.
  /**
   * CreateQueue with every attribute we manage and our tags. Repeated after a lost answer it returns
   * the same queue; a queue of that name with other attributes is used once its tags show it is ours.
   */
  | { call: 'createQueue'; name: string; attributes: Record<string, string>; tags: Record<string, string> }
  /** SetQueueAttributes on a queue of ours, found by name (its URL is not part of the plan). */
  | { call: 'setQueueAttributes'; name: string; attributes: Record<string, string> }
  | { call: 'tagQueue'; name: string; tags: Tag[] }
  /** PutRule on the default event bus: creates the rule, or sets its pattern, description and state. */
  | { call: 'putRule'; name: string; eventPattern: string; description: string; tags: Tag[] }
  /** PutTargets: adds or replaces the targets of these Ids (an Id's other settings are cleared). */
  | { call: 'putTargets'; rule: string; targets: { id: string; arn: string }[] }
  | { call: 'tagEventRule'; arn: string; tags: Tag[] }
  /**
   * Deletes a queue, or a rule with all its targets, after reading its tags again: one no longer
   * ours is skipped, one already gone is done.
   */
  | {
      call: 'deleteEventResource';
      kind: 'queue' | 'rule';
      name: string;
      owner: OwnerRef;
      destroying?: true;
    };

/** Whose resources a delete may touch: the ownership tags must name this owner id and cluster. */
export interface OwnerRef {
  ownerId: string;
  cluster: string;
}

/**
 * `orphan`: ecs-gitops owns it and no spec asks for it, but `prune: false` keeps it (reported every
 * reconcile, never deleted).
 */
export type ActionOp = 'create' | 'update' | 'delete' | 'none' | 'conflict' | 'orphan';

export interface PlannedAction {
  /**
   * `cluster/<name>`, `taskDefinition/<family>`, `service/<name>`, `dnsRecord/<fqdn>/<type>`.
   * Unique within a plan.
   */
  id: string;
  resource: ResourceType;
  /** Cluster name, family, or service name. */
  name: string;
  op: ActionOp;
  /** One line a person reads: why this action (or why nothing). */
  reason: string;
  /** Field-level differences, desired vs live (normalized); empty for `none`. */
  changes: FieldChange[];
  source?: SourceRef;
  /** Action ids that must succeed first; if one fails, this one is `skipped`. */
  dependsOn: string[];
  /** The calls to make, in order; empty for `none`, `conflict` and `orphan`. */
  steps: Step[];
  /**
   * Set when the resource exists without ownership tags and the plan takes it over (`adopt: true`):
   * the live resource and the tags that make it ours. `ecs-gitops adopt` applies only these tags.
   */
  adopting?: { arn: string; tags: Tag[] };
  /** Set when the resource belongs to another ecs-gitops owner id (never taken over): that id. */
  otherOwner?: string;
  /** The action deletes a resource of ours and makes a new one in its place (a DNS record changing type). */
  replaces?: true;
  /**
   * Not finished: waiting for something that ends on its own (a pruned service's tasks to stop, a
   * renamed service's successor to become stable, more old revisions than one reconcile cleans up).
   * The controller looks again soon instead of at the resync interval.
   */
  pending?: string;
}

/**
 * A problem found while planning that makes the whole cluster's plan unsafe to apply, like a spec
 * error found late (a host name for which no hosted zone exists). A plan with errors is not applied.
 */
export interface PlanError {
  message: string;
  /** Dotted field, as in SpecError (`containerDefinitions[web].dockerLabels.proxy.host`). */
  field?: string;
  source?: SourceRef;
}

/** The plan for one cluster directory. Pure data: same input, same plan. */
export interface Plan {
  cluster: string;
  region?: string;
  dir: string;
  /** In dependency order: cluster, task definitions, services, DNS records. */
  actions: PlannedAction[];
  /** Non-empty: do not apply this plan (fail closed). */
  errors: PlanError[];
  /**
   * cluster.yaml's `redaction:` when it has one: every output shows it, so that a reviewer sees
   * which secret-looking names have their values shown (`exempt`) and which extra patterns apply.
   */
  redaction?: RedactionConfig;
}

/**
 * What the planner is told beyond the specs and AWS: facts only the controller knows, as plain data
 * (so that `diff` and `apply` decide the same from the same input).
 */
export interface PlanInputs {
  /**
   * Services whose rollout failed (the circuit breaker rolled back, or it timed out) for the commit
   * being planned: they are not deployed again until a new commit.
   */
  failedRollouts?: readonly string[];
}

export function planHasChanges(plan: Plan): boolean {
  return plan.actions.some((a) => a.op === 'create' || a.op === 'update' || a.op === 'delete');
}

export function planConflicts(plan: Plan): PlannedAction[] {
  return plan.actions.filter((a) => a.op === 'conflict');
}
