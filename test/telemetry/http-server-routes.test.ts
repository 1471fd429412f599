import { type ExtraRoute, startStatusServer } from '../../controller/telemetry/http-server';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';

const named = (name: string): ExtraRoute => ({
  methods: ['GET'],
  handler: (req) => ({ status: 200, body: `${name} ${req.path}` }),
});

test('a route key ending in / takes the paths under it; exact keys and longer prefixes win', async () => {
  const server = await startStatusServer({
    port: 0,
    status: new StatusStore(),
    metrics: new ControllerMetrics(),
    extraRoutes: new Map([
      ['/v1/', named('v1')],
      ['/v1/deep/', named('deep')],
      ['/v1/exact', named('exact')],
    ]),
  });
  try {
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      return `${res.status} ${await res.text()}`;
    };
    expect(await get('/v1/tasks/a/b')).toBe('200 v1 /v1/tasks/a/b');
    expect(await get('/v1/deep/x')).toBe('200 deep /v1/deep/x');
    expect(await get('/v1/exact')).toBe('200 exact /v1/exact');
    expect(await get('/v1')).toMatch(/^404 /);
    expect(await get('/v2/x')).toMatch(/^404 /);
    expect(await get('/healthz')).toBe('200 ok\n');
  } finally {
    await server.close();
  }
});

test('a streaming route gets its headers at once and ends when the server closes', async () => {
  const server = await startStatusServer({
    port: 0,
    status: new StatusStore(),
    metrics: new ControllerMetrics(),
    extraRoutes: new Map<string, ExtraRoute>([
      [
        '/s',
        {
          methods: ['GET', 'HEAD'],
          handler: () => ({
            status: 200,
            headers: { 'content-type': 'text/plain' },
            stream: (out) => void out.write('hello\n'),
          }),
        },
      ],
    ]),
  });
  const head = await fetch(`${server.url}/s`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  const res = await fetch(`${server.url}/s`);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = res.text();
  await server.close();
  expect(await body).toBe('hello\n');
});
