import { emptyAction } from './empty-action';
import type { Change, ResourceRecordSet } from '../model/aws-types';
import { type DesiredState, lifecycleOf } from '../model/desired';
import type { DesiredHostname, DnsConfig, DnsRecordType, DnsTarget, HostedZoneInfo } from '../model/dns';
import type { ObservedDns, ObservedRecord } from '../model/observed';
import { ambiguousZones, bareZoneId, comparedName, zoneFor } from './dns-names';
import {
  decideOwnership,
  describeOwnership,
  ownershipOfTxt,
  ownershipTxtName,
  ownershipTxtValue,
  recordForTxtName,
  TXT_PREFIX,
  type DnsOwnership,
} from './dns-ownership';
import {
  deletionChanges,
  describeRecord,
  desiredRecordsFor,
  recordDiff,
  recordSetOf,
  txtRecordSet,
  type DesiredRecord,
} from './dns-records';
import { sortBy } from './json-util';
import type { FieldChange, PlanError, PlannedAction } from './plan-types';

/** Route53's limit on a name (without the trailing dot). */
const MAX_NAME = 253;

/**
 * The dnsRecord actions of one cluster: the records its host names need vs what Route53 has.
 * Pure. Only records whose TXT ownership record names our owner id and cluster are ever changed or
 * deleted; anything else at a name we want is a conflict (unowned records are adopted with
 * `dns.adopt`). Errors (no zone, no target, ...) make the plan unappliable; with an unresolved target
 * nothing is planned at all. Our records no host name claims are deleted under `policy: sync`, unless
 * no host name is desired at all (an empty desired set never prunes).
 */
export function planDns(
  desired: DesiredState,
  dns: ObservedDns,
  opts: { balancerCreated?: boolean } = {},
): { actions: PlannedAction[]; errors: PlanError[] } {
  const cfg = desired.cluster.dns;
  if (!cfg) return { actions: [], errors: [] };
  const errors: PlanError[] = [];
  const target = dns.target;
  if (!target && opts.balancerCreated && cfg.target.kind === 'loadBalancer' && cfg.target.managed) {
    // The cluster's own balancer is made by this plan: its alias records follow once it exists.
    const action = targetAction(cfg, 'is created by this plan; its records follow once it exists');
    return { actions: [{ ...action, pending: 'the load balancer is being created' }], errors };
  }
  // A target that cannot be resolved (a renamed load balancer, a throttled or denied read) cancels
  // the DNS part only: existing records stay as they are, the ECS part of the plan still runs, and
  // the conflict makes apply exit 1.
  if (!target) {
    const action = targetAction(
      cfg,
      `could not be resolved: ${dns.targetError ?? 'no reason given'}; DNS records left as they are`,
    );
    return { actions: [{ ...action, op: 'conflict' }], errors };
  }
  if (target.kind === 'addresses' && target.ipv4.length === 0 && target.ipv6.length === 0) {
    // No running instances yet (a new cluster) or none left: "every name points nowhere" is never
    // what anyone wants, so nothing is written or deleted until there are addresses again.
    return {
      actions: [
        targetAction(cfg, 'has no addresses (no running container instances); DNS records left as they are'),
      ],
      errors,
    };
  }

  const ctx: Ctx = {
    cfg,
    cluster: desired.cluster.name,
    ...(desired.cluster.region ? { region: desired.cluster.region } : {}),
    prune: lifecycleOf(desired.cluster).prune,
    zones: indexZones(dns.records),
    replaced: new Set(),
  };
  const { records, unplaced } = placeRecords(desired.hostnames, cfg, dns, target, errors);
  const actions = records.map((rec) => planRecord(rec, ctx));
  actions.push(...planOrphans(desired, ctx, records, unplaced, actions));
  return { actions: sortBy(actions, (a) => `${a.name}\u0000${a.id}`), errors };
}

/** The records the host names need, in their zones; names that cannot be placed are `unplaced`. */
function placeRecords(
  hostnames: DesiredState['hostnames'],
  cfg: DnsConfig,
  dns: ObservedDns,
  target: NonNullable<ObservedDns['target']>,
  errors: PlanError[],
): { records: DesiredRecord[]; unplaced: Set<string> } {
  const records: DesiredRecord[] = [];
  /** Names claimed by a host name whose zone is unknown: never treated as orphans. */
  const unplaced = new Set<string>();
  for (const host of uniqueHosts(hostnames, errors)) {
    const placed = placeHost(host, cfg, dns, errors);
    if (!placed) {
      unplaced.add(comparedName(host.name));
      continue;
    }
    for (const rec of desiredRecordsFor(host, placed, target, cfg.ttl)) {
      const problem = recordProblem(rec, placed);
      if (problem) {
        errors.push(hostError(host, problem));
        unplaced.add(rec.name);
      } else {
        records.push(rec);
      }
    }
  }
  return { records, unplaced };
}

/** Actions for our records that no desired record claims (deleted, kept, or reported). */
function planOrphans(
  desired: DesiredState,
  ctx: Ctx,
  records: readonly DesiredRecord[],
  unplaced: ReadonlySet<string>,
  planned: readonly PlannedAction[],
): PlannedAction[] {
  const actions: PlannedAction[] = [];
  // Ours at a desired name: the same type is updated; a type that cannot live beside it (CNAME vs
  // A/AAAA) is replaced by the desired record's action, or kept when that action is a conflict.
  const claimed = new Set(
    records.flatMap((r) =>
      MANAGED_TYPES.filter((t) => clashes(r.type, t)).map((t) => recordKey(r.zone.id, r.name, t)),
    ),
  );
  const ids = new Set(planned.map((a) => a.id));
  // Services pinned to a revision managed elsewhere: their labels are not read, so their names are
  // unknown, and records written for them must not look unclaimed (pinning is how people roll back).
  const claimedNames = new Set(desired.hostnames.map((h) => comparedName(h.name)));
  const unknownLabels = new Set(
    desired.services.filter((s) => s.taskDefinition.kind === 'pinned').map((s) => s.name),
  );
  for (const orphan of orphans(ctx)) {
    const key = recordKey(orphan.zoneId, orphan.name, orphan.type);
    if (claimed.has(key) || unplaced.has(orphan.name)) continue;
    // Fail closed as the rest of pruning does: specs that ask for nothing at all look more like a
    // loading mistake than an intent (allowEmpty: true says otherwise). No host name left while
    // services remain is an intent: the last label was removed.
    const nothingDesired =
      desired.taskDefinitions.length === 0 &&
      desired.services.length === 0 &&
      !lifecycleOf(desired.cluster).allowEmpty;
    const action = planOrphan(orphan, ctx, nothingDesired, unknownLabels, claimedNames);
    // The same name and type desired in another zone (dns.zoneId changed, a closer zone appeared).
    if (ids.has(action.id)) action.id = `${action.id}/${orphan.zoneId}`;
    ids.add(action.id);
    actions.push(action);
  }
  return actions;
}

// ---------------------------------------------------------------------------------------------
// Host names and zones

/** Why a record cannot be planned at all (a plan error), or undefined. */
function recordProblem(rec: DesiredRecord, zone: HostedZoneInfo): string | undefined {
  if (rec.type === 'CNAME' && rec.name === comparedName(zone.name)) {
    return `${rec.name} is the apex of hosted zone ${zone.name}: a CNAME cannot be there (DNS forbids it); use a load balancer or address target`;
  }
  const txtName = ownershipTxtName(rec.name, rec.type);
  if (txtName.length > MAX_NAME) {
    return `${rec.name} is too long for its ownership record ${txtName} (over ${MAX_NAME} characters)`;
  }
  return undefined;
}

/** One host per name (two services claiming one name is an error); reserved names are errors. */
function uniqueHosts(hosts: readonly DesiredHostname[], errors: PlanError[]): DesiredHostname[] {
  const byName = new Map<string, DesiredHostname>();
  for (const h of hosts) {
    const name = comparedName(h.name);
    const seen = byName.get(name);
    if (seen) {
      if (seen.service !== h.service) {
        errors.push(hostError(h, `${name} is claimed by two services: ${seen.service} and ${h.service}`));
      }
    } else if (name.split('.')[0].startsWith(TXT_PREFIX)) {
      errors.push(
        hostError(h, `${name}: names starting with ${TXT_PREFIX} are reserved for ownership records`),
      );
    } else {
      byName.set(name, h);
    }
  }
  return [...byName.values()];
}

function placeHost(
  host: DesiredHostname,
  cfg: DnsConfig,
  dns: ObservedDns,
  errors: PlanError[],
): HostedZoneInfo | undefined {
  const opts = { zoneId: cfg.zoneId, privateZones: cfg.privateZones };
  const name = comparedName(host.name);
  const zone = zoneFor(name, dns.zones, opts);
  if (!zone) {
    const why =
      cfg.zoneId !== undefined
        ? dns.zones.some((z) => bareZoneId(z.id) === bareZoneId(cfg.zoneId ?? ''))
          ? `it is not inside hosted zone ${cfg.zoneId} (dns.zoneId)`
          : `hosted zone ${cfg.zoneId} (dns.zoneId) was not found`
        : `no ${cfg.privateZones ? '' : 'public '}hosted zone contains it`;
    errors.push(hostError(host, `no hosted zone for ${name}: ${why}`));
    return undefined;
  }
  const ties = ambiguousZones(name, dns.zones, opts);
  if (ties.length > 0) {
    const ids = [zone, ...ties].map((z) => `${z.id}${z.private ? ' (private)' : ''}`).join(', ');
    errors.push(
      hostError(host, `${name} fits several hosted zones named ${zone.name} (${ids}); set dns.zoneId`),
    );
    return undefined;
  }
  return zone;
}

function hostError(host: DesiredHostname, what: string): PlanError {
  return {
    message: `${what} (service ${host.service}, label ${host.label} of container ${host.container})`,
    field: `containerDefinitions[${host.container}].dockerLabels.${host.label}`,
    source: host.source,
  };
}

export function describeTarget(t: DnsTarget): string {
  switch (t.kind) {
    case 'loadBalancer':
      return `load balancer ${t.nameOrArn}`;
    case 'cname':
      return `CNAME ${t.name}`;
    case 'addresses':
      return `addresses ${t.addresses.join(', ')}`;
    case 'instances':
      return "(the cluster's container instances)";
  }
}

// ---------------------------------------------------------------------------------------------
// Observed records

interface Ctx {
  cfg: DnsConfig;
  cluster: string;
  region?: string;
  /** `prune: false` in cluster.yaml: our records no name claims are reported, not deleted. */
  prune: boolean;
  zones: Map<string, ZoneIndex>;
  /** Our records of another type that a desired record's action deletes (CNAME <-> A/AAAA). */
  replaced: Set<string>;
}

/** A zone's records by compared name. */
type ZoneIndex = Map<string, ObservedRecord[]>;

function indexZones(records: Map<string, ObservedRecord[]>): Map<string, ZoneIndex> {
  const out = new Map<string, ZoneIndex>();
  for (const [zoneId, list] of records) {
    const byName: ZoneIndex = new Map();
    for (const r of list) {
      const name = comparedName(r.name);
      byName.set(name, [...(byName.get(name) ?? []), r]);
    }
    out.set(zoneId, byName);
  }
  return out;
}

function at(ctx: Ctx, zoneId: string, name: string): ObservedRecord[] {
  return ctx.zones.get(zoneId)?.get(name) ?? [];
}

function simple(list: readonly ObservedRecord[], type: string): ObservedRecord | undefined {
  return list.find((r) => r.type === type && r.setIdentifier === undefined);
}

function recordKey(zoneId: string, name: string, type: string): string {
  return `${zoneId}\u0000${name}\u0000${type}`;
}

/** A record of another type at the name that cannot live beside one of type `want`. */
function clashes(want: string, have: string): boolean {
  return want === have || want === 'CNAME' || have === 'CNAME';
}

interface Txt {
  name: string;
  record?: ObservedRecord;
  /** A non-TXT record sitting at the TXT name. */
  squatter?: ObservedRecord;
  ownership?: DnsOwnership;
}

function txtOf(ctx: Ctx, zoneId: string, name: string, type: DnsRecordType): Txt {
  const txtName = ownershipTxtName(name, type);
  const list = at(ctx, zoneId, txtName);
  const record = simple(list, 'TXT');
  const squatter = list.find((r) => r.type !== 'TXT');
  const txt: Txt = { name: txtName };
  if (record) txt.record = record;
  if (squatter) txt.squatter = squatter;
  const ownership = ownershipOfTxt(record?.values);
  if (ownership) txt.ownership = ownership;
  return txt;
}

// ---------------------------------------------------------------------------------------------
// Desired records

function planRecord(rec: DesiredRecord, ctx: Ctx): PlannedAction {
  const action = newAction(rec.name, rec.type, rec.host.source);
  const conflict = (reason: string): PlannedAction => ({ ...action, op: 'conflict', reason });
  const zoneId = rec.zone.id;
  const here = at(ctx, zoneId, rec.name);

  const routed = here.find((r) => r.setIdentifier !== undefined && clashes(rec.type, r.type));
  if (routed) {
    return conflict(
      `${describeRecord(routed)} has a routing policy (set identifier "${routed.setIdentifier ?? ''}"); ecs-gitops manages only simple records`,
    );
  }

  const txt = txtOf(ctx, zoneId, rec.name, rec.type);
  if (txt.squatter) {
    return conflict(`its ownership record name ${txt.name} is taken by ${describeRecord(txt.squatter)}`);
  }
  const wanted = ownershipTxtValue(ownershipFor(ctx, rec));
  const txtSet = txtRecordSet(txt.name, wanted, ctx.cfg.ttl);
  const live = simple(here, rec.type);
  const decision = decideOwnership(txt.ownership, ctx.cfg.ownerId, ctx.cluster, ctx.region);
  const changes: Change[] = [];
  const fields: FieldChange[] = [];
  const reasons: string[] = [];

  // A CNAME and an A/AAAA cannot share a name: ours we replace (in the same atomic step), theirs not.
  const replacing = replaceableBlockers(rec, here, ctx);
  if (typeof replacing === 'string') return conflict(replacing);
  const diff = recordDiff(rec, live);
  if (!live) {
    const blocked = txtBlocksCreate(txt, decision, ctx);
    if (blocked) return conflict(blocked);
    for (const r of replacing) {
      ctx.replaced.add(r.key);
      changes.push(...deleteChanges(r));
      fields.push(...deletionChanges(r.record).map((c) => ({ ...c, path: `${r.record.type}.${c.path}` })));
      reasons.push(`replaces our ${r.record.type} record`);
    }
    changes.push({ Action: 'CREATE', ResourceRecordSet: recordSetOf(rec) });
    const txtChange = txtWrite(txt, wanted, txtSet);
    if (txtChange) changes.push(txtChange);
    return {
      ...action,
      op: 'create',
      ...(replacing.length > 0 ? { replaces: true as const } : {}),
      reason: ['does not exist', ...reasons].join('; '),
      changes: [...fields, ...diff],
      steps: [{ call: 'changeRecords', zoneId, changes }],
    };
  }

  if (decision === 'other-owner' || decision === 'other-cluster') {
    return conflict(`${describeRecord(live)} exists, ${describeOwnership(txt.ownership, decision)}`);
  }
  if (decision === 'unowned' && !ctx.cfg.adopt) {
    return conflict(
      `${describeRecord(live)} exists without an ecs-gitops ownership record (not created by ecs-gitops); set dns.adopt: true to take it over`,
    );
  }
  if (decision === 'unowned') reasons.unshift('adopt (no ownership record)');
  if (diff.length > 0) {
    changes.push({ Action: 'UPSERT', ResourceRecordSet: recordSetOf(rec) });
    reasons.push(
      `${diff.length === 1 ? '1 field' : `${diff.length} fields`} changed (${diff.map((c) => c.path).join(', ')})`,
    );
  }
  const txtChange = txtWrite(txt, wanted, txtSet);
  if (txtChange) {
    changes.push(txtChange);
    fields.push(ownershipChange(txt, ownershipFor(ctx, rec)));
    if (decision === 'ours') reasons.push('ownership record changed');
  }
  if (changes.length === 0) return { ...action, reason: 'matches' };
  return {
    ...action,
    op: 'update',
    reason: reasons.join('; '),
    changes: [...diff, ...fields],
    steps: [{ call: 'changeRecords', zoneId, changes }],
  };
}

type Replaced = { key: string; record: ObservedRecord; txt?: ObservedRecord };

/**
 * Records of another type at the name that cannot live beside `rec` (CNAME vs A/AAAA): ours to
 * replace, or the reason for a conflict when one is not ours or may not be deleted.
 */
function replaceableBlockers(
  rec: DesiredRecord,
  here: readonly ObservedRecord[],
  ctx: Ctx,
): Replaced[] | string {
  const zoneId = rec.zone.id;
  const replacing: Replaced[] = [];
  const blockers = here.filter(
    (r) => r.setIdentifier === undefined && r.type !== rec.type && clashes(rec.type, r.type),
  );
  for (const b of blockers) {
    const btxt = isManagedType(b.type) ? txtOf(ctx, zoneId, b.name, b.type) : undefined;
    const owner = decideOwnership(btxt?.ownership, ctx.cfg.ownerId, ctx.cluster, ctx.region);
    if (owner !== 'ours') {
      return `${describeRecord(b)} exists (${describeOwnership(btxt?.ownership, owner)}); ${rec.type === 'CNAME' ? 'a' : 'an'} ${rec.type} record cannot share its name`;
    }
    if (ctx.cfg.policy === 'upsert-only') {
      return `our ${describeRecord(b)} must be replaced, which needs a delete; policy upsert-only never deletes`;
    }
    const key = recordKey(zoneId, b.name, b.type);
    if (!ctx.replaced.has(key))
      replacing.push({ key, record: b, ...(btxt?.record ? { txt: btxt.record } : {}) });
  }
  return replacing;
}

/** Why a TXT already at the ownership record name blocks creating the record, or undefined. */
function txtBlocksCreate(
  txt: Txt,
  decision: ReturnType<typeof decideOwnership>,
  ctx: Ctx,
): string | undefined {
  if (!txt.record || decision === 'ours') return undefined;
  if (decision !== 'unowned')
    return `its ownership record ${txt.name} is ${describeOwnership(txt.ownership, decision)}`;
  if (!ctx.cfg.adopt) {
    return `a TXT record not written by ecs-gitops sits at its ownership record name ${txt.name}; set dns.adopt: true to take it over`;
  }
  return undefined;
}

/** The DELETEs of a replaced record of ours and of its TXT ownership record. */
function deleteChanges(r: Replaced): Change[] {
  return [r.record, ...(r.txt ? [r.txt] : [])].map((rec) => ({
    Action: 'DELETE',
    ResourceRecordSet: rec.raw,
  }));
}

/** The `ownership` field change shown when the TXT ownership record is written. */
function ownershipChange(txt: Txt, wanted: DnsOwnership): FieldChange {
  const before = txt.ownership ? ownershipText(txt.ownership) : undefined;
  const after = ownershipText(wanted);
  return before === undefined ? { path: 'ownership', after } : { path: 'ownership', before, after };
}

/** CREATE when no TXT is there, UPSERT when one is but says something else, nothing when it agrees. */
function txtWrite(txt: Txt, wanted: string, set: ResourceRecordSet): Change | undefined {
  if (!txt.record) return { Action: 'CREATE', ResourceRecordSet: set };
  const now = txt.ownership;
  const want = ownershipOfTxt([wanted]);
  if (
    now &&
    want &&
    now.owner === want.owner &&
    now.cluster === want.cluster &&
    now.service === want.service
  ) {
    return undefined;
  }
  return { Action: 'UPSERT', ResourceRecordSet: set };
}

function ownershipFor(ctx: Ctx, rec: DesiredRecord): DnsOwnership {
  return {
    owner: ctx.cfg.ownerId,
    cluster: ctx.cluster,
    service: rec.host.service,
    ...(ctx.region ? { region: ctx.region } : {}),
  };
}

function ownershipText(o: DnsOwnership): string {
  return `owner=${o.owner},cluster=${o.cluster},service=${o.service}`;
}

const MANAGED_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME'];

function isManagedType(type: string): type is DnsRecordType {
  return (MANAGED_TYPES as readonly string[]).includes(type);
}

// ---------------------------------------------------------------------------------------------
// Records we own that no host name asks for any more

interface Orphan {
  zoneId: string;
  name: string;
  type: DnsRecordType;
  txt: ObservedRecord;
  record?: ObservedRecord;
  ownership: DnsOwnership;
}

/** Every record of ours (by its TXT: our owner id AND cluster) in the zones that were read. */
function orphans(ctx: Ctx): Orphan[] {
  const out: Orphan[] = [];
  for (const zoneId of [...ctx.zones.keys()].sort()) {
    for (const [txtName, list] of ctx.zones.get(zoneId) ?? []) {
      const txt = simple(list, 'TXT');
      const rec = recordForTxtName(txtName);
      const ownership = ownershipOfTxt(txt?.values);
      if (!txt || !rec || !ownership) continue;
      if (decideOwnership(ownership, ctx.cfg.ownerId, ctx.cluster, ctx.region) !== 'ours') continue;
      const o: Orphan = { zoneId, name: rec.name, type: rec.type, txt, ownership };
      const record = simple(at(ctx, zoneId, rec.name), rec.type);
      if (record) o.record = record;
      out.push(o);
    }
  }
  return out;
}

function planOrphan(
  o: Orphan,
  ctx: Ctx,
  nothingDesired: boolean,
  unknownLabels: Set<string>,
  claimedNames: Set<string>,
): PlannedAction {
  const action = newAction(o.name, o.type, undefined);
  if (unknownLabels.has(o.ownership.service)) {
    return {
      ...action,
      reason: `kept: service ${o.ownership.service} is pinned to a task definition revision whose labels ecs-gitops does not read`,
    };
  }
  const was = o.ownership.service ? ` (was service ${o.ownership.service})` : '';
  // Still claimed, but this type is no longer produced (the load balancer is no longer dualstack, an
  // IPv6 address was removed): say so, so that a reviewer does not look for a removed label.
  const what = o.record
    ? claimedNames.has(o.name)
      ? `the DNS target no longer produces a ${o.type} record for this name${was}`
      : `no service claims it any more${was}`
    : `ownership record ${o.txt.name} without its record${was}`;
  const fields = o.record ? deletionChanges(o.record) : [];
  if (ctx.cfg.policy === 'upsert-only') {
    return { ...action, reason: `${what}; kept (policy upsert-only)` };
  }
  if (!ctx.prune) return { ...action, op: 'orphan', reason: `${what}; kept (prune: false)`, changes: fields };
  if (nothingDesired) {
    // Fail closed: no host name at all looks more like a loading mistake than an intent.
    return {
      ...action,
      reason: `${what}; kept (the specs ask for nothing at all: an empty desired set never prunes)`,
    };
  }
  const changes: Change[] = [];
  if (o.record) changes.push({ Action: 'DELETE', ResourceRecordSet: o.record.raw });
  changes.push({ Action: 'DELETE', ResourceRecordSet: o.txt.raw });
  return {
    ...action,
    op: 'delete',
    reason: what,
    changes: [...fields, { path: 'ownership', before: ownershipText(o.ownership) }],
    steps: [{ call: 'changeRecords', zoneId: o.zoneId, changes }],
  };
}

// ---------------------------------------------------------------------------------------------

/** The one action reported when the target leaves nothing to plan. */
function targetAction(cfg: DnsConfig, problem: string): PlannedAction {
  return {
    ...emptyAction('dnsRecord/(target)', 'dnsRecord', 'DNS target', cfg.source),
    reason: `DNS target ${describeTarget(cfg.target)} ${problem}`,
  };
}

/** Id `dnsRecord/<name>/<type>`, name `<name> <type>`. */
export function dnsActionId(name: string, type: string): string {
  return `dnsRecord/${name}/${type}`;
}

function newAction(name: string, type: string, source: DesiredHostname['source'] | undefined): PlannedAction {
  return emptyAction(dnsActionId(name, type), 'dnsRecord', `${name} ${type}`, source);
}
