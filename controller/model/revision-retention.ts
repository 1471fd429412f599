import type { ObservedTaskDefinition, RevisionHousekeeping } from './observed';
import { parseTaskDefinitionArn, shortTaskDefinition } from './naming';
import { ownedBy } from './ownership';

/**
 * Deregistrations per cluster and reconcile. Thousands of old revisions are cleaned up over many
 * reconciles instead of in one burst that would take the write tokens the real work needs.
 */
export const DEREGISTER_PER_RECONCILE = 20;

export interface RetentionOptions {
  keep: number;
  ownerId: string;
  cluster: string;
  /** Default DEREGISTER_PER_RECONCILE. */
  budget?: number;
  /**
   * Families this plan registers a new revision of: one fewer existing revision is kept, so that
   * `keep` remain after the register. Default: what the observer expected (`registering`).
   */
  registering?: ReadonlySet<string>;
  /** Whether two revisions are the same spec (the planner's normalization); without it, no duplicates. */
  same?: (a: ObservedTaskDefinition, b: ObservedTaskDefinition) => boolean;
}

/** What to do with one family's old revisions this reconcile. */
export interface FamilyRetention {
  family: string;
  removed: boolean;
  /** Ours, unused, beyond the newest `keep` (all of them for a removed family): deregister now. */
  deregister: string[];
  /** Ours, unused, within the kept ones, the same spec as the newest (a lost answer's twin): deregister now. */
  duplicates: string[];
  /** Ours, INACTIVE, unused (`deleteRevisions`: a deregistration whose delete did not happen). */
  leftovers: string[];
  /** Candidates whose tags were not read yet (the observer reads them; the planner waits). */
  unknown: string[];
  /** Candidates left for later reconciles (over the budget). */
  later: number;
  /** Revisions kept because something uses them (a removed family waits for all of them). */
  inUse: string[];
}

/**
 * Which old revisions to deregister. Pure, and one rule for two stages: the observer uses it only to
 * know whose tags and running tasks are worth reading; the planner plans the calls from it. (A shared
 * rule, like naming, so it lives in model/: observe must not import the planner.)
 *
 * - A family in the specs keeps its newest `keep` ACTIVE revisions (`keep - 1` when this plan
 *   registers a new one, so that `keep` remain); older ones are candidates. Within the kept ones,
 *   a revision that is the same spec as the newest (a duplicate left by a lost answer to
 *   RegisterTaskDefinition, or a crash) is a candidate too.
 * - A family removed from the specs is cleaned up entirely, but only once nothing uses any of it.
 * - A revision in use (a deployment of any service in the cluster, a running task) is never a
 *   candidate; nor is one whose tags say it is not ours (registered by hand, another owner, or
 *   before ecs-gitops adopted the family).
 * - At most `budget` revisions per reconcile, oldest first.
 */
export function selectRevisions(h: RevisionHousekeeping, opts: RetentionOptions): FamilyRetention[] {
  let budget = opts.budget ?? DEREGISTER_PER_RECONCILE;
  const used = (arn: string) => h.inUse.has(shortTaskDefinition(arn));
  const out: FamilyRetention[] = [];
  for (const f of [...h.families].sort((a, b) => a.family.localeCompare(b.family))) {
    const result: FamilyRetention = {
      family: f.family,
      removed: f.removed,
      deregister: [],
      duplicates: [],
      leftovers: [],
      unknown: [],
      later: 0,
      inUse: [],
    };
    out.push(result);
    const inUse = f.active.filter(used);
    if (f.removed && inUse.length > 0) {
      result.inUse = inUse;
      continue;
    }
    const registering = opts.registering ? opts.registering.has(f.family) : f.registering === true;
    const keep = registering ? Math.max(0, opts.keep - 1) : opts.keep;
    const old = f.removed ? f.active : f.active.slice(keep);
    result.inUse = old.filter(used);
    // INACTIVE ones to delete: all of a removed family's; of a family in the specs, those older than
    // the oldest revision kept (one deregistered within the kept window was not ours to retire).
    const kept = f.removed ? [] : f.active.slice(0, keep);
    // (A family registering with keepRevisions 1 keeps none of its existing ones: its newest bounds.)
    const bound = f.removed ? [] : f.active.slice(0, Math.max(1, keep));
    const oldestKept = Math.min(...bound.map(revisionOf));
    const leftovers = (f.inactive ?? []).filter((a) => bound.length === 0 || revisionOf(a) < oldestKept);
    // Oldest first (the lists are newest first); deregistered-but-not-deleted ones first of all.
    const candidates: [string, 'deregister' | 'leftovers' | 'duplicates'][] = [
      ...[...leftovers].reverse().map((a) => [a, 'leftovers'] as [string, 'leftovers']),
      ...[...old].reverse().map((a) => [a, 'deregister'] as [string, 'deregister']),
      ...duplicatesOfNewest(h, f.active, kept, opts).map((a) => [a, 'duplicates'] as [string, 'duplicates']),
    ];
    for (const [arn, list] of candidates) {
      if (used(arn)) continue;
      const tags = h.tags.get(arn) ?? h.kept?.get(arn)?.tags;
      if (tags && !ownedBy(tags, opts)) continue;
      if (budget <= 0) {
        result.later++;
        continue;
      }
      budget--;
      (tags ? result[list] : result.unknown).push(arn);
    }
  }
  return out;
}

/**
 * Kept revisions (not the newest) that are the same spec as the newest, oldest first. Only those
 * whose content was read (`h.kept`), and only with the planner's comparison (`opts.same`).
 */
function duplicatesOfNewest(
  h: RevisionHousekeeping,
  active: readonly string[],
  kept: readonly string[],
  opts: RetentionOptions,
): string[] {
  const newest = active[0] !== undefined ? h.kept?.get(active[0]) : undefined;
  if (!newest || !opts.same) return [];
  const same = opts.same;
  return kept
    .slice(1)
    .filter((arn) => {
      const other = h.kept?.get(arn);
      return other !== undefined && same(other, newest);
    })
    .reverse();
}

/** Whether this reconcile would retire (or first read the tags of) any of the family's revisions. */
export function hasCandidates(r: FamilyRetention): boolean {
  return r.deregister.length + r.duplicates.length + r.leftovers.length + r.unknown.length > 0;
}

function revisionOf(arn: string): number {
  return parseTaskDefinitionArn(arn)?.revision ?? 0;
}
