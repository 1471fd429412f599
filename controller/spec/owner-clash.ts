import type { ClusterConfig } from '../model/desired';
import type { SpecError } from '../model/source';

/**
 * Two cluster directories that manage the same cluster (name and region) under the same owner id
 * would each prune what the other created: ecs-gitops tells its own resources apart by the owner id
 * and cluster in their tags, and both directories write the same ones. (`ownerId` defaults to the
 * cluster name, so two directories for one cluster clash unless one sets its own.) Both are refused.
 * Returns an error per clashing directory, keyed by its directory.
 */
export function ownerClashes(
  configs: readonly { dir: string; config: ClusterConfig; region: string | undefined }[],
): Map<string, SpecError> {
  const byIdentity = new Map<string, { dir: string; config: ClusterConfig }[]>();
  for (const c of configs) {
    const key = `${c.region ?? ''}\u0000${c.config.name}\u0000${c.config.ownerId}`;
    byIdentity.set(key, [...(byIdentity.get(key) ?? []), c]);
  }
  const out = new Map<string, SpecError>();
  for (const group of byIdentity.values()) {
    if (group.length < 2) continue;
    for (const c of group) {
      const others = group.filter((o) => o !== c).map((o) => o.dir);
      out.set(c.dir, {
        file: c.config.source.file,
        line: c.config.source.line,
        column: c.config.source.column,
        field: 'ownerId',
        message:
          `${others.join(', ')} also manages cluster ${c.config.name} with owner id "${c.config.ownerId}": ` +
          'each would prune what the other creates. Give each directory its own ownerId in cluster.yaml',
      });
    }
  }
  return out;
}
