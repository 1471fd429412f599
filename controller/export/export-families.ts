/**
 * The families no service runs that export writes as well: scheduled tasks, RunTask batch jobs,
 * families kept for rollback. Applying an export with `prune: true` deregisters every family of ours
 * it leaves out, so for a cluster ecs-gitops owns every family with its ownership tags is written;
 * on a foreign cluster nothing tells them apart, so the user names them (`--families PREFIX`).
 */
import type { ObservedTaskDefinition } from '../model/observed';
import {
  MANAGED_BY_VALUE,
  ownedBy,
  TAG_CLUSTER,
  TAG_MANAGED_BY,
  TAG_OWNER,
  tagsToMap,
  type Tag,
} from '../model/ownership';

export interface ClusterOwner {
  ownerId: string;
  cluster: string;
}

/** The owner id and cluster an owned cluster's resources carry; undefined for a foreign cluster. */
export function clusterOwner(cluster: { clusterName?: string; tags?: Tag[] }): ClusterOwner | undefined {
  const tags = tagsToMap(cluster.tags);
  if (tags[TAG_MANAGED_BY] !== MANAGED_BY_VALUE || !tags[TAG_OWNER]) return undefined;
  return { ownerId: tags[TAG_OWNER], cluster: tags[TAG_CLUSTER] ?? cluster.clusterName ?? '' };
}

export interface ServicelessChoice {
  /** Family -> its newest ACTIVE revision, to be written as a `.taskdef`. */
  chosen: Map<string, ObservedTaskDefinition>;
  notes: string[];
}

/**
 * Of the families listed under the prefix that no service runs: those of this cluster's owner and
 * cluster; with `families` (the user named the prefix) also those without ecs-gitops tags. Never
 * another owner's or cluster's.
 */
export function chooseServiceless(
  listed: ReadonlyMap<string, ObservedTaskDefinition | null>,
  owner: ClusterOwner | undefined,
  families: boolean,
): ServicelessChoice {
  const chosen = new Map<string, ObservedTaskDefinition>();
  const notes: string[] = [];
  for (const family of [...listed.keys()].sort()) {
    const live = listed.get(family);
    if (!live) continue;
    const ours = owner !== undefined && ownedBy(live.tags, owner);
    const tagged = live.tags[TAG_MANAGED_BY] === MANAGED_BY_VALUE;
    if (!ours && (tagged || !families)) {
      if (tagged) {
        const whose = `owner "${live.tags[TAG_OWNER] ?? ''}", cluster "${live.tags[TAG_CLUSTER] ?? ''}"`;
        notes.push(`family ${family} not exported: it belongs to ecs-gitops ${whose}`);
      } else {
        notes.push(
          `family ${family} not exported: no service runs it and it has no ecs-gitops tags (--families includes it)`,
        );
      }
      continue;
    }
    chosen.set(family, live);
  }
  return { chosen, notes };
}
