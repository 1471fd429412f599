/**
 * The GitHub push webhook handler: only a correctly signed request triggers a fetch, and only a
 * push to the watched branch. Signatures are computed here the way GitHub documents them.
 */
import { createHmac } from 'node:crypto';
import {
  githubWebhookHandler,
  verifyGithubSignature,
  type GithubPush,
} from '../../controller/reconcile/github-webhook';

const SECRET = 'It-is-a-secret-to-everybody';
const AFTER = 'a'.repeat(40);

function sign(body: Buffer, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function pushBody(ref = 'refs/heads/main', extra: object = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      ref,
      before: 'b'.repeat(40),
      after: AFTER,
      repository: { full_name: 'org/specs', default_branch: 'main' },
      ...extra,
    }),
  );
}

function setup(branch?: string) {
  const pushes: GithubPush[] = [];
  const handle = githubWebhookHandler({ secret: SECRET, branch, onPush: (p) => void pushes.push(p) });
  /** `signature`: null sends no header; by default the correct one. */
  const send = (event: string, body: Buffer, signature: string | null = sign(body)) =>
    handle({
      headers: {
        'x-github-event': event,
        'x-github-delivery': 'd-1',
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
      body,
    });
  return { pushes, send, handle };
}

describe('verifyGithubSignature', () => {
  // The example from GitHub's "Validating webhook deliveries" documentation.
  it('accepts GitHub documented example', () => {
    const sig = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifyGithubSignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), sig)).toBe(true);
    expect(verifyGithubSignature("It's a Secret to Everybody", Buffer.from('Hello, World?'), sig)).toBe(
      false,
    );
  });

  it('rejects a wrong, truncated, differently-prefixed or missing signature, and an empty secret', () => {
    const body = Buffer.from('{}');
    const good = sign(body);
    expect(verifyGithubSignature(SECRET, body, good)).toBe(true);
    expect(verifyGithubSignature(SECRET, Buffer.from('{} '), good)).toBe(false);
    expect(verifyGithubSignature('other', body, good)).toBe(false);
    expect(verifyGithubSignature(SECRET, body, good.slice(0, -2))).toBe(false);
    expect(verifyGithubSignature(SECRET, body, good.replace('sha256=', 'sha1='))).toBe(false);
    expect(verifyGithubSignature(SECRET, body, undefined)).toBe(false);
    expect(verifyGithubSignature(SECRET, body, '')).toBe(false);
    expect(verifyGithubSignature('', body, sign(body, ''))).toBe(false);
  });
});

describe('githubWebhookHandler', () => {
  it('calls onPush with the pushed commit for a signed push to the watched branch', () => {
    const { pushes, send } = setup('main');
    const res = send('push', pushBody());
    expect(res.status).toBe(202);
    expect(pushes).toEqual([
      { commit: AFTER, ref: 'refs/heads/main', branch: 'main', repository: 'org/specs', delivery: 'd-1' },
    ]);
  });

  it('rejects a bad or missing signature with 401 and triggers nothing', () => {
    const { pushes, send } = setup('main');
    const body = pushBody();
    expect(send('push', body, null).status).toBe(401);
    expect(send('push', body, sign(body, 'wrong secret')).status).toBe(401);
    expect(send('push', body, 'sha256=zz').status).toBe(401);
    expect(send('push', pushBody('refs/heads/main', { after: 'c'.repeat(40) }), sign(body)).status).toBe(401);
    expect(send('ping', Buffer.from('{}'), null).status).toBe(401); // even a ping must be signed
    expect(pushes).toEqual([]);
  });

  it('never echoes the secret', () => {
    const { send } = setup('main');
    const responses = [
      send('push', pushBody(), null),
      send('push', pushBody()),
      send('push', Buffer.from('{')),
      send('issues', Buffer.from('{}')),
    ];
    for (const r of responses) expect(r.body).not.toContain(SECRET);
  });

  it('ignores pushes to other branches, tags, deletions and other events', () => {
    const { pushes, send } = setup('main');
    const other = send('push', pushBody('refs/heads/feature'));
    expect(other).toEqual({ status: 202, body: 'ignored: branch feature is not main' });
    expect(send('push', pushBody('refs/tags/v1')).body).toMatch(/^ignored/);
    expect(send('push', pushBody('refs/heads/main', { after: '0'.repeat(40), deleted: true })).body).toMatch(
      /deleted/,
    );
    expect(send('issues', Buffer.from('{"action":"opened"}'))).toEqual({
      status: 202,
      body: 'ignored: event issues',
    });
    expect(pushes).toEqual([]);
  });

  it('without a branch, follows the default branch named in the payload', () => {
    const { pushes, send } = setup();
    expect(send('push', pushBody('refs/heads/feature')).body).toMatch(/ignored/);
    expect(send('push', pushBody('refs/heads/main')).status).toBe(202);
    expect(pushes.map((p) => p.branch)).toEqual(['main']);
  });

  it('answers a signed ping with pong', () => {
    const { pushes, send } = setup('main');
    expect(send('ping', Buffer.from('{"zen":"Keep it logically awesome."}'))).toEqual({
      status: 200,
      body: 'pong',
    });
    expect(pushes).toEqual([]);
  });

  it('rejects a signed but unparsable or incomplete body with 400', () => {
    const { pushes, send } = setup('main');
    expect(send('push', Buffer.from('{not json')).status).toBe(400);
    expect(send('push', Buffer.from('"a string"')).status).toBe(400);
    expect(send('push', Buffer.from('{"ref":"refs/heads/main"}')).status).toBe(400);
    expect(pushes).toEqual([]);
  });

  it('accepts the form-encoded payload GitHub sends for that content type', () => {
    const { pushes, handle } = setup('main');
    const body = Buffer.from(`payload=${encodeURIComponent(pushBody().toString())}`);
    const res = handle({
      headers: {
        'X-GitHub-Event': 'push',
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Hub-Signature-256': sign(body),
      },
      body,
    });
    expect(res.status).toBe(202);
    expect(pushes.map((p) => p.commit)).toEqual([AFTER]);
  });

  it('reports a failing onPush through onError, still answering 202', async () => {
    const errors: unknown[] = [];
    const handle = githubWebhookHandler({
      secret: SECRET,
      branch: 'main',
      onPush: () => Promise.reject(new Error('fetch failed')),
      onError: (e) => errors.push(e),
    });
    const body = pushBody();
    const res = handle({ headers: { 'x-github-event': 'push', 'x-hub-signature-256': sign(body) }, body });
    expect(res.status).toBe(202);
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
  });

  it('refuses to be created without a secret', () => {
    expect(() => githubWebhookHandler({ secret: '', onPush: () => undefined })).toThrow(/secret is required/);
  });
});
