/**
 * A commit's spec files read straight from git objects (`git ls-tree`, `git cat-file --batch`): no
 * checkout, no temporary worktree, nothing written. `diff --base` loads both sides of a change this
 * way. The tree is served through the loaders' SpecFileSource under the paths the user would give on
 * disk (relative to the working directory), so errors and sources read the same as from a checkout.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { CLUSTER_CONFIG_NAMES, parseSpecFileName } from '../specfiles';
import type { DirEntry, FileKind, SpecFileSource } from '../specfiles';
import { GitError, runGit, runGitBytes } from './git-exec';

/** A revision as the user named it, and the commit it resolved to. */
export interface ResolvedCommit {
  /** As given: `main`, `origin/main`, `HEAD~1`, a commit id. */
  ref: string;
  /** Full hex id. */
  commit: string;
}

/** The top of the work tree holding `dir` (or its nearest existing ancestor). */
export async function gitRoot(dir: string): Promise<string> {
  const from = nearestExisting(path.resolve(dir));
  try {
    return realpathSync((await runGit(['rev-parse', '--show-toplevel'], { cwd: from })).trim());
  } catch (err) {
    throw new GitError(
      `${dir} is not in a git repository (--base and --head read commits of one): ${(err as Error).message}`,
      err instanceof GitError ? err.exitCode : undefined,
    );
  }
}

/** `ref` as a commit of the repository at `root`; a clear error when it names none. */
export async function resolveCommit(root: string, ref: string): Promise<ResolvedCommit> {
  if (!ref || ref.startsWith('-') || /[\s\0]/.test(ref)) {
    throw new GitError(`invalid revision ${JSON.stringify(ref)}`, undefined);
  }
  let out = '';
  try {
    out = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      cwd: root,
    });
  } catch {
    // --quiet: git says nothing, so the message is ours.
  }
  const commit = out.trim();
  if (!/^[0-9a-f]{40,64}$/.test(commit)) {
    throw new GitError(`unknown revision "${ref}": no such commit in the repository at ${root}`, undefined);
  }
  return { ref, commit };
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
}

/** Blobs the spec loaders can ask for: spec files and cluster configs (and what links point at). */
function isSpecName(name: string): boolean {
  return (CLUSTER_CONFIG_NAMES as readonly string[]).includes(name) || parseSpecFileName(name) !== undefined;
}

/**
 * The tree of `commit` as a SpecFileSource. Reads every spec file and cluster config of the
 * commit (and `extraFiles`, e.g. a `--config` file, given as the user would) in one
 * `cat-file --batch`. `cwd`: the directory relative paths are taken from (default: the process's).
 */
export async function readCommitTree(
  root: string,
  commit: ResolvedCommit,
  opts: { cwd?: string; extraFiles?: readonly string[] } = {},
): Promise<SpecFileSource> {
  const listing = await runGit(['ls-tree', '-r', '-z', '--full-tree', commit.commit], { cwd: root });
  const entries = new Map<string, TreeEntry>();
  for (const line of listing.split('\0')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const [mode, type, oid] = line.slice(0, tab).split(' ');
    entries.set(line.slice(tab + 1), { mode, type, oid });
  }
  const tree = new CommitTree(root, realpathSync(opts.cwd ?? process.cwd()), commit, entries);
  const extra = new Set((opts.extraFiles ?? []).map((f) => tree.repoPath(f)));
  const wanted = [...entries.keys()].filter(
    (p) => entries.get(p)?.type === 'blob' && (isSpecName(path.posix.basename(p)) || extra.has(p)),
  );
  await tree.load(wanted);
  // A spec file that is a link to a file of another name: read its target too.
  const targets = wanted.flatMap((p) => {
    const t = tree.resolve(p);
    return t !== undefined && t !== p ? [t] : [];
  });
  await tree.load(targets);
  return tree;
}

const MAX_LINKS = 8;

/** One commit's tree, in memory: the listing, and the blobs read. */
class CommitTree implements SpecFileSource {
  private readonly dirs = new Map<string, Map<string, DirEntry['kind']>>();
  private readonly blobs = new Map<string, string>();
  private readonly label: string;

  constructor(
    private readonly root: string,
    private readonly cwd: string,
    commit: ResolvedCommit,
    private readonly entries: Map<string, TreeEntry>,
  ) {
    this.label = `${commit.ref} (${commit.commit.slice(0, 7)})`;
    this.dirs.set('', new Map());
    for (const [p, e] of entries) {
      const kind: DirEntry['kind'] =
        e.mode === '120000' ? 'symlink' : e.type === 'blob' ? 'file' : e.type === 'tree' ? 'dir' : 'other';
      this.add(p, kind);
    }
  }

  private add(p: string, kind: DirEntry['kind']): void {
    const parent = path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p);
    if (!this.dirs.has(parent)) this.add(parent, 'dir');
    this.dirs.get(parent)!.set(path.posix.basename(p), kind);
    if (kind === 'dir' && !this.dirs.has(p)) this.dirs.set(p, new Map());
  }

  /** A path as the user gives it -> its path in the tree (`''` the root); undefined outside it. */
  repoPath(p: string): string | undefined {
    const rel = path.relative(this.root, path.resolve(this.cwd, p));
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  /** Follows symbolic links inside the tree; undefined for a broken one or one leaving the tree. */
  resolve(rel: string): string | undefined {
    let at = rel;
    for (let i = 0; i < MAX_LINKS; i++) {
      const e = this.entries.get(at);
      if (e?.mode !== '120000') return at;
      const target = this.blobs.get(at);
      if (target === undefined || target.startsWith('/')) return undefined;
      at = path.posix.normalize(path.posix.join(path.posix.dirname(at), target));
      if (at.startsWith('..')) return undefined;
    }
    return undefined;
  }

  async load(paths: readonly string[]): Promise<void> {
    const todo = [...new Set(paths)].filter((p) => !this.blobs.has(p) && this.entries.has(p));
    if (todo.length === 0) return;
    const oids = todo.map((p) => this.entries.get(p)!.oid);
    const out = await runGitBytes(['cat-file', '--batch'], `${oids.join('\n')}\n`, { cwd: this.root });
    let at = 0;
    for (const p of todo) {
      const eol = out.indexOf(0x0a, at);
      const header = out.subarray(at, eol).toString('utf8').split(' ');
      if (header[1] === 'missing' || eol < 0) {
        throw new GitError(`git object ${header[0]} of ${p} is missing in ${this.label}`, undefined);
      }
      const size = Number(header[2]);
      this.blobs.set(p, out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
      at = eol + 1 + size + 1;
    }
  }

  kind(p: string): FileKind | undefined {
    const rel = this.repoPath(p);
    if (rel === undefined) return undefined;
    if (this.dirs.has(rel)) return 'dir';
    const target = this.resolve(rel);
    if (target === undefined) return undefined;
    if (this.dirs.has(target)) return 'dir';
    const e = this.entries.get(target);
    return e === undefined ? undefined : e.type === 'blob' ? 'file' : 'other';
  }

  list(dir: string): DirEntry[] {
    const rel = this.repoPath(dir);
    const children = rel === undefined ? undefined : this.dirs.get(rel);
    if (!children) throw new Error(`no such directory in ${this.label}: ${dir}`);
    return [...children].map(([name, kind]) => ({ name, kind }));
  }

  read(file: string): string {
    const rel = this.repoPath(file);
    const target = rel === undefined ? undefined : this.resolve(rel);
    const text = target === undefined ? undefined : this.blobs.get(target);
    if (text === undefined) {
      throw new Error(
        this.kind(file) === 'dir' ? `is a directory in ${this.label}` : `no such file in ${this.label}`,
      );
    }
    return text;
  }
}

function nearestExisting(abs: string): string {
  for (let p = abs; ; p = path.dirname(p)) {
    try {
      return realpathSync(p);
    } catch {
      if (path.dirname(p) === p) return p;
    }
  }
}
