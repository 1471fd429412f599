/**
 * Where `diff --comment` posts: the pull request (GitHub Actions) or merge request (GitLab CI) of
 * the job, read from the variables each CI system sets. Reads the environment and one file (the
 * GitHub event), both passed in, so that tests give them without touching the process.
 */

export interface GitHubTarget {
  platform: 'github';
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  pullNumber: number;
  /** The pull request's head commit, to say which commit the plan is for. */
  sha?: string;
  /** The job's page (its log holds the full plan). */
  jobUrl?: string;
}

export interface GitLabTarget {
  platform: 'gitlab';
  /** CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4 */
  apiUrl: string;
  token: string;
  projectId: string;
  mergeRequestIid: number;
  sha?: string;
  jobUrl?: string;
}

export type CommentTarget = GitHubTarget | GitLabTarget;

export type Env = Readonly<Record<string, string | undefined>>;

const GITHUB_VARS = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY', 'GITHUB_EVENT_PATH'] as const;
const GITLAB_VARS = ['CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_MERGE_REQUEST_IID', 'GITLAB_TOKEN'] as const;

/**
 * The pull or merge request to comment on, or why there is none (one sentence naming the missing
 * variables and how to set them). GitLab wins when both look present: a GitLab job never has
 * GITHUB_EVENT_PATH, while a GitHub job may well carry a GITLAB_TOKEN secret.
 */
export function commentTarget(
  env: Env,
  readFile: (file: string) => string,
): { target: CommentTarget } | { error: string } {
  if (env.GITLAB_CI === 'true' || env.CI_API_V4_URL) return gitlabTarget(env);
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_REPOSITORY || env.GITHUB_EVENT_PATH) {
    return githubTarget(env, readFile);
  }
  return {
    error:
      '--comment needs the pull request of a CI job: on GitHub Actions it reads ' +
      `${GITHUB_VARS.join(', ')} (and GITHUB_API_URL), on GitLab CI ${GITLAB_VARS.join(', ')}; ` +
      'none of them is set',
  };
}

function missing(env: Env, names: readonly string[]): string[] {
  return names.filter((n) => !env[n]);
}

function githubTarget(
  env: Env,
  readFile: (file: string) => string,
): { target: GitHubTarget } | { error: string } {
  const absent = missing(env, GITHUB_VARS);
  if (absent.length > 0) {
    const tokenHint = absent.includes('GITHUB_TOKEN')
      ? ' (the workflow step needs `env: GITHUB_TOKEN: ${{ github.token }}` and `permissions: pull-requests: write`)'
      : '';
    return { error: `--comment on GitHub Actions: ${absent.join(', ')} not set${tokenHint}` };
  }
  const [owner, repo, ...rest] = env.GITHUB_REPOSITORY!.split('/');
  if (!owner || !repo || rest.length > 0) {
    return { error: `--comment: GITHUB_REPOSITORY must be owner/name (got "${env.GITHUB_REPOSITORY}")` };
  }
  let event: GitHubEvent;
  try {
    event = JSON.parse(readFile(env.GITHUB_EVENT_PATH!)) as GitHubEvent;
  } catch (err) {
    return {
      error: `--comment: cannot read GITHUB_EVENT_PATH: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const pullNumber =
    event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined);
  if (!Number.isInteger(pullNumber)) {
    return {
      error:
        `--comment: this ${env.GITHUB_EVENT_NAME ?? 'GitHub'} event has no pull request ` +
        '(GITHUB_EVENT_PATH has no pull_request.number): run `diff --comment` on `pull_request` events',
    };
  }
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    target: {
      platform: 'github',
      apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
      token: env.GITHUB_TOKEN!,
      owner,
      repo,
      pullNumber: pullNumber!,
      ...optional('sha', event.pull_request?.head?.sha ?? env.GITHUB_SHA),
      ...optional(
        'jobUrl',
        env.GITHUB_RUN_ID
          ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
          : undefined,
      ),
    },
  };
}

function gitlabTarget(env: Env): { target: GitLabTarget } | { error: string } {
  const absent = missing(env, GITLAB_VARS);
  if (absent.length > 0) {
    const hints: string[] = [];
    if (absent.includes('CI_MERGE_REQUEST_IID')) {
      hints.push(
        'run the job in merge request pipelines (`rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`)',
      );
    }
    if (absent.includes('GITLAB_TOKEN')) {
      hints.push('set GITLAB_TOKEN to an access token with the `api` scope (a masked CI/CD variable)');
    }
    return {
      error: `--comment on GitLab CI: ${absent.join(', ')} not set${hints.length ? `: ${hints.join('; ')}` : ''}`,
    };
  }
  const iid = Number(env.CI_MERGE_REQUEST_IID);
  if (!Number.isInteger(iid) || iid <= 0) {
    return { error: `--comment: CI_MERGE_REQUEST_IID must be a number (got "${env.CI_MERGE_REQUEST_IID}")` };
  }
  return {
    target: {
      platform: 'gitlab',
      apiUrl: env.CI_API_V4_URL!.replace(/\/+$/, ''),
      token: env.GITLAB_TOKEN!,
      projectId: env.CI_PROJECT_ID!,
      mergeRequestIid: iid,
      ...optional('sha', env.CI_COMMIT_SHA),
      ...optional('jobUrl', env.CI_JOB_URL),
    },
  };
}

/** The parts of a GitHub event payload read here (pull_request, or issue_comment on a pull request). */
interface GitHubEvent {
  pull_request?: { number?: number; head?: { sha?: string } };
  issue?: { number?: number; pull_request?: unknown };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

/** How a person names the place: `pull request #12` or `merge request !12`. */
export function describeTarget(t: CommentTarget): string {
  return t.platform === 'github' ? `pull request #${t.pullNumber}` : `merge request !${t.mergeRequestIid}`;
}
