/**
 * Which tags to write on a live resource. Pure. Provenance (the spec file a resource came from, the
 * commit that produced it) is not desired state: a rename of the file, a new commit or an export
 * (which writes plain files for templates and autocreated services) must not make a resource differ.
 */
import { TAG_COMMIT, TAG_SOURCE, type Tag, type TagMap } from '../model/ownership';
import { TAG_SPEC_HASH } from '../model/spec-hash-tag';
import type { FieldChange } from './plan-types';

/**
 * Tags that record where a resource came from, not what it should be; and the spec hash, which only
 * saves reads (model/spec-hash-tag.ts) and is refreshed with the next real change.
 */
export const PROVENANCE_TAGS: readonly string[] = [TAG_SOURCE, TAG_COMMIT, TAG_SPEC_HASH];

/**
 * A change to a provenance tag: written beside a real change and listed in the JSON plan, but left out
 * of the text and markdown diffs that people read (a hash or a commit id on every deployed service is
 * noise; the change that caused it is shown).
 */
export function isProvenanceChange(c: FieldChange): boolean {
  const m = /^tags\[(.+)\]$/.exec(c.path);
  return m !== null && PROVENANCE_TAGS.includes(m[1] ?? '');
}

export interface TagDrift {
  /** One change per tag written, for the diff. */
  changes: FieldChange[];
  /** What TagResource writes. */
  tags: Tag[];
  keys: string[];
}

/**
 * Desired tags that are missing or different on the live resource (extra live tags are left alone).
 * Provenance tags are written only alongside a real change: another tag that differs, or `changing`
 * (the caller changes the resource anyway, an UpdateService for instance); on their own they are no
 * difference, so a resource whose only difference is its source file name or commit plans nothing.
 */
export function tagDrift(desired: TagMap, live: TagMap, changing = false): TagDrift {
  const differing = Object.keys(desired)
    .sort()
    .filter((k) => live[k] !== desired[k]);
  const real = differing.filter((k) => !PROVENANCE_TAGS.includes(k));
  const keys = changing || real.length > 0 ? differing : [];
  const changes = keys.map((k) => {
    const c: FieldChange = { path: `tags[${k}]`, after: desired[k] };
    if (live[k] !== undefined) c.before = live[k];
    return c;
  });
  return { changes, tags: keys.map((key) => ({ key, value: desired[key] })), keys };
}
