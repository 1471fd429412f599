/**
 * Crash safety, end to end against moto: `apply` is killed (SIGKILL) right after each of its mutating
 * AWS calls in turn, then run again, and the account must end up exactly as a clean apply leaves it:
 * no duplicate service, no extra task definition revision, no leaked or missing record, ownership
 * everywhere, and the round after that changes nothing.
 *
 * A scenario is declarative: seed directories (applied cleanly first, in order; none = an empty account), a
 * target directory, the mutating calls a clean apply of the target makes (their sum is M), and the
 * whole end state. Each scenario gets one clean test and one test per k = 1..M.
 *
 * Only the killed run is a child process (test/helpers/crash-entry.ts, through tsx): the seed, the
 * recovery and the check runs are the real CLI in-process (`runCli`), each with a fresh AwsContext, so
 * nothing is cached across them, just as across processes.
 *
 * Where moto is not AWS:
 * - moto leaves every deployment IN_PROGRESS forever: no `--wait`; a service's state is checked by
 *   its status and the revision it is set to run;
 * - moto silently replaces a service on a second CreateService (AWS: an error, or a second service
 *   with another client token), so a duplicate would not show as two services: the recovery run is
 *   also checked never to create anything that already existed after the crash;
 * - moto makes every Route53 change INSYNC at once, and applies a change batch atomically, as Route53
 *   does (a record and its TXT ownership record travel in one batch);
 * - a SIGKILL lands after the k-th call returned, but independent calls run concurrently (ECS and DNS,
 *   several registrations): calls in flight at the kill may or may not have reached moto, which is
 *   what a real crash does too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateHostedZoneCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsRequest,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { TEST_REGION } from '../helpers/aws-env';
import { useMoto } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const moto = useMoto();
let ecs: ECSClient;
let route53: Route53Client;
beforeAll(() => {
  ecs = new ECSClient({ region: TEST_REGION, endpoint: moto.endpoint });
  route53 = new Route53Client({ region: TEST_REGION, endpoint: moto.endpoint });
});
afterAll(() => {
  ecs?.destroy();
  route53?.destroy();
});

// ------------------------------------------------------------------------------------- scenarios

/** Spec files by name: one cluster directory. */
type SpecDir = Readonly<Record<string, string>>;

/** The whole account as a user would inventory it; every list sorted. See `endState()`. */
interface EndState {
  /** `name STATUS owner=<ownership>` */
  clusters: string[];
  /** `cluster/name STATUS family:revision owner=<ownership>` */
  services: string[];
  /** ACTIVE revisions only: `family:revision owner=<ownership>` */
  taskDefinitions: string[];
  /** `zone TYPE name [values]`; a TXT ownership record as `owner=.. cluster=.. service=..` */
  records: string[];
}

interface Scenario {
  name: string;
  /** Hosted zones the account has before anything is applied. */
  zones: string[];
  /** Applied cleanly first, in order; none: the target is applied to an empty account. */
  seeds?: SpecDir[];
  target: SpecDir;
  /** The mutating calls of a clean apply of the target (over the seed), per operation; M = their sum. */
  calls: Record<string, number>;
  /** The exact end state of the account. */
  expected: EndState;
}

const TARGET_IP = '203.0.113.10';

const CLUSTER_YAML = [
  'name: crash',
  'region: us-east-1',
  'serviceDefaults:',
  '  launchType: EC2',
  'dns:',
  '  domain: example.com',
  '  target:',
  `    addresses: [${TARGET_IP}]`,
  '',
].join('\n');

function taskdef(name: string, image: string, labels: Record<string, string> = {}): string {
  return JSON.stringify(
    { containerDefinitions: [{ name, image, memoryReservation: 32, dockerLabels: labels }] },
    null,
    2,
  );
}

const SERVICE = '{ "desiredCount": 1 }\n';
const OWNER = 'owner=crash';
const a = (name: string) => `example.com A ${name}.example.com ${TARGET_IP}`;
const txt = (name: string, service: string) =>
  `example.com TXT _ecs-gitops-a.${name}.example.com owner=crash cluster=crash service=${service}`;
const ZONE_APEX = ['example.com NS example.com', 'example.com SOA example.com'];

/** (a) From nothing: a cluster, three families (one AUTOCREATE.SERVICE), three services, DNS. */
const FROM_NOTHING: SpecDir = {
  'cluster.yaml': CLUSTER_YAML,
  'web.taskdef': taskdef('web', 'nginx:1.27', { 'proxy.host': 'www shop' }),
  'web.service': SERVICE,
  'api.taskdef': taskdef('api', 'httpd:2.4', { 'proxy.host': 'api' }),
  'api.service': SERVICE,
  'worker.taskdef': taskdef('worker', 'busybox:1.36', { 'AUTOCREATE.SERVICE': '' }),
};

/** (b) Over (a): one image changed, one new family with its service, one host name added. */
const UPDATE: SpecDir = {
  ...FROM_NOTHING,
  'web.taskdef': taskdef('web', 'nginx:1.28', { 'proxy.host': 'www shop' }),
  'jobs.taskdef': taskdef('jobs', 'busybox:1.37', { 'AUTOCREATE.SERVICE': '' }),
  'api.taskdef': taskdef('api', 'httpd:2.4', { 'proxy.host': 'api api-v2' }),
};

/**
 * (c) Pruning and revision retention: a cluster that keeps one revision per family (and deletes the
 * ones it deregisters), whose one-off
 * `batch` family (no service) has two revisions; then api.service is removed.
 */
const KEEP_ONE: SpecDir = {
  ...FROM_NOTHING,
  'cluster.yaml': `${CLUSTER_YAML}keepRevisions: 1\ndeleteRevisions: true\n`,
  'batch.taskdef': taskdef('batch', 'busybox:1.36'),
};
const KEEP_ONE_V2: SpecDir = { ...KEEP_ONE, 'batch.taskdef': taskdef('batch', 'busybox:1.37') };
const PRUNED: SpecDir = Object.fromEntries(Object.entries(KEEP_ONE_V2).filter(([f]) => f !== 'api.service'));

const SCENARIOS: Scenario[] = [
  {
    name: 'from nothing',
    zones: ['example.com'],
    target: FROM_NOTHING,
    calls: {
      'ECS.CreateCluster': 1,
      'ECS.CreateService': 3,
      'ECS.RegisterTaskDefinition': 3,
      'Route53.ChangeResourceRecordSets': 1,
    },
    expected: {
      clusters: [`crash ACTIVE ${OWNER}`],
      services: [
        `crash/api ACTIVE crash-api:1 ${OWNER}`,
        `crash/web ACTIVE crash-web:1 ${OWNER}`,
        `crash/worker ACTIVE crash-worker:1 ${OWNER}`,
      ],
      taskDefinitions: [`crash-api:1 ${OWNER}`, `crash-web:1 ${OWNER}`, `crash-worker:1 ${OWNER}`],
      records: [
        a('api'),
        a('shop'),
        a('www'),
        ...ZONE_APEX,
        txt('api', 'api'),
        txt('shop', 'web'),
        txt('www', 'web'),
      ].sort(),
    },
  },
  {
    name: 'an update',
    zones: ['example.com'],
    seeds: [FROM_NOTHING],
    target: UPDATE,
    calls: {
      'ECS.CreateService': 1,
      'ECS.RegisterTaskDefinition': 3,
      'ECS.UpdateService': 2,
      'Route53.ChangeResourceRecordSets': 1,
    },
    expected: {
      clusters: [`crash ACTIVE ${OWNER}`],
      services: [
        `crash/api ACTIVE crash-api:2 ${OWNER}`,
        `crash/jobs ACTIVE crash-jobs:1 ${OWNER}`,
        `crash/web ACTIVE crash-web:2 ${OWNER}`,
        `crash/worker ACTIVE crash-worker:1 ${OWNER}`,
      ],
      // The old revisions stay ACTIVE: nothing deregisters them (yet).
      taskDefinitions: [
        `crash-api:1 ${OWNER}`,
        `crash-api:2 ${OWNER}`,
        `crash-jobs:1 ${OWNER}`,
        `crash-web:1 ${OWNER}`,
        `crash-web:2 ${OWNER}`,
        `crash-worker:1 ${OWNER}`,
      ],
      records: [
        a('api'),
        a('api-v2'),
        a('shop'),
        a('www'),
        ...ZONE_APEX,
        txt('api', 'api'),
        txt('api-v2', 'api'),
        txt('shop', 'web'),
        txt('www', 'web'),
      ].sort(),
    },
  },
  {
    // Removing api.service prunes the service (mark, scale to 0, then delete: moto stops tasks at
    // once) and its DNS record; batch:1 is older than the newest one kept and nothing runs it:
    // deregistered, then deleted (deleteRevisions), each step a crash point of its own.
    // (moto keeps a service's first deployment forever, pointing at the revision it was created with,
    // so revisions of services that were updated stay "in use" there; batch has no service.)
    name: 'pruning a service and an old revision',
    zones: ['example.com'],
    seeds: [KEEP_ONE, KEEP_ONE_V2],
    target: PRUNED,
    calls: {
      'ECS.DeleteService': 1,
      'ECS.DeleteTaskDefinitions': 1,
      'ECS.DeregisterTaskDefinition': 1,
      // The pruning mark, before and after the scale-down (the count to give back if the spec
      // returns before the delete; "scaled" tells autoscaling's doing apart from a stopped run).
      'ECS.TagResource': 2,
      'ECS.UpdateService': 1,
      'Route53.ChangeResourceRecordSets': 1,
    },
    expected: {
      clusters: [`crash ACTIVE ${OWNER}`],
      services: [`crash/web ACTIVE crash-web:1 ${OWNER}`, `crash/worker ACTIVE crash-worker:1 ${OWNER}`],
      taskDefinitions: [
        `crash-api:1 ${OWNER}`,
        `crash-batch:2 ${OWNER}`,
        `crash-web:1 ${OWNER}`,
        `crash-worker:1 ${OWNER}`,
      ],
      records: [a('shop'), a('www'), ...ZONE_APEX, txt('shop', 'web'), txt('www', 'web')].sort(),
    },
  },
];

// ------------------------------------------------------------------------------------- the matrix

/** A spawn of tsx costs ~1 s; a killed run, the applies around it and the reads take a few more. */
const PER_K_TIMEOUT_MS = 60_000;

describe.each(SCENARIOS)('crash safety: $name', (scenario) => {
  const M = Object.values(scenario.calls).reduce((n, c) => n + c, 0);
  let seedDirs: string[] = [];
  let targetDir: string;
  beforeAll(() => {
    seedDirs = (scenario.seeds ?? []).map(writeDir);
    targetDir = writeDir(scenario.target);
  });

  test('a clean apply makes exactly the declared calls and reaches the end state', async () => {
    await prepareAccount(scenario, seedDirs);
    const clean = await apply(targetDir);
    expect(clean.code).toBe(0);
    expect(mutatingCalls(clean.out.awsCalls.byOperation)).toEqual(scenario.calls);
    expect(clean.out.awsCalls.mutating).toBe(M);
    expect(await endState()).toEqual(scenario.expected);
    await expectNothingLeftToDo(targetDir);
  });

  test.each(Array.from({ length: M }, (_, i) => i + 1))(
    `killed after mutating call %i of ${M}, the next apply finishes the job exactly`,
    async (k) => {
      await prepareAccount(scenario, seedDirs);

      const killed = await applyAndCrash(targetDir, k);
      expect({ signal: killed.signal, code: killed.code }).toEqual({ signal: 'SIGKILL', code: null });
      expect(killed.stderr).toContain(`SIGKILL after mutating call ${k} (`);
      // Concurrent calls finish in varying order: a failure says which call the kill followed.
      await explainedBy(/crash-entry: .*/.exec(killed.stderr)?.[0] ?? '', async () => {
        const afterCrash = await endState();

        const recovery = await apply(targetDir);
        expect(recovery.code).toBe(0);
        // Only what was left is done: the k calls that returned are never repeated.
        expect(recovery.out.awsCalls.mutating).toBeLessThanOrEqual(M - k);
        // Look before creating: nothing that survived the crash is created again.
        expect(recreated(recovery.out, afterCrash)).toEqual([]);
        expect(await endState()).toEqual(scenario.expected);
        await expectNothingLeftToDo(targetDir);
      });
    },
    PER_K_TIMEOUT_MS,
  );
});

// ------------------------------------------------------------------------------------- running

/** Runs `fn`; a failure's message starts with `context`. */
async function explainedBy(context: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) err.message = `${context}\n\n${err.message}`;
    throw err;
  }
}

function writeDir(files: SpecDir): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-crash-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** An empty account with the scenario's zones, and the seeds applied (cleanly), in order. */
async function prepareAccount(scenario: Scenario, seedDirs: string[]): Promise<void> {
  await moto.reset();
  for (const zone of scenario.zones) {
    await route53.send(
      new CreateHostedZoneCommand({ Name: zone, CallerReference: `${zone}-${Date.now()}-${Math.random()}` }),
    );
  }
  for (const dir of seedDirs) {
    const seed = await apply(dir);
    expect(seed.code).toBe(0);
  }
}

/** `apply -o json` in-process: the real CLI with a fresh AwsContext. */
async function apply(dir: string) {
  const run = await runCli(['--log-level', 'warn', 'apply', dir, '-o', 'json', '--endpoint', moto.endpoint]);
  if (run.code !== 0)
    process.stderr.write(`apply ${dir} exited ${run.code}:\n${run.stdout}\n${run.stderr}\n`);
  return { code: run.code, out: json(run) };
}

/** The round after converging: zero mutating calls, every action unchanged. */
async function expectNothingLeftToDo(dir: string): Promise<void> {
  const again = await apply(dir);
  expect(again.code).toBe(0);
  expect(mutatingCalls(again.out.awsCalls.byOperation)).toEqual({});
  const changed = again.out.clusters
    .flatMap((c: any) => c.results)
    .filter((r: any) => r.outcome !== 'unchanged')
    .map((r: any) => `${r.id}: ${r.outcome}`);
  expect(changed).toEqual([]);
}

/**
 * `apply` as a child process that SIGKILLs itself after its k-th mutating call. Node with tsx's loader,
 * not the tsx CLI: that runs the script in a grandchild and reports its death as exit code 137.
 */
function applyAndCrash(
  dir: string,
  k: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(require.resolve('tsx')).href,
      path.join(__dirname, '../helpers/crash-entry.ts'),
      '--log-level',
      'warn',
      'apply',
      dir,
      '--endpoint',
      moto.endpoint,
    ],
    { env: { ...process.env, CRASH_AFTER_MUTATING: String(k) }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8000)));
  // A run that never reaches its k-th call exits by itself; one that hangs is killed by the test.
  const guard = setTimeout(() => child.kill('SIGTERM'), PER_K_TIMEOUT_MS - 10_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    });
  });
}

function mutatingCalls(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byOperation).filter(([op]) => !/\.(Describe|List|Get)/.test(op)));
}

/** Results of a run that created something the account already had before that run. */
function recreated(out: any, before: EndState): string[] {
  const existed = (cluster: string, r: any): boolean => {
    switch (r.resource) {
      case 'cluster':
        return before.clusters.some((c) => c.startsWith(`${r.name} `));
      case 'service':
        return before.services.some((s) => s.startsWith(`${cluster}/${r.name} `));
      case 'taskDefinition':
        return before.taskDefinitions.some((t) => t.startsWith(`${r.name}:`));
      case 'dnsRecord': {
        const [, name, type] = String(r.id).split('/');
        return before.records.some((rec) => rec.split(' ').slice(1, 3).join(' ') === `${type} ${name}`);
      }
      default:
        return false;
    }
  };
  return out.clusters.flatMap((c: any) =>
    c.results.filter((r: any) => r.outcome === 'created' && existed(c.cluster, r)).map((r: any) => r.id),
  );
}

// ------------------------------------------------------------------------------------- reading moto

/** The whole account, read through the SDK the way a user would check it. */
async function endState(): Promise<EndState> {
  const clusterArns = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
  const clusters = clusterArns.length
    ? ((await ecs.send(new DescribeClustersCommand({ clusters: clusterArns, include: ['TAGS'] }))).clusters ??
      [])
    : [];
  const services: string[] = [];
  for (const c of clusters) {
    const arns = await listAll(async (nextToken) => {
      const page = await ecs.send(new ListServicesCommand({ cluster: c.clusterArn, nextToken }));
      return { items: page.serviceArns, next: page.nextToken };
    });
    for (let i = 0; i < arns.length; i += 10) {
      const out = await ecs.send(
        new DescribeServicesCommand({
          cluster: c.clusterArn,
          services: arns.slice(i, i + 10),
          include: ['TAGS'],
        }),
      );
      for (const s of out.services ?? []) {
        // moto keeps listing a deleted service as INACTIVE; AWS drops it from ListServices.
        if (s.status === 'INACTIVE') continue;
        services.push(
          `${c.clusterName}/${s.serviceName} ${s.status} ${shortRevision(s.taskDefinition)} ${owner(s.tags)}`,
        );
      }
    }
  }
  const tdArns = await listAll(async (nextToken) => {
    const page = await ecs.send(new ListTaskDefinitionsCommand({ status: 'ACTIVE', nextToken }));
    return { items: page.taskDefinitionArns, next: page.nextToken };
  });
  const taskDefinitions: string[] = [];
  for (const arn of tdArns) {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
    // Listed as ACTIVE, so it must describe as ACTIVE; anything else shows up in the comparison.
    const status = out.taskDefinition?.status === 'ACTIVE' ? '' : ` ${out.taskDefinition?.status}`;
    taskDefinitions.push(`${shortRevision(arn)}${status} ${owner(out.tags)}`);
  }
  const records: string[] = [];
  for (const zone of (await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []) {
    const zoneName = (zone.Name ?? '').replace(/\.$/, '');
    for (const r of await listRecords(zone.Id ?? '')) records.push(`${zoneName} ${renderRecord(r)}`);
  }
  return {
    clusters: clusters.map((c) => `${c.clusterName} ${c.status} ${owner(c.tags)}`).sort(),
    services: services.sort(),
    taskDefinitions: taskDefinitions.sort(),
    records: records.sort(),
  };
}

async function listAll<T>(
  page: (nextToken: string | undefined) => Promise<{ items?: T[]; next?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined;
  do {
    const p = await page(next);
    out.push(...(p.items ?? []));
    next = p.next || undefined;
  } while (next);
  return out;
}

async function listRecords(zoneId: string): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let next: Partial<ListResourceRecordSetsRequest> = {};
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...next }));
    out.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return out;
    next = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
  }
}

/** `family:revision` of an ARN. */
function shortRevision(arn: string | undefined): string {
  return (arn ?? '(none)').replace(/^.*:task-definition\//, '');
}

/** `owner=<id>` when the ecs-gitops ownership tags are there (managed-by, owner, cluster), else `unowned`. */
function owner(tags: readonly { key?: string; value?: string }[] | undefined): string {
  const map = new Map((tags ?? []).map((t) => [t.key, t.value]));
  const ours = map.get('ecs-gitops:managed-by') === 'ecs-gitops' && map.has('ecs-gitops:cluster');
  return ours ? `owner=${map.get('ecs-gitops:owner')}` : 'unowned';
}

/**
 * One record set as text. Names lower-cased without the trailing dot (moto keeps the case written).
 * NS and SOA values are moto's own, so only their presence is shown; a TXT ownership record shows
 * whose it is.
 */
function renderRecord(r: ResourceRecordSet): string {
  const name = (r.Name ?? '').toLowerCase().replace(/\.$/, '');
  const values = (r.ResourceRecords ?? []).map((v) => v.Value ?? '');
  if (r.Type === 'NS' || r.Type === 'SOA') return `${r.Type} ${name}`;
  if (r.Type === 'TXT' && name.startsWith('_ecs-gitops-')) {
    const text = values.map((v) => [...v.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('')).join(' | ');
    const fields = new Map(text.split(',').map((kv) => kv.split('=') as [string, string]));
    return `TXT ${name} owner=${fields.get('ecs-gitops/owner')} cluster=${fields.get('ecs-gitops/cluster')} service=${fields.get('ecs-gitops/service')}`;
  }
  return `${r.Type} ${name} ${values.join(',')}`;
}
