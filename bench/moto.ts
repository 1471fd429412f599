/**
 * moto for the benchmark: the same launcher as the tests (test/helpers/moto.ts: a free port, wait
 * until it answers, reset, stop), plus the version for the record.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

export { freePort, startMoto, type Moto } from '../test/helpers/moto';

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
