import { createHash } from 'node:crypto';
import type {
  Change,
  ChangeInfo,
  ChangeResourceRecordSetsRequest,
  ChangeResourceRecordSetsResponse,
  GetChangeRequest,
  GetChangeResponse,
  HostedZone,
  ListHostedZonesRequest,
  ListHostedZonesResponse,
  ListResourceRecordSetsRequest,
  ListResourceRecordSetsResponse,
  ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { CallLog } from '../call-log';
import { withOperation } from '../aws-error';
import { type Clock, systemClock } from '../clock';
import type { Route53Port } from '../route53-port';
import { bareChangeId, bareZoneId, comparedDnsName, isInZone, wireDnsName } from '../../model/dns-names';
import { ROUTE53_THROTTLES } from '../throttle-groups';
import type { BucketSpec } from '../token-bucket';
import { AwsThrottling } from './aws-throttling';
import { route53Errors as errors } from './dns-errors';

/** Route53 limits (Route 53 Developer Guide, "Quotas" > "Quotas on API requests"). */
export const MAX_RECORDS_PER_REQUEST = 1000;
export const MAX_VALUE_CHARS_PER_REQUEST = 32000;
export const MAX_LIST_RECORDS = 300;
export const MAX_LIST_ZONES = 100;

const RECORD_TYPES = new Set([
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HTTPS',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
]);

/** The delegation set every sandbox zone gets, as Route53 assigns four name servers. */
const NAME_SERVERS = [
  'ns-2048.awsdns-64.com.',
  'ns-2049.awsdns-65.net.',
  'ns-2050.awsdns-66.org.',
  'ns-2051.awsdns-67.co.uk.',
];

/** A record set as stored: `Name` in compared form with a trailing dot (decoded, lower case). */
export interface StoredZone {
  id: string;
  /** Compared form, no trailing dot. */
  name: string;
  callerReference: string;
  private: boolean;
  comment?: string;
  records: ResourceRecordSet[];
}

export interface StoredChange {
  id: string;
  zoneId: string;
  submittedAt: number;
  comment?: string;
}

export interface StoredRoute53 {
  seq: number;
  zones: StoredZone[];
  changes: StoredChange[];
}

export interface SandboxRoute53Options {
  clock?: Clock;
  /** Calls are recorded as `Route53.<Operation>`. */
  callLog?: CallLog;
  /** Simulated seconds until a change is INSYNC. Default 2. */
  insyncSeconds?: number;
  /** A bucket per operation (`ChangeResourceRecordSets`), beside `awsThrottling` (aws-throttling.ts); an empty one throws `Throttling`. */
  throttle?: Record<string, BucketSpec>;
  /** "aws-like throttling": Route53's own buckets (throttle-groups.ts). Default off. */
  awsThrottling?: boolean;
  /**
   * Reject ChangeResourceRecordSets with PriorRequestNotComplete while the zone's previous change is
   * still PENDING (Route53 does this under load). Default false.
   */
  rejectWhilePending?: boolean;
}

type Out<T> = Promise<Omit<T, '$metadata'>>;

/**
 * A strict in-memory Route53 behind the Route53Port: Route53's record ordering and name escaping,
 * its change-batch validation (atomic, with Route53's messages) and request limits, PENDING -> INSYNC
 * on an injectable clock, and optional throttling.
 */
export class SandboxRoute53 implements Route53Port {
  readonly callLog: CallLog;
  insyncSeconds: number;
  rejectWhilePending: boolean;
  private readonly clock: Clock;
  private readonly throttling: AwsThrottling;
  private seq = 0;
  private readonly zones = new Map<string, StoredZone>();
  private readonly changes = new Map<string, StoredChange>();

  constructor(opts: SandboxRoute53Options = {}) {
    this.clock = opts.clock ?? systemClock;
    this.callLog = opts.callLog ?? new CallLog();
    this.insyncSeconds = opts.insyncSeconds ?? 2;
    this.rejectWhilePending = opts.rejectWhilePending ?? false;
    this.throttling = new AwsThrottling(ROUTE53_THROTTLES, this.clock);
    this.setThrottle(opts.throttle);
    this.setAwsThrottling(opts.awsThrottling ?? false);
  }

  /** Turns Route53's own buckets on, full, or off. */
  setAwsThrottling(on: boolean): void {
    this.throttling.setAws(on);
  }

  setThrottle(throttle: Record<string, BucketSpec> | undefined): void {
    this.throttling.setTable(throttle);
  }

  // ---------------------------------------------------------------- setup (not API calls)

  /**
   * Creates a hosted zone with its SOA and NS records, as Route53's CreateHostedZone does; returns the
   * bare id (`Z` + 13 characters). Not counted in the call log: ecs-gitops never creates zones.
   */
  createHostedZone(name: string, opts: { private?: boolean; comment?: string } = {}): string {
    const zoneName = comparedDnsName(name);
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(zoneName))
      throw errors.invalidInput(`Invalid domain name: ${name}`);
    this.seq++;
    const id = `Z${this.token(`zone/${this.seq}/${zoneName}`)}`;
    const apex = `${zoneName}.`;
    this.zones.set(id, {
      id,
      name: zoneName,
      callerReference: `sandbox-${this.seq}`,
      private: opts.private ?? false,
      ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
      records: sortRecords([
        { Name: apex, Type: 'NS', TTL: 172800, ResourceRecords: NAME_SERVERS.map((Value) => ({ Value })) },
        {
          Name: apex,
          Type: 'SOA',
          TTL: 900,
          ResourceRecords: [
            { Value: `${NAME_SERVERS[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` },
          ],
        },
      ]),
    });
    return id;
  }

  /** 13 upper-case alphanumerics derived from a seed (deterministic for a given history). */
  private token(seed: string): string {
    const n = BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 20)}`);
    return n.toString(36).toUpperCase().padStart(13, '0').slice(-13);
  }

  // ---------------------------------------------------------------- boundary

  private enter(op: string): void {
    this.callLog.record('Route53', op);
    if (!this.throttling.admit(op)) throw errors.throttling();
  }

  private call<T>(op: string, fn: () => T): Promise<T> {
    const run = new Promise<T>((resolve) => {
      this.enter(op);
      resolve(structuredClone(fn()));
    });
    return withOperation(`Route53.${op}`, run);
  }

  private zone(ref: string | undefined): StoredZone {
    const id = bareZoneId(ref ?? '');
    const zone = this.zones.get(id);
    if (!zone) throw errors.noSuchHostedZone(id);
    return zone;
  }

  // ---------------------------------------------------------------- zones

  listHostedZones(input: ListHostedZonesRequest): Out<ListHostedZonesResponse> {
    return this.call('ListHostedZones', () => {
      const max = Math.min(checkMaxItems(input.MaxItems, MAX_LIST_ZONES), MAX_LIST_ZONES);
      const all = [...this.zones.values()].filter(
        (z) =>
          input.HostedZoneType === undefined || (input.HostedZoneType === 'PrivateHostedZone') === z.private,
      );
      let start = 0;
      if (input.Marker !== undefined) {
        start = all.findIndex((z) => z.id === bareZoneId(input.Marker ?? ''));
        if (start < 0) throw errors.invalidInput(`Invalid marker: ${input.Marker}`);
      }
      const page = all.slice(start, start + max);
      const next = all[start + max];
      return {
        HostedZones: page.map((z) => this.zoneOut(z)),
        Marker: input.Marker,
        IsTruncated: next !== undefined,
        ...(next ? { NextMarker: next.id } : {}),
        MaxItems: max,
      };
    });
  }

  private zoneOut(z: StoredZone): HostedZone {
    return {
      Id: `/hostedzone/${z.id}`,
      Name: wireDnsName(z.name),
      CallerReference: z.callerReference,
      Config: { PrivateZone: z.private, ...(z.comment !== undefined ? { Comment: z.comment } : {}) },
      ResourceRecordSetCount: z.records.length,
    };
  }

  // ---------------------------------------------------------------- records

  listResourceRecordSets(input: ListResourceRecordSetsRequest): Out<ListResourceRecordSetsResponse> {
    return this.call('ListResourceRecordSets', () => {
      const zone = this.zone(input.HostedZoneId);
      // Route53 returns at most 300 record sets per page, whatever MaxItems asks for.
      const max = Math.min(checkMaxItems(input.MaxItems, MAX_LIST_RECORDS), MAX_LIST_RECORDS);
      if (input.StartRecordType !== undefined && input.StartRecordName === undefined) {
        throw errors.invalidInput('The input is not valid: StartRecordType requires StartRecordName.');
      }
      if (input.StartRecordIdentifier !== undefined && input.StartRecordType === undefined) {
        throw errors.invalidInput('The input is not valid: StartRecordIdentifier requires StartRecordType.');
      }
      let start = 0;
      if (input.StartRecordName !== undefined) {
        const key: SortKey = [
          reversedKey(comparedDnsName(input.StartRecordName)),
          input.StartRecordType ?? '',
          input.StartRecordIdentifier ?? '',
        ];
        start = zone.records.findIndex((r) => compareKeys(sortKey(r), key) >= 0);
        if (start < 0) start = zone.records.length;
      }
      const page = zone.records.slice(start, start + max);
      const next = zone.records[start + max];
      return {
        ResourceRecordSets: page.map(recordOut),
        IsTruncated: next !== undefined,
        ...(next
          ? {
              NextRecordName: wireDnsName(next.Name ?? ''),
              NextRecordType: next.Type,
              ...(next.SetIdentifier !== undefined ? { NextRecordIdentifier: next.SetIdentifier } : {}),
            }
          : {}),
        MaxItems: max,
      };
    });
  }

  changeResourceRecordSets(input: ChangeResourceRecordSetsRequest): Out<ChangeResourceRecordSetsResponse> {
    return this.call('ChangeResourceRecordSets', () => {
      const zone = this.zone(input.HostedZoneId);
      const changes = input.ChangeBatch?.Changes ?? [];
      if (changes.length === 0) {
        throw errors.invalidInput(
          "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      this.checkLimits(changes);
      const normalized = changes.map((c) => normalizeChange(c));
      if (this.rejectWhilePending && this.pending(zone.id)) throw errors.priorRequestNotComplete();
      // Route53 applies the batch in order on a copy and keeps it only when every change succeeded.
      const working = zone.records.map((r) => structuredClone(r));
      const problems: string[] = [];
      for (const change of normalized) {
        const problem = applyChange(zone, working, change);
        if (problem) problems.push(problem);
      }
      if (problems.length > 0) throw errors.invalidChangeBatch(problems);
      zone.records = sortRecords(working);
      this.seq++;
      const id = `C${this.token(`change/${this.seq}/${zone.id}`)}`;
      const stored: StoredChange = {
        id,
        zoneId: zone.id,
        submittedAt: this.clock.now(),
        ...(input.ChangeBatch?.Comment !== undefined ? { comment: input.ChangeBatch.Comment } : {}),
      };
      this.changes.set(id, stored);
      return { ChangeInfo: this.changeOut(stored) };
    });
  }

  /** 1000 ResourceRecord elements and 32000 value characters per request; UPSERT counts twice. */
  private checkLimits(changes: Change[]): void {
    let records = 0;
    let chars = 0;
    for (const c of changes) {
      const weight = c.Action === 'UPSERT' ? 2 : 1;
      for (const rr of c.ResourceRecordSet?.ResourceRecords ?? []) {
        records += weight;
        chars += weight * (rr.Value ?? '').length;
      }
    }
    if (records > MAX_RECORDS_PER_REQUEST) {
      throw errors.invalidChangeBatch([`Number of records limit of ${MAX_RECORDS_PER_REQUEST} exceeded.`]);
    }
    if (chars > MAX_VALUE_CHARS_PER_REQUEST) {
      throw errors.invalidChangeBatch([`RDATA character limit of ${MAX_VALUE_CHARS_PER_REQUEST} exceeded.`]);
    }
  }

  private pending(zoneId: string): boolean {
    for (const c of this.changes.values())
      if (c.zoneId === zoneId && this.status(c) === 'PENDING') return true;
    return false;
  }

  private status(c: StoredChange): 'PENDING' | 'INSYNC' {
    return this.clock.now() >= c.submittedAt + this.insyncSeconds * 1000 ? 'INSYNC' : 'PENDING';
  }

  private changeOut(c: StoredChange): ChangeInfo {
    return {
      Id: `/change/${c.id}`,
      Status: this.status(c),
      SubmittedAt: new Date(c.submittedAt),
      ...(c.comment !== undefined ? { Comment: c.comment } : {}),
    };
  }

  getChange(input: GetChangeRequest): Out<GetChangeResponse> {
    return this.call('GetChange', () => {
      const id = bareChangeId(input.Id ?? '');
      const c = this.changes.get(id);
      if (!c) throw errors.noSuchChange(id);
      return { ChangeInfo: this.changeOut(c) };
    });
  }

  // ---------------------------------------------------------------- persistence

  toJSON(): StoredRoute53 {
    return structuredClone({
      seq: this.seq,
      zones: [...this.zones.values()],
      changes: [...this.changes.values()],
    });
  }

  static fromJSON(state: StoredRoute53 | undefined, opts: SandboxRoute53Options = {}): SandboxRoute53 {
    const sb = new SandboxRoute53(opts);
    if (!state) return sb;
    const copy = structuredClone(state);
    sb.seq = copy.seq;
    for (const z of copy.zones) sb.zones.set(z.id, z);
    for (const c of copy.changes) sb.changes.set(c.id, c);
    return sb;
  }
}

// ---------------------------------------------------------------- rules

function checkMaxItems(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw errors.invalidInput(
      `1 validation error detected: Value '${String(value)}' at 'maxItems' failed to satisfy constraint: Member must be a positive integer`,
    );
  }
  return value;
}

type SortKey = [string, string, string];

/** `www.example.com` -> `com.example.www.`: Route53 sorts by the reversed labels, trailing dot included. */
function reversedKey(compared: string): string {
  return `${compared.split('.').reverse().join('.')}.`;
}

function sortKey(r: ResourceRecordSet): SortKey {
  return [reversedKey(comparedDnsName(r.Name ?? '')), r.Type ?? '', r.SetIdentifier ?? ''];
}

/** Byte order, not locale order: `*` (42) and `-` (45) sort before `.` (46) and letters. */
function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < 3; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

function sortRecords(records: ResourceRecordSet[]): ResourceRecordSet[] {
  return records.sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
}

function recordOut(r: ResourceRecordSet): ResourceRecordSet {
  return { ...structuredClone(r), Name: wireDnsName(r.Name ?? '') };
}

/** For messages: `[Action=CREATE, Name=x.example.com., Type=A, SetIdentifier=null]`. */
function describeChange(c: Change): string {
  const r = c.ResourceRecordSet;
  return `[Action=${c.Action ?? ''}, Name=${r?.Name ?? ''}, Type=${r?.Type ?? ''}, SetIdentifier=${r?.SetIdentifier ?? 'null'}]`;
}

/**
 * Request-level validation (InvalidInput, thrown at once, before anything is applied) and
 * normalisation of the name and alias target to the stored form.
 */
function normalizeChange(c: Change): Change {
  if (c.Action !== 'CREATE' && c.Action !== 'DELETE' && c.Action !== 'UPSERT') {
    throw errors.invalidInput(
      `1 validation error detected: Value '${String(c.Action)}' at 'changeBatch.changes.member.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]`,
    );
  }
  const r = c.ResourceRecordSet;
  if (!r?.Name || !r.Type)
    throw errors.invalidInput(`Invalid request: Missing Name or Type in Change with ${describeChange(c)}`);
  if (!RECORD_TYPES.has(r.Type)) {
    throw errors.invalidInput(
      `1 validation error detected: Value '${r.Type}' at 'changeBatch.changes.member.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set: [${[...RECORD_TYPES].join(', ')}]`,
    );
  }
  const hasAlias = r.AliasTarget !== undefined;
  const hasBasic = r.TTL !== undefined || (r.ResourceRecords !== undefined && r.ResourceRecords.length > 0);
  const complete = r.TTL !== undefined && r.ResourceRecords !== undefined && r.ResourceRecords.length > 0;
  if (hasAlias && hasBasic) {
    throw errors.invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with ${describeChange(c)}`,
    );
  }
  if (!hasAlias && !complete) {
    throw errors.invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with ${describeChange(c)}`,
    );
  }
  if (r.TTL !== undefined && (!Number.isInteger(r.TTL) || r.TTL < 0 || r.TTL > 2147483647)) {
    throw errors.invalidInput(
      `Invalid request: TTL must be between 0 and 2147483647 in Change with ${describeChange(c)}`,
    );
  }
  if (r.AliasTarget) {
    const a = r.AliasTarget;
    if (!a.DNSName || !a.HostedZoneId || a.EvaluateTargetHealth === undefined) {
      throw errors.invalidInput(
        `Invalid request: AliasTarget needs DNSName, HostedZoneId and EvaluateTargetHealth in Change with ${describeChange(c)}`,
      );
    }
  }
  const rrs: ResourceRecordSet = {
    ...structuredClone(r),
    Name: `${comparedDnsName(r.Name)}.`,
    ...(r.AliasTarget
      ? { AliasTarget: { ...r.AliasTarget, DNSName: `${comparedDnsName(r.AliasTarget.DNSName ?? '')}.` } }
      : {}),
  };
  return { Action: c.Action, ResourceRecordSet: rrs };
}

/** Route53's value checks for the types ecs-gitops writes (A, AAAA, CNAME, TXT). */
function valueProblem(r: ResourceRecordSet): string | undefined {
  const values = (r.ResourceRecords ?? []).map((v) => v.Value ?? '');
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) return `Duplicate Resource Record: '${v}'`;
    seen.add(v);
    const fatal = (code: string, what: string) =>
      `Invalid Resource Record: 'FATAL problem: ${code} (${what}) encountered with '${v}''`;
    if (r.Type === 'A' && !isIpv4(v))
      return fatal('ARRDATAIllegalIPv4Address', 'Value is not a valid IPv4 address');
    if (r.Type === 'AAAA' && !isIpv6(v)) {
      return fatal('AAAARRDATAIllegalIPv6Address', 'Value is not a valid IPv6 address');
    }
    if ((r.Type === 'TXT' || r.Type === 'SPF') && !/^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/.test(v)) {
      return fatal('InvalidCharacterString', 'Value should be enclosed in quotation marks');
    }
  }
  if (r.Type === 'CNAME' && values.length > 1) {
    return `RRSet of type CNAME with DNS name ${wireDnsName(r.Name ?? '')} contains more than one value`;
  }
  return undefined;
}

function isIpv4(v: string): boolean {
  const parts = v.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(v: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(v) || (v.match(/::/g) ?? []).length > 1) return false;
  const [head, tail] = v.includes('::') ? v.split('::') : [v, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const all = [...groups(head), ...groups(tail)];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return tail === undefined ? all.length === 8 : all.length < 8;
}

function sameRecordSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  return a.Name === b.Name && a.Type === b.Type && (a.SetIdentifier ?? '') === (b.SetIdentifier ?? '');
}

/** DELETE must repeat the record set exactly: TTL, the values (in any order) and the alias target. */
function sameContent(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const values = (r: ResourceRecordSet) => (r.ResourceRecords ?? []).map((v) => v.Value ?? '').sort();
  const alias = (r: ResourceRecordSet) =>
    r.AliasTarget
      ? [r.AliasTarget.DNSName, r.AliasTarget.HostedZoneId, r.AliasTarget.EvaluateTargetHealth]
      : undefined;
  return (
    a.TTL === b.TTL &&
    JSON.stringify(values(a)) === JSON.stringify(values(b)) &&
    JSON.stringify(alias(a)) === JSON.stringify(alias(b)) &&
    (a.Weight ?? null) === (b.Weight ?? null) &&
    (a.Region ?? null) === (b.Region ?? null) &&
    (a.Failover ?? null) === (b.Failover ?? null) &&
    (a.MultiValueAnswer ?? null) === (b.MultiValueAnswer ?? null) &&
    (a.HealthCheckId ?? null) === (b.HealthCheckId ?? null)
  );
}

/** Applies one change to the working copy; returns Route53's message when it is rejected. */
function applyChange(zone: StoredZone, records: ResourceRecordSet[], change: Change): string | undefined {
  const r = change.ResourceRecordSet as ResourceRecordSet;
  const name = comparedDnsName(r.Name ?? '');
  const wire = wireDnsName(name);
  const zoneWire = wireDnsName(zone.name);
  const ident = `[name='${wire}', type='${r.Type ?? ''}'${r.SetIdentifier !== undefined ? `, set-identifier='${r.SetIdentifier}'` : ''}]`;
  if (!isInZone(name, zone.name)) return `RRSet with DNS name ${wire} is not permitted in zone ${zoneWire}`;
  const index = records.findIndex((x) => sameRecordSet(x, r));
  if (change.Action === 'DELETE') {
    if (index < 0) return `Tried to delete resource record set ${ident} but it was not found`;
    if (!sameContent(records[index], r)) {
      return `Tried to delete resource record set ${ident} but the values provided do not match the current values`;
    }
    if (name === zone.name && r.Type === 'SOA') return 'A HostedZone must contain exactly one SOA record.';
    if (name === zone.name && r.Type === 'NS') {
      return 'A HostedZone must contain at least one NS record for the zone itself.';
    }
    records.splice(index, 1);
    return undefined;
  }
  const problem = valueProblem(r);
  if (problem) return problem;
  if (change.Action === 'CREATE' && index >= 0) {
    return `Tried to create resource record set ${ident} but it already exists`;
  }
  const others = records.filter((x) => x.Name === r.Name && !sameRecordSet(x, r));
  if (r.Type === 'CNAME') {
    if (name === zone.name)
      return `RRSet of type CNAME with DNS name ${wire} is not permitted at apex in zone ${zoneWire}`;
    if (others.some((x) => x.Type !== 'CNAME')) {
      return `RRSet of type CNAME with DNS name ${wire} is not permitted as it conflicts with other records with the same DNS name in zone ${zoneWire}`;
    }
  } else if (others.some((x) => x.Type === 'CNAME')) {
    return `RRSet of type ${r.Type ?? ''} with DNS name ${wire} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneWire}`;
  }
  if (index >= 0) records[index] = structuredClone(r);
  else records.push(structuredClone(r));
  return undefined;
}
