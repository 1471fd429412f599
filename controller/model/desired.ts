import type {
  CapacityProviderStrategyItem,
  CreateServiceRequest,
  DeploymentConfiguration,
  LaunchType,
  NetworkConfiguration,
  RegisterTaskDefinitionRequest,
} from './aws-types';
import type { SourceRef } from './source';
import type { TagMap } from './ownership';
import type { DesiredHostname, DnsConfig } from './dns';
import type { RedactionConfig } from './secret-detection';
import type { LintPolicy } from './lint-policy';
import type { DesiredProxyTarget, LoadBalancerConfig } from './load-balancer';
import type { EventsConfig } from './events';

/**
 * Service settings from `cluster.yaml` `serviceDefaults`. They apply to every service of the cluster
 * field by field (a `.service` file wins per field), except `desiredCount`, which is only the count
 * a new service starts with.
 */
export interface ServiceDefaults {
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: NetworkConfiguration;
  deploymentConfiguration?: DeploymentConfiguration;
  platformVersion?: string;
  propagateTags?: CreateServiceRequest['propagateTags'];
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  healthCheckGracePeriodSeconds?: number;
  /**
   * The count a service starts with when its file sets none (AUTOCREATE.SERVICE services always).
   * Afterwards the count is left alone: autoscaling owns it. Default 1.
   */
  desiredCount: number;
}

/** The cluster as configured by `cluster.yaml`, or by flags for an old ecs-efs directory. */
export interface ClusterConfig {
  /** The ECS cluster name. */
  name: string;
  /** Region from the config; undefined means "as the SDK resolves it" (AWS_REGION, profile). */
  region?: string;
  /** Family prefix; default: the cluster name. */
  prefix: string;
  /** Owner id written into ownership tags; default: the cluster name. */
  ownerId: string;
  /** Tags added to everything ecs-gitops creates in this cluster (ownership tags come on top). */
  tags: TagMap;
  /** Take over existing resources with the desired names that carry no ownership tags. Default false. */
  adopt: boolean;
  /**
   * Delete what ecs-gitops owns and the specs no longer ask for (services, their DNS records, old
   * task definition revisions). Absent: true. false: such resources are reported, never deleted.
   */
  prune?: boolean;
  /** Prune even when the specs ask for nothing at all. Absent: false (see `lifecycleOf`). */
  allowEmpty?: boolean;
  /** ACTIVE revisions kept per owned family. Absent: DEFAULT_KEEP_REVISIONS. */
  keepRevisions?: number;
  /** Delete deregistered revisions (DeleteTaskDefinitions) rather than leave them INACTIVE. */
  deleteRevisions?: boolean;
  /**
   * Capacity providers associated with the cluster, and its default strategy. Set when ecs-gitops
   * creates the cluster, and kept in step on a cluster it owns; undefined: not managed.
   */
  capacityProviders?: string[];
  defaultCapacityProviderStrategy?: CapacityProviderStrategyItem[];
  serviceDefaults: ServiceDefaults;
  /** Route53 records for `proxy.host` / `dns.hostname` labels; absent: ecs-gitops manages no DNS. */
  dns?: DnsConfig;
  /**
   * The shared Application Load Balancer (`loadBalancer:`): target groups and host rules for
   * `proxy.host` containers; absent: ecs-gitops routes nothing.
   */
  loadBalancer?: LoadBalancerConfig;
  /**
   * The cluster's ECS event stream (`events:`): an EventBridge rule and SQS queues ecs-gitops owns,
   * or a queue that exists; absent: no event source.
   */
  events?: EventsConfig;
  /** `redaction:` more secret name patterns and exempted names; absent: the defaults only. */
  redaction?: RedactionConfig;
  /** `policy:` levels of the lint rules and exempted files; absent: every rule at its default. */
  policy?: LintPolicy;
  /** The config file, or `(flags)` for a directory without `cluster.yaml`. */
  source: SourceRef;
  /** The directory the specs were read from. */
  dir: string;
}

/** A task definition as it should be registered. */
export interface DesiredTaskDefinition {
  /** File name without the `.taskdef` suffix. */
  basename: string;
  /** Prefixed family (`<prefix>-<basename>`, or the prefixed `family` field of the file). */
  family: string;
  /** The RegisterTaskDefinition body with `family` set and without `tags`. */
  body: RegisterTaskDefinitionRequest;
  /** Tags for the revision: cluster tags, then the file's own `tags`, then ownership tags. */
  tags: TagMap;
  /** The file contains `AUTOCREATE.SERVICE` somewhere. */
  autocreateService: boolean;
  source: SourceRef;
}

/** How a service names its task definition. */
export type TaskDefinitionRef =
  /** A family from the specs: resolves to the exact revision that matches its spec. */
  | { kind: 'family'; family: string }
  /** A pinned revision managed elsewhere: `family:revision` or a full ARN, used as given. */
  | { kind: 'pinned'; value: string };

/** The fields of a service we manage: a CreateService body without the names we set ourselves. */
export type ServiceBody = Omit<
  CreateServiceRequest,
  'cluster' | 'serviceName' | 'taskDefinition' | 'clientToken' | 'tags'
>;

/** A service as it should exist. */
export interface DesiredService {
  name: string;
  /** The service body after cluster defaults were merged in (file wins per field). */
  body: ServiceBody;
  taskDefinition: TaskDefinitionRef;
  tags: TagMap;
  /** Created by `AUTOCREATE.SERVICE` in a task definition rather than by a `.service` file. */
  autocreated: boolean;
  source: SourceRef;
}

/** Everything one cluster directory asks for. */
export interface DesiredState {
  cluster: ClusterConfig;
  /**
   * The git commit these specs come from, when known (the controller): recorded on every task
   * definition revision registered for it, so that a running task can be traced to its commit.
   */
  commit?: string;
  taskDefinitions: DesiredTaskDefinition[];
  services: DesiredService[];
  /**
   * Names claimed by the services' containers (labels `proxy.host`, `dns.hostname`), expanded and
   * unique. Filled whether or not `cluster.dns` is configured; only planned when it is.
   */
  hostnames: DesiredHostname[];
  /**
   * Containers whose `proxy.host` names the load balancer routes to them (absent: none). Filled
   * whether or not `cluster.loadBalancer` is configured; only planned when it is.
   */
  proxyTargets?: DesiredProxyTarget[];
}

export const DEFAULT_KEEP_REVISIONS = 5;

/** The cluster's removal settings with their defaults filled in. */
export interface Lifecycle {
  prune: boolean;
  allowEmpty: boolean;
  keepRevisions: number;
  deleteRevisions: boolean;
}

export function lifecycleOf(cfg: ClusterConfig): Lifecycle {
  return {
    prune: cfg.prune ?? true,
    allowEmpty: cfg.allowEmpty ?? false,
    keepRevisions: cfg.keepRevisions ?? DEFAULT_KEEP_REVISIONS,
    deleteRevisions: cfg.deleteRevisions ?? false,
  };
}
