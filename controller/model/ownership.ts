/**
 * Ownership tags. Everything ecs-gitops creates carries them; it only ever changes or deletes what
 * carries them with its own owner id. Keys are documented in docs/safety.md ("Ownership tags").
 */
export const TAG_MANAGED_BY = 'ecs-gitops:managed-by';
export const TAG_OWNER = 'ecs-gitops:owner';
export const TAG_CLUSTER = 'ecs-gitops:cluster';
export const TAG_SOURCE = 'ecs-gitops:source';
/** On task definition revisions the controller registers: the commit that produced them. */
export const TAG_COMMIT = 'ecs-gitops:commit';
export const MANAGED_BY_VALUE = 'ecs-gitops';
/**
 * On a service being pruned, written before it is scaled to 0: the count it had. If its spec comes
 * back before the delete, the count is restored from it; if something scales the service up again
 * meanwhile (Application Auto Scaling), the delete does not fight it but forces.
 */
export const TAG_PRUNING = 'ecs-gitops:pruning';

export type TagMap = Record<string, string>;

export interface Tag {
  key?: string;
  value?: string;
}

export function ownershipTags(ownerId: string, cluster: string, sourceFile?: string): TagMap {
  const tags: TagMap = { [TAG_MANAGED_BY]: MANAGED_BY_VALUE, [TAG_OWNER]: ownerId, [TAG_CLUSTER]: cluster };
  if (sourceFile !== undefined) tags[TAG_SOURCE] = sourceFile;
  return tags;
}

export function tagsToMap(tags: readonly Tag[] | undefined): TagMap {
  const out: TagMap = {};
  for (const t of tags ?? []) if (t.key !== undefined) out[t.key] = t.value ?? '';
  return out;
}

export function mapToTags(map: TagMap): { key: string; value: string }[] {
  return Object.keys(map)
    .sort()
    .map((key) => ({ key, value: map[key] }));
}

/** ELBv2 spells tags `{ Key, Value }` (ECS: `{ key, value }`). */
export interface ElbTag {
  Key?: string;
  Value?: string;
}

export function elbTagsToMap(tags: readonly ElbTag[] | undefined): TagMap {
  const out: TagMap = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

export function mapToElbTags(map: TagMap): { Key: string; Value: string }[] {
  return mapToTags(map).map((t) => ({ Key: t.key, Value: t.value }));
}

export type Ownership = 'ours' | 'unowned' | 'other-owner';

/** Whose is a resource with these tags, seen from the controller with this owner id. */
export function ownershipOf(tags: TagMap, ownerId: string): Ownership {
  if (tags[TAG_MANAGED_BY] !== MANAGED_BY_VALUE) return 'unowned';
  return tags[TAG_OWNER] === ownerId ? 'ours' : 'other-owner';
}

/**
 * Ours to delete: the tags name this owner id AND this cluster. Deletes (pruning, deregistering old
 * revisions) require both; a resource another cluster's directory created under the same owner id is
 * that directory's to remove.
 */
export function ownedBy(tags: TagMap, owner: { ownerId: string; cluster: string }): boolean {
  return ownershipOf(tags, owner.ownerId) === 'ours' && tags[TAG_CLUSTER] === owner.cluster;
}

/** `ecs-gitops:pruning` values: `3` (the count, before the scale-down), `3 scaled` (after it). */
export function pruningMark(count: number, scaled: boolean): string {
  return scaled ? `${count} scaled` : String(count);
}

export function parsePruningMark(value: string | undefined): { count?: number; scaled: boolean } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)( scaled)?$/.exec(value.trim());
  // Anything else (edited by hand): a mark without a usable count, not known to be scaled.
  return m ? { count: Number(m[1]), scaled: m[2] !== undefined } : { scaled: false };
}
