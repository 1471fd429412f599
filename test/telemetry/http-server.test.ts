import { request } from 'node:http';
import {
  startStatusServer,
  type ExtraRoute,
  type RouteRequest,
  type StatusServer,
} from '../../controller/telemetry/http-server';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { parsePrometheusText, sampleValue } from './prom-text';

let server: StatusServer;
let status: StatusStore;
let metrics: ControllerMetrics;
const hooks: RouteRequest[] = [];

beforeAll(async () => {
  status = new StatusStore();
  metrics = new ControllerMetrics();
  server = await startStatusServer({
    port: 0,
    status,
    metrics,
    maxBodyBytes: 1024,
    extraRoutes: new Map<string, ExtraRoute>([
      [
        '/webhook',
        (req: RouteRequest) => {
          hooks.push(req);
          return { status: 202, body: 'queued\n' };
        },
      ],
      ['/boom', { methods: ['GET'], handler: () => Promise.reject(new Error('secret detail')) }],
    ]),
  });
});
afterAll(() => server.close());

test('binds 127.0.0.1 by default and reports the port it got', () => {
  expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  expect(server.port).toBeGreaterThan(0);
});

test('/healthz answers 200 ok', async () => {
  const res = await fetch(`${server.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('ok\n');
});

test('/readyz is 503 until the first successful sync, then 200', async () => {
  const before = await fetch(`${server.url}/readyz`);
  expect(before.status).toBe(503);
  expect(await before.text()).toMatch(/not ready/);
  status.markReady();
  const after = await fetch(`${server.url}/readyz`);
  expect(after.status).toBe(200);
  expect(
    (await fetch(`${server.url}/status`).then((r) => r.json() as Promise<{ controller: { ready: boolean } }>))
      .controller.ready,
  ).toBe(true);
});

test('/metrics serves valid Prometheus text with the exposition content type', async () => {
  metrics.queueDepth(7);
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusText(await res.text());
  expect(sampleValue(families, 'ecs_gitops_queue_depth', {})).toBe(7);
});

test('/status serves the store snapshot as JSON', async () => {
  status.setControllerState('Idle');
  status.recordReconcile('demo', {
    commit: 'abc',
    results: [{ id: 'cluster/demo', resource: 'cluster', name: 'demo', outcome: 'unchanged' }],
  });
  const res = await fetch(`${server.url}/status`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await res.json()).toEqual(status.snapshot());
});

test('404 for unknown paths, 405 with Allow for a wrong method', async () => {
  expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  const post = await fetch(`${server.url}/healthz`, { method: 'POST', body: 'x' });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
  const get = await fetch(`${server.url}/webhook`);
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('POST');
  // HEAD of a built-in path: headers only.
  const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
});

test('extra POST routes get the raw body bytes and the headers', async () => {
  const body = Buffer.from('{"ref":"refs/heads/main", "x": "\u00e9"}', 'utf8');
  const res = await fetch(`${server.url}/webhook?source=github`, {
    method: 'POST',
    body,
    headers: { 'x-hub-signature-256': 'sha256=abc', 'content-type': 'application/json' },
  });
  expect(res.status).toBe(202);
  const got = hooks[hooks.length - 1];
  expect(got.body.equals(body)).toBe(true);
  expect(got.headers['x-hub-signature-256']).toBe('sha256=abc');
  expect(got.query.get('source')).toBe('github');
  expect(got.method).toBe('POST');
});

test('a body over the limit gets 413; a handler that throws gets 500 without its message', async () => {
  const n = hooks.length;
  const big = await fetch(`${server.url}/webhook`, { method: 'POST', body: Buffer.alloc(2048, 'a') });
  expect(big.status).toBe(413);
  expect(hooks).toHaveLength(n);
  const boom = await fetch(`${server.url}/boom`);
  expect(boom.status).toBe(500);
  expect(await boom.text()).not.toMatch(/secret/);
});

test('a raw HTTP/1.1 request with a path query still routes', async () => {
  const code = await new Promise<number>((resolve, reject) => {
    const req = request(`${server.url}/healthz?verbose=1`, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  expect(code).toBe(200);
});

test('extra routes cannot shadow built-in paths; a port in use is an error', async () => {
  await expect(
    startStatusServer({
      port: 0,
      status,
      metrics,
      extraRoutes: new Map([['/metrics', () => ({ status: 200 })]]),
    }),
  ).rejects.toThrow(/built-in/);
  await expect(startStatusServer({ port: server.port, status, metrics })).rejects.toMatchObject({
    code: 'EADDRINUSE',
  });
});

test('close() returns even with keep-alive connections open', async () => {
  const s = await startStatusServer({ port: 0, status, metrics });
  await fetch(`${s.url}/healthz`).then((r) => r.text());
  await s.close();
  await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
});
