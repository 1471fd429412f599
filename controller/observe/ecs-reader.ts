import type { Cluster, Service } from '../model/aws-types';
import type { DesiredState } from '../model/desired';
import type { ObservedState, ObservedTaskDefinition } from '../model/observed';
import { parseTaskDefinitionArn, serviceNameFromArn } from '../model/naming';
import { type TagMap, tagsToMap } from '../model/ownership';
import type { EcsHousekeepingReadPort, EcsReadPort } from '../aws/ecs-port';
import { HousekeepingCache, type HousekeepingDeps, readHousekeeping } from './housekeeping-reader';
import { collectPages, tokenField } from '../aws/paginate';
import { Semaphore } from '../aws/semaphore';

/** AWS limits: DescribeServices takes at most 10 services, ListServices returns at most 100 per page. */
export const DESCRIBE_SERVICES_BATCH = 10;
export const LIST_SERVICES_PAGE = 100;
export const DEFAULT_READ_CONCURRENCY = 8;

export interface EcsReaderOptions {
  /** Read calls in flight at once. Default 8. */
  concurrency?: number;
}

/** True for the error AWS returns when a family (or revision) has nothing to describe. */
export function isMissingTaskDefinitionError(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | undefined;
  return e?.name === 'ClientException' && /Unable to describe task definition/i.test(e.message ?? '');
}

/**
 * Reads for one account and Region on top of the ECS read ports: batching (10 services per
 * DescribeServices), pagination (100 per ListServices page) and a cache of each family's newest
 * revision. The cache lives as long as the reader: create one reader per process (and account), let
 * the executor `remember` what it registers, and `forget()` when something else may have registered
 * revisions (the cache assumes ecs-gitops is the only writer of its families).
 *
 * Read budget of a no-op observe: 1 DescribeClusters + ceil(N/10) DescribeServices, plus (cold cache
 * only) one DescribeTaskDefinition per family.
 */
export class EcsReader {
  private readonly reads: Semaphore;
  private readonly families = new Map<string, ObservedTaskDefinition | null>();
  private readonly revisions = new Map<string, ObservedTaskDefinition>();
  private readonly housekeeping = new HousekeepingCache();

  constructor(
    private readonly port: EcsReadPort & EcsHousekeepingReadPort,
    opts: EcsReaderOptions = {},
  ) {
    this.reads = new Semaphore(opts.concurrency ?? DEFAULT_READ_CONCURRENCY);
  }

  /** The cluster with its tags; undefined when it does not exist or is INACTIVE. */
  async describeCluster(name: string): Promise<{ cluster: Cluster; tags: TagMap } | undefined> {
    const out = await this.reads.run(() =>
      this.port.describeClusters({ clusters: [name], include: ['TAGS'] }),
    );
    const cluster = out.clusters?.find((c) => c.clusterName === name || c.clusterArn === name);
    if (!cluster || cluster.status === 'INACTIVE') return undefined;
    return { cluster, tags: tagsToMap(cluster.tags) };
  }

  /** Services by name, with tags; names that are missing or INACTIVE are absent from the map. */
  async describeServicesBatched(
    cluster: string,
    names: readonly string[],
  ): Promise<Map<string, { service: Service; tags: TagMap }>> {
    const unique = [...new Set(names)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += DESCRIBE_SERVICES_BATCH) {
      batches.push(unique.slice(i, i + DESCRIBE_SERVICES_BATCH));
    }
    const responses = await Promise.all(
      batches.map((services) =>
        this.reads.run(() => this.port.describeServices({ cluster, services, include: ['TAGS'] })),
      ),
    );
    const out = new Map<string, { service: Service; tags: TagMap }>();
    for (const r of responses) {
      for (const service of r.services ?? []) {
        if (!service.serviceName || service.status === 'INACTIVE') continue;
        out.set(service.serviceName, { service, tags: tagsToMap(service.tags) });
      }
    }
    return out;
  }

  /** Every service ARN of the cluster, following nextToken with pages of 100. */
  async listAllServiceArns(cluster: string): Promise<string[]> {
    return collectPages(
      (nextToken) =>
        this.reads.run(() =>
          this.port.listServices({ cluster, maxResults: LIST_SERVICES_PAGE, ...tokenField(nextToken) }),
        ),
      (p) => p.serviceArns,
    );
  }

  /**
   * The newest ACTIVE revision of a family with its tags, or null when the family has none. Served
   * from the cache when known; `fresh` asks AWS again.
   */
  async latestRevision(
    family: string,
    opts: { fresh?: boolean } = {},
  ): Promise<ObservedTaskDefinition | null> {
    if (!opts.fresh && this.families.has(family)) return this.families.get(family) ?? null;
    let observed: ObservedTaskDefinition | null;
    try {
      const out = await this.reads.run(() =>
        this.port.describeTaskDefinition({ taskDefinition: family, include: ['TAGS'] }),
      );
      observed = out.taskDefinition
        ? { taskDefinition: out.taskDefinition, tags: tagsToMap(out.tags) }
        : null;
    } catch (err) {
      if (!isMissingTaskDefinitionError(err)) throw err;
      observed = null;
    }
    this.families.set(family, observed);
    return observed;
  }

  /** Records the revision the executor just registered, so the next observe need not ask. */
  remember(family: string, observed: ObservedTaskDefinition | null): void {
    this.families.set(family, observed);
  }

  /** Revisions of a family were deregistered (or deleted): forget what was known of it. */
  retired(family: string, arns: readonly string[]): void {
    this.forget(family);
    this.housekeeping.retired(arns);
  }

  /** Empties the family cache (one family, or all). */
  forget(family?: string): void {
    if (family === undefined) {
      this.families.clear();
      this.revisions.clear();
      this.housekeeping.forget();
    } else {
      this.families.delete(family);
      this.housekeeping.forget(family);
      for (const arn of this.revisions.keys()) {
        if (parseTaskDefinitionArn(arn)?.family === family) this.revisions.delete(arn);
      }
    }
  }

  /**
   * Everything the planner needs for one cluster directory. `narrowed`: the desired state names only
   * some of the cluster's services (see plan/narrow-to-services.ts), so what pruning reads (every
   * other service, old revisions) is not read.
   */
  async observe(desired: DesiredState, opts: { narrowed?: boolean } = {}): Promise<ObservedState> {
    const clusterName = desired.cluster.name;
    const familyNames = [...new Set(desired.taskDefinitions.map((t) => t.family))];
    const noServices = new Map<string, { service: Service; tags: TagMap }>();
    const [{ cluster, services }, familyResults] = await Promise.all([
      // Services only exist in an existing cluster: ask for them once the cluster is known.
      this.describeCluster(clusterName).then(async (c) => ({
        cluster: c,
        services: c
          ? await this.describeServicesBatched(
              clusterName,
              desired.services.map((s) => s.name),
            )
          : noServices,
      })),
      Promise.all(familyNames.map(async (f) => [f, await this.latestRevision(f)] as const)),
    ]);
    const families = new Map(familyResults);
    const [revisions, extraServices] = await Promise.all([
      this.runningRevisions(desired, services, families),
      cluster && !opts.narrowed ? this.extraServices(clusterName, desired) : undefined,
    ]);
    const housekeeping = opts.narrowed
      ? undefined
      : await readHousekeeping(
          this.housekeepingDeps(),
          desired,
          families,
          [...services.values(), ...(extraServices?.values() ?? [])],
          cluster !== undefined,
        );
    return {
      ...(cluster ? { cluster } : {}),
      services,
      families,
      ...(revisions.size > 0 ? { revisions } : {}),
      ...(extraServices ? { extraServices } : {}),
      ...(housekeeping ? { housekeeping } : {}),
    };
  }

  /** Every service of the cluster that no spec names, with its tags (any owner): what pruning looks at. */
  private async extraServices(
    cluster: string,
    desired: DesiredState,
  ): Promise<Map<string, { service: Service; tags: TagMap }>> {
    const wanted = new Set(desired.services.map((s) => s.name));
    const extra = (await this.listAllServiceArns(cluster))
      .map(serviceNameFromArn)
      .filter((n) => !wanted.has(n));
    return extra.length > 0 ? this.describeServicesBatched(cluster, extra) : new Map();
  }

  private housekeepingDeps(): HousekeepingDeps {
    return {
      port: this.port,
      read: (fn) => this.reads.run(fn),
      latestRevision: (family) => this.latestRevision(family),
      cache: this.housekeeping,
    };
  }

  /**
   * The revisions desired services run when that is not their family's newest: one
   * DescribeTaskDefinition per such ARN, once per process (a revision's content never changes).
   * In the steady state every service runs its family's newest revision and this reads nothing.
   */
  private async runningRevisions(
    desired: DesiredState,
    services: Map<string, { service: Service; tags: TagMap }>,
    families: Map<string, ObservedTaskDefinition | null>,
  ): Promise<Map<string, ObservedTaskDefinition>> {
    const wanted = new Set<string>();
    for (const svc of desired.services) {
      if (svc.taskDefinition.kind !== 'family') continue;
      const running = services.get(svc.name)?.service.taskDefinition;
      const newest = families.get(svc.taskDefinition.family)?.taskDefinition.taskDefinitionArn;
      if (
        running &&
        running !== newest &&
        parseTaskDefinitionArn(running)?.family === svc.taskDefinition.family
      ) {
        wanted.add(running);
      }
    }
    const out = new Map<string, ObservedTaskDefinition>();
    await Promise.all(
      [...wanted].map(async (arn) => {
        let observed = this.revisions.get(arn);
        if (!observed) {
          const res = await this.reads.run(() =>
            this.port.describeTaskDefinition({ taskDefinition: arn, include: ['TAGS'] }),
          );
          if (!res.taskDefinition) return;
          observed = { taskDefinition: res.taskDefinition, tags: tagsToMap(res.tags) };
          // Only the content is immutable; status can change (deregistration), so only cache ACTIVE.
          if (observed.taskDefinition.status === 'ACTIVE') this.revisions.set(arn, observed);
        }
        out.set(arn, observed);
      }),
    );
    return out;
  }
}
