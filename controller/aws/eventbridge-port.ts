import type * as eb from '@aws-sdk/client-eventbridge';

/** An SDK output without `$metadata`: what the ports return. */
type Out<T> = Promise<Omit<T, '$metadata'>>;

/*
 * The narrow EventBridge ports of the ECS event source (issue 14): the rule on the default bus
 * that sends the clusters' `aws.ecs` events to the queue, its targets and tags. SDK shapes; one
 * method per API call; errors as the SDK throws them (ResourceNotFoundException,
 * InvalidEventPatternException, ValidationException, ...). Implementations: SdkEventBridgePort
 * (sdk-eventbridge-port.ts) and the strict SandboxEventBridge (sandbox/sandbox-eventbridge.ts).
 */

/** What observing the owned rule reads. */
export interface EventBridgeReadPort {
  /** The default bus's ARN names the account and region (the event source's ARNs follow from it). */
  describeEventBus(input: eb.DescribeEventBusRequest): Out<eb.DescribeEventBusResponse>;
  describeRule(input: eb.DescribeRuleRequest): Out<eb.DescribeRuleResponse>;
  listRules(input: eb.ListRulesRequest): Out<eb.ListRulesResponse>;
  /** The rules that send to a queue (a queue given by the user may already have one). */
  listRuleNamesByTarget(input: eb.ListRuleNamesByTargetRequest): Out<eb.ListRuleNamesByTargetResponse>;
  listTargetsByRule(input: eb.ListTargetsByRuleRequest): Out<eb.ListTargetsByRuleResponse>;
  listTagsForResource(input: eb.ListTagsForResourceRequest): Out<eb.ListTagsForResourceResponse>;
}

/** What applying a plan changes: the rule, its targets and tags. */
export interface EventBridgeWritePort {
  /** Creates or updates (same name: same rule and ARN); tags only count on creation. */
  putRule(input: eb.PutRuleRequest): Out<eb.PutRuleResponse>;
  putTargets(input: eb.PutTargetsRequest): Out<eb.PutTargetsResponse>;
  removeTargets(input: eb.RemoveTargetsRequest): Out<eb.RemoveTargetsResponse>;
  /** Refused while the rule has targets: remove them first. */
  deleteRule(input: eb.DeleteRuleRequest): Promise<void>;
  tagResource(input: eb.TagResourceRequest): Promise<void>;
  untagResource(input: eb.UntagResourceRequest): Promise<void>;
}

/** Publishing custom events (tests): AWS refuses `aws.*` sources from an account. */
export interface EventBridgePublishPort {
  putEvents(input: eb.PutEventsRequest): Out<eb.PutEventsResponse>;
}

/** Every role: what an implementation provides. */
export interface EventBridgePort extends EventBridgeReadPort, EventBridgeWritePort, EventBridgePublishPort {}
