import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type {
  CreateClusterRequest,
  CreateServiceRequest,
  DeleteClusterRequest,
  DeleteServiceRequest,
  DeleteTaskDefinitionsRequest,
  DeregisterTaskDefinitionRequest,
  DescribeClustersRequest,
  DescribeTasksRequest,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionsRequest,
  DescribeContainerInstancesRequest,
  DescribeServicesRequest,
  DescribeTaskDefinitionRequest,
  ListContainerInstancesRequest,
  ListServicesRequest,
  ListTasksRequest,
  PutClusterCapacityProvidersRequest,
  RegisterTaskDefinitionRequest,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import type { EcsPort } from './ecs-port';

/** Drops the SDK's `$metadata` so that both port implementations return the same shape. */
export function withoutMetadata<T extends { $metadata?: unknown }>(response: T): Omit<T, '$metadata'> {
  const copy = { ...response };
  Reflect.deleteProperty(copy, '$metadata');
  return copy;
}

/**
 * EcsPort over the real SDK client (AWS, moto, LocalStack): one command per method.
 * `singleAttempt` (the same client without retries) sends RegisterTaskDefinition, which must not be
 * retried blindly (aws/retryable.ts, SINGLE_ATTEMPT_OPERATIONS); without it, `client` sends it.
 */
export class SdkEcsPort implements EcsPort {
  constructor(
    private readonly client: ECSClient,
    private readonly singleAttempt: ECSClient = client,
  ) {}

  async describeClusters(input: DescribeClustersRequest) {
    return withoutMetadata(await this.client.send(new DescribeClustersCommand(input)));
  }
  async createCluster(input: CreateClusterRequest) {
    return withoutMetadata(await this.client.send(new CreateClusterCommand(input)));
  }
  async deleteCluster(input: DeleteClusterRequest) {
    return withoutMetadata(await this.client.send(new DeleteClusterCommand(input)));
  }
  async putClusterCapacityProviders(input: PutClusterCapacityProvidersRequest) {
    return withoutMetadata(await this.client.send(new PutClusterCapacityProvidersCommand(input)));
  }
  async listServices(input: ListServicesRequest) {
    return withoutMetadata(await this.client.send(new ListServicesCommand(input)));
  }
  async describeServices(input: DescribeServicesRequest) {
    return withoutMetadata(await this.client.send(new DescribeServicesCommand(input)));
  }
  async createService(input: CreateServiceRequest) {
    return withoutMetadata(await this.client.send(new CreateServiceCommand(input)));
  }
  async updateService(input: UpdateServiceRequest) {
    return withoutMetadata(await this.client.send(new UpdateServiceCommand(input)));
  }
  async deleteService(input: DeleteServiceRequest) {
    return withoutMetadata(await this.client.send(new DeleteServiceCommand(input)));
  }
  async describeTaskDefinition(input: DescribeTaskDefinitionRequest) {
    return withoutMetadata(await this.client.send(new DescribeTaskDefinitionCommand(input)));
  }
  async registerTaskDefinition(input: RegisterTaskDefinitionRequest) {
    return withoutMetadata(await this.singleAttempt.send(new RegisterTaskDefinitionCommand(input)));
  }
  async listTasks(input: ListTasksRequest) {
    return withoutMetadata(await this.client.send(new ListTasksCommand(input)));
  }
  async describeTasks(input: DescribeTasksRequest) {
    return withoutMetadata(await this.client.send(new DescribeTasksCommand(input)));
  }
  async listTaskDefinitions(input: ListTaskDefinitionsRequest) {
    return withoutMetadata(await this.client.send(new ListTaskDefinitionsCommand(input)));
  }
  async listTaskDefinitionFamilies(input: ListTaskDefinitionFamiliesRequest) {
    return withoutMetadata(await this.client.send(new ListTaskDefinitionFamiliesCommand(input)));
  }
  async deregisterTaskDefinition(input: DeregisterTaskDefinitionRequest) {
    return withoutMetadata(await this.client.send(new DeregisterTaskDefinitionCommand(input)));
  }
  async deleteTaskDefinitions(input: DeleteTaskDefinitionsRequest) {
    return withoutMetadata(await this.client.send(new DeleteTaskDefinitionsCommand(input)));
  }
  async listContainerInstances(input: ListContainerInstancesRequest) {
    return withoutMetadata(await this.client.send(new ListContainerInstancesCommand(input)));
  }
  async describeContainerInstances(input: DescribeContainerInstancesRequest) {
    return withoutMetadata(await this.client.send(new DescribeContainerInstancesCommand(input)));
  }
  async tagResource(input: TagResourceRequest): Promise<void> {
    await this.client.send(new TagResourceCommand(input));
  }
  async untagResource(input: UntagResourceRequest): Promise<void> {
    await this.client.send(new UntagResourceCommand(input));
  }
}
