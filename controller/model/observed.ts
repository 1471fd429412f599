import type { Cluster, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { TagMap } from './ownership';

/** The newest ACTIVE revision of a family, with its tags. */
export interface ObservedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: TagMap;
}

/** What AWS has for one cluster directory, read through the ports. */
export interface ObservedState {
  /** undefined: the cluster does not exist (or is INACTIVE). */
  cluster?: { cluster: Cluster; tags: TagMap };
  /** By service name; only services that exist and are not INACTIVE. */
  services: Map<string, { service: Service; tags: TagMap }>;
  /** By family; null: the family has no ACTIVE revision. */
  families: Map<string, ObservedTaskDefinition | null>;
}
