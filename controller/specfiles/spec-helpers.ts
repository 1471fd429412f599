/** Small helpers shared by the spec loaders. */
import { copyFields } from '../model/copy-fields';
import type { ClusterConfig } from '../model/desired';
import { ownershipTags, type Tag, type TagMap, tagsToMap } from '../model/ownership';
import type { SpecError } from '../model/source';
import { type FieldPath, formatFieldPath } from './field-path';
import { diskFiles, type SpecFileSource } from './file-source';
import type { Position } from './positions';

/** Makes an error at a field of one file. */
export type ErrorAt = (path: FieldPath, message: string) => SpecError;

/** The one way the loaders build located errors: `errorAt(['tags', 0], '...')`. */
export function errorAtIn(
  file: string,
  doc: { locate: (path: FieldPath) => Position },
): (path: FieldPath | string, message: string) => SpecError {
  return (at, message) => {
    const path = typeof at === 'string' ? [at] : at;
    return { file, ...doc.locate(path), field: formatFieldPath(path), message };
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The file's text, or undefined with an error (the file vanished, or is not readable). */
export function readSpecText(
  file: string,
  errors: SpecError[],
  files: SpecFileSource = diskFiles,
): string | undefined {
  try {
    return files.read(file);
  } catch (e) {
    errors.push({ file, line: 1, column: 1, field: '', message: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
}

/** Checks the AWS tag list shape `[{ key, value }]` where no schema covers it. */
export function checkTagList(tags: unknown, path: FieldPath, errorAt: ErrorAt): SpecError[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) return [errorAt(path, 'expected an array of { "key": ..., "value": ... }')];
  const errors: SpecError[] = [];
  tags.forEach((t: unknown, i) => {
    if (
      !isPlainObject(t) ||
      typeof t.key !== 'string' ||
      (t.value !== undefined && typeof t.value !== 'string')
    ) {
      errors.push(errorAt([...path, i], 'expected { "key": string, "value": string }'));
    }
  });
  return errors;
}

/** Deep copy of plain JSON data, so merged defaults are never shared between services. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** AWS limits for tags on ECS resources (and on every other taggable AWS resource). */
export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

/** Length as AWS counts it: Unicode characters, not UTF-16 code units. */
function charCount(s: string): number {
  return [...s].length;
}

/** Key and value lengths of a tag list `[{ key, value }]`; entries of the wrong shape are the schema's. */
function checkTagLengths(tags: unknown[], path: FieldPath, errorAt: ErrorAt): SpecError[] {
  const errors: SpecError[] = [];
  const tooLong = (v: unknown, max: number): v is string => typeof v === 'string' && charCount(v) > max;
  const limits = [
    ['key', MAX_TAG_KEY_LENGTH],
    ['value', MAX_TAG_VALUE_LENGTH],
  ] as const;
  tags.forEach((t: unknown, i) => {
    if (!isPlainObject(t)) return;
    for (const [field, max] of limits) {
      const v = t[field];
      if (!tooLong(v, max)) continue;
      errors.push(
        errorAt(
          [...path, i, field],
          `tag ${field} is ${charCount(v)} characters long; AWS allows at most ${max}`,
        ),
      );
    }
  });
  return errors;
}

/**
 * The tags of one resource: cluster tags, then the file's own tag list `[{ key, value }]` (entries
 * of the wrong shape are skipped: the schema reports them), then the ownership tags.
 */
export function mergedTags(cluster: ClusterConfig, fileTags: unknown, fileName: string): TagMap {
  const list = Array.isArray(fileTags) ? (fileTags.filter(isPlainObject) as Tag[]) : undefined;
  // `{ ...cluster.tags, ...fileTags, ...ownership }`, copied key by key (model/copy-fields.ts).
  const tags = copyFields<TagMap>({}, cluster.tags);
  if (list) copyFields(tags, tagsToMap(list.filter((t) => typeof t.key === 'string')));
  return copyFields(tags, ownershipTags(cluster.ownerId, cluster.name, fileName));
}

/**
 * A file's `tags` against AWS's limits: key and value lengths, and the 50 tags per resource that
 * the merged tags must fit in. The count error is at the file's `tags`; when the cluster's tags
 * alone are too many, cluster.yaml reports that and the file has nothing to add.
 */
export function checkFileTags(
  fileTags: unknown,
  merged: TagMap,
  cluster: ClusterConfig,
  errorAt: ErrorAt,
): SpecError[] {
  if (!Array.isArray(fileTags)) return [];
  const errors = checkTagLengths(fileTags, ['tags'], errorAt);
  const n = Object.keys(merged).length;
  if (n > MAX_TAGS_PER_RESOURCE) {
    const ownership = Object.keys(ownershipTags(cluster.ownerId, cluster.name, 'any')).length;
    errors.push(
      errorAt(
        ['tags'],
        `${n} tags in all: these ${fileTags.length}, ${Object.keys(cluster.tags).length} from cluster.yaml ` +
          `and the ${ownership} ownership tags; AWS allows at most ${MAX_TAGS_PER_RESOURCE} per resource`,
      ),
    );
  }
  return errors;
}
