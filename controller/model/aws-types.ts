/**
 * The AWS SDK types that the model and every layer above `aws/` use, re-exported from this one place.
 * AWS's own request and resource shapes are our data model (a `.taskdef` is a RegisterTaskDefinition
 * request), so the model names them; type aliases only, no SDK code loads through here. `aws/` is the
 * SDK edge and imports the SDK itself; lint (eslint.config.mjs) forbids `@aws-sdk/*` everywhere else.
 */
export type {
  CapacityProviderStrategyItem,
  Cluster,
  ContainerInstance,
  CreateClusterRequest,
  CreateServiceRequest,
  DeploymentConfiguration,
  LaunchType,
  LoadBalancer as ServiceLoadBalancer,
  NetworkConfiguration,
  PutClusterCapacityProvidersRequest,
  RegisterTaskDefinitionRequest,
  Service,
  Tag,
  Task,
  TaskDefinition,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
export type { Change, ListResourceRecordSetsRequest, ResourceRecordSet } from '@aws-sdk/client-route-53';
// ELBv2 (the cluster's shared load balancer). Its `LoadBalancer` and `Tag` clash with ECS's names:
// here they are `ElbLoadBalancer` and `ElbTag` (`Key`/`Value`), and ECS's service attachment
// (`targetGroupArn`, `containerName`, `containerPort`) is `ServiceLoadBalancer`.
export type {
  Action,
  ActionTypeEnum,
  AvailabilityZone,
  Certificate,
  CreateListenerInput,
  CreateLoadBalancerInput,
  CreateRuleInput,
  CreateTargetGroupInput,
  FixedResponseActionConfig,
  ForwardActionConfig,
  HostHeaderConditionConfig,
  Listener,
  LoadBalancer as ElbLoadBalancer,
  Matcher,
  ModifyListenerInput,
  ModifyRuleInput,
  ModifyTargetGroupAttributesInput,
  ModifyTargetGroupInput,
  RedirectActionConfig,
  Rule,
  RuleCondition,
  RulePriorityPair,
  SetRulePrioritiesInput,
  SetSecurityGroupsInput,
  SetSubnetsInput,
  Tag as ElbTag,
  TagDescription,
  TargetGroup,
  TargetGroupAttribute,
  TargetGroupTuple,
} from '@aws-sdk/client-elastic-load-balancing-v2';
// SQS and EventBridge (the ECS event source, issue 14). EventBridge's `Rule`, `Target` and `Tag`
// clash with other services' names: here they are `EventRule`, `EventTarget` and `EventTag`.
// SQS tags are a plain `Record<string, string>`.
export type {
  CreateQueueRequest,
  Message as SqsMessage,
  QueueAttributeName,
  ReceiveMessageRequest,
  SetQueueAttributesRequest,
} from '@aws-sdk/client-sqs';
export type {
  DescribeRuleResponse,
  PutEventsRequestEntry,
  PutRuleRequest,
  PutTargetsRequest,
  Rule as EventRule,
  RuleState,
  Target as EventTarget,
  Tag as EventTag,
} from '@aws-sdk/client-eventbridge';
