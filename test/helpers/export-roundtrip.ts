import type { CallLog } from '../../controller/aws/call-log';
import type { AwsContext } from '../../controller/cli/aws-context';
import { exportWithContext } from '../../controller/cli/export';
/** Round-trip checks for `export`: the exported directory planned back against the account. */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Plan } from '../../controller/plan/plan-types';
import { planDesiredState, type ClusterPorts } from '../../controller/reconcile/reconcile-cluster';
import { loadClusterDir } from '../../controller/specfiles';
import { LINT_RULES } from '../../controller/model/lint-policy';
import { json, type CliRun } from './run-cli';

/** Plans an exported directory with `adopt: true`, as the adoption step will. */
export async function planAdopted(dir: string, ports: ClusterPorts): Promise<Plan> {
  const loaded = await loadClusterDir(dir, { env: {} });
  expect(loaded.errors).toEqual([]);
  expect(loaded.warnings).toEqual([]);
  const state = loaded.state!;
  return planDesiredState({ ...state, cluster: { ...state.cluster, adopt: true } }, ports);
}

/**
 * The plan only adopts: no registration, no create, no update; the only calls are TagResource and
 * the only differences are the ownership tags. Returns the resources it tags.
 */
export function expectOnlyAdoption(plan: Plan): string[] {
  expect(plan.errors).toEqual([]);
  expect(plan.actions.filter((a) => a.op === 'conflict').map((a) => `${a.id}: ${a.reason}`)).toEqual([]);
  const calls = plan.actions.flatMap((a) => a.steps.map((s) => s.call));
  expect(calls.filter((c) => c !== 'tagResource')).toEqual([]);
  const fieldChanges = plan.actions.flatMap((a) =>
    a.changes.filter((c) => !c.path.startsWith('tags[')).map((c) => `${a.id} ${c.path}`),
  );
  expect(fieldChanges).toEqual([]);
  return plan.actions.filter((a) => a.steps.length > 0).map((a) => a.id);
}

/** A copy of an exported directory with `adopt: true` in its cluster.yaml. */
export function adoptingCopy(dir: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-adopt-'));
  cpSync(dir, copy, { recursive: true });
  appendFileSync(path.join(copy, 'cluster.yaml'), 'adopt: true\n');
  return copy;
}

/** The names of the files in a directory, sorted. */
export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/**
 * Runs `export` of the legacy cluster through this context with stdout silenced; returns the calls it
 * made. The read budget both backends must meet: 1 DescribeClusters, 1 ListServices page, 1
 * DescribeServices batch, 1 DescribeTaskDefinition per family, 1 DescribeTargetGroups and 1
 * DescribeLoadBalancers for the target group of service api; and nothing mutating.
 */
export async function exportCalls(ctx: AwsContext, cluster: string, dir: string): Promise<CallLog> {
  const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await exportWithContext(ctx, cluster, dir, { force: true })).toBe(0);
  } finally {
    quiet.mockRestore();
  }
  return ctx.callLog;
}

export const LEGACY_EXPORT_READS = {
  'ECS.DescribeClusters': 1,
  'ECS.DescribeServices': 1,
  'ECS.DescribeTaskDefinition': 3,
  'ECS.ListServices': 1,
  // Service api's target group, and the balancer it hangs off (cluster.yaml names it).
  'ELBv2.DescribeLoadBalancers': 1,
  'ELBv2.DescribeTargetGroups': 1,
};

/** What planning the exported legacy cluster with adopt takes over: everything, the untagged cluster too (its tags only). */
export const LEGACY_ADOPTED = [
  'cluster/legacy',
  'taskDefinition/legacy-api',
  'taskDefinition/legacy-web',
  'taskDefinition/legacy-worker',
  'service/api',
  'service/api-canary',
  'service/web',
  'service/worker',
];

/** The files `export` writes for the legacy cluster (test/helpers/legacy-cluster.ts), sorted. */
export const LEGACY_FILES = [
  'api-canary.service',
  'api.service',
  'api.taskdef',
  'cluster.yaml',
  'web.service',
  'web.taskdef',
  'worker.service',
  'worker.taskdef',
];

/**
 * The cluster of the round-trip proof (issue 11), as a cluster directory: a scheduled-task family
 * (`cron.taskdef`, no service), a service from a plain file (`web.service`), an autocreated service
 * (`worker.taskdef` with AUTOCREATE.SERVICE) and a service pinned to a revision registered outside
 * ecs-gitops (`debug.service` on `tools-debug:1`, which `registerToolsDebug` makes first).
 */
export const SHOP = 'shop';
export const TOOLS_DEBUG = {
  family: 'tools-debug',
  containerDefinitions: [{ name: 'debug', image: 'busybox:1.36', memory: 64, command: ['sleep', '3600'] }],
};

export function writeShopDir(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-shop-')), SHOP);
  const container = (name: string, image: string, extra: object = {}) => ({
    name,
    image,
    memory: 128,
    ...extra,
  });
  const files: Record<string, unknown> = {
    'web.taskdef': {
      containerDefinitions: [container('web', 'nginx:1.27', { portMappings: [{ containerPort: 80 }] })],
    },
    'web.service': { taskDefinition: 'web', desiredCount: 2, launchType: 'EC2' },
    'cron.taskdef': { containerDefinitions: [container('cron', 'acme/report:3', { command: ['report'] })] },
    'worker.taskdef': {
      containerDefinitions: [
        container('worker', 'acme/worker:7', { dockerLabels: { 'AUTOCREATE.SERVICE': '' } }),
      ],
    },
    'debug.service': { taskDefinition: 'tools-debug:1', desiredCount: 1, launchType: 'EC2' },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'cluster.yaml'), `name: ${SHOP}\nregion: us-east-1\nprune: true\n`);
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), `${JSON.stringify(body, null, 2)}\n`);
  }
  return dir;
}

/**
 * The cluster of the load balancer round trip (issue 13): a balancer ecs-gitops creates, with an
 * HTTPS listener that HTTP redirects to and a cluster-wide deregistration delay; service web with a
 * health check of its own (path, matcher, interval, timeout) and cookie stickiness, both by labels;
 * service api on container port 8080 with its own deregistration delay.
 */
export const ALB_SHOP = 'albshop';

export interface AlbNetwork {
  subnets: string[];
  securityGroups: string[];
  certificateArn: string;
}

export const ALB_SHOP_LABELS = {
  web: {
    'proxy.host': 'www.albshop.example.com albshop.example.com',
    'proxy.healthcheck': '/health',
    'proxy.healthcheck.matcher': '200',
    'proxy.healthcheck.interval': '10',
    'proxy.healthcheck.timeout': '4',
    'proxy.stickiness': '3600',
  },
  api: {
    'proxy.host': 'api.albshop.example.com',
    'proxy.ports': '443:8080',
    'proxy.deregistration-delay': '0',
  },
};

export function writeAlbShopDir(net: AlbNetwork): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-albshop-')), ALB_SHOP);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'cluster.yaml'),
    [
      `name: ${ALB_SHOP}`,
      'region: us-east-1',
      'loadBalancer:',
      '  create:',
      `    subnets: [${net.subnets.join(', ')}]`,
      `    securityGroups: [${net.securityGroups.join(', ')}]`,
      '  listeners:',
      '    - port: 80',
      '    - port: 443',
      `      certificateArn: ${net.certificateArn}`,
      '  redirectHttpToHttps: true',
      '  deregistrationDelaySeconds: 10',
      '',
    ].join('\n'),
  );
  const taskdef = (name: string, image: string, port: number, labels: Record<string, string>) => ({
    containerDefinitions: [
      { name, image, memory: 128, portMappings: [{ containerPort: port }], dockerLabels: labels },
    ],
  });
  const files: Record<string, unknown> = {
    'web.taskdef': taskdef('web', 'nginx:1.27', 80, ALB_SHOP_LABELS.web),
    'web.service': { taskDefinition: 'web', desiredCount: 2, launchType: 'EC2' },
    'api.taskdef': taskdef('api', 'acme/api:1', 8080, ALB_SHOP_LABELS.api),
    'api.service': { taskDefinition: 'api', desiredCount: 1, launchType: 'EC2' },
  };
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), `${JSON.stringify(body, null, 2)}\n`);
  }
  return dir;
}

/**
 * The cluster.yaml export writes for ALB_SHOP: `create:` with the network, both listeners (the
 * HTTPS one with the policy ELBv2 gave it) and the redirect; the cluster-wide delay (every group
 * whose container sets none has it); no health check (web's labels set its own, api has the
 * default).
 */
export function albShopClusterYaml(net: AlbNetwork, sslPolicy: string): string {
  return [
    `name: ${ALB_SHOP}`,
    'region: us-east-1',
    `prefix: ${ALB_SHOP}`,
    'loadBalancer:',
    '  create:',
    '    subnets:',
    ...[...net.subnets].sort().map((s) => `      - ${s}`),
    '    securityGroups:',
    ...[...net.securityGroups].sort().map((s) => `      - ${s}`),
    '    scheme: internet-facing',
    '  listeners:',
    '    - port: 80',
    '    - port: 443',
    `      certificateArn: ${net.certificateArn}`,
    `      sslPolicy: ${sslPolicy}`,
    '  redirectHttpToHttps: true',
    '  deregistrationDelaySeconds: 10',
    '',
  ].join('\n');
}

/** The ecs-efs example (test/fixtures/ecs-efs-example) copied to a fresh directory. */
export function ecsEfsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-ecs-efs-'));
  cpSync(path.join(__dirname, '../fixtures/ecs-efs-example'), dir, { recursive: true });
  return dir;
}

type Cli = (args: string[]) => Promise<CliRun>;

export interface RoundTrip {
  exportRun: CliRun;
  dir: string;
  /** `apply -o json` of the exported directory. */
  second: any;
}

/**
 * The proof: (apply the source directory,) export, (adopt,) diff: exit 0 and no change line, then
 * apply of the exported directory: converged with zero mutating calls. prune is on throughout (it
 * is the default in the exported cluster.yaml), so a family left out of the export would show as a
 * deregistration in the diff and a DeregisterTaskDefinition in the apply.
 */
export async function exportRoundTrip(
  cli: Cli,
  o: { cluster: string; source?: string; applyArgs?: string[]; exportArgs?: string[]; adopt?: boolean },
): Promise<RoundTrip> {
  if (o.source !== undefined) {
    const first = await cli(['apply', o.source, ...(o.applyArgs ?? []), '-o', 'json']);
    expect([first.code, withoutPolicyWarnings(first.stderr)]).toEqual([0, '']);
    expect(json(first).converged).toBe(true);
  }
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-exported-')), o.cluster);
  const exportRun = await cli(['export', o.cluster, dir, ...(o.exportArgs ?? [])]);
  expect([exportRun.code, exportRun.stdout]).toEqual([0, expect.stringMatching(/\(0 mutating\)/)]);
  if (o.adopt) {
    const adopted = await cli(['adopt', dir]);
    expect([adopted.code, withoutPolicyWarnings(adopted.stderr)]).toEqual([0, '']);
    expect(adopted.stdout).toMatch(/AWS calls: \d+ \(\d+ mutating\): [^\n]*ECS\.TagResource/);
  }

  const diff = await cli(['diff', dir]);
  expect([diff.code, withoutPolicyWarnings(diff.stderr)]).toEqual([0, '']);
  expect(diff.stdout).toMatch(/0 to create, 0 to update, \d+ unchanged/);
  const diffJson = json(await cli(['diff', dir, '-o', 'json']));
  const actions = diffJson.clusters.flatMap((c: any) => c.actions);
  expect(actions.filter((a: any) => a.op !== 'none').map((a: any) => `${a.op} ${a.id}: ${a.reason}`)).toEqual(
    [],
  );
  expect(actions.flatMap((a: any) => a.changes)).toEqual([]);

  const second = json(await cli(['apply', dir, '-o', 'json']));
  expect(second.converged).toBe(true);
  expect(mutatingCalls(second.awsCalls.byOperation)).toEqual({});
  expect(second.awsCalls.mutating).toBe(0);
  return { exportRun, dir, second };
}

/**
 * stderr without the policy checks' warnings (`warning: ... [log-configuration]`): an exported
 * directory is what the account runs, and the default rules may well warn about it.
 */
function withoutPolicyWarnings(stderr: string): string {
  const rules = LINT_RULES.join('|');
  return stderr.replace(new RegExp(`^warning: .* \\[(?:${rules})\\]\\n`, 'gm'), '');
}

/** The operations of a call count that are not reads. */
export function mutatingCalls(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byOperation).filter(([op]) => !/\.(Describe|List|Get)/.test(op)));
}

/** `export`'s "AWS calls: ..." line as counts per operation. */
export function exportReads(run: CliRun): Record<string, number> {
  const line = /AWS calls: \d+ \(0 mutating\): (.*)$/m.exec(run.stdout)?.[1] ?? '';
  return Object.fromEntries(
    line.split(', ').map((part) => {
      const [op, n] = part.split(' ');
      return [op, Number(n)];
    }),
  );
}

/**
 * A cluster made by hand, as with the AWS CLI (`aws ecs create-cluster`, `register-task-definition`,
 * `create-service`): a service `web`, and a family `batch-nightly` no service runs (two revisions:
 * the newest is exported). No ecs-gitops tags anywhere. The moto test makes it with the real `aws`.
 */
export const BATCH = 'batch';
export async function makeBatchByHand(sb: {
  ecs: Pick<
    import('../../controller/aws/ecs-port').EcsPort,
    'createCluster' | 'registerTaskDefinition' | 'createService'
  >;
}): Promise<void> {
  await sb.ecs.createCluster({ clusterName: BATCH });
  for (const req of BATCH_CALLS.taskDefinitions) await sb.ecs.registerTaskDefinition(req);
  await sb.ecs.createService(BATCH_CALLS.service);
}

/** The requests of `makeBatchByHand`, as the AWS CLI's --cli-input-json takes them. */
export const BATCH_CALLS = {
  taskDefinitions: [
    {
      family: 'batch-web',
      containerDefinitions: [
        { name: 'web', image: 'nginx:1.27', memory: 128, portMappings: [{ containerPort: 80 }] },
      ],
    },
    {
      family: 'batch-nightly',
      containerDefinitions: [{ name: 'job', image: 'acme/nightly:1', memory: 256 }],
    },
    {
      family: 'batch-nightly',
      containerDefinitions: [{ name: 'job', image: 'acme/nightly:2', memory: 256 }],
    },
  ],
  service: {
    cluster: BATCH,
    serviceName: 'web',
    taskDefinition: 'batch-web',
    desiredCount: 1,
    launchType: 'EC2' as const,
  },
};

export interface ExpectedExport {
  files: string[];
  /** Reads per operation (export makes no other call). */
  reads?: Record<string, number>;
  /** A line of its stdout. */
  line?: RegExp;
  stderr?: string;
}

/** What export writes and reads in the round trips: the same on the sandbox and on moto. */
export const EXPECTED: Record<'shop' | 'ecsEfs' | 'batch' | 'albShop', ExpectedExport> = {
  // cron (no service) is written, without AUTOCREATE.SERVICE; worker has no .service (the marker
  // creates it); debug stays pinned to the revision outside the prefix.
  shop: {
    files: ['cluster.yaml', 'cron.taskdef', 'debug.service', 'web.service', 'web.taskdef', 'worker.taskdef'],
    // An owned cluster: the families its services run (web, worker, tools-debug), plus one listing of
    // the families under "shop-" and one DescribeTaskDefinition for the one no service runs (cron).
    reads: {
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 1,
      'ECS.DescribeTaskDefinition': 4,
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
    },
    line: /^ {2}cron\.taskdef +shop-cron:1 \(no service runs it\)$/m,
    stderr: '',
  },
  // jenkins comes from AUTOCREATE.SERVICE: no jenkins.service.
  ecsEfs: {
    files: ['cluster.yaml', 'jenkins.taskdef', 'webserver.service', 'webserver.taskdef'],
    stderr:
      'note: webserver.service.template is exported as webserver.service: the plain file it rendered to\n',
  },
  batch: {
    files: ['cluster.yaml', 'nightly.taskdef', 'web.service', 'web.taskdef'],
    // --families on a foreign cluster: web's family, one listing under "batch-", nightly's newest.
    reads: {
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 1,
      'ECS.DescribeTaskDefinition': 2,
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
    },
    line: /^ {2}nightly\.taskdef +batch-nightly:2 \(no service runs it\)$/m,
    stderr: '',
  },
  // No loadBalancers in the .service files: the labels in the .taskdef files route them.
  albShop: {
    files: ['api.service', 'api.taskdef', 'cluster.yaml', 'web.service', 'web.taskdef'],
    // ELBv2 beyond today's two describes: the balancer's listeners, the rules of each (2), one
    // DescribeTags for balancer, listeners, rules and groups together, and the attributes of the
    // two groups of ecs-gitops.
    reads: {
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 1,
      'ECS.DescribeTaskDefinition': 2,
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
      'ELBv2.DescribeListeners': 1,
      'ELBv2.DescribeLoadBalancers': 1,
      'ELBv2.DescribeRules': 2,
      'ELBv2.DescribeTags': 1,
      'ELBv2.DescribeTargetGroupAttributes': 2,
      'ELBv2.DescribeTargetGroups': 1,
    },
    line: /^note: cluster\.yaml creates load balancer albshop; services api, web are routed by their containers' proxy\.\* labels/m,
    stderr: '',
  },
};

export function expectExported(trip: RoundTrip, expected: ExpectedExport): void {
  expect(filesIn(trip.dir)).toEqual(expected.files);
  if (expected.reads) expect(exportReads(trip.exportRun)).toEqual(expected.reads);
  if (expected.line) expect(trip.exportRun.stdout).toMatch(expected.line);
  if (expected.stderr !== undefined) expect(trip.exportRun.stderr).toBe(expected.stderr);
}
