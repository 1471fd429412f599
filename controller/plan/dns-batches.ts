import type { Change } from '../model/aws-types';

/**
 * Route53's limits on one ChangeResourceRecordSets request: at most 1000 ResourceRecord elements and
 * 32000 characters in all Value elements, where an UPSERT counts twice (it is a DELETE and a CREATE).
 * An alias record has no ResourceRecord elements; we count it as 1 element and 0 characters, so that
 * a batch never holds more than 1000 changes of any kind either.
 */
export interface BatchLimits {
  maxRecords: number;
  maxChars: number;
}

export const ROUTE53_LIMITS: BatchLimits = { maxRecords: 1000, maxChars: 32000 };

export interface ChangeCost {
  records: number;
  chars: number;
}

export function changeCost(change: Change): ChangeCost {
  const set = change.ResourceRecordSet;
  const factor = change.Action === 'UPSERT' ? 2 : 1;
  const values = set?.ResourceRecords ?? [];
  if (values.length === 0) return { records: factor, chars: 0 };
  const chars = values.reduce((n, r) => n + (r.Value?.length ?? 0), 0);
  return { records: values.length * factor, chars: chars * factor };
}

function itemCost(changes: readonly Change[]): ChangeCost {
  return changes.reduce(
    (sum, c) => {
      const cost = changeCost(c);
      return { records: sum.records + cost.records, chars: sum.chars + cost.chars };
    },
    { records: 0, chars: 0 },
  );
}

/**
 * Packs items (one dnsRecord action of a zone each: a record and its TXT) into requests, greedily
 * and in order. An item is never split: its record and TXT are written together or not at all. An
 * item that alone exceeds the limits goes alone (Route53 rejects it and the executor reports that
 * action as failed, without holding back the others). Items without changes are left out.
 */
export function batchChanges(
  items: readonly { id: string; changes: Change[] }[],
  limits: BatchLimits = ROUTE53_LIMITS,
): { ids: string[]; changes: Change[] }[] {
  const batches: { ids: string[]; changes: Change[] }[] = [];
  let current: { ids: string[]; changes: Change[] } | undefined;
  let used: ChangeCost = { records: 0, chars: 0 };
  for (const item of items) {
    if (item.changes.length === 0) continue;
    const cost = itemCost(item.changes);
    const fits =
      used.records + cost.records <= limits.maxRecords && used.chars + cost.chars <= limits.maxChars;
    if (!current || !fits) {
      current = { ids: [], changes: [] };
      batches.push(current);
      used = { records: 0, chars: 0 };
    }
    current.ids.push(item.id);
    current.changes.push(...item.changes);
    used = { records: used.records + cost.records, chars: used.chars + cost.chars };
  }
  return batches;
}
