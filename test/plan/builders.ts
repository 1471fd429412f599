/** Hand-built DesiredState / ObservedState pieces for planner tests (not via the spec loader). */
import type { RegisterTaskDefinitionRequest, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type {
  ClusterConfig,
  DesiredService,
  DesiredState,
  DesiredTaskDefinition,
  ServiceBody,
  TaskDefinitionRef,
} from '../../controller/model/desired';
import type { ObservedState } from '../../controller/model/observed';
import { ownershipTags, type TagMap } from '../../controller/model/ownership';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';

export function clusterConfig(over: Partial<ClusterConfig> = {}): ClusterConfig {
  const name = over.name ?? 'demo';
  return {
    name,
    region: REGION,
    prefix: name,
    ownerId: name,
    tags: { team: 'platform' },
    adopt: false,
    serviceDefaults: { desiredCount: 1 },
    source: { file: 'specs/demo/cluster.yaml', line: 1, column: 1 },
    dir: 'specs/demo',
    ...over,
  };
}

/** Tags the loader gives a resource: cluster tags, own tags, ownership tags (with the source file). */
export function desiredTags(cfg: ClusterConfig, file: string, own: TagMap = {}): TagMap {
  return { ...cfg.tags, ...own, ...ownershipTags(cfg.ownerId, cfg.name, file) };
}

export function taskDef(
  cfg: ClusterConfig,
  basename: string,
  body: Omit<RegisterTaskDefinitionRequest, 'family'>,
  opts: { autocreateService?: boolean; line?: number } = {},
): DesiredTaskDefinition {
  const family = `${cfg.prefix}-${basename}`;
  const file = `${cfg.dir}/${basename}.taskdef`;
  return {
    basename,
    family,
    body: { family, ...body },
    tags: desiredTags(cfg, file),
    autocreateService: opts.autocreateService ?? false,
    source: { file, line: opts.line ?? 1, column: 1 },
  };
}

export function service(
  cfg: ClusterConfig,
  name: string,
  opts: { body?: ServiceBody; family?: string; pinned?: string; autocreated?: boolean; file?: string } = {},
): DesiredService {
  const taskDefinition: TaskDefinitionRef = opts.pinned
    ? { kind: 'pinned', value: opts.pinned }
    : { kind: 'family', family: opts.family ?? `${cfg.prefix}-${name}` };
  const file = opts.file ?? (opts.autocreated ? `${cfg.dir}/${name}.taskdef` : `${cfg.dir}/${name}.service`);
  return {
    name,
    body: opts.body ?? {},
    taskDefinition,
    tags: desiredTags(cfg, file),
    autocreated: opts.autocreated ?? false,
    source: { file, line: 1, column: 1 },
  };
}

export function desiredState(
  cluster: ClusterConfig,
  taskDefinitions: DesiredTaskDefinition[],
  services: DesiredService[],
): DesiredState {
  return { cluster, taskDefinitions, services, hostnames: [] };
}

export function emptyAccount(): ObservedState {
  return { services: new Map(), families: new Map() };
}

export function clusterArn(name: string): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
}

export function taskDefinitionArn(family: string, revision: number): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
}

export function serviceArn(cluster: string, name: string): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`;
}

/** An account where the cluster exists and carries our tags. */
export function accountWithCluster(cfg: ClusterConfig): ObservedState {
  return {
    cluster: {
      cluster: { clusterArn: clusterArn(cfg.name), clusterName: cfg.name, status: 'ACTIVE' },
      tags: { ...cfg.tags, ...ownershipTags(cfg.ownerId, cfg.name) },
    },
    services: new Map(),
    families: new Map(),
  };
}

/** What DescribeServices returns for a REPLICA EC2 service created with defaults (written by hand). */
export function liveService(
  cfg: ClusterConfig,
  name: string,
  taskDefinition: string,
  over: Partial<Service> = {},
): Service {
  return {
    serviceArn: serviceArn(cfg.name, name),
    serviceName: name,
    clusterArn: clusterArn(cfg.name),
    loadBalancers: [],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    launchType: 'EC2',
    taskDefinition,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments: [
      {
        id: 'ecs-svc/1234567890123456789',
        status: 'PRIMARY',
        taskDefinition,
        desiredCount: 1,
        pendingCount: 0,
        runningCount: 1,
        failedTasks: 0,
        createdAt: new Date('2025-06-01T10:00:00Z'),
        updatedAt: new Date('2025-06-01T10:05:00Z'),
        launchType: 'EC2',
        rolloutState: 'COMPLETED',
        rolloutStateReason: 'ECS deployment ecs-svc/1234567890123456789 completed.',
      },
    ],
    events: [],
    createdAt: new Date('2025-06-01T10:00:00Z'),
    placementConstraints: [],
    placementStrategy: [],
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${ACCOUNT}:role/ci`,
    enableECSManagedTags: false,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    availabilityZoneRebalancing: 'DISABLED',
    ...over,
  };
}

export function withService(observed: ObservedState, svc: Service, tags: TagMap): ObservedState {
  observed.services.set(svc.serviceName!, { service: svc, tags });
  return observed;
}

export function withFamily(observed: ObservedState, td: TaskDefinition, tags: TagMap): ObservedState {
  observed.families.set(td.family!, { taskDefinition: td, tags });
  return observed;
}
