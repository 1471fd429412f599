/**
 * DNS reconcile scenarios at the library level, on the strict in-memory sandbox account (ECS,
 * Route53, ELBv2, EC2 on one manual clock and one call log): load a cluster directory, plan against
 * the sandbox, apply, and look at the hosted zone the way a user would (ListResourceRecordSets).
 * Every scenario ends with a round that makes zero mutating calls.
 *
 * These live on the sandbox because moto cannot show them (test/e2e/dns.moto.test.ts has the rest):
 * moto accepts change batches Route53 rejects (a CNAME beside an A, a CREATE of a name twice in one
 * batch), so neither the per-record retry of a rejected batch nor the order of an A -> CNAME
 * replacement can be seen on it; its changes are INSYNC at once, so waiting cannot be seen; it gives
 * every load balancer the fake canonical zone Z2P70J7EXAMPLE; and a plan error must be shown to
 * stop every call, ECS included, which the sandbox's shared call log counts in one place.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Route53Reader } from '../../controller/observe/route53-reader';
import { sandboxFromJSON, sandboxToJSON } from '../../controller/aws/sandbox/state-file';
import type { Plan } from '../../controller/plan/plan-types';
import type { ActionResult } from '../../controller/model/action-result';
import { waitForDnsChanges } from '../../controller/reconcile/dns-waiter';
import { applyPlan, type ClusterPorts, planDesiredState } from '../../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../../controller/specfiles';
import { newSandboxAccount } from '../helpers/sandbox';

type Account = ReturnType<typeof newSandboxAccount>;

// ------------------------------------------------------------------------------------- helpers

/** A cluster directory: cluster.yaml with `dns:` (YAML lines, indented under it) and task definitions. */
function clusterDir(dns: string[], taskdefs: Record<string, Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-dns-'));
  writeFileSync(
    path.join(dir, 'cluster.yaml'),
    ['name: demo', 'dns:', ...dns.map((l) => `  ${l}`), ''].join('\n'),
  );
  for (const [name, labels] of Object.entries(taskdefs)) writeTaskdef(dir, name, labels);
  return dir;
}

/** An AUTOCREATE.SERVICE task definition (service `name`) whose one container carries `labels`. */
function writeTaskdef(dir: string, name: string, labels: Record<string, string>): void {
  const taskdef = {
    containerDefinitions: [
      {
        name: 'web',
        image: 'nginx:1.27',
        memoryReservation: 64,
        portMappings: [{ containerPort: 80 }],
        dockerLabels: { 'AUTOCREATE.SERVICE': '', ...labels },
      },
    ],
  };
  writeFileSync(path.join(dir, `${name}.taskdef`), JSON.stringify(taskdef, null, 2));
}

function ports(acct: Account): ClusterPorts {
  return {
    ecs: acct.ecs,
    reader: new EcsReader(acct.ecs),
    dns: {
      route53: acct.route53,
      route53Reader: new Route53Reader(acct.route53),
      elbv2: acct.elbv2,
      ec2: acct.ec2,
    },
  };
}

interface Round {
  plan: Plan;
  results: ActionResult[];
  outcomes: Record<string, string>;
  /** Mutating calls of this round, per operation. */
  mutating: Record<string, number>;
}

async function plan(acct: Account, dir: string): Promise<Plan> {
  const loaded = await loadClusterDir(dir, { env: {} });
  expect(loaded.errors).toEqual([]);
  if (!loaded.state) throw new Error(`no desired state from ${dir}`);
  return planDesiredState(loaded.state, ports(acct));
}

/**
 * One reconcile, as one `apply` run (fresh readers: a new process). `between` runs after planning
 * and before applying: the world changing under a plan.
 */
async function reconcile(acct: Account, dir: string, between?: () => Promise<void>): Promise<Round> {
  const p = await plan(acct, dir);
  expect(p.errors).toEqual([]);
  if (between) await between();
  acct.ecs.callLog.reset();
  const results = await applyPlan(p, ports(acct));
  return {
    plan: p,
    results,
    outcomes: Object.fromEntries(results.map((r) => [r.id, r.outcome])),
    mutating: acct.ecs.callLog.mutating(),
  };
}

function result(round: Round, id: string): ActionResult {
  const r = round.results.find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}: ${JSON.stringify(round.results)}`);
  return r;
}

/** Every record set of a zone, following pages (not counted: the call log is reset by each round). */
async function zoneRecords(acct: Account, zoneId: string): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type'] } = {};
  for (;;) {
    const page = await acct.route53.listResourceRecordSets({ HostedZoneId: zoneId, ...start });
    out.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return out;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
  }
}

function inventory(records: ResourceRecordSet[]): string[] {
  return records.map((r) => `${r.Type} ${r.Name}`).sort();
}

function find(records: ResourceRecordSet[], name: string, type: string): ResourceRecordSet | undefined {
  return records.find((r) => r.Name === name && r.Type === type);
}

function values(r: ResourceRecordSet | undefined): string[] {
  return (r?.ResourceRecords ?? []).map((v) => v.Value ?? '');
}

/** The owner and cluster an ownership TXT names. */
function txtOwner(r: ResourceRecordSet | undefined): { owner?: string; cluster?: string } {
  const text = values(r).join('');
  return {
    owner: /ecs-gitops\/owner=([^,"]*)/.exec(text)?.[1],
    cluster: /ecs-gitops\/cluster=([^,"]*)/.exec(text)?.[1],
  };
}

/** A simple A record written by someone else (no ownership TXT), not counted in the round. */
async function foreignA(acct: Account, zoneId: string, name: string, ip: string): Promise<void> {
  await acct.route53.changeResourceRecordSets({
    HostedZoneId: zoneId,
    ChangeBatch: {
      Changes: [
        {
          Action: 'CREATE',
          ResourceRecordSet: { Name: name, Type: 'A', TTL: 300, ResourceRecords: [{ Value: ip }] },
        },
      ],
    },
  });
}

// ------------------------------------------------------------------------------------- tests

describe('a change batch Route53 rejects', () => {
  test("is retried record by record: the others land, the bad one fails with Route53's message", async () => {
    const acct = newSandboxAccount();
    const zone = acct.route53.createHostedZone('example.com');
    const dir = clusterDir(['target: { addresses: [192.0.2.10] }'], {
      web: { 'dns.hostname': 'a.example.com b.example.com c.example.com' },
    });

    // Someone creates b.example.com after the plan was made and before it is applied: the batch
    // (a, b and c, each with its TXT) is rejected as a whole, and Route53 says why.
    const first = await reconcile(acct, dir, () => foreignA(acct, zone, 'b.example.com', '198.51.100.7'));
    expect(first.plan.actions.filter((a) => a.resource === 'dnsRecord').map((a) => [a.id, a.op])).toEqual([
      ['dnsRecord/a.example.com/A', 'create'],
      ['dnsRecord/b.example.com/A', 'create'],
      ['dnsRecord/c.example.com/A', 'create'],
    ]);
    // One batch for all three, then one request per record.
    expect(first.mutating).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.CreateService': 1,
      'ECS.RegisterTaskDefinition': 1,
      'Route53.ChangeResourceRecordSets': 4,
    });
    expect(first.outcomes['dnsRecord/a.example.com/A']).toBe('created');
    expect(first.outcomes['dnsRecord/c.example.com/A']).toBe('created');
    const b = result(first, 'dnsRecord/b.example.com/A');
    expect(b.outcome).toBe('failed');
    expect(b.errorCode).toBe('InvalidChangeBatch');
    expect(b.message).toBe(
      "InvalidChangeBatch: [Tried to create resource record set [name='b.example.com.', type='A'] but it already exists] (Route53.ChangeResourceRecordSets)",
    );
    expect(first.outcomes['service/web']).toBe('created');

    const records = await zoneRecords(acct, zone);
    expect(inventory(records)).toEqual([
      'A a.example.com.',
      'A b.example.com.',
      'A c.example.com.',
      'NS example.com.',
      'SOA example.com.',
      'TXT _ecs-gitops-a.a.example.com.',
      'TXT _ecs-gitops-a.c.example.com.',
    ]);
    expect(values(find(records, 'a.example.com.', 'A'))).toEqual(['192.0.2.10']);
    expect(values(find(records, 'b.example.com.', 'A'))).toEqual(['198.51.100.7']);
    expect(values(find(records, 'c.example.com.', 'A'))).toEqual(['192.0.2.10']);

    // The next round sees b as someone else's record: a conflict, left alone, nothing written.
    const second = await reconcile(acct, dir);
    expect(second.mutating).toEqual({});
    expect(second.outcomes['dnsRecord/b.example.com/A']).toBe('skipped');
    expect(result(second, 'dnsRecord/b.example.com/A').message).toContain(
      'A b.example.com -> 198.51.100.7 exists without an ecs-gitops ownership record',
    );
    expect(second.outcomes['dnsRecord/a.example.com/A']).toBe('unchanged');
    expect(await zoneRecords(acct, zone)).toEqual(records);
  });
});

describe('waiting for INSYNC', () => {
  test("waitForDnsChanges reports insync only after Route53's propagation time on the clock", async () => {
    const acct = newSandboxAccount({ insyncSeconds: 60 });
    acct.route53.createHostedZone('example.com');
    const dir = clusterDir(['target: { addresses: [192.0.2.10] }'], {
      web: { 'proxy.host': 'www.example.com' },
    });
    const first = await reconcile(acct, dir);
    const www = result(first, 'dnsRecord/www.example.com/A');
    expect(www.outcome).toBe('created');
    expect(www.changeId).toBeDefined();
    const changeId = www.changeId ?? '';
    const submitted = acct.clock.now();
    expect((await acct.route53.getChange({ Id: changeId })).ChangeInfo?.Status).toBe('PENDING');

    // A deadline before propagation ends: reported as a timeout, not as insync.
    const early = await waitForDnsChanges(acct.route53, [changeId], {
      clock: acct.clock,
      timeoutMs: 30_000,
      pollMs: 5000,
    });
    expect(early).toEqual([{ changeId, state: 'timeout' }]);
    expect(acct.clock.now() - submitted).toBe(30_000);
    expect((await acct.route53.getChange({ Id: changeId })).ChangeInfo?.Status).toBe('PENDING');

    const done = await waitForDnsChanges(acct.route53, [changeId], {
      clock: acct.clock,
      timeoutMs: 120_000,
      pollMs: 5000,
    });
    expect(done).toEqual([{ changeId, state: 'insync' }]);
    // Not before the 60 seconds passed, and at the first poll after that.
    expect(acct.clock.now() - submitted).toBeGreaterThanOrEqual(60_000);
    expect(acct.clock.now() - submitted).toBeLessThan(65_000);

    const second = await reconcile(acct, dir);
    expect(second.mutating).toEqual({});
  });
});

describe('targets', () => {
  test('a dualstack load balancer gets alias A and AAAA records, each with its TXT', async () => {
    const acct = newSandboxAccount();
    const zone = acct.route53.createHostedZone('example.com');
    const lb = acct.elbv2.addLoadBalancer({ name: 'shop-alb', ipAddressType: 'dualstack' });
    const dir = clusterDir(['target: { loadBalancer: shop-alb }'], {
      web: { 'proxy.host': 'shop.example.com' },
    });

    const first = await reconcile(acct, dir);
    expect(first.outcomes['dnsRecord/shop.example.com/A']).toBe('created');
    expect(first.outcomes['dnsRecord/shop.example.com/AAAA']).toBe('created');
    expect(first.mutating['Route53.ChangeResourceRecordSets']).toBe(1);

    const records = await zoneRecords(acct, zone);
    expect(inventory(records)).toEqual([
      'A shop.example.com.',
      'AAAA shop.example.com.',
      'NS example.com.',
      'SOA example.com.',
      'TXT _ecs-gitops-a.shop.example.com.',
      'TXT _ecs-gitops-aaaa.shop.example.com.',
    ]);
    for (const type of ['A', 'AAAA']) {
      const r = find(records, 'shop.example.com.', type);
      expect(r?.AliasTarget).toEqual({
        DNSName: `${lb.DNSName?.toLowerCase()}.`,
        HostedZoneId: lb.CanonicalHostedZoneId,
        EvaluateTargetHealth: true,
      });
      expect(r?.TTL).toBeUndefined();
      expect(txtOwner(find(records, `_ecs-gitops-${type.toLowerCase()}.shop.example.com.`, 'TXT'))).toEqual({
        owner: 'demo',
        cluster: 'demo',
      });
    }

    const second = await reconcile(acct, dir);
    expect(second.mutating).toEqual({});
    expect(second.outcomes['dnsRecord/shop.example.com/A']).toBe('unchanged');
    expect(second.outcomes['dnsRecord/shop.example.com/AAAA']).toBe('unchanged');
  });

  test('instances: one A record with every public IP; an instance that goes away is taken out (UPSERT)', async () => {
    let acct = newSandboxAccount();
    const zone = acct.route53.createHostedZone('example.com');
    // The cluster and its instances come from the infrastructure, as with any EC2 cluster.
    await acct.ecs.createCluster({ clusterName: 'demo' });
    const ips = ['198.51.100.9', '198.51.100.10', '198.51.100.11'];
    const ids = ips.map((publicIp) => acct.ec2.addInstance({ publicIp }));
    const privateOnly = acct.ec2.addInstance();
    for (const id of [...ids, privateOnly])
      acct.ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: id });
    const dir = clusterDir(['target: { instances: true }'], { web: { 'proxy.host': 'www.example.com' } });

    const first = await reconcile(acct, dir);
    expect(first.outcomes['dnsRecord/www.example.com/A']).toBe('created');
    expect(first.mutating['Route53.ChangeResourceRecordSets']).toBe(1);
    let records = await zoneRecords(acct, zone);
    expect(inventory(records)).toEqual([
      'A www.example.com.',
      'NS example.com.',
      'SOA example.com.',
      'TXT _ecs-gitops-a.www.example.com.',
    ]);
    expect(values(find(records, 'www.example.com.', 'A')).sort()).toEqual([...ips].sort());
    expect(find(records, 'www.example.com.', 'A')?.TTL).toBe(300);

    expect((await reconcile(acct, dir)).mutating).toEqual({});

    // The instance behind 198.51.100.10 is terminated and its container instance deregistered
    // (the sandbox account's state edited, as AWS would have changed it).
    const state = sandboxToJSON(acct);
    const gone = ids[1];
    for (const ci of state.containerInstances?.demo ?? [])
      if (ci.ec2InstanceId === gone) ci.status = 'INACTIVE';
    for (const i of state.ec2?.instances ?? []) if (i.instanceId === gone) i.state = 'terminated';
    acct = { ...sandboxFromJSON(state, { clock: acct.clock }), clock: acct.clock };

    const shrunk = await reconcile(acct, dir);
    expect(shrunk.outcomes['dnsRecord/www.example.com/A']).toBe('updated');
    expect(shrunk.mutating).toEqual({ 'Route53.ChangeResourceRecordSets': 1 });
    const step = shrunk.plan.actions.find((a) => a.id === 'dnsRecord/www.example.com/A')?.steps[0];
    expect(step?.call === 'changeRecords' ? step.changes.map((c) => c.Action) : []).toEqual(['UPSERT']);
    records = await zoneRecords(acct, zone);
    expect(values(find(records, 'www.example.com.', 'A')).sort()).toEqual(['198.51.100.11', '198.51.100.9']);
    expect(find(records, '_ecs-gitops-a.www.example.com.', 'TXT')).toBeDefined();

    expect((await reconcile(acct, dir)).mutating).toEqual({});
  });
});

describe('changing the target', () => {
  // moto accepts a CNAME beside an A, so only the sandbox shows that the replacement is ordered and
  // atomic: Route53 rejects a CREATE of the CNAME while the A is still there.
  test('from addresses to a CNAME and back: ours replaced in one batch, TXT records follow', async () => {
    const acct = newSandboxAccount();
    const zone = acct.route53.createHostedZone('example.com');
    const dir = clusterDir(['domain: example.com', 'target: { addresses: [192.0.2.10, "2001:db8::10"] }'], {
      web: { 'proxy.host': 'www' },
    });
    const first = await reconcile(acct, dir);
    expect(first.outcomes['dnsRecord/www.example.com/A']).toBe('created');
    expect(first.outcomes['dnsRecord/www.example.com/AAAA']).toBe('created');

    const config = path.join(dir, 'cluster.yaml');
    writeFileSync(
      config,
      ['name: demo', 'dns:', '  domain: example.com', '  target: { cname: lb.example.net }', ''].join('\n'),
    );
    const toCname = await reconcile(acct, dir);
    expect(toCname.mutating).toEqual({ 'Route53.ChangeResourceRecordSets': 1 });
    expect(toCname.outcomes['dnsRecord/www.example.com/CNAME']).toBe('created');
    let records = await zoneRecords(acct, zone);
    expect(inventory(records)).toEqual([
      'CNAME www.example.com.',
      'NS example.com.',
      'SOA example.com.',
      'TXT _ecs-gitops-cname.www.example.com.',
    ]);
    expect(values(find(records, 'www.example.com.', 'CNAME'))).toEqual(['lb.example.net']);
    expect((await reconcile(acct, dir)).mutating).toEqual({});

    writeFileSync(
      config,
      ['name: demo', 'dns:', '  domain: example.com', '  target: { addresses: [192.0.2.10] }', ''].join('\n'),
    );
    const back = await reconcile(acct, dir);
    expect(back.mutating).toEqual({ 'Route53.ChangeResourceRecordSets': 1 });
    expect(back.outcomes['dnsRecord/www.example.com/A']).toBe('created');
    records = await zoneRecords(acct, zone);
    expect(inventory(records)).toEqual([
      'A www.example.com.',
      'NS example.com.',
      'SOA example.com.',
      'TXT _ecs-gitops-a.www.example.com.',
    ]);
    expect((await reconcile(acct, dir)).mutating).toEqual({});
  });
});

describe('policies and plan errors', () => {
  test('policy upsert-only keeps the records of a name whose label was removed', async () => {
    const acct = newSandboxAccount();
    const zone = acct.route53.createHostedZone('example.com');
    const dir = clusterDir(['policy: upsert-only', 'target: { addresses: [192.0.2.10] }'], {
      web: { 'dns.hostname': 'a.example.com b.example.com' },
    });
    const first = await reconcile(acct, dir);
    expect(first.outcomes['dnsRecord/b.example.com/A']).toBe('created');
    const before = await zoneRecords(acct, zone);
    expect(find(before, 'b.example.com.', 'A')).toBeDefined();

    writeTaskdef(dir, 'web', { 'dns.hostname': 'a.example.com' });
    const removed = await reconcile(acct, dir);
    // The task definition changed (its label), the records did not.
    // (+1 TagResource: the deploy records the spec hash on the service.)
    expect(removed.mutating).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });
    const b = removed.plan.actions.find((a) => a.id === 'dnsRecord/b.example.com/A');
    expect(b?.op).toBe('none');
    expect(b?.reason).toContain('kept (policy upsert-only)');
    expect(result(removed, 'dnsRecord/b.example.com/A').outcome).toBe('unchanged');
    expect(await zoneRecords(acct, zone)).toEqual(before);

    expect((await reconcile(acct, dir)).mutating).toEqual({});
  });

  test('a host name without a hosted zone is a plan error, and nothing at all is applied', async () => {
    const acct = newSandboxAccount();
    const zone = acct.route53.createHostedZone('example.com');
    const dir = clusterDir(['target: { addresses: [192.0.2.10] }'], {
      web: { 'proxy.host': 'www.example.com' },
      api: { 'dns.hostname': 'api.nozone.test' },
    });

    acct.ecs.callLog.reset();
    const p = await plan(acct, dir);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({
      message: expect.stringContaining(
        'no hosted zone for api.nozone.test: no public hosted zone contains it',
      ),
      field: 'containerDefinitions[web].dockerLabels.dns.hostname',
      source: { file: path.join(dir, 'api.taskdef') },
    });
    expect(p.errors[0].source?.line).toBeGreaterThan(1);
    // The rest of the plan would have created things: none of it may happen.
    expect(p.actions.filter((a) => a.op === 'create').length).toBeGreaterThan(0);
    await expect(applyPlan(p, ports(acct))).rejects.toThrow('refusing to apply a plan with 1 error(s)');
    expect(acct.ecs.callLog.mutating()).toEqual({});
    expect((await acct.ecs.describeClusters({ clusters: ['demo'] })).clusters ?? []).toEqual([]);
    expect(inventory(await zoneRecords(acct, zone))).toEqual(['NS example.com.', 'SOA example.com.']);

    // With the zone created, the same directory converges; the round after changes nothing.
    acct.route53.createHostedZone('nozone.test');
    const fixed = await reconcile(acct, dir);
    expect(fixed.outcomes['dnsRecord/api.nozone.test/A']).toBe('created');
    expect(fixed.outcomes['dnsRecord/www.example.com/A']).toBe('created');
    // One request per zone.
    expect(fixed.mutating['Route53.ChangeResourceRecordSets']).toBe(2);
    expect((await reconcile(acct, dir)).mutating).toEqual({});
  });
});

describe('policy sync across zones', () => {
  // Fails today (controller bug): zonesToRead (controller/observe/dns-observer.ts) reads only the zones
  // of the names still desired (plus dns.domain's), so once the last name of a zone goes away that
  // zone is never read again, and our records there are never found, never deleted, never reported.
  test('removing the last name of a zone deletes our records in that zone', async () => {
    const acct = newSandboxAccount();
    const z1 = acct.route53.createHostedZone('z1.test');
    const z2 = acct.route53.createHostedZone('z2.test');
    const dir = clusterDir(['target: { addresses: [192.0.2.10] }'], {
      one: { 'dns.hostname': 'www.z1.test' },
      two: { 'dns.hostname': 'www.z2.test' },
    });
    const first = await reconcile(acct, dir);
    expect(first.outcomes['dnsRecord/www.z2.test/A']).toBe('created');
    const z1Before = await zoneRecords(acct, z1);

    writeTaskdef(dir, 'two', {});
    const removed = await reconcile(acct, dir);
    expect(inventory(await zoneRecords(acct, z2))).toEqual(['NS z2.test.', 'SOA z2.test.']);
    expect(removed.outcomes['dnsRecord/www.z2.test/A']).toBe('deleted');
    expect(removed.mutating['Route53.ChangeResourceRecordSets']).toBe(1);
    expect(await zoneRecords(acct, z1)).toEqual(z1Before);

    expect((await reconcile(acct, dir)).mutating).toEqual({});
  });
});
