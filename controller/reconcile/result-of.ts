import type { PlannedAction } from '../plan/plan-types';
import type { ActionResult, Outcome } from '../model/action-result';
import { describeAwsError } from '../aws/aws-error';

/** The result of an action, named and sourced like the action. */
export function resultOf(action: PlannedAction, outcome: Outcome, message: string): ActionResult {
  const result: ActionResult = {
    id: action.id,
    resource: action.resource,
    name: action.name,
    outcome,
    message,
  };
  if (action.source) result.source = action.source;
  return result;
}

/** A failed action, with the AWS error code of what the port threw. */
export function failedResult(action: PlannedAction, err: unknown): ActionResult {
  const { code, message } = describeAwsError(err);
  return { ...resultOf(action, 'failed', `${code}: ${message}`), errorCode: code };
}
