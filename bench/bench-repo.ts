/**
 * The benchmark's git repositories: a generated cluster directory committed in a temp repository,
 * with the bench's own identity on every commit (no user config needed).
 */
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterName, generateClusterDir } from './generate';

/** The identity of the bench's commits, for every git call the bench makes. */
const BENCH_GIT_CONFIG = [
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

/**
 * A fresh repository holding `clusters/<name>` (the generated directory of `n` services) in one
 * commit; `clusterYaml` is appended to its cluster.yaml first.
 */
export async function makeRepo(
  n: number,
  opts: { clusterYaml?: string; label?: string } = {},
): Promise<{ repo: string; clusterPath: string; head: string }> {
  const repo = mkdtempSync(path.join(tmpdir(), `ecs-gitops-bench-${opts.label ?? 'repo'}-${n}-`));
  const generated = generateClusterDir(n);
  const clusterPath = path.join('clusters', clusterName(n));
  try {
    cpSync(generated, path.join(repo, clusterPath), { recursive: true });
  } finally {
    rmSync(generated, { recursive: true, force: true });
  }
  if (opts.clusterYaml) appendFileSync(path.join(repo, clusterPath, 'cluster.yaml'), opts.clusterYaml);
  await git(repo, ['init', '-q', '-b', 'main']);
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', `bench: ${n} services${opts.label ? ` (${opts.label})` : ''}`]);
  return { repo, clusterPath, head: (await git(repo, ['rev-parse', 'HEAD'])).trim() };
}
