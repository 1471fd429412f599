import type { SourceRef } from '../model/source';
import { summarizePlan, type PlanSummary } from './plan-summary';
import type { ActionOp, FieldChange, Plan } from './plan-types';
import type { ResourceType } from '../model/action-result';
import { planHasChanges } from './plan-types';
import { actionKind, type ActionKind } from './action-kind';

export interface PlanJsonAction {
  id: string;
  /** What a reviewer calls it (plan/action-kind.ts): create, update, replace, delete, prune, ... */
  kind: ActionKind;
  resource: ResourceType;
  name: string;
  op: ActionOp;
  reason: string;
  source: SourceRef | null;
  changes: FieldChange[];
  /** Actions that must succeed first (when one fails, apply skips this one). */
  dependsOn: string[];
  /** Why the action is not finished yet (see PlannedAction.pending); null when it is. */
  pending: string | null;
}

export interface PlanJsonError {
  message: string;
  field: string | null;
  source: SourceRef | null;
}

export interface PlanJsonCluster {
  cluster: string;
  region: string | null;
  dir: string;
  changes: boolean;
  actions: PlanJsonAction[];
  /** Non-empty: the plan is not applied (plan.errors). */
  errors: PlanJsonError[];
  summary: PlanSummary;
  /**
   * cluster.yaml's `redaction:` (names whose values are shown, extra secret name patterns, where it
   * is written); null when the cluster has none and only the built-in rules apply.
   */
  redaction: PlanJsonRedaction | null;
}

export interface PlanJsonRedaction {
  exempt: string[];
  patterns: string[];
  source: SourceRef | null;
}

export interface PlanJson {
  /** Bumped when a field is removed or changes meaning; new fields may appear within a version. */
  schemaVersion: 1;
  clusters: PlanJsonCluster[];
}

/**
 * The plan as a stable JSON document (fixed key order, no AWS payloads or steps, secrets redacted),
 * described by schemas/plan.v1.json. Bump `schemaVersion` when a field changes meaning.
 */
export function planToJson(plans: readonly Plan[]): PlanJson {
  return {
    schemaVersion: 1,
    clusters: plans.map((plan) => ({
      cluster: plan.cluster,
      region: plan.region ?? null,
      dir: plan.dir,
      changes: planHasChanges(plan),
      actions: plan.actions.map((a) => ({
        id: a.id,
        kind: actionKind(a),
        resource: a.resource,
        name: a.name,
        op: a.op,
        reason: a.reason,
        source: a.source ? sourceJson(a.source) : null,
        changes: a.changes.map((c) => {
          const out: FieldChange = { path: c.path };
          if (c.before !== undefined) out.before = c.before;
          if (c.after !== undefined) out.after = c.after;
          if (c.sensitive) out.sensitive = true;
          return out;
        }),
        dependsOn: [...a.dependsOn],
        pending: a.pending ?? null,
      })),
      errors: plan.errors.map((e) => ({
        message: e.message,
        field: e.field ?? null,
        source: e.source ? sourceJson(e.source) : null,
      })),
      summary: summarizePlan(plan),
      redaction: plan.redaction
        ? {
            exempt: [...plan.redaction.exempt],
            patterns: [...plan.redaction.patterns],
            source: plan.redaction.source ? sourceJson(plan.redaction.source) : null,
          }
        : null,
    })),
  };
}

function sourceJson(s: SourceRef): SourceRef {
  return { file: s.file, line: s.line, column: s.column };
}
