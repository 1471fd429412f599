import type { Route53Port } from '../aws/route53-port';
import type { Clock } from '../aws/clock';

export interface DnsSyncResult {
  changeId: string;
  state: 'insync' | 'timeout';
}

/**
 * Waits until Route53 reports every change INSYNC (propagated to all its name servers), polling
 * GetChange once per pending change and round.
 */
export async function waitForDnsChanges(
  route53: Route53Port,
  changeIds: readonly string[],
  opts: { clock: Clock; timeoutMs: number; pollMs?: number },
): Promise<DnsSyncResult[]> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  const pending = new Set(changeIds);
  const done: DnsSyncResult[] = [];
  for (;;) {
    for (const id of [...pending]) {
      const out = await route53.getChange({ Id: id });
      if (out.ChangeInfo?.Status === 'INSYNC') {
        done.push({ changeId: id, state: 'insync' });
        pending.delete(id);
      }
    }
    if (pending.size === 0) break;
    if (opts.clock.now() >= deadline) {
      for (const id of pending) done.push({ changeId: id, state: 'timeout' });
      break;
    }
    await opts.clock.sleep(Math.min(opts.pollMs ?? 5000, Math.max(0, deadline - opts.clock.now())));
  }
  return done;
}
