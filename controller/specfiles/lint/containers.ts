/** The container definitions of a task definition body, for the rules that look at each container. */
import type { FieldPath } from '../field-path';
import { isPlainObject } from '../spec-helpers';

export interface ContainerRef {
  /** Its `name`, or `#<index>` for one without (the schema reports that). */
  name: string;
  def: Record<string, unknown>;
  /** `['containerDefinitions', index]`. */
  path: FieldPath;
}

export function containersOf(body: Record<string, unknown>): ContainerRef[] {
  const list = body.containerDefinitions;
  if (!Array.isArray(list)) return [];
  const out: ContainerRef[] = [];
  list.forEach((def: unknown, i) => {
    if (!isPlainObject(def)) return;
    const name = typeof def.name === 'string' ? def.name : `#${i}`;
    out.push({ name, def, path: ['containerDefinitions', i] });
  });
  return out;
}
