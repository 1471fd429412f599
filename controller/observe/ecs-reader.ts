import type { Cluster, Service } from '../model/aws-types';
import type { DesiredState } from '../model/desired';
import type { KnownRevision, ObservedState, ObservedTaskDefinition } from '../model/observed';
import { parseTaskDefinitionArn, serviceNameFromArn, shortTaskDefinition } from '../model/naming';
import { ownedBy, type TagMap, tagsToMap } from '../model/ownership';
import { parseServiceSpecHash, type SpecHasher, TAG_SPEC_HASH } from '../model/spec-hash-tag';
import { LruMap } from './lru-map';
import type { EcsHousekeepingReadPort, EcsReadPort } from '../aws/ecs-port';
import {
  HOUSEKEEPING_CACHE_ENTRIES,
  HousekeepingCache,
  type HousekeepingDeps,
  readHousekeeping,
} from './housekeeping-reader';
import { collectPages, tokenField } from '../aws/paginate';
import { Semaphore } from '../aws/semaphore';

/** AWS limits: DescribeServices takes at most 10 services, ListServices returns at most 100 per page. */
export const DESCRIBE_SERVICES_BATCH = 10;
export const LIST_SERVICES_PAGE = 100;
export const DEFAULT_READ_CONCURRENCY = 8;

export interface EcsReaderOptions {
  /** Read calls in flight at once. Default 8. */
  concurrency?: number;
  /** Entries per cache (families, revisions; least recently used dropped). Default 10,000. */
  cacheEntries?: number;
}

export interface ObserveOptions {
  /** See plan/narrow-to-services.ts: what pruning reads is not read. */
  narrowed?: boolean;
  /**
   * The planner's normalization (plan/spec-hash.ts). With it, a family that a service of ours runs
   * at the revision its spec-hash tag names, with the spec's hash now, is not read (`knownByHash`),
   * and old revisions are listed only when a family changes. Without it, every family is read.
   */
  specs?: SpecHasher;
}

/** True for the error AWS returns when a family (or revision) has nothing to describe. */
export function isMissingTaskDefinitionError(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | undefined;
  return e?.name === 'ClientException' && /Unable to describe task definition/i.test(e.message ?? '');
}

/**
 * What is kept of a described service: all but `events` (AWS returns the service's last 100, some
 * 20 KB per service that nothing here reads: 100 MB held at 5,000 services) and the tag list,
 * kept once as a map.
 */
function kept(described: Service): { service: Service; tags: TagMap } {
  // A rest copy, not `delete`: deleting turns each of thousands of objects into a slow dictionary.
  const { events, tags, ...service } = described;
  return { service, tags: tagsToMap(tags) };
}

/**
 * Reads for one account and Region on top of the ECS read ports: batching (10 services per
 * DescribeServices), pagination (100 per ListServices page) and a cache of each family's newest
 * revision. The cache lives as long as the reader: create one reader per process (and account), let
 * the executor `remember` what it registers, and `forget()` when something else may have registered
 * revisions (the cache assumes ecs-gitops is the only writer of its families).
 *
 * Read budget of a no-op observe: 1 DescribeClusters + ceil(N/10) DescribeServices, and for pruning
 * ceil(N/100) ListServices and one ListTaskDefinitionFamilies per 100 families; plus (cold cache
 * only) one DescribeTaskDefinition per family that no service's spec-hash tag vouches for (with
 * `specs`: families without a service, and services deployed before the tag or by hand).
 */
export class EcsReader {
  private readonly reads: Semaphore;
  private readonly families: LruMap<string, ObservedTaskDefinition | null>;
  private readonly revisions: LruMap<string, ObservedTaskDefinition>;
  private readonly housekeeping: HousekeepingCache;

  constructor(
    private readonly port: EcsReadPort & EcsHousekeepingReadPort,
    opts: EcsReaderOptions = {},
  ) {
    this.reads = new Semaphore(opts.concurrency ?? DEFAULT_READ_CONCURRENCY);
    const entries = opts.cacheEntries ?? HOUSEKEEPING_CACHE_ENTRIES;
    this.families = new LruMap(entries);
    this.revisions = new LruMap(entries);
    this.housekeeping = new HousekeepingCache(Date.now, entries);
  }

  /** Entries in the caches (for the memory tests). */
  cacheSizes(): { families: number; revisions: number; revisionTags: number } {
    return {
      families: this.families.size,
      revisions: this.revisions.size,
      revisionTags: this.housekeeping.revisionTags.size,
    };
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
        out.set(service.serviceName, kept(service));
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

  /**
   * Revisions of a family were deregistered (or deleted): forget what was known of them and of the
   * family's newest, but not that its cleanup is unfinished (that is what brings the next round back).
   */
  retired(family: string, arns: readonly string[]): void {
    this.families.delete(family);
    for (const arn of arns) this.revisions.delete(arn);
    this.housekeeping.retired(arns);
  }

  /** The family's cleanup did not run (skipped, failed): list it again on the next observe. */
  cleanupUnfinished(family: string): void {
    this.housekeeping.markUnfinished(family, true);
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
   * other service, old revisions) is not read. `specs`: see ObserveOptions.
   */
  async observe(desired: DesiredState, opts: ObserveOptions = {}): Promise<ObservedState> {
    const clusterName = desired.cluster.name;
    const specs = opts.specs;
    const familyNames = [...new Set(desired.taskDefinitions.map((t) => t.family))];
    const noServices = new Map<string, { service: Service; tags: TagMap }>();
    // A family that a service of the specs runs may be vouched for by the service's tag: it waits
    // for DescribeServices (unless cached). The others are read beside the services.
    const runBy = new Set(
      desired.services.flatMap((s) => (s.taskDefinition.kind === 'family' ? [s.taskDefinition.family] : [])),
    );
    const waits = (f: string) => specs !== undefined && runBy.has(f) && !this.families.has(f);
    const read = (names: string[]) =>
      Promise.all(names.map(async (f) => [f, await this.latestRevision(f)] as const));
    const [{ cluster, services }, early] = await Promise.all([
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
      read(familyNames.filter((f) => !waits(f))),
    ]);
    const knownByHash = specs ? this.knownByHash(desired, services, specs) : new Map<string, KnownRevision>();
    const late = await read(familyNames.filter((f) => waits(f) && !knownByHash.has(f)));
    const families = new Map([...early, ...late]);
    const [revisions, extraServices] = await Promise.all([
      this.runningRevisions(desired, services, families, knownByHash),
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
          specs,
          unfinishedDeploys(desired, services),
        );
    return {
      ...(cluster ? { cluster } : {}),
      services,
      families,
      ...(knownByHash.size > 0 ? { knownByHash } : {}),
      ...(revisions.size > 0 ? { revisions } : {}),
      ...(extraServices ? { extraServices } : {}),
      ...(housekeeping ? { housekeeping } : {}),
    };
  }

  /**
   * Families a service of ours vouches for: it runs exactly the revision its spec-hash tag names,
   * and the tag's hash is the spec's hash now (model/spec-hash-tag.ts). A revision ARN never
   * changes content, so the revision is the spec; no tag, another hash (edited, or of another
   * normalization version) or another revision (pointed at by hand) is no vouching.
   */
  private knownByHash(
    desired: DesiredState,
    services: Map<string, { service: Service; tags: TagMap }>,
    specs: SpecHasher,
  ): Map<string, KnownRevision> {
    const owner = { ownerId: desired.cluster.ownerId, cluster: desired.cluster.name };
    const hashes = new Map(desired.taskDefinitions.map((t) => [t.family, specs.hash(t)]));
    const out = new Map<string, KnownRevision>();
    for (const svc of desired.services) {
      if (svc.taskDefinition.kind !== 'family') continue;
      const family = svc.taskDefinition.family;
      const hash = hashes.get(family);
      const live = services.get(svc.name);
      const running = live?.service.taskDefinition;
      if (!hash || !live || !running || live.service.status !== 'ACTIVE' || !ownedBy(live.tags, owner))
        continue;
      const tag = parseServiceSpecHash(live.tags[TAG_SPEC_HASH]);
      const parsed = parseTaskDefinitionArn(running);
      if (tag?.hash !== hash || parsed?.family !== family || tag.revision !== shortTaskDefinition(running))
        continue;
      const seen = out.get(family);
      if (seen && (parseTaskDefinitionArn(seen.taskDefinitionArn)?.revision ?? 0) >= parsed.revision)
        continue;
      out.set(family, { taskDefinitionArn: running, specHash: hash, service: svc.name });
    }
    return out;
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
      revision: (arn) => this.revision(arn),
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
    knownByHash: Map<string, KnownRevision>,
  ): Promise<Map<string, ObservedTaskDefinition>> {
    const wanted = new Set<string>();
    for (const svc of desired.services) {
      if (svc.taskDefinition.kind !== 'family') continue;
      const family = svc.taskDefinition.family;
      const running = services.get(svc.name)?.service.taskDefinition;
      const newest =
        families.get(family)?.taskDefinition.taskDefinitionArn ?? knownByHash.get(family)?.taskDefinitionArn;
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
        const observed = await this.revision(arn);
        if (observed) out.set(arn, observed);
      }),
    );
    return out;
  }

  /** One revision by ARN, with its tags; once per process while it is ACTIVE. */
  private async revision(arn: string): Promise<ObservedTaskDefinition | undefined> {
    const cached = this.revisions.get(arn);
    if (cached) return cached;
    const res = await this.reads.run(() =>
      this.port.describeTaskDefinition({ taskDefinition: arn, include: ['TAGS'] }),
    );
    if (!res.taskDefinition) return undefined;
    const observed = { taskDefinition: res.taskDefinition, tags: tagsToMap(res.tags) };
    // Only the content is immutable; status can change (deregistration), so only cache ACTIVE.
    if (observed.taskDefinition.status === 'ACTIVE') this.revisions.set(arn, observed);
    return observed;
  }
}

/**
 * Families of which a service carries a spec-hash tag naming a revision it does not run: a deploy
 * that did not finish (an update that failed or was cut short after the tag, a rollback). Their
 * old revisions are listed again, since the cleanup after that deploy may not have run.
 */
function unfinishedDeploys(
  desired: DesiredState,
  services: Map<string, { service: Service; tags: TagMap }>,
): Set<string> {
  const out = new Set<string>();
  for (const svc of desired.services) {
    if (svc.taskDefinition.kind !== 'family') continue;
    const live = services.get(svc.name);
    const tag = parseServiceSpecHash(live?.tags[TAG_SPEC_HASH]);
    const running = live?.service.taskDefinition;
    if (tag && running && tag.revision !== shortTaskDefinition(running)) out.add(svc.taskDefinition.family);
  }
  return out;
}
