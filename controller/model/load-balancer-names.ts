import { createHash } from 'node:crypto';

/**
 * Names of the ELBv2 resources ecs-gitops creates. ELBv2 names are at most 32 characters of
 * letters, digits and hyphens, not starting or ending with a hyphen, unique per account and Region.
 * Pure.
 */

export const ELB_NAME_MAX = 32;
export const ELB_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** Letters, digits and single hyphens, at most `max` characters, no hyphen at either end. */
export function elbSafe(s: string, max: number): string {
  return s
    .replace(/[^A-Za-z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/** The first part of every target group name of a cluster: lets the reader pick candidates by name. */
export function targetGroupStem(cluster: string): string {
  return elbSafe(cluster, 8) || 'ecs';
}

/** What makes a target group: any change is a new target group (ELBv2 cannot modify these). */
export interface TargetGroupIdentity {
  cluster: string;
  service: string;
  container: string;
  containerPort: number;
  protocol: string;
  targetType: string;
}

/**
 * `<cluster:8>-<service:10>-<port>-<hash:6>`, e.g. `demo-webserver-80-3f9a1c`: readable in the
 * console, stable across runs, and a new name whenever a property ELBv2 cannot modify changes, so
 * that a replacement is a new target group beside the old one (and a create retried after a lost
 * answer finds its own group by name). The VPC, also unmodifiable, is not part of it (an owned
 * balancer's VPC is only known once it exists): with `vpcId`, the alternate name the planner uses
 * when a group of the first name sits in another VPC.
 */
export function targetGroupName(id: TargetGroupIdentity, vpcId?: string): string {
  const parts: (string | number)[] = [
    id.cluster,
    id.service,
    id.container,
    id.containerPort,
    id.protocol,
    id.targetType,
  ];
  if (vpcId !== undefined) parts.push(vpcId);
  const hash = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 6);
  const tail = `-${id.containerPort}-${hash}`;
  const stem = targetGroupStem(id.cluster);
  const service = elbSafe(id.service, ELB_NAME_MAX - stem.length - 1 - tail.length);
  return service ? `${stem}-${service}${tail}` : `${stem}${tail}`;
}

/** An owned balancer's default name: the cluster's, made valid (`internal-` is reserved by ELBv2). */
export function ownedLoadBalancerName(cluster: string): string {
  const name = elbSafe(cluster.replace(/^internal-/i, ''), ELB_NAME_MAX);
  return name || 'ecs-gitops';
}
