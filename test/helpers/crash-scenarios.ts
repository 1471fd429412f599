/**
 * The crash-safety scenarios, shared by the in-process matrix on the sandbox
 * (test/reconcile/crash-matrix.sandbox.test.ts, every kill point) and the real SIGKILL cases on moto
 * (test/e2e/crash-safety.moto.test.ts, a few kill points), with the account inventory both compare.
 *
 * A scenario is declarative: seed directories (applied cleanly first, in order; none = an empty
 * account), a target directory, the mutating calls a clean apply of the target makes (their sum is
 * M), and the whole end state.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { EcsPort } from '../../controller/aws/ecs-port';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import type { Route53Port } from '../../controller/aws/route53-port';

/** Spec files by name: one cluster directory. */
export type SpecDir = Readonly<Record<string, string>>;

/** The whole account as a user would inventory it; every list sorted. See `endState()`. */
export interface EndState {
  /** `name STATUS owner=<ownership>` */
  clusters: string[];
  /** `cluster/name STATUS family:revision desired=N owner=<ownership>` */
  services: string[];
  /** ACTIVE revisions only: `family:revision owner=<ownership>` */
  taskDefinitions: string[];
  /** `zone TYPE name [values]`; a TXT ownership record as `owner=.. cluster=.. service=..` */
  records: string[];
}

export interface Scenario {
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

export const CLUSTER = 'crash';
const TARGET_IP = '203.0.113.10';

const CLUSTER_YAML = [
  `name: ${CLUSTER}`,
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
 * ones it deregisters), whose one-off `batch` family (no service) has two revisions; then
 * api.service is removed.
 */
const KEEP_ONE: SpecDir = {
  ...FROM_NOTHING,
  'cluster.yaml': `${CLUSTER_YAML}keepRevisions: 1\ndeleteRevisions: true\n`,
  'batch.taskdef': taskdef('batch', 'busybox:1.36'),
};
const KEEP_ONE_V2: SpecDir = { ...KEEP_ONE, 'batch.taskdef': taskdef('batch', 'busybox:1.37') };
const PRUNED: SpecDir = Object.fromEntries(Object.entries(KEEP_ONE_V2).filter(([f]) => f !== 'api.service'));

export const FROM_NOTHING_SCENARIO: Scenario = {
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
      `crash/api ACTIVE crash-api:1 desired=1 ${OWNER}`,
      `crash/web ACTIVE crash-web:1 desired=1 ${OWNER}`,
      `crash/worker ACTIVE crash-worker:1 desired=1 ${OWNER}`,
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
};

export const UPDATE_SCENARIO: Scenario = {
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
      `crash/api ACTIVE crash-api:2 desired=1 ${OWNER}`,
      `crash/jobs ACTIVE crash-jobs:1 desired=1 ${OWNER}`,
      `crash/web ACTIVE crash-web:2 desired=1 ${OWNER}`,
      `crash/worker ACTIVE crash-worker:1 desired=1 ${OWNER}`,
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
};

/**
 * Removing api.service prunes the service (mark, scale to 0, then delete once its tasks have
 * stopped) and its DNS record; batch:1 is older than the newest one kept and nothing runs it:
 * deregistered, then deleted (deleteRevisions), each step a crash point of its own.
 */
export const PRUNE_SCENARIO: Scenario = {
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
    services: [
      `crash/web ACTIVE crash-web:1 desired=1 ${OWNER}`,
      `crash/worker ACTIVE crash-worker:1 desired=1 ${OWNER}`,
    ],
    taskDefinitions: [
      `crash-api:1 ${OWNER}`,
      `crash-batch:2 ${OWNER}`,
      `crash-web:1 ${OWNER}`,
      `crash-worker:1 ${OWNER}`,
    ],
    records: [a('shop'), a('www'), ...ZONE_APEX, txt('shop', 'web'), txt('www', 'web')].sort(),
  },
};

export const SCENARIOS: Scenario[] = [FROM_NOTHING_SCENARIO, UPDATE_SCENARIO, PRUNE_SCENARIO];

/** M: the number of mutating calls of a clean apply of the scenario's target. */
export function mutatingCallCount(scenario: Scenario): number {
  return Object.values(scenario.calls).reduce((n, c) => n + c, 0);
}

/** A new temporary directory holding `files`. */
export function writeDir(files: SpecDir): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-crash-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The mutating operations of an `awsCalls.byOperation` object. */
export function mutatingCalls(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byOperation).filter(([op]) => MUTATING_OPERATIONS.has(op.slice(op.indexOf('.') + 1))),
  );
}

/** Per-operation sum of several `mutatingCalls` objects. */
export function addCalls(...counts: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counts) for (const [op, n] of Object.entries(c)) out[op] = (out[op] ?? 0) + n;
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => x.localeCompare(y)));
}

/** The results of an `apply -o json` run that changed something, as `id: outcome`. */
export function changedResults(out: any): string[] {
  return out.clusters
    .flatMap((c: any) => c.results)
    .filter((r: any) => r.outcome !== 'unchanged')
    .map((r: any) => `${r.id}: ${r.outcome}`);
}

/** Results of a run that created something the account already had before that run. */
export function recreated(out: any, before: EndState): string[] {
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

// ------------------------------------------------------------------------------------- inventory

/** What the inventory reads: the same calls on moto (SDK ports) and on the sandbox. */
export interface InventoryPorts {
  ecs: Pick<EcsPort, 'describeClusters' | 'listServices' | 'describeServices' | 'listTaskDefinitions'> &
    Pick<EcsPort, 'describeTaskDefinition'>;
  route53: Pick<Route53Port, 'listHostedZones' | 'listResourceRecordSets'>;
}

/**
 * The whole account, read the way a user would check it. `clusterRefs`: every cluster of the
 * account (moto: from ListClusters; the sandbox has no ListClusters, and only `crash` is ever made).
 */
export async function endState(ports: InventoryPorts, clusterRefs: string[]): Promise<EndState> {
  const { ecs, route53 } = ports;
  const clusters = clusterRefs.length
    ? ((await ecs.describeClusters({ clusters: clusterRefs, include: ['TAGS'] })).clusters ?? [])
    : [];
  const services: string[] = [];
  for (const c of clusters) {
    const arns = await listAll(async (nextToken) => {
      const page = await ecs.listServices({ cluster: c.clusterArn, nextToken });
      return { items: page.serviceArns, next: page.nextToken };
    });
    for (let i = 0; i < arns.length; i += 10) {
      const out = await ecs.describeServices({
        cluster: c.clusterArn,
        services: arns.slice(i, i + 10),
        include: ['TAGS'],
      });
      for (const s of out.services ?? []) {
        // moto keeps listing a deleted service as INACTIVE; AWS drops it from ListServices.
        if (s.status === 'INACTIVE') continue;
        services.push(
          `${c.clusterName}/${s.serviceName} ${s.status} ${shortRevision(s.taskDefinition)} desired=${s.desiredCount} ${owner(s.tags)}`,
        );
      }
    }
  }
  const tdArns = await listAll(async (nextToken) => {
    const page = await ecs.listTaskDefinitions({ status: 'ACTIVE', nextToken });
    return { items: page.taskDefinitionArns, next: page.nextToken };
  });
  const taskDefinitions: string[] = [];
  for (const arn of tdArns) {
    const out = await ecs.describeTaskDefinition({ taskDefinition: arn, include: ['TAGS'] });
    // Listed as ACTIVE, so it must describe as ACTIVE; anything else shows up in the comparison.
    const status = out.taskDefinition?.status === 'ACTIVE' ? '' : ` ${out.taskDefinition?.status}`;
    taskDefinitions.push(`${shortRevision(arn)}${status} ${owner(out.tags)}`);
  }
  const records: string[] = [];
  for (const zone of (await route53.listHostedZones({})).HostedZones ?? []) {
    const zoneName = (zone.Name ?? '').replace(/\.$/, '');
    for (const r of await listRecords(route53, zone.Id ?? '')) records.push(`${zoneName} ${renderRecord(r)}`);
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

async function listRecords(route53: InventoryPorts['route53'], zoneId: string): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let next: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type'] } = {};
  for (;;) {
    const page = await route53.listResourceRecordSets({ HostedZoneId: zoneId, ...next });
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
 * NS and SOA values are the backend's own, so only their presence is shown; a TXT ownership record
 * shows whose it is.
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
