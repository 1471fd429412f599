/**
 * `run`'s terms of work (work-terms.ts WorkTerms) on the sandbox, with a repository given as a URL: a
 * leader's term has started only once its first sync of the repository succeeded (else `failed` is
 * told, and the elector steps down); a lone `run` keeps retrying a repository it cannot fetch yet.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { RunOptions } from '../../controller/cli/run';
import { WorkTerms } from '../../controller/cli/work-terms';
import { EcsView } from '../../controller/model/ecs-view';
import { createLogger } from '../../controller/telemetry/logger';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { commitAll, newRepo } from '../helpers/git-repo';

/** Every directory a test made (caches, repositories): removed after it. */
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A new repository with one commit, removed after the test. */
function committedRepo(message: string): string {
  const repo = newRepo();
  made.push(repo);
  commitAll(repo, message);
  return repo;
}

/** pino's numeric levels, as they are in each JSON line. */
const WARN = 40;
const ERROR = 50;

/** Terms on the sandbox for `repo` (polled hourly: only `push()` fetches again), and their log. */
function terms(repo: string): {
  work: WorkTerms;
  messages: () => string[];
  levelsOf: (msg: string) => number[];
} {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const opts: RunOptions = {
    repo,
    sandbox: true,
    path: [],
    port: '0',
    host: '127.0.0.1',
    resync: '10m',
    fetchInterval: '1h',
    cacheDir: tempDir('ecs-gitops-terms-cache-'),
    fullResync: '20m',
    stoppedTaskRetention: '1h',
    stoppedTaskMax: '10',
    leaseTable: 'leases',
    leaseDuration: '15s',
  };
  const work = new WorkTerms({
    opts,
    log: createLogger({ stream }),
    status: new StatusStore(),
    metrics: new ControllerMetrics(),
    view: new EcsView({ stoppedTaskRetentionMs: 3_600_000, maxStoppedTasksPerCluster: 10 }),
  });
  const records = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string });
  return {
    work,
    messages: () => records().map((r) => r.msg),
    levelsOf: (msg) => records().flatMap((r) => (r.msg === msg ? [r.level] : [])),
  };
}

/** A URL of a repository that does not exist (yet): `<dir>/repo`. */
function missingRepo(): { dir: string; url: string } {
  const dir = path.join(tempDir('ecs-gitops-terms-'), 'repo');
  return { dir, url: pathToFileURL(dir).href };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 80) throw new Error('not within 4 s');
    await new Promise((res) => setTimeout(res, 50));
  }
}

const count = (messages: string[], msg: string) => messages.filter((m) => m === msg).length;

test("a leader's term whose first sync fails has not started: `failed` is told why", async () => {
  const { url } = missingRepo();
  const { work, messages, levelsOf } = terms(url);
  const failed = jest.fn();
  work.begin(failed);
  try {
    await work.started();
    await until(() => failed.mock.calls.length > 0);
    expect(failed).toHaveBeenCalledTimes(1);
    // Our own wrapper and the URL, not git's text (translated under another locale).
    const told = String(failed.mock.calls[0][0]);
    expect(told).toMatch(/^Error: the first sync of the repository failed: /);
    expect(told).toContain(`git source ${url}: clone failed: `);
    expect(messages()).toContain('source sync failed');
    expect(levelsOf('could not start the controller')).toEqual([ERROR]);
  } finally {
    await work.end();
  }
});

test("a leader's term whose first sync passes has started; a later failed sync is logged, not told", async () => {
  const repo = committedRepo('nothing yet');
  const { work, messages } = terms(pathToFileURL(repo).href);
  const failed = jest.fn();
  work.begin(failed);
  try {
    await work.started();
    expect(messages()).toContain('new commit');
    rmSync(repo, { recursive: true, force: true });
    work.push();
    await until(() => count(messages(), 'source sync failed') === 1);
    // The chain is idle again: nothing more is coming.
    await work.started();
    expect(failed).not.toHaveBeenCalled();
    expect(messages()).not.toContain('could not start the controller');
  } finally {
    await work.end();
  }
});

test('a term ended before its first sync failed does not tell `failed` (the lease was lost meanwhile)', async () => {
  const { work, levelsOf } = terms(missingRepo().url);
  const failed = jest.fn();
  work.begin(failed);
  await work.end();
  // Expected once the term is ended: a warning, not an error.
  expect(levelsOf('could not start the controller')).toEqual([WARN]);
  expect(failed).not.toHaveBeenCalled();
});

test('a lone run (no `failed`) keeps its term when the first sync fails, and syncs once the repository is there', async () => {
  const { dir, url } = missingRepo();
  const { work, messages } = terms(url);
  work.begin();
  try {
    await work.started();
    expect(count(messages(), 'source sync failed')).toBe(1);
    expect(messages()).not.toContain('could not start the controller');
    work.push();
    await until(() => count(messages(), 'source sync failed') === 2);
    // The repository appears at the URL (in missingRepo's directory): the next fetch takes it.
    renameSync(committedRepo('first'), dir);
    work.push();
    await until(() => messages().includes('new commit'));
  } finally {
    await work.end();
  }
});
