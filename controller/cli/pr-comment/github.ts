/**
 * The ReviewComments port on GitHub's REST API (issue comments: a pull request's conversation is
 * its issue's), through @octokit/rest. @octokit/rest is an ES module: this file loads it with
 * `import()`, which `module: commonjs` compiles to require() (Node >= 20.19 loads ES modules that
 * way), and only when a comment is posted, so `diff` without --comment never pays for it.
 */
import type { Octokit } from '@octokit/rest';
import type { Logger } from '../../telemetry/logger';
import type { GitHubTarget } from './ci-environment';
import { ReviewApiError, type ReviewComment, type ReviewComments } from './review-comments';

/** GitHub refuses a comment body longer than this. */
export const GITHUB_MAX_COMMENT_LENGTH = 65_536;

export async function githubReviewComments(
  t: GitHubTarget,
  log: Logger,
  userAgent: string,
): Promise<ReviewComments> {
  const { Octokit } = await loadOctokit();
  const octokit: Octokit = new Octokit({
    auth: t.token,
    baseUrl: t.apiUrl,
    userAgent,
    // Octokit logs each request (method, path, status, time; never headers) and its deprecation
    // notices to the console by default: route them to our logger, where --log-level decides.
    log: {
      debug: (msg: string) => log.debug(msg),
      info: (msg: string) => log.debug(msg),
      warn: (msg: string) => log.warn(msg),
      // A failed request is reported once, by the caller, with what to do about it.
      error: (msg: string) => log.debug(msg),
    },
  });
  const where = { owner: t.owner, repo: t.repo };
  const comments = `/repos/${t.owner}/${t.repo}/issues/${t.pullNumber}/comments`;
  return {
    host: 'GitHub',
    maxLength: GITHUB_MAX_COMMENT_LENGTH,
    async currentUser() {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
      } catch {
        // A GitHub Actions token may not read /user (403): the comment's author type says instead.
        return undefined;
      }
    },
    async list() {
      const all = await call(`GET ${comments}`, () =>
        octokit.paginate(octokit.rest.issues.listComments, {
          ...where,
          issue_number: t.pullNumber,
          per_page: 100,
        }),
      );
      return all.map((c): ReviewComment => ({
        id: c.id,
        body: c.body ?? '',
        author: c.user?.login ?? '',
        authorIsBot: c.user?.type === 'Bot',
      }));
    },
    async create(body) {
      const res = await call(`POST ${comments}`, () =>
        octokit.rest.issues.createComment({ ...where, issue_number: t.pullNumber, body }),
      );
      return res.data.id;
    },
    async update(id, body) {
      await call(`PATCH /repos/${t.owner}/${t.repo}/issues/comments/${id}`, () =>
        octokit.rest.issues.updateComment({ ...where, comment_id: id, body }),
      );
    },
  };
}

/** Node 22.0 to 22.11 cannot require() an ES module: say which versions can. */
async function loadOctokit(): Promise<typeof import('@octokit/rest')> {
  try {
    return await import('@octokit/rest');
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_REQUIRE_ESM') throw err;
    throw new Error(
      `Node ${process.version} cannot load @octokit/rest (an ES module): commenting on GitHub needs Node 20.19 or later, 22.12 or later, or 24`,
      { cause: err },
    );
  }
}

/** Runs one API call; a failure becomes a ReviewApiError naming the request and GitHub's message. */
async function call<T>(request: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { status?: unknown; response?: { data?: { message?: unknown } } };
    const status = typeof e.status === 'number' ? e.status : undefined;
    const said = e.response?.data?.message;
    const detail = typeof said === 'string' ? said : err instanceof Error ? err.message : String(err);
    throw new ReviewApiError('GitHub', request, status, detail);
  }
}
