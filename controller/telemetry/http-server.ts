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
  /**
   * A long-lived response (server-sent events) instead of `body`: called once the status and headers
   * are sent, with the open response. The server ends it when it closes.
   */
  stream?: (out: ResponseStream) => void;
}

/** An open streaming response. */
export interface ResponseStream {
  /** false when the client is not keeping up: wait for onDrain before writing more. */
  write(chunk: string): boolean;
  onDrain(fn: () => void): void;
  /** Once, when the response is over: the client went away, end() was called, or the server closes. */
  onClose(fn: () => void): void;
  end(): void;
  /** Cuts the connection: for a client that stopped reading (end() would wait for it). */
  destroy(): void;
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
  /**
   * More paths on the same port, e.g. `/webhook`. They cannot replace the built-in ones. A key ending
   * in `/` (`/v1/`) takes every path under it; an exact key wins over it, a longer prefix over a shorter.
   */
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
/** On close, streams get this long to flush their end before connections are cut. */
const STREAM_END_GRACE_MS = 1000;

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
  const streams = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    let out: RouteResponse;
    if (BUILT_IN.includes(path)) {
      req.resume();
      out = method === 'GET' || method === 'HEAD' ? await builtIn(path) : methodNotAllowed(['GET', 'HEAD']);
    } else {
      const route = routeFor(extra, path);
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
    if (out.stream && method !== 'HEAD') openStream(res, out, out.stream, streams);
    else send(res, out);
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
    close: async () => {
      // Streams end cleanly (the client reads the end of the response), then connections are cut.
      await endStreams(streams);
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (fetch keeps them) would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
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

/** The exact route for a path, else the longest prefix route (`/v1/`) it is under. */
function routeFor<R>(routes: Map<string, R>, path: string): R | undefined {
  const exact = routes.get(path);
  if (exact) return exact;
  let best: string | undefined;
  for (const key of routes.keys()) {
    if (key.endsWith('/') && path.startsWith(key) && (best === undefined || key.length > best.length))
      best = key;
  }
  return best === undefined ? undefined : routes.get(best);
}

function openStream(
  res: ServerResponse,
  out: RouteResponse,
  stream: (out: ResponseStream) => void,
  open: Set<ServerResponse>,
): void {
  res.statusCode = out.status;
  res.setHeader('cache-control', 'no-store');
  for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  res.flushHeaders();
  open.add(res);
  res.once('close', () => open.delete(res));
  stream({
    write: (chunk) => !res.writableEnded && res.write(chunk),
    onDrain: (fn) => res.on('drain', fn),
    onClose: (fn) => res.once('close', fn),
    end: () => res.end(),
    destroy: () => res.destroy(),
  });
}

async function endStreams(open: Set<ServerResponse>): Promise<void> {
  await Promise.all(
    [...open].map(
      (res) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, STREAM_END_GRACE_MS);
          res.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          res.end();
        }),
    ),
  );
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
