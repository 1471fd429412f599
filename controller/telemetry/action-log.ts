import { randomBytes } from 'node:crypto';
import type { ActionResult } from '../model/action-result';
import type { Logger } from './logger';

/** What every line of one reconcile carries, so that `jq 'select(.reconcileId == ...)'` finds them. */
export interface ReconcileContext {
  reconcileId: string;
  commit?: string;
  cluster: string;
}

/** A short id for one reconcile (12 hex characters), unique enough to join log lines. */
export function newReconcileId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * One log line per action: reconcile id, commit, cluster, resource, outcome (and the message, AWS
 * error code and ARN when there are). Failed actions log at error, skipped at warn, others at info.
 */
export function logActionResults(log: Logger, ctx: ReconcileContext, results: readonly ActionResult[]): void {
  for (const r of results) {
    const line = {
      reconcileId: ctx.reconcileId,
      ...(ctx.commit !== undefined ? { commit: ctx.commit } : {}),
      cluster: ctx.cluster,
      resource: r.id,
      outcome: r.outcome,
      ...(r.message !== undefined ? { detail: r.message } : {}),
      ...(r.errorCode !== undefined ? { errorCode: r.errorCode } : {}),
      ...(r.arn !== undefined ? { arn: r.arn } : {}),
    };
    const msg = `${r.outcome} ${r.id}`;
    if (r.outcome === 'failed') log.error(line, msg);
    else if (r.outcome === 'skipped') log.warn(line, msg);
    else log.info(line, msg);
  }
}
