import { request } from 'node:http';
import type { TaskDetail } from '../../controller/model/ecs-events';
import { EcsView } from '../../controller/model/ecs-view';
import { type StatusServer, startStatusServer } from '../../controller/telemetry/http-server';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { viewRoutes } from '../../controller/telemetry/view-routes';

const ARN = 'arn:aws:ecs:us-east-1:123456789012';
const TOKEN = 'view-token-0123456789abcdef';

function task(cluster: string, id: string, patch: Partial<TaskDetail> = {}): TaskDetail {
  return {
    cluster,
    clusterArn: `${ARN}:cluster/${cluster}`,
    taskArn: `${ARN}:task/${cluster}/${id}`,
    version: 1,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    group: 'service:web',
    startedBy: 'ecs-svc/1',
    containers: [],
    ...patch,
  };
}

async function serve(opts: { token?: string; keepAliveMs?: number; maxBufferedEvents?: number } = {}) {
  const view = new EcsView({ now: () => Date.UTC(2026, 10, 30) });
  const server = await startStatusServer({
    port: 0,
    status: new StatusStore(),
    metrics: new ControllerMetrics(),
    extraRoutes: viewRoutes({ view, ...opts }),
  });
  return { view, server };
}

const servers: StatusServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function started(opts: Parameters<typeof serve>[0] = {}) {
  const s = await serve(opts);
  servers.push(s.server);
  return s;
}

async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe('GET /v1/tasks and /v1/instances', () => {
  test('filters (cluster, status, service, group, startedBy) and a stable order', async () => {
    const { view, server } = await started();
    view.applyTaskEvent(task('demo', 'b'));
    view.applyTaskEvent(task('demo', 'a', { group: 'service:api', startedBy: 'ecs-svc/2' }));
    view.applyTaskEvent(task('demo', 'c', { lastStatus: 'PENDING' }));
    view.applyTaskEvent(task('alpha', 'z', { group: 'family:batch', startedBy: 'cron' }));
    const ids = async (q: string) => {
      const r = await getJson(`${server.url}/v1/tasks${q}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      return (r.body.items as { cluster: string; id: string }[]).map((t) => `${t.cluster}/${t.id}`);
    };
    expect(await ids('')).toEqual(['alpha/z', 'demo/a', 'demo/b', 'demo/c']);
    expect(await ids('?cluster=demo&status=RUNNING')).toEqual(['demo/a', 'demo/b']);
    expect(await ids('?service=api')).toEqual(['demo/a']);
    expect(await ids('?group=family%3Abatch')).toEqual(['alpha/z']);
    expect(await ids('?startedBy=ecs-svc%2F1&status=PENDING')).toEqual(['demo/c']);
    expect(await ids('?cluster=none')).toEqual([]);
  });

  test('an unknown or repeated query parameter is a 400 naming the allowed ones', async () => {
    const { server } = await started();
    const r = await getJson(`${server.url}/v1/tasks?clustr=demo`);
    expect(r).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/unknown query parameter clustr; use cluster, status/) },
    });
    expect((await getJson(`${server.url}/v1/tasks?cluster=a&cluster=b`)).status).toBe(400);
    expect((await getJson(`${server.url}/v1/instances?service=web`)).status).toBe(400);
  });

  test('instances, filtered by cluster and status', async () => {
    const { view, server } = await started();
    for (const [id, status] of [
      ['i2', 'ACTIVE'],
      ['i1', 'DRAINING'],
    ])
      view.applyInstanceEvent({
        cluster: 'demo',
        clusterArn: `${ARN}:cluster/demo`,
        containerInstanceArn: `${ARN}:container-instance/demo/${id}`,
        version: 1,
        status,
        agentConnected: true,
      });
    const all = await getJson(`${server.url}/v1/instances?cluster=demo`);
    expect(all.body.items.map((i: any) => i.containerInstanceArn.split('/').pop())).toEqual(['i1', 'i2']);
    const draining = await getJson(`${server.url}/v1/instances?status=DRAINING`);
    expect(draining.body).toEqual({
      items: [
        {
          cluster: 'demo',
          containerInstanceArn: `${ARN}:container-instance/demo/i1`,
          ec2InstanceId: null,
          status: 'DRAINING',
          agentConnected: true,
          remainingCpu: null,
          remainingMemory: null,
          runningTasksCount: null,
          pendingTasksCount: null,
          version: 1,
          updatedAt: '2026-11-30T00:00:00.000Z',
        },
      ],
    });
  });
});

describe('GET /v1/tasks/{cluster}/{id}', () => {
  test('by task id, by full ARN (encoded or not); 404 JSON when absent', async () => {
    const { view, server } = await started();
    view.applyTaskEvent(task('demo', 'abc123'));
    expect((await getJson(`${server.url}/v1/tasks/demo/abc123`)).body.taskArn).toBe(
      `${ARN}:task/demo/abc123`,
    );
    const arn = `${ARN}:task/demo/abc123`;
    expect((await getJson(`${server.url}/v1/tasks/demo/${encodeURIComponent(arn)}`)).body.id).toBe('abc123');
    expect((await getJson(`${server.url}/v1/tasks/demo/${arn}`)).body.id).toBe('abc123');
    const missing = await getJson(`${server.url}/v1/tasks/demo/nope`);
    expect(missing).toMatchObject({ status: 404, body: { error: 'no task nope in cluster demo' } });
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await getJson(`${server.url}/v1/tasks/other/abc123`)).status).toBe(404);
    expect((await getJson(`${server.url}/v1/tasks/demo`)).status).toBe(404);
    expect((await getJson(`${server.url}/v1/nothing`)).status).toBe(404);
  });

  test('the API is read-only: other methods get 405', async () => {
    const { server } = await started();
    const res = await fetch(`${server.url}/v1/tasks`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('bearer token', () => {
  test('every /v1 path needs it: 401 with WWW-Authenticate without it or with a wrong one, 200 with it', async () => {
    const { server } = await started({ token: TOKEN });
    for (const path of ['/v1/tasks', '/v1/instances', '/v1/tasks/demo/x', '/v1/stream', '/v1/unknown']) {
      const none = await fetch(`${server.url}${path}`);
      expect({ path, status: none.status }).toEqual({ path, status: 401 });
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="ecs-gitops"');
      const wrong = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="ecs-gitops", error="invalid_token"');
      const body = await wrong.text();
      expect(body).not.toContain(TOKEN);
    }
    expect(
      (await fetch(`${server.url}/v1/tasks`, { headers: { authorization: `Basic ${TOKEN}` } })).status,
    ).toBe(401);
    const ok = await getJson(`${server.url}/v1/tasks`, { authorization: `Bearer ${TOKEN}` });
    expect(ok).toMatchObject({ status: 200, body: { items: [] } });
    expect((await getJson(`${server.url}/v1/tasks`, { authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  test('the other paths need no token', async () => {
    const { server } = await started({ token: TOKEN });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${server.url}/status`)).status).toBe(200);
  });

  test('an empty token is a configuration error', () => {
    expect(() => viewRoutes({ view: new EcsView(), token: '' })).toThrow(/must not be empty/);
  });
});

describe('GET /v1/stream', () => {
  /** Reads the stream's text until `until` matches. */
  async function readUntil(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    until: RegExp,
    sofar = { text: '' },
  ) {
    const decoder = new TextDecoder();
    while (!until.test(sofar.text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${String(until)}: ${sofar.text}`);
      sofar.text += decoder.decode(value, { stream: true });
    }
    return sofar.text;
  }

  test('delivers an upsert after a change, as server-sent events', async () => {
    const { view, server } = await started();
    const res = await fetch(`${server.url}/v1/stream`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    await readUntil(reader, /: ecs-gitops view stream\n\n/);
    view.applyTaskEvent(task('demo', 'abc'));
    const text = await readUntil(reader, /\n\n$/, { text: '' });
    const m = /^event: task\ndata: (.+)\n\n$/.exec(text);
    expect(m).not.toBeNull();
    expect(JSON.parse(m![1])).toMatchObject({
      type: 'task',
      op: 'upsert',
      item: { id: 'abc', cluster: 'demo' },
    });
    await reader.cancel();
  });

  test('?cluster= only streams that cluster', async () => {
    const { view, server } = await started();
    const reader = (await fetch(`${server.url}/v1/stream?cluster=demo`)).body!.getReader();
    await readUntil(reader, /view stream\n\n/);
    view.applyTaskEvent(task('other', 'x'));
    view.applyTaskEvent(task('demo', 'y'));
    const text = await readUntil(reader, /event: task\ndata: .*\n\n/, { text: '' });
    expect(text).not.toContain('"x"');
    expect(text).toContain('"id":"y"');
    await reader.cancel();
  });

  test('?snapshot=true sends the current entries first, then changes; a bad value is a 400', async () => {
    const { view, server } = await started();
    view.applyTaskEvent(task('demo', 'before'));
    view.applyTaskEvent(task('other', 'elsewhere'));
    const reader = (await fetch(`${server.url}/v1/stream?cluster=demo&snapshot=true`)).body!.getReader();
    const first = await readUntil(reader, /"id":"before".*\n\n/);
    expect(first).not.toContain('elsewhere');
    view.applyTaskEvent(task('demo', 'after'));
    expect(await readUntil(reader, /"id":"after"/, { text: '' })).toContain('"op":"upsert"');
    await reader.cancel();
    expect((await fetch(`${server.url}/v1/stream?snapshot=yes`)).status).toBe(400);
  });

  test('keep-alive comments while idle', async () => {
    const { server } = await started({ keepAliveMs: 30 });
    const reader = (await fetch(`${server.url}/v1/stream`)).body!.getReader();
    expect(await readUntil(reader, /(: keep-alive\n\n){2}/)).toMatch(/^: ecs-gitops view stream\n\n/);
    await reader.cancel();
  });

  test('server close ends the stream cleanly (the client reads its end, no error)', async () => {
    const { server } = await started();
    const reader = (await fetch(`${server.url}/v1/stream`)).body!.getReader();
    await readUntil(reader, /view stream\n\n/);
    const closing = server.close();
    servers.splice(servers.indexOf(server), 1);
    let done = false;
    while (!done) done = (await reader.read()).done;
    await closing;
  });

  test('a client that stops reading is disconnected once its buffer is full; the view goes on', async () => {
    const { view, server } = await started({ maxBufferedEvents: 5 });
    let closed = false;
    // Resolves on the response's headers: the server flushes them right before it subscribes the
    // stream to the view, so every change applied after this reaches the stream (no fixed sleep).
    const subscribed = new Promise<void>((resolve) => {
      const req = request(`${server.url}/v1/stream`, (res) => {
        res.pause(); // never reads: the server's writes back up
        res.socket.once('close', () => (closed = true));
        resolve();
      });
      req.end();
    });
    await subscribed;
    // How much the kernel's socket buffers absorb before the server's writes back up depends on the
    // machine, so changes keep coming in batches (yielding for the socket) until the server cuts it.
    const big = 'x'.repeat(1500);
    let applied = 0;
    while (!closed && applied < 200_000) {
      for (let i = 0; i < 500; i++, applied++)
        view.applyTaskEvent(task('demo', `t${applied}`, { stoppedReason: big }));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(closed).toBe(true);
    expect(view.size().tasks).toBe(applied);
  });

  test('a listener is removed when its client goes away', async () => {
    const { view, server } = await started();
    let listeners = 0;
    const subscribe = view.subscribe.bind(view);
    view.subscribe = (fn) => {
      listeners++;
      const off = subscribe(fn);
      return () => {
        listeners--;
        off();
      };
    };
    const reader = (await fetch(`${server.url}/v1/stream`)).body!.getReader();
    await readUntil(reader, /view stream\n\n/);
    expect(listeners).toBe(1);
    await reader.cancel();
    for (let i = 0; i < 50 && listeners > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(listeners).toBe(0);
  });
});
