/**
 * The benchmark's git repositories: a generated cluster directory committed in a temp repository,
 * with the bench's own identity on every commit (no user config needed).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterName, generateClusterDir } from './generate';

/** The identity of the bench's commits, for every git call the bench makes. */
export const BENCH_GIT_CONFIG = [
  '-c',
  'user.name=bench',
  '-c',
  'user.email=bench@example.invalid',
  '-c',
  'commit.gpgsign=false',
];

export function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('git', [...BENCH_GIT_CONFIG, ...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`git ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}

/** A fresh repository holding `clusters/<name>` (the generated directory) in one commit. */
export async function makeRepo(n: number): Promise<{ repo: string; clusterPath: string; head: string }> {
  const repo = mkdtempSync(path.join(tmpdir(), `ecs-gitops-bench-repo-${n}-`));
  const generated = generateClusterDir(n);
  const clusterPath = path.join('clusters', clusterName(n));
  try {
    cpSync(generated, path.join(repo, clusterPath), { recursive: true });
  } finally {
    rmSync(generated, { recursive: true, force: true });
  }
  await git(repo, ['init', '-q', '-b', 'main']);
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', `bench: ${n} services`]);
  return { repo, clusterPath, head: (await git(repo, ['rev-parse', 'HEAD'])).trim() };
}
