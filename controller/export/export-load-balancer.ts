/**
 * cluster.yaml `loadBalancer:` for an exported cluster: when the services' target groups all hang
 * off one Application Load Balancer, that balancer by name. Pure.
 */
import type { Service } from '../model/aws-types';

/** A balancer forwarding to some of the services' target groups, as export reads it. */
export interface LiveBalancer {
  arn: string;
  name: string;
  /** `application`, `network`, `gateway`. */
  type: string;
  /** The services' target groups it forwards to. */
  targetGroupArns: string[];
}

/** What ELBv2 says of the services' target groups (read only when a service has one). */
export interface LiveTargetGroups {
  balancers: LiveBalancer[];
  /** Target groups no balancer forwards to. */
  detached: string[];
  /** Target groups ELBv2 does not know (deleted while a service still names them). */
  missing: string[];
  /** ELBv2 could not be read (the error): nothing is known. */
  unreadable?: string;
}

/** The target group ARNs the services name, sorted, without repeats. */
export function serviceTargetGroups(services: readonly { service: Service }[]): string[] {
  const arns = new Set<string>();
  for (const { service } of services) {
    for (const lb of service.loadBalancers ?? []) if (lb.targetGroupArn) arns.add(lb.targetGroupArn);
  }
  return [...arns].sort();
}

/**
 * `{ name }` when every target group of the services is forwarded to by one and the same
 * Application Load Balancer; otherwise undefined, with the reason in `notes` (when there are target
 * groups at all). The services keep their `loadBalancers` as read: a service that writes its own
 * gets no managed target group, so the export still plans no change.
 */
export function exportedLoadBalancer(
  services: readonly { service: Service }[],
  live: LiveTargetGroups | undefined,
  notes: string[],
): { name: string } | undefined {
  const groups = serviceTargetGroups(services);
  if (groups.length === 0 || !live) return undefined;
  const skip = (why: string): undefined => {
    notes.push(`cluster.yaml gets no loadBalancer: ${why}`);
    return undefined;
  };
  if (live.unreadable !== undefined)
    return skip(`the services' target groups could not be read (${live.unreadable})`);
  if (live.missing.length > 0) return skip(`target group ${live.missing.join(', ')} does not exist`);
  if (live.detached.length > 0) {
    return skip(`no load balancer forwards to target group ${live.detached.join(', ')}`);
  }
  const albs = live.balancers.filter((b) => b.type === 'application');
  const others = live.balancers.filter((b) => b.type !== 'application');
  if (others.length > 0) {
    return skip(`the services use ${others.map((b) => `${b.type} load balancer ${b.name}`).join(', ')}`);
  }
  if (albs.length !== 1) {
    return skip(
      `the services' target groups hang off ${albs.length} load balancers (${albs.map((b) => b.name).join(', ')}); a cluster has one`,
    );
  }
  const name = albs[0].name;
  notes.push(
    `cluster.yaml names load balancer ${name}, which the services' target groups hang off; the services keep ` +
      'their loadBalancers as written in their .service files',
  );
  return { name };
}
