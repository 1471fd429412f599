import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import type { ControllerMetrics } from './metrics';
import type { StatusStore } from './status';

/** What an extra route (the webhook) is given: the raw body, for signature checks over exact bytes. */
export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RouteResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type RouteHandler = (req: RouteRequest) => RouteResponse | Promise<RouteResponse>;

/** A bare handler accepts POST only (webhooks); give `methods` for anything else. */
export type ExtraRoute = RouteHandler | { methods: readonly string[]; handler: RouteHandler };

export interface StatusServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Default 127.0.0.1; 0.0.0.0 in a container, so that probes and Prometheus reach it. */
  host?: string;
  status: StatusStore;
  metrics: ControllerMetrics;
  /** `/readyz`: 200 only when true. Default: `status.isReady()` (after the first successful sync). */
  isReady?: () => boolean;
  /** More paths on the same port, e.g. `/webhook`. They cannot replace the built-in ones. */
  extraRoutes?: Map<string, ExtraRoute>;
  /** Larger request bodies get 413. Default 5 MiB (GitHub caps webhook payloads at 25 MB, most are tiny). */
  maxBodyBytes?: number;
  /** Handler errors are logged here (and answered 500 without detail). */
  log?: Logger;
}

export interface StatusServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const BUILT_IN = ['/healthz', '/readyz', '/metrics', '/status'];
const DEFAULT_MAX_BODY = 5 * 1024 * 1024;

/**
 * Health, readiness, metrics and status on one port, with node:http only. GET and HEAD for the
 * built-in paths; 404 for unknown paths and 405 (with `Allow`) for a method a path does not take.
 */
export async function startStatusServer(opts: StatusServerOptions): Promise<StatusServer> {
  const host = opts.host ?? '127.0.0.1';
  const isReady = opts.isReady ?? (() => opts.status.isReady());
  const extra = extraRoutes(opts);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const builtIn = (path: string) => builtInResponse(path, opts, isReady);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    let out: RouteResponse;
    if (BUILT_IN.includes(path)) {
      req.resume();
      out = method === 'GET' || method === 'HEAD' ? await builtIn(path) : methodNotAllowed(['GET', 'HEAD']);
    } else {
      const route = extra.get(path);
      if (!route) {
        req.resume();
        out = { status: 404, headers: { 'content-type': TEXT }, body: `not found: ${path}\n` };
      } else if (!route.methods.includes(method)) {
        req.resume();
        out = methodNotAllowed(route.methods);
      } else {
        const body = await readBody(req, maxBody);
        out =
          body === undefined
            ? { status: 413, headers: { 'content-type': TEXT }, body: `request body over ${maxBody} bytes\n` }
            : await route.handler({ method, path, query: url.searchParams, headers: req.headers, body });
      }
    }
    send(res, out);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log?.error({ err, path: req.url }, 'http handler failed');
      if (!res.headersSent)
        send(res, { status: 500, headers: { 'content-type': TEXT }, body: 'internal error\n' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (fetch keeps them) would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** /healthz, /readyz, /metrics and /status. */
async function builtInResponse(
  path: string,
  opts: StatusServerOptions,
  isReady: () => boolean,
): Promise<RouteResponse> {
  switch (path) {
    case '/healthz':
      return { status: 200, headers: { 'content-type': TEXT }, body: 'ok\n' };
    case '/readyz':
      return isReady()
        ? { status: 200, headers: { 'content-type': TEXT }, body: 'ready\n' }
        : { status: 503, headers: { 'content-type': TEXT }, body: 'not ready: no successful sync yet\n' };
    case '/metrics':
      return {
        status: 200,
        headers: { 'content-type': opts.metrics.contentType },
        body: await opts.metrics.text(),
      };
    default:
      return {
        status: 200,
        headers: { 'content-type': JSON_TYPE },
        body: `${JSON.stringify(opts.status.snapshot(), null, 2)}\n`,
      };
  }
}

/** The caller's routes (the webhook), by path; none may replace a built-in path. */
function extraRoutes(
  opts: StatusServerOptions,
): Map<string, { methods: readonly string[]; handler: RouteHandler }> {
  const extra = new Map<string, { methods: readonly string[]; handler: RouteHandler }>();
  for (const [path, route] of opts.extraRoutes ?? []) {
    if (BUILT_IN.includes(path)) throw new Error(`extra route ${path} would replace a built-in path`);
    const r = typeof route === 'function' ? { methods: ['POST'], handler: route } : route;
    extra.set(path, { methods: r.methods.map((m) => m.toUpperCase()), handler: r.handler });
  }
  return extra;
}

function methodNotAllowed(allowed: readonly string[]): RouteResponse {
  return {
    status: 405,
    headers: { 'content-type': TEXT, allow: allowed.join(', ') },
    body: `method not allowed; use ${allowed.join(' or ')}\n`,
  };
}

function send(res: ServerResponse, out: RouteResponse): void {
  res.statusCode = out.status;
  res.setHeader('cache-control', 'no-store');
  for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  res.end(out.body ?? '');
}

/** The whole body, or undefined when it is over `max` bytes (the rest is drained, not kept). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
