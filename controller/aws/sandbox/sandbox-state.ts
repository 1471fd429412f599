import type { Cluster, Deployment, Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';

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
}
