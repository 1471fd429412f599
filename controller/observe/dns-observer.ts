import type { DesiredState } from '../model/desired';
import type { HostedZoneInfo } from '../model/dns';
import type { ObservedDns, ObservedRecord, ObservedState } from '../model/observed';
import type { ResolvedDnsTarget } from '../model/dns';
import { type DnsTargetPorts, resolveDnsTarget } from './dns-target-resolver';
import type { EcsReader, ObserveOptions } from './ecs-reader';
import type { Route53Reader } from './route53-reader';
import { bareZoneId, comparedDnsName } from '../model/dns-names';
import type { Elbv2Port } from '../aws/elbv2-port';
import type { ObservedLoadBalancer } from '../model/load-balancer';
import { readLoadBalancer } from './elbv2-reader';
import { type EventReadPorts, readEventResources, readEvents } from './events-reader';
import { TAG_EVENT_SOURCE, wantsOwnedEventSource } from '../model/events';
import { ownedBy } from '../model/ownership';

export interface DnsReaders {
  route53: Route53Reader;
}

/**
 * Which zones to read: every hosted zone the cluster may use (public ones, private ones when
 * configured, and the configured `zoneId`), not only the zones of the names wanted now. A zone whose
 * last managed name went away, or that `zoneId` no longer points at, still holds our records, and
 * only reading it finds them for deletion. A configured zoneId that does not exist is not read here:
 * the planner reports it.
 */
export function zonesToRead(desired: DesiredState, zones: HostedZoneInfo[]): string[] {
  const dns = desired.cluster.dns;
  if (!dns) return [];
  const pinned = dns.zoneId !== undefined ? bareZoneId(dns.zoneId) : undefined;
  return zones.filter((z) => dns.privateZones || !z.private || z.id === pinned).map((z) => z.id);
}

/**
 * What Route53 and the target's source have for one cluster's DNS; undefined when the cluster has
 * no `dns:`. A target that cannot be resolved is reported in `targetError` (AWS code and message),
 * not thrown, so that the rest of the plan can still be made; Route53 read errors propagate.
 */
export async function observeDns(
  desired: DesiredState,
  ports: DnsTargetPorts,
  readers: DnsReaders,
  /** The target already known (the cluster's own balancer, just read): not resolved again. */
  known?: ResolvedDnsTarget,
): Promise<ObservedDns | undefined> {
  const dns = desired.cluster.dns;
  if (!dns) return undefined;
  const resolving = known
    ? Promise.resolve(known)
    : resolveDnsTarget(dns.target, desired.cluster.name, ports);
  const target = resolving.then(
    (value) => ({ value }),
    (err: unknown) => ({ error: describeError(err) }),
  );
  const all = await readers.route53.hostedZones();
  const zones = all.filter((z) => dns.privateZones || !z.private);
  if (dns.zoneId !== undefined) {
    // A configured zone is used even when private; it then belongs in the list the planner sees.
    const configured = all.find((z) => z.id === bareZoneId(dns.zoneId ?? ''));
    if (configured && !zones.includes(configured)) zones.push(configured);
  }
  const ids = zonesToRead(desired, zones);
  const records = new Map<string, ObservedRecord[]>(
    await Promise.all(ids.map(async (id) => [id, await readers.route53.records(id)] as const)),
  );
  const resolved = await target;
  return {
    zones,
    records,
    ...('value' in resolved ? { target: resolved.value } : { targetError: resolved.error }),
  };
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string } | undefined;
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${e?.message ?? String(err)}`;
}

export interface ClusterObserverDeps {
  ecsReader: EcsReader;
  ecs: DnsTargetPorts['ecs'];
  /** Present when the cluster config has `dns:` (building these ports loads more SDK clients). */
  dns?: Omit<DnsTargetPorts, 'ecs'> & { route53Reader: Route53Reader };
  /** The shared load balancer's port; without it, `loadBalancer:` is left unread (the planner fails closed). */
  elbv2?: Elbv2Port;
  /** The event source's ports; without them, `events:` is left unread (the planner fails closed). */
  events?: EventReadPorts;
  /**
   * The event source's ports for a cluster whose marker tag says ecs-gitops made one the specs no
   * longer ask for; called only then, so that other clusters never load the SDK clients.
   */
  retiredEvents?: () => EventReadPorts | undefined;
}

/**
 * Everything a cluster's plan reads: ECS, plus Route53 when `dns:` is configured, the shared load
 * balancer when `loadBalancer:` is, and SQS and EventBridge when `events:` is (or when the cluster's
 * event-source marker says there is an owned one to prune, read after ECS). ECS is read beside
 * the others; alias records to the cluster's own balancer use the balancer just read rather than a
 * second describe.
 */
export async function observeCluster(
  desired: DesiredState,
  deps: ClusterObserverDeps,
  opts: ObserveOptions = {},
): Promise<ObservedState> {
  const lb = desired.cluster.loadBalancer;
  const owner = { ownerId: desired.cluster.ownerId, cluster: desired.cluster.name };
  const lbRead = lb && deps.elbv2 ? readLoadBalancer(lb, owner, deps.elbv2) : Promise.resolve(undefined);
  const dnsPorts = desired.cluster.dns ? deps.dns : undefined;
  const dnsRead = dnsPorts
    ? lbRead.then((balancer) =>
        observeDns(
          desired,
          { ecs: deps.ecs, elbv2: dnsPorts.elbv2, ec2: dnsPorts.ec2 },
          { route53: dnsPorts.route53Reader },
          managedTarget(desired, balancer),
        ),
      )
    : Promise.resolve(undefined);
  const eventsCfg = desired.cluster.events;
  const eventsRead =
    eventsCfg && deps.events
      ? readEvents(desired.cluster.name, eventsCfg, deps.events)
      : Promise.resolve(undefined);
  const [observed, loadBalancer, dns, events] = await Promise.all([
    deps.ecsReader.observe(desired, opts),
    lbRead,
    dnsRead,
    eventsRead,
  ]);
  // After ECS: only the cluster's tags tell whether there is a retired event source to read.
  const retiredEvents = opts.narrowed ? undefined : await readRetiredEvents(desired, observed, deps);
  return {
    ...observed,
    ...(dns ? { dns } : {}),
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(events ? { events } : {}),
    ...(retiredEvents ? { retiredEvents } : {}),
  };
}

/**
 * The rule and queues ecs-gitops made for a cluster whose specs no longer ask for them: read only
 * when the cluster is ours and carries the event-source marker, so that a cluster that never had
 * an owned event source pays no read for this.
 */
async function readRetiredEvents(
  desired: DesiredState,
  observed: ObservedState,
  deps: ClusterObserverDeps,
): Promise<ObservedState['retiredEvents']> {
  const cfg = desired.cluster;
  const live = observed.cluster;
  const owner = { ownerId: cfg.ownerId, cluster: cfg.name };
  if (wantsOwnedEventSource(cfg) || !live || !(TAG_EVENT_SOURCE in live.tags) || !ownedBy(live.tags, owner))
    return undefined;
  const ports = deps.retiredEvents?.();
  if (!ports) return { error: 'SQS and EventBridge were not read' };
  return readEventResources(cfg.name, ports);
}

/** The alias target of `dns.target: { loadBalancer: managed }` from the balancer as read. */
function managedTarget(
  desired: DesiredState,
  read: ObservedLoadBalancer | undefined,
): ResolvedDnsTarget | undefined {
  const target = desired.cluster.dns?.target;
  const b = read?.balancer;
  if (target?.kind !== 'loadBalancer' || !target.managed || !b?.dnsName || !b.canonicalHostedZoneId)
    return undefined;
  return {
    kind: 'alias',
    dnsName: comparedDnsName(b.dnsName),
    hostedZoneId: b.canonicalHostedZoneId,
    dualstack: b.ipAddressType.startsWith('dualstack'),
  };
}
