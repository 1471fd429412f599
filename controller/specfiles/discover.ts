/** Finds cluster directories and the spec files in them. */
import * as path from 'path';
import { parseSpecFileName, type SpecFileKind } from '../model/spec-file-name';
import { diskFiles, type SpecFileSource } from './file-source';

export { parseSpecFileName, type SpecFileKind };

export const CLUSTER_CONFIG_NAMES = ['cluster.yaml', 'cluster.yml'] as const;

export interface SpecFile {
  /** File name, e.g. `web.taskdef.yaml`. */
  name: string;
  /** path.join(dir, name): the path as the user gave the directory. */
  path: string;
  /** The name before the kind suffix: `web`. */
  basename: string;
  kind: SpecFileKind;
}

export function hasClusterConfig(dir: string, files: SpecFileSource = diskFiles): boolean {
  return CLUSTER_CONFIG_NAMES.some((n) => files.kind(path.join(dir, n)) === 'file');
}

/**
 * A path with a cluster.yaml is one cluster; a path whose direct subdirectories have one is a repo
 * with several clusters; anything else is taken as one (old ecs-efs) directory, configured by flags.
 */
export function discoverClusterDirs(paths: string[], files: SpecFileSource = diskFiles): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (hasClusterConfig(p, files) || files.kind(p) !== 'dir') {
      out.push(p);
      continue;
    }
    const subdirs = files
      .list(p)
      .filter((d) => d.kind === 'dir' && !d.name.startsWith('.'))
      .map((d) => path.join(p, d.name))
      .filter((d) => hasClusterConfig(d, files))
      .sort();
    out.push(...(subdirs.length > 0 ? subdirs : [p]));
  }
  // The same directory named twice (`a` and `a/`, or `.` and `clusters/prod` inside it) is one.
  const seen = new Set<string>();
  return out.filter((d) => {
    const key = path.resolve(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Spec files directly in `dir`, sorted by name; other files are ignored. */
export function listSpecFiles(dir: string, files: SpecFileSource = diskFiles): SpecFile[] {
  return files
    .list(dir)
    .filter(
      (d) => d.kind === 'file' || (d.kind === 'symlink' && files.kind(path.join(dir, d.name)) === 'file'),
    )
    .map((d) => parseSpecFileName(d.name))
    .filter((f): f is Omit<SpecFile, 'path'> => f !== undefined)
    .map((f) => ({ ...f, path: path.join(dir, f.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
