import type { PlannedAction } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';

/**
 * Progress of an apply, reported to whoever listens (the CLI logs it, the controller will turn it
 * into metrics) instead of printing from the core.
 */
export interface ApplyListener {
  actionStarted?(action: PlannedAction): void;
  actionFinished?(action: PlannedAction, result: ActionResult): void;
}
