/**
 * The family prefix of an exported cluster directory. ecs-gitops registers every family as
 * `<prefix>-<basename>` (model/naming.ts `prefixedFamily`), and a `family` field in a `.taskdef` is
 * prefixed the same way, so a family can be kept only if it starts with `<prefix>-`. The prefix is
 * chosen so that every exported family keeps its name; families that would be renamed are never
 * exported as `.taskdef` files.
 */

import type { ObservedTaskDefinition } from '../model/observed';
import { ownedBy } from '../model/ownership';
import type { ExportOptions, LiveCluster } from './export-cluster';
import { clusterOwner, type ClusterOwner } from './export-families';

export type PrefixChoice =
  | {
      prefix: string;
      /** Families that start with `<prefix>-`: exported as `.taskdef` files. */
      kept: string[];
      /** Families that do not (only with an explicit prefix): their services are pinned instead. */
      outside: string[];
    }
  | { error: string };

/** What cluster.yaml's `prefix` accepts (crds/cluster.schema.json). */
const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * 1. `--prefix P`: P; families not under `P-` are reported as `outside`.
 * 2. Every family starts with `<cluster>-` (or there is none): the cluster name, ecs-gitops's default.
 * 3. Otherwise the longest `X-` that starts every family (`acme-api-web`, `acme-api-worker`: `acme-api`).
 * 4. Otherwise an error listing the families: no prefix keeps all their names.
 */
export function choosePrefix(
  clusterName: string,
  families: readonly string[],
  explicit?: string,
): PrefixChoice {
  const sorted = [...new Set(families)].sort();
  if (explicit !== undefined) {
    if (!PREFIX_PATTERN.test(explicit)) {
      return { error: `--prefix "${explicit}" may only contain letters, digits, "-" and "_" (1 to 200)` };
    }
    const kept = sorted.filter((f) => isUnder(f, explicit));
    return { prefix: explicit, kept, outside: sorted.filter((f) => !kept.includes(f)) };
  }
  if (sorted.every((f) => isUnder(f, clusterName))) return { prefix: clusterName, kept: sorted, outside: [] };
  const common = longestCommonDashPrefix(sorted);
  if (common !== undefined) return { prefix: common, kept: sorted, outside: [] };
  return {
    error:
      `no prefix keeps the names of all task definition families: ${sorted.join(', ')}. ` +
      `ecs-gitops registers families as <prefix>-<name>, so these would be registered again under new names. ` +
      `Pass --prefix P to export the families that start with "P-" (the services of the others are pinned to the ` +
      `revisions they run)`,
  };
}

/** `acme-web` is under `acme`; `acme` itself and `acme-` are not (nothing would be left for a file name). */
function isUnder(family: string, prefix: string): boolean {
  return family.length > prefix.length + 1 && family.startsWith(`${prefix}-`);
}

function longestCommonDashPrefix(families: readonly string[]): string | undefined {
  if (families.length === 0) return undefined;
  let common = families[0];
  for (const f of families) while (!f.startsWith(common)) common = common.slice(0, -1);
  // Try each dash of the common start, the longest first.
  for (let i = common.lastIndexOf('-'); i > 0; i = common.lastIndexOf('-', i - 1)) {
    const candidate = common.slice(0, i);
    if (PREFIX_PATTERN.test(candidate) && families.every((f) => isUnder(f, candidate))) return candidate;
  }
  return undefined;
}

/**
 * The prefix: `--prefix`; for a cluster ecs-gitops owns, the one its own families share (the
 * services of any other family are pinned); otherwise the prefix rule over every family.
 */
export function prefixChoice(
  clusterName: string,
  families: ReadonlyMap<string, ObservedTaskDefinition | null>,
  owner: ClusterOwner | undefined,
  explicit: string | undefined,
): PrefixChoice {
  const withContent = [...families].filter(([, td]) => td !== null).map(([family]) => family);
  if (explicit === undefined && owner) {
    const ours = withContent.filter((f) => ownedBy(families.get(f)!.tags, owner));
    const own = ours.length > 0 ? choosePrefix(clusterName, ours) : undefined;
    if (own && !('error' in own)) return choosePrefix(clusterName, withContent, own.prefix);
  }
  return choosePrefix(clusterName, withContent, explicit);
}

/**
 * The prefix to list service-less families under (ListTaskDefinitionFamilies): `--families PREFIX`;
 * else `--prefix`; for an owned cluster whose own families do not all start with `<cluster>-`, the
 * shortest `X-` they share (its cluster.yaml prefix is at most that long: one service family
 * `acme-api-web` may come from prefix `acme`, with a scheduled `acme-cron` beside it; the tags then
 * tell its families from others'); else the export's prefix as the services' families give it;
 * else the cluster name.
 */
export function listingPrefix(live: LiveCluster, opts: ExportOptions & { familiesPrefix?: string }): string {
  if (opts.familiesPrefix !== undefined) return opts.familiesPrefix;
  if (opts.prefix !== undefined) return opts.prefix;
  const clusterName = live.cluster.clusterName ?? '';
  const owner = clusterOwner(live.cluster);
  if (owner) {
    const ours = [...live.families]
      .filter(([, td]) => td !== null && ownedBy(td.tags, owner))
      .map(([family]) => family);
    const shortest = ours[0]?.slice(0, ours[0].indexOf('-'));
    const under = (p: string) => ours.every((f) => f.length > p.length + 1 && f.startsWith(`${p}-`));
    if (!under(clusterName) && shortest && under(shortest)) return shortest;
  }
  const choice = prefixChoice(clusterName, live.families, owner, undefined);
  return 'error' in choice ? clusterName : choice.prefix;
}
