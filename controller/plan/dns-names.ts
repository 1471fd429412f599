import type { HostedZoneInfo } from '../model/dns';

import { bareZoneId, comparedDnsName, isInZone } from '../model/dns-names';

export { bareZoneId, isInZone };

/**
 * DNS names in compared form: lower case, no trailing dot, Route53's `\ddd` octal escapes decoded
 * (it lists a wildcard as `\052`). Every comparison in the DNS planner is on this form.
 */
export const comparedName = comparedDnsName;

/** The name as written in a change batch: fully qualified with the trailing dot (Route53 takes `*` as given). */
export function toRoute53Name(name: string): string {
  return `${comparedName(name)}.`;
}

export interface ZoneOptions {
  /** cluster.yaml `dns.zoneId`: this zone and no other. */
  zoneId?: string;
  /** Whether private hosted zones may be chosen by suffix. */
  privateZones: boolean;
}

/**
 * The hosted zone a name belongs in, undefined when none fits.
 *
 * - With an explicit `zoneId` only that zone is considered (private or not: naming it is explicit
 *   consent), and only when the name is inside it.
 * - Otherwise the zone with the longest name the name is inside of (`example.com` for
 *   `www.example.com`, but `dev.example.com` if that zone exists too); private zones only when allowed.
 *   Equal names (split-horizon zones, a leftover copy): public before private, then the lowest id, so
 *   the choice is stable; `ambiguousZones` tells the planner to report it.
 */
export function zoneFor(
  name: string,
  zones: readonly HostedZoneInfo[],
  opts: ZoneOptions,
): HostedZoneInfo | undefined {
  return candidateZones(name, zones, opts)[0];
}

/** The other zones that tie with `zoneFor`'s choice (same zone name); empty when the choice is clear. */
export function ambiguousZones(
  name: string,
  zones: readonly HostedZoneInfo[],
  opts: ZoneOptions,
): HostedZoneInfo[] {
  const [best, ...rest] = candidateZones(name, zones, opts);
  return best ? rest.filter((z) => z.name === best.name) : [];
}

function candidateZones(name: string, zones: readonly HostedZoneInfo[], opts: ZoneOptions): HostedZoneInfo[] {
  const n = comparedName(name);
  if (opts.zoneId !== undefined) {
    const id = bareZoneId(opts.zoneId);
    return zones.filter((z) => bareZoneId(z.id) === id && isInZone(n, comparedName(z.name)));
  }
  return zones
    .filter((z) => (opts.privateZones || !z.private) && isInZone(n, comparedName(z.name)))
    .sort((a, b) => {
      const byLength = comparedName(b.name).length - comparedName(a.name).length;
      if (byLength !== 0) return byLength;
      if (a.private !== b.private) return a.private ? 1 : -1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}
