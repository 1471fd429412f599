import type { DesiredState } from '../model/desired';
import type { SpecError } from '../model/source';
import { clusterIdentity, ownerClashes } from '../specfiles';
import type { AwsContext } from './aws-context';
import { formatWarnings, loadSpecDirs, type SpecOptions, warningsOf } from './load-specs';
import { writeDiagnostics } from './common';

/** A cluster directory that loaded cleanly, with the region its AWS calls go to. */
export interface ClusterTarget {
  dir: string;
  state: DesiredState;
  region: string;
}

/** A cluster directory that will not be touched, and why. */
export interface DirFailure {
  dir: string;
  cluster?: string;
  errors: SpecError[];
}

/**
 * Loads the directories (a repository root expands to its clusters) and sorts them into the ones to
 * plan and the ones that failed closed (any spec error: nothing in that cluster is changed).
 * Warnings go to stderr here, once.
 */
export async function resolveTargets(
  paths: readonly string[],
  opts: SpecOptions,
  ctx: AwsContext,
): Promise<{ targets: ClusterTarget[]; failures: DirFailure[] }> {
  const defaultRegion = await ctx.defaultRegion();
  const loaded = await loadSpecDirs(paths, opts, defaultRegion, async (r) =>
    (await ctx.forRegion(r ?? defaultRegion ?? 'us-east-1')).sts.getAccountId(),
  );
  const targets: ClusterTarget[] = [];
  const failures: DirFailure[] = [];
  for (const { dir, result } of loaded) {
    const warnings = warningsOf(result);
    if (warnings.length > 0) writeDiagnostics(formatWarnings(warnings));
    const state = result.state;
    if (!state) {
      failures.push({ dir, errors: result.errors });
      continue;
    }
    const region = state.cluster.region ?? defaultRegion;
    if (!region) {
      failures.push({ dir, cluster: state.cluster.name, errors: [noRegionError(state.cluster.source.file)] });
      continue;
    }
    targets.push({ dir, state, region });
  }
  // Two directories for one cluster and owner id would prune each other's services: refuse both,
  // also when one of them does not load (it still has services the other must not prune).
  const identities = loaded.flatMap(({ dir, result }) => {
    const t = targets.find((x) => x.dir === dir);
    if (t) return [{ dir, config: t.state.cluster, region: t.region }];
    const id = clusterIdentity(dir, {
      clusterName: opts.cluster,
      prefix: opts.prefix,
      ...(opts.config ? { configFile: opts.config } : {}),
      region: result.state?.cluster.region ?? defaultRegion,
    });
    return id ? [{ dir, ...id }] : [];
  });
  const clashes = ownerClashes(identities);
  for (const f of failures) clashes.delete(f.dir);
  for (const [dir, error] of clashes) {
    const t = targets.find((x) => x.dir === dir);
    failures.push({ dir, ...(t ? { cluster: t.state.cluster.name } : {}), errors: [error] });
  }
  return { targets: targets.filter((t) => !clashes.has(t.dir)), failures };
}

function noRegionError(file: string): SpecError {
  return {
    file,
    line: 1,
    column: 1,
    field: 'region',
    message: 'no region: set `region` in cluster.yaml, pass --region, or set AWS_REGION',
  };
}
