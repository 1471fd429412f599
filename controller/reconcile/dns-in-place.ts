import type { Change, ResourceRecordSet } from '../model/aws-types';
import type { Route53Port } from '../aws/route53-port';
import { observedRecord } from '../observe/route53-reader';
import { normalizeValue } from '../plan/dns-records';
import { bareZoneId, comparedDnsName, wireDnsName } from '../model/dns-names';

/**
 * Whether every change of a batch is already in place in the zone, read again after the batch
 * failed: a batch whose answer was lost (a reset, a timeout after Route53 took it) was applied, and
 * its retry is then refused with InvalidChangeBatch ("already exists" for a CREATE, "not found" for
 * a DELETE). A CREATE or UPSERT is in place when the record set exists with the same values (or
 * alias) and TTL; a DELETE when no such record set is left. A read that fails counts as not in place.
 */
export async function changesInPlace(
  route53: Pick<Route53Port, 'listResourceRecordSets'>,
  zoneId: string,
  changes: readonly Change[],
): Promise<boolean> {
  try {
    for (const change of changes) {
      const rrs = change.ResourceRecordSet;
      if (!rrs) return false;
      const live = await liveRecordSet(route53, zoneId, rrs);
      const inPlace = change.Action === 'DELETE' ? live === undefined : live !== undefined && same(live, rrs);
      if (!inPlace) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The zone's record set of that name, type and set identifier, if any (one ListResourceRecordSets). */
async function liveRecordSet(
  route53: Pick<Route53Port, 'listResourceRecordSets'>,
  zoneId: string,
  rrs: ResourceRecordSet,
): Promise<ResourceRecordSet | undefined> {
  const page = await route53.listResourceRecordSets({
    HostedZoneId: zoneId,
    StartRecordName: wireDnsName(rrs.Name ?? ''),
    StartRecordType: rrs.Type,
    ...(rrs.SetIdentifier !== undefined ? { StartRecordIdentifier: rrs.SetIdentifier } : {}),
    MaxItems: 1,
  });
  const first = page.ResourceRecordSets?.[0];
  const matches =
    first !== undefined &&
    comparedDnsName(first.Name ?? '') === comparedDnsName(rrs.Name ?? '') &&
    first.Type === rrs.Type &&
    first.SetIdentifier === rrs.SetIdentifier;
  return matches ? first : undefined;
}

function same(live: ResourceRecordSet, wanted: ResourceRecordSet): boolean {
  return JSON.stringify(comparable(live)) === JSON.stringify(comparable(wanted));
}

function comparable(r: ResourceRecordSet): unknown {
  const o = observedRecord(r);
  if (o.alias) {
    return {
      alias: o.alias.dnsName.replace(/^dualstack\./, ''),
      zone: bareZoneId(o.alias.hostedZoneId),
      health: o.alias.evaluateTargetHealth,
    };
  }
  return { ttl: o.ttl, values: [...new Set(o.values.map((v) => normalizeValue(o.type, v)))].sort() };
}
