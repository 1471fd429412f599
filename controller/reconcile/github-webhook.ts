/**
 * GitHub push webhooks: a push to the watched branch makes the controller fetch at once instead of
 * at the next poll. The request is trusted only with a valid `X-Hub-Signature-256` (HMAC SHA-256
 * of the raw body under the shared secret); anything else gets 401 and triggers nothing. The
 * handler is transport-free: whoever mounts it on node:http must pass the body's raw bytes (a
 * re-serialized JSON body would not match the signature) and should cap the body size (GitHub
 * sends at most 25 MB).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** True when `header` is `sha256=<hex>` and the hex is the HMAC SHA-256 of `rawBody` under `secret`. */
export function verifyGithubSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!secret || typeof header !== 'string') return false;
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1], 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface GithubPush {
  /** The commit the branch now points at (the payload's `after`). */
  commit: string;
  /** `refs/heads/<branch>`. */
  ref: string;
  branch: string;
  /** `owner/name`, when the payload says. */
  repository?: string;
  /** The `X-GitHub-Delivery` id, for correlating with GitHub's delivery log. */
  delivery?: string;
}

export interface GithubWebhookOptions {
  secret: string;
  /** The branch to react to; default: the repository's default branch as the payload names it. */
  branch?: string;
  /** Called for a push to the watched branch; not awaited (the response is 202 Accepted). */
  onPush: (push: GithubPush) => void | Promise<void>;
  /** A rejected onPush. */
  onError?: (err: unknown) => void;
}

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface WebhookRequest {
  headers: WebhookHeaders;
  /** The raw request body, exactly as received. */
  body: Buffer;
}

export interface WebhookResponse {
  status: number;
  body: string;
}

/** Node lower-cases header names; other callers may not. A repeated header counts as absent. */
function header(headers: WebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** GitHub sends JSON, or `payload=<json>` form-encoded when the hook's content type says so. */
function parsePayload(req: WebhookRequest): unknown {
  const text = req.body.toString('utf8');
  const contentType = header(req.headers, 'content-type') ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) throw new Error('no payload field');
    return JSON.parse(payload);
  }
  return JSON.parse(text);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function githubWebhookHandler(opts: GithubWebhookOptions): (req: WebhookRequest) => WebhookResponse {
  if (!opts.secret) throw new Error('github webhook: a secret is required (an unsigned webhook is refused)');
  const onError = opts.onError ?? (() => undefined);
  return (req) => {
    if (!Buffer.isBuffer(req.body)) return { status: 400, body: 'body must be the raw request bytes' };
    if (!verifyGithubSignature(opts.secret, req.body, header(req.headers, 'x-hub-signature-256'))) {
      return { status: 401, body: 'bad or missing X-Hub-Signature-256' };
    }
    const event = header(req.headers, 'x-github-event');
    if (event === 'ping') return { status: 200, body: 'pong' };
    if (event !== 'push') return { status: 202, body: `ignored: event ${event ?? '(none)'}` };

    let payload: Record<string, unknown>;
    try {
      const parsed = parsePayload(req);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      payload = parsed as Record<string, unknown>;
    } catch {
      return { status: 400, body: 'unparsable push payload' };
    }
    const ref = str(payload.ref);
    const after = str(payload.after);
    if (!ref || !after || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(after)) {
      return { status: 400, body: 'push payload without ref or after' };
    }
    if (!ref.startsWith('refs/heads/')) return { status: 202, body: `ignored: ${ref} is not a branch` };
    const branch = ref.slice('refs/heads/'.length);
    const repo = (typeof payload.repository === 'object' && payload.repository) as
      Record<string, unknown> | false;
    const watched = opts.branch ?? (repo ? str(repo.default_branch) : undefined);
    if (watched !== undefined && branch !== watched) {
      return { status: 202, body: `ignored: branch ${branch} is not ${watched}` };
    }
    if (payload.deleted === true || /^0+$/.test(after)) {
      return { status: 202, body: `ignored: branch ${branch} was deleted` };
    }
    const push: GithubPush = {
      commit: after,
      ref,
      branch,
      repository: repo ? str(repo.full_name) : undefined,
      delivery: header(req.headers, 'x-github-delivery'),
    };
    try {
      const result = opts.onPush(push);
      if (result instanceof Promise) result.catch(onError);
    } catch (err) {
      onError(err);
    }
    return { status: 202, body: `accepted: ${branch} at ${after}` };
  };
}
