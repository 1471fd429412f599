/** Temporary git repositories for tests: git with no user or system config, hooks or signing. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
  }).trim();
}

/** A new repository on `main` (its real path: git reports real paths). */
export function newRepo(prefix = 'ecs-gitops-repo-'): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  git(dir, 'init', '--quiet', '-b', 'main');
  return dir;
}

/** Writes files (path relative to the repository -> text; undefined deletes). */
export function writeFiles(repo: string, files: Record<string, string | undefined>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(repo, rel);
    if (text === undefined) {
      rmSync(file, { force: true });
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Commits everything; returns the commit id. */
export function commitAll(repo: string, message: string): string {
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}
