/**
 * Every fenced `sh` block of README.md and docs/*.md runs, in a temp copy of the repository, and each
 * command exits as the doc says (0 unless a `# exit N` comment says otherwise). The convention is in
 * docs/testing.md, "The commands in these docs"; blocks marked ```sh aws need a real account and
 * are only counted.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { saveSandbox } from '../../controller/aws/sandbox/state-file';
import { createLegacyCluster, seedSandboxNetwork, SANDBOX_NETWORK } from '../helpers/legacy-cluster';
import { freePort } from '../helpers/moto';
import { newSandboxAccount } from '../helpers/sandbox';
import { ROOT, commandDocFiles, readDoc } from './doc-files';
import { blockScript, PREAMBLE, shBlocks } from './sh-blocks';

jest.setTimeout(600_000);

let template: string;
const made: string[] = [];

function git(cwd: string, args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore' });
}

/** The inputs of `npm run build` that git knows (new files included). */
function buildInputs(files: readonly string[]): string[] {
  return files.filter(
    (f) =>
      f.startsWith('controller/') ||
      f.startsWith('crds/') ||
      f === 'scripts/build-schema-validators.js' ||
      ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].includes(f),
  );
}

/**
 * Whether the repository's dist/ was built after its last source change (`npm ci` builds it through
 * `prepare`, `npm run build` and `npm start` keep it current): then the copy reuses it as it is.
 */
function distIsCurrent(files: readonly string[]): boolean {
  const info = path.join(ROOT, 'dist', '.tsbuildinfo');
  if (!fs.existsSync(info)) return false;
  const built = fs.statSync(info).mtimeMs;
  return buildInputs(files).every((f) => fs.statSync(path.join(ROOT, f)).mtimeMs <= built);
}

/**
 * The files git knows (new ones included, timestamps kept), node_modules linked, and the CLI compiled into dist/:
 * the repository's dist/ when it is current, else built in the copy (incrementally from it, if any).
 */
function repositoryCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-gitops-doc-template-'));
  made.push(dir);
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT })
    .toString('utf8')
    .split('\0')
    .filter((f) => f && f !== 'node_modules' && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { preserveTimestamps: true });
  }
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  const current = distIsCurrent(files);
  if (fs.existsSync(path.join(ROOT, 'dist'))) {
    fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true, preserveTimestamps: true });
  }
  if (!current) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: dir,
    });
    execFileSync(process.execPath, [
      path.join(ROOT, 'scripts/build-schema-validators.js'),
      path.join(dir, 'dist'),
    ]);
  }
  return dir;
}

/** A fresh copy for one doc file: a git repository with one commit, and its sandbox account. */
async function workCopy(): Promise<{ dir: string; sandbox: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-gitops-doc-'));
  made.push(dir);
  // Timestamps kept: `npm start` rebuilds dist/ only when a source is newer (scripts/ensure-built.js).
  fs.cpSync(template, dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=docs', '-c', 'user.email=docs@example.com', 'commit', '-q', '-m', 'docs test']);
  // The account the examples talk to: a cluster made by hand ("legacy", no ownership tags).
  const sandbox = path.join(os.tmpdir(), `${path.basename(dir)}-account.json`);
  made.push(sandbox);
  const account = newSandboxAccount();
  seedSandboxNetwork(account.elbv2, SANDBOX_NETWORK);
  await createLegacyCluster(account.ecs, SANDBOX_NETWORK);
  await saveSandbox(sandbox, account);
  return { dir, sandbox };
}

interface BlockRun {
  code: number | null;
  output: string;
}

const BLOCK_TIMEOUT_MS = 180_000;

/** Ends every process of the block's session (bash and the jobs it started, each its own group). */
function killSession(sid: number | undefined): void {
  if (sid === undefined) return;
  try {
    execFileSync('pkill', ['-KILL', '-s', String(sid)], { stdio: 'ignore' });
  } catch {
    // nothing left in it
  }
}

/** Runs one block's script as a session of its own, and ends what it left running. */
function runBlock(script: string, cwd: string, env: Record<string, string>): Promise<BlockRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      env: { ...process.env, ...env },
      detached: true, // setsid: the session id is bash's pid
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-6000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    const timer = setTimeout(() => {
      output += `\ndoc-test: the block did not end within ${BLOCK_TIMEOUT_MS / 1000} s`;
      killSession(child.pid);
    }, BLOCK_TIMEOUT_MS);
    // 'exit', not 'close': a process the block left running would keep the pipes open.
    child.on('exit', (code) => {
      clearTimeout(timer);
      killSession(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code, output });
    });
  });
}

/** Runs every sh block of one doc file in a fresh copy, in order; throws at the first that fails. */
async function runDocFile(file: string): Promise<void> {
  const { dir, sandbox } = await workCopy();
  const port = String(await freePort());
  const env = {
    DOC_WORK: dir,
    DOC_SANDBOX: sandbox,
    ECS_GITOPS_PORT: port,
    NO_COLOR: '1',
    // The examples name no credentials: only the sandbox and moto are ever reached.
    AWS_ACCESS_KEY_ID: 'docs-test',
    AWS_SECRET_ACCESS_KEY: 'docs-test',
    AWS_REGION: 'us-east-1',
  };
  for (const block of shBlocks(readDoc(file))) {
    if (block.flags.includes('aws') || block.flags.includes('docker')) continue;
    const script = blockScript(
      file,
      { ...block, body: block.body.map((l) => l.replace(/\b9090\b/g, port)) },
      PREAMBLE,
    );
    const run = await runBlock(script, dir, env);
    if (run.code !== 0) {
      throw new Error(`${file}:${block.line}: the block failed (exit ${String(run.code)}):\n${run.output}`);
    }
  }
}

/**
 * Doc files run side by side, this many at a time: each has its own copy, sandbox account and port,
 * and most of a block's time is waiting (a controller until /healthz, a rollout, moto starting).
 */
const DOC_FILES_AT_ONCE = 3;

/** Starts every file's run at once, at most `limit` running at a time; one promise per file. */
function runAll(docs: readonly string[], limit: number): Map<string, Promise<void>> {
  const runs = new Map<string, Promise<void>>();
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = (): void => {
    running--;
    waiting.shift()?.();
  };
  for (const file of docs) {
    const run = slot().then(() => runDocFile(file).finally(release));
    // Awaited by the file's test below; until then a failure must not count as unhandled.
    run.catch(() => undefined);
    runs.set(file, run);
  }
  return runs;
}

const files = commandDocFiles().filter((f) => shBlocks(readDoc(f)).length > 0);
let runs = new Map<string, Promise<void>>();

beforeAll(() => {
  template = repositoryCopy();
  runs = runAll(files, DOC_FILES_AT_ONCE);
});

afterAll(async () => {
  // A test that failed early leaves the other files' runs going: let them end before their copies go.
  await Promise.allSettled(runs.values());
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the commands in README.md, docs/ and the examples', () => {
  it('finds sh blocks to run, and marks few as needing real AWS or a Docker engine', () => {
    const blocks = files.flatMap((f) => shBlocks(readDoc(f)));
    const skipped = blocks.filter((b) => b.flags.includes('aws') || b.flags.includes('docker'));
    expect(blocks.length - skipped.length).toBeGreaterThanOrEqual(10);
    // The remote-repository controller, and deploying the controller (IAM, ECR, Docker) to AWS.
    expect(skipped.length).toBeLessThanOrEqual(6);
  });

  it.each(files)('every sh block of %s runs, each command with the exit code the doc states', (file) =>
    runs.get(file)!,
  );
});
