import type { DesiredService, DesiredState } from '../model/desired';
import type {
  DesiredProxyTarget,
  LoadBalancerConfig,
  ObservedLoadBalancer,
  TargetGroupOverrides,
  TargetGroupSettings,
} from '../model/load-balancer';
import { targetGroupName } from '../model/load-balancer-names';
import type { SourceRef } from '../model/source';
import { sortBy } from './json-util';

/**
 * What the load balancer should route (docs/load-balancer.md): from the `proxy.host` containers of
 * the cluster's services, one target group per container and container port, and per listener one
 * host-header rule per five names. Pure.
 */

/** ELBv2 allows five values in a rule's conditions together. */
export const HOSTS_PER_RULE = 5;
/** ECS allows five target groups per service. */
export const TARGET_GROUPS_PER_SERVICE = 5;

export interface DesiredTargetGroup {
  /** `<service>/<container>/<containerPort>`: what the tags and rules know it by. */
  key: string;
  name: string;
  service: string;
  container: string;
  containerPort: number;
  targetType: 'ip' | 'instance';
  settings: TargetGroupSettings;
  /** Listener ports whose rules forward to it. */
  listenPorts: number[];
  hosts: string[];
  source: SourceRef;
  field: string;
}

export interface DesiredRule {
  /** `<target group key>@<listen port>#<n>`: written in the rule's tags. */
  key: string;
  targetGroup: DesiredTargetGroup;
  listenPort: number;
  /** At most HOSTS_PER_RULE, sorted. */
  hosts: string[];
  /** Its hosts are wildcards (`*.example.com`): such rules are placed after the exact ones. */
  wildcard: boolean;
}

/** Why a service gets no managed routing although its containers have `proxy.host`. */
export interface UnroutedService {
  service: string;
  reason: string;
  source: SourceRef;
}

export interface DesiredRouting {
  targetGroups: DesiredTargetGroup[];
  rules: DesiredRule[];
  /** Services that write `loadBalancers` in their own `.service` file: left as written. */
  unrouted: UnroutedService[];
}

/** Merges the cluster defaults with a container's label overrides. */
export function targetGroupSettings(
  cfg: LoadBalancerConfig,
  target: DesiredProxyTarget,
): TargetGroupSettings {
  return withOverrides(cfg.targetGroup, target.overrides);
}

/** The cluster defaults `d` with overrides `o` (stickiness `on` keeps the default duration). */
export function withOverrides(d: TargetGroupSettings, o: TargetGroupOverrides): TargetGroupSettings {
  return {
    healthCheck: { ...d.healthCheck, ...(o.healthCheck ?? {}) },
    deregistrationDelaySeconds: o.deregistrationDelaySeconds ?? d.deregistrationDelaySeconds,
    stickiness: o.stickiness
      ? {
          enabled: o.stickiness.enabled,
          durationSeconds: o.stickiness.durationSeconds ?? d.stickiness.durationSeconds,
        }
      : d.stickiness,
  };
}

/**
 * The target groups and rules the specs ask for. `observed` picks each group's name: the first name
 * unless a group of that name sits in a VPC other than the balancer's (then the alternate one).
 */
export function desiredRouting(
  desired: DesiredState,
  observed: ObservedLoadBalancer | undefined,
): DesiredRouting {
  const cfg = desired.cluster.loadBalancer;
  if (!cfg) return { targetGroups: [], rules: [], unrouted: [] };
  const services = new Map(desired.services.map((s) => [s.name, s]));
  const byService = new Map<string, DesiredProxyTarget[]>();
  for (const t of desired.proxyTargets ?? []) {
    if (!services.has(t.service)) continue;
    byService.set(t.service, [...(byService.get(t.service) ?? []), t]);
  }
  const targetGroups: DesiredTargetGroup[] = [];
  const unrouted: UnroutedService[] = [];
  for (const [service, targets] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const svc = services.get(service) as DesiredService;
    if (svc.body.loadBalancers !== undefined) {
      unrouted.push({
        service,
        source: svc.source,
        reason: 'its .service file writes loadBalancers: kept as written, no managed target group or rule',
      });
      continue;
    }
    for (const t of sortBy(targets, (x) => x.container))
      targetGroups.push(...groupsOf(desired, cfg, t, observed));
  }
  const rules = sortBy(targetGroups, (g) => g.key).flatMap(rulesOf);
  return { targetGroups: sortBy(targetGroups, (g) => g.key), rules, unrouted };
}

function groupsOf(
  desired: DesiredState,
  cfg: LoadBalancerConfig,
  t: DesiredProxyTarget,
  observed: ObservedLoadBalancer | undefined,
): DesiredTargetGroup[] {
  const byContainerPort = new Map<number, number[]>();
  for (const p of t.ports)
    byContainerPort.set(p.container, [...(byContainerPort.get(p.container) ?? []), p.listen]);
  const targetType = t.networkMode === 'awsvpc' ? 'ip' : 'instance';
  return [...byContainerPort]
    .sort(([a], [b]) => a - b)
    .map(([containerPort, listenPorts]) => {
      const id = {
        cluster: desired.cluster.name,
        service: t.service,
        container: t.container,
        containerPort,
        protocol: 'HTTP',
        targetType,
      };
      return {
        key: `${t.service}/${t.container}/${containerPort}`,
        name: pickName(id, observed),
        service: t.service,
        container: t.container,
        containerPort,
        targetType,
        settings: targetGroupSettings(cfg, t),
        listenPorts: [...new Set(listenPorts)].sort((a, b) => a - b),
        hosts: [...t.hosts].sort(),
        source: t.source,
        field: t.field,
      };
    });
}

/**
 * The first name, unless a group of that name is in a VPC other than the balancer's (a balancer
 * that moved): then the alternate name, so the new group can exist beside the old one until the
 * old one is released. Whichever name already has a group in the right VPC wins, so the choice is
 * stable once made.
 */
function pickName(
  id: Parameters<typeof targetGroupName>[0],
  observed: ObservedLoadBalancer | undefined,
): string {
  const first = targetGroupName(id);
  const vpc = observed?.balancer?.vpcId;
  if (!vpc || !observed) return first;
  const existing = observed.targetGroups.find((g) => g.name === first);
  if (!existing || existing.vpcId === undefined || existing.vpcId === vpc) return first;
  return targetGroupName(id, vpc);
}

/** Per listener port: exact names first in chunks of five, then wildcard names in chunks of five. */
function rulesOf(g: DesiredTargetGroup): DesiredRule[] {
  const exact = g.hosts.filter((h) => !/[*?]/.test(h));
  const wild = g.hosts.filter((h) => /[*?]/.test(h));
  const out: DesiredRule[] = [];
  for (const listenPort of g.listenPorts) {
    let n = 0;
    for (const [hosts, wildcard] of [
      [exact, false],
      [wild, true],
    ] as const) {
      for (let i = 0; i < hosts.length; i += HOSTS_PER_RULE) {
        out.push({
          key: `${g.key}@${listenPort}#${n++}`,
          targetGroup: g,
          listenPort,
          hosts: hosts.slice(i, i + HOSTS_PER_RULE),
          wildcard,
        });
      }
    }
  }
  return out;
}
