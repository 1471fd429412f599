/**
 * `diff --comment` as a CI job runs it: the compiled CLI in a child process (@octokit/rest is an ES
 * module, which the CLI loads with require() and jest's module system cannot), planning against a
 * sandbox state file, posting to a local server that impersonates GitHub's and GitLab's APIs and
 * records every request.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterSetId, stickyMarker } from '../../controller/cli/pr-comment/sticky-comment';
import { GITHUB_BOT, startFakeCodeHost, type FakeCodeHost } from '../helpers/fake-code-host';
import { commitAll, newRepo, writeFiles } from '../helpers/git-repo';
import { runCli } from '../helpers/run-cli';
import { bareEnv, spawnCli, type SpawnedRun } from '../helpers/spawn-cli';

const TOKEN = 'ghs_Zq8TESTtokenMustNeverBePrinted0001';
const SHA = '0123456789abcdef0123456789abcdef01234567';

let work: string;
let host: FakeCodeHost;
beforeEach(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-pr-'));
  host = await startFakeCodeHost({ token: TOKEN });
});
afterEach(() => host.close());

/** A cluster directory `name` under the work directory, running `image`. */
function cluster(name: string, image: string): void {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'cluster.yaml'),
    `name: ${name}\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n`,
  );
  writeFileSync(
    path.join(dir, 'web.taskdef'),
    JSON.stringify({ containerDefinitions: [{ name: 'web', image, memoryReservation: 32 }] }),
  );
  writeFileSync(path.join(dir, 'web.service'), '{ "desiredCount": 1 }');
}

function githubEnv(): Record<string, string> {
  const event = path.join(work, 'event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 12, head: { sha: SHA } } }));
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_EVENT_PATH: event,
    GITHUB_API_URL: host.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '4242',
  };
}

/** `ecs-gitops diff <args> --comment --sandbox state.json`, from the work directory (the checkout). */
async function diffComment(
  args: string[],
  env: Record<string, string>,
  logLevel = 'info',
): Promise<SpawnedRun> {
  const run = await spawnCli(
    ['--log-level', logLevel, 'diff', ...args, '--comment', '--sandbox', path.join(work, 'state.json')],
    bareEnv({ ...env, AWS_REGION: 'us-east-1' }),
  );
  // The token reaches the API and nothing else.
  expect(run.stdout + run.stderr).not.toContain(TOKEN);
  return run;
}

/** spawnCli runs from the test's working directory; the cluster set id depends on it. */
function spawnCwdMarker(dirs: string[]): string {
  return stickyMarker(clusterSetId(dirs, process.cwd()));
}

test('GitHub: one comment per cluster set, created, updated in place, then "no changes"; nobody else\'s touched', async () => {
  cluster('a', 'nginx:1.27');
  cluster('b', 'httpd:2.4');
  const a = path.join(work, 'a');
  const b = path.join(work, 'b');
  const marker = spawnCwdMarker([a]);
  // Seen on the pull request before: a person's remark, a person's copy of our comment (marker
  // first), and our plan comment for another cluster set. Three comments: two pages.
  host.comments.push(
    { id: 1, body: 'Looks good to me', author: 'alice', type: 'User' },
    { id: 2, body: `${marker}\nNo changes (trust me)`, author: 'mallory', type: 'User' },
    { id: 3, body: `${stickyMarker('other')}\nanother plan`, author: GITHUB_BOT, type: 'Bot' },
  );
  const before = host.comments.map((c) => ({ ...c }));

  const first = await diffComment([a], githubEnv());
  expect(first.code).toBe(2);
  expect(first.stdout).toContain('+ service/web'); // the job log has the plan, as text
  expect(host.writes()).toEqual([
    { method: 'POST', path: '/repos/acme/infra/issues/12/comments', body: { body: expect.any(String) } },
  ]);
  const created = host.comments.at(-1)!;
  expect(created.body.startsWith(`${marker}\n`)).toBe(true);
  expect(created.body).toContain('nginx:1.27');
  expect(created.body).toContain('for commit 0123456789ab');
  expect(created.body).toContain('(https://github.example/acme/infra/actions/runs/4242)');
  expect(first.stderr).toContain(
    `note: plan comment created on pull request #12 (GitHub comment ${created.id})`,
  );

  cluster('a', 'nginx:1.28');
  const second = await diffComment([a], githubEnv());
  expect(second.code).toBe(2);
  expect(host.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /repos/acme/infra/issues/12/comments',
    `PATCH /repos/acme/infra/issues/comments/${created.id}`,
  ]);
  expect(created.body).toContain('nginx:1.28');
  expect(created.body).not.toContain('nginx:1.27');

  // Applied: nothing left to change. The comment says so instead of showing a stale plan.
  expect((await runCli(['apply', a, '--sandbox', path.join(work, 'state.json')])).code).toBe(0);
  const third = await diffComment([a], githubEnv(), 'debug');
  expect(third.code).toBe(0);
  expect(host.writes().map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH']);
  expect(host.writes()[2].path).toBe(`/repos/acme/infra/issues/comments/${created.id}`);
  expect(created.body).toContain('### ecs-gitops plan: no changes');
  expect(created.body).not.toContain('nginx');
  // Debug logging shows the API requests, still without the token (checked in diffComment).
  expect(third.stderr).toContain(`/repos/acme/infra/issues/12/comments`);

  // Another cluster set, with a spec error: its own comment, carrying the error.
  writeFileSync(path.join(b, 'web.service'), '{ "desiredCount": "one" }');
  const other = await diffComment([b], githubEnv());
  expect(other.code).toBe(1);
  const otherComment = host.comments.at(-1)!;
  expect(otherComment.id).not.toBe(created.id);
  expect(otherComment.body.startsWith(`${spawnCwdMarker([b])}\n`)).toBe(true);
  expect(otherComment.body).toContain('desiredCount');
  expect(otherComment.body).toContain('Nothing is applied to a cluster with an error');

  // Nobody else's comment was written to, nor ours for the other set.
  const touched = host.writes().map((r) => r.path);
  for (const c of before) expect(touched.some((p) => p.endsWith(`/${c.id}`))).toBe(false);
  expect(host.comments.slice(0, 3)).toEqual(before);
});

test("a forked pull request's read-only token (403): the plan in the job log, a warning, the diff's exit code", async () => {
  cluster('a', 'nginx:1.27');
  host.refuseWrites = 403;
  // Debug logging on: the failed request is logged, still without the token (checked in diffComment).
  const run = await diffComment([path.join(work, 'a')], githubEnv(), 'debug');
  expect(run.code).toBe(2);
  expect(run.stdout).toContain('+ service/web');
  expect(run.stderr).toContain(
    'warning: could not post the plan on pull request #12: GitHub API POST /repos/acme/infra/issues/12/comments: ' +
      '403 Resource not accessible by integration (the token may not write comments: the workflow needs ' +
      '`permissions: pull-requests: write`, and a pull request from a fork only gets a read-only token); ' +
      'the plan is in this job log',
  );
  expect(run.stderr).toMatch(/POST \/repos\/acme\/infra\/issues\/12\/comments - 403/);
  expect(run.stderr).not.toMatch(/^error:/m);
});

test('GitLab merge request: one note created, then edited in place (--comment-id names it)', async () => {
  cluster('a', 'nginx:1.27');
  const env = {
    GITLAB_CI: 'true',
    CI_API_V4_URL: `${host.url}/api/v4`,
    CI_PROJECT_ID: '7',
    CI_MERGE_REQUEST_IID: '5',
    CI_COMMIT_SHA: SHA,
    CI_JOB_URL: 'https://gitlab.example/acme/infra/-/jobs/99',
    GITLAB_TOKEN: TOKEN,
  };
  // Two notes before ours: finding it again takes the second page.
  host.comments.push(
    { id: 1, body: 'please check the image', author: 'bob', type: 'User' },
    { id: 2, body: 'done', author: 'carol', type: 'User' },
  );
  const dir = path.join(work, 'a');
  expect((await diffComment([dir, '--comment-id', 'prod'], env)).code).toBe(2);
  cluster('a', 'nginx:1.28');
  const second = await diffComment([dir, '--comment-id', 'prod'], env);
  expect(second.code).toBe(2);
  expect(host.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /api/v4/projects/7/merge_requests/5/notes',
    `PUT /api/v4/projects/7/merge_requests/5/notes/${host.comments[2].id}`,
  ]);
  expect(host.comments[2].body.startsWith('<!-- ecs-gitops:plan:prod -->\n')).toBe(true);
  expect(host.comments[2].body).toContain('nginx:1.28');
  expect(host.comments[0].body).toBe('please check the image');
  expect(second.stderr).toContain('note: plan comment updated on merge request !5 (GitLab comment');
});

test('no pull request to post on: the plan first, then an error naming the missing variables, exit 1', async () => {
  cluster('a', 'nginx:1.27');
  const env = githubEnv();
  delete env.GITHUB_TOKEN;
  const run = await diffComment([path.join(work, 'a')], env);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('+ service/web');
  expect(run.stderr).toContain(
    'error: --comment on GitHub Actions: GITHUB_TOKEN not set (the workflow step needs ' +
      '`env: GITHUB_TOKEN: ${{ github.token }}` and `permissions: pull-requests: write`)',
  );
  expect(host.requests).toEqual([]);
});

test('--comment-id without --comment, or one that would end the marker early: an error, nothing planned', async () => {
  cluster('a', 'nginx:1.27');
  const state = path.join(work, 'state.json');
  const alone = await runCli(['diff', path.join(work, 'a'), '--comment-id', 'prod', '--sandbox', state]);
  expect(alone.code).toBe(1);
  expect(alone.stderr).toBe('error: --comment-id needs --comment\n');
  expect(alone.stdout).toBe('');
  const bad = await runCli([
    'diff',
    path.join(work, 'a'),
    '--comment',
    '--comment-id',
    'a-->b',
    '--sandbox',
    state,
  ]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^error: --comment-id must be .*\(got "a-->b"\)\n$/);
});

test('offline (--base, a fork without AWS access): the same sticky comment, headed by the two commits, no secret in it', async () => {
  const repo = newRepo();
  const taskdef = (image: string, password: string) =>
    JSON.stringify({
      containerDefinitions: [
        {
          name: 'web',
          image,
          memoryReservation: 32,
          environment: [{ name: 'DB_PASSWORD', value: password }],
          dockerLabels: { 'AUTOCREATE.SERVICE': '' },
        },
      ],
    });
  writeFiles(repo, {
    'prod/cluster.yaml': 'name: prod\nregion: us-east-1\n',
    'prod/web.taskdef': taskdef('nginx:1.27', 'offline-old-pw-1234'),
  });
  commitAll(repo, 'base');
  writeFiles(repo, { 'prod/web.taskdef': taskdef('nginx:1.28', 'offline-new-pw-5678') });
  const dir = path.join(repo, 'prod');
  const offline = (env: Record<string, string>) =>
    spawnCli(['diff', '--base', 'HEAD', dir, '--comment'], bareEnv(env));

  const first = await offline(githubEnv());
  expect(first.code).toBe(2);
  expect(host.writes().map((r) => r.method)).toEqual(['POST']);
  const posted = host.comments.at(-1)!;
  expect(posted.body).toContain('Offline: `HEAD (');
  expect(posted.body).toContain('"nginx:1.27" -> "nginx:1.28"');
  expect(posted.body).toContain('(sensitive value changed)');
  for (const secret of ['offline-old-pw-1234', 'offline-new-pw-5678', TOKEN]) {
    expect(posted.body + first.stdout + first.stderr).not.toContain(secret);
  }

  // The pull request drops its change: the comment says so, about the two commits.
  writeFiles(repo, { 'prod/web.taskdef': taskdef('nginx:1.27', 'offline-old-pw-1234') });
  const second = await offline(githubEnv());
  expect(second.code).toBe(0);
  expect(host.writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
  expect(posted.body).toContain('### ecs-gitops plan: no changes');
  expect(posted.body).toContain("the head's specs change nothing against the base's");
});
