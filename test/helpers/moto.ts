import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTestAwsEnv, TEST_REGION } from './aws-env';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/** A port nobody listens on right now: let the OS pick one, then release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A moto_server for this test file: the jest worker's own server from the pool that the moto
 * project's globalSetup started (test/moto-pool-setup.ts), reset, when there is one and the caller
 * needs no server environment; else a new one (`own`, or `env` for moto_server itself).
 */
export async function startMoto(opts: { env?: Record<string, string>; own?: boolean } = {}): Promise<Moto> {
  const pooled = !opts.own && !opts.env ? poolEndpoint() : undefined;
  if (pooled) {
    const moto = handle(pooled, async () => {});
    await moto.reset();
    return moto;
  }
  return spawnMoto(opts);
}

/** The pool's server for this worker (JEST_WORKER_ID counts from 1), if the run started a pool. */
function poolEndpoint(): string | undefined {
  const pool = (process.env.ECS_GITOPS_TEST_MOTO_POOL ?? '').split(',').filter(Boolean);
  if (pool.length === 0) return undefined;
  const worker = Math.max(1, Number(process.env.JEST_WORKER_ID ?? 1));
  return pool[(worker - 1) % pool.length];
}

function handle(endpoint: string, stop: () => Promise<void>): Moto {
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    stop,
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
  };
}

/**
 * Starts `moto_server` on a free port and waits until it answers. Fails loudly, never skips: a
 * missing moto_server is a broken test environment, not a reason to pass.
 */
async function spawnMoto(opts: { env?: Record<string, string> }): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let stderr = '';
  let exited: string | undefined;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const spawnError = new Promise<never>((_resolve, reject) => {
    child.on('error', (err) =>
      reject(new Error(`cannot start moto_server (is moto[server] installed and on PATH?): ${err.message}`)),
    );
  });
  child.on('exit', (code, signal) => {
    exited = `moto_server exited (code ${String(code)}, signal ${String(signal)})`;
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };

  const ready = (async () => {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (exited) throw new Error(`${exited} before answering on ${endpoint}.\nstderr:\n${stderr}`);
      try {
        const res = await fetch(`${endpoint}/moto-api/`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(
          `moto_server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000}s.\nstderr:\n${stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  try {
    await Promise.race([ready, spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }

  return handle(endpoint, stop);
}

/**
 * One moto for the whole test file, with fake credentials in the environment, reset before each
 * test. Read `endpoint` inside tests (moto starts in beforeAll). `env` goes to moto_server itself
 * (e.g. MOTO_ECS_SERVICE_RUNNING: how many tasks moto reports for every new service).
 */
export function useMoto(opts: { env?: Record<string, string> } = {}): Moto {
  let moto: Moto | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    restoreEnv = setTestAwsEnv();
    moto = await startMoto(opts);
  });
  afterAll(async () => {
    await moto?.stop();
    restoreEnv?.();
  });
  beforeEach(async () => moto?.reset());
  const started = (): Moto => {
    if (!moto) throw new Error('moto is not started yet: use it inside a test or a hook');
    return moto;
  };
  return {
    get endpoint() {
      return started().endpoint;
    },
    get port() {
      return started().port;
    },
    stop: () => started().stop(),
    reset: () => started().reset(),
  };
}

/**
 * An AWS SDK client of the test file's own on its moto (`useMoto`), for what a test checks itself:
 * made once moto has started (in Region TEST_REGION, with the fake credentials useMoto puts in the
 * environment), destroyed after the file. Call `client()` inside tests and hooks.
 */
export function useMotoClient<C extends { destroy(): void }>(
  moto: Moto,
  Client: new (config: { region: string; endpoint: string }) => C,
): () => C {
  let client: C | undefined;
  beforeAll(() => {
    client = new Client({ region: TEST_REGION, endpoint: moto.endpoint });
  });
  afterAll(() => client?.destroy());
  return () => {
    if (!client) throw new Error('moto is not started yet: use the client inside a test or a hook');
    return client;
  };
}
