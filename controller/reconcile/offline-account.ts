/**
 * The account an offline diff (`diff --base`) plans against: a fresh in-memory sandbox (the one
 * `--sandbox` uses, with AWS's defaults and validation) into which the base commit's desired state is
 * applied by the normal planner and executor. Planning the head against it gives what a live `diff`
 * would show once the base was applied. No SDK client is created and nothing leaves the process.
 */
import { EcsReader } from '../observe/ecs-reader';
import { Route53Reader } from '../observe/route53-reader';
import { CallLog } from '../aws/call-log';
import { sandboxFromJSON, type LoadedSandbox } from '../aws/sandbox/state-file';
import { SandboxRoute53 } from '../aws/sandbox/sandbox-route53';
import type { DesiredState } from '../model/desired';
import { comparedDnsName } from '../model/dns-names';
import { applyPlan, planDesiredState, type ClusterPorts } from './reconcile-cluster';

export interface OfflineAccount {
  sandbox: LoadedSandbox;
  /** Every call made to the sandbox (none of them reaches AWS). */
  callLog: CallLog;
}

/**
 * A fresh account in `region`. Deployments and drains finish at once: a live diff run after an apply
 * sees the state the apply left, not a rollout in progress.
 */
export function offlineAccount(region: string, accountId: string): OfflineAccount {
  const callLog = new CallLog();
  const sandbox = sandboxFromJSON(undefined, {
    region,
    accountId,
    callLog,
    rolloutSeconds: 0,
    drainSeconds: 0,
    insyncSeconds: 0,
  });
  return { sandbox, callLog };
}

/** Fresh readers over the account, as a new `diff` process would have (no cached revisions). */
export function accountPorts(sb: LoadedSandbox): Required<ClusterPorts> {
  return {
    ecs: sb.ecs,
    reader: new EcsReader(sb.ecs),
    dns: { route53: sb.route53, route53Reader: new Route53Reader(sb.route53), elbv2: sb.elbv2, ec2: sb.ec2 },
    elbv2: sb.elbv2,
    sqs: sb.sqs,
    eventBridge: sb.eventBridge,
  };
}

/** `a.b.example.com` -> `b.example.com`; a name of two labels or fewer is its own zone. */
function parentZone(name: string): string {
  const labels = name.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : name;
}

/** The longest label suffix every name shares (at least two labels), else undefined. */
function commonZone(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  let common = names[0].split('.').reverse();
  for (const n of names.slice(1)) {
    const labels = n.split('.').reverse();
    let i = 0;
    while (i < common.length && i < labels.length && common[i] === labels[i]) i++;
    common = common.slice(0, i);
  }
  return common.length >= 2 ? common.reverse().join('.') : undefined;
}

/**
 * Gives the account what the clusters' `dns:` sections need and only the live account knows: the
 * hosted zones (`dns.zoneId` with that id; else `dns.domain`, and the parent of any other name) and
 * the load balancer of a `loadBalancer` target (under a made-up DNS name). Returns one line per
 * assumption, for the plan's notes.
 */
export function seedDns(account: OfflineAccount, states: readonly DesiredState[]): string[] {
  const sb = account.sandbox;
  const zones = new Set<string>();
  const pinned = new Map<string, string>();
  const balancers = new Set<string>();
  for (const s of states) {
    const dns = s.cluster.dns;
    if (!dns) continue;
    const names = s.hostnames.map((h) => comparedDnsName(h.name).replace(/^\*\./, ''));
    const domain = dns.domain !== undefined ? comparedDnsName(dns.domain) : undefined;
    if (dns.zoneId !== undefined) {
      const name = domain ?? commonZone(names) ?? (names[0] ? parentZone(names[0]) : undefined);
      if (name !== undefined && !pinned.has(dns.zoneId)) pinned.set(dns.zoneId, name);
    } else {
      if (domain !== undefined) zones.add(domain);
      for (const n of names) {
        const inZone = [...zones].some((z) => n === z || n.endsWith(`.${z}`));
        if (!inZone) zones.add(parentZone(n));
      }
    }
    // The cluster's own balancer (`managed`) is seeded by seedLoadBalancers, or created by the base.
    if (
      dns.target.kind === 'loadBalancer' &&
      !dns.target.managed &&
      !dns.target.nameOrArn.startsWith('arn:')
    ) {
      balancers.add(dns.target.nameOrArn);
    }
  }
  const notes: string[] = [];
  for (const z of [...zones].sort()) sb.route53.createHostedZone(z);
  if (pinned.size > 0) {
    // A zone's id is the sandbox's to choose: make one, then give it the configured id.
    const made = new Map<string, string>();
    for (const [id, name] of pinned) made.set(sb.route53.createHostedZone(name), id);
    const state = sb.route53.toJSON();
    for (const z of state.zones) z.id = made.get(z.id) ?? z.id;
    sb.route53 = SandboxRoute53.fromJSON(state, { callLog: account.callLog, insyncSeconds: 0 });
  }
  const assumed = [...[...zones].sort(), ...[...pinned].map(([id, name]) => `${name} (${id})`)];
  if (assumed.length > 0) {
    notes.push(
      `DNS: hosted zones assumed to exist (an offline diff cannot list them): ${assumed.join(', ')}; ` +
        'a name without a zone in the account is an error only a live diff or apply finds',
    );
  }
  for (const name of [...balancers].sort()) {
    sb.elbv2.addLoadBalancer({ name });
    notes.push(
      `DNS: load balancer ${name} is assumed to exist; alias targets show a made-up DNS name for it`,
    );
  }
  return notes;
}

/**
 * Gives the account the existing balancers that `loadBalancer: { name }` sections name, with an
 * HTTP listener on every port the specs route through (an offline diff cannot read the real one).
 * A balancer named by ARN cannot be made up: the plan then says it was not found. Returns the notes.
 */
export async function seedLoadBalancers(
  account: OfflineAccount,
  states: readonly DesiredState[],
): Promise<string[]> {
  const ports = new Map<string, Set<number>>();
  for (const s of states) {
    const cfg = s.cluster.loadBalancer;
    if (cfg?.ref.kind !== 'existing' || !('name' in cfg.ref)) continue;
    const set = ports.get(cfg.ref.name) ?? new Set<number>();
    for (const l of cfg.listeners) set.add(l.port);
    for (const t of s.proxyTargets ?? []) for (const p of t.ports) set.add(p.listen);
    ports.set(cfg.ref.name, set);
  }
  const notes: string[] = [];
  for (const [name, listen] of [...ports].sort(([a], [b]) => a.localeCompare(b))) {
    const lb = account.sandbox.elbv2.addLoadBalancer({ name });
    for (const port of [...listen].sort((a, b) => a - b)) {
      await account.sandbox.elbv2.createListener({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      });
    }
    notes.push(
      `load balancer ${name} is assumed to exist with listeners on ${[...listen].sort((a, b) => a - b).join(', ') || 'no port'} and no other rules; rule priorities are as on an empty listener`,
    );
  }
  return notes;
}

/** What applying the base did that a reviewer should know (a plan error, a failed action). */
export interface BaselineProblem {
  cluster: string;
  message: string;
}

/**
 * Applies a desired state to the account, as `apply` would (plan, then execute). A plan with errors
 * is not applied (fail closed, as apply); failed actions are reported, not thrown.
 */
export async function applyBaseline(
  account: OfflineAccount,
  desired: DesiredState,
): Promise<BaselineProblem[]> {
  const ports = accountPorts(account.sandbox);
  const cluster = desired.cluster.name;
  const plan = await planDesiredState(desired, ports);
  if (plan.errors.length > 0) {
    return plan.errors.map((e) => ({ cluster, message: `not applied: ${e.message}` }));
  }
  const results = await applyPlan(plan, ports);
  return results
    .filter((r) => r.outcome === 'failed')
    .map((r) => ({ cluster, message: `${r.resource} ${r.name} failed: ${r.message ?? r.errorCode ?? ''}` }));
}
