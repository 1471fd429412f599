import type { ResourceRecordSet } from '../model/aws-types';
import type { DesiredHostname, DnsRecordType, HostedZoneInfo, ResolvedDnsTarget } from '../model/dns';
import type { ObservedRecord } from '../model/observed';
import { bareZoneId, comparedName, toRoute53Name } from './dns-names';
import { compactJson, deepEqual } from './json-util';
import type { FieldChange } from './plan-types';

/** One record a host name needs, in compared form. */
export interface DesiredRecord {
  zone: HostedZoneInfo;
  name: string;
  type: DnsRecordType;
  /** Non-alias records only. */
  ttl?: number;
  /** Sorted, unique; empty for an alias. */
  values: string[];
  alias?: { dnsName: string; hostedZoneId: string; evaluateTargetHealth: boolean };
  host: DesiredHostname;
}

/**
 * The records for one name: an alias A (and AAAA when the balancer is dualstack); a CNAME with the
 * TTL; or A for the IPv4 and AAAA for the IPv6 addresses (whichever exist), values sorted.
 */
export function desiredRecordsFor(
  host: DesiredHostname,
  zone: HostedZoneInfo,
  target: ResolvedDnsTarget,
  ttl: number,
): DesiredRecord[] {
  const base = { zone, name: comparedName(host.name), host };
  switch (target.kind) {
    case 'alias': {
      const alias = {
        dnsName: target.dnsName,
        hostedZoneId: target.hostedZoneId,
        evaluateTargetHealth: true,
      };
      const types: DnsRecordType[] = target.dualstack ? ['A', 'AAAA'] : ['A'];
      return types.map((type) => ({ ...base, type, values: [], alias }));
    }
    case 'cname':
      return [{ ...base, type: 'CNAME', ttl, values: [comparedName(target.value)] }];
    case 'addresses': {
      const out: DesiredRecord[] = [];
      const v4 = uniqueSorted(target.ipv4.map((v) => normalizeValue('A', v)));
      const v6 = uniqueSorted(target.ipv6.map((v) => normalizeValue('AAAA', v)));
      if (v4.length > 0) out.push({ ...base, type: 'A', ttl, values: v4 });
      if (v6.length > 0) out.push({ ...base, type: 'AAAA', ttl, values: v6 });
      return out;
    }
  }
}

/** The record set a CREATE/UPSERT writes. */
export function recordSetOf(rec: DesiredRecord): ResourceRecordSet {
  const set: ResourceRecordSet = { Name: toRoute53Name(rec.name), Type: rec.type };
  if (rec.alias) {
    set.AliasTarget = {
      HostedZoneId: rec.alias.hostedZoneId,
      DNSName: rec.alias.dnsName,
      EvaluateTargetHealth: rec.alias.evaluateTargetHealth,
    };
  } else {
    set.TTL = rec.ttl;
    set.ResourceRecords = rec.values.map((Value) => ({ Value }));
  }
  return set;
}

export function txtRecordSet(name: string, value: string, ttl: number): ResourceRecordSet {
  return { Name: toRoute53Name(name), Type: 'TXT', TTL: ttl, ResourceRecords: [{ Value: value }] };
}

/** The comparable fields of a record: what must be equal for "no change". */
interface Comparable {
  ttl?: number;
  values?: string[];
  'alias.dnsName'?: string;
  'alias.hostedZoneId'?: string;
  'alias.evaluateTargetHealth'?: boolean;
}

const FIELDS: readonly (keyof Comparable)[] = [
  'values',
  'ttl',
  'alias.dnsName',
  'alias.hostedZoneId',
  'alias.evaluateTargetHealth',
];

function comparable(
  type: string,
  r: Pick<DesiredRecord, 'ttl' | 'values' | 'alias'> | ObservedRecord,
): Comparable {
  if (r.alias) {
    return {
      'alias.dnsName': aliasDnsName(r.alias.dnsName),
      'alias.hostedZoneId': bareZoneId(r.alias.hostedZoneId).toUpperCase(),
      'alias.evaluateTargetHealth': r.alias.evaluateTargetHealth,
    };
  }
  return { ttl: r.ttl, values: uniqueSorted(r.values.map((v) => normalizeValue(type, v))) };
}

/**
 * Field-level differences, desired vs live, after normalization: names and CNAME values in compared
 * form, addresses sorted (IPv6 in RFC 5952 form), an alias target without trailing dot and without the
 * `dualstack.` prefix Route53 adds to load balancer names, hosted zone ids without `/hostedzone/`.
 */
export function recordDiff(desired: DesiredRecord, live: ObservedRecord | undefined): FieldChange[] {
  const after = comparable(desired.type, desired);
  const before: Comparable = live ? comparable(live.type, live) : {};
  const out: FieldChange[] = [];
  for (const f of FIELDS) {
    if (deepEqual(before[f], after[f])) continue;
    const c: FieldChange = { path: f };
    if (before[f] !== undefined) c.before = before[f];
    if (after[f] !== undefined) c.after = after[f];
    out.push(c);
  }
  return out;
}

/** What a delete removes, field by field (all `before`). */
export function deletionChanges(live: ObservedRecord): FieldChange[] {
  const before = comparable(live.type, live);
  return FIELDS.filter((f) => before[f] !== undefined).map((f) => ({ path: f, before: before[f] }));
}

/** For reasons: `CNAME www.example.com -> lb.example.net`. */
export function describeRecord(r: ObservedRecord): string {
  const to = r.alias
    ? `alias ${aliasDnsName(r.alias.dnsName)}`
    : r.values.length === 1
      ? r.values[0]
      : compactJson(r.values);
  return `${r.type} ${r.name} -> ${to}`;
}

function aliasDnsName(name: string): string {
  return comparedName(name).replace(/^dualstack\./, '');
}

export function normalizeValue(type: string, value: string): string {
  const v = value.trim();
  if (type === 'CNAME') return comparedName(v);
  if (type === 'AAAA') return canonicalIpv6(v);
  return v;
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** RFC 5952 text form (lower case, no leading zeros, longest zero run as `::`); other input as is. */
export function canonicalIpv6(address: string): string {
  const a = address.toLowerCase();
  if (!/^[0-9a-f:]+$/.test(a) || (a.match(/::/g) ?? []).length > 1) return a;
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return a;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return a;
  const parts = groups.map((g) => parseInt(g, 16).toString(16));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return parts.join(':');
  return `${parts.slice(0, bestStart).join(':')}::${parts.slice(bestStart + bestLen).join(':')}`;
}
