/**
 * A local HTTP server impersonating the parts of GitHub's REST API (issue comments) and GitLab's
 * (merge request notes) that `diff --comment` uses, recording every request. Pages are short (two
 * comments) so that every listing has to follow the `Link: rel="next"` header, as both hosts send it.
 *
 * Like the real hosts: a GitHub Actions token may not read /user (403) and posts as
 * github-actions[bot] (type Bot); a GitLab project access token posts as its bot user; a body over
 * the host's limit is refused (422 / 400); a wrong or missing token gets 401.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The JSON body, parsed. */
  body?: { body?: string };
}

export interface StoredComment {
  id: number;
  body: string;
  author: string;
  /** GitHub's user.type. */
  type: 'Bot' | 'User';
}

export interface FakeCodeHost {
  /** `http://127.0.0.1:<port>` (GitHub's API URL; GitLab's is this + /api/v4). */
  url: string;
  requests: RecordedRequest[];
  /** Comments (GitHub) or notes (GitLab) of the one pull/merge request, oldest first. */
  comments: StoredComment[];
  /** Answer every POST/PATCH/PUT with this status (403: a fork's read-only token). */
  refuseWrites?: number;
  /** Requests that change something: POST, PATCH, PUT. */
  writes(): RecordedRequest[];
  close(): Promise<void>;
}

export const GITHUB_BOT = 'github-actions[bot]';
export const GITLAB_BOT = 'project_7_bot_1a2b3c';
const PAGE_SIZE = 2;
const GITHUB_LIMIT = 65_536;
const GITLAB_LIMIT = 1_000_000;

/**
 * Serves one pull request (`owner/repo#pull`) and one merge request (`projects/project/merge_requests/mr`).
 * The token must be `token`.
 */
export async function startFakeCodeHost(opts: {
  token: string;
  repo?: string;
  pull?: number;
  project?: string;
  mr?: number;
}): Promise<FakeCodeHost> {
  const repo = opts.repo ?? 'acme/infra';
  const pull = opts.pull ?? 12;
  const project = opts.project ?? '7';
  const mr = opts.mr ?? 5;
  let nextId = 1000;
  const host: FakeCodeHost = {
    url: '',
    requests: [],
    comments: [],
    writes: () => host.requests.filter((r) => r.method !== 'GET'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const githubComments = `/repos/${repo}/issues/${pull}/comments`;
  const githubComment = new RegExp(`^/repos/${repo}/issues/comments/(\\d+)$`);
  const gitlabNotes = `/api/v4/projects/${encodeURIComponent(project)}/merge_requests/${mr}/notes`;
  const gitlabNote = new RegExp(`^${gitlabNotes}/(\\d+)$`);

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = new URL(req.url ?? '/', host.url);
    const body = raw ? (JSON.parse(raw) as { body?: string }) : undefined;
    host.requests.push({ method: req.method ?? '', path: url.pathname, ...(body ? { body } : {}) });
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(value));
    };
    const gitlab = url.pathname.startsWith('/api/v4/');
    const authorized = gitlab
      ? req.headers['private-token'] === opts.token
      : req.headers.authorization === `token ${opts.token}`;
    if (!authorized) return send(401, { message: gitlab ? '401 Unauthorized' : 'Bad credentials' });
    if (req.method !== 'GET' && host.refuseWrites) {
      return send(host.refuseWrites, {
        message: gitlab ? '403 Forbidden' : 'Resource not accessible by integration',
      });
    }
    const page = (): void => {
      const n = Number(url.searchParams.get('page') ?? '1');
      const items = host.comments.slice((n - 1) * PAGE_SIZE, n * PAGE_SIZE);
      const more = n * PAGE_SIZE < host.comments.length;
      const next = new URL(url);
      next.searchParams.set('page', String(n + 1));
      send(200, items.map(gitlab ? toGitlab : toGithub), more ? { link: `<${next.href}>; rel="next"` } : {});
    };
    const tooLong = (text: string | undefined): boolean =>
      (text ?? '').length > (gitlab ? GITLAB_LIMIT : GITHUB_LIMIT);

    // GitHub
    if (url.pathname === '/user' && req.method === 'GET') {
      return send(403, { message: 'Resource not accessible by integration' });
    }
    if (url.pathname === githubComments && req.method === 'GET') return page();
    if (url.pathname === githubComments && req.method === 'POST') {
      if (tooLong(body?.body)) return send(422, { message: 'Validation Failed: body is too long' });
      const c: StoredComment = { id: nextId++, body: body?.body ?? '', author: GITHUB_BOT, type: 'Bot' };
      host.comments.push(c);
      return send(201, toGithub(c));
    }
    const gh = githubComment.exec(url.pathname);
    if (gh && req.method === 'PATCH') return edit(Number(gh[1]), body?.body, toGithub);

    // GitLab
    if (url.pathname === '/api/v4/user' && req.method === 'GET')
      return send(200, { id: 77, username: GITLAB_BOT });
    if (url.pathname === gitlabNotes && req.method === 'GET') return page();
    if (url.pathname === gitlabNotes && req.method === 'POST') {
      if (tooLong(body?.body)) return send(400, { message: { body: ['is too long'] } });
      const c: StoredComment = { id: nextId++, body: body?.body ?? '', author: GITLAB_BOT, type: 'Bot' };
      host.comments.push(c);
      return send(201, toGitlab(c));
    }
    const gl = gitlabNote.exec(url.pathname);
    if (gl && req.method === 'PUT') return edit(Number(gl[1]), body?.body, toGitlab);
    send(404, { message: 'Not Found' });

    function edit(id: number, text: string | undefined, view: (c: StoredComment) => unknown): void {
      const c = host.comments.find((x) => x.id === id);
      if (!c) return send(404, { message: 'Not Found' });
      if (tooLong(text)) return send(gitlab ? 400 : 422, { message: 'body is too long' });
      c.body = text ?? '';
      send(200, view(c));
    }
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  host.url = `http://127.0.0.1:${port}`;
  return host;
}

function toGithub(c: StoredComment): unknown {
  return { id: c.id, body: c.body, user: { login: c.author, type: c.type } };
}

function toGitlab(c: StoredComment): unknown {
  return { id: c.id, body: c.body, author: { username: c.author }, system: false };
}
