/**
 * A small copy of test/helpers/moto.ts for the benchmark (bench/ does not import from test/): starts
 * `moto_server` on a free port, waits until it answers, and can reset or stop it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  stop(): Promise<void>;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

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

/** Fails loudly: a benchmark without its backend has nothing to report. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let stderr = '';
  let exited: string | undefined;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    // moto logs every request on stderr: keep only the tail, for a startup failure message.
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
        throw new Error(`moto_server did not answer on ${endpoint} within 30s.\nstderr:\n${stderr}`);
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

  return {
    endpoint,
    stop,
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
  };
}

/**
 * The moto version, asked of the Python that runs `moto_server` (its shebang), falling back to
 * `python3`. "unknown" rather than failing: the version is for the record, not for the checks.
 */
export async function motoVersion(): Promise<string> {
  const run = (file: string, args: string[]) =>
    new Promise<string>((resolve) =>
      execFile(file, args, { timeout: 20_000 }, (err, stdout) => resolve(err ? '' : stdout.trim())),
    );
  const script = 'import moto; print(moto.__version__)';
  // pyenv puts a shell shim on PATH; `pyenv which` names the real script, whose shebang names Python.
  const real = (await run('pyenv', ['which', 'moto_server'])) || (await run('which', ['moto_server']));
  let python = 'python3';
  if (real) {
    const first = readFileSync(real, 'utf8').split('\n', 1)[0] ?? '';
    const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
    if (m && !m[1].endsWith('/env') && !m[1].endsWith('/bash') && !m[1].endsWith('/sh')) python = m[1];
  }
  return (await run(python, ['-c', script])) || (await run('python3', ['-c', script])) || 'unknown';
}
