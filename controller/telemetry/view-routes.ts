import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { EcsView, ViewChange } from '../model/ecs-view';
import type { ExtraRoute, ResponseStream, RouteRequest, RouteResponse } from './http-server';

/*
 * The read-only API of the local view, under /v1/ on the status server:
 *   GET /v1/tasks?cluster=&status=&service=&group=&startedBy=&desiredStatus=   {"items": [task, ...]}
 *   GET /v1/instances?cluster=&status=                                          {"items": [instance, ...]}
 *   GET /v1/tasks/{cluster}/{id}     one task by id or full ARN (URL-encoded); 404 {"error"} when absent
 *   GET /v1/stream?cluster=&snapshot=true   server-sent events of view changes (snapshot: the
 *                                            current entries first, as upserts)
 * Items are sorted by cluster, then ARN. With a token, every /v1 path needs `Authorization: Bearer`.
 */

export const VIEW_ROUTE_PREFIX = '/v1/';
export const DEFAULT_KEEP_ALIVE_MS = 15_000;
export const DEFAULT_MAX_BUFFERED_EVENTS = 1000;

export interface ViewRoutesOptions {
  view: EcsView;
  /** When set, every /v1 path needs `Authorization: Bearer <token>` (compared in constant time). */
  token?: string;
  /** A comment line on idle streams, so that proxies and clients do not time them out. Default 15 s. */
  keepAliveMs?: number;
  /** Changes held for a stream client that is not reading; beyond it the stream is closed. Default 1000. */
  maxBufferedEvents?: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TASK_FILTERS = ['cluster', 'status', 'desiredStatus', 'service', 'group', 'startedBy'] as const;
const INSTANCE_FILTERS = ['cluster', 'status'] as const;
const STREAM_PARAMS = ['cluster', 'snapshot'] as const;

/** The `/v1/` route for the status server's `extraRoutes`. */
export function viewRoutes(opts: ViewRoutesOptions): Map<string, ExtraRoute> {
  if (opts.token !== undefined && opts.token.length === 0) throw new Error('the API token must not be empty');
  const expected = opts.token === undefined ? undefined : digest(opts.token);
  const handler = (req: RouteRequest): RouteResponse => {
    const denied = expected && unauthorized(req.headers, expected);
    if (denied) return denied;
    return route(req, opts);
  };
  return new Map<string, ExtraRoute>([[VIEW_ROUTE_PREFIX, { methods: ['GET', 'HEAD'], handler }]]);
}

function route(req: RouteRequest, opts: ViewRoutesOptions): RouteResponse {
  const { path, query } = req;
  if (path === '/v1/tasks') {
    const filter = filters(query, TASK_FILTERS);
    return 'error' in filter ? filter.error : items(opts.view.tasks(filter.value));
  }
  if (path === '/v1/instances') {
    const filter = filters(query, INSTANCE_FILTERS);
    return 'error' in filter ? filter.error : items(opts.view.instances(filter.value));
  }
  if (path.startsWith('/v1/tasks/')) return oneTask(path.slice('/v1/tasks/'.length), opts.view);
  if (path === '/v1/stream') {
    const params = filters(query, STREAM_PARAMS);
    if ('error' in params) return params.error;
    const { cluster, snapshot = 'false' } = params.value;
    if (snapshot !== 'true' && snapshot !== 'false')
      return json(400, { error: 'snapshot must be true or false' });
    return stream(opts, cluster, snapshot === 'true');
  }
  return json(404, { error: `not found: ${path}` });
}

/** `{cluster}/{id}`: the id is the task id or its full ARN (whose slashes may come encoded or not). */
function oneTask(rest: string, view: EcsView): RouteResponse {
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return json(404, { error: 'use /v1/tasks/{cluster}/{id}' });
  let cluster: string;
  let id: string;
  try {
    cluster = decodeURIComponent(rest.slice(0, slash));
    id = decodeURIComponent(rest.slice(slash + 1));
  } catch {
    return json(400, { error: 'malformed percent-encoding in the path' });
  }
  const task = view.task(cluster, id);
  return task ? json(200, task) : json(404, { error: `no task ${id} in cluster ${cluster}` });
}

function filters<K extends string>(
  query: URLSearchParams,
  allowed: readonly K[],
): { value: Partial<Record<K, string>> } | { error: RouteResponse } {
  const value: Partial<Record<K, string>> = {};
  for (const [key, v] of query) {
    if (!(allowed as readonly string[]).includes(key))
      return { error: json(400, { error: `unknown query parameter ${key}; use ${allowed.join(', ')}` }) };
    if (value[key as K] !== undefined)
      return { error: json(400, { error: `query parameter ${key} given twice` }) };
    value[key as K] = v;
  }
  return { value };
}

/**
 * Server-sent events: `event: task|instance`, `data: {"type","op","item"}`. No event ids: a client
 * that reconnects cannot resume; it reads /v1/tasks (or /v1/instances) again.
 */
function stream(opts: ViewRoutesOptions, cluster: string | undefined, snapshot: boolean): RouteResponse {
  return {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    },
    stream: (out) => followView(out, opts, cluster, snapshot),
  };
}

function followView(
  out: ResponseStream,
  opts: ViewRoutesOptions,
  cluster: string | undefined,
  snapshot: boolean,
): void {
  const maxBuffered = opts.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS;
  const pending: string[] = [];
  let blocked = false;
  const send = (chunk: string) => {
    if (blocked) {
      // A client that stopped reading: it reconnects and reads /v1/tasks again, the view is not held up.
      if (pending.length >= maxBuffered) out.destroy();
      else pending.push(chunk);
      return;
    }
    blocked = !out.write(chunk);
  };
  out.onDrain(() => {
    blocked = false;
    while (pending.length > 0 && !blocked) blocked = !out.write(pending.shift() ?? '');
  });
  const message = (change: ViewChange) => send(`event: ${change.type}\ndata: ${JSON.stringify(change)}\n\n`);
  const unsubscribe = opts.view.subscribe((change: ViewChange) => {
    if (cluster === undefined || change.item.cluster === cluster) message(change);
  });
  const keepAlive = setInterval(() => {
    if (!blocked) send(': keep-alive\n\n');
  }, opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
  keepAlive.unref();
  out.onClose(() => {
    clearInterval(keepAlive);
    unsubscribe();
  });
  send(': ecs-gitops view stream\n\n');
  // The current entries first, as upserts: nothing can change in between (one synchronous turn).
  if (snapshot) {
    for (const item of opts.view.instances({ cluster })) message({ type: 'instance', op: 'upsert', item });
    for (const item of opts.view.tasks({ cluster })) message({ type: 'task', op: 'upsert', item });
  }
}

function items(list: unknown[]): RouteResponse {
  return json(200, { items: list });
}

function json(status: number, body: unknown): RouteResponse {
  return { status, headers: { 'content-type': JSON_TYPE }, body: `${JSON.stringify(body)}\n` };
}

/** 401 unless the request carries the token; digests make the comparison constant-time at any length. */
function unauthorized(headers: IncomingHttpHeaders, expected: Buffer): RouteResponse | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '');
  if (m && timingSafeEqual(digest(m[1]), expected)) return undefined;
  const challenge = m ? 'Bearer realm="ecs-gitops", error="invalid_token"' : 'Bearer realm="ecs-gitops"';
  return {
    status: 401,
    headers: { 'content-type': JSON_TYPE, 'www-authenticate': challenge },
    body: `${JSON.stringify({ error: m ? 'invalid token' : 'a bearer token is required' })}\n`,
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
