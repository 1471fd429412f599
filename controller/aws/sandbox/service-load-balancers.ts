import type { LoadBalancer } from '@aws-sdk/client-ecs';
import { errors } from './errors';
import type { StoredRevision } from './sandbox-state';
import type { TargetGroupFacts } from './sandbox-elbv2';

/** What the ECS sandbox asks the ELBv2 sandbox of the same account. */
export interface TargetGroupLookup {
  targetGroupFacts(arn: string): TargetGroupFacts | undefined;
}

/** ECS: a service has at most 5 target groups. */
const MAX_LOAD_BALANCERS = 5;

/**
 * A service's `loadBalancers` as CreateService and UpdateService check them: each names a
 * container and a port of the task definition's portMappings; with the account's ELBv2 sandbox,
 * the target group must exist, be served by a load balancer, and have the target type the network
 * mode needs (`ip` for awsvpc, `instance` for bridge and host). Messages as ECS words them.
 */
export function checkServiceLoadBalancers(
  lbs: readonly LoadBalancer[],
  def: StoredRevision,
  elbv2: TargetGroupLookup | undefined,
): LoadBalancer[] {
  if (lbs.length > MAX_LOAD_BALANCERS) {
    throw errors.invalidParameter(`loadBalancers can have at most ${MAX_LOAD_BALANCERS} items.`);
  }
  const networkMode = def.def.networkMode ?? 'bridge';
  for (const lb of lbs) {
    if (lb.loadBalancerName !== undefined) {
      throw errors.invalidParameter('The sandbox does not model Classic Load Balancers: use targetGroupArn.');
    }
    const arn = lb.targetGroupArn ?? '';
    if (!arn) throw errors.invalidParameter('targetGroupArn must be specified for each load balancer.');
    if (!lb.containerName || lb.containerPort === undefined) {
      throw errors.invalidParameter(
        'containerName and containerPort must be specified for each load balancer.',
      );
    }
    const container = (def.def.containerDefinitions ?? []).find((c) => c.name === lb.containerName);
    if (!container) {
      throw errors.invalidParameter(
        `The container ${lb.containerName} does not exist in the task definition.`,
      );
    }
    if (!(container.portMappings ?? []).some((p) => p.containerPort === lb.containerPort)) {
      throw errors.invalidParameter(
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
      );
    }
    if (!elbv2) continue;
    const tg = elbv2.targetGroupFacts(arn);
    if (!tg) throw errors.invalidParameter(`The target group with targetGroupArn ${arn} does not exist.`);
    if (tg.loadBalancerArns.length === 0) {
      throw errors.invalidParameter(
        `The target group with targetGroupArn ${arn} does not have an associated load balancer.`,
      );
    }
    const needed = networkMode === 'awsvpc' ? 'ip' : 'instance';
    if (tg.targetType !== needed) {
      throw errors.invalidParameter(
        `The provided target group ${arn} has target type ${tg.targetType}, which is incompatible with the ${networkMode} network mode specified in the task definition.`,
      );
    }
  }
  return lbs.map((lb) => ({
    targetGroupArn: lb.targetGroupArn,
    containerName: lb.containerName,
    containerPort: lb.containerPort,
  }));
}
