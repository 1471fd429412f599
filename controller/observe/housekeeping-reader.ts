import type { Service } from '../model/aws-types';
import { type DesiredState, lifecycleOf } from '../model/desired';
import { parseTaskDefinitionArn, shortTaskDefinition, taskPrefix } from '../model/naming';
import type { FamilyRevisions, ObservedTaskDefinition, RevisionHousekeeping } from '../model/observed';
import { ownedBy, type TagMap, tagsToMap } from '../model/ownership';
import { hasCandidates, selectRevisions } from '../model/revision-retention';
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
  cache: HousekeepingCache;
}

/**
 * What one process remembers between reconciles so that the steady state costs no extra reads:
 * which families were seen with no more ACTIVE revisions than kept (at which newest revision), and
 * the tags of revisions already read (a revision's tags only matter as "ours or not"; the executor
 * reads them again right before deregistering).
 */
export class HousekeepingCache {
  /** Family -> the newest revision and keepRevisions when it had nothing to clean up, and when. */
  private readonly tidyAt = new Map<string, { revision: number; keep: number; at: number }>();
  /** Families without ACTIVE revisions in which nothing of ours was left to delete, and when. */
  private readonly noLeftovers = new Map<string, number>();
  readonly revisionTags = new Map<string, TagMap>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Nothing to clean up at this newest revision and keepRevisions, seen less than TIDY_TTL_MS ago.
   * The expiry matters when old revisions were only kept because something used them (a one-off
   * task): once it stops, they are cleaned up within the hour without a new registration.
   */
  isTidy(family: string, revision: number, keep: number): boolean {
    const t = this.tidyAt.get(family);
    return t !== undefined && t.revision === revision && t.keep === keep && this.now() - t.at < TIDY_TTL_MS;
  }

  markTidy(family: string, revision: number, keep: number): void {
    this.tidyAt.set(family, { revision, keep, at: this.now() });
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
   * cached for the life of the process, so that they are not read again on every new revision.)
   */
  retired(arns: readonly string[]): void {
    for (const arn of arns) this.revisionTags.delete(arn);
  }

  forget(family?: string): void {
    if (family === undefined) {
      this.tidyAt.clear();
      this.noLeftovers.clear();
    } else {
      this.tidyAt.delete(family);
      this.noLeftovers.delete(family);
    }
  }
}

const TIDY_TTL_MS = 60 * 60_000;

/**
 * What revision retention needs, read as sparingly as the steady state allows: a family in the specs
 * is listed only when its newest revision number exceeds `keepRevisions` and it was not already seen
 * tidy at that revision; families removed from the specs are found with one ListTaskDefinitionFamilies
 * per 100 families under the prefix; running tasks and revision tags are read only for candidates.
 * With `deleteRevisions`, INACTIVE revisions of ours are looked for too (left by a deregistration
 * whose delete did not happen: a crash, a failed call), also in families with no ACTIVE revision.
 */
export async function readHousekeeping(
  deps: HousekeepingDeps,
  desired: DesiredState,
  families: Map<string, ObservedTaskDefinition | null>,
  services: LiveService[],
  clusterExists: boolean,
): Promise<RevisionHousekeeping | undefined> {
  const cfg = desired.cluster;
  const { keepRevisions, deleteRevisions } = lifecycleOf(cfg);
  const owner = { ownerId: cfg.ownerId, cluster: cfg.name };
  const prefix = taskPrefix(cfg.prefix);

  const toList = await familiesToList(deps, families, owner, prefix, keepRevisions);
  const listed: FamilyRevisions[] = [];
  for (const f of toList) {
    const active = await listRevisions(deps, f.family, 'ACTIVE');
    const inactive = deleteRevisions ? await listRevisions(deps, f.family, 'INACTIVE') : [];
    listed.push({ family: f.family, removed: f.removed, active, ...(deleteRevisions ? { inactive } : {}) });
  }
  if (deleteRevisions) {
    // Families whose every revision is INACTIVE: a removed family deregistered, not yet deleted.
    for (const family of await listFamilies(deps, prefix, 'INACTIVE')) {
      if (families.has(family) || deps.cache.hasNoLeftovers(family)) continue;
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
  const h: RevisionHousekeeping = { families: listed, inUse, tags: deps.cache.revisionTags };
  const select = () => selectRevisions(h, { keep: keepRevisions, ...owner });
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
  const result: RevisionHousekeeping = { families: listed, inUse, tags: new Map(deps.cache.revisionTags) };
  // Families with nothing to do (what is old is in use, or not ours) need no listing next time.
  for (const r of selectRevisions(result, { keep: keepRevisions, ...owner })) {
    if (hasCandidates(r) || r.later > 0) continue;
    const f = toList.find((x) => x.family === r.family);
    if (f && !r.removed) deps.cache.markTidy(r.family, f.newest, keepRevisions);
    if (!f && r.removed) deps.cache.markNoLeftovers(r.family);
  }
  return result;
}

/**
 * Families whose old revisions are worth listing: those in the specs with more revisions than kept
 * (and not already seen tidy at that revision), and ours under the prefix that the specs removed.
 */
async function familiesToList(
  deps: HousekeepingDeps,
  families: Map<string, ObservedTaskDefinition | null>,
  owner: { ownerId: string; cluster: string },
  prefix: string,
  keepRevisions: number,
): Promise<{ family: string; removed: boolean; newest: number }[]> {
  const toList: { family: string; removed: boolean; newest: number }[] = [];
  for (const [family, newest] of families) {
    const revision = newest?.taskDefinition.revision ?? 0;
    if (!newest || revision <= keepRevisions || deps.cache.isTidy(family, revision, keepRevisions)) continue;
    if (!ownedBy(newest.tags, owner)) continue;
    toList.push({ family, removed: false, newest: revision });
  }
  for (const family of await listFamilies(deps, prefix, 'ACTIVE')) {
    if (families.has(family)) continue;
    const newest = await deps.latestRevision(family);
    // Another cluster's family under a longer prefix (`prod-eu-` under `prod-`) carries its own cluster tag.
    if (!newest || !ownedBy(newest.tags, owner)) continue;
    toList.push({ family, removed: true, newest: newest.taskDefinition.revision ?? 0 });
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
