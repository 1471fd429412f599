/** Finds cluster directories and the spec files in them. */
import * as fs from 'fs';
import * as path from 'path';
import { parseSpecFileName, type SpecFileKind } from '../model/spec-file-name';

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

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function hasClusterConfig(dir: string): boolean {
  return CLUSTER_CONFIG_NAMES.some((n) => isFile(path.join(dir, n)));
}

/**
 * A path with a cluster.yaml is one cluster; a path whose direct subdirectories have one is a repo
 * with several clusters; anything else is taken as one (old ecs-efs) directory, configured by flags.
 */
export function discoverClusterDirs(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (hasClusterConfig(p) || !isDir(p)) {
      out.push(p);
      continue;
    }
    const subdirs = fs
      .readdirSync(p, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => path.join(p, d.name))
      .filter(hasClusterConfig)
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
export function listSpecFiles(dir: string): SpecFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() || (d.isSymbolicLink() && isFile(path.join(dir, d.name))))
    .map((d) => parseSpecFileName(d.name))
    .filter((f): f is Omit<SpecFile, 'path'> => f !== undefined)
    .map((f) => ({ ...f, path: path.join(dir, f.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
