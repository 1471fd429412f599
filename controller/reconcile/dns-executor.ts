import type { Change } from '../model/aws-types';
import type { Route53Port } from '../aws/route53-port';
import { batchChanges } from '../plan/dns-batches';
import type { PlannedAction } from '../plan/plan-types';
import type { ActionResult, Outcome } from '../model/action-result';
import type { ApplyListener } from './apply-listener';
import { failedResult, resultOf } from './result-of';
import { describeAwsError } from '../aws/aws-error';
import { isRetryableError } from '../aws/retryable';
import { changesInPlace } from './dns-in-place';

const OUTCOME: Partial<Record<PlannedAction['op'], Outcome>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
};

/**
 * Applies the dnsRecord actions of a plan: per hosted zone, as few ChangeResourceRecordSets calls as
 * Route53's limits allow, each record with its TXT ownership record in the same batch. A rejected
 * batch is retried one action at a time, so that one bad record cannot block the others; after a
 * failure, changes already in place in the zone (a lost answer) count as done.
 * Zones are written one after another: Route53 answers PriorRequestNotComplete to concurrent writes.
 */
export async function applyDnsActions(
  actions: readonly PlannedAction[],
  route53: Route53Port,
  listener?: ApplyListener,
): Promise<ActionResult[]> {
  const results = new Map<string, ActionResult>();
  const byZone = new Map<string, { action: PlannedAction; changes: Change[] }[]>();
  for (const action of actions) {
    const steps = action.steps.filter((s) => s.call === 'changeRecords');
    if (action.op === 'none' || action.op === 'conflict' || steps.length === 0) {
      results.set(action.id, settle(action, action.op === 'conflict' ? 'skipped' : 'unchanged', listener));
      continue;
    }
    for (const step of steps) {
      const zone = byZone.get(step.zoneId) ?? [];
      zone.push({ action, changes: step.changes });
      byZone.set(step.zoneId, zone);
    }
  }

  // Creates and updates everywhere first, deletes last: a name moving to another zone must exist in
  // its new zone before it goes from the old one, and a delete whose replacement failed is skipped.
  const failedNames = new Set<string>();
  const phases: ((a: PlannedAction) => boolean)[] = [(a) => a.op !== 'delete', (a) => a.op === 'delete'];
  for (const inPhase of phases) {
    for (const [zoneId, all] of byZone) {
      const items = all.filter((i) => inPhase(i.action));
      const ready = items.filter((i) => {
        if (i.action.op !== 'delete' || !failedNames.has(i.action.name)) return true;
        const why = `not attempted: the record replacing ${i.action.name} could not be written`;
        results.set(i.action.id, settle(i.action, 'skipped', listener, undefined, why));
        return false;
      });
      await applyZone(route53, zoneId, ready, results, listener);
    }
    for (const r of results.values()) if (r.outcome === 'failed') failedNames.add(r.name);
  }
  return actions.map((a) => results.get(a.id) as ActionResult);
}

async function applyZone(
  route53: Route53Port,
  zoneId: string,
  items: { action: PlannedAction; changes: Change[] }[],
  results: Map<string, ActionResult>,
  listener?: ApplyListener,
): Promise<void> {
  for (const item of items) listener?.actionStarted?.(item.action);
  const byId = new Map(items.map((i) => [i.action.id, i]));
  for (const batch of batchChanges(items.map((i) => ({ id: i.action.id, changes: i.changes })))) {
    const members = batch.ids.map((id) => byId.get(id) as (typeof items)[number]);
    try {
      const changeId = await send(route53, zoneId, batch.changes);
      for (const m of members) results.set(m.action.id, settle(m.action, undefined, listener, changeId));
    } catch (err) {
      // A batch whose answer was lost was applied all the same (and its retry was refused as
      // "already exists"): what is in place is done, not failed. Only such errors are worth the
      // re-read (two reads per record): after access denied or no such zone nothing was written.
      const left: typeof members = [];
      for (const m of members) {
        if (mayBeInPlace(err) && (await changesInPlace(route53, zoneId, m.changes))) {
          results.set(m.action.id, settle(m.action, undefined, listener));
        } else left.push(m);
      }
      // Only a batch Route53 rejected for its content is worth retrying record by record; a
      // zone-wide error (access denied, no such zone, throttling after the SDK's retries) would fail
      // every single retry too, at Route53's rate of a few requests per second.
      if (left.length <= 1 || !isBatchContentError(err)) {
        for (const m of left) results.set(m.action.id, failed(m.action, err, listener));
        continue;
      }
      // One bad record must not block the rest: try each record (with its TXT) on its own.
      for (const m of left) {
        try {
          const changeId = await send(route53, zoneId, m.changes);
          results.set(m.action.id, settle(m.action, undefined, listener, changeId));
        } catch (single) {
          const done = mayBeInPlace(single) && (await changesInPlace(route53, zoneId, m.changes));
          results.set(
            m.action.id,
            done ? settle(m.action, undefined, listener) : failed(m.action, single, listener),
          );
        }
      }
    }
  }
}

/** A failed write that may have been applied: its answer lost, or its retry refused as a duplicate. */
function mayBeInPlace(err: unknown): boolean {
  return isBatchContentError(err) || isRetryableError(err);
}

function isBatchContentError(err: unknown): boolean {
  const code = describeAwsError(err).code;
  return code === 'InvalidChangeBatch' || code === 'InvalidInput';
}

async function send(route53: Route53Port, zoneId: string, changes: Change[]): Promise<string | undefined> {
  const out = await route53.changeResourceRecordSets({
    HostedZoneId: zoneId,
    ChangeBatch: { Comment: 'ecs-gitops', Changes: changes },
  });
  return out.ChangeInfo?.Id;
}

function settle(
  action: PlannedAction,
  outcome: Outcome | undefined,
  listener: ApplyListener | undefined,
  changeId?: string,
  message?: string,
): ActionResult {
  const result = resultOf(
    action,
    outcome ?? OUTCOME[action.op] ?? 'unchanged',
    message ?? (action.op === 'conflict' ? `conflict: ${action.reason}` : action.reason),
  );
  if (changeId) result.changeId = changeId;
  if (action.pending !== undefined) result.pending = action.pending;
  listener?.actionFinished?.(action, result);
  return result;
}

function failed(action: PlannedAction, err: unknown, listener: ApplyListener | undefined): ActionResult {
  const result = failedResult(action, err);
  listener?.actionFinished?.(action, result);
  return result;
}
