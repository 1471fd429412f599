import { createHash } from 'node:crypto';
import type {
  Cluster,
  ContainerInstance,
  CreateClusterRequest,
  CreateServiceRequest,
  DeleteClusterRequest,
  DeleteServiceRequest,
  DeleteTaskDefinitionsRequest,
  DeploymentConfiguration,
  DeregisterTaskDefinitionRequest,
  DescribeTasksRequest,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionsRequest,
  Task,
  DescribeClustersRequest,
  DescribeContainerInstancesRequest,
  DescribeServicesRequest,
  DescribeTaskDefinitionRequest,
  ListContainerInstancesRequest,
  ListServicesRequest,
  PutClusterCapacityProvidersRequest,
  ListTasksRequest,
  NetworkConfiguration,
  RegisterTaskDefinitionRequest,
  Service,
  Tag,
  TagResourceRequest,
  TaskDefinition,
  UntagResourceRequest,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { CLUSTER_NAME_PATTERN, SERVICE_NAME_PATTERN } from '../../model/naming';
import { CallLog } from '../call-log';
import { withOperation } from '../aws-error';
import { type Clock, systemClock } from '../clock';
import type { EcsPort } from '../ecs-port';
import { ECS_THROTTLES } from '../throttle-groups';
import type { BucketSpec } from '../token-bucket';
import { AwsThrottling } from './aws-throttling';
import { serviceEvents } from './service-events';
import { errors } from './errors';
import {
  type TaskFacts,
  containerInstanceStateChange,
  deploymentStateChange,
  serviceAction,
  taskStateChange,
} from './ecs-events';
import type { SandboxEventSink } from './sandbox-eventbridge';
import type {
  SandboxState,
  StoredCluster,
  StoredContainerInstance,
  StoredDeployment,
  StoredRevision,
  StoredService,
  StoredTask,
} from './sandbox-state';
import { type TargetGroupLookup, checkServiceLoadBalancers } from './service-load-balancers';
import { MAX_TAGS, buildTaskDefinition, validateRegister, validateTags } from './task-definition-rules';

export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_REGION = 'us-east-1';

export interface SandboxOptions {
  accountId?: string;
  region?: string;
  /** Default: real time. Rollouts and draining progress with it. */
  clock?: Clock;
  /** Calls are recorded here as `ECS.<Operation>`; default: a log of its own (`sandbox.callLog`). */
  callLog?: CallLog;
  /** Simulated seconds until a deployment completes (or fails). Default 5. */
  rolloutSeconds?: number;
  /** Simulated seconds until a deleted service's tasks stopped (DRAINING -> INACTIVE). Default 5. */
  drainSeconds?: number;
  /** Images whose tasks never start: their deployments trip the circuit breaker (if enabled). */
  failImages?: Iterable<string>;
  /** A bucket per operation (`RegisterTaskDefinition`), beside `awsThrottling` (aws-throttling.ts); off when absent. */
  throttle?: Record<string, BucketSpec>;
  /**
   * "aws-like throttling": ECS's own buckets per group of actions (throttle-groups.ts), refilling on
   * the clock; a call over them gets ThrottlingException "Rate exceeded". Default off.
   */
  awsThrottling?: boolean;
}

const MAX_DESCRIBE_SERVICES = 10;
const MAX_DESCRIBE_CLUSTERS = 100;
const MAX_LIST_RESULTS = 100;
const DEFAULT_LIST_SERVICES_RESULTS = 10;
const MAX_SUBNETS = 16;
const MAX_DESCRIBE_CONTAINER_INSTANCES = 100;
const MAX_DESCRIBE_TASKS = 100;
const MAX_DELETE_TASK_DEFINITIONS = 10;

type Out<T> = Promise<Omit<T, '$metadata'>>;

/**
 * A strict in-memory ECS account behind the EcsPort: it rejects what AWS rejects (with the SDK's
 * exception classes), fills what AWS fills, enforces AWS's request limits (10 services per
 * DescribeServices, 100 per ListServices page, 50 tags), simulates rollouts, the deployment circuit
 * breaker and draining on an injectable clock, and can throttle.
 */
/** (AWS) */
const DAEMON_DESIRED_COUNT = 'The daemon scheduling strategy does not support a desired count for services.';

export class SandboxEcs implements EcsPort {
  readonly accountId: string;
  readonly region: string;
  readonly callLog: CallLog;
  readonly failImages: Set<string>;
  rolloutSeconds: number;
  drainSeconds: number;
  private readonly clock: Clock;
  private readonly throttling: AwsThrottling;
  private seq = 0;
  private readonly clusters = new Map<string, StoredCluster>();
  private readonly families = new Map<string, StoredRevision[]>();
  private readonly services = new Map<string, Map<string, StoredService>>();
  /** Container instances per cluster name, in registration order. */
  private readonly containerInstances = new Map<string, StoredContainerInstance[]>();
  /** Standalone tasks (RunTask) per cluster name; service tasks are derived from deployments. */
  private readonly tasks = new Map<string, StoredTask[]>();
  /** The account's ELBv2 sandbox: services' target groups are checked against it when set. */
  private elbv2?: TargetGroupLookup;
  /** The account's EventBridge: ECS's events go there when set (state-file.ts sets it). */
  private events?: SandboxEventSink;

  constructor(opts: SandboxOptions = {}) {
    this.accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;
    this.region = opts.region ?? DEFAULT_REGION;
    this.clock = opts.clock ?? systemClock;
    this.callLog = opts.callLog ?? new CallLog();
    this.failImages = new Set(opts.failImages ?? []);
    this.rolloutSeconds = opts.rolloutSeconds ?? 5;
    this.drainSeconds = opts.drainSeconds ?? 5;
    this.throttling = new AwsThrottling(ECS_THROTTLES, this.clock);
    this.setThrottle(opts.throttle);
    this.setAwsThrottling(opts.awsThrottling ?? false);
  }

  /** Turns AWS's own buckets (see SandboxOptions.awsThrottling) on, full, or off. */
  setAwsThrottling(on: boolean): void {
    this.throttling.setAws(on);
  }

  /**
   * The ELBv2 sandbox of the same account (state-file.ts sets it): CreateService and UpdateService
   * then check `loadBalancers` against its target groups as ECS does. Without it they check only
   * the task definition side (container and port).
   */
  setElbv2(elbv2: TargetGroupLookup | undefined): void {
    this.elbv2 = elbv2;
  }

  /** Turns throttling on (per operation) or off (undefined). */
  setThrottle(throttle: Record<string, BucketSpec> | undefined): void {
    this.throttling.setTable(throttle);
  }

  /**
   * Where ECS's events go (the account's EventBridge): task, container instance, service action and
   * deployment state changes, as they happen. Without a sink, or while no rule wants events,
   * nothing is built.
   */
  setEventSink(sink: SandboxEventSink | undefined): void {
    this.events = sink;
  }

  /**
   * Moves rollouts and drains on to the clock's now without an API call (not logged): what ECS does
   * on its own while nobody asks. The SQS sandbox calls it during a long poll, so that a consumer
   * waiting on the event queue sees a rollout's events without polling ECS.
   */
  tick(): void {
    this.advance();
  }

  // ---------------------------------------------------------------- boundary

  /** Every call: counted (throttled calls too, as AWS counts them), throttled, then time advances. */
  private enter(op: string): void {
    this.callLog.record('ECS', op);
    if (!this.throttling.admit(op)) throw errors.throttling();
    this.advance();
  }

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:${resource}`;
  }

  private now(): number {
    return this.clock.now();
  }

  // ---------------------------------------------------------------- clusters

  /** Name from a name or an ARN of this account and Region; `default` when absent. */
  private clusterName(ref: string | undefined): string {
    const value = ref ?? 'default';
    if (!value.startsWith('arn:')) return value;
    const prefix = this.arn('cluster/');
    return value.startsWith(prefix) ? value.slice(prefix.length) : `\u0000${value}`;
  }

  /** AWS only accepts capacity providers that are associated with the cluster. */
  private checkCapacityProviders(
    cluster: StoredCluster,
    strategy: readonly { capacityProvider?: string }[] | undefined,
  ): void {
    const associated = new Set(cluster.cluster.capacityProviders ?? []);
    if ((strategy ?? []).some((item) => !associated.has(item.capacityProvider ?? ''))) {
      throw errors.invalidParameter(
        'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
      );
    }
  }

  putClusterCapacityProviders(input: PutClusterCapacityProvidersRequest): Out<{ cluster?: Cluster }> {
    return this.call('PutClusterCapacityProviders', () => {
      const { stored } = this.activeCluster(input.cluster);
      stored.cluster.capacityProviders = [...(input.capacityProviders ?? [])];
      stored.cluster.defaultCapacityProviderStrategy = [...(input.defaultCapacityProviderStrategy ?? [])];
      this.checkCapacityProviders(stored, input.defaultCapacityProviderStrategy);
      return { cluster: this.clusterOut(stored, false) };
    });
  }

  private activeCluster(ref: string | undefined): { name: string; stored: StoredCluster } {
    const name = this.clusterName(ref);
    const stored = this.clusters.get(name);
    if (!stored || stored.cluster.status !== 'ACTIVE') throw errors.clusterNotFound();
    return { name, stored };
  }

  private clusterOut(stored: StoredCluster, includeTags: boolean): Cluster {
    const name = stored.cluster.clusterName ?? '';
    const services = [...(this.services.get(name)?.values() ?? [])];
    const running = services.reduce((n, s) => n + runningOf(s), 0);
    return clone({
      ...stored.cluster,
      registeredContainerInstancesCount: (this.containerInstances.get(name) ?? []).filter(
        (c) => c.status !== 'INACTIVE',
      ).length,
      runningTasksCount: stored.cluster.status === 'ACTIVE' ? running : 0,
      pendingTasksCount: 0,
      activeServicesCount: services.filter((s) => s.service.status === 'ACTIVE').length,
      ...(includeTags ? { tags: stored.tags } : {}),
    });
  }

  createCluster(input: CreateClusterRequest): Out<{ cluster?: Cluster }> {
    return this.call('CreateCluster', () => {
      const name = input.clusterName ?? 'default';
      if (!CLUSTER_NAME_PATTERN.test(name)) {
        throw errors.invalidParameter(
          'Cluster name must be 1-255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.',
        );
      }
      validateTags(input.tags);
      const existing = this.clusters.get(name);
      // CreateCluster is idempotent: an ACTIVE cluster of that name comes back unchanged.
      if (existing && existing.cluster.status === 'ACTIVE')
        return { cluster: this.clusterOut(existing, true) };
      const stored: StoredCluster = {
        cluster: {
          clusterArn: this.arn(`cluster/${name}`),
          clusterName: name,
          status: 'ACTIVE',
          statistics: [],
          settings: input.settings ?? [{ name: 'containerInsights', value: 'disabled' }],
          capacityProviders: input.capacityProviders ?? [],
          defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
          ...(input.configuration ? { configuration: input.configuration } : {}),
        },
        tags: input.tags ?? [],
      };
      this.clusters.set(name, stored);
      // A re-created cluster starts without the services of its INACTIVE predecessor.
      const old = this.services.get(name);
      if (old) for (const [k, s] of old) if (s.service.status === 'INACTIVE') old.delete(k);
      return { cluster: this.clusterOut(stored, true) };
    });
  }

  describeClusters(
    input: DescribeClustersRequest,
  ): Out<{ clusters?: Cluster[]; failures?: { arn?: string; reason?: string }[] }> {
    return this.call('DescribeClusters', () => {
      const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ['default'];
      if (refs.length > MAX_DESCRIBE_CLUSTERS) {
        throw errors.invalidParameter(
          `A maximum of ${MAX_DESCRIBE_CLUSTERS} clusters can be described at once.`,
        );
      }
      const includeTags = input.include?.includes('TAGS') ?? false;
      const clusters: Cluster[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs) {
        const stored = this.clusters.get(this.clusterName(ref));
        if (stored) clusters.push(this.clusterOut(stored, includeTags));
        else
          failures.push({
            arn: ref.startsWith('arn:') ? ref : this.arn(`cluster/${ref}`),
            reason: 'MISSING',
          });
      }
      return { clusters, failures };
    });
  }

  deleteCluster(input: DeleteClusterRequest): Out<{ cluster?: Cluster }> {
    return this.call('DeleteCluster', () => {
      const { name, stored } = this.activeCluster(input.cluster);
      const live = [...(this.services.get(name)?.values() ?? [])].filter(
        (s) => s.service.status !== 'INACTIVE',
      );
      if (live.length > 0) throw errors.clusterContainsServices();
      stored.cluster.status = 'INACTIVE';
      return { cluster: this.clusterOut(stored, false) };
    });
  }

  // ---------------------------------------------------------------- task definitions

  registerTaskDefinition(
    input: RegisterTaskDefinitionRequest,
  ): Out<{ taskDefinition?: TaskDefinition; tags?: Tag[] }> {
    return this.call('RegisterTaskDefinition', () => {
      validateRegister(input);
      const family = input.family as string;
      const revisions = this.families.get(family) ?? [];
      // Revisions never get reused: they continue after deregistration.
      const revision = revisions.length + 1;
      const def = buildTaskDefinition(clone(input), {
        arn: this.arn(`task-definition/${family}:${revision}`),
        revision,
        accountId: this.accountId,
      });
      const stored: StoredRevision = { def, registeredAt: this.now(), tags: clone(input.tags ?? []) };
      revisions.push(stored);
      this.families.set(family, revisions);
      return { taskDefinition: revisionOut(stored), tags: clone(stored.tags) };
    });
  }

  deregisterTaskDefinition(input: DeregisterTaskDefinitionRequest): Out<{ taskDefinition?: TaskDefinition }> {
    return this.call('DeregisterTaskDefinition', () => {
      const ref = input.taskDefinition ?? '';
      if (!/:\d+$/.test(ref)) {
        throw errors.invalidParameter('Invalid revision number. Number: ' + ref);
      }
      const stored = this.findRevision(ref);
      if (!stored || stored.def.status === 'DELETE_IN_PROGRESS') {
        throw errors.client('The specified task definition does not exist.');
      }
      if (stored.def.status === 'ACTIVE') {
        stored.def.status = 'INACTIVE';
        stored.deregisteredAt = this.now();
      }
      return { taskDefinition: revisionOut(stored) };
    });
  }

  /**
   * AWS moves each revision to DELETE_IN_PROGRESS (and removes it once nothing runs it; the sandbox
   * keeps it there, which is what a caller can observe). Only INACTIVE revisions can be deleted: an
   * ACTIVE one is a failure of the batch, not an error of the call (wording as moto has it).
   */
  deleteTaskDefinitions(input: DeleteTaskDefinitionsRequest): Out<{
    taskDefinitions?: TaskDefinition[];
    failures?: { arn?: string; reason?: string; detail?: string }[];
  }> {
    return this.call('DeleteTaskDefinitions', () => {
      const refs = input.taskDefinitions ?? [];
      if (refs.length === 0) {
        throw errors.invalidParameter('size of TaskDefinition references list must be greater than 0');
      }
      if (refs.length > MAX_DELETE_TASK_DEFINITIONS) {
        throw errors.invalidParameter(
          `Size of TaskDefinition references list cannot exceed ${MAX_DELETE_TASK_DEFINITIONS}`,
        );
      }
      const deleted: TaskDefinition[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs) {
        const stored = /:\d+$/.test(ref) ? this.findRevision(ref) : undefined;
        if (!stored) {
          failures.push({ arn: ref, reason: 'The specified task definition does not exist.' });
        } else if (stored.def.status === 'ACTIVE') {
          failures.push({
            arn: ref,
            reason:
              'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
          });
        } else {
          stored.def.status = 'DELETE_IN_PROGRESS';
          deleted.push(revisionOut(stored));
        }
      }
      return { taskDefinitions: deleted, failures };
    });
  }

  /** AWS: `familyPrefix` is "the full family name"; sorted by family, then revision. */
  listTaskDefinitions(
    input: ListTaskDefinitionsRequest,
  ): Out<{ taskDefinitionArns?: string[]; nextToken?: string }> {
    return this.call('ListTaskDefinitions', () => {
      const max = input.maxResults ?? MAX_LIST_RESULTS;
      if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_RESULTS) {
        throw errors.invalidParameter(`maxResults must be between 1 and ${MAX_LIST_RESULTS}.`);
      }
      const status = input.status ?? 'ACTIVE';
      const families =
        input.familyPrefix !== undefined ? [input.familyPrefix] : [...this.families.keys()].sort();
      const arns: string[] = [];
      for (const f of families) {
        for (const r of this.families.get(f) ?? []) {
          if (r.def.status === status) arns.push(r.def.taskDefinitionArn ?? '');
        }
      }
      if (input.sort === 'DESC') arns.reverse();
      const scope = `ListTaskDefinitions/${input.familyPrefix ?? ''}/${status}/${input.sort ?? 'ASC'}`;
      return page(arns, max, input.nextToken, scope, 'taskDefinitionArns');
    });
  }

  /**
   * `familyPrefix` is a prefix here. ACTIVE: families with an ACTIVE revision; INACTIVE: families
   * with an INACTIVE one; absent or ALL: both.
   */
  listTaskDefinitionFamilies(
    input: ListTaskDefinitionFamiliesRequest,
  ): Out<{ families?: string[]; nextToken?: string }> {
    return this.call('ListTaskDefinitionFamilies', () => {
      const max = input.maxResults ?? MAX_LIST_RESULTS;
      if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_RESULTS) {
        throw errors.invalidParameter(`maxResults must be between 1 and ${MAX_LIST_RESULTS}.`);
      }
      const status = input.status ?? 'ALL';
      const families = [...this.families.entries()]
        .filter(([f]) => input.familyPrefix === undefined || f.startsWith(input.familyPrefix))
        .filter(([, revs]) =>
          revs.some((r) =>
            status === 'ALL'
              ? r.def.status === 'ACTIVE' || r.def.status === 'INACTIVE'
              : r.def.status === status,
          ),
        )
        .map(([f]) => f)
        .sort();
      const scope = `ListTaskDefinitionFamilies/${input.familyPrefix ?? ''}/${status}`;
      return page(families, max, input.nextToken, scope, 'families');
    });
  }

  /** `family` (newest ACTIVE), `family:revision` or an ARN of this account and Region. */
  private findRevision(ref: string): StoredRevision | undefined {
    let spec = ref;
    if (ref.startsWith('arn:')) {
      const prefix = this.arn('task-definition/');
      if (!ref.startsWith(prefix)) return undefined;
      spec = ref.slice(prefix.length);
    }
    const m = /^([^:]+)(?::(\d+))?$/.exec(spec);
    if (!m) return undefined;
    const revisions = this.families.get(m[1]) ?? [];
    if (m[2] !== undefined) return revisions[Number(m[2]) - 1];
    for (let i = revisions.length - 1; i >= 0; i--)
      if (revisions[i].def.status === 'ACTIVE') return revisions[i];
    return undefined;
  }

  describeTaskDefinition(
    input: DescribeTaskDefinitionRequest,
  ): Out<{ taskDefinition?: TaskDefinition; tags?: Tag[] }> {
    return this.call('DescribeTaskDefinition', () => {
      const stored = input.taskDefinition ? this.findRevision(input.taskDefinition) : undefined;
      if (!stored) throw errors.client('Unable to describe task definition.');
      return {
        taskDefinition: revisionOut(stored),
        ...(input.include?.includes('TAGS') ? { tags: clone(stored.tags) } : {}),
      };
    });
  }

  // ---------------------------------------------------------------- services

  private serviceArn(cluster: string, name: string): string {
    return this.arn(`service/${cluster}/${name}`);
  }

  private serviceKey(ref: string): string {
    return ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
  }

  private servicesOf(cluster: string): Map<string, StoredService> {
    let m = this.services.get(cluster);
    if (!m) {
      m = new Map();
      this.services.set(cluster, m);
    }
    return m;
  }

  /** The revision a service may run: it must exist and be ACTIVE. */
  private serviceTaskDefinition(ref: string | undefined): StoredRevision {
    if (!ref) throw errors.invalidParameter('TaskDefinition is required.');
    const stored = this.findRevision(ref);
    if (!stored) throw errors.invalidParameter('TaskDefinition not found.');
    if (stored.def.status !== 'ACTIVE') throw errors.invalidParameter('TaskDefinition is inactive');
    return stored;
  }

  private checkNetwork(
    def: StoredRevision,
    network: NetworkConfiguration | undefined,
  ): NetworkConfiguration | undefined {
    if (def.def.networkMode === 'awsvpc') {
      const vpc = network?.awsvpcConfiguration;
      if (!vpc) {
        throw errors.invalidParameter(
          "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        );
      }
      const subnets = vpc.subnets ?? [];
      if (subnets.length === 0) throw errors.invalidParameter('subnets can not be empty.');
      if (subnets.length > MAX_SUBNETS) {
        throw errors.invalidParameter(`subnets can have at most ${MAX_SUBNETS} items.`);
      }
      return { awsvpcConfiguration: { ...vpc, assignPublicIp: vpc.assignPublicIp ?? 'DISABLED' } };
    }
    if (network?.awsvpcConfiguration) {
      throw errors.invalidParameter(
        'Network Configuration is not valid for the given networkMode of this task definition.',
      );
    }
    return undefined;
  }

  private newDeployment(
    s: StoredService,
    taskDefinition: string,
    desiredCount: number,
    at: number,
    runningCount = 0,
  ): StoredDeployment {
    this.seq++;
    const id = `ecs-svc/${String(this.seq).padStart(19, '0')}`;
    return {
      id,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount,
      pendingCount: 0,
      runningCount,
      failedTasks: 0,
      createdAt: at,
      updatedAt: at,
      ...(s.service.launchType ? { launchType: s.service.launchType } : {}),
      ...(s.service.capacityProviderStrategy
        ? { capacityProviderStrategy: s.service.capacityProviderStrategy }
        : {}),
      ...(s.service.platformVersion ? { platformVersion: s.service.platformVersion } : {}),
      ...(s.service.networkConfiguration ? { networkConfiguration: s.service.networkConfiguration } : {}),
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
    };
  }

  createService(input: CreateServiceRequest): Out<{ service?: Service }> {
    return this.call('CreateService', () => {
      const name = input.serviceName ?? '';
      if (!SERVICE_NAME_PATTERN.test(name)) {
        throw errors.invalidParameter(
          'Service name must be 1-255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores.',
        );
      }
      const { name: cluster, stored: storedCluster } = this.activeCluster(input.cluster);
      const { clientToken, ...request } = input;
      const createKey = canonicalJson({ ...request, cluster });
      const services = this.servicesOf(cluster);
      const existing = services.get(name);
      if (existing && existing.service.status !== 'INACTIVE') {
        // AWS's idempotency: a retry with the same clientToken and parameters gets the service back.
        if (
          clientToken !== undefined &&
          existing.clientToken === clientToken &&
          existing.createKey === createKey
        ) {
          return { service: this.serviceOut(existing, false) };
        }
        throw errors.invalidParameter('Creation of service was not idempotent.');
      }
      const scheduling = input.schedulingStrategy ?? 'REPLICA';
      this.checkNewServiceCounts(input, storedCluster, scheduling);
      const def = this.serviceTaskDefinition(input.taskDefinition);
      if (input.launchType === 'FARGATE' && !def.def.compatibilities?.includes('FARGATE')) {
        throw errors.invalidParameter('Task definition does not support launch_type FARGATE.');
      }
      const network = this.checkNetwork(def, input.networkConfiguration);
      const loadBalancers = checkServiceLoadBalancers(input.loadBalancers ?? [], def, this.elbv2);
      validateTags(input.tags);
      const deploymentConfiguration = fillDeploymentConfiguration(input.deploymentConfiguration, scheduling);
      const launchType =
        input.launchType ??
        (input.capacityProviderStrategy && input.capacityProviderStrategy.length > 0 ? undefined : 'EC2');
      const desiredCount = scheduling === 'DAEMON' ? 0 : (input.desiredCount ?? 0);
      const now = this.now();
      const s: StoredService = {
        service: {
          serviceArn: this.serviceArn(cluster, name),
          serviceName: name,
          clusterArn: storedCluster.cluster.clusterArn,
          loadBalancers,
          serviceRegistries: input.serviceRegistries ?? [],
          status: 'ACTIVE',
          desiredCount,
          ...(launchType ? { launchType } : {}),
          ...(input.capacityProviderStrategy && input.capacityProviderStrategy.length > 0
            ? { capacityProviderStrategy: input.capacityProviderStrategy }
            : {}),
          ...(launchType === 'FARGATE' || input.platformVersion
            ? { platformVersion: input.platformVersion ?? 'LATEST' }
            : {}),
          taskDefinition: def.def.taskDefinitionArn,
          deploymentConfiguration,
          placementConstraints: input.placementConstraints ?? [],
          placementStrategy: input.placementStrategy ?? [],
          ...(network ? { networkConfiguration: network } : {}),
          ...(input.healthCheckGracePeriodSeconds !== undefined
            ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds }
            : {}),
          schedulingStrategy: scheduling,
          deploymentController: input.deploymentController ?? { type: 'ECS' },
          createdBy: `arn:aws:iam::${this.accountId}:root`,
          enableECSManagedTags: input.enableECSManagedTags ?? false,
          propagateTags: input.propagateTags ?? 'NONE',
          enableExecuteCommand: input.enableExecuteCommand ?? false,
        },
        createdAt: now,
        deployments: [],
        tags: clone(input.tags ?? []),
        ...(clientToken !== undefined ? { clientToken } : {}),
        createKey,
        scaledAt: now,
      };
      s.deployments.push(this.newDeployment(s, def.def.taskDefinitionArn ?? '', desiredCount, now));
      services.delete(name); // an INACTIVE predecessor of the same name
      services.set(name, clone(s));
      this.emitDeployment(s, s.deployments[0], 'SERVICE_DEPLOYMENT_IN_PROGRESS', now);
      return { service: this.serviceOut(services.get(name) as StoredService, false) };
    });
  }

  /** CreateService's checks of launch type, capacity providers and desired count, as AWS makes them. */
  private checkNewServiceCounts(
    input: CreateServiceRequest,
    storedCluster: StoredCluster,
    scheduling: NonNullable<CreateServiceRequest['schedulingStrategy']>,
  ): void {
    if (input.launchType && input.capacityProviderStrategy && input.capacityProviderStrategy.length > 0) {
      throw errors.invalidParameter(
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    }
    if (scheduling === 'DAEMON' && input.desiredCount !== undefined) {
      throw errors.invalidParameter(DAEMON_DESIRED_COUNT);
    }
    this.checkCapacityProviders(storedCluster, input.capacityProviderStrategy);
    if (scheduling === 'REPLICA' && input.desiredCount === undefined) {
      throw errors.invalidParameter(
        'desiredCount is required for services using the REPLICA scheduling strategy.',
      );
    }
    if (input.desiredCount !== undefined && input.desiredCount < 0) {
      throw errors.invalidParameter('desiredCount must be 0 or greater.');
    }
  }

  private liveService(cluster: string, ref: string): StoredService {
    const s = this.services.get(cluster)?.get(this.serviceKey(ref));
    if (!s) throw errors.serviceNotFound();
    return s;
  }

  updateService(input: UpdateServiceRequest): Out<{ service?: Service }> {
    return this.call('UpdateService', () => {
      const { name: cluster, stored: storedCluster } = this.activeCluster(input.cluster);
      const s = this.liveService(cluster, input.service ?? '');
      if (s.service.status !== 'ACTIVE') throw errors.serviceNotActive();
      const svc = s.service;
      if (svc.schedulingStrategy === 'DAEMON' && input.desiredCount !== undefined) {
        throw errors.invalidParameter(DAEMON_DESIRED_COUNT);
      }
      this.checkCapacityProviders(storedCluster, input.capacityProviderStrategy);
      const primary = s.deployments.find((d) => d.status === 'PRIMARY');
      let redeploy = input.forceNewDeployment === true;

      let def = svc.taskDefinition ? this.findRevision(svc.taskDefinition) : undefined;
      if (input.taskDefinition !== undefined) {
        def = this.serviceTaskDefinition(input.taskDefinition);
        if (def.def.taskDefinitionArn !== svc.taskDefinition) redeploy = true;
      }
      if (input.desiredCount !== undefined && input.desiredCount < 0) {
        throw errors.invalidParameter('desiredCount must be 0 or greater.');
      }
      if (input.networkConfiguration !== undefined || input.taskDefinition !== undefined) {
        const network = def
          ? this.checkNetwork(def, input.networkConfiguration ?? svc.networkConfiguration)
          : input.networkConfiguration;
        if (canonicalJson(network) !== canonicalJson(svc.networkConfiguration)) redeploy = true;
        if (network) svc.networkConfiguration = network;
        else delete svc.networkConfiguration;
      }
      if (input.deploymentConfiguration !== undefined) {
        svc.deploymentConfiguration = fillDeploymentConfiguration(
          { ...svc.deploymentConfiguration, ...input.deploymentConfiguration },
          svc.schedulingStrategy,
        );
      }
      const redeployIfChanged = <K extends keyof typeof svc>(
        key: K,
        value: (typeof svc)[K] | undefined,
      ): void => {
        if (value === undefined) return;
        if (canonicalJson(value) !== canonicalJson(svc[key])) redeploy = true;
        svc[key] = value;
      };
      redeployIfChanged('platformVersion', input.platformVersion);
      redeployIfChanged('capacityProviderStrategy', input.capacityProviderStrategy);
      // A new revision is checked against the load balancers the service keeps, as ECS does.
      if (def && (input.loadBalancers !== undefined || input.taskDefinition !== undefined)) {
        redeployIfChanged(
          'loadBalancers',
          checkServiceLoadBalancers(input.loadBalancers ?? svc.loadBalancers ?? [], def, this.elbv2),
        );
      } else {
        redeployIfChanged('loadBalancers', input.loadBalancers);
      }
      redeployIfChanged('serviceRegistries', input.serviceRegistries);
      redeployIfChanged('enableExecuteCommand', input.enableExecuteCommand);
      if (input.placementConstraints !== undefined) svc.placementConstraints = input.placementConstraints;
      if (input.placementStrategy !== undefined) svc.placementStrategy = input.placementStrategy;
      if (input.healthCheckGracePeriodSeconds !== undefined) {
        svc.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
      }
      if (input.enableECSManagedTags !== undefined) svc.enableECSManagedTags = input.enableECSManagedTags;
      if (input.propagateTags !== undefined) svc.propagateTags = input.propagateTags;
      const now = this.now();
      if (input.desiredCount !== undefined && input.desiredCount !== svc.desiredCount) {
        svc.desiredCount = input.desiredCount;
        s.scaledAt = now;
        for (const d of s.deployments) if (d.status === 'PRIMARY') d.desiredCount = input.desiredCount;
      }
      if (def) svc.taskDefinition = def.def.taskDefinitionArn;
      if (redeploy) {
        if (primary) primary.status = 'ACTIVE';
        s.deployments.unshift(this.newDeployment(s, svc.taskDefinition ?? '', svc.desiredCount ?? 0, now));
        this.emitDeployment(s, s.deployments[0], 'SERVICE_DEPLOYMENT_IN_PROGRESS', now);
      }
      return { service: this.serviceOut(s, false) };
    });
  }

  deleteService(input: DeleteServiceRequest): Out<{ service?: Service }> {
    return this.call('DeleteService', () => {
      const { name: cluster } = this.activeCluster(input.cluster);
      const s = this.liveService(cluster, input.service ?? '');
      if (s.service.status !== 'ACTIVE') throw errors.serviceNotActive();
      if ((s.service.desiredCount ?? 0) > 0 && !input.force) {
        throw errors.invalidParameter('The service cannot be stopped while it is scaled above 0.');
      }
      const now = this.now();
      s.service.status = 'DRAINING';
      s.service.desiredCount = 0;
      for (const d of s.deployments) d.desiredCount = 0;
      s.deletedAt = now;
      return { service: this.serviceOut(s, false) };
    });
  }

  describeServices(
    input: DescribeServicesRequest,
  ): Out<{ services?: Service[]; failures?: { arn?: string; reason?: string }[] }> {
    return this.call('DescribeServices', () => {
      const refs = input.services ?? [];
      if (refs.length === 0) throw errors.invalidParameter('Services cannot be empty.');
      if (refs.length > MAX_DESCRIBE_SERVICES) {
        throw errors.invalidParameter(
          `A maximum of ${MAX_DESCRIBE_SERVICES} services can be described at once.`,
        );
      }
      const { name: cluster } = this.activeCluster(input.cluster);
      const includeTags = input.include?.includes('TAGS') ?? false;
      const services: Service[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs) {
        const s = this.services.get(cluster)?.get(this.serviceKey(ref));
        if (s) services.push(this.serviceOut(s, includeTags));
        else
          failures.push({
            arn: ref.startsWith('arn:') ? ref : this.serviceArn(cluster, ref),
            reason: 'MISSING',
          });
      }
      return { services, failures };
    });
  }

  listServices(input: ListServicesRequest): Out<{ serviceArns?: string[]; nextToken?: string }> {
    return this.call('ListServices', () => {
      const max = input.maxResults ?? DEFAULT_LIST_SERVICES_RESULTS;
      if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_RESULTS) {
        throw errors.invalidParameter(`maxResults must be between 1 and ${MAX_LIST_RESULTS}.`);
      }
      const { name: cluster } = this.activeCluster(input.cluster);
      const arns = [...(this.services.get(cluster)?.values() ?? [])]
        .filter((s) => s.service.status !== 'INACTIVE')
        .filter((s) => !input.launchType || s.service.launchType === input.launchType)
        .filter((s) => !input.schedulingStrategy || s.service.schedulingStrategy === input.schedulingStrategy)
        .map((s) => s.service.serviceArn ?? '');
      return page(arns, max, input.nextToken, `ListServices/${cluster}`, 'serviceArns');
    });
  }

  listTasks(input: ListTasksRequest): Out<{ taskArns?: string[]; nextToken?: string }> {
    return this.call('ListTasks', () => {
      const max = input.maxResults ?? MAX_LIST_RESULTS;
      if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_RESULTS) {
        throw errors.invalidParameter(`maxResults must be between 1 and ${MAX_LIST_RESULTS}.`);
      }
      const { name: cluster } = this.activeCluster(input.cluster);
      // The service is looked up for its error (ServiceNotFoundException) as AWS does.
      if (input.serviceName !== undefined) this.liveService(cluster, input.serviceName);
      // Only running tasks are modelled; stopped ones are not kept.
      if (input.desiredStatus === 'STOPPED') return { taskArns: [] };
      const service = input.serviceName && this.serviceKey(input.serviceName);
      const arns = this.runningTasks(cluster)
        .filter((t) => service === undefined || t.group === `service:${service}`)
        .filter(
          (t) => !input.family || (t.taskDefinitionArn ?? '').includes(`task-definition/${input.family}:`),
        )
        .map((t) => t.taskArn ?? '');
      return page(arns, max, input.nextToken, `ListTasks/${cluster}`, 'taskArns');
    });
  }

  /** Service tasks (one per running task of each deployment, as ListTasks names them) and standalone ones. */
  describeTasks(
    input: DescribeTasksRequest,
  ): Out<{ tasks?: Task[]; failures?: { arn?: string; reason?: string }[] }> {
    return this.call('DescribeTasks', () => {
      const refs = input.tasks ?? [];
      if (refs.length === 0) throw errors.invalidParameter('Tasks cannot be empty.');
      if (refs.length > MAX_DESCRIBE_TASKS) {
        throw errors.invalidParameter(`A maximum of ${MAX_DESCRIBE_TASKS} tasks can be described at once.`);
      }
      const { name: cluster } = this.activeCluster(input.cluster);
      const known = new Map(this.runningTasks(cluster).map((t) => [t.taskArn ?? '', t]));
      const tasks: Task[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs) {
        const arn = ref.startsWith('arn:') ? ref : this.arn(`task/${cluster}/${ref}`);
        const t = known.get(arn);
        if (t) tasks.push(t);
        else failures.push({ arn, reason: 'MISSING' });
      }
      return { tasks: clone(tasks), failures };
    });
  }

  /**
   * The cluster's running tasks, as ListTasks and DescribeTasks see them: one per running task of
   * each deployment of a service that is not INACTIVE (ids derived from the deployment, so stable),
   * then the standalone ones.
   */
  private runningTasks(cluster: string): Task[] {
    const clusterArn = this.arn(`cluster/${cluster}`);
    const out: Task[] = [];
    for (const s of this.services.get(cluster)?.values() ?? []) {
      if (s.service.status === 'INACTIVE') continue;
      for (const d of s.deployments) {
        for (let i = 0; i < (d.runningCount ?? 0); i++) {
          const id = createHash('md5')
            .update(`${cluster}/${d.id ?? ''}/${i}`)
            .digest('hex');
          out.push({
            taskArn: this.arn(`task/${cluster}/${id}`),
            clusterArn,
            taskDefinitionArn: d.taskDefinition,
            group: `service:${s.service.serviceName ?? ''}`,
            // ECS marks a service's tasks with the deployment that started them.
            startedBy: d.id,
            ...(d.launchType ? { launchType: d.launchType } : {}),
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
          });
        }
      }
    }
    for (const t of this.tasks.get(cluster) ?? []) {
      out.push({
        taskArn: t.taskArn,
        clusterArn,
        taskDefinitionArn: t.taskDefinitionArn,
        group: t.group,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        startedAt: new Date(t.startedAt),
      });
    }
    return out;
  }

  /**
   * Setup helper (RunTask's effect, not part of EcsPort, not logged): a standalone task running a
   * revision, e.g. a one-off migration that keeps an old revision in use.
   */
  startTask(input: { cluster: string; taskDefinition: string; group?: string }): string {
    const { name: cluster } = this.activeCluster(input.cluster);
    const def = this.serviceTaskDefinition(input.taskDefinition);
    this.seq++;
    const id = createHash('md5').update(`standalone/${cluster}/${this.seq}`).digest('hex');
    const taskArn = this.arn(`task/${cluster}/${id}`);
    const list = this.tasks.get(cluster) ?? [];
    list.push({
      taskArn,
      taskDefinitionArn: def.def.taskDefinitionArn ?? '',
      group: input.group ?? `family:${def.def.family ?? ''}`,
      startedAt: this.now(),
    });
    this.tasks.set(cluster, list);
    if (this.events?.wanted()) {
      const facts = this.liveTasks().get(taskArn);
      if (facts) this.emitTaskStarted(facts);
    }
    return taskArn;
  }

  /**
   * Setup helper: the standalone task stopped (StopTask's effect, `UserInitiated`), or its
   * essential container exited with `exitCode` (`EssentialContainerExited`).
   */
  stopTask(input: { cluster: string; task: string; exitCode?: number; reason?: string }): void {
    if (this.events?.wanted()) {
      const facts = this.liveTasks().get(input.task);
      if (facts) {
        this.emitTaskStopped(
          facts,
          input.exitCode !== undefined
            ? {
                stopCode: 'EssentialContainerExited',
                stoppedReason: input.reason ?? 'Essential container in task exited',
                exitCode: input.exitCode,
              }
            : {
                stopCode: 'UserInitiated',
                stoppedReason: input.reason ?? 'Task stopped by user',
                exitCode: 0,
              },
        );
      }
    }
    const list = this.tasks.get(input.cluster) ?? [];
    this.tasks.set(
      input.cluster,
      list.filter((t) => t.taskArn !== input.task),
    );
  }

  private serviceOut(s: StoredService, includeTags: boolean): Service {
    const running = runningOf(s);
    return clone({
      ...s.service,
      runningCount: running,
      pendingCount: 0,
      createdAt: new Date(s.createdAt),
      deployments: s.deployments.map((d) => ({
        ...d,
        createdAt: new Date(d.createdAt),
        updatedAt: new Date(d.updatedAt),
      })),
      events: serviceEvents(s, this.now()),
      ...(includeTags ? { tags: s.tags } : {}),
    });
  }

  // ---------------------------------------------------------------- time

  private failing(taskDefinitionArn: string | undefined): boolean {
    if (this.failImages.size === 0 || !taskDefinitionArn) return false;
    const def = this.findRevision(taskDefinitionArn);
    return (def?.def.containerDefinitions ?? []).some(
      (c) => c.image !== undefined && this.failImages.has(c.image),
    );
  }

  /**
   * Moves every rollout and drain forward to the clock's now. Deterministic for a given clock. With
   * an event sink that wants events, the tasks that started or stopped meanwhile are reported.
   */
  private advance(): void {
    const before = this.events?.wanted() ? this.liveTasks() : undefined;
    this.advanceAll();
    if (before) this.emitTaskChanges(before, this.liveTasks());
  }

  private advanceAll(): void {
    const now = this.now();
    const rolloutMs = this.rolloutSeconds * 1000;
    const drainMs = this.drainSeconds * 1000;
    for (const services of this.services.values()) {
      for (const s of services.values()) {
        if (s.service.status === 'DRAINING' && s.deletedAt !== undefined && now >= s.deletedAt + drainMs) {
          s.service.status = 'INACTIVE';
          for (const d of s.deployments) d.runningCount = 0;
        }
        if (s.service.status === 'INACTIVE') continue;
        this.advanceRollout(s, now, rolloutMs, drainMs);
      }
    }
  }

  private advanceRollout(s: StoredService, now: number, rolloutMs: number, drainMs: number): void {
    for (;;) {
      const primary = s.deployments.find((d) => d.status === 'PRIMARY');
      if (!primary) return;
      if (primary.rolloutState === 'IN_PROGRESS') {
        const due = primary.createdAt + rolloutMs;
        if (now < due) return;
        if (!this.failing(primary.taskDefinition)) {
          primary.rolloutState = 'COMPLETED';
          primary.rolloutStateReason = `ECS deployment ${primary.id ?? ''} completed.`;
          primary.runningCount = primary.desiredCount;
          primary.updatedAt = due;
          s.deployments = [primary];
          s.scaledAt = due;
          this.emitDeployment(s, primary, 'SERVICE_DEPLOYMENT_COMPLETED', due);
          this.emitSteadyState(s, due);
          return;
        }
        const breaker = s.service.deploymentConfiguration?.deploymentCircuitBreaker;
        // Without the circuit breaker ECS keeps trying to start the tasks: the rollout never ends.
        if (!breaker?.enable) return;
        primary.rolloutState = 'FAILED';
        primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
        primary.updatedAt = due;
        primary.runningCount = 0;
        this.emitFailedTask(s, primary, due);
        this.emitDeployment(s, primary, 'SERVICE_DEPLOYMENT_FAILED', due);
        const previous = s.deployments.find((d) => d !== primary && d.rolloutState === 'COMPLETED');
        if (!breaker.rollback || !previous) return;
        // Rollback: a new PRIMARY deployment of the last completed revision.
        primary.status = 'ACTIVE';
        const rollback = this.newDeployment(
          s,
          previous.taskDefinition ?? '',
          s.service.desiredCount ?? 0,
          due,
          previous.runningCount ?? 0,
        );
        rollback.rolloutStateReason = `ECS deployment circuit breaker: rolling back to deploymentId ${previous.id ?? ''}.`;
        s.deployments = [rollback, ...s.deployments.filter((d) => d !== previous)];
        s.service.taskDefinition = previous.taskDefinition;
        this.emitDeployment(s, rollback, 'SERVICE_DEPLOYMENT_IN_PROGRESS', due);
        continue;
      }
      if (primary.rolloutState === 'COMPLETED' && primary.runningCount !== primary.desiredCount) {
        const scalingDown = (primary.runningCount ?? 0) > (primary.desiredCount ?? 0);
        const settled = s.scaledAt + (scalingDown ? drainMs : rolloutMs);
        if (now >= settled) {
          primary.runningCount = primary.desiredCount;
          this.emitSteadyState(s, settled);
        }
      }
      return;
    }
  }

  // ---------------------------------------------------------------- events

  /** Every running task of the account, as its events describe it (only built when events are wanted). */
  private liveTasks(): Map<string, TaskFacts> {
    const out = new Map<string, TaskFacts>();
    const clusters = new Set([...this.services.keys(), ...this.tasks.keys()]);
    for (const cluster of clusters) {
      const deployments = new Map<string, StoredDeployment>();
      for (const s of this.services.get(cluster)?.values() ?? []) {
        for (const d of s.deployments) deployments.set(d.id ?? '', d);
      }
      for (const t of this.runningTasks(cluster)) {
        const d = t.startedBy !== undefined ? deployments.get(t.startedBy) : undefined;
        out.set(t.taskArn ?? '', this.taskFacts(t, d?.updatedAt ?? t.startedAt?.getTime() ?? this.now()));
      }
    }
    return out;
  }

  private taskFacts(t: Task, createdAt: number): TaskFacts {
    const def = this.findRevision(t.taskDefinitionArn ?? '')?.def;
    const launchType = t.launchType ?? 'EC2';
    return {
      taskArn: t.taskArn ?? '',
      clusterArn: t.clusterArn ?? '',
      taskDefinitionArn: t.taskDefinitionArn ?? '',
      group: t.group ?? '',
      ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
      launchType,
      ...(launchType === 'FARGATE' ? { platformVersion: '1.4.0' } : {}),
      ...(def?.cpu !== undefined ? { cpu: def.cpu } : {}),
      ...(def?.memory !== undefined ? { memory: def.memory } : {}),
      availabilityZone: `${this.region}a`,
      containers: (def?.containerDefinitions ?? []).map((c) => ({
        name: c.name ?? '',
        image: c.image ?? '',
      })),
      createdAt,
    };
  }

  /** Tasks that appeared or went away between two looks: a start is PENDING then RUNNING (versions 1, 2). */
  private emitTaskChanges(before: Map<string, TaskFacts>, after: Map<string, TaskFacts>): void {
    for (const [arn, facts] of after) if (!before.has(arn)) this.emitTaskStarted(facts);
    for (const [arn, facts] of before) {
      if (after.has(arn)) continue;
      this.emitTaskStopped(facts, {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment ${facts.startedBy ?? 'unknown'})`,
        exitCode: 0,
      });
    }
  }

  private emitTaskStarted(facts: TaskFacts): void {
    const now = this.now();
    this.events?.publish(taskStateChange(facts, 'PENDING', 1, now));
    this.events?.publish(taskStateChange(facts, 'RUNNING', 2, now));
  }

  /** A running task's stop: STOPPING then STOPPED (versions 3, 4, after its start's 1 and 2). */
  private emitTaskStopped(
    facts: TaskFacts,
    stop: { stopCode: string; stoppedReason: string; exitCode: number },
  ): void {
    const now = this.now();
    const full = { ...stop, stoppingAt: now };
    this.events?.publish(taskStateChange(facts, 'STOPPING', 3, now, full));
    this.events?.publish(taskStateChange(facts, 'STOPPED', 4, now, full));
  }

  /** A task of a failing image: PENDING, then STOPPED without ever running (TaskFailedToStart). */
  private emitFailedTask(s: StoredService, d: StoredDeployment, at: number): void {
    if (!this.events?.wanted()) return;
    const cluster = this.clusterName(s.service.clusterArn);
    const id = createHash('md5')
      .update(`failed/${cluster}/${d.id ?? ''}`)
      .digest('hex');
    const facts = this.taskFacts(
      {
        taskArn: this.arn(`task/${cluster}/${id}`),
        clusterArn: s.service.clusterArn,
        taskDefinitionArn: d.taskDefinition,
        group: `service:${s.service.serviceName ?? ''}`,
        startedBy: d.id,
        ...(d.launchType ? { launchType: d.launchType } : {}),
      },
      at,
    );
    const image = facts.containers.find((c) => this.failImages.has(c.image))?.image ?? '';
    const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`;
    const stop = {
      stopCode: 'TaskFailedToStart',
      stoppedReason: reason,
      stoppingAt: at,
      containerReason: reason,
    };
    this.events.publish(taskStateChange(facts, 'PENDING', 1, at));
    this.events.publish(taskStateChange(facts, 'STOPPED', 2, at, stop));
  }

  private emitDeployment(
    s: StoredService,
    d: StoredDeployment,
    eventName:
      'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED',
    at: number,
  ): void {
    if (!this.events?.wanted()) return;
    this.events.publish(
      deploymentStateChange(
        s.service.serviceArn ?? '',
        d.id ?? '',
        eventName,
        d.rolloutStateReason ?? '',
        at,
      ),
    );
  }

  private emitSteadyState(s: StoredService, at: number): void {
    if (!this.events?.wanted()) return;
    this.events.publish(
      serviceAction(
        s.service.serviceArn ?? '',
        s.service.clusterArn ?? '',
        'SERVICE_STEADY_STATE',
        'INFO',
        at,
      ),
    );
  }

  private emitContainerInstance(cluster: string, c: StoredContainerInstance): void {
    if (!this.events?.wanted()) return;
    const out = containerInstanceOut(c);
    this.events.publish(
      containerInstanceStateChange(
        {
          containerInstanceArn: c.containerInstanceArn,
          ec2InstanceId: c.ec2InstanceId,
          status: c.status,
          agentConnected: out.agentConnected ?? false,
          runningTasksCount: out.runningTasksCount ?? 0,
          pendingTasksCount: out.pendingTasksCount ?? 0,
        },
        this.arn(`cluster/${cluster}`),
        c.version ?? 1,
        this.now(),
      ),
    );
  }

  // ---------------------------------------------------------------- container instances

  /**
   * Setup helper (the ECS agent's RegisterContainerInstance, not part of EcsPort, not logged): an EC2
   * instance joins the cluster. `status` lets a test model DRAINING or deregistered (INACTIVE) ones.
   */
  registerContainerInstance(input: {
    cluster?: string;
    ec2InstanceId: string;
    status?: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  }): ContainerInstance {
    const { name: cluster } = this.activeCluster(input.cluster);
    this.seq++;
    const id = createHash('md5').update(`${cluster}/${this.seq}/${input.ec2InstanceId}`).digest('hex');
    const stored: StoredContainerInstance = {
      containerInstanceArn: this.arn(`container-instance/${cluster}/${id}`),
      ec2InstanceId: input.ec2InstanceId,
      status: input.status ?? 'ACTIVE',
      registeredAt: this.now(),
    };
    const list = this.containerInstances.get(cluster) ?? [];
    list.push(stored);
    this.containerInstances.set(cluster, list);
    this.emitContainerInstance(cluster, stored);
    return containerInstanceOut(stored);
  }

  /**
   * Setup helper (the agent or an operator changes an instance: UpdateContainerInstancesState,
   * DeregisterContainerInstance; not part of EcsPort, not logged): a new status, reported as an
   * `ECS Container Instance State Change` with the next version.
   */
  setContainerInstanceStatus(input: {
    cluster?: string;
    containerInstanceArn: string;
    status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  }): ContainerInstance {
    const { name: cluster } = this.activeCluster(input.cluster);
    const stored = (this.containerInstances.get(cluster) ?? []).find(
      (c) => c.containerInstanceArn === input.containerInstanceArn,
    );
    if (!stored) throw errors.invalidParameter('Container instance not found.');
    stored.status = input.status;
    stored.version = (stored.version ?? 1) + 1;
    this.emitContainerInstance(cluster, stored);
    return containerInstanceOut(stored);
  }

  listContainerInstances(
    input: ListContainerInstancesRequest,
  ): Out<{ containerInstanceArns?: string[]; nextToken?: string }> {
    return this.call('ListContainerInstances', () => {
      const max = input.maxResults ?? MAX_LIST_RESULTS;
      if (!Number.isInteger(max) || max < 1 || max > MAX_LIST_RESULTS) {
        throw errors.invalidParameter(`maxResults must be between 1 and ${MAX_LIST_RESULTS}.`);
      }
      // The cluster query language is not modelled: refuse it rather than ignore it silently.
      if (input.filter !== undefined) throw errors.invalidParameter('The sandbox does not support filter.');
      const { name: cluster } = this.activeCluster(input.cluster);
      const arns = (this.containerInstances.get(cluster) ?? [])
        .filter((c) => (input.status ? c.status === input.status : c.status !== 'INACTIVE'))
        .map((c) => c.containerInstanceArn);
      return page(
        arns,
        max,
        input.nextToken,
        `ListContainerInstances/${cluster}/${input.status ?? ''}`,
        'containerInstanceArns',
      );
    });
  }

  describeContainerInstances(
    input: DescribeContainerInstancesRequest,
  ): Out<{ containerInstances?: ContainerInstance[]; failures?: { arn?: string; reason?: string }[] }> {
    return this.call('DescribeContainerInstances', () => {
      const refs = input.containerInstances ?? [];
      if (refs.length === 0) throw errors.invalidParameter('Container instances cannot be empty.');
      if (refs.length > MAX_DESCRIBE_CONTAINER_INSTANCES) {
        throw errors.invalidParameter(
          `A maximum of ${MAX_DESCRIBE_CONTAINER_INSTANCES} container instances can be described at once.`,
        );
      }
      const { name: cluster } = this.activeCluster(input.cluster);
      const list = this.containerInstances.get(cluster) ?? [];
      const containerInstances: ContainerInstance[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs) {
        const id = ref.slice(ref.lastIndexOf('/') + 1);
        const found = list.find((c) => c.containerInstanceArn.endsWith(`/${id}`));
        if (found) containerInstances.push(containerInstanceOut(found));
        else
          failures.push({
            arn: ref.startsWith('arn:') ? ref : this.arn(`container-instance/${cluster}/${ref}`),
            reason: 'MISSING',
          });
      }
      return { containerInstances, failures };
    });
  }

  // ---------------------------------------------------------------- tags

  private taggable(arn: string): { tags: Tag[]; set(tags: Tag[]): void } {
    const prefix = this.arn('');
    if (arn.startsWith(prefix)) {
      const resource = arn.slice(prefix.length);
      let m = /^cluster\/(.+)$/.exec(resource);
      if (m) {
        const c = this.clusters.get(m[1]);
        if (c && c.cluster.status === 'ACTIVE') return { tags: c.tags, set: (t) => (c.tags = t) };
      }
      m = /^service\/([^/]+)\/([^/]+)$/.exec(resource);
      if (m) {
        const s = this.services.get(m[1])?.get(m[2]);
        if (s && s.service.status !== 'INACTIVE') return { tags: s.tags, set: (t) => (s.tags = t) };
      }
      m = /^task-definition\/([^:]+:\d+)$/.exec(resource);
      if (m) {
        const r = this.findRevision(m[1]);
        if (r) return { tags: r.tags, set: (t) => (r.tags = t) };
      }
    }
    throw errors.resourceNotFound();
  }

  tagResource(input: TagResourceRequest): Promise<void> {
    return this.call('TagResource', () => {
      const target = this.taggable(input.resourceArn ?? '');
      const incoming = input.tags ?? [];
      if (incoming.length === 0) throw errors.invalidParameter('Tags cannot be empty.');
      validateTags(incoming);
      const merged = new Map(target.tags.map((t) => [t.key, t.value]));
      for (const t of incoming) merged.set(t.key, t.value ?? '');
      if (merged.size > MAX_TAGS) {
        throw errors.invalidParameter(`Tag limit exceeded: a resource can have at most ${MAX_TAGS} tags.`);
      }
      target.set([...merged].map(([key, value]) => ({ key, value })));
    });
  }

  untagResource(input: UntagResourceRequest): Promise<void> {
    return this.call('UntagResource', () => {
      const target = this.taggable(input.resourceArn ?? '');
      const drop = new Set(input.tagKeys ?? []);
      target.set(target.tags.filter((t) => !drop.has(t.key ?? '')));
    });
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs one operation: async like the SDK, errors as rejections, results never aliased to state. */
  private call<T>(op: string, fn: () => T): Promise<T> {
    // A throw inside the executor becomes the rejection, as an SDK error would.
    const run = new Promise<T>((resolve) => {
      this.enter(op);
      resolve(fn());
    });
    return withOperation(`ECS.${op}`, run);
  }

  // ---------------------------------------------------------------- persistence

  toJSON(): SandboxState {
    const services: Record<string, StoredService[]> = {};
    for (const [cluster, m] of this.services) services[cluster] = [...m.values()];
    const families: Record<string, StoredRevision[]> = {};
    for (const [family, revisions] of this.families) families[family] = revisions;
    const containerInstances: Record<string, StoredContainerInstance[]> = {};
    for (const [cluster, list] of this.containerInstances) containerInstances[cluster] = list;
    const tasks: Record<string, StoredTask[]> = {};
    for (const [cluster, list] of this.tasks) tasks[cluster] = list;
    return clone({
      version: 1,
      accountId: this.accountId,
      region: this.region,
      seq: this.seq,
      clusters: [...this.clusters.values()],
      families,
      services,
      containerInstances,
      tasks,
    });
  }

  /** Rebuilds an account from `toJSON()`; account and Region come from the state. */
  static fromJSON(state: SandboxState, opts: Omit<SandboxOptions, 'accountId' | 'region'> = {}): SandboxEcs {
    if (state.version !== 1) throw new Error(`unsupported sandbox state version ${String(state.version)}`);
    const sb = new SandboxEcs({ ...opts, accountId: state.accountId, region: state.region });
    const copy = clone(state);
    sb.seq = copy.seq;
    for (const c of copy.clusters) sb.clusters.set(c.cluster.clusterName ?? '', c);
    for (const [family, revisions] of Object.entries(copy.families)) sb.families.set(family, revisions);
    for (const [cluster, list] of Object.entries(copy.services)) {
      sb.services.set(cluster, new Map(list.map((s) => [s.service.serviceName ?? '', s])));
    }
    // Absent from state files written before container instances were modelled.
    for (const [cluster, list] of Object.entries(copy.containerInstances ?? {})) {
      sb.containerInstances.set(cluster, list);
    }
    for (const [cluster, list] of Object.entries(copy.tasks ?? {})) sb.tasks.set(cluster, list);
    return sb;
  }
}

function containerInstanceOut(c: StoredContainerInstance): ContainerInstance {
  return {
    containerInstanceArn: c.containerInstanceArn,
    ec2InstanceId: c.ec2InstanceId,
    status: c.status,
    agentConnected: c.status !== 'INACTIVE',
    runningTasksCount: 0,
    pendingTasksCount: 0,
    registeredAt: new Date(c.registeredAt),
    attributes: [],
    registeredResources: [],
    remainingResources: [],
    tags: [],
  };
}

function runningOf(s: StoredService): number {
  return s.deployments.reduce((n, d) => n + (d.runningCount ?? 0), 0);
}

function revisionOut(r: StoredRevision): TaskDefinition {
  return clone({
    ...r.def,
    registeredAt: new Date(r.registeredAt),
    ...(r.deregisteredAt !== undefined ? { deregisteredAt: new Date(r.deregisteredAt) } : {}),
  });
}

/** AWS's defaults: 200/100 for REPLICA services, 100/0 for DAEMON services. */
function fillDeploymentConfiguration(
  c: DeploymentConfiguration | undefined,
  scheduling: string | undefined,
): DeploymentConfiguration {
  const daemon = scheduling === 'DAEMON';
  const min = c?.minimumHealthyPercent ?? (daemon ? 0 : 100);
  const max = c?.maximumPercent ?? (daemon ? 100 : 200);
  if (min < 0 || min > 100) throw errors.invalidParameter('minimumHealthyPercent must be between 0 and 100.');
  if (max < 100 && min === 100) {
    throw errors.invalidParameter(
      'maximumPercent must be greater than 100 when minimumHealthyPercent is 100.',
    );
  }
  return {
    ...c,
    deploymentCircuitBreaker: {
      enable: c?.deploymentCircuitBreaker?.enable ?? false,
      rollback: c?.deploymentCircuitBreaker?.rollback ?? false,
    },
    maximumPercent: max,
    minimumHealthyPercent: min,
  };
}

/** One page of a list, with an opaque token bound to the listing it came from. */
function page<K extends string>(
  items: string[],
  max: number,
  token: string | undefined,
  scope: string,
  key: K,
): { [P in K]?: string[] } & { nextToken?: string } {
  let offset = 0;
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        s?: string;
        o?: number;
      };
      if (parsed.s !== scope || typeof parsed.o !== 'number') throw new Error('scope');
      offset = parsed.o;
    } catch {
      throw errors.invalidParameter('Invalid token');
    }
  }
  const slice = items.slice(offset, offset + max);
  const next = offset + max < items.length ? offset + max : undefined;
  return {
    [key]: slice,
    ...(next !== undefined
      ? { nextToken: Buffer.from(JSON.stringify({ s: scope, o: next }), 'utf8').toString('base64url') }
      : {}),
  } as { [P in K]?: string[] } & { nextToken?: string };
}

/** Deep copy that keeps Dates (state never shares objects with callers). */
function clone<T>(value: T): T {
  return structuredClone(value);
}

/** JSON with sorted keys, for comparing requests. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
