/**
 * The DNS section of the benchmark (issue 4): a cluster with N host names (`dns.hostname` labels on
 * ceil(N/10) autocreated services) in one public hosted zone, applied to moto twice: round 1 on an
 * empty zone, round 2 with nothing changed in a fresh process (new CallLog, SDK clients, EcsReader and
 * Route53Reader). Each name is one A record and one TXT ownership record, written with
 * ChangeResourceRecordSets in batches (controller/plan/dns-batches.ts).
 *
 * The DNS part of a reconcile runs concurrently with the ECS part, so besides the phases of the whole
 * reconcile it is timed through the Route53 port (TimedRoute53Port): observe = from the start of
 * observe+plan to the end of the last Route53 read; apply = from the start of apply to the end of the
 * last ChangeResourceRecordSets. Records per second = records written (A + TXT) / that apply time.
 */
import type { Change } from '@aws-sdk/client-route-53';
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { CallLog } from '../controller/aws/call-log';
import { createAwsClients } from '../controller/aws/clients';
import { LIST_RECORDS_PAGE, Route53Reader } from '../controller/observe/route53-reader';
import { SdkRoute53Port } from '../controller/aws/sdk-route53-port';
import { batchChanges } from '../controller/plan/dns-batches';
import type { Plan } from '../controller/plan/plan-types';
import type { Check } from './checks';
import { BENCH_REGION, DNS_TARGET_ADDRESS, DNS_ZONE, dnsFamilies } from './generate';
import type { RoundRun, Session } from './round';
import type { TimedRoute53Port } from './timed-route53-port';

export interface DnsRoundReport {
  round: string;
  description: string;
  /** The whole reconcile (ECS + DNS), as in the ECS table. */
  wallMs: number;
  phasesMs: { load: number; observePlan: number; apply: number };
  /** From the start of observe+plan to the end of the last Route53 read. */
  route53ObserveMs: number;
  /** From the start of apply to the end of the last ChangeResourceRecordSets; 0 when none. */
  route53ApplyMs: number;
  /** Each Route53 operation's calls' own durations, summed (ms). */
  route53CallMs: Record<string, number>;
  /** Record sets written, per `${Action} ${Type}` (`CREATE A`, `CREATE TXT`). */
  recordsWritten: Record<string, number>;
  recordsWrittenTotal: number;
  /** recordsWrittenTotal per second of route53ApplyMs / of the whole apply phase; null without writes. */
  recordsPerSecond: { dnsApply: number | null; wholeApply: number | null };
  /** Route53 calls per operation (`Route53.` dropped). */
  route53Calls: Record<string, number>;
  /** Every other call per operation (ECS, ELBv2, EC2), with its service prefix. */
  otherCalls: Record<string, number>;
  totalCalls: number;
  mutatingCalls: number;
  retries: Record<string, number>;
  /** Outcomes of the dnsRecord actions / of all actions. */
  dnsOutcomes: Record<string, number>;
  outcomes: Record<string, number>;
  dnsActions: number;
  actions: number;
}

export interface DnsReport {
  names: number;
  zone: string;
  target: string;
  /** Task definition families = autocreated services carrying the names. */
  families: number;
  dir: string;
  /** ChangeResourceRecordSets requests batchChanges makes of round 1's plan (per zone, summed). */
  expectedBatchesRound1: number;
  /** Record sets in the zone after round 1, per type, read with an uncounted reader. */
  zoneAfterRound1: Record<string, number>;
  rounds: DnsRoundReport[];
  peakRssBytes: number;
}

const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;

function count(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...keys].sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** Creates the public hosted zone in moto (uncounted: not part of any round). Returns its id. */
export async function createBenchZone(endpoint: string): Promise<string> {
  const { route53 } = createAwsClients({ region: BENCH_REGION, endpoint, callLog: new CallLog() });
  try {
    const out = await route53.send(
      new CreateHostedZoneCommand({
        Name: DNS_ZONE,
        CallerReference: `bench-${Date.now()}-${Math.random()}`,
      }),
    );
    return (out.HostedZone?.Id ?? '').replace(/^\/hostedzone\//, '');
  } finally {
    route53.destroy();
  }
}

/** Record sets per type in a zone, read with a reader of its own (uncounted). */
export async function zoneRecordTypes(endpoint: string, zoneId: string): Promise<Record<string, number>> {
  const { route53, ...rest } = createAwsClients({ region: BENCH_REGION, endpoint, callLog: new CallLog() });
  try {
    const records = await new Route53Reader(new SdkRoute53Port(route53)).records(zoneId);
    const target = records.filter((r) => r.type !== 'A' || r.values.join(',') === DNS_TARGET_ADDRESS);
    const wrongA = records.length - target.length;
    return { ...count(target.map((r) => r.type)), ...(wrongA ? { 'A (other value)': wrongA } : {}) };
  } finally {
    route53.destroy();
    for (const c of Object.values(rest)) (c as { destroy(): void }).destroy();
  }
}

/** What the executor sends for a plan: batchChanges over each zone's dnsRecord changes, counted. */
export function expectedBatches(plan: Plan): number {
  const byZone = new Map<string, { id: string; changes: Change[] }[]>();
  for (const a of plan.actions) {
    if (a.resource !== 'dnsRecord' || a.op === 'none' || a.op === 'conflict') continue;
    for (const s of a.steps) {
      if (s.call !== 'changeRecords') continue;
      const items = byZone.get(s.zoneId) ?? [];
      items.push({ id: a.id, changes: s.changes });
      byZone.set(s.zoneId, items);
    }
  }
  let n = 0;
  for (const items of byZone.values()) n += batchChanges(items).length;
  return n;
}

/** The DNS view of one round run, from its marks, its call log and the session's timed Route53 port. */
export function dnsRoundReport(run: RoundRun, session: Session): DnsRoundReport {
  const route53: TimedRoute53Port | undefined = session.route53;
  if (!route53) throw new Error('internal: a DNS round needs a session made with { dns: true }');
  const { marks, result } = run;
  const reads = route53.calls.filter(
    (c) => c.op !== 'ChangeResourceRecordSets' && c.start >= marks.observePlan && c.end <= marks.apply,
  );
  const writes = route53.calls.filter((c) => c.op === 'ChangeResourceRecordSets');
  const lastEnd = (calls: typeof reads, from: bigint) =>
    calls.length
      ? ms(
          from,
          calls.reduce((m, c) => (c.end > m ? c.end : m), from),
        )
      : 0;
  const route53ApplyMs = lastEnd(writes, marks.apply);
  const recordsWritten = count(writes.flatMap((c) => (c.ok ? (c.changes ?? []) : [])));
  const total = Object.values(recordsWritten).reduce((a, b) => a + b, 0);
  const perSecond = (msTaken: number) => (total > 0 && msTaken > 0 ? total / (msTaken / 1000) : null);
  const route53Calls: Record<string, number> = {};
  const otherCalls: Record<string, number> = {};
  for (const [op, k] of Object.entries(result.calls)) {
    if (op.startsWith('Route53.')) route53Calls[op.slice('Route53.'.length)] = k;
    else otherCalls[op.includes('.') ? op : `ECS.${op}`] = k;
  }
  const dnsResults = run.results.filter((r) => r.resource === 'dnsRecord');
  return {
    round: result.round,
    description: result.description,
    wallMs: result.wallMs,
    phasesMs: result.phasesMs,
    route53ObserveMs: lastEnd(reads, marks.observePlan),
    route53ApplyMs,
    route53CallMs: route53.calls.reduce<Record<string, number>>((acc, c) => {
      acc[c.op] = (acc[c.op] ?? 0) + ms(c.start, c.end);
      return acc;
    }, {}),
    recordsWritten,
    recordsWrittenTotal: total,
    recordsPerSecond: { dnsApply: perSecond(route53ApplyMs), wholeApply: perSecond(result.phasesMs.apply) },
    route53Calls,
    otherCalls,
    totalCalls: result.totalCalls,
    mutatingCalls: result.mutatingCalls,
    retries: result.retries,
    dnsOutcomes: count(dnsResults.map((r) => r.outcome)),
    outcomes: result.outcomes,
    dnsActions: dnsResults.length,
    actions: result.actions,
  };
}

const list = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function checkDnsRound1(
  names: number,
  r1: RoundRun,
  report: DnsRoundReport,
  expectedBatchCount: number,
  zone: Record<string, number>,
): Check[] {
  const families = dnsFamilies(names);
  const byResource = (t: string) => r1.results.filter((r) => r.resource === t).length;
  const notCreated = r1.results.filter((r) => r.outcome !== 'created');
  const expectedActions = 1 + 2 * families + names;
  const writes = report.recordsWritten;
  const otherWrites = Object.keys(writes).filter((k) => k !== 'CREATE A' && k !== 'CREATE TXT');
  const changeCalls = report.route53Calls.ChangeResourceRecordSets ?? 0;
  const zoneOther = Object.keys(zone).filter((t) => !['A', 'TXT', 'NS', 'SOA'].includes(t));
  return [
    {
      size: names,
      name: 'DNS round 1: 1 cluster + F task definitions + F services + N dnsRecord actions, all created',
      ok:
        r1.results.length === expectedActions &&
        byResource('cluster') === 1 &&
        byResource('taskDefinition') === families &&
        byResource('service') === families &&
        byResource('dnsRecord') === names &&
        notCreated.length === 0,
      detail:
        `${r1.results.length} actions (cluster ${byResource('cluster')}, taskDefinition ${byResource('taskDefinition')}, ` +
        `service ${byResource('service')}, dnsRecord ${byResource('dnsRecord')}; expected ${expectedActions} with F=${families}); ` +
        (notCreated.length === 0
          ? 'all created'
          : `${notCreated.length} not created, e.g. ${notCreated[0].id}: ${notCreated[0].outcome} ${notCreated[0].message ?? ''}`),
    },
    {
      size: names,
      name: 'DNS round 1: writes N A + N TXT records (and the zone then holds them)',
      ok:
        writes['CREATE A'] === names &&
        writes['CREATE TXT'] === names &&
        otherWrites.length === 0 &&
        zone.A === names &&
        zone.TXT === names &&
        zoneOther.length === 0,
      detail: `written: ${list(writes)}; zone after round 1: ${list(zone)}; expected ${names} A + ${names} TXT`,
    },
    {
      size: names,
      name: "DNS round 1: ChangeResourceRecordSets calls = batches batchChanges makes of round 1's plan",
      ok: changeCalls === expectedBatchCount && changeCalls > 0,
      detail: `${changeCalls} ChangeResourceRecordSets; batchChanges: ${expectedBatchCount}`,
    },
  ];
}

export function checkDnsRound2(
  names: number,
  r2: RoundRun,
  report: DnsRoundReport,
  zone: Record<string, number>,
): Check[] {
  const changed = r2.results.filter((r) => r.outcome !== 'unchanged');
  const zoneSize = Object.values(zone).reduce((a, b) => a + b, 0);
  const budget: Record<string, number> = {
    ListHostedZones: 1,
    ListResourceRecordSets: Math.ceil(zoneSize / LIST_RECORDS_PAGE),
  };
  const over = Object.entries(report.route53Calls).filter(([op, k]) => k > (budget[op] ?? 0));
  return [
    {
      size: names,
      name: 'DNS round 2: zero ChangeResourceRecordSets, zero mutating calls',
      ok: (report.route53Calls.ChangeResourceRecordSets ?? 0) === 0 && report.mutatingCalls === 0,
      detail: `${report.route53Calls.ChangeResourceRecordSets ?? 0} ChangeResourceRecordSets, ${report.mutatingCalls} mutating calls`,
    },
    {
      size: names,
      name: 'DNS round 2: every action (ECS and DNS) unchanged',
      ok: changed.length === 0 && report.dnsActions === names,
      detail:
        `${report.dnsActions} dnsRecord actions; ` +
        (changed.length === 0
          ? `${r2.results.length} unchanged`
          : `${changed.length} not unchanged, e.g. ${changed[0].id}: ${changed[0].outcome} ${changed[0].message ?? ''}`),
    },
    {
      size: names,
      name: `DNS round 2: Route53 reads within 1 ListHostedZones + ceil(records in zone / ${LIST_RECORDS_PAGE}) ListResourceRecordSets`,
      ok: over.length === 0,
      detail: `Route53 calls: ${list(report.route53Calls)}; budget: ${list(budget)} (${zoneSize} record sets)${over.length ? `; over: ${over.map(([op]) => op).join(', ')}` : ''}`,
    },
  ];
}
