import type { SourceRef } from './source';

/** Outcome names are fixed everywhere: CLI, logs, metrics, JSON. */
export type Outcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'skipped' | 'failed';

/**
 * `revisions`: old revisions of one family, deregistered together (revision retention).
 * `loadBalancer`, `listener`, `targetGroup`, `listenerRule`: the cluster's shared ALB and what
 * routes `proxy.host` names through it. `eventQueue`, `eventRule`: the cluster's ECS event source
 * (SQS queues, the EventBridge rule with its target).
 */
export type ResourceType =
  | 'cluster'
  | 'taskDefinition'
  | 'service'
  | 'dnsRecord'
  | 'revisions'
  | 'loadBalancer'
  | 'listener'
  | 'targetGroup'
  | 'listenerRule'
  | 'eventQueue'
  | 'eventRule';

/** What happened to one action. */
export interface ActionResult {
  id: string;
  resource: ResourceType;
  name: string;
  outcome: Outcome;
  /** Human-readable detail: new revision, AWS error message, why skipped. */
  message?: string;
  /** AWS error code when failed (e.g. AccessDeniedException). */
  errorCode?: string;
  /** ARN of the resource after the action (the registered revision, the service). */
  arn?: string;
  /** For services created or updated: the task definition revision they were given. */
  taskDefinitionArn?: string;
  /** Set when the action could not finish yet (a pruned service still draining): look again soon. */
  pending?: string;
  /** For DNS records changed: the Route53 change id (`apply --wait` waits until it is INSYNC). */
  changeId?: string;
  /** The spec the action came from (copy of PlannedAction.source): `created  service/x  (x.service:1)`. */
  source?: SourceRef;
}
