import type { Change } from '@aws-sdk/client-route-53';
import type { Route53Port } from '../aws/route53-port';
import { batchChanges } from '../plan/dns-batches';
import type { ActionResult, Outcome, PlannedAction } from '../plan/plan-types';
import type { ApplyListener } from './apply-listener';
import { describeAwsError } from './aws-error';

const OUTCOME: Partial<Record<PlannedAction['op'], Outcome>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
};

/**
 * Applies the dnsRecord actions of a plan: per hosted zone, as few ChangeResourceRecordSets calls as
 * Route53's limits allow, each record with its TXT ownership record in the same batch. A rejected
 * batch is retried one action at a time, so that one bad record cannot block the others.
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

  for (const [zoneId, items] of byZone) {
    for (const item of items) listener?.actionStarted?.(item.action);
    const byId = new Map(items.map((i) => [i.action.id, i]));
    for (const batch of batchChanges(items.map((i) => ({ id: i.action.id, changes: i.changes })))) {
      const members = batch.ids.map((id) => byId.get(id) as (typeof items)[number]);
      try {
        const changeId = await send(route53, zoneId, batch.changes);
        for (const m of members) results.set(m.action.id, settle(m.action, undefined, listener, changeId));
      } catch (err) {
        if (members.length === 1) {
          results.set(members[0].action.id, failed(members[0].action, err, listener));
          continue;
        }
        // One bad record must not block the rest: try each record (with its TXT) on its own.
        for (const m of members) {
          try {
            const changeId = await send(route53, zoneId, m.changes);
            results.set(m.action.id, settle(m.action, undefined, listener, changeId));
          } catch (single) {
            results.set(m.action.id, failed(m.action, single, listener));
          }
        }
      }
    }
  }
  return actions.map((a) => results.get(a.id) as ActionResult);
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
): ActionResult {
  const result: ActionResult = {
    id: action.id,
    resource: action.resource,
    name: action.name,
    outcome: outcome ?? OUTCOME[action.op] ?? 'unchanged',
    message: action.op === 'conflict' ? `conflict: ${action.reason}` : action.reason,
  };
  if (action.source) result.source = action.source;
  if (changeId) result.changeId = changeId;
  listener?.actionFinished?.(action, result);
  return result;
}

function failed(action: PlannedAction, err: unknown, listener: ApplyListener | undefined): ActionResult {
  const { code, message } = describeAwsError(err);
  const result: ActionResult = {
    id: action.id,
    resource: action.resource,
    name: action.name,
    outcome: 'failed',
    message: `${code}: ${message}`,
    errorCode: code,
  };
  if (action.source) result.source = action.source;
  listener?.actionFinished?.(action, result);
  return result;
}
