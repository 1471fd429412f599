import type { Service } from '../model/aws-types';
import { type DesiredState, lifecycleOf } from '../model/desired';
import { parseTaskDefinitionArn, shortTaskDefinition, taskPrefix } from '../model/naming';
import type { FamilyRevisions, ObservedTaskDefinition, RevisionHousekeeping } from '../model/observed';
import { ownedBy, type TagMap, tagsToMap } from '../model/ownership';
import { hasCandidates, selectRevisions } from '../model/revision-retention';
import type { SpecHasher } from '../model/spec-hash-tag';
import { LruMap } from './lru-map';
import type { EcsHousekeepingReadPort, EcsReadPort } from '../aws/ecs-port';
import { collectPages, tokenField } from '../aws/paginate';

type LiveService = { service: Service; tags: TagMap };

/** AWS limits: ListTaskDefinitions/ListTaskDefinitionFamilies/ListTasks pages of 100, DescribeTasks 100. */
const LIST_PAGE = 100;
const DESCRIBE_TASKS_BATCH = 100;

/** The reads housekeeping needs from EcsReader: its read limiter and its per-process caches. */
export interface HousekeepingDeps {
  port: EcsHousekeepingReadPort & Pick<EcsReadPort, 'describeTaskDefinition'>;
  read<T>(fn: () => Promise<T>): Promise<T>;
  latestRevision(family: string): Promise<ObservedTaskDefinition | null>;
  /** A revision by ARN with its tags (cached: a revision's content never changes). */
  revision(arn: string): Promise<ObservedTaskDefinition | undefined>;
  cache: HousekeepingCache;
}

/** Bounds of the caches below (LRU): flat memory for a controller of thousands of families. */
export const HOUSEKEEPING_CACHE_ENTRIES = 10_000;

/**
 * What one process remembers between reconciles: families whose cleanup is unfinished (over the
 * per-reconcile budget: listed again next time; old revisions in use: listed again after an
 * hour), families removed from the specs with nothing of ours left, and the tags of revisions
 * already read (a revision's tags only matter as "ours or not"; the executor reads them again right
 * before deregistering).
 */
export class HousekeepingCache {
  /** Family -> when to list it again although no new revision is registered. */
  private readonly unfinished: LruMap<string, number>;
  /** Family -> its newest revision when its cleanup left nothing to do. */
  private readonly finished: LruMap<string, number>;
  /** Families without ACTIVE revisions in which nothing of ours was left to delete, and when. */
  private readonly noLeftovers: LruMap<string, number>;
  readonly revisionTags: LruMap<string, TagMap>;

  constructor(
    private readonly now: () => number = Date.now,
    capacity = HOUSEKEEPING_CACHE_ENTRIES,
  ) {
    this.unfinished = new LruMap(capacity);
    this.finished = new LruMap(capacity);
    this.noLeftovers = new LruMap(capacity);
    this.revisionTags = new LruMap(capacity);
  }

  /** The family's last cleanup left something for later, and later is now. */
  isDue(family: string): boolean {
    const at = this.unfinished.get(family);
    return at !== undefined && this.now() >= at;
  }

  /**
   * Over the budget: next reconcile. Old revisions kept only because something used them (a
   * one-off task): within the hour, so that they are cleaned up once it stops without a new
   * registration.
   */
  markUnfinished(family: string, overBudget: boolean): void {
    this.unfinished.set(family, overBudget ? this.now() : this.now() + TIDY_TTL_MS);
  }

  markFinished(family: string, revision: number | undefined): void {
    this.unfinished.delete(family);
    if (revision !== undefined) this.finished.set(family, revision);
  }

  /** This process saw the family with nothing to clean up at this newest revision. */
  isFinished(family: string, revision: number): boolean {
    return this.finished.get(family) === revision;
  }

  hasNoLeftovers(family: string): boolean {
    const at = this.noLeftovers.get(family);
    return at !== undefined && this.now() - at < TIDY_TTL_MS;
  }

  markNoLeftovers(family: string): void {
    this.noLeftovers.set(family, this.now());
  }

  /**
   * Revisions retired: their tags are no longer needed. (Tags of revisions that are not ours stay
   * cached, within the bound, so that they are not read again on every new revision.)
   */
  retired(arns: readonly string[]): void {
    for (const arn of arns) this.revisionTags.delete(arn);
  }

  forget(family?: string): void {
    if (family === undefined) {
      this.unfinished.clear();
      this.finished.clear();
      this.noLeftovers.clear();
    } else {
      this.unfinished.delete(family);
      this.finished.delete(family);
      this.noLeftovers.delete(family);
    }
  }
}

const TIDY_TTL_MS = 60 * 60_000;

/**
 * What revision retention needs, read only for families that are read anyway: a family in the
 * specs is listed when its newest revision differs from the spec (a new one is registered: one
 * fewer existing is kept, and the next older ones are read while they are the same spec as the
 * newest, to retire duplicates), when it has more revisions than kept (a cleanup cut short by a
 * crash or a failure; once per process), or when this process's last cleanup of it was
 * unfinished. A family known equal by a service's spec-hash tag costs nothing. Families removed
 * from the specs are found with one ListTaskDefinitionFamilies per 100 families under the prefix;
 * running tasks and revision tags are read only for candidates. With `deleteRevisions`, INACTIVE
 * revisions of ours are looked for too (left by a deregistration whose delete did not happen: a
 * crash, a failed call), also in families with no ACTIVE revision.
 */
export async function readHousekeeping(
  deps: HousekeepingDeps,
  desired: DesiredState,
  families: Map<string, ObservedTaskDefinition | null>,
  services: LiveService[],
  clusterExists: boolean,
  specs?: SpecHasher,
  unfinished: ReadonlySet<string> = new Set(),
): Promise<RevisionHousekeeping | undefined> {
  const cfg = desired.cluster;
  const { keepRevisions, deleteRevisions } = lifecycleOf(cfg);
  const owner = { ownerId: cfg.ownerId, cluster: cfg.name };
  const prefix = taskPrefix(cfg.prefix);
  const inSpecs = new Set(desired.taskDefinitions.map((t) => t.family));

  const toList = await familiesToList(
    deps,
    desired,
    families,
    owner,
    prefix,
    keepRevisions,
    specs,
    unfinished,
  );
  const listed: FamilyRevisions[] = [];
  const kept = new Map<string, ObservedTaskDefinition>();
  for (const f of toList) {
    const active = await listRevisions(deps, f.family, 'ACTIVE');
    const inactive = deleteRevisions ? await listRevisions(deps, f.family, 'INACTIVE') : [];
    listed.push({
      family: f.family,
      removed: f.removed,
      active,
      ...(deleteRevisions ? { inactive } : {}),
      ...(f.registering ? { registering: true } : {}),
    });
    const newest = families.get(f.family);
    if (!f.removed && newest && specs) {
      const window = f.registering ? keepRevisions - 1 : keepRevisions;
      await readDuplicates(deps, active.slice(0, Math.max(0, window)), newest, specs, kept);
    }
  }
  if (deleteRevisions) {
    // Families whose every revision is INACTIVE: a removed family deregistered, not yet deleted.
    for (const family of await listFamilies(deps, prefix, 'INACTIVE')) {
      if (inSpecs.has(family) || deps.cache.hasNoLeftovers(family)) continue;
      if (listed.some((f) => f.family === family)) continue;
      listed.push({
        family,
        removed: true,
        active: [],
        inactive: await listRevisions(deps, family, 'INACTIVE'),
      });
    }
  }
  if (listed.length === 0) return undefined;

  const inUse = revisionsInUse(desired, services);
  const use = (ref: string) => inUse.add(shortTaskDefinition(ref));
  const withKept = kept.size > 0 ? { kept } : {};
  const select = () =>
    selectRevisions(
      { families: listed, inUse, tags: new Map(deps.cache.revisionTags), ...withKept },
      { keep: keepRevisions, ...owner, ...(specs ? { same: specs.same } : {}) },
    );
  // Running tasks (standalone ones: service tasks run a deployment's revision) of the families that
  // still have candidates once deployments are accounted for.
  const withCandidates = select().filter(hasCandidates);
  if (clusterExists) {
    const running = await runningTaskDefinitions(
      deps,
      cfg.name,
      withCandidates.map((r) => r.family),
    );
    for (const arn of running) use(arn);
  }
  await Promise.all(
    select()
      .flatMap((r) => r.unknown)
      .map(async (arn) => {
        const out = await deps.read(() =>
          deps.port.describeTaskDefinition({ taskDefinition: arn, include: ['TAGS'] }),
        );
        deps.cache.revisionTags.set(arn, tagsToMap(out.tags));
      }),
  );
  const result: RevisionHousekeeping = {
    families: listed,
    inUse,
    tags: new Map(deps.cache.revisionTags),
    ...withKept,
  };
  // What this cleanup leaves (over the budget, or in use) is listed again by this process later;
  // a family with nothing left is not listed again until its next new revision.
  const selected = selectRevisions(result, {
    keep: keepRevisions,
    ...owner,
    ...(specs ? { same: specs.same } : {}),
  });
  for (const r of selected) {
    const f = toList.find((x) => x.family === r.family);
    if (!r.removed) {
      if (r.later > 0 || r.inUse.length > 0) deps.cache.markUnfinished(r.family, r.later > 0);
      // After this plan's register the newest is another one: nothing to remember.
      else if (!f?.registering)
        deps.cache.markFinished(r.family, families.get(r.family)?.taskDefinition.revision);
    } else if (!f && !hasCandidates(r) && r.later === 0) deps.cache.markNoLeftovers(r.family);
  }
  return result;
}

/**
 * The kept revisions after the newest, one by one while each is the same spec as the newest: a
 * lost answer to RegisterTaskDefinition (or a crash) leaves its twin right below it. One read per
 * registration in the common case (the next older revision differs).
 */
async function readDuplicates(
  deps: HousekeepingDeps,
  window: readonly string[],
  newest: ObservedTaskDefinition,
  specs: SpecHasher,
  out: Map<string, ObservedTaskDefinition>,
): Promise<void> {
  if (window.length < 2 || newest.taskDefinition.taskDefinitionArn !== window[0]) return;
  out.set(window[0], newest);
  for (const arn of window.slice(1)) {
    const r = await deps.revision(arn);
    if (!r) return;
    deps.cache.revisionTags.set(arn, r.tags);
    if (!specs.same(r, newest)) return;
    out.set(arn, r);
  }
}

/**
 * Families whose old revisions are worth listing: those in the specs whose newest revision was read
 * and differs from the spec (a new one will be registered), whose last cleanup here was unfinished,
 * or whose last deploy did not finish (`unfinished`); and ours under the prefix that the specs
 * removed.
 */
async function familiesToList(
  deps: HousekeepingDeps,
  desired: DesiredState,
  families: Map<string, ObservedTaskDefinition | null>,
  owner: { ownerId: string; cluster: string },
  prefix: string,
  keepRevisions: number,
  specs: SpecHasher | undefined,
  unfinished: ReadonlySet<string>,
): Promise<{ family: string; removed: boolean; registering: boolean }[]> {
  const toList: { family: string; removed: boolean; registering: boolean }[] = [];
  const specOf = new Map(desired.taskDefinitions.map((t) => [t.family, t]));
  for (const [family, newest] of families) {
    if (!newest || !ownedBy(newest.tags, owner)) continue;
    const td = specOf.get(family);
    // Without the planner's comparison (a caller that passes none), every family may change.
    const registering = td !== undefined && (specs === undefined || !specs.matches(td, newest));
    // A new one coming: worth listing when that makes more than kept, or for a duplicate (two or more).
    const revision = newest.taskDefinition.revision ?? 0;
    // Read anyway (no service vouches for it) with more revisions than kept: a cleanup that a crash
    // or a failure cut short is found here (once per process while there is nothing to do).
    const heal = revision > keepRevisions && !deps.cache.isFinished(family, revision);
    const due = deps.cache.isDue(family) || heal || (unfinished.has(family) && revision > 1);
    if ((registering && (revision >= keepRevisions || revision > 1)) || due) {
      toList.push({ family, removed: false, registering });
    }
  }
  // Known equal by hash (not read), with an unfinished cleanup: candidates' tags are read anyway.
  for (const family of specOf.keys()) {
    if (!families.has(family) && deps.cache.isDue(family))
      toList.push({ family, removed: false, registering: false });
  }
  for (const family of await listFamilies(deps, prefix, 'ACTIVE')) {
    if (specOf.has(family)) continue;
    const newest = await deps.latestRevision(family);
    // Another cluster's family under a longer prefix (`prod-eu-` under `prod-`) carries its own cluster tag.
    if (!newest || !ownedBy(newest.tags, owner)) continue;
    toList.push({ family, removed: true, registering: false });
  }

  return toList;
}

/** Revisions in use: what any service's deployments run, and what a spec pins (it may be created any moment). */
function revisionsInUse(desired: DesiredState, services: LiveService[]): Set<string> {
  const inUse = new Set<string>();
  const use = (ref: string | undefined) => ref && inUse.add(shortTaskDefinition(ref));
  for (const { service } of services) {
    use(service.taskDefinition);
    for (const d of service.deployments ?? []) use(d.taskDefinition);
  }
  for (const svc of desired.services) if (svc.taskDefinition.kind === 'pinned') use(svc.taskDefinition.value);
  return inUse;
}

async function listFamilies(
  deps: HousekeepingDeps,
  prefix: string,
  status: 'ACTIVE' | 'INACTIVE',
): Promise<string[]> {
  return collectPages(
    (nextToken) =>
      deps.read(() =>
        deps.port.listTaskDefinitionFamilies({
          familyPrefix: prefix,
          status,
          maxResults: LIST_PAGE,
          ...tokenField(nextToken),
        }),
      ),
    (p) => p.families,
  );
}

/**
 * A family's revisions in one status, newest first, every page. (Reading only the newest page would
 * be cheaper, but when its old revisions are all in use or not ours, nothing older would ever be
 * reached; and moto ignores `sort`.) Only families with more revisions than kept are listed at all.
 */
async function listRevisions(
  deps: HousekeepingDeps,
  family: string,
  status: 'ACTIVE' | 'INACTIVE',
): Promise<string[]> {
  const arns = await collectPages(
    (nextToken) =>
      deps.read(() =>
        deps.port.listTaskDefinitions({
          familyPrefix: family,
          status,
          sort: 'DESC',
          maxResults: LIST_PAGE,
          ...tokenField(nextToken),
        }),
      ),
    (p) => p.taskDefinitionArns,
  );
  const revision = (a: string) => parseTaskDefinitionArn(a)?.revision ?? 0;
  const ours = arns.filter((a) => parseTaskDefinitionArn(a)?.family === family);
  return [...new Set(ours)].sort((a, b) => revision(b) - revision(a));
}

/** Task definitions of the cluster's running tasks of these families (ListTasks, DescribeTasks). */
async function runningTaskDefinitions(
  deps: HousekeepingDeps,
  cluster: string,
  families: string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const family of families) {
    const taskArns = await collectPages(
      (nextToken) =>
        deps.read(() =>
          deps.port.listTasks({ cluster, family, maxResults: LIST_PAGE, ...tokenField(nextToken) }),
        ),
      (p) => p.taskArns,
    );
    for (let i = 0; i < taskArns.length; i += DESCRIBE_TASKS_BATCH) {
      const tasks = taskArns.slice(i, i + DESCRIBE_TASKS_BATCH);
      const res = await deps.read(() => deps.port.describeTasks({ cluster, tasks }));
      for (const t of res.tasks ?? []) if (t.taskDefinitionArn) out.push(t.taskDefinitionArn);
    }
  }
  return out;
}
