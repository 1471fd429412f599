import type { FieldChange } from './plan-types';
import { isPlainObject } from './json-util';

const ITEM_KEYS = ['name', 'containerPath', 'containerName'];

/**
 * What a create adds, leaf by leaf, so that a reviewer sees every field of a new task definition
 * or service as `+` lines: `containerDefinitions[web].image: "nginx:1.27"`.
 */
export function creationChanges(value: object, omit: readonly string[] = []): FieldChange[] {
  const out: FieldChange[] = [];
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields).sort()) {
    if (!omit.includes(key)) leaves(fields[key], key, out);
  }
  return out;
}

function leaves(v: unknown, path: string, out: FieldChange[]): void {
  if (v === undefined || v === null) return;
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return;
    for (const k of keys.sort()) leaves(v[k], `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) {
    const key = ITEM_KEYS.find(
      (k) => v.every((x) => typeof x[k] === 'string') && new Set(v.map((x) => x[k])).size === v.length,
    );
    v.forEach((item, i) => leaves(item, `${path}[${key ? String(item[key]) : i}]`, out));
    return;
  }
  if (Array.isArray(v) && v.length === 0) return;
  out.push({ path, after: v });
}
