import { join } from 'node:path';
import { parse } from 'yaml';
import type { ClusterConfig } from '../model/desired';
import type { SpecError } from '../model/source';
import { type ClusterOptions, loadClusterConfig } from './cluster-config';
import { CLUSTER_CONFIG_NAMES } from './discover';
import { diskFiles, exists } from './file-source';

type ClusterIdentity = Pick<ClusterConfig, 'name' | 'ownerId' | 'source'>;

/**
 * Two cluster directories that manage the same cluster (name and region) under the same owner id
 * would each prune what the other created: ecs-gitops tells its own resources apart by the owner id
 * and cluster in their tags, and both directories write the same ones. (`ownerId` defaults to the
 * cluster name, so two directories for one cluster clash unless one sets its own.) Both are refused.
 * Returns an error per clashing directory, keyed by its directory.
 */
export function ownerClashes(
  configs: readonly { dir: string; config: ClusterIdentity; region: string | undefined }[],
): Map<string, SpecError> {
  const byIdentity = new Map<string, { dir: string; config: ClusterIdentity }[]>();
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

/**
 * Who a cluster directory's resources belong to, for the clash check, even when its cluster.yaml does
 * not load cleanly: then `name`, `region`, `ownerId` are read leniently from the YAML, so that a broken
 * directory still protects its services from a directory that shares its cluster and owner id.
 * undefined: not even that can be read (no cluster.yaml, unparsable YAML, no name).
 */
export function clusterIdentity(
  dir: string,
  opts: ClusterOptions,
): { config: Pick<ClusterConfig, 'name' | 'ownerId' | 'source'>; region: string | undefined } | undefined {
  const { config, file } = loadClusterConfig(dir, opts);
  if (config) return { config, region: config.region ?? opts.region };
  const files = opts.files ?? diskFiles;
  const path = file ?? CLUSTER_CONFIG_NAMES.map((n) => join(dir, n)).find((f) => exists(files, f));
  if (!path) return undefined;
  try {
    const doc = parse(files.read(path)) as Record<string, unknown> | null;
    const name = typeof doc?.name === 'string' ? doc.name : undefined;
    if (!name) return undefined;
    const ownerId = typeof doc?.ownerId === 'string' ? doc.ownerId : name;
    const region = typeof doc?.region === 'string' ? doc.region : opts.region;
    return { config: { name, ownerId, source: { file: path, line: 1, column: 1 } }, region };
  } catch {
    return undefined;
  }
}
