import type { Plan } from './plan-types';

export interface PlanSummary {
  create: number;
  update: number;
  unchanged: number;
  conflict: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, unchanged: 0, conflict: 0 };
  for (const a of plan.actions) {
    if (a.op === 'create') s.create++;
    else if (a.op === 'update') s.update++;
    else if (a.op === 'none') s.unchanged++;
    else s.conflict++;
  }
  return s;
}

/** `2 to create, 1 to update, 3 unchanged, 0 conflicts` */
export function summaryCounts(s: PlanSummary): string {
  return `${s.create} to create, ${s.update} to update, ${s.unchanged} unchanged, ${s.conflict} ${s.conflict === 1 ? 'conflict' : 'conflicts'}`;
}
