import type { PlannedAction } from './plan-types';

/**
 * What a reviewer calls an action, in the summary table of a pull-request plan and in JSON:
 * `replace` is a create that removes a resource of ours in the same step, `prune` removes what
 * ecs-gitops owns and the specs no longer ask for (a removed service, an old revision, a DNS
 * record no label claims), `delete` is what `destroy` removes, `kept` is an owned resource
 * `prune: false` keeps, `waiting` an unchanged action that is not finished.
 */
export type ActionKind =
  'create' | 'update' | 'replace' | 'delete' | 'prune' | 'conflict' | 'kept' | 'waiting' | 'unchanged';

export function actionKind(a: PlannedAction): ActionKind {
  switch (a.op) {
    case 'create':
      return a.replaces ? 'replace' : 'create';
    case 'update':
      return 'update';
    case 'delete':
      return a.steps.some(
        (s) =>
          s.call === 'drainService' ||
          s.call === 'deleteCluster' ||
          (s.call === 'deleteElbResource' && s.destroying === true) ||
          (s.call === 'deleteEventResource' && s.destroying === true),
      )
        ? 'delete'
        : 'prune';
    case 'conflict':
      return 'conflict';
    case 'orphan':
      return 'kept';
    case 'none':
      return a.pending !== undefined ? 'waiting' : 'unchanged';
  }
}
