/**
 * The controller's git source and watcher against real git repositories in a temporary directory:
 * a local checkout (committed tree vs work tree, branches, a bare repository) and a "remote" reached
 * through a file:// URL, which goes through the same clone and fetch code as https or ssh.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGitSource, isRemoteRepo, redactUrl } from '../../controller/reconcile/git-source';
import { pollRemote, watchGitRepo } from '../../controller/reconcile/git-watcher';
import { GIT_ENV } from '../helpers/git-repo';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
  }).trim();
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-git-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A checkout on `main` with one commit holding web.taskdef. */
function newRepo(name = 'checkout'): string {
  const repo = path.join(tmp, name);
  mkdirSync(repo);
  git(repo, 'init', '--quiet', '-b', 'main');
  writeFileSync(path.join(repo, 'web.taskdef'), '{"image":"web:1"}\n');
  commitAll(repo, 'first');
  return repo;
}

function commitAll(repo: string, message: string): string {
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');

describe('local checkout, committed mode', () => {
  it('gives the committed tree, not uncommitted edits, and the commit it holds', async () => {
    const repo = newRepo();
    const source = createGitSource({ repo, cacheDir: path.join(tmp, 'cache') });
    writeFileSync(path.join(repo, 'web.taskdef'), '{"image":"web:2"}\n'); // saved, not committed
    writeFileSync(path.join(repo, 'new.service'), '{}\n');

    const first = await source.sync();
    expect(first.commit).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(first.worktree).toBe(false);
    expect(read(first.dir, 'web.taskdef')).toBe('{"image":"web:1"}\n');
    expect(readdirSync(first.dir).sort()).toEqual(['web.taskdef']); // no .git, no new.service
    expect(first.dir).not.toBe(repo);

    const second = commitAll(repo, 'web 2');
    const next = await source.sync();
    expect(next.commit).toBe(second);
    expect(read(next.dir, 'web.taskdef')).toBe('{"image":"web:2"}\n');
    expect(readdirSync(next.dir).sort()).toEqual(['new.service', 'web.taskdef']);
    // The previous snapshot is still intact for a reconcile that is reading it.
    expect(read(first.dir, 'web.taskdef')).toBe('{"image":"web:1"}\n');
    await source.close();
  });

  it('reuses the directory of a commit it already wrote', async () => {
    const repo = newRepo();
    const source = createGitSource({ repo, cacheDir: path.join(tmp, 'cache') });
    const a = await source.sync();
    writeFileSync(path.join(a.dir, 'marker'), 'x'); // proves the directory was not rewritten
    const b = await source.sync();
    expect(b).toEqual(a);
    expect(existsSync(path.join(b.dir, 'marker'))).toBe(true);
  });

  it('keeps only the last three trees', async () => {
    const repo = newRepo();
    const cacheDir = path.join(tmp, 'cache');
    const source = createGitSource({ repo, cacheDir });
    const commits: string[] = [];
    for (let i = 0; i < 5; i++) {
      writeFileSync(path.join(repo, 'web.taskdef'), `{"image":"web:${i + 10}"}\n`);
      commits.push(commitAll(repo, `web ${i}`));
      await source.sync();
    }
    const kept = readdirSync(path.join(cacheDir, 'trees')).filter((n) => !n.startsWith('.'));
    expect(kept.sort()).toEqual(commits.slice(-3).sort());
  });

  it('follows the configured branch, whatever is checked out', async () => {
    const repo = newRepo();
    const mainCommit = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '--quiet', '-b', 'staging');
    writeFileSync(path.join(repo, 'web.taskdef'), '{"image":"web:staging"}\n');
    const stagingCommit = commitAll(repo, 'staging');

    const onMain = await createGitSource({ repo, branch: 'main', cacheDir: path.join(tmp, 'c1') }).sync();
    expect(onMain.commit).toBe(mainCommit);
    expect(read(onMain.dir, 'web.taskdef')).toBe('{"image":"web:1"}\n');

    const onHead = await createGitSource({ repo, cacheDir: path.join(tmp, 'c2') }).sync();
    expect(onHead.commit).toBe(stagingCommit);
    expect(read(onHead.dir, 'web.taskdef')).toBe('{"image":"web:staging"}\n');

    await expect(
      createGitSource({ repo, branch: 'nope', cacheDir: path.join(tmp, 'c3') }).sync(),
    ).rejects.toThrow(/revision nope not found/);
    expect(() => createGitSource({ repo, branch: '--output=/tmp/x', cacheDir: tmp })).toThrow(
      /invalid branch/,
    );
  });

  it('reads a local bare repository directly', async () => {
    const repo = newRepo();
    const bare = path.join(tmp, 'bare.git');
    git(tmp, 'clone', '--quiet', '--bare', repo, bare);
    const snap = await createGitSource({ repo: bare, cacheDir: path.join(tmp, 'cache') }).sync();
    expect(snap.commit).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(read(snap.dir, 'web.taskdef')).toBe('{"image":"web:1"}\n');
  });

  it('fails clearly on a directory that is not a repository', async () => {
    const plain = path.join(tmp, 'plain');
    mkdirSync(plain);
    // GIT_CEILING_DIRECTORIES: git must not find a repository above the temporary directory.
    const env = { ...process.env, GIT_CEILING_DIRECTORIES: tmp };
    await expect(createGitSource({ repo: plain, cacheDir: path.join(tmp, 'c'), env }).sync()).rejects.toThrow(
      /not a git repository/,
    );
  });
});

describe('local checkout, worktree mode', () => {
  it('sees uncommitted edits and marks the commit dirty', async () => {
    const repo = newRepo();
    const head = git(repo, 'rev-parse', 'HEAD');
    const source = createGitSource({ repo, worktree: true, cacheDir: path.join(tmp, 'cache') });

    const clean = await source.sync();
    expect(clean).toEqual({ commit: head, dir: repo, worktree: true });

    writeFileSync(path.join(repo, 'web.taskdef'), '{"image":"web:local"}\n');
    const dirty = await source.sync();
    expect(dirty.commit).toBe(`${head}-dirty`);
    expect(read(dirty.dir, 'web.taskdef')).toBe('{"image":"web:local"}\n');

    writeFileSync(path.join(repo, 'web.taskdef'), '{"image":"web:1"}\n');
    writeFileSync(path.join(repo, 'extra.service'), '{}\n'); // an untracked file is a change too
    expect((await source.sync()).commit).toBe(`${head}-dirty`);
  });

  it('is refused for a URL', () => {
    expect(() =>
      createGitSource({ repo: 'https://example.com/x.git', worktree: true, cacheDir: tmp }),
    ).toThrow(/needs a local checkout/);
  });
});

describe('remote repository', () => {
  function newRemote(): { work: string; bare: string; url: string } {
    const work = newRepo('work');
    const bare = path.join(tmp, 'remote.git');
    git(tmp, 'clone', '--quiet', '--bare', work, bare);
    git(work, 'remote', 'add', 'origin', bare);
    return { work, bare, url: pathToFileURL(bare).href };
  }

  it('clones on the first sync and sees a pushed commit on the next', async () => {
    const { work, url } = newRemote();
    const cacheDir = path.join(tmp, 'cache');
    const source = createGitSource({ repo: url, cacheDir });

    const first = await source.sync();
    expect(first.commit).toBe(git(work, 'rev-parse', 'HEAD'));
    expect(read(first.dir, 'web.taskdef')).toBe('{"image":"web:1"}\n');
    expect(existsSync(path.join(cacheDir, 'repo.git', 'HEAD'))).toBe(true);

    writeFileSync(path.join(work, 'web.taskdef'), '{"image":"web:2"}\n');
    const pushed = commitAll(work, 'web 2');
    git(work, 'push', '--quiet', 'origin', 'main');

    const next = await source.sync();
    expect(next.commit).toBe(pushed);
    expect(read(next.dir, 'web.taskdef')).toBe('{"image":"web:2"}\n');
    await source.close();

    // A new process with the same cache fetches instead of cloning again, and finds the same commit.
    const again = await createGitSource({ repo: url, cacheDir }).sync();
    expect(again).toEqual(next);
  });

  it('follows a named branch, and a deleted one fails clearly', async () => {
    const { work, url } = newRemote();
    git(work, 'checkout', '--quiet', '-b', 'staging');
    writeFileSync(path.join(work, 'web.taskdef'), '{"image":"web:staging"}\n');
    const staging = commitAll(work, 'staging');
    git(work, 'push', '--quiet', 'origin', 'staging');

    const cacheDir = path.join(tmp, 'cache');
    const source = createGitSource({ repo: url, branch: 'staging', cacheDir });
    expect((await source.sync()).commit).toBe(staging);
    const onMain = await createGitSource({ repo: url, cacheDir: path.join(tmp, 'cache2') }).sync();
    expect(read(onMain.dir, 'web.taskdef')).toBe('{"image":"web:1"}\n'); // remote HEAD is main

    git(work, 'push', '--quiet', 'origin', '--delete', 'staging');
    await expect(source.sync()).rejects.toThrow(/refs\/heads\/staging not found/);
  });

  it('never puts URL credentials in an error', async () => {
    // Port 1 on loopback refuses at once; GIT_TERMINAL_PROMPT=0 means git never waits for a password.
    const url = 'https://deploy:s3cr3t-t0ken@127.0.0.1:1/org/specs.git';
    const source = createGitSource({ repo: url, cacheDir: path.join(tmp, 'cache') });
    const err: Error = await source.sync().then(
      () => {
        throw new Error('sync should have failed');
      },
      (e: Error) => e,
    );
    expect(err.message).toMatch(/clone failed/);
    expect(err.message).toContain('https://***@127.0.0.1:1/org/specs.git');
    expect(`${err.message}\n${err.stack ?? ''}`).not.toContain('s3cr3t');
    expect(err.message).not.toContain('deploy:');
    expect(existsSync(path.join(tmp, 'cache', 'repo.git'))).toBe(false); // no half clone left behind
  });

  it('recognizes URLs and masks their credentials', () => {
    expect(isRemoteRepo('https://github.com/org/specs.git')).toBe(true);
    expect(isRemoteRepo('git@github.com:org/specs.git')).toBe(true);
    expect(isRemoteRepo('file:///srv/specs.git')).toBe(true);
    expect(isRemoteRepo('/srv/specs')).toBe(false);
    expect(isRemoteRepo('./specs')).toBe(false);
    expect(redactUrl("fatal: unable to access 'https://x-access-token:ghp_abc@github.com/o/r.git/'")).toBe(
      "fatal: unable to access 'https://***@github.com/o/r.git/'",
    );
    expect(redactUrl('ssh://git@host/x and https://host/y')).toBe('ssh://***@host/x and https://host/y');
  });
});

/** Resolves once `fn` returns true, polling every 20 ms; fails after `ms`, saying what it waited for. */
async function until(fn: () => boolean, ms = 3000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * "Nothing more happens": `read()` stays `value` for `ms` (well beyond the debounce and the file
 * events' latency), polled every 20 ms; fails at the first change, saying what changed and when.
 * A negative check needs a window; this one fails as soon as the window is broken.
 */
async function staysAt(read: () => number, value: number, ms: number, what: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    const now = read();
    if (now !== value)
      throw new Error(`${what}: expected to stay ${value}, became ${now} after ${Date.now() - start} ms`);
    if (Date.now() - start >= ms) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watching a checkout', () => {
  it('fires once after a commit, and once for a burst of commits', async () => {
    const repo = newRepo();
    let calls = 0;
    const watcher = watchGitRepo({ repo, debounceMs: 150, onChange: () => void calls++ });
    await watcher.ready;
    try {
      writeFileSync(path.join(repo, 'web.taskdef'), '{"image":"web:2"}\n');
      // An uncommitted edit is not a change in committed mode.
      await staysAt(() => calls, 0, 400, 'onChange calls after an uncommitted edit');

      commitAll(repo, 'one');
      await until(() => calls === 1, 1500, 'onChange after a commit');
      await staysAt(() => calls, 1, 400, 'onChange calls after one commit');

      for (let i = 0; i < 3; i++) {
        writeFileSync(path.join(repo, `s${i}.service`), '{}\n');
        commitAll(repo, `burst ${i}`);
      }
      await until(() => calls === 2, 1500, 'one onChange after a burst of commits');
      await staysAt(() => calls, 2, 400, 'onChange calls after a burst of three commits');

      git(repo, 'checkout', '--quiet', '-b', 'other'); // a branch switch moves HEAD
      await until(() => calls === 3, 1500, 'onChange after a branch switch');
    } finally {
      await watcher.close();
    }
  });

  it('in worktree mode fires after a file edit, ignoring .git', async () => {
    const repo = newRepo();
    let calls = 0;
    const watcher = watchGitRepo({ repo, worktree: true, debounceMs: 150, onChange: () => void calls++ });
    await watcher.ready;
    try {
      writeFileSync(path.join(repo, 'web.taskdef'), '{"image":"web:edited"}\n');
      await until(() => calls === 1, 1500, 'onChange after a file edit');
      await staysAt(() => calls, 1, 400, 'onChange calls after one edit');

      writeFileSync(path.join(repo, '.git', 'scratch'), 'x');
      await staysAt(() => calls, 1, 400, 'onChange calls after a write inside .git');
    } finally {
      await watcher.close();
    }
  });

  it('does not run onChange twice at once, and not after close', async () => {
    const repo = newRepo();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const watcher = watchGitRepo({
      repo,
      debounceMs: 50,
      onChange: async () => {
        calls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(300);
        running--;
      },
    });
    await watcher.ready;
    git(repo, 'commit', '--quiet', '--allow-empty', '-m', 'b');
    await until(() => calls === 1, 3000, 'onChange after a commit');
    git(repo, 'commit', '--quiet', '--allow-empty', '-m', 'c'); // lands while onChange runs
    await until(() => calls === 2, 3000, 'a second onChange for the commit made during the first');
    expect(maxRunning).toBe(1);
    await watcher.close();
    git(repo, 'commit', '--quiet', '--allow-empty', '-m', 'd');
    await staysAt(() => calls, 2, 300, 'onChange calls after close');
  });
});

describe('polling a remote', () => {
  it('ticks at once, on the interval, and early on trigger; stops on close', async () => {
    let ticks = 0;
    const poller = pollRemote({ intervalMs: 200, onTick: () => void ticks++ });
    await until(() => ticks === 1, 100, 'the first tick, at once');
    await until(() => ticks === 2, 500, 'the second tick, after the interval');
    poller.trigger();
    await until(() => ticks === 3, 100, 'a tick at once on trigger');
    await poller.close();
    // Longer than the interval: a timer left running would tick again.
    await staysAt(() => ticks, 3, 300, 'ticks after close');
  });

  it('keeps polling after a failed tick', async () => {
    const errors: unknown[] = [];
    let ticks = 0;
    const poller = pollRemote({
      intervalMs: 30,
      onTick: () => {
        ticks++;
        throw new Error('fetch failed');
      },
      onError: (e) => errors.push(e),
    });
    await until(() => ticks >= 3, 3000, 'three ticks despite each failing');
    await poller.close();
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });
});
