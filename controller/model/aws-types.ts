/**
 * The AWS SDK types that the model and every layer above `aws/` use, re-exported from this one place.
 * AWS's own request and resource shapes are our data model (a `.taskdef` is a RegisterTaskDefinition
 * request), so the model names them; type aliases only, no SDK code loads through here. `aws/` is the
 * SDK edge and imports the SDK itself; lint (eslint.config.mjs) forbids `@aws-sdk/*` everywhere else.
 */
export type {
  CapacityProviderStrategyItem,
  Cluster,
  CreateClusterRequest,
  CreateServiceRequest,
  DeploymentConfiguration,
  LaunchType,
  NetworkConfiguration,
  PutClusterCapacityProvidersRequest,
  RegisterTaskDefinitionRequest,
  Service,
  Tag,
  TaskDefinition,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
export type { Change, ListResourceRecordSetsRequest, ResourceRecordSet } from '@aws-sdk/client-route-53';
export type {
  Action,
  CreateListenerInput,
  CreateLoadBalancerInput,
  CreateRuleInput,
  CreateTargetGroupInput,
  ModifyListenerInput,
  ModifyRuleInput,
  ModifyTargetGroupInput,
  Rule,
  RuleCondition,
  SetSecurityGroupsInput,
  SetSubnetsInput,
  TargetGroupAttribute,
} from '@aws-sdk/client-elastic-load-balancing-v2';
