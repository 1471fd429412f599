import type { EcsPort } from '../aws/ecs-port';
import { describeAwsError } from '../aws/aws-error';

/**
 * DeleteService, done once it is done: a delete whose answer was lost (the service went to
 * DRAINING, the caller saw a reset) is retried by the SDK, and AWS refuses the retry with
 * ServiceNotActiveException. A service no longer ACTIVE is being deleted, which is what was asked.
 */
export async function deleteServiceOnce(
  ecs: Pick<EcsPort, 'deleteService'>,
  input: Parameters<EcsPort['deleteService']>[0],
): Promise<void> {
  try {
    await ecs.deleteService(input);
  } catch (err) {
    if (describeAwsError(err).code !== 'ServiceNotActiveException') throw err;
  }
}
