import { STOPPING_ERROR } from '../aws/stop-gate';
import { LEASE_LOST_ERROR } from '../aws/write-fence';
import type { ActionResult } from '../model/action-result';
import type { ReconcileOutcomeLabel } from '../telemetry/metrics';
import type { ErrorLike } from '../telemetry/status';
import type { Logger } from '../telemetry/logger';
import { classifyActionFailures, type ReconcileResult } from './reconcile-result';

/** What /status records for a reconcile: its action results, or what stopped it before any action. */
export type StatusRecord =
  /** `partial`: a run that looked at some services only (an ECS event named them). */
  | { results: ActionResult[]; partial?: true }
  | { errors: readonly ErrorLike[] }
  | { failure: string }
  | { interrupted: true };

export interface ReconcileReport {
  cluster: string;
  commit?: string;
  seconds: number;
  record: StatusRecord;
  log: Logger;
}

/** A reconcile's result for the queue, with what the one place that reports it needs. */
export type ClusterReconcile = ReconcileResult & { report: ReconcileReport };

export const OUTCOME_LABEL: Record<ReconcileResult['kind'], ReconcileOutcomeLabel> = {
  done: 'success',
  requeue: 'success',
  transient: 'error',
  terminal: 'stalled',
};

/**
 * What an apply's action results tell the queue: interrupted by a stop (a write refused, see
 * aws/stop-gate.ts, or refused by the leader fence once the lease is lost, aws/write-fence.ts: the
 * next leader continues from what AWS holds); failed, transient or terminal by
 * the failed actions' AWS error codes; requeued when something ends on its own soon (a pruned
 * service draining, a renamed service's successor rolling out, a backlog of old revisions), so that
 * it is looked at again soon rather than at the resync; else done.
 */
export function outcomeOfApply(
  results: ActionResult[],
  requeueMs: number,
  log: Logger,
): { result: ReconcileResult; record: StatusRecord } {
  if (results.some((r) => r.errorCode === STOPPING_ERROR || r.errorCode === LEASE_LOST_ERROR)) {
    return {
      result: { kind: 'transient', error: 'stopped before the reconcile finished' },
      record: { interrupted: true },
    };
  }
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length > 0) {
    const first = failed[0];
    const error = `${failed.length} action(s) failed: ${first.id}: ${first.message ?? 'failed'}`;
    return { result: { kind: classifyActionFailures(failed), error }, record: { results } };
  }
  const pending = results.filter((r) => r.pending !== undefined);
  if (pending.length === 0) return { result: { kind: 'done' }, record: { results } };
  log.info(
    { pending: pending.map((r) => `${r.id}: ${r.pending ?? ''}`) },
    `${pending.length} action(s) waiting; looking again soon`,
  );
  return { result: { kind: 'requeue', afterMs: requeueMs }, record: { results } };
}
