import type {
  CreateClusterRequest,
  CreateClusterResponse,
  CreateServiceRequest,
  CreateServiceResponse,
  DeleteClusterRequest,
  DeleteClusterResponse,
  DeleteServiceRequest,
  DeleteServiceResponse,
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse,
  DescribeTasksRequest,
  DescribeTasksResponse,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  DescribeClustersRequest,
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  DescribeClustersResponse,
  DescribeServicesRequest,
  DescribeServicesResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  ListContainerInstancesRequest,
  ListContainerInstancesResponse,
  ListServicesRequest,
  PutClusterCapacityProvidersRequest,
  PutClusterCapacityProvidersResponse,
  ListServicesResponse,
  ListTasksRequest,
  ListTasksResponse,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from '@aws-sdk/client-ecs';

/** An SDK call's response without the SDK's `$metadata`. */
type Out<T> = Promise<Omit<T, '$metadata'>>;

/*
 * The narrow ECS ports: exactly the ECS calls ecs-gitops makes, one method per API operation, with
 * the SDK's own request and response shapes, split by role (as cdk-assets splits its interfaces) so
 * that each stage is handed only what it may call: the observe stage reads, the executor writes, and
 * revision housekeeping lists and retires old revisions. One call here is one AWS request: batching
 * and pagination happen above the port (observe/ecs-reader.ts), so that the strict sandbox can reject
 * what AWS rejects (11 services in one DescribeServices, for example).
 *
 * Errors are thrown as the SDK throws them: an Error whose `name` is the AWS error code
 * (ClientException, ClusterNotFoundException, ThrottlingException, ...).
 *
 * Implementations of all roles (EcsPort): SdkEcsPort (aws/sdk-ecs-port.ts, real AWS or moto) and
 * SandboxEcs (aws/sandbox/, in memory); AccountLimiter's limitPort and gateWrites decorate them.
 */

/** What the observe stage reads to build the live state of a cluster. */
export interface EcsReadPort {
  describeClusters(input: DescribeClustersRequest): Out<DescribeClustersResponse>;
  listServices(input: ListServicesRequest): Out<ListServicesResponse>;
  describeServices(input: DescribeServicesRequest): Out<DescribeServicesResponse>;
  describeTaskDefinition(input: DescribeTaskDefinitionRequest): Out<DescribeTaskDefinitionResponse>;
  /** For the DNS target `instances`: the cluster's container instances and their EC2 ids. */
  listContainerInstances(input: ListContainerInstancesRequest): Out<ListContainerInstancesResponse>;
  describeContainerInstances(
    input: DescribeContainerInstancesRequest,
  ): Out<DescribeContainerInstancesResponse>;
}

/** What applying a plan changes: clusters, revisions, services and our tags. */
export interface EcsWritePort {
  createCluster(input: CreateClusterRequest): Out<CreateClusterResponse>;
  deleteCluster(input: DeleteClusterRequest): Out<DeleteClusterResponse>;
  /** Capacity providers of a cluster ecs-gitops owns, when cluster.yaml's differ. */
  putClusterCapacityProviders(
    input: PutClusterCapacityProvidersRequest,
  ): Out<PutClusterCapacityProvidersResponse>;
  registerTaskDefinition(input: RegisterTaskDefinitionRequest): Out<RegisterTaskDefinitionResponse>;
  createService(input: CreateServiceRequest): Out<CreateServiceResponse>;
  updateService(input: UpdateServiceRequest): Out<UpdateServiceResponse>;
  deleteService(input: DeleteServiceRequest): Out<DeleteServiceResponse>;
  tagResource(input: TagResourceRequest): Promise<void>;
  untagResource(input: UntagResourceRequest): Promise<void>;
}

/** The reads of revision housekeeping: which old revisions exist, and which running tasks use them. */
export interface EcsHousekeepingReadPort {
  /** Which revisions running tasks use (a revision in use is never deregistered). */
  listTasks(input: ListTasksRequest): Out<ListTasksResponse>;
  describeTasks(input: DescribeTasksRequest): Out<DescribeTasksResponse>;
  /** The revisions of one family in one status (`familyPrefix` is the exact family). */
  listTaskDefinitions(input: ListTaskDefinitionsRequest): Out<ListTaskDefinitionsResponse>;
  /** Families under the cluster's prefix, to find those removed from the specs. */
  listTaskDefinitionFamilies(
    input: ListTaskDefinitionFamiliesRequest,
  ): Out<ListTaskDefinitionFamiliesResponse>;
}

/** Revision housekeeping: its reads, and retiring old revisions. */
export interface EcsHousekeepingPort extends EcsHousekeepingReadPort {
  deregisterTaskDefinition(input: DeregisterTaskDefinitionRequest): Out<DeregisterTaskDefinitionResponse>;
  /** Only INACTIVE revisions, at most 10 per call (`deleteRevisions: true`). */
  deleteTaskDefinitions(input: DeleteTaskDefinitionsRequest): Out<DeleteTaskDefinitionsResponse>;
}

/** Every role: what an implementation provides, and what the executor (which also re-reads) uses. */
export interface EcsPort extends EcsReadPort, EcsWritePort, EcsHousekeepingPort {}

/** The STS port: only to learn the account id for `${ACCOUNT_ID}` in templates. */
export interface StsPort {
  getAccountId(): Promise<string>;
}

/**
 * Operations that change something (ECS, Route53, ELBv2, SQS, EventBridge). A no-op reconcile
 * makes none of them. Names are shared across services (DeleteRule, TagResource): a name here is
 * a write in every service that has it.
 */
export const MUTATING_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateCluster',
  'DeleteCluster',
  'PutClusterCapacityProviders',
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'DeleteTaskDefinitions',
  'CreateService',
  'UpdateService',
  'DeleteService',
  'TagResource',
  'UntagResource',
  'ChangeResourceRecordSets',
  // ELBv2 (the shared load balancer).
  'CreateLoadBalancer',
  'DeleteLoadBalancer',
  'SetSecurityGroups',
  'SetSubnets',
  'CreateListener',
  'ModifyListener',
  'DeleteListener',
  'CreateTargetGroup',
  'ModifyTargetGroup',
  'ModifyTargetGroupAttributes',
  'DeleteTargetGroup',
  'CreateRule',
  'ModifyRule',
  'SetRulePriorities',
  'DeleteRule',
  'AddTags',
  'RemoveTags',
  // SQS (the event source's queue). Consuming is a write too: deleting a message (or changing its
  // visibility) changes the queue, so a stopping controller leaves handled messages to redelivery.
  'CreateQueue',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
  'DeleteQueue',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'SendMessage',
  // EventBridge (the event source's rule; DeleteRule, TagResource and UntagResource are above).
  'PutRule',
  'PutTargets',
  'RemoveTargets',
  'PutEvents',
]);
