import type { Service } from './aws-types';

/**
 * Where a service's newest (PRIMARY) deployment stands: COMPLETED or FAILED as ECS reports it; for
 * services without rolloutState (older deployment controllers), steady once only the primary remains
 * with all its tasks running.
 */
export function primaryRollout(service: Service): 'completed' | 'failed' | 'in-progress' {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary) return 'in-progress';
  if (primary.rolloutState === 'FAILED') return 'failed';
  if (primary.rolloutState === 'COMPLETED') return 'completed';
  if (
    primary.rolloutState === undefined &&
    (service.deployments?.length ?? 0) === 1 &&
    primary.runningCount === primary.desiredCount
  ) {
    return 'completed';
  }
  return 'in-progress';
}
