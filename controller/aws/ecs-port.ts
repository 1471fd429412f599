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

/**
 * The narrow ECS port: exactly the ECS calls ecs-gitops makes, one method per API operation,
 * with the SDK's own request and response shapes (without `$metadata`). One call here is one
 * AWS request: batching and pagination happen above the port (see ecs-reader.ts), so that the
 * strict sandbox can reject what AWS rejects (11 services in one DescribeServices, for example).
 *
 * Errors are thrown as the SDK throws them: an Error whose `name` is the AWS error code
 * (ClientException, ClusterNotFoundException, ThrottlingException, ...).
 *
 * Implementations: SdkEcsPort (aws/sdk-ecs-port.ts, real AWS or moto) and SandboxEcs
 * (aws/sandbox/, in memory).
 */
export interface EcsPort {
  describeClusters(input: DescribeClustersRequest): Promise<Omit<DescribeClustersResponse, '$metadata'>>;
  createCluster(input: CreateClusterRequest): Promise<Omit<CreateClusterResponse, '$metadata'>>;
  deleteCluster(input: DeleteClusterRequest): Promise<Omit<DeleteClusterResponse, '$metadata'>>;
  /** Capacity providers of a cluster ecs-gitops owns, when cluster.yaml's differ. */
  putClusterCapacityProviders(
    input: PutClusterCapacityProvidersRequest,
  ): Promise<Omit<PutClusterCapacityProvidersResponse, '$metadata'>>;
  listServices(input: ListServicesRequest): Promise<Omit<ListServicesResponse, '$metadata'>>;
  describeServices(input: DescribeServicesRequest): Promise<Omit<DescribeServicesResponse, '$metadata'>>;
  createService(input: CreateServiceRequest): Promise<Omit<CreateServiceResponse, '$metadata'>>;
  updateService(input: UpdateServiceRequest): Promise<Omit<UpdateServiceResponse, '$metadata'>>;
  deleteService(input: DeleteServiceRequest): Promise<Omit<DeleteServiceResponse, '$metadata'>>;
  describeTaskDefinition(
    input: DescribeTaskDefinitionRequest,
  ): Promise<Omit<DescribeTaskDefinitionResponse, '$metadata'>>;
  registerTaskDefinition(
    input: RegisterTaskDefinitionRequest,
  ): Promise<Omit<RegisterTaskDefinitionResponse, '$metadata'>>;
  listTasks(input: ListTasksRequest): Promise<Omit<ListTasksResponse, '$metadata'>>;
  /** Revision cleanup: which revisions running tasks use (a revision in use is never deregistered). */
  describeTasks(input: DescribeTasksRequest): Promise<Omit<DescribeTasksResponse, '$metadata'>>;
  /** Revision cleanup: the ACTIVE revisions of one family (`familyPrefix` is the exact family). */
  listTaskDefinitions(
    input: ListTaskDefinitionsRequest,
  ): Promise<Omit<ListTaskDefinitionsResponse, '$metadata'>>;
  /** Revision cleanup: families under the cluster's prefix, to find those removed from the specs. */
  listTaskDefinitionFamilies(
    input: ListTaskDefinitionFamiliesRequest,
  ): Promise<Omit<ListTaskDefinitionFamiliesResponse, '$metadata'>>;
  deregisterTaskDefinition(
    input: DeregisterTaskDefinitionRequest,
  ): Promise<Omit<DeregisterTaskDefinitionResponse, '$metadata'>>;
  /** Only INACTIVE revisions, at most 10 per call (`deleteRevisions: true`). */
  deleteTaskDefinitions(
    input: DeleteTaskDefinitionsRequest,
  ): Promise<Omit<DeleteTaskDefinitionsResponse, '$metadata'>>;
  /** For the DNS target `instances`: the cluster's container instances and their EC2 ids. */
  listContainerInstances(
    input: ListContainerInstancesRequest,
  ): Promise<Omit<ListContainerInstancesResponse, '$metadata'>>;
  describeContainerInstances(
    input: DescribeContainerInstancesRequest,
  ): Promise<Omit<DescribeContainerInstancesResponse, '$metadata'>>;
  tagResource(input: TagResourceRequest): Promise<void>;
  untagResource(input: UntagResourceRequest): Promise<void>;
}

/** The STS port: only to learn the account id for `${ACCOUNT_ID}` in templates. */
export interface StsPort {
  getAccountId(): Promise<string>;
}

/** ECS operations that change something. A no-op reconcile makes none of them. */
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
]);
