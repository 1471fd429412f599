/**
 * Where the spec loaders read files from: the disk (the default: a checkout or the working tree), or
 * a commit's tree read straight from git objects (reconcile/git-objects.ts, for `diff --base`).
 * Read-only and synchronous, so the loaders read a tree the same way whatever holds it. Paths are
 * the ones the user gave (relative to the working directory, or absolute): every error and source
 * names a file by the same path, whichever implementation read it.
 */
import * as fs from 'fs';

/** What is at a path; symbolic links are followed (a broken one is nothing). */
export type FileKind = 'file' | 'dir' | 'other';

/** One name in a directory, as `readdir` reports it: a link is `symlink` (not followed). */
export interface DirEntry {
  name: string;
  kind: FileKind | 'symlink';
}

export interface SpecFileSource {
  /** 'file', 'dir', 'other' (a socket, a device), or undefined when nothing is there. */
  kind(p: string): FileKind | undefined;
  /** The names in a directory, in no particular order. Throws when it is not a readable directory. */
  list(dir: string): DirEntry[];
  /** The file's text (UTF-8). Throws with a message saying why when it cannot. */
  read(file: string): string;
}

export function exists(files: SpecFileSource, p: string): boolean {
  return files.kind(p) !== undefined;
}

/** The disk, as the loaders always read it. */
export const diskFiles: SpecFileSource = {
  kind(p) {
    try {
      const s = fs.statSync(p);
      return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
    } catch {
      return undefined;
    }
  },
  list(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({
      name: d.name,
      kind: d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isSymbolicLink() ? 'symlink' : 'other',
    }));
  },
  read(file) {
    return fs.readFileSync(file, 'utf8');
  },
};
