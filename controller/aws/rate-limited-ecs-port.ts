import type {
  CreateClusterRequest,
  CreateServiceRequest,
  DeleteClusterRequest,
  PutClusterCapacityProvidersRequest,
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
  RegisterTaskDefinitionRequest,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { type Clock, type Sleep, realSleep, systemClock } from './clock';
import type { EcsPort } from './ecs-port';
import { Semaphore } from './semaphore';
import { StoppingError } from './stop-gate';
import { type BucketSpec, TokenBucket } from './token-bucket';

/**
 * Default client-side buckets for ECS writes, deliberately below AWS's own throttles so that a big
 * first apply paces itself instead of living on ThrottlingException retries.
 *
 * AWS: "Request throttling for the Amazon ECS API"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html): per account
 * and Region, a token bucket per group of actions, "the bucket maximum capacity signifies the burst
 * rate and the bucket refill rate is the sustained rate"; its worked example is cluster read actions
 * (DescribeClusters) with a bucket of 50 tokens. The per-action table of that page could not be
 * retrieved here, so the write numbers below are our conservative defaults (burst 20, then 1/s), not
 * AWS's figures; check them against the page / Service Quotas before raising them in production.
 */
export const DEFAULT_WRITE_BUCKETS: Readonly<Record<string, BucketSpec>> = {
  RegisterTaskDefinition: { burst: 20, perSecond: 1 },
  CreateService: { burst: 20, perSecond: 1 },
  UpdateService: { burst: 20, perSecond: 1 },
  DeleteService: { burst: 20, perSecond: 1 },
  CreateCluster: { burst: 20, perSecond: 1 },
  DeleteCluster: { burst: 20, perSecond: 1 },
  PutClusterCapacityProviders: { burst: 20, perSecond: 1 },
  TagResource: { burst: 20, perSecond: 1 },
  UntagResource: { burst: 20, perSecond: 1 },
  // Housekeeping: a small burst of its own, so cleaning up thousands of old revisions paces itself
  // and never takes the tokens RegisterTaskDefinition needs for real work.
  DeregisterTaskDefinition: { burst: 5, perSecond: 1 },
  DeleteTaskDefinitions: { burst: 5, perSecond: 1 },
};

export const DEFAULT_WRITE_CONCURRENCY = 4;

export interface RateLimitOptions {
  /** Mutating calls in flight at once. Default 4. */
  concurrency?: number;
  /** Per operation name (`RegisterTaskDefinition`); merged over DEFAULT_WRITE_BUCKETS. */
  buckets?: Record<string, BucketSpec>;
  clock?: Clock;
  sleep?: Sleep;
  /**
   * Once it aborts (the controller stopping), writes not yet sent are refused with a StoppingError,
   * also those waiting for a token or a slot; the calls in flight finish.
   */
  signal?: AbortSignal;
}

/**
 * Decorates an EcsPort: mutating calls share a small concurrency limit and each waits for a token of
 * its operation's bucket. Reads pass straight through (they are batched above the port instead).
 */
export class RateLimitedEcsPort implements EcsPort {
  private readonly semaphore: Semaphore;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sleep: Sleep;
  private readonly signal?: AbortSignal;

  constructor(
    private readonly inner: EcsPort,
    opts: RateLimitOptions = {},
  ) {
    const clock = opts.clock ?? systemClock;
    this.sleep = opts.sleep ?? realSleep;
    this.signal = opts.signal;
    this.semaphore = new Semaphore(opts.concurrency ?? DEFAULT_WRITE_CONCURRENCY);
    for (const [op, spec] of Object.entries({ ...DEFAULT_WRITE_BUCKETS, ...opts.buckets })) {
      this.buckets.set(op, new TokenBucket(spec, clock));
    }
  }

  private async write<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const bucket = this.buckets.get(op);
    if (bucket) {
      while (!bucket.tryTake()) {
        if (this.signal?.aborted) throw new StoppingError(op);
        await this.sleep(bucket.waitMs(), this.signal);
      }
    }
    return this.semaphore.run(() => (this.signal?.aborted ? Promise.reject(new StoppingError(op)) : fn()));
  }

  describeClusters(input: DescribeClustersRequest) {
    return this.inner.describeClusters(input);
  }
  listServices(input: ListServicesRequest) {
    return this.inner.listServices(input);
  }
  describeServices(input: DescribeServicesRequest) {
    return this.inner.describeServices(input);
  }
  describeTaskDefinition(input: DescribeTaskDefinitionRequest) {
    return this.inner.describeTaskDefinition(input);
  }
  listTasks(input: ListTasksRequest) {
    return this.inner.listTasks(input);
  }
  describeTasks(input: DescribeTasksRequest) {
    return this.inner.describeTasks(input);
  }
  listTaskDefinitions(input: ListTaskDefinitionsRequest) {
    return this.inner.listTaskDefinitions(input);
  }
  listTaskDefinitionFamilies(input: ListTaskDefinitionFamiliesRequest) {
    return this.inner.listTaskDefinitionFamilies(input);
  }
  listContainerInstances(input: ListContainerInstancesRequest) {
    return this.inner.listContainerInstances(input);
  }
  describeContainerInstances(input: DescribeContainerInstancesRequest) {
    return this.inner.describeContainerInstances(input);
  }
  createCluster(input: CreateClusterRequest) {
    return this.write('CreateCluster', () => this.inner.createCluster(input));
  }
  deleteCluster(input: DeleteClusterRequest) {
    return this.write('DeleteCluster', () => this.inner.deleteCluster(input));
  }
  putClusterCapacityProviders(input: PutClusterCapacityProvidersRequest) {
    return this.write('PutClusterCapacityProviders', () => this.inner.putClusterCapacityProviders(input));
  }
  createService(input: CreateServiceRequest) {
    return this.write('CreateService', () => this.inner.createService(input));
  }
  updateService(input: UpdateServiceRequest) {
    return this.write('UpdateService', () => this.inner.updateService(input));
  }
  deleteService(input: DeleteServiceRequest) {
    return this.write('DeleteService', () => this.inner.deleteService(input));
  }
  registerTaskDefinition(input: RegisterTaskDefinitionRequest) {
    return this.write('RegisterTaskDefinition', () => this.inner.registerTaskDefinition(input));
  }
  deregisterTaskDefinition(input: DeregisterTaskDefinitionRequest) {
    return this.write('DeregisterTaskDefinition', () => this.inner.deregisterTaskDefinition(input));
  }
  deleteTaskDefinitions(input: DeleteTaskDefinitionsRequest) {
    return this.write('DeleteTaskDefinitions', () => this.inner.deleteTaskDefinitions(input));
  }
  tagResource(input: TagResourceRequest) {
    return this.write('TagResource', () => this.inner.tagResource(input));
  }
  untagResource(input: UntagResourceRequest) {
    return this.write('UntagResource', () => this.inner.untagResource(input));
  }
}
