/**
 * cluster.yaml `loadBalancer:` for an exported cluster: when the services' target groups all hang
 * off one Application Load Balancer, that balancer: by name, or, when ecs-gitops owns it, as the
 * `create:` that makes it. On a cluster ecs-gitops owns, the services whose target groups and rules
 * are its own are routed by their labels instead of their `loadBalancers` (export-routing.ts). Pure.
 */
import type { Service } from '../model/aws-types';
import {
  DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
  DEFAULT_TARGET_GROUP_SETTINGS,
  type ObservedTargetGroup,
  type TargetGroupSettings,
} from '../model/load-balancer';
import { ownedLoadBalancerName } from '../model/load-balancer-names';
import { ownedBy } from '../model/ownership';
import type { Obj } from '../plan/json-util';
import type { BalancerDetails } from './export-elb-reader';
import type { ClusterOwner } from './export-families';
import { HEALTH_CHECK_FIELDS } from './export-proxy-labels';
import { ownedRouting, type OwnedRouting, type ServiceTaskdef } from './export-routing';

/** A balancer forwarding to some of the services' target groups, as export reads it. */
export interface LiveBalancer {
  arn: string;
  name: string;
  /** `application`, `network`, `gateway`. */
  type: string;
  /** The services' target groups it forwards to. */
  targetGroupArns: string[];
  /** Read for a cluster ecs-gitops owns, when this is the one balancer. */
  details?: BalancerDetails;
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
  /** With `details`: the services' target groups, with tags (and attributes of ecs-gitops's own). */
  groups?: ObservedTargetGroup[];
}

/** What export writes for the load balancer. */
export interface ExportedLoadBalancer {
  /** cluster.yaml `loadBalancer:`. */
  section: Obj;
  /** On a cluster ecs-gitops owns: the services its labels route, and the labels to write. */
  routing?: OwnedRouting;
}

export interface BalancerContext {
  cluster: string;
  owner: ClusterOwner | undefined;
  taskdefOf: (service: string) => ServiceTaskdef | undefined;
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
 * The section when every target group of the services is forwarded to by one and the same
 * Application Load Balancer; otherwise undefined, with the reason in `notes` (when there are target
 * groups at all). A service whose target groups are not ecs-gitops's keeps its `loadBalancers` as
 * read: a service that writes its own gets no managed target group, so the export still plans no
 * change.
 */
export function exportedLoadBalancer(
  services: readonly { name: string; service: Service }[],
  live: LiveTargetGroups | undefined,
  notes: string[],
  ctx: BalancerContext,
): ExportedLoadBalancer | undefined {
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
  const alb = albs[0];
  const details = alb.details;
  if (!ctx.owner || !details) {
    notes.push(
      `cluster.yaml names load balancer ${alb.name}, which the services' target groups hang off; the services keep ` +
        'their loadBalancers as written in their .service files',
    );
    return { section: { name: alb.name } };
  }
  const routing = ownedRouting({
    cluster: ctx.cluster,
    owner: ctx.owner,
    services,
    details,
    groups: live.groups ?? [],
    taskdefOf: ctx.taskdefOf,
    notes,
  });
  const owned = ownedBy(details.tags, ctx.owner);
  const section: Obj = owned
    ? ownedBalancer(ctx.cluster, alb.name, details, ctx.owner, routing, notes)
    : { name: alb.name };
  Object.assign(
    section,
    settingsSection(routing.defaults, routing.managed.size > 0 ? routing.grace : undefined),
  );
  const routed = [...routing.managed].sort();
  notes.push(
    `cluster.yaml ${owned ? 'creates' : 'names'} load balancer ${alb.name}` +
      (routed.length > 0
        ? `; services ${routed.join(', ')} are routed by their containers' proxy.* labels (no loadBalancers in their .service files)`
        : ''),
  );
  return { section, routing };
}

/** `create:` with the balancer's network, its listeners of ecs-gitops, and the redirect. */
function ownedBalancer(
  cluster: string,
  name: string,
  details: BalancerDetails,
  owner: ClusterOwner,
  routing: OwnedRouting,
  notes: string[],
): Obj {
  const create: Obj = {
    ...(name !== ownedLoadBalancerName(cluster) ? { name } : {}),
    subnets: [...details.subnets].sort(),
    securityGroups: [...details.securityGroups].sort(),
    scheme: details.scheme,
    ...(details.ipAddressType !== 'ipv4' ? { ipAddressType: details.ipAddressType } : {}),
  };
  const listeners: Obj[] = [];
  for (const { listener: l, tags } of details.listeners) {
    if (!ownedBy(tags, owner)) {
      notes.push(
        `listener ${l.port} of load balancer ${name} is not ecs-gitops's: left out of loadBalancer.listeners`,
      );
      continue;
    }
    // The protocol follows from the certificate (HTTPS with one, HTTP without).
    listeners.push({
      port: l.port,
      ...(l.certificateArn !== undefined ? { certificateArn: l.certificateArn } : {}),
      ...(l.protocol === 'HTTPS' && l.sslPolicy !== undefined ? { sslPolicy: l.sslPolicy } : {}),
    });
  }
  return { create, listeners, ...(routing.redirect ? { redirectHttpToHttps: true } : {}) };
}

/** The cluster's target group defaults and grace period, where they are not ecs-gitops's own. */
function settingsSection(s: TargetGroupSettings, grace: number | undefined): Obj {
  const d = DEFAULT_TARGET_GROUP_SETTINGS;
  const out: Obj = {};
  const health: Obj = {};
  for (const f of HEALTH_CHECK_FIELDS)
    if (s.healthCheck[f] !== d.healthCheck[f]) health[f] = s.healthCheck[f];
  if (Object.keys(health).length > 0) out.healthCheck = health;
  if (s.deregistrationDelaySeconds !== d.deregistrationDelaySeconds)
    out.deregistrationDelaySeconds = s.deregistrationDelaySeconds;
  if (s.stickiness.enabled) out.stickiness = { enabled: true, durationSeconds: s.stickiness.durationSeconds };
  if (grace !== undefined && grace !== DEFAULT_HEALTH_CHECK_GRACE_SECONDS)
    out.healthCheckGracePeriodSeconds = grace;
  return out;
}
