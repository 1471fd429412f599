/**
 * End to end against moto, through the real CLI and the real AWS SDK: Route53 records for the names
 * that containers claim (`proxy.host`, `dns.hostname`), checked the way a user would check them, with
 * ListResourceRecordSets.
 *
 * Where moto 5.2.1 is not Route53 (see the header of test/aws/route53.moto.test.ts), these tests avoid
 * depending on it, and the AWS behaviour is tested on the sandbox instead
 * (test/reconcile/dns.sandbox.test.ts):
 * - moto keeps the case of names as written and returns `*` unescaped (Route53: lower case, `\052`):
 *   ecs-gitops writes lower-case names only, and these tests use no wildcard; names read back are
 *   lower-cased here all the same, so that the tests would pass against Route53 too;
 * - moto sorts ListResourceRecordSets by the plain name (Route53: by reversed labels): records are
 *   compared as sets, never by position;
 * - moto answers INSYNC at once and never finishes an ECS deployment: no `apply --wait` here; the
 *   wait for INSYNC is tested on the sandbox's clock;
 * - moto accepts a CNAME beside an A and a CREATE of a name twice in one batch: no scenario here
 *   relies on Route53 rejecting a batch (the per-record retry of a rejected batch is on the sandbox);
 * - moto rejects more than 1000 records in one batch (like Route53) but not more than 32000
 *   characters of values: the batches the CLI sends are captured here and measured against both
 *   limits, rather than trusting moto to refuse them.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsRequest,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsRequest,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Route53Reader } from '../../controller/observe/route53-reader';
import { SdkEc2Port } from '../../controller/aws/sdk-ec2-port';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { SdkElbv2Port } from '../../controller/aws/sdk-elbv2-port';
import { SdkRoute53Port } from '../../controller/aws/sdk-route53-port';
import { batchChanges } from '../../controller/plan/dns-batches';
import { planDesiredState } from '../../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../../controller/specfiles';
import { TEST_REGION } from '../helpers/aws-env';
import { useMoto, useMotoClient } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const FIXTURE = path.join(__dirname, '../fixtures/ecs-efs-example');
const CONFIG = path.join(__dirname, '../fixtures/ecs-efs-dns.yaml');
/** The address test/fixtures/ecs-efs-dns.yaml points every name at. */
const TARGET = '203.0.113.10';

const moto = useMoto();
const route53 = useMotoClient(moto, Route53Client);
const ecs = useMotoClient(moto, ECSClient);

const awsEnv = () => ({ AWS_ENDPOINT_URL: moto.endpoint });

// ------------------------------------------------------------------------------------- helpers

function copyFixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-efs-dns-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(file, next);
}

/**
 * Runs `apply --output json` in-process and captures every ChangeResourceRecordSets request the CLI
 * sends (what went over the wire, batch by batch).
 */
async function apply(args: string[]) {
  // Calls through to the real client; only records what was sent.
  const spy = jest.spyOn(Route53Client.prototype, 'send');
  try {
    const run = await runCli(['apply', ...args, '--output', 'json'], awsEnv());
    const batches: ChangeResourceRecordSetsRequest[] = spy.mock.calls
      .map((call) => call[0] as unknown)
      .filter((c): c is ChangeResourceRecordSetsCommand => c instanceof ChangeResourceRecordSetsCommand)
      .map((c) => structuredClone(c.input));
    return { run, out: json(run), batches };
  } finally {
    spy.mockRestore();
  }
}

/** The ecs-efs fixture (a copy) with the DNS config kept outside it. */
function applyFixture(dir: string, config = CONFIG) {
  return apply([dir, '--cluster', 'demo', '--config', config]);
}

function mutating(byOperation: Record<string, number>): Record<string, number> {
  const reads = /\.(Describe|List|Get)/;
  return Object.fromEntries(Object.entries(byOperation).filter(([op]) => !reads.test(op)));
}

function outcomes(out: any): Record<string, string> {
  return Object.fromEntries(out.clusters[0].results.map((r: any) => [r.id, r.outcome]));
}

function result(out: any, id: string): any {
  const r = out.clusters[0].results.find((x: any) => x.id === id);
  if (!r) throw new Error(`no result for ${id}: ${JSON.stringify(out.clusters[0].results)}`);
  return r;
}

async function createZone(name: string): Promise<string> {
  const out = await route53().send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}-${Math.random()}` }),
  );
  return (out.HostedZone?.Id ?? '').replace('/hostedzone/', '');
}

async function createRecord(zoneId: string, name: string, type: string, value: string): Promise<void> {
  await route53().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: name,
              Type: type as 'A',
              TTL: 300,
              ResourceRecords: [{ Value: value }],
            },
          },
        ],
      },
    }),
  );
}

/** A record as a user reads it: lower-case name without the trailing dot (moto keeps the case). */
interface Rec {
  name: string;
  type: string;
  ttl?: number;
  values: string[];
}

/** Every record set of a zone, following ListResourceRecordSets' pages (300 per page). */
async function listRecords(zoneId: string): Promise<Rec[]> {
  const out: Rec[] = [];
  let next: Partial<ListResourceRecordSetsRequest> = {};
  for (;;) {
    const page = await route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...next }));
    out.push(...(page.ResourceRecordSets ?? []).map(rec));
    if (!page.IsTruncated) return out;
    next = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
  }
}

function rec(r: ResourceRecordSet): Rec {
  return {
    name: (r.Name ?? '').toLowerCase().replace(/\.$/, ''),
    type: r.Type ?? '',
    ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
    values: (r.ResourceRecords ?? []).map((v) => v.Value ?? ''),
  };
}

function find(records: Rec[], name: string, type: string): Rec | undefined {
  return records.find((r) => r.name === name && r.type === type);
}

/** `TYPE name` of every record, sorted: the zone's inventory. */
function inventory(records: Rec[]): string[] {
  return records.map((r) => `${r.type} ${r.name}`).sort();
}

/** The text of an ownership TXT value (its quoted strings joined), as key=value pairs. */
function ownership(txt: Rec | undefined): Record<string, string> {
  expect(txt?.values).toHaveLength(1);
  const strings = [...(txt?.values[0] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  expect(strings.length).toBeGreaterThan(0);
  return Object.fromEntries(
    strings
      .join('')
      .split(',')
      .map((kv) => kv.split('=') as [string, string]),
  );
}

// ------------------------------------------------------------------------------------- tests

describe('Route53 records for the ecs-efs fixture (moto)', () => {
  test('the ecs-efs fixture with a hosted zone for its domain gets exactly the expected records', async () => {
    const zone = await createZone('example.com');
    const dir = copyFixture();
    const { run, out, batches } = await applyFixture(dir);
    expect(run.code).toBe(0);
    expect(mutating(out.awsCalls.byOperation)).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.CreateService': 2,
      'ECS.RegisterTaskDefinition': 2,
      'Route53.ChangeResourceRecordSets': 1,
    });
    expect(outcomes(out)).toMatchObject({
      'dnsRecord/ci.example.com/A': 'created',
      'dnsRecord/www.example.com/A': 'created',
    });
    expect(batches).toHaveLength(1);
    expect(batches[0].HostedZoneId).toBe(zone);

    const records = await listRecords(zone);
    expect(inventory(records)).toEqual([
      'A ci.example.com',
      'A www.example.com',
      'NS example.com',
      'SOA example.com',
      'TXT _ecs-gitops-a.ci.example.com',
      'TXT _ecs-gitops-a.www.example.com',
    ]);
    expect(find(records, 'www.example.com', 'A')).toEqual({
      name: 'www.example.com',
      type: 'A',
      ttl: 300,
      values: [TARGET],
    });
    expect(find(records, 'ci.example.com', 'A')).toEqual({
      name: 'ci.example.com',
      type: 'A',
      ttl: 300,
      values: [TARGET],
    });
    expect(ownership(find(records, '_ecs-gitops-a.www.example.com', 'TXT'))).toEqual({
      heritage: 'ecs-gitops',
      'ecs-gitops/owner': 'demo',
      'ecs-gitops/cluster': 'demo',
      'ecs-gitops/service': 'webserver',
      'ecs-gitops/region': 'us-east-1',
    });
    expect(ownership(find(records, '_ecs-gitops-a.ci.example.com', 'TXT'))).toEqual({
      heritage: 'ecs-gitops',
      'ecs-gitops/owner': 'demo',
      'ecs-gitops/cluster': 'demo',
      'ecs-gitops/service': 'jenkins',
      'ecs-gitops/region': 'us-east-1',
    });
  });

  test('a second apply makes zero Route53 changes', async () => {
    const zone = await createZone('example.com');
    const dir = copyFixture();
    expect((await applyFixture(dir)).run.code).toBe(0);
    const before = await listRecords(zone);

    const second = await applyFixture(dir);
    expect(second.run.code).toBe(0);
    expect(mutating(second.out.awsCalls.byOperation)).toEqual({});
    expect(second.out.awsCalls.mutating).toBe(0);
    expect(second.batches).toEqual([]);
    // The read budget of a no-op: the ECS reads of the fixture (no DescribeTaskDefinition: the
    // services' spec-hash tags vouch for their families), the zones once, one page of records.
    expect(second.out.awsCalls.byOperation).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 1,
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
      'Route53.ListHostedZones': 1,
      'Route53.ListResourceRecordSets': 1,
    });
    expect(second.out.clusters[0].results.every((r: any) => r.outcome === 'unchanged')).toBe(true);
    expect(await listRecords(zone)).toEqual(before);

    const diff = await runCli(['diff', dir, '--cluster', 'demo', '--config', CONFIG], awsEnv());
    expect(diff.code).toBe(0);
  });

  test('removing a label deletes only our records', async () => {
    const zone = await createZone('example.com');
    await createRecord(zone, 'legacy.example.com', 'A', '198.51.100.20');
    const dir = copyFixture();
    expect((await applyFixture(dir)).run.code).toBe(0);
    const before = await listRecords(zone);
    expect(find(before, 'www.example.com', 'A')).toBeDefined();

    edit(path.join(dir, 'webserver.taskdef'), /"proxy\.host"\s*:\s*"www",\s*/, '');
    const removed = await applyFixture(dir);
    expect(removed.run.code).toBe(0);
    expect(result(removed.out, 'dnsRecord/www.example.com/A').outcome).toBe('deleted');
    // The label is part of the task definition: a new revision, and the service moves to it.
    expect(mutating(removed.out.awsCalls.byOperation)).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      // The deploy records the spec hash on the service.
      'ECS.TagResource': 1,
      'Route53.ChangeResourceRecordSets': 1,
    });

    const after = await listRecords(zone);
    expect(inventory(after)).toEqual([
      'A ci.example.com',
      'A legacy.example.com',
      'NS example.com',
      'SOA example.com',
      'TXT _ecs-gitops-a.ci.example.com',
    ]);
    // What is left is exactly as it was.
    for (const [name, type] of [
      ['ci.example.com', 'A'],
      ['_ecs-gitops-a.ci.example.com', 'TXT'],
      ['legacy.example.com', 'A'],
      ['example.com', 'NS'],
      ['example.com', 'SOA'],
    ]) {
      expect(find(after, name, type)).toEqual(find(before, name, type));
    }
    expect(find(after, 'legacy.example.com', 'A')?.values).toEqual(['198.51.100.20']);

    const again = await applyFixture(dir);
    expect(again.run.code).toBe(0);
    expect(mutating(again.out.awsCalls.byOperation)).toEqual({});
    expect(await listRecords(zone)).toEqual(after);
  });

  test('a pre-existing unowned record with the same name is left untouched and reported', async () => {
    const zone = await createZone('example.com');
    await createRecord(zone, 'www.example.com', 'A', '198.51.100.7');
    const dir = copyFixture();

    const first = await applyFixture(dir);
    expect(first.run.code).toBe(1);
    expect(first.out.converged).toBe(false);
    const www = result(first.out, 'dnsRecord/www.example.com/A');
    expect(www.outcome).toBe('skipped');
    expect(www.message).toMatch(/^conflict: /);
    expect(www.message).toContain('A www.example.com -> 198.51.100.7');
    expect(www.message).toContain('dns.adopt');
    // Everything else was applied.
    expect(result(first.out, 'dnsRecord/ci.example.com/A').outcome).toBe('created');
    expect(result(first.out, 'service/webserver').outcome).toBe('created');

    let records = await listRecords(zone);
    expect(find(records, 'www.example.com', 'A')?.values).toEqual(['198.51.100.7']);
    expect(find(records, '_ecs-gitops-a.www.example.com', 'TXT')).toBeUndefined();
    expect(find(records, 'ci.example.com', 'A')?.values).toEqual([TARGET]);
    expect(find(records, '_ecs-gitops-a.ci.example.com', 'TXT')).toBeDefined();

    // Without adopt, nothing changes on the next round either: still reported, still exit 1.
    const again = await applyFixture(dir);
    expect(again.run.code).toBe(1);
    expect(mutating(again.out.awsCalls.byOperation)).toEqual({});
    expect(result(again.out, 'dnsRecord/www.example.com/A').outcome).toBe('skipped');

    const adoptConfig = path.join(mkdtempSync(path.join(tmpdir(), 'dns-adopt-')), 'cluster.yaml');
    writeFileSync(adoptConfig, readFileSync(CONFIG, 'utf8').replace(/^dns:\n/m, 'dns:\n  adopt: true\n'));
    expect(readFileSync(adoptConfig, 'utf8')).toContain('  adopt: true\n');
    const adopted = await applyFixture(dir, adoptConfig);
    expect(adopted.run.code).toBe(0);
    expect(mutating(adopted.out.awsCalls.byOperation)).toEqual({ 'Route53.ChangeResourceRecordSets': 1 });
    expect(result(adopted.out, 'dnsRecord/www.example.com/A').outcome).toBe('updated');
    expect(adopted.batches).toHaveLength(1);
    const changes = adopted.batches[0].ChangeBatch?.Changes ?? [];
    expect(changes.map((c) => [c.Action, c.ResourceRecordSet?.Type, c.ResourceRecordSet?.Name])).toEqual([
      ['UPSERT', 'A', 'www.example.com.'],
      ['CREATE', 'TXT', '_ecs-gitops-a.www.example.com.'],
    ]);

    records = await listRecords(zone);
    expect(find(records, 'www.example.com', 'A')).toEqual({
      name: 'www.example.com',
      type: 'A',
      ttl: 300,
      values: [TARGET],
    });
    expect(ownership(find(records, '_ecs-gitops-a.www.example.com', 'TXT'))).toMatchObject({
      'ecs-gitops/owner': 'demo',
      'ecs-gitops/cluster': 'demo',
    });

    const after = await applyFixture(dir, adoptConfig);
    expect(after.run.code).toBe(0);
    expect(mutating(after.out.awsCalls.byOperation)).toEqual({});
  });

  test('a host name without a hosted zone changes nothing at all in the cluster', async () => {
    // A zone exists, but not one for the fixture's domain.
    await createZone('example.org');
    const dir = copyFixture();
    const { run, out } = await applyFixture(dir);
    expect(run.code).toBe(1);
    const errors = out.clusters[0].planErrors.map((e: any) => e.message);
    expect(errors).toEqual([
      expect.stringContaining('no hosted zone for ci.example.com'),
      expect.stringContaining('no hosted zone for www.example.com'),
    ]);
    expect(out.clusters[0].results).toEqual([]);
    expect(out.awsCalls.mutating).toBe(0);
    expect(mutating(out.awsCalls.byOperation)).toEqual({});
    const clusters = await ecs().send(new ListClustersCommand({}));
    expect(clusters.clusterArns ?? []).toEqual([]);

    // Once the zone exists, the same directory converges, and the round after changes nothing.
    await createZone('example.com');
    expect((await applyFixture(dir)).run.code).toBe(0);
    const again = await applyFixture(dir);
    expect(again.run.code).toBe(0);
    expect(mutating(again.out.awsCalls.byOperation)).toEqual({});
  });
});

// ------------------------------------------------------------------------------------- scale

/** Route53's limits on one ChangeResourceRecordSets request, counted independently of the planner. */
function requestSize(changes: readonly Change[]): { records: number; chars: number } {
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const weight = c.Action === 'UPSERT' ? 2 : 1;
    const values = c.ResourceRecordSet?.ResourceRecords ?? [];
    records += weight * Math.max(1, values.length);
    chars += weight * values.reduce((n, v) => n + (v.Value ?? '').length, 0);
  }
  return { records, chars };
}

const ZONES = ['z1.test', 'z2.test', 'z3.test'];
const SERVICES = 15;
const NAMES_PER_SERVICE = 100;

/**
 * A cluster directory with 15 AUTOCREATE.SERVICE task definitions, each claiming 100 fully qualified
 * names with `dns.hostname` (no `dns.domain` needed); services 1-5 in z1.test, 6-10 in z2.test,
 * 11-15 in z3.test.
 */
function bigClusterDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dns-scale-'));
  writeFileSync(
    path.join(dir, 'cluster.yaml'),
    ['name: big', 'dns:', '  target:', '    addresses: [192.0.2.10]', ''].join('\n'),
  );
  for (let s = 0; s < SERVICES; s++) {
    const zone = ZONES[Math.floor(s / (SERVICES / ZONES.length))];
    const names = Array.from({ length: NAMES_PER_SERVICE }, (_, n) => `host${s}-${n}.${zone}`);
    const taskdef = {
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx:1.27',
          memoryReservation: 32,
          dockerLabels: { 'AUTOCREATE.SERVICE': '', 'dns.hostname': names.join(' ') },
        },
      ],
    };
    const file = `svc${String(s + 1).padStart(2, '0')}.taskdef`;
    writeFileSync(path.join(dir, file), JSON.stringify(taskdef, null, 2));
  }
  return dir;
}

/** SDK ports against moto, as the CLI builds them, for planning at the library level. */
function sdkPorts() {
  const clients = createAwsClients({ region: TEST_REGION, endpoint: moto.endpoint, callLog: new CallLog() });
  const ecsPort = new SdkEcsPort(clients.ecs);
  const r53 = new SdkRoute53Port(clients.route53);
  return {
    ecs: ecsPort,
    reader: new EcsReader(ecsPort),
    dns: {
      route53: r53,
      route53Reader: new Route53Reader(r53),
      elbv2: new SdkElbv2Port(clients.elbv2),
      ec2: new SdkEc2Port(clients.ec2),
    },
  };
}

describe('Route53 at scale (moto)', () => {
  test('1,500 names across 3 zones apply in batches within the limits', async () => {
    const zoneIds = new Map<string, string>();
    for (const z of ZONES) zoneIds.set(await createZone(z), z);
    const dir = bigClusterDir();

    // What the batching should come to, from the plan of the same directory against the same account.
    const loaded = await loadClusterDir(dir, { env: {} });
    expect(loaded.errors).toEqual([]);
    const plan = await planDesiredState(loaded.state!, sdkPorts());
    expect(plan.errors).toEqual([]);
    const items = new Map<string, { id: string; changes: Change[] }[]>();
    for (const a of plan.actions) {
      if (a.resource !== 'dnsRecord') continue;
      for (const step of a.steps) {
        if (step.call !== 'changeRecords') continue;
        items.set(step.zoneId, [...(items.get(step.zoneId) ?? []), { id: a.id, changes: step.changes }]);
      }
    }
    expect([...items.keys()].sort()).toEqual([...zoneIds.keys()].sort());
    const expectedBatches = new Map([...items].map(([zone, list]) => [zone, batchChanges(list).length]));
    for (const [zone, list] of items) {
      expect(list).toHaveLength(500);
      // 500 records and their 500 TXT: 1000 records fit one request, the TXT values' characters do not.
      const size = requestSize(list.flatMap((i) => i.changes));
      expect(size.records).toBe(1000);
      expect(size.chars).toBeGreaterThan(32000);
      // Independent of batchChanges: the fewest requests the character limit allows, with whole
      // items (a record never travels without its TXT).
      const perItem = Math.max(...list.map((i) => requestSize(i.changes).chars));
      const fewest = Math.ceil(list.length / Math.floor(32000 / perItem));
      expect(fewest).toBe(2);
      expect(expectedBatches.get(zone)).toBe(fewest);
    }

    const first = await apply([dir]);
    expect(first.run.code).toBe(0);
    const total = [...expectedBatches.values()].reduce((a, b) => a + b, 0);
    expect(first.out.awsCalls.byOperation['Route53.ChangeResourceRecordSets']).toBe(total);
    expect(first.batches).toHaveLength(total);
    const perZone = new Map<string, number>();
    for (const b of first.batches) {
      const zone = String(b.HostedZoneId);
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
      const size = requestSize(b.ChangeBatch?.Changes ?? []);
      expect(size.records).toBeLessThanOrEqual(1000);
      expect(size.chars).toBeLessThanOrEqual(32000);
      // A record and its TXT travel together: every A in a batch has its TXT in the same batch.
      const names = new Set(
        (b.ChangeBatch?.Changes ?? []).map(
          (c) => `${c.ResourceRecordSet?.Type} ${c.ResourceRecordSet?.Name}`,
        ),
      );
      for (const n of names)
        if (n.startsWith('A ')) expect(names).toContain(`TXT _ecs-gitops-a.${n.slice(2)}`);
    }
    expect(perZone).toEqual(expectedBatches);
    const dnsOutcomes = first.out.clusters[0].results.filter((r: any) => r.resource === 'dnsRecord');
    expect(dnsOutcomes).toHaveLength(1500);
    expect(dnsOutcomes.every((r: any) => r.outcome === 'created')).toBe(true);

    for (const [id, zone] of zoneIds) {
      const records = await listRecords(id);
      const a = records.filter((r) => r.type === 'A');
      const txt = records.filter((r) => r.type === 'TXT');
      expect(a).toHaveLength(500);
      expect(txt).toHaveLength(500);
      expect(records.filter((r) => r.type === 'SOA' || r.type === 'NS')).toHaveLength(2);
      expect(records).toHaveLength(1002);
      expect(a.every((r) => r.name.endsWith(`.${zone}`) && r.values.join() === '192.0.2.10')).toBe(true);
      expect(new Set(txt.map((r) => r.name))).toEqual(new Set(a.map((r) => `_ecs-gitops-a.${r.name}`)));
    }

    const second = await apply([dir]);
    expect(second.run.code).toBe(0);
    expect(second.out.awsCalls.byOperation['Route53.ChangeResourceRecordSets']).toBeUndefined();
    expect(mutating(second.out.awsCalls.byOperation)).toEqual({});
    // Reading 1002 records a zone takes ceil(1002/300) = 4 pages.
    expect(second.out.awsCalls.byOperation['Route53.ListResourceRecordSets']).toBe(12);
  });
});
