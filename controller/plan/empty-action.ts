import type { PlannedAction } from './plan-types';
import type { ResourceType } from '../model/action-result';

/** An action that changes nothing yet; planners fill in op, reason, changes and steps. */
export function emptyAction(
  id: string,
  resource: ResourceType,
  name: string,
  source: PlannedAction['source'],
): PlannedAction {
  return {
    id,
    resource,
    name,
    op: 'none',
    reason: '',
    changes: [],
    ...(source ? { source } : {}),
    dependsOn: [],
    steps: [],
  };
}
