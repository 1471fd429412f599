/**
 * Running git safely: execFile (no shell), hooks disabled, no terminal prompts, and every message
 * that can reach a log with URL credentials (`https://user:token@host`) masked.
 */
import { execFile, spawn } from 'node:child_process';

/** Masks the user-info part of every URL in `text`: `https://user:pw@host/x` -> `https://***@host/x`. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]+@/gi, '$1***@');
}

/** A git failure; the message names the command and git's own explanation, both redacted. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | string | undefined,
  ) {
    super(redactUrl(message));
    this.name = 'GitError';
  }
}

export interface GitRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kills git after this long (a hung fetch must not stall the controller forever). */
  timeoutMs?: number;
}

/** Settings that keep git from running anything we did not ask for, or from waiting on a human. */
const SAFETY = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];

/**
 * The environment git runs with: the caller's (credentials come from here as git reads them:
 * GIT_ASKPASS, GIT_SSH_COMMAND, credential helpers in git config), minus variables that would point
 * git at another repository, plus GIT_TERMINAL_PROMPT=0 so that a missing credential fails at once.
 */
export function gitEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: '0' };
  for (const key of [
    'GIT_DIR',
    'GIT_WORK_TREE',
    'GIT_INDEX_FILE',
    'GIT_COMMON_DIR',
    'GIT_OBJECT_DIRECTORY',
  ]) {
    delete out[key];
  }
  return out;
}

/** Runs `git <args>` and resolves with its stdout; rejects with a redacted GitError. */
export function runGit(args: string[], opts: GitRunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFETY, ...args],
      {
        cwd: opts.cwd,
        env: opts.env ?? gitEnv(),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        const detail = stderr.trim()
          ? stderr.trim().split('\n').slice(-5).join('; ')
          : `exit code ${String(error.code ?? error.signal ?? 'unknown')}`;
        const timedOut = error.killed && opts.timeoutMs ? ` (timed out after ${opts.timeoutMs} ms)` : '';
        reject(new GitError(`git ${args.join(' ')} failed${timedOut}: ${detail}`, error.code ?? undefined));
      },
    );
  });
}

/**
 * Runs `git <args>` with `input` on stdin and resolves with its stdout as bytes (`cat-file --batch`:
 * blobs are bytes, and their sizes count bytes). Rejects like runGit.
 */
export function runGitBytes(args: string[], input: string, opts: GitRunOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...SAFETY, ...args], {
      cwd: opts.cwd,
      env: opts.env ?? gitEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', (err) =>
      reject(new GitError(`git ${args.join(' ')} failed: ${err.message}`, undefined)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else {
        const detail = stderr.trim() ? stderr.trim().split('\n').slice(-5).join('; ') : `exit code ${code}`;
        reject(new GitError(`git ${args.join(' ')} failed: ${detail}`, code ?? undefined));
      }
    });
    child.stdin.end(input);
  });
}
