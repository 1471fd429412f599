/**
 * A commit's spec files read from git objects, through the loaders' SpecFileSource: what a user
 * committed, whatever the working tree holds now, under the same paths as from disk.
 */
import { readdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { gitRoot, readCommitTree, resolveCommit } from '../../controller/reconcile/git-objects';
import { diskFiles, loadClusterDir } from '../../controller/specfiles';
import { commitAll, git, newRepo, writeFiles } from '../helpers/git-repo';

const CLUSTER = 'name: demo\nregion: eu-west-1\n';
const WEB = '{ "containerDefinitions": [{ "name": "web", "image": "nginx:1.25", "memory": 64 }] }\n';

let repo: string;
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function tree(ref: string, cwd = repo) {
  const root = await gitRoot(cwd);
  return readCommitTree(root, await resolveCommit(root, ref), { cwd });
}

test('reads committed files in nested directories, not the working tree', async () => {
  repo = newRepo();
  writeFiles(repo, {
    'clusters/prod/cluster.yaml': CLUSTER,
    'clusters/prod/web.taskdef': WEB,
    'clusters/prod/notes.txt': 'not a spec',
    'README.md': 'hi',
  });
  commitAll(repo, 'first');
  // The working tree moves on: a file deleted, one changed, one added and never committed.
  writeFiles(repo, {
    'clusters/prod/web.taskdef': undefined,
    'clusters/prod/cluster.yaml': 'name: other\n',
    'clusters/prod/api.taskdef': WEB,
  });
  const files = await tree('HEAD');
  expect(files.kind('clusters')).toBe('dir');
  expect(files.kind('clusters/prod/web.taskdef')).toBe('file');
  expect(files.kind('clusters/prod/api.taskdef')).toBeUndefined();
  expect(files.read('clusters/prod/web.taskdef')).toBe(WEB);
  expect(files.read('clusters/prod/cluster.yaml')).toBe(CLUSTER);
  expect(
    files
      .list('clusters/prod')
      .map((e) => e.name)
      .sort(),
  ).toEqual(['cluster.yaml', 'notes.txt', 'web.taskdef']);
  expect(files.list('.').map((e) => `${e.name}:${e.kind}`)).toEqual(
    expect.arrayContaining(['clusters:dir', 'README.md:file']),
  );
  expect(() => files.read('clusters/prod/api.taskdef')).toThrow(/no such file in HEAD \([0-9a-f]{7}\)/);
  expect(() => files.list('clusters/nope')).toThrow(/no such directory in HEAD/);
  // Nothing was checked out or left behind.
  expect(readdirSync(path.join(repo, 'clusters/prod')).sort()).toEqual([
    'api.taskdef',
    'cluster.yaml',
    'notes.txt',
  ]);
  expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
});

test('loads a cluster directory from a commit exactly as from disk, under the same relative paths', async () => {
  repo = newRepo();
  writeFiles(repo, {
    'prod/cluster.yaml': CLUSTER,
    'prod/web.taskdef': WEB,
    'prod/api.service': '{ "desiredCount": "two" }\n',
  });
  commitAll(repo, 'first');
  const fromGit = await loadClusterDir('prod', { env: {}, files: await tree('main') });
  const cwd = process.cwd();
  process.chdir(repo);
  let fromDisk;
  try {
    fromDisk = await loadClusterDir('prod', { env: {}, files: diskFiles });
  } finally {
    process.chdir(cwd);
  }
  expect(fromGit.errors.length).toBeGreaterThan(0);
  expect(fromGit.errors[0].file).toBe('prod/api.service');
  expect(fromGit).toEqual(fromDisk);
});

test('paths are taken from the working directory given, also from a subdirectory', async () => {
  repo = newRepo();
  writeFiles(repo, { 'clusters/prod/cluster.yaml': CLUSTER });
  commitAll(repo, 'first');
  const files = await tree('HEAD', path.join(repo, 'clusters'));
  expect(files.read('prod/cluster.yaml')).toBe(CLUSTER);
  expect(files.kind('../clusters/prod')).toBe('dir');
  expect(files.kind(path.join(repo, 'clusters/prod/cluster.yaml'))).toBe('file');
  // Outside the repository there is nothing.
  expect(files.kind('/etc/passwd')).toBeUndefined();
});

test('a link to a spec file is followed inside the tree', async () => {
  repo = newRepo();
  writeFiles(repo, { 'shared/web.json': WEB, 'prod/cluster.yaml': CLUSTER });
  symlinkSync('../shared/web.json', path.join(repo, 'prod/web.taskdef'));
  commitAll(repo, 'first');
  const files = await tree('HEAD');
  expect(files.kind('prod/web.taskdef')).toBe('file');
  expect(files.read('prod/web.taskdef')).toBe(WEB);
});

test('a bad ref, and a directory outside any repository, are clear errors', async () => {
  repo = newRepo();
  writeFiles(repo, { 'a.taskdef': WEB });
  commitAll(repo, 'first');
  const root = await gitRoot(repo);
  await expect(resolveCommit(root, 'no-such-branch')).rejects.toThrow(
    /unknown revision "no-such-branch": no such commit/,
  );
  await expect(resolveCommit(root, '--output=/tmp/x')).rejects.toThrow(/invalid revision/);
  rmSync(path.join(repo, '.git'), { recursive: true, force: true });
  await expect(gitRoot(repo)).rejects.toThrow(/is not in a git repository/);
});
