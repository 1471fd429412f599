import type { ListResourceRecordSetsRequest, ResourceRecordSet } from '../model/aws-types';
import type { HostedZoneInfo } from '../model/dns';
import type { ObservedRecord } from '../model/observed';
import type { Route53Port } from '../aws/route53-port';
import { bareZoneId, comparedDnsName } from '../model/dns-names';

/** Route53's page limits: 100 hosted zones, 300 record sets. */
export const LIST_HOSTED_ZONES_PAGE = 100;
export const LIST_RECORDS_PAGE = 300;

/**
 * Reads Route53 through the port, following every page. Hosted zones are cached for the reader's
 * life (zones are created by people, rarely; `forgetZones()` after creating one); records are read
 * fresh on every call, because they are what changes.
 *
 * Read budget: ceil(zones/100) ListHostedZones once, then ceil(records/300) ListResourceRecordSets
 * per zone read.
 */
export class Route53Reader {
  private zones?: Promise<HostedZoneInfo[]>;

  constructor(private readonly route53: Route53Port) {}

  /** Every hosted zone visible to the account, public and private. */
  hostedZones(): Promise<HostedZoneInfo[]> {
    if (!this.zones) {
      const pending = this.listZones();
      this.zones = pending;
      // A failed listing is not cached: the next call asks again.
      pending.catch(() => {
        if (this.zones === pending) this.zones = undefined;
      });
    }
    return this.zones;
  }

  forgetZones(): void {
    this.zones = undefined;
  }

  private async listZones(): Promise<HostedZoneInfo[]> {
    const out: HostedZoneInfo[] = [];
    let marker: string | undefined;
    do {
      const page = await this.route53.listHostedZones({
        MaxItems: LIST_HOSTED_ZONES_PAGE,
        ...(marker !== undefined ? { Marker: marker } : {}),
      });
      for (const z of page.HostedZones ?? []) {
        out.push({
          id: bareZoneId(z.Id ?? ''),
          name: comparedDnsName(z.Name ?? ''),
          private: z.Config?.PrivateZone ?? false,
        });
      }
      marker = page.IsTruncated ? page.NextMarker || undefined : undefined;
    } while (marker !== undefined);
    return out;
  }

  /** Every record set of a zone, in Route53's order, in compared form (with the raw record kept). */
  async records(zoneId: string): Promise<ObservedRecord[]> {
    const id = bareZoneId(zoneId);
    const out: ObservedRecord[] = [];
    let next: Pick<
      ListResourceRecordSetsRequest,
      'StartRecordName' | 'StartRecordType' | 'StartRecordIdentifier'
    > = {};
    let more = true;
    while (more) {
      const page = await this.route53.listResourceRecordSets({
        HostedZoneId: id,
        MaxItems: LIST_RECORDS_PAGE,
        ...next,
      });
      for (const r of page.ResourceRecordSets ?? []) out.push(observedRecord(r));
      more = page.IsTruncated === true && !!page.NextRecordName;
      next = {
        StartRecordName: page.NextRecordName,
        ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
        ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
      };
    }
    return out;
  }
}

/** A record set in the planner's compared form; `raw` is what DELETE must repeat. */
export function observedRecord(r: ResourceRecordSet): ObservedRecord {
  return {
    name: comparedDnsName(r.Name ?? ''),
    type: r.Type ?? '',
    ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
    values: (r.ResourceRecords ?? []).map((v) => v.Value ?? ''),
    ...(r.AliasTarget
      ? {
          alias: {
            dnsName: comparedDnsName(r.AliasTarget.DNSName ?? ''),
            hostedZoneId: r.AliasTarget.HostedZoneId ?? '',
            evaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth ?? false,
          },
        }
      : {}),
    ...(r.SetIdentifier !== undefined ? { setIdentifier: r.SetIdentifier } : {}),
    raw: r,
  };
}
