/**
 * When to sync: a local checkout is watched with chokidar (a commit, a branch switch, or with
 * `worktree` an edited file); a remote is polled on a timer that a webhook can fire early. Both
 * coalesce bursts and never run the callback twice at once; the callback (usually `source.sync()`
 * then a reconcile if the commit changed) decides whether anything really changed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { watch } from 'chokidar';

export interface WatchGitRepoOptions {
  /** The checkout (or bare repository) path. */
  repo: string;
  /** Watch the work tree's files instead of the committed refs. */
  worktree?: boolean;
  /** Quiet time after the last event before onChange runs (default 250 ms). */
  debounceMs?: number;
  /** onChange runs at the latest this long after the first event of an endless burst (default 5 s). */
  maxWaitMs?: number;
  onChange: () => void | Promise<void>;
  /** A rejected onChange or a watcher error; default: ignored (the next event retries). */
  onError?: (err: unknown) => void;
}

export interface RepoWatcher {
  /** Resolves once the initial scan is done: changes after this are seen. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Directories of a checkout: `gitDir` holds HEAD (per worktree), `commonDir` refs and packed-refs. */
export function findGitDirs(repo: string): { gitDir: string; commonDir: string; workTree?: string } {
  const root = path.resolve(repo);
  const dotGit = path.join(root, '.git');
  let gitDir: string;
  let workTree: string | undefined = root;
  if (existsSync(dotGit) && statSync(dotGit).isDirectory()) {
    gitDir = dotGit;
  } else if (existsSync(dotGit)) {
    // A linked worktree or submodule: `.git` is a file `gitdir: <path>`.
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m) throw new Error(`${root}: .git is neither a directory nor a gitdir file`);
    gitDir = path.resolve(root, m[1].trim());
  } else if (existsSync(path.join(root, 'HEAD')) && existsSync(path.join(root, 'refs'))) {
    gitDir = root; // a bare repository
    workTree = undefined;
  } else {
    throw new Error(`${root}: not a git repository (run the watcher at the checkout's top level)`);
  }
  const commondirFile = path.join(gitDir, 'commondir');
  const commonDir = existsSync(commondirFile)
    ? path.resolve(gitDir, readFileSync(commondirFile, 'utf8').trim())
    : gitDir;
  return { gitDir, commonDir, workTree };
}

/** Calls `run` after `debounceMs` of quiet (or `maxWaitMs`), one run at a time, again if poked meanwhile. */
function coalescer(debounceMs: number, maxWaitMs: number, run: () => Promise<void>) {
  let timer: NodeJS.Timeout | undefined;
  let firstAt: number | undefined;
  let running = false;
  let again = false;
  let stopped = false;
  const fire = async (): Promise<void> => {
    timer = undefined;
    firstAt = undefined;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await run();
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        poke();
      }
    }
  };
  const poke = (): void => {
    if (stopped) return;
    const now = Date.now();
    firstAt ??= now;
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, firstAt + maxWaitMs - now));
    timer = setTimeout(() => void fire(), wait);
  };
  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return { poke, stop };
}

export function watchGitRepo(opts: WatchGitRepoOptions): RepoWatcher {
  const { gitDir, commonDir, workTree } = findGitDirs(opts.repo);
  const onError = opts.onError ?? (() => undefined);
  const debounce = coalescer(opts.debounceMs ?? 250, opts.maxWaitMs ?? 5000, async () => {
    try {
      await opts.onChange();
    } catch (err) {
      onError(err);
    }
  });

  let roots: string[];
  let ignored: (p: string) => boolean;
  if (opts.worktree) {
    if (!workTree) throw new Error(`${opts.repo}: worktree mode needs a checkout, not a bare repository`);
    roots = [workTree];
    ignored = (p) => {
      const rel = path.relative(workTree, p);
      return rel.split(path.sep).some((part) => part === '.git' || part === 'node_modules');
    };
  } else {
    // Only what moves when a commit lands or the branch changes: HEAD, refs/**, packed-refs.
    // Lock files come and go during every update; their final rename is the event that counts.
    roots = [...new Set([gitDir, commonDir])];
    ignored = (p) => {
      if (p.endsWith('.lock')) return true;
      return !roots.some((root) => {
        const rel = path.relative(root, p);
        return (
          rel === '' ||
          rel === 'HEAD' ||
          rel === 'packed-refs' ||
          rel === 'refs' ||
          rel.startsWith(`refs${path.sep}`)
        );
      });
    };
  }

  const watcher = watch(roots, { ignoreInitial: true, ignored, persistent: true });
  watcher.on('all', () => debounce.poke());
  watcher.on('error', (err) => onError(err));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close(): Promise<void> {
      debounce.stop();
      await watcher.close();
    },
  };
}

export interface PollRemoteOptions {
  /** Time between the end of one tick and the start of the next (default 60 s). */
  intervalMs?: number;
  onTick: () => void | Promise<void>;
  /** A rejected onTick; polling goes on. */
  onError?: (err: unknown) => void;
  /** Run the first tick at once (default true). */
  immediate?: boolean;
}

export interface RemotePoller {
  /** Runs a tick now (a webhook arrived) and restarts the interval; coalesced with a running tick. */
  trigger(): void;
  /** Stops the timer; resolves once a running tick has finished. */
  close(): Promise<void>;
}

/**
 * The fetch schedule for a remote source. Ticks never overlap: the next one is scheduled when the
 * previous one ends, and a trigger during a tick queues exactly one more.
 */
export function pollRemote(opts: PollRemoteOptions): RemotePoller {
  const intervalMs = opts.intervalMs ?? 60_000;
  const onError = opts.onError ?? (() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const schedule = (ms: number): void => {
    if (timer) clearTimeout(timer);
    timer = stopped ? undefined : setTimeout(tick, ms);
  };
  function tick(): void {
    timer = undefined;
    if (stopped) return;
    if (current) {
      again = true;
      return;
    }
    current = (async () => {
      try {
        await opts.onTick();
      } catch (err) {
        onError(err);
      }
    })().finally(() => {
      current = undefined;
      if (again) {
        again = false;
        schedule(0);
      } else {
        schedule(intervalMs);
      }
    });
  }

  schedule(opts.immediate === false ? intervalMs : 0);
  return {
    trigger(): void {
      if (stopped) return;
      if (current) again = true;
      else schedule(0);
    },
    async close(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await current;
    },
  };
}
