/**
 * `ecs-gitops export CLUSTER DIR` on the sandbox account (a `--sandbox` state file), run in-process
 * as a user runs it: a cluster made without ecs-gitops (as the old Makefile tool made it) is written
 * out as a cluster directory, and that directory planned straight back changes no field: the only
 * steps are the ownership tags of adoption. Reads only.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { loadSandbox, saveSandbox } from '../../controller/aws/sandbox/state-file';
import { AwsContext } from '../../controller/cli/aws-context';
import { DEFAULT_SSL_POLICY } from '../../controller/aws/sandbox/sandbox-elbv2';
import {
  adoptingCopy,
  ALB_SHOP,
  ALB_SHOP_LABELS,
  albShopClusterYaml,
  BATCH,
  ecsEfsDir,
  expectOnlyAdoption,
  exportCalls,
  EXPECTED,
  expectExported,
  exportReads,
  exportRoundTrip,
  filesIn,
  LEGACY_ADOPTED,
  LEGACY_EXPORT_READS,
  LEGACY_FILES,
  makeBatchByHand,
  mutatingCalls,
  planAdopted,
  SHOP,
  TOOLS_DEBUG,
  writeAlbShopDir,
  writeShopDir,
} from '../helpers/export-roundtrip';
import { createLegacyCluster, seedSandboxNetwork, LEGACY, SANDBOX_NETWORK } from '../helpers/legacy-cluster';
import { json, runCli, type CliRun } from '../helpers/run-cli';

const ENV = { NO_COLOR: undefined, ECS_GITOPS_LOG_LEVEL: 'warn' };

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ecs-gitops-export-${prefix}-`));
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, ENV);
}

/** A state file holding the legacy cluster (no ownership tags anywhere). */
async function legacyAccount(): Promise<string> {
  const file = path.join(tmp('state'), 'account.json');
  const sb = await loadSandbox(file);
  seedSandboxNetwork(sb.elbv2, SANDBOX_NETWORK);
  await createLegacyCluster(sb.ecs, SANDBOX_NETWORK);
  await saveSandbox(file, sb);
  return file;
}

/** Ports over the account in a state file, as the next command would see it. */
async function portsOf(file: string) {
  const { ecs, elbv2 } = await loadSandbox(file);
  return { ecs, reader: new EcsReader(ecs), elbv2 };
}

function read(dir: string, name: string): any {
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
}

describe('export -> plan back: zero field changes (sandbox)', () => {
  test('writes the cluster directory, and planning it with adopt only tags', async () => {
    const state = await legacyAccount();
    const dir = path.join(tmp('out'), 'legacy');
    const run = await cli(['export', LEGACY, dir, '--sandbox', state]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(filesIn(dir)).toEqual(LEGACY_FILES);
    expect(run.stdout).toContain(`Next: ecs-gitops adopt ${dir}`);
    expect(run.stdout).toMatch(/AWS calls: \d+ \(0 mutating\)/);
    expect(run.stdout).toContain(
      'note: service api-canary is pinned to legacy-api:2, the revision it runs: the newest ACTIVE revision of legacy-api, in api.taskdef, is legacy-api:3',
    );

    const plan = await planAdopted(dir, await portsOf(state));
    expect(expectOnlyAdoption(plan)).toEqual(LEGACY_ADOPTED);
    // Adoption tags the newest revision of each family: the one the files hold.
    const tagged = plan.actions.flatMap((a) =>
      a.steps.flatMap((s) => (s.call === 'tagResource' ? [s.arn] : [])),
    );
    expect(tagged.filter((arn) => arn.includes('task-definition/'))).toEqual([
      expect.stringMatching(/task-definition\/legacy-api:3$/),
      expect.stringMatching(/task-definition\/legacy-web:2$/),
      expect.stringMatching(/task-definition\/legacy-worker:1$/),
    ]);
  });

  test('the files hold what the cluster runs, without what AWS fills in', async () => {
    const state = await legacyAccount();
    const dir = tmp('out');
    expect((await cli(['export', LEGACY, dir, '--sandbox', state, '--force'])).code).toBe(0);

    expect(readFileSync(path.join(dir, 'cluster.yaml'), 'utf8')).toMatch(
      /^name: legacy\nregion: us-east-1\nprefix: legacy\ncapacityProviders:\n {2}- FARGATE\n {2}- FARGATE_SPOT\ndefaultCapacityProviderStrategy:\n {2}- capacityProvider: FARGATE\n {4}weight: 1\nloadBalancer:\n {2}name: legacy\n$/m,
    );
    const api = read(dir, 'api.taskdef');
    // AWS's defaults are gone (essential, cpu 0, protocol, dynamic hostPort, health check
    // timeout/retries, readOnly, networkMode bridge); what was set stays; lists are sorted.
    expect(api).toEqual({
      containerDefinitions: [
        {
          name: 'api',
          image: 'acme/api:3',
          memory: 256,
          memoryReservation: 128,
          portMappings: [{ containerPort: 8080 }],
          environment: [
            { name: 'DB_HOST', value: 'db.internal' },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          // A reference, never resolved.
          secrets: [
            {
              name: 'DB_PASSWORD',
              valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/db-AbCdEf',
            },
          ],
          mountPoints: [{ containerPath: '/data', sourceVolume: 'data' }],
          healthCheck: {
            command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'],
            interval: 15,
          },
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': '/ecs/legacy/api',
              'awslogs-region': 'us-east-1',
              'awslogs-stream-prefix': 'api',
            },
          },
          dockerLabels: { 'proxy.host': 'api.example.com', 'proxy.ports': '80:8080' },
        },
      ],
      volumes: [{ host: { sourcePath: '/srv/api' }, name: 'data' }],
    });
    // Key order is fixed: the fields people look for first.
    expect(Object.keys(api.containerDefinitions[0]).slice(0, 3)).toEqual(['name', 'image', 'memory']);
    const web = read(dir, 'web.taskdef');
    expect(web).toMatchObject({
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      tags: [{ key: 'app', value: 'web' }],
    });
    expect(web.containerDefinitions[0].portMappings).toEqual([{ containerPort: 80 }]);
    expect(read(dir, 'worker.taskdef').containerDefinitions[0].dockerLabels).toEqual({
      'AUTOCREATE.SERVICE': 'true',
    });

    expect(read(dir, 'api.service')).toEqual({
      taskDefinition: 'api',
      desiredCount: 3,
      launchType: 'EC2',
      loadBalancers: [
        { containerName: 'api', containerPort: 8080, targetGroupArn: SANDBOX_NETWORK.targetGroupArn },
      ],
      healthCheckGracePeriodSeconds: 60,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 150,
        minimumHealthyPercent: 50,
      },
      placementStrategy: [{ field: 'attribute:ecs.availability-zone', type: 'spread' }],
    });
    expect(read(dir, 'api-canary.service')).toEqual({
      taskDefinition: 'legacy-api:2',
      desiredCount: 1,
      launchType: 'EC2',
    });
    expect(read(dir, 'web.service')).toEqual({
      taskDefinition: 'web',
      desiredCount: 2,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: {
        awsvpcConfiguration: {
          assignPublicIp: 'DISABLED',
          securityGroups: SANDBOX_NETWORK.securityGroups,
          subnets: SANDBOX_NETWORK.subnets,
        },
      },
      tags: [{ key: 'app', value: 'web' }],
    });
    // 0 is a count like any other (only the starting count: see README).
    expect(read(dir, 'worker.service')).toEqual({
      taskDefinition: 'worker',
      desiredCount: 0,
      launchType: 'EC2',
    });
  });

  test('diff -o json of the exported directory shows no field change: only ownership conflicts, or tags with adopt', async () => {
    const state = await legacyAccount();
    const dir = tmp('out');
    expect((await cli(['export', LEGACY, dir, '--sandbox', state, '--force'])).code).toBe(0);

    // Not adopted yet: everything exists without ownership tags (conflicts, exit 1), nothing differs.
    const before = await cli(['diff', dir, '--sandbox', state, '-o', 'json']);
    expect(before.code).toBe(1);
    const actions = json(before).clusters[0].actions;
    expect(actions.flatMap((a: any) => a.changes)).toEqual([]);
    expect(actions.filter((a: any) => a.op !== 'conflict').map((a: any) => a.id)).toEqual(['cluster/legacy']);
    expect(actions.find((a: any) => a.id === 'service/api-canary').reason).toMatch(
      /without ecs-gitops ownership tags/,
    );

    const adopting = adoptingCopy(dir);
    const diff = await cli(['diff', adopting, '--sandbox', state, '-o', 'json']);
    expect(diff.code).toBe(2);
    const changes = json(diff).clusters[0].actions.flatMap((a: any) => a.changes.map((c: any) => c.path));
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.filter((p: string) => !p.startsWith('tags['))).toEqual([]);

    // Adopting through apply, then the exported directory as written is converged.
    const applied = json(await cli(['apply', adopting, '--sandbox', state, '-o', 'json']));
    expect(applied.converged).toBe(true);
    expect(Object.keys(applied.awsCalls.byOperation).filter((op) => !/\.(Describe|List)/.test(op))).toEqual([
      'ECS.TagResource',
    ]);
    expect((await cli(['diff', dir, '--sandbox', state])).code).toBe(0);
  });

  test('makes zero mutating calls', async () => {
    const state = await legacyAccount();
    const calls = await exportCalls(new AwsContext({ sandbox: state }), LEGACY, tmp('out'));
    expect(calls.mutating()).toEqual({});
    expect(calls.snapshot()).toEqual(LEGACY_EXPORT_READS);
  });

  test('exporting twice gives the same bytes', async () => {
    const state = await legacyAccount();
    const a = tmp('a');
    const b = tmp('b');
    expect((await cli(['export', LEGACY, a, '--sandbox', state, '--force'])).code).toBe(0);
    expect((await cli(['export', LEGACY, b, '--sandbox', state, '--force'])).code).toBe(0);
    for (const f of filesIn(a))
      expect(readFileSync(path.join(b, f), 'utf8')).toBe(readFileSync(path.join(a, f), 'utf8'));
  });
});

describe('export refuses what it cannot do, before writing anything', () => {
  test('a directory that is not empty, unless --force (which warns about spec files it did not write)', async () => {
    const state = await legacyAccount();
    const dir = tmp('busy');
    writeFileSync(path.join(dir, 'old.taskdef'), '{}');
    const run = await cli(['export', LEGACY, dir, '--sandbox', state]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: ${dir} is not empty (1 entries): give an empty directory, or --force to write into it`,
    );
    expect(filesIn(dir)).toEqual(['old.taskdef']);

    const forced = await cli(['export', LEGACY, dir, '--sandbox', state, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(`warning: ${dir} also holds old.taskdef, not written by this export`);
    expect(filesIn(dir)).toContain('cluster.yaml');
  });

  test('a cluster that does not exist: exit 1, a clear message, nothing written', async () => {
    const state = await legacyAccount();
    const dir = path.join(tmp('out'), 'nope');
    const run = await cli(['export', 'nope', dir, '--sandbox', state]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error: cluster nope does not exist in us-east-1 (or is INACTIVE): nothing to export',
    );
    expect(existsSync(dir)).toBe(false);
  });

  test('--dry-run lists the files and writes nothing', async () => {
    const state = await legacyAccount();
    const dir = path.join(tmp('out'), 'legacy');
    const run = await cli(['export', LEGACY, dir, '--sandbox', state, '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Would write 8 files to ${dir} (dry run: nothing written):`);
    expect(run.stdout).toMatch(/^ {2}cluster\.yaml +cluster legacy \(us-east-1\), family prefix "legacy"$/m);
    expect(run.stdout).toMatch(/^ {2}api-canary\.service +runs legacy-api:2 \(pinned\)$/m);
    expect(run.stdout).toMatch(/^ {2}api\.taskdef +legacy-api:3$/m);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('the family prefix keeps every family name', () => {
  /** A cluster `shop` whose families are named for another tool's convention. */
  async function shopAccount(families: string[]): Promise<string> {
    const file = path.join(tmp('state'), 'account.json');
    const sb = await loadSandbox(file);
    await sb.ecs.createCluster({ clusterName: 'shop' });
    for (const family of families) {
      await sb.ecs.registerTaskDefinition({
        family,
        containerDefinitions: [{ name: 'app', image: `acme/${family}:1`, memory: 128 }],
      });
      await sb.ecs.createService({
        cluster: 'shop',
        serviceName: family,
        taskDefinition: family,
        desiredCount: 1,
      });
    }
    await saveSandbox(file, sb);
    return file;
  }

  test('the longest common "X-" when the families do not start with the cluster name', async () => {
    const state = await shopAccount(['acme-shop-cart', 'acme-shop-checkout']);
    const dir = tmp('out');
    expect((await cli(['export', 'shop', dir, '--sandbox', state, '--force'])).code).toBe(0);
    expect(readFileSync(path.join(dir, 'cluster.yaml'), 'utf8')).toContain('prefix: acme-shop\n');
    expect(filesIn(dir)).toEqual([
      'acme-shop-cart.service',
      'acme-shop-checkout.service',
      'cart.taskdef',
      'checkout.taskdef',
      'cluster.yaml',
    ]);
    expect(read(dir, 'acme-shop-cart.service').taskDefinition).toBe('cart');
    expectOnlyAdoption(await planAdopted(dir, await portsOf(state)));
  });

  test('no common prefix: refused, naming the families; --prefix exports those under it and pins the others', async () => {
    const state = await shopAccount(['cart', 'shop-checkout']);
    const dir = tmp('out');
    const refused = await cli(['export', 'shop', dir, '--sandbox', state, '--force']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error: cannot export cluster shop: no prefix keeps the names of all task definition families: cart, shop-checkout.',
    );
    expect(refused.stderr).toContain('Pass --prefix P');
    expect(filesIn(dir)).toEqual([]);

    const run = await cli(['export', 'shop', dir, '--sandbox', state, '--prefix', 'shop', '--force']);
    expect(run.code).toBe(0);
    expect(filesIn(dir)).toEqual([
      'cart.service',
      'checkout.taskdef',
      'cluster.yaml',
      'shop-checkout.service',
    ]);
    expect(read(dir, 'cart.service').taskDefinition).toBe('cart:1');
    expect(run.stdout).toContain(
      'note: service cart is pinned to cart:1, the revision it runs: family cart does not start with "shop-"',
    );
    expectOnlyAdoption(await planAdopted(dir, await portsOf(state)));
  });

  test('a family that starts with the prefix twice keeps its name through a family field', async () => {
    const state = await shopAccount(['shop-shop-api', 'shop-web']);
    const dir = tmp('out');
    expect((await cli(['export', 'shop', dir, '--sandbox', state, '--force'])).code).toBe(0);
    expect(read(dir, 'shop-api.taskdef').family).toBe('shop-shop-api');
    expectOnlyAdoption(await planAdopted(dir, await portsOf(state)));
  });
});

test('an existing directory path that is a file is refused', async () => {
  const state = await legacyAccount();
  const parent = tmp('file');
  const file = path.join(parent, 'taken');
  mkdirSync(parent, { recursive: true });
  writeFileSync(file, 'x');
  const run = await cli(['export', LEGACY, file, '--sandbox', state, '--force']);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`error: ${file} exists and is not a directory`);
});

/** Two subnets and a security group of the sandbox VPC, and a certificate ARN it accepts. */
const ALB_NET = {
  subnets: ['subnet-0a000001', 'subnet-0a000002'],
  securityGroups: ['sg-0a000001'],
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001',
};

describe('apply, export, diff, apply: the export round trip with prune on (sandbox)', () => {
  /** A fresh state file, with `prepare` run on its account first. */
  async function account(prepare?: (sb: Awaited<ReturnType<typeof loadSandbox>>) => Promise<void>) {
    const file = path.join(tmp('state'), 'account.json');
    const sb = await loadSandbox(file);
    if (prepare) await prepare(sb);
    await saveSandbox(file, sb);
    return file;
  }
  const sandboxCli = (state: string) => (args: string[]) => cli([...args, '--sandbox', state]);

  test('a scheduled-task family, a plain, a pinned and an autocreated service: the same files back, nothing to do', async () => {
    const state = await account(async (sb) => {
      await sb.ecs.registerTaskDefinition(TOOLS_DEBUG);
    });
    const trip = await exportRoundTrip(sandboxCli(state), { cluster: SHOP, source: writeShopDir() });
    expectExported(trip, EXPECTED.shop);
    const { exportRun, dir } = trip;
    expect(readFileSync(path.join(dir, 'cron.taskdef'), 'utf8')).not.toContain('AUTOCREATE');
    expect(readFileSync(path.join(dir, 'worker.taskdef'), 'utf8')).toContain('AUTOCREATE.SERVICE');
    expect(read(dir, 'debug.service').taskDefinition).toBe('tools-debug:1');
    expect(exportRun.stdout).toContain(`Next: ecs-gitops diff ${dir}`);
  });

  test('a balancer ecs-gitops created, services routed by labels (one with a health check of its own): create:, no loadBalancers, nothing to do', async () => {
    const state = await account();
    const net = ALB_NET;
    const trip = await exportRoundTrip(sandboxCli(state), {
      cluster: ALB_SHOP,
      source: writeAlbShopDir(net),
    });
    expectExported(trip, EXPECTED.albShop);
    const { dir } = trip;
    const clusterYaml = readFileSync(path.join(dir, 'cluster.yaml'), 'utf8');
    expect(clusterYaml.slice(clusterYaml.indexOf('\nname: ') + 1)).toBe(
      albShopClusterYaml(net, DEFAULT_SSL_POLICY),
    );
    expect(read(dir, 'web.service')).toEqual({ taskDefinition: 'web', desiredCount: 2, launchType: 'EC2' });
    expect(read(dir, 'api.service')).toEqual({ taskDefinition: 'api', desiredCount: 1, launchType: 'EC2' });
    expect(read(dir, 'web.taskdef').containerDefinitions[0].dockerLabels).toEqual(ALB_SHOP_LABELS.web);
    expect(read(dir, 'api.taskdef').containerDefinitions[0].dockerLabels).toEqual(ALB_SHOP_LABELS.api);
  });

  test("an existing balancer with ecs-gitops's target groups and rules: loadBalancer: { name } with the cluster's defaults, no loadBalancers", async () => {
    const state = await account(async (sb) => {
      const lb = (await sb.elbv2.createLoadBalancer({ Name: 'shared', Subnets: ALB_NET.subnets }))
        .LoadBalancers?.[0];
      await sb.elbv2.createListener({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      });
    });
    const src = path.join(tmp('src'), 'named');
    mkdirSync(src);
    writeFileSync(
      path.join(src, 'cluster.yaml'),
      'name: named\nregion: us-east-1\nloadBalancer:\n  name: shared\n  healthCheck:\n    path: /healthz\n' +
        '  healthCheckGracePeriodSeconds: 30\n',
    );
    writeFileSync(
      path.join(src, 'web.taskdef'),
      JSON.stringify({
        containerDefinitions: [
          {
            name: 'web',
            image: 'nginx:1.27',
            memory: 64,
            portMappings: [{ containerPort: 80 }],
            dockerLabels: { 'proxy.host': 'www.named.example.com' },
          },
        ],
      }),
    );
    writeFileSync(
      path.join(src, 'web.service'),
      JSON.stringify({ taskDefinition: 'web', launchType: 'EC2' }),
    );
    const { dir, exportRun } = await exportRoundTrip(sandboxCli(state), { cluster: 'named', source: src });
    expect(readFileSync(path.join(dir, 'cluster.yaml'), 'utf8')).toContain(
      '\nloadBalancer:\n  name: shared\n  healthCheck:\n    path: /healthz\n  healthCheckGracePeriodSeconds: 30\n',
    );
    expect(read(dir, 'web.service')).toEqual({ taskDefinition: 'web', desiredCount: 1, launchType: 'EC2' });
    expect(exportRun.stdout).toContain(
      "note: cluster.yaml names load balancer shared; services web are routed by their containers' proxy.* labels",
    );
  });

  test('a target group changed by hand: its container gets the label that gives the live value, and the plan is a new revision, not an ELBv2 change', async () => {
    const state = await account();
    expect((await cli(['apply', writeAlbShopDir(ALB_NET), '--sandbox', state])).code).toBe(0);
    const sb = await loadSandbox(state);
    const groups = (await sb.elbv2.describeTargetGroups({})).TargetGroups ?? [];
    const web = groups.find((g) => g.TargetGroupName?.startsWith('albshop-web-'));
    await sb.elbv2.modifyTargetGroup({ TargetGroupArn: web?.TargetGroupArn, HealthCheckPath: '/live' });
    await saveSandbox(state, sb);

    const dir = path.join(tmp('out'), ALB_SHOP);
    const run = await cli(['export', ALB_SHOP, dir, '--sandbox', state]);
    expect(run.stdout).toContain(
      "note: albshop-web: the proxy.* labels of container web are written from the load balancer's live routing",
    );
    expect(read(dir, 'web.taskdef').containerDefinitions[0].dockerLabels).toEqual({
      ...ALB_SHOP_LABELS.web,
      'proxy.healthcheck': '/live',
    });
    const diff = json(await cli(['diff', dir, '--sandbox', state, '-o', 'json']));
    const changed = diff.clusters[0].actions.filter((a: any) => a.op !== 'none');
    expect(changed.map((a: any) => `${a.op} ${a.id}`)).toEqual([
      'update taskDefinition/albshop-web',
      'update service/web',
    ]);
  });

  test('a file renamed alone (web.service to a template, web.taskdef to YAML) changes nothing; a real change brings the tags along', async () => {
    const state = await account(async (sb) => {
      await sb.ecs.registerTaskDefinition(TOOLS_DEBUG);
    });
    const dir = writeShopDir();
    expect((await cli(['apply', dir, '--sandbox', state])).code).toBe(0);
    renameSync(path.join(dir, 'web.service'), path.join(dir, 'web.service.template'));
    renameSync(path.join(dir, 'web.taskdef'), path.join(dir, 'web.taskdef.yaml'));
    const diff = await cli(['diff', dir, '--sandbox', state]);
    expect([diff.code, diff.stdout]).toEqual([0, expect.stringMatching(/0 to create, 0 to update/)]);
    const renamed = json(await cli(['apply', dir, '--sandbox', state, '-o', 'json']));
    expect(renamed.awsCalls.mutating).toBe(0);

    // A real change to web: the new revision and the service's tags carry the new file names.
    const web = JSON.parse(readFileSync(path.join(dir, 'web.service.template'), 'utf8'));
    writeFileSync(path.join(dir, 'web.service.template'), JSON.stringify({ ...web, desiredCount: 3 }));
    const changed = json(await cli(['apply', dir, '--sandbox', state, '-o', 'json']));
    expect(mutatingCalls(changed.awsCalls.byOperation)).toEqual({
      'ECS.TagResource': 1,
      'ECS.UpdateService': 1,
    });
    const { ecs } = await loadSandbox(state);
    const svc = await ecs.describeServices({ cluster: SHOP, services: ['web'], include: ['TAGS'] });
    expect(svc.services?.[0].tags).toContainEqual({
      key: 'ecs-gitops:source',
      value: 'web.service.template',
    });
  });

  test('a cluster.yaml prefix other than the cluster name: its scheduled family is still found', async () => {
    const state = await account();
    const src = path.join(tmp('src'), 'prod');
    mkdirSync(src);
    writeFileSync(path.join(src, 'cluster.yaml'), 'name: prod\nregion: us-east-1\nprefix: acme\n');
    const td = (image: string) =>
      JSON.stringify({ containerDefinitions: [{ name: 'app', image, memory: 64 }] });
    writeFileSync(path.join(src, 'api-web.taskdef'), td('acme/web:1'));
    writeFileSync(path.join(src, 'cron.taskdef'), td('acme/cron:1'));
    writeFileSync(
      path.join(src, 'web.service'),
      JSON.stringify({ taskDefinition: 'api-web', launchType: 'EC2' }),
    );
    const { dir } = await exportRoundTrip(sandboxCli(state), { cluster: 'prod', source: src });
    expect(filesIn(dir)).toEqual(['api-web.taskdef', 'cluster.yaml', 'cron.taskdef', 'web.service']);
    expect(readFileSync(path.join(dir, 'cluster.yaml'), 'utf8')).toContain('prefix: acme\n');
  });

  test('the ecs-efs example: the template comes back as the plain file it rendered to, and export says so', async () => {
    const state = await account();
    const trip = await exportRoundTrip(sandboxCli(state), {
      cluster: 'demo',
      source: ecsEfsDir(),
      applyArgs: ['--cluster', 'demo'],
    });
    expectExported(trip, EXPECTED.ecsEfs);
    expect(read(trip.dir, 'webserver.service')).toMatchObject({
      taskDefinition: 'webserver',
      desiredCount: 2,
    });
  });

  test('a cluster made by hand (the AWS CLI calls, through the SDK port), exported with --families, then adopted', async () => {
    const state = await account(makeBatchByHand);
    // Without --families a foreign cluster's service-less families cannot be told from anyone's,
    // and are not listed at all.
    const plain = await cli(['export', BATCH, tmp('plain'), '--sandbox', state]);
    expect(plain.stdout).not.toContain('nightly');
    expect(exportReads(plain)['ECS.ListTaskDefinitionFamilies']).toBeUndefined();
    // --families PREFIX names where to look: families under "PREFIX-" only.
    const named = await cli(['export', BATCH, tmp('named'), '--sandbox', state, '--families', 'batch']);
    expect(named.stdout).toMatch(EXPECTED.batch.line!);
    const elsewhere = await cli(['export', BATCH, tmp('else'), '--sandbox', state, '--families=tools']);
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).not.toContain('nightly');
    expect(exportReads(elsewhere)['ECS.ListTaskDefinitionFamilies']).toBe(1);
    expectExported(
      await exportRoundTrip(sandboxCli(state), { cluster: BATCH, exportArgs: ['--families'], adopt: true }),
      EXPECTED.batch,
    );
    // Adopted, the cluster is ecs-gitops's: its families are exported without --families.
    const again = await cli(['export', BATCH, tmp('again'), '--sandbox', state]);
    expect(again.stdout).toMatch(/^ {2}nightly\.taskdef +batch-nightly:2 \(no service runs it\)$/m);
  });
});
