import type { PlannedAction } from './plan-types';
import type { ResourceType } from '../model/action-result';

/** An action that changes nothing yet; planners fill in op, reason, changes and steps. */
export function emptyAction(
  id: string,
  resource: ResourceType,
  name: string,
  source: PlannedAction['source'],
): PlannedAction {
  // Two literals rather than a conditional spread in one: V8 re-shapes an object literal for every
  // key after a spread, and the planner makes one action per spec.
  return source
    ? { id, resource, name, op: 'none', reason: '', changes: [], source, dependsOn: [], steps: [] }
    : { id, resource, name, op: 'none', reason: '', changes: [], dependsOn: [], steps: [] };
}
