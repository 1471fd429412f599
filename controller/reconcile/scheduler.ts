import type { PlannedAction } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import type { ApplyListener } from './apply-listener';
import { resultOf } from './result-of';

/** Runs one action whose dependencies all succeeded; `dependencies` are their results (ARNs made). */
export type PerformAction = (action: PlannedAction, dependencies: ActionResult[]) => Promise<ActionResult>;

/**
 * Runs a plan's actions in dependency order: each action once, after the actions it depends on
 * (`dependsOn`, decided by the planner), concurrently with the ones it does not. An action is
 * `skipped` when one of its dependencies did not succeed; the others go on. Actions that change
 * nothing (`none`, `orphan`, `conflict`) are settled without calling `perform`.
 * Returns `run`: starts an action (and what it depends on), or joins it if it already started.
 */
export function createScheduler(
  actions: readonly PlannedAction[],
  perform: PerformAction,
  listener?: ApplyListener,
): (action: PlannedAction) => Promise<ActionResult> {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const started = new Map<string, Promise<ActionResult>>();

  const settle = async (action: PlannedAction): Promise<ActionResult> => {
    const dependencies = await Promise.all(
      action.dependsOn.flatMap((id) => {
        const dep = byId.get(id);
        return dep ? [run(dep)] : [];
      }),
    );
    const result = await decide(action, dependencies);
    listener?.actionFinished?.(action, result);
    return result;
  };

  const decide = async (action: PlannedAction, dependencies: ActionResult[]): Promise<ActionResult> => {
    if (action.op === 'none') {
      const result = resultOf(action, 'unchanged', action.reason);
      if (action.pending !== undefined) result.pending = action.pending;
      return result;
    }
    // Nothing changed, by the config's choice (`prune: false`): not a failure to converge.
    if (action.op === 'orphan') return resultOf(action, 'unchanged', action.reason);
    if (action.op === 'conflict') return resultOf(action, 'skipped', `conflict: ${action.reason}`);
    const blocked = dependencies.find((r) => r.outcome === 'failed' || r.outcome === 'skipped');
    if (blocked) return resultOf(action, 'skipped', `not attempted: ${blocked.id} was ${blocked.outcome}`);
    listener?.actionStarted?.(action);
    return perform(action, dependencies);
  };

  const run = (action: PlannedAction): Promise<ActionResult> => {
    let p = started.get(action.id);
    if (!p) {
      p = settle(action);
      started.set(action.id, p);
    }
    return p;
  };
  return run;
}
