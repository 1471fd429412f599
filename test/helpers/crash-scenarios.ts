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
import type { Elbv2Port } from '../../controller/aws/elbv2-port';
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
  /** ELBv2 target groups: `name port=N type=<target type> owner=<ownership>` */
  targetGroups: string[];
  /** Listener rules other than the default: `balancer:port priority=N hosts=[..] -> group owner=<ownership>` */
  rules: string[];
}

/**
 * An Application Load Balancer the account has before anything is applied (for
 * `loadBalancer: { name }`): an HTTP:80 listener whose default action answers 404. Each runner
 * provisions it its own way (the sandbox's setup helpers, moto through the SDK).
 */
export interface ExistingBalancer {
  name: string;
}

export interface Scenario {
  name: string;
  /** Hosted zones the account has before anything is applied. */
  zones: string[];
  /** A load balancer the account has before anything is applied. */
  balancer?: ExistingBalancer;
  /** Applied cleanly first, in order; none: the target is applied to an empty account. */
  seeds?: SpecDir[];
  target: SpecDir;
  /**
   * Applies of the target it takes to converge (default 1): a pruned service's target group waits
   * for the next apply, once the service no longer uses it.
   */
  rounds?: number;
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
    targetGroups: [],
    rules: [],
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
    // Each deploy records the spec hash on its service (UpdateService cannot tag).
    'ECS.TagResource': 2,
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
    targetGroups: [],
    rules: [],
  },
};

/**
 * Removing api.service prunes the service (mark, scale to 0, then delete once its tasks have
 * stopped) and its DNS record; batch's image changes: batch:2 is registered, and batch:1 (kept
 * one, nothing runs it) is deregistered, then deleted (deleteRevisions) once the register is done,
 * each step a crash point of its own.
 */
export const PRUNE_SCENARIO: Scenario = {
  name: 'pruning a service and an old revision',
  zones: ['example.com'],
  seeds: [KEEP_ONE],
  target: PRUNED,
  calls: {
    'ECS.RegisterTaskDefinition': 1,
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
    targetGroups: [],
    rules: [],
  },
};

/**
 * (d) From nothing behind an existing load balancer: two services whose containers serve host names
 * through `loadBalancer: { name }` (no DNS: full host names). Each gets a target group (created,
 * then its attributes set: two writes), a host rule on the balancer's HTTP listener, and is
 * created attached to its group. Every ELBv2 create is a crash point: a repeat must find what the
 * lost or killed run made, by name (groups) or priority (rules), never make a second one.
 */
/** cluster.yaml of a cluster behind the existing `crash-alb`, with `extra` lines after. */
function behindBalancerYaml(...extra: string[]): string {
  const lines = [`name: ${CLUSTER}`, 'region: us-east-1', 'serviceDefaults:', '  launchType: EC2'];
  return [...lines, 'loadBalancer:', '  name: crash-alb', ...extra, ''].join('\n');
}

const BEHIND_BALANCER: SpecDir = {
  'cluster.yaml': behindBalancerYaml(),
  'web.taskdef': servedTaskdef('web', 'nginx:1.27', 'www.example.com shop.example.com'),
  'web.service': SERVICE,
  'api.taskdef': servedTaskdef('api', 'httpd:2.4', 'api.example.com'),
  'api.service': SERVICE,
};

/** A container serving `hosts` on port 80 (bridge mode: a dynamic host port, target type instance). */
function servedTaskdef(name: string, image: string, hosts: string): string {
  return JSON.stringify(
    {
      containerDefinitions: [
        {
          name,
          image,
          memoryReservation: 32,
          portMappings: [{ containerPort: 80 }],
          dockerLabels: { 'proxy.host': hosts },
        },
      ],
    },
    null,
    2,
  );
}

export const LOAD_BALANCER_SCENARIO: Scenario = {
  name: 'from nothing behind an existing load balancer',
  zones: [],
  balancer: { name: 'crash-alb' },
  target: BEHIND_BALANCER,
  calls: {
    'ECS.CreateCluster': 1,
    'ECS.CreateService': 2,
    'ECS.RegisterTaskDefinition': 2,
    'ELBv2.CreateRule': 2,
    'ELBv2.CreateTargetGroup': 2,
    'ELBv2.ModifyTargetGroupAttributes': 2,
  },
  expected: {
    clusters: [`crash ACTIVE ${OWNER}`],
    services: [
      `crash/api ACTIVE crash-api:1 desired=1 ${OWNER} lb=[crash-api-80-4698e7:api:80]`,
      `crash/web ACTIVE crash-web:1 desired=1 ${OWNER} lb=[crash-web-80-5d9462:web:80]`,
    ],
    taskDefinitions: [`crash-api:1 ${OWNER}`, `crash-web:1 ${OWNER}`],
    records: [],
    targetGroups: [
      `crash-api-80-4698e7 port=80 type=instance ${OWNER}`,
      `crash-web-80-5d9462 port=80 type=instance ${OWNER}`,
    ],
    rules: [
      `crash-alb:80 priority=1 hosts=[api.example.com] -> crash-api-80-4698e7 ${OWNER}`,
      `crash-alb:80 priority=2 hosts=[shop.example.com,www.example.com] -> crash-web-80-5d9462 ${OWNER}`,
    ],
  },
};

/**
 * (e) From nothing behind an existing load balancer, with DNS: as (d), the host names under the
 * zone, each an alias record to the balancer with its TXT ownership record. Not a crash scenario
 * (SCENARIOS): the fault tests run it, where target groups, rules and records meet retries.
 */
const BEHIND_BALANCER_WITH_DNS: SpecDir = {
  'cluster.yaml': behindBalancerYaml(
    'dns:',
    '  domain: example.com',
    '  target:',
    '    loadBalancer: managed',
  ),
  'web.taskdef': servedTaskdef('web', 'nginx:1.27', 'www shop'),
  'web.service': SERVICE,
  'api.taskdef': servedTaskdef('api', 'httpd:2.4', 'api'),
  'api.service': SERVICE,
};

const alias = (name: string) => `example.com A ${name}.example.com alias=crash-alb`;

export const LOAD_BALANCER_DNS_SCENARIO: Scenario = {
  name: 'from nothing behind an existing load balancer, with DNS',
  zones: ['example.com'],
  balancer: { name: 'crash-alb' },
  target: BEHIND_BALANCER_WITH_DNS,
  calls: { ...LOAD_BALANCER_SCENARIO.calls, 'Route53.ChangeResourceRecordSets': 1 },
  expected: {
    ...LOAD_BALANCER_SCENARIO.expected,
    records: [
      alias('api'),
      alias('shop'),
      alias('www'),
      ...ZONE_APEX,
      txt('api', 'api'),
      txt('shop', 'web'),
      txt('www', 'web'),
    ].sort(),
  },
};

/** (f) Over (e): api's files removed; its service, rule, target group and records are pruned. */
const BALANCER_PRUNED: SpecDir = Object.fromEntries(
  Object.entries(BEHIND_BALANCER_WITH_DNS).filter(([f]) => !f.startsWith('api.')),
);

export const LOAD_BALANCER_PRUNE_SCENARIO: Scenario = {
  name: 'pruning a service behind the load balancer, with DNS',
  zones: ['example.com'],
  balancer: { name: 'crash-alb' },
  seeds: [BEHIND_BALANCER_WITH_DNS],
  target: BALANCER_PRUNED,
  rounds: 2,
  // Both applies: the service is marked, scaled to 0 and deleted, its rule and records deleted and
  // its revision deregistered; its target group, then still used by the service, by the second.
  calls: {
    'ECS.DeleteService': 1,
    'ECS.DeregisterTaskDefinition': 1,
    'ECS.TagResource': 2,
    'ECS.UpdateService': 1,
    'ELBv2.DeleteRule': 1,
    'ELBv2.DeleteTargetGroup': 1,
    'Route53.ChangeResourceRecordSets': 1,
  },
  expected: {
    clusters: [`crash ACTIVE ${OWNER}`],
    services: [`crash/web ACTIVE crash-web:1 desired=1 ${OWNER} lb=[crash-web-80-5d9462:web:80]`],
    // The api family is gone from the specs: its unused revision is deregistered.
    taskDefinitions: [`crash-web:1 ${OWNER}`],
    records: [alias('shop'), alias('www'), ...ZONE_APEX, txt('shop', 'web'), txt('www', 'web')].sort(),
    targetGroups: [`crash-web-80-5d9462 port=80 type=instance ${OWNER}`],
    rules: [
      `crash-alb:80 priority=2 hosts=[shop.example.com,www.example.com] -> crash-web-80-5d9462 ${OWNER}`,
    ],
  },
};

export const SCENARIOS: Scenario[] = [
  FROM_NOTHING_SCENARIO,
  UPDATE_SCENARIO,
  PRUNE_SCENARIO,
  LOAD_BALANCER_SCENARIO,
];

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

/** Runs `fn`; a failure's message starts with `context`. */
export async function explainedBy(context: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) err.message = `${context}\n\n${err.message}`;
    throw err;
  }
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
  elbv2: Pick<
    Elbv2Port,
    'describeLoadBalancers' | 'describeListeners' | 'describeRules' | 'describeTargetGroups' | 'describeTags'
  >;
}

/**
 * The whole account, read the way a user would check it. `clusterRefs`: every cluster of the
 * account (moto: from ListClusters; the sandbox has no ListClusters, and only `crash` is ever made).
 */
export async function endState(ports: InventoryPorts, clusterRefs: string[]): Promise<EndState> {
  const { ecs, route53, elbv2 } = ports;
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
          `${c.clusterName}/${s.serviceName} ${s.status} ${shortRevision(s.taskDefinition)} desired=${s.desiredCount} ${owner(s.tags)}${attachments(s.loadBalancers)}`,
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
  const groups = await listAll(async (Marker) => {
    const page = await elbv2.describeTargetGroups({ Marker });
    return { items: page.TargetGroups, next: page.NextMarker };
  });
  const groupNames = new Map(groups.map((g) => [g.TargetGroupArn ?? '', g.TargetGroupName ?? '']));
  const targetGroups: string[] = [];
  for (const g of groups) {
    const tags = await elbTags(elbv2, g.TargetGroupArn ?? '');
    targetGroups.push(`${g.TargetGroupName} port=${g.Port} type=${g.TargetType} ${owner(tags)}`);
  }
  const rules: string[] = [];
  const balancers = await listAll(async (Marker) => {
    const page = await elbv2.describeLoadBalancers({ Marker });
    return { items: page.LoadBalancers, next: page.NextMarker };
  });
  for (const lb of balancers) {
    const listeners =
      (await elbv2.describeListeners({ LoadBalancerArn: lb.LoadBalancerArn })).Listeners ?? [];
    for (const l of listeners) {
      const all = await listAll(async (Marker) => {
        const page = await elbv2.describeRules({ ListenerArn: l.ListenerArn, Marker });
        return { items: page.Rules, next: page.NextMarker };
      });
      for (const r of all.filter((x) => !x.IsDefault)) {
        const hosts = (r.Conditions ?? []).flatMap((c) => c.HostHeaderConfig?.Values ?? c.Values ?? []);
        const forward = (r.Actions ?? []).map((a) => groupNames.get(a.TargetGroupArn ?? '') ?? a.Type);
        rules.push(
          `${lb.LoadBalancerName}:${l.Port} priority=${r.Priority} hosts=[${hosts.join(',')}] -> ${forward.join(',')} ${owner(await elbTags(elbv2, r.RuleArn ?? ''))}`,
        );
      }
    }
  }
  return {
    clusters: clusters.map((c) => `${c.clusterName} ${c.status} ${owner(c.tags)}`).sort(),
    services: services.sort(),
    taskDefinitions: taskDefinitions.sort(),
    records: records.sort(),
    targetGroups: targetGroups.sort(),
    rules: rules.sort(),
  };
}

/** ` lb=[group:container:port,..]` for a service attached to target groups (by name), else nothing. */
function attachments(
  lbs: readonly { targetGroupArn?: string; containerName?: string; containerPort?: number }[] | undefined,
): string {
  if (!lbs?.length) return '';
  const name = (arn: string | undefined) => (arn ?? '').replace(/^.*:targetgroup\/([^/]+)\/.*$/, '$1');
  return ` lb=[${lbs.map((l) => `${name(l.targetGroupArn)}:${l.containerName}:${l.containerPort}`).join(',')}]`;
}

async function elbTags(
  elbv2: InventoryPorts['elbv2'],
  arn: string,
): Promise<{ key?: string; value?: string }[]> {
  const out = await elbv2.describeTags({ ResourceArns: [arn] });
  return (out.TagDescriptions?.[0]?.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value }));
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
  // An alias names its balancer by the start of the DNS name AWS gave it (`<name>-<digits>.`).
  if (r.AliasTarget)
    return `${r.Type} ${name} alias=${(r.AliasTarget.DNSName ?? '').replace(/^(dualstack\.)?([a-z0-9-]+?)-\d+\..*$/i, '$2')}`;
  if (r.Type === 'TXT' && name.startsWith('_ecs-gitops-')) {
    const text = values.map((v) => [...v.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('')).join(' | ');
    const fields = new Map(text.split(',').map((kv) => kv.split('=') as [string, string]));
    return `TXT ${name} owner=${fields.get('ecs-gitops/owner')} cluster=${fields.get('ecs-gitops/cluster')} service=${fields.get('ecs-gitops/service')}`;
  }
  return `${r.Type} ${name} ${values.join(',')}`;
}
