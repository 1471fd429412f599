import type { Cluster, Deployment, Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { StoredEc2 } from './sandbox-ec2';
import type { StoredElbv2 } from './sandbox-elbv2';
import type { StoredEventBridge } from './sandbox-eventbridge';
import type { StoredRoute53 } from './sandbox-route53';
import type { StoredSqs } from './sandbox-sqs';

/**
 * The sandbox account as plain JSON: timestamps are epoch milliseconds, never Date, so that the
 * state file round-trips exactly. SDK shapes are rebuilt (with Dates) on the way out.
 */
export interface StoredCluster {
  cluster: Omit<
    Cluster,
    | 'tags'
    | 'activeServicesCount'
    | 'runningTasksCount'
    | 'pendingTasksCount'
    | 'registeredContainerInstancesCount'
  >;
  tags: Tag[];
}

export interface StoredRevision {
  def: Omit<TaskDefinition, 'registeredAt' | 'deregisteredAt'>;
  registeredAt: number;
  deregisteredAt?: number;
  tags: Tag[];
}

export type StoredDeployment = Omit<Deployment, 'createdAt' | 'updatedAt'> & {
  createdAt: number;
  updatedAt: number;
};

export interface StoredService {
  service: Omit<Service, 'createdAt' | 'deployments' | 'events' | 'tags' | 'runningCount' | 'pendingCount'>;
  createdAt: number;
  deployments: StoredDeployment[];
  tags: Tag[];
  /** CreateService's clientToken and canonical request, for AWS's idempotent retry of a create. */
  clientToken?: string;
  createKey: string;
  /** When desiredCount last changed (tasks converge after it). */
  scaledAt: number;
  /** When DeleteService was called (status DRAINING until the tasks stopped). */
  deletedAt?: number;
}

/** A container instance: the EC2 instance behind it and its ECS status. */
export interface StoredContainerInstance {
  containerInstanceArn: string;
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  registeredAt: number;
  /** ECS's `version` of the instance: +1 on each change an event reports (absent: 1). */
  version?: number;
}

/** A standalone task (RunTask), running until stopped. */
export interface StoredTask {
  taskArn: string;
  taskDefinitionArn: string;
  group: string;
  startedAt: number;
}

/**
 * Fields added after version 1 was first written are optional, so that older state files still load
 * (they simply have none of those resources).
 */
export interface SandboxState {
  version: 1;
  accountId: string;
  region: string;
  /** Counter for deployment ids. */
  seq: number;
  clusters: StoredCluster[];
  /** Revisions per family, in revision order (revision n at index n-1). */
  families: Record<string, StoredRevision[]>;
  /** Services per cluster name, in creation order (ListServices order). */
  services: Record<string, StoredService[]>;
  /** Container instances per cluster name, in registration order. */
  containerInstances?: Record<string, StoredContainerInstance[]>;
  /** Standalone tasks per cluster name. */
  tasks?: Record<string, StoredTask[]>;
  /** The account's Route53 (global), ELBv2, EC2, SQS and EventBridge fakes; see state-file.ts. */
  route53?: StoredRoute53;
  elbv2?: StoredElbv2;
  ec2?: StoredEc2;
  sqs?: StoredSqs;
  eventBridge?: StoredEventBridge;
}
