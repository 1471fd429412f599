/**
 * The sticky comment's logic on a fake ReviewComments port: which comment is ours, create once,
 * edit in place, leave an identical body alone.
 */
import type { ReviewComment, ReviewComments } from '../../../controller/cli/pr-comment/review-comments';
import {
  checkCommentId,
  clusterSetId,
  stickyMarker,
  upsertStickyComment,
} from '../../../controller/cli/pr-comment/sticky-comment';

/** An in-memory pull request; `me` undefined: the host will not say who the token is (GitHub Actions). */
function fakePort(comments: ReviewComment[], me?: string) {
  const writes: string[] = [];
  let next = 100;
  const port: ReviewComments = {
    host: 'Fake',
    maxLength: 1000,
    currentUser: () => Promise.resolve(me),
    list: () => Promise.resolve(comments.map((c) => ({ ...c }))),
    create: (body) => {
      const id = next++;
      comments.push({ id, body, author: me ?? 'github-actions[bot]', authorIsBot: true });
      writes.push(`create ${id}`);
      return Promise.resolve(id);
    },
    update: (id, body) => {
      comments.find((c) => c.id === id)!.body = body;
      writes.push(`update ${id}`);
      return Promise.resolve();
    },
  };
  return { port, writes, comments };
}

const M = stickyMarker('abc');

test('created once, then edited in place; the same body again is left alone', async () => {
  const pr = fakePort([]);
  expect(await upsertStickyComment(pr.port, M, `${M}\nplan 1`)).toEqual({
    outcome: 'created',
    id: 100,
  });
  expect(await upsertStickyComment(pr.port, M, `${M}\nplan 2`)).toEqual({
    outcome: 'updated',
    id: 100,
  });
  expect(await upsertStickyComment(pr.port, M, `${M}\nplan 2`)).toEqual({
    outcome: 'unchanged',
    id: 100,
  });
  expect(pr.writes).toEqual(['create 100', 'update 100']);
  expect(pr.comments.map((c) => c.body)).toEqual([`${M}\nplan 2`]);
});

test("never edits a person's comment, even one starting with the marker, nor another set's", async () => {
  const pr = fakePort([
    { id: 1, body: 'LGTM', author: 'alice', authorIsBot: false },
    { id: 2, body: `${M}\nfake plan: no changes`, author: 'mallory', authorIsBot: false },
    { id: 3, body: `quoting:\n${M}`, author: 'github-actions[bot]', authorIsBot: true },
    { id: 4, body: `${stickyMarker('other')}\nplan`, author: 'github-actions[bot]', authorIsBot: true },
  ]);
  const result = await upsertStickyComment(pr.port, M, `${M}\nreal plan`);
  expect(result).toEqual({ outcome: 'created', id: 100 });
  expect(pr.writes).toEqual(['create 100']);
});

test("when the host names the token's account, only that account's comment is ours", async () => {
  const pr = fakePort(
    [
      { id: 1, body: `${M}\nby another bot`, author: 'renovate[bot]', authorIsBot: true },
      { id: 2, body: `${M}\nours`, author: 'project_7_bot_x', authorIsBot: true },
    ],
    'project_7_bot_x',
  );
  expect(await upsertStickyComment(pr.port, M, `${M}\nnew`)).toEqual({
    outcome: 'updated',
    id: 2,
  });
  expect(pr.comments[0].body).toBe(`${M}\nby another bot`);
});

test('the cluster set id: the directories as named, in any order and spelling; another set, another id', () => {
  const cwd = '/repo';
  const id = clusterSetId(['clusters/prod', 'clusters/staging'], cwd);
  expect(id).toMatch(/^[0-9a-f]{12}$/);
  expect(clusterSetId(['./clusters/staging/', '/repo/clusters/prod'], cwd)).toBe(id);
  expect(clusterSetId(['clusters/prod'], cwd)).not.toBe(id);
  expect(clusterSetId([], cwd)).toBe(clusterSetId(['.'], cwd));
});

test('--comment-id cannot end the HTML comment early', () => {
  expect(checkCommentId('prod-eu_1.x')).toBeUndefined();
  expect(checkCommentId('a-->b')).toMatch(/--comment-id must be/);
  expect(checkCommentId('has space')).toMatch(/--comment-id must be/);
  expect(checkCommentId('x'.repeat(65))).toMatch(/--comment-id must be/);
});
