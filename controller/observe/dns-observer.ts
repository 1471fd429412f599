import type { DesiredState } from '../model/desired';
import type { HostedZoneInfo } from '../model/dns';
import type { ObservedDns, ObservedRecord, ObservedState } from '../model/observed';
import type { ResolvedDnsTarget } from '../model/dns';
import { type DnsTargetPorts, resolveDnsTarget } from './dns-target-resolver';
import type { EcsReader } from './ecs-reader';
import type { Route53Reader } from './route53-reader';
import { bareZoneId } from '../model/dns-names';

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

export interface ClusterObserverDeps extends DnsTargetPorts {
  ecsReader: EcsReader;
  route53Reader: Route53Reader;
}

/** EcsReader.observe plus `dns` when the cluster config has `dns:` (what the CLI should call). */
export async function observeCluster(
  desired: DesiredState,
  deps: ClusterObserverDeps,
): Promise<ObservedState> {
  const [observed, dns] = await Promise.all([
    deps.ecsReader.observe(desired),
    observeDns(desired, deps, { route53: deps.route53Reader }),
  ]);
  return dns ? { ...observed, dns } : observed;
}
