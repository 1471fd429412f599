import type { RevisionHousekeeping } from './observed';
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
}

/** What to do with one family's old revisions this reconcile. */
export interface FamilyRetention {
  family: string;
  removed: boolean;
  /** Ours, unused, beyond the newest `keep` (all of them for a removed family): deregister now. */
  deregister: string[];
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
 * - A family in the specs keeps its newest `keep` ACTIVE revisions; older ones are candidates.
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
    const old = f.removed ? f.active : f.active.slice(opts.keep);
    result.inUse = old.filter(used);
    // INACTIVE ones to delete: all of a removed family's; of a family in the specs, those older than
    // the oldest revision kept (one deregistered within the kept window was not ours to retire).
    const kept = f.removed ? [] : f.active.slice(0, opts.keep);
    const oldestKept = Math.min(...kept.map(revisionOf));
    const leftovers = (f.inactive ?? []).filter((a) => kept.length === 0 || revisionOf(a) < oldestKept);
    // Oldest first (the lists are newest first); deregistered-but-not-deleted ones first of all.
    const candidates: [string, 'deregister' | 'leftovers'][] = [
      ...[...leftovers].reverse().map((a) => [a, 'leftovers'] as [string, 'leftovers']),
      ...[...old].reverse().map((a) => [a, 'deregister'] as [string, 'deregister']),
    ];
    for (const [arn, list] of candidates) {
      if (used(arn)) continue;
      const tags = h.tags.get(arn);
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

/** Whether this reconcile would retire (or first read the tags of) any of the family's revisions. */
export function hasCandidates(r: FamilyRetention): boolean {
  return r.deregister.length + r.leftovers.length + r.unknown.length > 0;
}

function revisionOf(arn: string): number {
  return parseTaskDefinitionArn(arn)?.revision ?? 0;
}
