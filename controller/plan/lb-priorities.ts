/**
 * Listener rule priorities. A rule of ours keeps the priority it has; a new rule takes the lowest
 * free priority (exact host names) or the highest free one (wildcards, so that `api.example.com`
 * is matched before `*.example.com`). Free means used by no rule on the listener, ours or not,
 * including rules this plan deletes (they are deleted after the creates). So a foreign rule's
 * priority is never taken and untouched rules are never renumbered. Pure.
 */

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 50000;

export interface PriorityRequest {
  key: string;
  wildcard: boolean;
}

/** Priorities for new rules, in key order (deterministic for the same input). */
export function allocatePriorities(
  used: Iterable<number>,
  requests: readonly PriorityRequest[],
): Map<string, number> {
  const taken = new Set(used);
  const out = new Map<string, number>();
  let low = MIN_PRIORITY;
  let high = MAX_PRIORITY;
  for (const r of [...requests].sort((a, b) => a.key.localeCompare(b.key))) {
    if (r.wildcard) {
      while (taken.has(high)) high--;
      out.set(r.key, high);
      taken.add(high);
    } else {
      while (taken.has(low)) low++;
      out.set(r.key, low);
      taken.add(low);
    }
  }
  return out;
}
