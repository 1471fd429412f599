import type { PlanError } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import type { Clock } from '../aws/clock';

/** What one plan-and-apply of a cluster did. */
export interface ApplyRound {
  results: ActionResult[];
  /** Found while planning: that round applied nothing. */
  planErrors: PlanError[];
  awsError?: { code: string; message: string };
}

export interface FinishPrunesOptions {
  clock: Clock;
  /** Epoch ms after which it stops waiting (shared by every cluster of one `apply --wait`). */
  deadline: number;
  pollMs?: number;
  /** Told, before each wait, which services are still waiting. */
  onWaiting?: (ids: string[]) => void;
}

/**
 * `apply --wait` and pruning: a removed service is deleted once its tasks have stopped, and a renamed
 * service's predecessor once the new one is stable. Re-plans and applies (`again`, given how long a
 * drain may be waited for) until no service is waiting, a round fails, or the deadline; old
 * revisions beyond one reconcile's share are left to later runs. Returns the rounds merged: a later
 * round's change replaces the earlier line of the same resource.
 */
export async function finishPrunes(
  first: ApplyRound,
  again: (drainWaitMs: number) => Promise<ApplyRound>,
  opts: FinishPrunesOptions,
): Promise<ApplyRound> {
  const now = () => opts.clock.now();
  const merged: ApplyRound = { ...first, results: [...first.results] };
  if (waitingServices(first.results).length === 0 || failed(first)) return merged;
  while (now() < opts.deadline) {
    opts.onWaiting?.(waitingServices(merged.results));
    await opts.clock.sleep(Math.min(opts.pollMs ?? PRUNE_POLL_MS, Math.max(0, opts.deadline - now())));
    const round = await again(Math.max(0, opts.deadline - now()));
    if (round.awsError) merged.awsError = round.awsError;
    if (round.planErrors.length > 0) merged.planErrors = round.planErrors;
    merged.results = mergeResults(merged.results, round.results, !failed(round));
    if (failed(round) || waitingServices(round.results).length === 0) break;
  }
  return merged;
}

const PRUNE_POLL_MS = 5_000;

/**
 * What is still waiting for something that ends on its own: a pruned service draining, a target
 * group until its service lets go of it, alias records until the balancer the plan made exists.
 */
function waitingServices(results: readonly ActionResult[]): string[] {
  return results.filter((r) => r.pending !== undefined).map((r) => r.id);
}

/** A round that failed, or one of whose actions did: waiting longer cannot make it converge. */
function failed(round: ApplyRound): boolean {
  return (
    round.awsError !== undefined ||
    round.planErrors.length > 0 ||
    round.results.some((r) => r.outcome === 'failed')
  );
}

/**
 * An `unchanged` line does not hide what an earlier round did, unless that one was still waiting.
 * A waiting line that a `complete` round (planned and applied in full) no longer has is done: its
 * action left the plan (alias records waiting for a new balancer become the records themselves).
 */
function mergeResults(
  before: readonly ActionResult[],
  later: readonly ActionResult[],
  complete: boolean,
): ActionResult[] {
  const byId = new Map(before.map((r) => [r.id, r]));
  if (complete) {
    const now = new Set(later.map((r) => r.id));
    for (const r of before) if (r.pending !== undefined && !now.has(r.id)) byId.delete(r.id);
  }
  for (const r of later) {
    const earlier = byId.get(r.id);
    if (r.outcome !== 'unchanged' || !earlier || earlier.pending !== undefined) byId.set(r.id, r);
  }
  return [...byId.values()];
}
