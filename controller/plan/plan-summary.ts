import type { Plan } from './plan-types';

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
  conflict: number;
  /** Owned, no longer in the specs, kept by `prune: false`. */
  orphan: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, unchanged: 0, conflict: 0, orphan: 0 };
  for (const a of plan.actions) {
    if (a.op === 'create') s.create++;
    else if (a.op === 'update') s.update++;
    else if (a.op === 'delete') s.delete++;
    else if (a.op === 'none') s.unchanged++;
    else if (a.op === 'orphan') s.orphan++;
    else s.conflict++;
  }
  return s;
}

/**
 * `2 to create, 1 to update, 3 unchanged, 0 conflicts`. `N to delete` and `N errors` appear only when
 * there are any, and so do `N kept by prune: false` (errors are plan.errors).
 */
export function summaryCounts(s: PlanSummary, errors = 0): string {
  const parts = [`${s.create} to create`, `${s.update} to update`];
  if (s.delete > 0) parts.push(`${s.delete} to delete`);
  parts.push(`${s.unchanged} unchanged`, `${s.conflict} ${s.conflict === 1 ? 'conflict' : 'conflicts'}`);
  if (s.orphan > 0) parts.push(`${s.orphan} kept by prune: false`);
  if (errors > 0) parts.push(`${errors} ${errors === 1 ? 'error' : 'errors'}`);
  return parts.join(', ');
}
