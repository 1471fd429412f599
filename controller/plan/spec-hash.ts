import { createHash } from 'node:crypto';
import type { DesiredTaskDefinition } from '../model/desired';
import type { ObservedTaskDefinition } from '../model/observed';
import type { TagMap } from '../model/ownership';
import { type SpecHasher, TAG_SPEC_HASH } from '../model/spec-hash-tag';
import type { TaskDefinition } from '../model/aws-types';
import { canonicalJson, deepEqual } from './json-util';
import { normalizeTaskDefinition, taskDefinitionDiff } from './normalize-taskdef';
import { PROVENANCE_TAGS, tagDrift } from './tag-drift';

/**
 * The version of the normalization the hash is taken over. Bump it whenever normalize-taskdef.ts
 * changes what two bodies compare equal: a hash of another version never matches, so every family
 * is read and compared again instead of being trusted by a stale hash.
 */
export const SPEC_HASH_VERSION = 'v1';

/** The tags a revision should carry that are desired state (not provenance, not the hash itself). */
function hashedTags(tags: TagMap): TagMap {
  const out: TagMap = {};
  for (const k of Object.keys(tags).sort()) {
    if (!PROVENANCE_TAGS.includes(k)) out[k] = tags[k];
  }
  return out;
}

/**
 * `v1:<32 hex>`: the normalized body and the desired tags of a task definition spec. Equal for two
 * specs that plan the same revision (normalization makes AWS's defaults and list orders not matter).
 */
export function specHash(td: DesiredTaskDefinition): string {
  let hash = hashed.get(td);
  if (hash === undefined) {
    hash = computeSpecHash(td);
    hashed.set(td, hash);
  }
  return hash;
}

/**
 * The observer and the planner both ask for every spec's hash on every reconcile, and a controller
 * reconciles the same loaded specs again and again: each is hashed once (loaded specs are not
 * changed after loading; a new load makes new objects).
 */
const hashed = new WeakMap<DesiredTaskDefinition, string>();

function computeSpecHash(td: DesiredTaskDefinition): string {
  const canonical = canonicalJson({
    family: td.family,
    body: normalizeTaskDefinition(td.body),
    tags: hashedTags(td.tags),
  });
  return `${SPEC_HASH_VERSION}:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

/** The live revision is what the spec would register: same body, no tag of ours that differs. */
export function matchesSpec(td: DesiredTaskDefinition, live: ObservedTaskDefinition): boolean {
  return (
    taskDefinitionDiff(td.body, live.taskDefinition).length === 0 &&
    tagDrift(td.tags, live.tags).changes.length === 0
  );
}

/**
 * Two registered revisions are the same spec: the same spec-hash tag (of this version), or, for a
 * revision registered before the tag existed, the same normalized body and the same tags of ours.
 */
export function sameRevisionContent(
  a: { taskDefinition: TaskDefinition; tags: TagMap },
  b: { taskDefinition: TaskDefinition; tags: TagMap },
): boolean {
  const ha = a.tags[TAG_SPEC_HASH];
  const hb = b.tags[TAG_SPEC_HASH];
  const current = (h: string | undefined) => h?.startsWith(`${SPEC_HASH_VERSION}:`) === true;
  if (current(ha) && current(hb)) return ha === hb;
  return (
    deepEqual(normalizeTaskDefinition(a.taskDefinition), normalizeTaskDefinition(b.taskDefinition)) &&
    deepEqual(hashedTags(a.tags), hashedTags(b.tags))
  );
}

/** The planner's normalization for the observer (which may not import plan/). */
export const specHasher: SpecHasher = { hash: specHash, matches: matchesSpec, same: sameRevisionContent };
