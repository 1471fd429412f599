/**
 * The narrow port in front of a code host's comment API: what the sticky comment needs and nothing
 * more, so that its logic is tested with a fake and each host's client stays a small adapter
 * (github.ts, gitlab.ts).
 */

export interface ReviewComment {
  id: number;
  body: string;
  /** The author's login (GitHub) or username (GitLab). */
  author: string;
  /** True for an app's account (GitHub `user.type: Bot`, e.g. github-actions[bot]). */
  authorIsBot: boolean;
}

export interface ReviewComments {
  /** `GitHub` or `GitLab`, for messages. */
  readonly host: string;
  /** The longest body the host accepts, in characters. */
  readonly maxLength: number;
  /**
   * The account the token posts as, or undefined when the host will not say (a GitHub Actions
   * token may not read /user).
   */
  currentUser(): Promise<string | undefined>;
  /** Every comment of the pull or merge request, oldest first, all pages. */
  list(): Promise<ReviewComment[]>;
  /** Posts a new comment; returns its id. */
  create(body: string): Promise<number>;
  update(id: number, body: string): Promise<void>;
}

/** A failed API call, said the same way for both hosts. `status` is the HTTP status, when there was one. */
export class ReviewApiError extends Error {
  constructor(
    readonly host: string,
    readonly request: string,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`${host} API ${request}: ${status !== undefined ? `${status} ` : ''}${detail}`);
    this.name = 'ReviewApiError';
  }
}
