/** Hand-built DNS pieces for planner tests, and a tiny strict Route53 zone to apply planned changes to. */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { ClusterConfig, DesiredState } from '../../controller/model/desired';
import type {
  DesiredHostname,
  DnsConfig,
  HostedZoneInfo,
  ResolvedDnsTarget,
} from '../../controller/model/dns';
import type { ObservedDns, ObservedRecord, ObservedState } from '../../controller/model/observed';
import type { Plan, PlannedAction } from '../../controller/plan/plan-types';
import { clusterConfig, desiredState, service } from './builders';

export const ZONE: HostedZoneInfo = { id: 'Z1EXAMPLE', name: 'example.com', private: false };
export const DEV_ZONE: HostedZoneInfo = { id: 'Z2DEV', name: 'dev.example.com', private: false };
export const PRIVATE_ZONE: HostedZoneInfo = { id: 'Z3PRIVATE', name: 'internal.example.com', private: true };

/** The Route53 hosted zone id of ALBs in eu-west-1. */
export const ALB_ZONE = 'Z32O12XQLNTSW2';
export const ALB = 'demo-alb-123456789.eu-west-1.elb.amazonaws.com';

export const aliasTarget = (dualstack = false): ResolvedDnsTarget => ({
  kind: 'alias',
  dnsName: ALB,
  hostedZoneId: ALB_ZONE,
  dualstack,
});

export function dnsConfig(over: Partial<DnsConfig> = {}): DnsConfig {
  return {
    ttl: 300,
    policy: 'sync',
    privateZones: false,
    ownerId: 'demo',
    adopt: false,
    target: { kind: 'loadBalancer', nameOrArn: 'demo-alb' },
    source: { file: 'specs/demo/cluster.yaml', line: 7, column: 3 },
    ...over,
  };
}

export function host(name: string, service = 'web', line = 12): DesiredHostname {
  return {
    name,
    service,
    container: service,
    label: 'proxy.host',
    source: { file: `specs/demo/${service}.taskdef`, line, column: 9 },
  };
}

/** A desired state for planDns: the host names, and the services that claim them (no task definitions). */
export function dnsDesired(
  hosts: DesiredHostname[],
  dns: Partial<DnsConfig> = {},
  cfg?: ClusterConfig,
): DesiredState {
  const config = clusterConfig({ ...cfg, dns: dnsConfig(dns) });
  // Host names come from services: a state with names has the services that claim them (the DNS
  // planner keeps orphans only when the specs ask for nothing at all).
  const names = [...new Set(hosts.map((h) => h.service))];
  const state = desiredState(
    config,
    [],
    names.map((n) => service(config, n)),
  );
  state.hostnames = hosts;
  return state;
}

/** What ListResourceRecordSets returns, as the reader passes it on (compared form beside `raw`). */
export function observedRecord(raw: ResourceRecordSet): ObservedRecord {
  const r: ObservedRecord = {
    name: raw
      .Name!.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)))
      .toLowerCase()
      .replace(/\.$/, ''),
    type: raw.Type!,
    values: (raw.ResourceRecords ?? []).map((v) => v.Value!),
    raw,
  };
  if (raw.TTL !== undefined) r.ttl = raw.TTL;
  if (raw.AliasTarget) {
    r.alias = {
      dnsName: raw.AliasTarget.DNSName!,
      hostedZoneId: raw.AliasTarget.HostedZoneId!,
      evaluateTargetHealth: raw.AliasTarget.EvaluateTargetHealth ?? false,
    };
  }
  if (raw.SetIdentifier !== undefined) r.setIdentifier = raw.SetIdentifier;
  return r;
}

export function observedDns(
  zones: HostedZoneInfo[],
  records: Record<string, ResourceRecordSet[]> = {},
  /** null: the target could not be resolved. */
  target: ResolvedDnsTarget | null = aliasTarget(),
): ObservedDns {
  const dns: ObservedDns = {
    zones,
    records: new Map(zones.map((z) => [z.id, (records[z.id] ?? []).map(observedRecord)])),
  };
  if (target) dns.target = target;
  return dns;
}

/** A TXT ownership record set as ecs-gitops writes it. */
export function txtSet(name: string, owner: string, cluster: string, service: string): ResourceRecordSet {
  return {
    Name: `${name}.`,
    Type: 'TXT',
    TTL: 300,
    ResourceRecords: [
      {
        Value: `"heritage=ecs-gitops,ecs-gitops/owner=${owner},ecs-gitops/cluster=${cluster},ecs-gitops/service=${service}"`,
      },
    ],
  };
}

export function aSet(name: string, values: string[], ttl = 300, type = 'A'): ResourceRecordSet {
  return {
    Name: `${name}.`,
    Type: type as 'A',
    TTL: ttl,
    ResourceRecords: values.map((Value) => ({ Value })),
  };
}

/** Route53's listing form of a name: lower case, trailing dot, `*` as `\052`. */
function listed(name: string): string {
  const n = name.toLowerCase().replace(/\.?$/, '.');
  return n.replace(/\*/g, '\\052');
}

function sameSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies a change batch the way Route53 does, strictly: CREATE fails when the name and type exist,
 * DELETE unless the set matches exactly, all or nothing. Stored the way Route53 lists it back: names
 * in listing form, an ELB alias target with `dualstack.` and a trailing dot.
 */
export function applyChanges(records: ResourceRecordSet[], changes: readonly Change[]): ResourceRecordSet[] {
  const out = [...records];
  const key = (s: ResourceRecordSet) => `${listed(s.Name!)} ${s.Type!}`;
  for (const c of changes) {
    const set = c.ResourceRecordSet!;
    const stored: ResourceRecordSet = { ...set, Name: listed(set.Name!) };
    if (set.AliasTarget) {
      const dns = set.AliasTarget.DNSName!.toLowerCase().replace(/\.?$/, '.');
      stored.AliasTarget = {
        ...set.AliasTarget,
        DNSName:
          dns.includes('.elb.amazonaws.com') && !dns.startsWith('dualstack.') ? `dualstack.${dns}` : dns,
      };
    }
    const i = out.findIndex((r) => key(r) === key(set));
    if (c.Action === 'CREATE') {
      if (i >= 0) throw new Error(`InvalidChangeBatch: ${key(set)} already exists`);
      out.push(stored);
    } else if (c.Action === 'UPSERT') {
      if (i >= 0) out[i] = stored;
      else out.push(stored);
    } else {
      if (i < 0 || !sameSet(out[i], set))
        throw new Error(`InvalidChangeBatch: ${key(set)} not found as given`);
      out.splice(i, 1);
    }
  }
  return out;
}

/** Applies every changeRecords step of the plan to per-zone record lists. */
export function applyPlan(
  plan: Plan | PlannedAction[],
  zones: Record<string, ResourceRecordSet[]>,
): Record<string, ResourceRecordSet[]> {
  const out = { ...zones };
  const actions = Array.isArray(plan) ? plan : plan.actions;
  for (const a of actions) {
    for (const s of a.steps) {
      if (s.call === 'changeRecords') out[s.zoneId] = applyChanges(out[s.zoneId] ?? [], s.changes);
    }
  }
  return out;
}

export function withDns(observed: ObservedState, dns: ObservedDns): ObservedState {
  return { ...observed, dns };
}
