/**
 * Spec file names: `web.taskdef`, `web.service`, `web.service.template`, each optionally ending in
 * `.json`, `.yaml` or `.yml`. In the model because both the loader (which files are specs) and
 * export (which file a resource's `ecs-gitops:source` tag names) read them.
 */
export type SpecFileKind = 'taskdef' | 'service' | 'service.template';

const SPEC_FILE = /^(.+?)\.(taskdef|service|service\.template)(?:\.(?:json|yaml|yml))?$/;

/** Parses a spec file name; undefined for files that are not specs. */
export function parseSpecFileName(
  name: string,
): { name: string; basename: string; kind: SpecFileKind } | undefined {
  const m = SPEC_FILE.exec(name);
  return m ? { name, basename: m[1], kind: m[2] as SpecFileKind } : undefined;
}
