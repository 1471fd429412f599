/**
 * The controller's RSS at N services (issue 15: 5,000, target < 200 MB), measured in child
 * processes (bench/rss-child.ts, through tsx, with --expose-gc): one converges the sandbox account
 * and writes it to a state file, the next loads it and runs the controller's first reconcile and a
 * resync, then reports RSS and heap after a GC. Both figures include the sandbox account (N
 * services and revisions held in that process) and the tsx loader: the memory before the
 * controller started is reported beside them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Check } from './checks';
import type { Memory } from './rss-child';

export const CONTROLLER_RSS_TARGET_BYTES = 200 * 1024 * 1024;

export interface ControllerRssReport {
  services: number;
  command: string;
  reconciles: number;
  /** Calls of the two reconciles (cold + warm), and how many mutated (0: the account is converged). */
  calls: number;
  mutating: number;
  firstReconcileWallMs: number;
  /** After a GC: modules and the sandbox account loaded, no controller yet. */
  beforeController: Memory;
  /** After a GC, after the two reconciles. */
  withController: Memory;
  /** Highest RSS of the measuring process (getrusage maxrss). */
  peakRss: number;
  wallSeconds: number;
}

const ROOT = path.resolve(__dirname, '..');

function child(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench/rss-child.ts'), ...args],
      { cwd: ROOT, maxBuffer: 1 << 20, timeout: 15 * 60_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`rss child: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

export async function benchControllerRss(services: number): Promise<ControllerRssReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-bench-rss-'));
  const state = path.join(dir, 'account.json');
  const wall0 = process.hrtime.bigint();
  try {
    await child([String(services), state]);
    const out = await child([String(services), state]);
    const line = out.trim().split('\n').pop() ?? '';
    const r = JSON.parse(line) as Omit<ControllerRssReport, 'command' | 'wallSeconds'>;
    return {
      ...r,
      command: `node --expose-gc --import tsx bench/rss-child.ts ${services} <state file>`,
      wallSeconds: Number(process.hrtime.bigint() - wall0) / 1e9,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

export function checkControllerRss(r: ControllerRssReport): Check[] {
  return [
    {
      size: r.services,
      name: `controller at ${r.services} services: its reconciles write nothing`,
      ok: r.mutating === 0 && r.reconciles >= 2,
      detail: `${r.reconciles} reconciles, ${r.calls} calls, ${r.mutating} mutating`,
    },
    {
      size: r.services,
      name: `controller RSS at ${r.services} services < ${mb(CONTROLLER_RSS_TARGET_BYTES)} (after a GC; sandbox and tsx included)`,
      ok: r.withController.rss < CONTROLLER_RSS_TARGET_BYTES,
      detail:
        `${mb(r.withController.rss)} (heap ${mb(r.withController.heapUsed)} used of ${mb(r.withController.heapTotal)}); ` +
        `before the controller ${mb(r.beforeController.rss)} (heap ${mb(r.beforeController.heapUsed)}); peak ${mb(r.peakRss)}`,
    },
  ];
}
