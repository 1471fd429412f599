import type { RegisterTaskDefinitionRequest, TaskDefinition, Tag } from '../model/aws-types';
import type { EcsPort } from '../aws/ecs-port';
import type { Clock } from '../aws/clock';
import { isRetryableError, isThrottlingError, stampAttempts } from '../aws/retryable';
import { TAG_OWNER, tagsToMap } from '../model/ownership';
import { taskDefinitionDiff } from '../plan/normalize-taskdef';

/** As many attempts as the SDK's standard strategy makes for other calls (aws/clients.ts). */
export const REGISTER_MAX_ATTEMPTS = 8;

export interface Registered {
  taskDefinition: TaskDefinition;
  tags?: Tag[];
}

/**
 * RegisterTaskDefinition without duplicates. The SDK sends it once (SINGLE_ATTEMPT_OPERATIONS):
 * an attempt whose answer was lost (a reset, a timeout, a 5xx after the write) may have registered
 * the revision, and a blind retry would register a second, identical one that nothing uses. So
 * after any failed attempt the family's newest ACTIVE revision is read: if it is ours and equals the
 * spec (the planner's normalization), that is the revision; otherwise a retryable error is retried
 * with the SDK's backoff, up to REGISTER_MAX_ATTEMPTS attempts. The error that ends it carries the
 * attempts made in `$metadata.attempts`, as the SDK's errors do.
 */
export async function registerIdempotently(
  ecs: Pick<EcsPort, 'registerTaskDefinition' | 'describeTaskDefinition'>,
  input: RegisterTaskDefinitionRequest,
  clock: Clock,
  maxAttempts = REGISTER_MAX_ATTEMPTS,
): Promise<Registered> {
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await ecs.registerTaskDefinition(input);
      return {
        taskDefinition: out.taskDefinition as TaskDefinition,
        ...(out.tags ? { tags: out.tags } : {}),
      };
    } catch (err) {
      const existing = await registeredAlready(ecs, input);
      if (existing) return existing;
      if (!isRetryableError(err) || attempt >= maxAttempts) {
        stampAttempts(err, attempt);
        throw err;
      }
      await clock.sleep(backoffMs(attempt, isThrottlingError(err)));
    }
  }
}

/**
 * The family's newest ACTIVE revision when it is the one `input` would register (same body after
 * normalization, our owner tag); undefined otherwise, also when it cannot be read (the register is
 * then tried again, or its error reported).
 */
async function registeredAlready(
  ecs: Pick<EcsPort, 'describeTaskDefinition'>,
  input: RegisterTaskDefinitionRequest,
): Promise<Registered | undefined> {
  let out;
  try {
    out = await ecs.describeTaskDefinition({ taskDefinition: input.family, include: ['TAGS'] });
  } catch {
    return undefined;
  }
  const td = out.taskDefinition;
  if (!td || td.status !== 'ACTIVE') return undefined;
  const owner = tagsToMap(input.tags)[TAG_OWNER];
  if (owner === undefined || tagsToMap(out.tags)[TAG_OWNER] !== owner) return undefined;
  if (taskDefinitionDiff(input, td).length > 0) return undefined;
  return { taskDefinition: td, ...(out.tags ? { tags: out.tags } : {}) };
}

/**
 * The SDK's standard backoff: full jitter over an exponential ceiling, base 100 ms (500 ms after
 * throttling), at most 20 s.
 */
function backoffMs(attempt: number, throttled: boolean): number {
  const base = throttled ? 500 : 100;
  return Math.floor(Math.random() * Math.min(20_000, base * 2 ** (attempt - 1)));
}
