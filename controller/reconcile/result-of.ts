import type { PlannedAction } from '../plan/plan-types';
import type { ActionResult, Outcome } from '../model/action-result';
import { describeAwsError } from '../aws/aws-error';
import { attemptsOf, isRetryableError } from '../aws/retryable';

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

/**
 * A failed action, with the AWS error code of what the port threw and the AWS call it came from
 * (when an SDK client made it: `AccessDeniedException: ... (ECS.CreateService)`). An error the retries could not
 * get past (throttling, 5xx, a reset, a timeout) says how many attempts were made and that running
 * again is safe: every run reads the account first and does only what is missing.
 */
export function failedResult(action: PlannedAction, err: unknown): ActionResult {
  const { code, message, operation } = describeAwsError(err);
  const attempts = attemptsOf(err);
  const notes = operation ? [operation] : [];
  if (isRetryableError(err)) {
    notes.push(
      `gave up after ${attempts ?? 'several'} attempt${attempts === 1 ? '' : 's'}`,
      'safe to re-run: apply reads what is in place first',
    );
  }
  const suffix = notes.length ? ` (${notes.join('; ')})` : '';
  return { ...resultOf(action, 'failed', `${code}: ${message}${suffix}`), errorCode: code };
}
