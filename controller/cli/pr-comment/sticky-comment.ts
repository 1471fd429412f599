/**
 * One comment per pull request and cluster set, edited in place: found by a hidden marker on its
 * first line, among the comments the token's own account wrote. Everybody else's comments are
 * never touched, even one that copies the marker (it would otherwise let its author edit the plan
 * reviewers read).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ReviewComment, ReviewComments } from './review-comments';

/** The hidden first line of the comment for one cluster set. */
export function stickyMarker(id: string): string {
  return `<!-- ecs-gitops:plan:${id} -->`;
}

/**
 * The id of the cluster set named on the command line: a short hash of its directories, relative
 * to the working directory (the checkout), sorted, so that `diff b a` and `diff ./a b/` share a
 * comment. The directories as given, not as expanded: a pull request adding a cluster under a
 * repository root keeps updating the same comment.
 */
export function clusterSetId(dirs: readonly string[], cwd: string): string {
  const names = (dirs.length > 0 ? dirs : ['.']).map(
    (d) => path.relative(cwd, path.resolve(cwd, d)).split(path.sep).join('/') || '.',
  );
  const key = [...new Set(names)].sort().join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** `--comment-id`: it goes inside an HTML comment, which `--` would end early. */
/** `--comment-id` needs `--comment` and a safe name; throws a usage error otherwise. */
export function checkCommentOptions(opts: { comment?: boolean; commentId?: string }): void {
  if (opts.commentId === undefined) return;
  if (!opts.comment) throw new Error('--comment-id needs --comment');
  const bad = checkCommentId(opts.commentId);
  if (bad) throw new Error(bad);
}

export function checkCommentId(id: string): string | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id) && !id.includes('--')) return undefined;
  return `--comment-id must be 1 to 64 letters, digits, ".", "_" or "-" (no "--"), starting with a letter or digit (got "${id}")`;
}

/**
 * Is this the comment we wrote for `marker`? Its body starts with the marker, and its author is
 * the token's account; when the host does not say who that is (a GitHub Actions token), an app's
 * bot account: people cannot post as one.
 */
export function isStickyComment(c: ReviewComment, marker: string, me: string | undefined): boolean {
  if (!c.body.startsWith(marker)) return false;
  return me !== undefined ? c.author === me : c.authorIsBot;
}

export interface StickyResult {
  outcome: 'created' | 'updated' | 'unchanged';
  id: number;
}

/**
 * Creates the comment, or edits the earliest one of ours carrying the marker. An identical body is
 * left alone (no edit, no notification). A first plan without changes is posted too: "this change
 * to the specs changes nothing in AWS" is worth a reviewer's knowing.
 */
export async function upsertStickyComment(
  port: ReviewComments,
  marker: string,
  body: string,
): Promise<StickyResult> {
  const me = await port.currentUser();
  const existing = (await port.list()).find((c) => isStickyComment(c, marker, me));
  if (!existing) return { outcome: 'created', id: await port.create(body) };
  if (existing.body === body) return { outcome: 'unchanged', id: existing.id };
  await port.update(existing.id, body);
  return { outcome: 'updated', id: existing.id };
}
