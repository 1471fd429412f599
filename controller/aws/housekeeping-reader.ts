import type { Service } from '@aws-sdk/client-ecs';
import { type DesiredState, lifecycleOf } from '../model/desired';
import { parseTaskDefinitionArn, serviceNameFromArn, taskPrefix } from '../model/naming';
import type { FamilyRevisions, ObservedTaskDefinition, RevisionHousekeeping } from '../model/observed';
import { ownedBy, type TagMap, tagsToMap } from '../model/ownership';
import { selectRevisions } from '../plan/revision-retention';
import type { EcsPort } from './ecs-port';
import { collectPages, tokenField } from './paginate';

type LiveService = { service: Service; tags: TagMap };

/** AWS limits: ListTaskDefinitions/ListTaskDefinitionFamilies/ListTasks pages of 100, DescribeTasks 100. */
const LIST_PAGE = 100;
const DESCRIBE_TASKS_BATCH = 100;

/** The reads housekeeping needs from EcsReader: its read limiter and its per-process caches. */
export interface HousekeepingDeps {
  port: EcsPort;
  read<T>(fn: () => Promise<T>): Promise<T>;
  /** Every service ARN of the cluster (ListServices, pages of 100). */
  listServiceArns(cluster: string): Promise<string[]>;
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
  /** Family -> the newest revision when it had nothing to clean up, and when that was seen. */
  private readonly tidyAt = new Map<string, { revision: number; at: number }>();
  readonly revisionTags = new Map<string, TagMap>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Nothing to clean up at this newest revision, seen less than TIDY_TTL_MS ago. The expiry matters
   * when old revisions were only kept because something used them (a one-off task): once it stops,
   * they are cleaned up within the hour without a new registration.
   */
  isTidy(family: string, revision: number): boolean {
    const t = this.tidyAt.get(family);
    return t !== undefined && t.revision === revision && this.now() - t.at < TIDY_TTL_MS;
  }

  markTidy(family: string, revision: number): void {
    this.tidyAt.set(family, { revision, at: this.now() });
  }

  forget(family?: string): void {
    if (family === undefined) this.tidyAt.clear();
    else this.tidyAt.delete(family);
  }
}

const TIDY_TTL_MS = 60 * 60_000;

/** Every service of the cluster that no spec names, with its tags (any owner). */
export async function readExtraServices(
  deps: HousekeepingDeps,
  cluster: string,
  desiredNames: ReadonlySet<string>,
  describe: (names: string[]) => Promise<Map<string, LiveService>>,
): Promise<Map<string, LiveService>> {
  const arns = await deps.listServiceArns(cluster);
  const extra = arns.map(serviceNameFromArn).filter((n) => !desiredNames.has(n));
  return extra.length > 0 ? describe(extra) : new Map();
}

/**
 * What revision retention needs, read as sparingly as the steady state allows: a family in the specs
 * is listed only when its newest revision number exceeds `keepRevisions` and it was not already seen
 * tidy at that revision; families removed from the specs are found with one ListTaskDefinitionFamilies
 * per 100 families under the prefix; running tasks and revision tags are read only for candidates.
 */
export async function readHousekeeping(
  deps: HousekeepingDeps,
  desired: DesiredState,
  families: Map<string, ObservedTaskDefinition | null>,
  services: LiveService[],
  clusterExists: boolean,
): Promise<RevisionHousekeeping | undefined> {
  const cfg = desired.cluster;
  const { keepRevisions } = lifecycleOf(cfg);
  const owner = { ownerId: cfg.ownerId, cluster: cfg.name };
  const listed: FamilyRevisions[] = [];

  const toList: { family: string; removed: boolean; newest: number }[] = [];
  for (const [family, newest] of families) {
    const revision = newest?.taskDefinition.revision ?? 0;
    if (!newest || revision <= keepRevisions || deps.cache.isTidy(family, revision)) continue;
    if (!ownedBy(newest.tags, owner)) continue;
    toList.push({ family, removed: false, newest: revision });
  }
  for (const family of await listFamilies(deps, taskPrefix(cfg.prefix))) {
    if (families.has(family)) continue;
    const newest = await deps.latestRevision(family);
    // Another cluster's family under a longer prefix (`prod-eu-` under `prod-`) carries its own cluster tag.
    if (!newest || !ownedBy(newest.tags, owner)) continue;
    toList.push({ family, removed: true, newest: newest.taskDefinition.revision ?? 0 });
  }
  if (toList.length === 0) return undefined;

  for (const f of toList) {
    const active = await listActiveRevisions(deps, f.family);
    if (!f.removed && active.length <= keepRevisions) {
      deps.cache.markTidy(f.family, f.newest);
      continue;
    }
    listed.push({ family: f.family, removed: f.removed, active });
  }
  if (listed.length === 0) return undefined;

  const inUse = new Set<string>();
  for (const { service } of services) {
    if (service.taskDefinition) inUse.add(service.taskDefinition);
    for (const d of service.deployments ?? []) if (d.taskDefinition) inUse.add(d.taskDefinition);
  }
  const h: RevisionHousekeeping = { families: listed, inUse, tags: deps.cache.revisionTags };
  // Running tasks (standalone ones: service tasks run a deployment's revision) of the families that
  // still have candidates once deployments are accounted for.
  const withCandidates = selectRevisions(h, { keep: keepRevisions, ...owner }).filter(
    (r) => r.deregister.length + r.unknown.length > 0,
  );
  if (clusterExists) {
    for (const arn of await runningTaskDefinitions(
      deps,
      cfg.name,
      withCandidates.map((r) => r.family),
    )) {
      inUse.add(arn);
    }
  }
  const unknown = selectRevisions(h, { keep: keepRevisions, ...owner }).flatMap((r) => r.unknown);
  await Promise.all(
    unknown.map(async (arn) => {
      const out = await deps.read(() =>
        deps.port.describeTaskDefinition({ taskDefinition: arn, include: ['TAGS'] }),
      );
      deps.cache.revisionTags.set(arn, tagsToMap(out.tags));
    }),
  );
  const result: RevisionHousekeeping = { families: listed, inUse, tags: new Map(deps.cache.revisionTags) };
  // Families with nothing to do (what is old is in use, or not ours) need no listing next time.
  for (const r of selectRevisions(result, { keep: keepRevisions, ...owner })) {
    const f = toList.find((x) => x.family === r.family);
    if (f && !r.removed && r.deregister.length + r.unknown.length + r.later === 0) {
      deps.cache.markTidy(r.family, f.newest);
    }
  }
  return result;
}

async function listFamilies(deps: HousekeepingDeps, prefix: string): Promise<string[]> {
  return collectPages(
    (nextToken) =>
      deps.read(() =>
        deps.port.listTaskDefinitionFamilies({
          familyPrefix: prefix,
          status: 'ACTIVE',
          maxResults: LIST_PAGE,
          ...tokenField(nextToken),
        }),
      ),
    (p) => p.families,
  );
}

/**
 * ACTIVE revisions, newest first, every page. (Reading only the newest page would be cheaper, but
 * when its old revisions are all in use or not ours, nothing older would ever be reached; and moto
 * ignores `sort`.) Only families with more revisions than kept are listed at all.
 */
async function listActiveRevisions(deps: HousekeepingDeps, family: string): Promise<string[]> {
  const arns = await collectPages(
    (nextToken) =>
      deps.read(() =>
        deps.port.listTaskDefinitions({
          familyPrefix: family,
          status: 'ACTIVE',
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
