/**
 * Where the controller's specs come from: a git repository, local or remote, reduced to a plain
 * directory holding exactly one commit's tree. The controller reconciles committed state only (a
 * half-saved working tree must never reach AWS); `worktree` mode is the opt-in for local editing.
 *
 * Credentials are git's own business: they come from the environment passed in `env` (default
 * process.env) the way git reads them, never from this code and never into a log. For example:
 *
 *   SSH:   GIT_SSH_COMMAND="ssh -i /run/secrets/deploy_key -o IdentitiesOnly=yes -o BatchMode=yes \
 *                           -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/run/secrets/known_hosts"
 *   HTTPS: GIT_ASKPASS=/usr/local/bin/print-token (a script echoing a token read from a file), or a
 *          credential helper in git config (`credential.helper=store --file=/run/secrets/git-credentials`).
 *
 * A token written into the URL (`https://x-access-token:TOKEN@github.com/org/repo.git`) works too,
 * but is stored in the cache's git config; every message and error masks it as `https://***@...`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { GitError, gitEnv, redactUrl, runGit } from './git-exec';

export { GitError, redactUrl } from './git-exec';

export interface SourceSnapshot {
  /** The commit applied (full hex id); with `worktree` and uncommitted changes, `<HEAD>-dirty`. */
  commit: string;
  /** A directory holding exactly the committed tree (or, with `worktree`, the work tree itself). */
  dir: string;
  worktree: boolean;
}

export interface GitSource {
  /** Fetches (remote only), resolves the branch and materializes its tree. Calls are serialized. */
  sync(): Promise<SourceSnapshot>;
  close(): Promise<void>;
}

export interface GitSourceOptions {
  /** A local checkout or bare repository path, or a URL (https://, ssh://, git@host:path, file://). */
  repo: string;
  /** Local: any revision (default HEAD). Remote: a branch name (default: the remote's HEAD at clone time). */
  branch?: string;
  /** Holds `repo.git` (the mirror of a remote) and `trees/<commit>`. */
  cacheDir: string;
  /** Read the local work tree, uncommitted edits included, instead of a commit. Local repos only. */
  worktree?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Kills a clone or fetch that takes longer than this (default 10 minutes). */
  networkTimeoutMs?: number;
}

/** Trees kept in `<cacheDir>/trees`; older ones are removed (a reconcile may still be reading the last one). */
const KEEP_TREES = 3;

/** `scheme://...` or scp-like `user@host:path`. Everything else is a local path. */
export function isRemoteRepo(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\@\s]+@[^/\\:\s]+:/.test(repo);
}

export function createGitSource(opts: GitSourceOptions): GitSource {
  if (!opts.repo) throw new GitError('git source: no repository given', undefined);
  if (opts.branch !== undefined) checkRevision(opts.branch);
  const remote = isRemoteRepo(opts.repo);
  if (remote && opts.worktree) {
    throw new GitError(`git source ${opts.repo}: --worktree needs a local checkout, not a URL`, undefined);
  }
  const ctx: Context = {
    opts,
    env: gitEnv(opts.env ?? process.env),
    cacheDir: path.resolve(opts.cacheDir),
    label: redactUrl(opts.repo),
  };
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const once = remote
    ? () => syncRemote(ctx)
    : opts.worktree
      ? () => syncWorktree(ctx)
      : () => syncLocal(ctx);
  return {
    sync(): Promise<SourceSnapshot> {
      if (closed) return Promise.reject(new GitError(`git source ${ctx.label}: closed`, undefined));
      const next = queue.then(once, once);
      queue = next.catch(() => undefined);
      return next;
    },
    async close(): Promise<void> {
      closed = true;
      await queue;
    },
  };
}

interface Context {
  opts: GitSourceOptions;
  env: NodeJS.ProcessEnv;
  cacheDir: string;
  /** The repository as it may appear in messages. */
  label: string;
}

/** Refuses revisions git could read as an option, and characters no branch name has. */
function checkRevision(rev: string): void {
  const control = [...rev].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (!rev || rev.startsWith('-') || control || /[\s~^:?*[\\]/.test(rev) || rev.includes('..')) {
    throw new GitError(`git source: invalid branch or revision ${JSON.stringify(rev)}`, undefined);
  }
}

function fail(ctx: Context, what: string, err: unknown): GitError {
  const detail = err instanceof Error ? err.message : String(err);
  return new GitError(
    `git source ${ctx.label}: ${what}: ${detail}`,
    err instanceof GitError ? err.exitCode : undefined,
  );
}

async function git(ctx: Context, gitDir: string, args: string[], timeoutMs?: number): Promise<string> {
  return runGit([`--git-dir=${gitDir}`, ...args], { env: ctx.env, cwd: ctx.cacheDir, timeoutMs });
}

async function resolveCommit(ctx: Context, gitDir: string, rev: string): Promise<string> {
  try {
    const out = await git(ctx, gitDir, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${rev}^{commit}`,
    ]);
    return out.trim();
  } catch (err) {
    // Exit code 1 with --quiet is "no such revision"; anything else (a corrupt repository) keeps git's words.
    if (err instanceof GitError && err.exitCode === 1) {
      throw new GitError(`git source ${ctx.label}: revision ${rev} not found`, 1);
    }
    throw fail(ctx, `resolving ${rev}`, err);
  }
}

async function localGitDir(ctx: Context): Promise<string> {
  const repo = path.resolve(ctx.opts.repo);
  if (!existsSync(repo)) throw new GitError(`git source ${ctx.label}: no such directory`, undefined);
  try {
    return (await runGit(['rev-parse', '--absolute-git-dir'], { cwd: repo, env: ctx.env })).trim();
  } catch (err) {
    throw fail(ctx, 'not a git repository', err);
  }
}

async function syncLocal(ctx: Context): Promise<SourceSnapshot> {
  await mkdir(ctx.cacheDir, { recursive: true });
  const gitDir = await localGitDir(ctx);
  const commit = await resolveCommit(ctx, gitDir, ctx.opts.branch ?? 'HEAD');
  return { commit, dir: await materialize(ctx, gitDir, commit), worktree: false };
}

async function syncWorktree(ctx: Context): Promise<SourceSnapshot> {
  const repo = path.resolve(ctx.opts.repo);
  let top: string;
  try {
    top = (await runGit(['rev-parse', '--show-toplevel'], { cwd: repo, env: ctx.env })).trim();
  } catch (err) {
    throw fail(ctx, 'worktree mode needs a checkout with a work tree', err);
  }
  let head: string;
  try {
    head = (
      await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: top, env: ctx.env })
    ).trim();
  } catch (err) {
    throw fail(ctx, 'HEAD has no commit yet', err);
  }
  let status: string;
  try {
    status = await runGit(['status', '--porcelain', '--untracked-files=all'], { cwd: top, env: ctx.env });
  } catch (err) {
    throw fail(ctx, 'git status', err);
  }
  return { commit: status.trim() ? `${head}-dirty` : head, dir: top, worktree: true };
}

async function syncRemote(ctx: Context): Promise<SourceSnapshot> {
  const mirror = path.join(ctx.cacheDir, 'repo.git');
  const timeout = ctx.opts.networkTimeoutMs ?? 10 * 60_000;
  await mkdir(ctx.cacheDir, { recursive: true });
  if (!existsSync(path.join(mirror, 'HEAD'))) {
    // Clone beside the final place and rename, so that an interrupted clone never looks like a cache.
    const tmp = path.join(ctx.cacheDir, `.clone-${randomBytes(6).toString('hex')}`);
    try {
      await runGit(['clone', '--mirror', '--quiet', '--', ctx.opts.repo, tmp], {
        env: ctx.env,
        cwd: ctx.cacheDir,
        timeoutMs: timeout,
      });
      await rm(mirror, { recursive: true, force: true });
      await rename(tmp, mirror);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw fail(ctx, 'clone failed', err);
    }
  } else {
    try {
      // The configured URL wins over the cached one (a rotated token, a moved repository).
      await git(ctx, mirror, ['config', 'remote.origin.url', ctx.opts.repo]);
      await git(ctx, mirror, ['fetch', '--prune', '--quiet', 'origin'], timeout);
    } catch (err) {
      throw fail(ctx, 'fetch failed', err);
    }
  }
  const rev = ctx.opts.branch === undefined ? 'HEAD' : `refs/heads/${ctx.opts.branch}`;
  const commit = await resolveCommit(ctx, mirror, rev);
  return { commit, dir: await materialize(ctx, mirror, commit), worktree: false };
}

/**
 * Writes `commit`'s tree to `<cacheDir>/trees/<commit>` once, through a private index (not `git
 * archive`, which would honour export-ignore and drop files); built beside it and renamed into
 * place, so a directory under that name is always complete.
 */
async function materialize(ctx: Context, gitDir: string, commit: string): Promise<string> {
  const trees = path.join(ctx.cacheDir, 'trees');
  const dir = path.join(trees, commit);
  await mkdir(trees, { recursive: true });
  if (existsSync(dir)) {
    const now = new Date();
    await utimes(dir, now, now); // most recently used: pruning keeps it
  } else {
    const tmp = path.join(trees, `.tmp-${commit}-${randomBytes(6).toString('hex')}`);
    const index = `${tmp}.index`;
    await mkdir(tmp);
    const env = { ...ctx.env, GIT_INDEX_FILE: index };
    const run = (args: string[]) =>
      runGit([`--git-dir=${gitDir}`, `--work-tree=${tmp}`, '-c', 'core.autocrlf=false', ...args], {
        cwd: tmp,
        env,
      });
    try {
      await run(['read-tree', commit]);
      await run(['checkout-index', '--all', '--force']);
      await rename(tmp, dir).catch(async (err: unknown) => {
        if (!existsSync(dir)) throw err; // else another process materialized it first: use theirs
        await rm(tmp, { recursive: true, force: true });
      });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw fail(ctx, `writing the tree of ${commit}`, err);
    } finally {
      await rm(index, { force: true });
    }
  }
  await pruneTrees(trees, dir);
  return dir;
}

async function pruneTrees(trees: string, keep: string): Promise<void> {
  const entries = (await readdir(trees)).filter((name) => !name.startsWith('.'));
  if (entries.length <= KEEP_TREES) return;
  const dated = await Promise.all(
    entries.map(async (name) => {
      const full = path.join(trees, name);
      const s = await stat(full).catch(() => undefined);
      return { full, mtime: s?.mtimeMs ?? 0 };
    }),
  );
  dated.sort((a, b) => b.mtime - a.mtime);
  const old = dated.slice(KEEP_TREES).filter((d) => d.full !== keep);
  await Promise.all(old.map((d) => rm(d.full, { recursive: true, force: true })));
}
