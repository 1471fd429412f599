/** Small helpers shared by the spec loaders. */
import * as fs from 'fs';
import type { SpecError } from '../model/source';
import type { FieldPath } from './field-path';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The file's text, or undefined with an error (the file vanished, or is not readable). */
export function readSpecText(file: string, errors: SpecError[]): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    errors.push({ file, line: 1, column: 1, field: '', message: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
}

/** Checks the AWS tag list shape `[{ key, value }]` where no schema covers it. */
export function checkTagList(
  tags: unknown,
  path: FieldPath,
  errorAt: (path: FieldPath, message: string) => SpecError,
): SpecError[] {
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
