/**
 * The ReviewComments port on GitLab's REST API (merge request notes), through @gitbeaker/rest.
 * Loaded only when a comment is posted.
 */
import type { GitLabTarget } from './ci-environment';
import { ReviewApiError, type ReviewComment, type ReviewComments } from './review-comments';

/** GitLab refuses a note longer than this. */
export const GITLAB_MAX_NOTE_LENGTH = 1_000_000;

/** Project and group access tokens post as bot users named like this. */
const ACCESS_TOKEN_BOT = /^(project|group)_\d+_bot/;

export async function gitlabReviewComments(t: GitLabTarget): Promise<ReviewComments> {
  const { MergeRequestNotes, Users } = await import('@gitbeaker/rest');
  // gitbeaker appends /api/v4 to its host; CI_API_V4_URL already ends with it.
  const host = t.apiUrl.replace(/\/api\/v4$/, '');
  const notes = new MergeRequestNotes({ host, token: t.token });
  const users = new Users({ host, token: t.token });
  const path = `/projects/${encodeURIComponent(t.projectId)}/merge_requests/${t.mergeRequestIid}/notes`;
  return {
    host: 'GitLab',
    maxLength: GITLAB_MAX_NOTE_LENGTH,
    async currentUser() {
      try {
        return (await users.showCurrentUser()).username;
      } catch {
        return undefined;
      }
    },
    async list() {
      const all = await call(`GET ${path}`, () =>
        notes.all(t.projectId, t.mergeRequestIid, { sort: 'asc', orderBy: 'created_at', perPage: 100 }),
      );
      return all
        .filter((n) => !n.system)
        .map((n): ReviewComment => ({
          id: n.id,
          body: n.body ?? '',
          author: n.author?.username ?? '',
          authorIsBot: ACCESS_TOKEN_BOT.test(n.author?.username ?? ''),
        }));
    },
    async create(body) {
      const note = await call(`POST ${path}`, () => notes.create(t.projectId, t.mergeRequestIid, body));
      return note.id;
    },
    async update(id, body) {
      await call(`PUT ${path}/${id}`, () => notes.edit(t.projectId, t.mergeRequestIid, id, { body }));
    },
  };
}

/** Runs one API call; a failure becomes a ReviewApiError naming the request and GitLab's message. */
async function call<T>(request: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { message?: unknown; cause?: { response?: { status?: unknown } } };
    const status = typeof e.cause?.response?.status === 'number' ? e.cause.response.status : undefined;
    throw new ReviewApiError('GitLab', request, status, String(e.message ?? err));
  }
}
