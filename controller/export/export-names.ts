/**
 * Exported file names from the `ecs-gitops:source` tag (the spec file a resource was applied from),
 * so that a re-export of a cluster ecs-gitops manages gives back the names in git. Export writes
 * plain JSON files only: a resource rendered from a template (`web.service.template`) or read from
 * YAML (`web.taskdef.yaml`) is written as the plain file it became (`web.service`), and reported.
 */
import { TAG_SOURCE, type TagMap } from '../model/ownership';
import { parseSpecFileName, type SpecFileKind } from '../model/spec-file-name';

export interface SourceFile {
  /** The tag's value, a file name: `web.service.template`. */
  name: string;
  basename: string;
  kind: SpecFileKind;
}

/** The spec file a resource's source tag names; undefined when absent or not a spec file name. */
export function sourceFile(tags: TagMap): SourceFile | undefined {
  const name = tags[TAG_SOURCE];
  // The loader records a bare file name; anything else was written by someone else.
  if (name === undefined || name.includes('/')) return undefined;
  const parsed = parseSpecFileName(name);
  return parsed && { name, basename: parsed.basename, kind: parsed.kind };
}

/**
 * The source file when this resource came from a file of the same name and kind that is not the
 * plain file export writes (`<basename>.<kind>`): a template it was rendered from, or YAML.
 */
export function renamedFrom(tags: TagMap, kind: 'service' | 'taskdef', basename: string): string | undefined {
  const from = sourceFile(tags);
  if (!from || from.basename !== basename || from.name === `${basename}.${kind}`) return undefined;
  const sameKind = from.kind === kind || (kind === 'service' && from.kind === 'service.template');
  return sameKind ? from.name : undefined;
}
