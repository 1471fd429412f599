/**
 * The controller's RSS at N services (issue 15: 5,000, target < 200 MB), in a process of its own
 * (started twice by bench/controller-rss.ts) so that the benchmark's heap does not count.
 * `rss-child <N> <state file>`: when the file does not exist, converges a sandbox account of N
 * services and writes it there (the setup's garbage would stay in the measured process's RSS);
 * when it does, loads that account and runs the controller on the virtual clock over it
 * (bench/sandbox-controller.ts): its first reconcile (cold: reads every family) and a resync (warm),
 * then RSS and heap after a GC. The sandbox, holding the account's N services and revisions, lives
 * in this process too: the memory before the controller starts (after a GC, modules loaded, the
 * account loaded) is printed beside it. Prints one JSON line on stdout.
 */
import { existsSync } from 'node:fs';
import { sandboxController } from './sandbox-controller';

const gc = (globalThis as { gc?: () => void }).gc;

export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

function memory(): Memory {
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal };
}

async function main(): Promise<void> {
  const services = Number(process.argv[2]);
  const state = process.argv[3];
  if (!Number.isInteger(services) || services < 1 || !state) {
    throw new Error('usage: rss-child <services> <state file>');
  }
  const prepare = !existsSync(state);
  const s = await sandboxController(services, { resyncMs: 600_000, state });
  if (prepare) {
    await s.close();
    process.stdout.write(JSON.stringify({ prepared: state }) + '\n');
    return;
  }
  const before = memory();
  const t0 = process.hrtime.bigint();
  await s.clock.run(s.controller.start());
  const firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
  s.controller.resyncAll();
  await s.clock.run(s.controller.idle());
  const reconciles = await s.reconciles();
  const after = memory();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const calls = s.sb.callLog.total();
  const mutating = s.sb.callLog.mutatingTotal();
  await s.close();
  process.stdout.write(
    JSON.stringify({
      services,
      reconciles,
      calls,
      mutating,
      gcExposed: gc !== undefined,
      firstReconcileWallMs: firstMs,
      beforeController: before,
      withController: after,
      peakRss,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
