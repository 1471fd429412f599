/**
 * For a cluster ecs-gitops owns: which services its load balancer routes by their containers'
 * `proxy.*` labels (their target groups and rules carry its ownership tags), what the cluster's
 * target group defaults are, and the labels a container must have for the planner to find the live
 * target groups and rules unchanged. Pure.
 */
import type { Service } from '../model/aws-types';
import {
  DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
  DEFAULT_TARGET_GROUP_SETTINGS,
  TAG_ROUTE,
  TAG_TARGET,
  type ObservedTargetGroup,
  type TargetGroupOverrides,
  type TargetGroupSettings,
} from '../model/load-balancer';
import { targetGroupName } from '../model/load-balancer-names';
import { ownedBy, type TagMap } from '../model/ownership';
import { PROXY_HOST_LABEL, PROXY_PORTS_LABEL } from '../model/proxy-labels';
import { comparedDnsName } from '../model/dns-names';
import type { BalancerDetails } from './export-elb-reader';
import type { ClusterOwner } from './export-families';
import {
  HEALTH_CHECK_FIELDS,
  liveSettings,
  readOverrides,
  sameSettings,
  SETTINGS_LABELS,
  settingsLabels,
} from './export-proxy-labels';

/** The task definition a service runs, as its exported `.taskdef` holds it. */
export interface ServiceTaskdef {
  family: string;
  networkMode: string;
  containers: readonly { name: string; dockerLabels?: Readonly<Record<string, string>> }[];
}

export interface OwnedRouting {
  /** Services whose `loadBalancers` ecs-gitops makes from their labels: left out of the `.service`. */
  managed: Set<string>;
  /** Family -> container -> its labels as they must be written, where the `.taskdef` needs new ones. */
  labels: Map<string, Map<string, Record<string, string>>>;
  /** The cluster's target group defaults (those every group agrees on that no label overrides). */
  defaults: TargetGroupSettings;
  /** The grace period every managed service has (the cluster's default for them). */
  grace: number;
  /** The HTTP listener redirects to the HTTPS one. */
  redirect: boolean;
}

export interface OwnedRoutingInput {
  cluster: string;
  owner: ClusterOwner;
  services: readonly { name: string; service: Service }[];
  details: BalancerDetails;
  groups: readonly ObservedTargetGroup[];
  taskdefOf: (service: string) => ServiceTaskdef | undefined;
  notes: string[];
}

/** One container's target group as the balancer routes to it. */
interface Routed {
  family: string;
  container: string;
  labels: Readonly<Record<string, string>>;
  group: ObservedTargetGroup;
  containerPort: number;
  hosts: string[];
  listen: number[];
}

export function ownedRouting(input: OwnedRoutingInput): OwnedRouting {
  const { owner, details, notes } = input;
  const ours = (tags: TagMap) => ownedBy(tags, owner);
  const redirect = redirectsToHttps(details);
  const https = details.listeners.find((l) => l.listener.protocol === 'HTTPS')?.listener.port;
  const defaultListen = redirect && https !== undefined ? https : 80;
  const routes = rulesByGroup(details, ours);
  const byArn = new Map(input.groups.map((g) => [g.arn, g]));

  const managed = new Set<string>();
  const routed: Routed[] = [];
  for (const s of input.services) {
    const items = s.service.loadBalancers ?? [];
    if (items.length === 0) continue;
    const mine: Routed[] = [];
    let why: string | undefined;
    for (const item of items) {
      const g = byArn.get(item.targetGroupArn ?? '');
      const td = input.taskdefOf(s.name);
      const container = td?.containers.find((c) => c.name === item.containerName);
      const route = g && routes.get(g.arn);
      const key = `${s.name}/${item.containerName ?? ''}/${item.containerPort ?? ''}`;
      if (!g || !ours(g.tags))
        why = `target group ${g?.name ?? item.targetGroupArn ?? ''} is not ecs-gitops's`;
      else if (g.tags[TAG_TARGET] !== key) why = `target group ${g.name} was made for ${g.tags[TAG_TARGET]}`;
      else if (!td) why = `it does not run the revision its family's .taskdef holds`;
      else if (!container) why = `its task definition has no container ${item.containerName ?? ''}`;
      else if (!ourName(input.cluster, s.name, container.name, td.networkMode, g)) {
        why = `target group ${g.name} is not the one ecs-gitops makes for ${key} in a ${td.networkMode} task`;
      } else if (!route || route.hosts.size === 0) {
        why = `no rule of ecs-gitops forwards to target group ${g.name}`;
      } else {
        mine.push({
          family: td.family,
          container: container.name,
          labels: container.dockerLabels ?? {},
          group: g,
          containerPort: item.containerPort ?? 0,
          hosts: [...route.hosts].sort(),
          listen: [...route.listen].sort((a, b) => a - b),
        });
      }
      if (why) break;
    }
    if (why) {
      if (items.some((i) => ours(byArn.get(i.targetGroupArn ?? '')?.tags ?? {}))) {
        notes.push(
          `service ${s.name} keeps its loadBalancers in ${s.name}.service (${why}): applying the directory ` +
            'deletes the ecs-gitops rules that forward to it, as for any service that writes loadBalancers',
        );
      }
      continue;
    }
    managed.add(s.name);
    routed.push(...mine);
  }

  const byContainer = new Map<string, Routed[]>();
  for (const r of routed) {
    const k = `${r.family}\0${r.container}`;
    byContainer.set(k, [...(byContainer.get(k) ?? []), r]);
  }
  const entries = [...byContainer.values()];
  const defaults = inferDefaults(
    entries.map((e) => ({ overrides: readOverrides(e[0].labels), group: e[0].group })),
  );
  const labels = new Map<string, Map<string, Record<string, string>>>();
  for (const e of entries) {
    const written = labelsFor(e, defaults, defaultListen);
    if (!written) continue;
    const { family, container } = e[0];
    labels.set(
      family,
      (labels.get(family) ?? new Map<string, Record<string, string>>()).set(container, written),
    );
    notes.push(
      `${family}: the proxy.* labels of container ${container} are written from the load balancer's live ` +
        'routing (the running revision has other ones): applying the directory registers a new revision',
    );
  }
  // One note per task definition, however many services run it.
  const families = new Map(
    [...managed].map((name) => [input.taskdefOf(name)?.family, input.taskdefOf(name)]),
  );
  for (const td of families.values()) unroutedLabels(td, routed, notes);
  return { managed, labels, defaults, grace: agreedGrace(input.services, managed), redirect };
}

/** ELBv2 cannot rename a group: the planner finds it only under the name it gives it. */
function ourName(
  cluster: string,
  service: string,
  container: string,
  networkMode: string,
  g: ObservedTargetGroup,
): boolean {
  const targetType = networkMode === 'awsvpc' ? 'ip' : 'instance';
  const id = {
    cluster,
    service,
    container,
    containerPort: g.port ?? 0,
    protocol: 'HTTP',
    targetType,
  };
  return (
    g.targetType === targetType &&
    (g.name === targetGroupName(id) || (g.vpcId !== undefined && g.name === targetGroupName(id, g.vpcId)))
  );
}

function redirectsToHttps(details: BalancerDetails): boolean {
  return details.listeners.some(
    ({ listener: l }) =>
      l.protocol === 'HTTP' &&
      l.defaultActions[0]?.Type === 'redirect' &&
      l.defaultActions[0].RedirectConfig?.Protocol === 'HTTPS',
  );
}

/** Per target group ARN: the hosts and listener ports of the rules of ours that forward to it alone. */
function rulesByGroup(
  details: BalancerDetails,
  ours: (tags: TagMap) => boolean,
): Map<string, { hosts: Set<string>; listen: Set<number> }> {
  const out = new Map<string, { hosts: Set<string>; listen: Set<number> }>();
  for (const { listener } of details.listeners) {
    for (const r of listener.rules) {
      if (!ours(r.tags) || !r.tags[TAG_ROUTE] || r.otherConditions || r.forwardTo.length !== 1) continue;
      const route = out.get(r.forwardTo[0]) ?? { hosts: new Set<string>(), listen: new Set<number>() };
      for (const h of r.hosts) route.hosts.add(h);
      route.listen.add(listener.port);
      out.set(r.forwardTo[0], route);
    }
  }
  return out;
}

/**
 * Per setting, the value every group whose container does not set it agrees on; where they do not
 * agree (or none is left to say), ecs-gitops's default, and the groups that differ get a label.
 */
function inferDefaults(
  entries: readonly { overrides: TargetGroupOverrides | undefined; group: ObservedTargetGroup }[],
): TargetGroupSettings {
  const d = DEFAULT_TARGET_GROUP_SETTINGS;
  const live = entries.map((e) => ({ o: e.overrides ?? {}, s: liveSettings(e.group, d) }));
  const agreed = <T>(values: T[], fallback: T): T => {
    const keys = new Set(values.map((v) => JSON.stringify(v)));
    return keys.size === 1 ? values[0] : fallback;
  };
  const healthCheck = { ...d.healthCheck };
  for (const f of HEALTH_CHECK_FIELDS) {
    const values = live.filter((e) => e.o.healthCheck?.[f] === undefined).map((e) => e.s.healthCheck[f]);
    (healthCheck as Record<string, unknown>)[f] = agreed(values, d.healthCheck[f]);
  }
  if (healthCheck.timeoutSeconds >= healthCheck.intervalSeconds) {
    healthCheck.timeoutSeconds = d.healthCheck.timeoutSeconds;
    healthCheck.intervalSeconds = d.healthCheck.intervalSeconds;
  }
  const delay = agreed(
    live
      .filter((e) => e.o.deregistrationDelaySeconds === undefined)
      .map((e) => e.s.deregistrationDelaySeconds),
    d.deregistrationDelaySeconds,
  );
  const sticky = agreed(
    live
      .filter((e) => e.o.stickiness === undefined)
      .map((e) => (e.s.stickiness.enabled ? e.s.stickiness : { ...d.stickiness, enabled: false })),
    d.stickiness,
  );
  return { healthCheck, deregistrationDelaySeconds: delay, stickiness: sticky };
}

/**
 * The labels one container must have, when those it has do not give the live routing (hosts,
 * listener and container ports, settings over the cluster defaults); undefined when they do.
 */
function labelsFor(
  e: readonly Routed[],
  defaults: TargetGroupSettings,
  defaultListen: number,
): Record<string, string> | undefined {
  const labels = e[0].labels;
  const hosts = [...new Set(e.flatMap((r) => r.hosts))].sort();
  const pairs = [...new Set(e.flatMap((r) => r.listen.map((l) => `${l}:${r.containerPort}`)))].sort();
  const defaultPairs = [`${defaultListen}:80`];
  const overrides = readOverrides(labels);
  const sameHosts = sameList(labelHosts(labels[PROXY_HOST_LABEL]), hosts);
  const samePorts = sameList(labelPorts(labels[PROXY_PORTS_LABEL]) ?? defaultPairs, pairs);
  const sameGroups = overrides !== undefined && e.every((r) => sameSettings(defaults, overrides, r.group));
  if (sameHosts && samePorts && sameGroups) return undefined;
  // What still gives the live value is kept as written (the file changes no more than it must).
  const kept = Object.fromEntries(
    Object.entries(labels).filter(
      ([k]) =>
        !(k === PROXY_HOST_LABEL && !sameHosts) &&
        !(k === PROXY_PORTS_LABEL && !samePorts) &&
        !SETTINGS_LABELS.includes(k),
    ),
  );
  return {
    ...kept,
    ...(sameHosts ? {} : { [PROXY_HOST_LABEL]: hosts.join(' ') }),
    ...(samePorts || sameList(pairs, defaultPairs) ? {} : { [PROXY_PORTS_LABEL]: pairs.join(' ') }),
    ...settingsLabels(liveSettings(e[0].group, defaults), defaults),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A `proxy.host` value's names in compared form, sorted; a short name stays short (and differs). */
function labelHosts(value: string | undefined): string[] {
  const names = (value ?? '').split(/[\s,]+/).filter((n) => n !== '');
  return [...new Set(names.map((n) => comparedDnsName(n.trim())))].sort();
}

/** A `proxy.ports` value as `LISTEN:CONTAINER` pairs, sorted; undefined when absent. */
function labelPorts(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const pairs = value
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  return [...new Set(pairs.map((p) => (p.includes(':') ? p : `${p}:${p}`)))].sort();
}

/** A container with `proxy.host` that no live target group serves: the round trip would make one. */
function unroutedLabels(td: ServiceTaskdef | undefined, routed: readonly Routed[], notes: string[]): void {
  for (const c of td?.containers ?? []) {
    if (c.dockerLabels?.[PROXY_HOST_LABEL] === undefined) continue;
    if (routed.some((r) => r.family === td?.family && r.container === c.name)) continue;
    notes.push(
      `${td?.family ?? ''}: container ${c.name} has a proxy.host label and no target group of ecs-gitops: ` +
        'applying the directory creates one',
    );
  }
}

/** The grace period all managed services have, else ecs-gitops's default. */
function agreedGrace(services: readonly { name: string; service: Service }[], managed: Set<string>): number {
  const values = new Set(
    services.filter((s) => managed.has(s.name)).map((s) => s.service.healthCheckGracePeriodSeconds ?? 0),
  );
  return values.size === 1 ? [...values][0] : DEFAULT_HEALTH_CHECK_GRACE_SECONDS;
}
