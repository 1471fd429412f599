/** Which pull or merge request `diff --comment` posts on, from the CI system's variables. */
import { commentTarget } from '../../../controller/cli/pr-comment/ci-environment';

const event = (payload: unknown) => () => JSON.stringify(payload);

test('GitHub Actions: repository, pull request number and head commit from the event', () => {
  const found = commentTarget(
    {
      GITHUB_ACTIONS: 'true',
      GITHUB_TOKEN: 't',
      GITHUB_REPOSITORY: 'acme/infra',
      GITHUB_EVENT_PATH: '/ev.json',
      GITHUB_RUN_ID: '9',
    },
    event({ pull_request: { number: 12, head: { sha: 'abc' } } }),
  );
  expect(found).toEqual({
    target: {
      platform: 'github',
      apiUrl: 'https://api.github.com',
      token: 't',
      owner: 'acme',
      repo: 'infra',
      pullNumber: 12,
      sha: 'abc',
      jobUrl: 'https://github.com/acme/infra/actions/runs/9',
    },
  });
});

test('GitHub Actions on a push (no pull request): says which event and what to do', () => {
  const found = commentTarget(
    {
      GITHUB_TOKEN: 't',
      GITHUB_REPOSITORY: 'acme/infra',
      GITHUB_EVENT_PATH: '/ev.json',
      GITHUB_EVENT_NAME: 'push',
    },
    event({ ref: 'refs/heads/main' }),
  );
  expect(found).toEqual({
    error:
      '--comment: this push event has no pull request (GITHUB_EVENT_PATH has no pull_request.number): ' +
      'run `diff --comment` on `pull_request` events',
  });
});

test('GitLab CI outside a merge request pipeline: names the missing variables and the rule to add', () => {
  const found = commentTarget(
    { GITLAB_CI: 'true', CI_API_V4_URL: 'https://gitlab.example/api/v4', CI_PROJECT_ID: '7' },
    () => '',
  );
  expect('error' in found && found.error).toBe(
    '--comment on GitLab CI: CI_MERGE_REQUEST_IID, GITLAB_TOKEN not set: run the job in merge request ' +
      'pipelines (`rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`); set GITLAB_TOKEN to an ' +
      'access token with the `api` scope (a masked CI/CD variable)',
  );
});

test('GitLab merge request pipeline', () => {
  expect(
    commentTarget(
      {
        GITLAB_CI: 'true',
        CI_API_V4_URL: 'https://gitlab.example/api/v4/',
        CI_PROJECT_ID: '7',
        CI_MERGE_REQUEST_IID: '5',
        GITLAB_TOKEN: 'g',
      },
      () => '',
    ),
  ).toEqual({
    target: {
      platform: 'gitlab',
      apiUrl: 'https://gitlab.example/api/v4',
      token: 'g',
      projectId: '7',
      mergeRequestIid: 5,
    },
  });
});

test('no CI system at all: one error naming both sets of variables', () => {
  const found = commentTarget({ PATH: '/bin' }, () => '');
  expect('error' in found && found.error).toMatch(
    /GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH .* CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, GITLAB_TOKEN; none of them is set/,
  );
});
