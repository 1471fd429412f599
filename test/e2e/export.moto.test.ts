/**
 * `export` end to end against moto, through the real CLI and the real AWS SDK: a cluster made with
 * plain ECS calls (as the old Makefile tool made it, no ownership tags) is exported, and the
 * exported directory planned back changes no field; adoption only tags.
 *
 * Where moto is not AWS (tested on the sandbox instead, test/cli/export.sandbox.test.ts): moto does
 * not store a service's deploymentConfiguration, healthCheckGracePeriodSeconds or placementStrategy
 * (so the exported api.service cannot carry them), does not fill the container defaults AWS fills
 * (protocol, hostPort, the health check's timeout and retries: normalization makes that moot, and
 * the .taskdef files come out the same as on the sandbox), stores "0.25 vCPU" as given, fills in neither platformVersion LATEST nor assignPublicIp DISABLED on a
 * Fargate service, returns
 * `networkConfiguration: {}` for a bridge service, and answers a load balancer whose target group is
 * attached to no load balancer with HTTP 500 (AWS: InvalidParameterException), so the test attaches it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { loadSandbox, saveSandbox } from '../../controller/aws/sandbox/state-file';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { SdkElbv2Port } from '../../controller/aws/sdk-elbv2-port';
import { AwsContext } from '../../controller/cli/aws-context';
import { createNetworkFixture, requestAcmCertificate } from '../helpers/alb-fixture';
import {
  adoptingCopy,
  ALB_SHOP,
  ALB_SHOP_LABELS,
  albShopClusterYaml,
  BATCH,
  BATCH_CALLS,
  ecsEfsDir,
  expectOnlyAdoption,
  exportCalls,
  EXPECTED,
  expectExported,
  exportRoundTrip,
  filesIn,
  LEGACY_ADOPTED,
  LEGACY_EXPORT_READS,
  LEGACY_FILES,
  planAdopted,
  SHOP,
  TOOLS_DEBUG,
  writeAlbShopDir,
  writeShopDir,
} from '../helpers/export-roundtrip';
import {
  createLegacyCluster,
  seedSandboxNetwork,
  LEGACY,
  type LegacyNetwork,
} from '../helpers/legacy-cluster';
import { useMoto } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const moto = useMoto();

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ecs-gitops-export-moto-${prefix}-`));
}

const env = () => ({ AWS_ENDPOINT_URL: moto.endpoint, ECS_GITOPS_LOG_LEVEL: 'warn' });

/** A VPC with two subnets and a security group, and a target group behind a load balancer. */
async function network(): Promise<LegacyNetwork> {
  const { vpcId, subnetIds, securityGroupId } = await createNetworkFixture(moto.endpoint);
  const elbv2 = new ElasticLoadBalancingV2Client({ endpoint: moto.endpoint });
  try {
    const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'legacy', Subnets: subnetIds }));
    const tg = await elbv2.send(
      new CreateTargetGroupCommand({ Name: 'legacy-api', Protocol: 'HTTP', Port: 8080, VpcId: vpcId }),
    );
    const targetGroupArn = tg.TargetGroups?.[0].TargetGroupArn ?? '';
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0].LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      }),
    );
    return { subnets: subnetIds, securityGroups: [securityGroupId], targetGroupArn };
  } finally {
    elbv2.destroy();
  }
}

/** The legacy cluster in moto, made through the SDK port; returns the port to plan against. */
async function legacyAccount(net: LegacyNetwork) {
  const clients = createAwsClients({ endpoint: moto.endpoint, callLog: new CallLog() });
  const port = new SdkEcsPort(clients.ecs);
  await createLegacyCluster(port, net);
  // The exported cluster.yaml names the balancer of service api's target group: planning reads it.
  return { ecs: port, reader: new EcsReader(port), elbv2: new SdkElbv2Port(clients.elbv2) };
}

describe('export against moto', () => {
  test('export, then plan back with adopt: only TagResource, no field change', async () => {
    const net = await network();
    const ports = await legacyAccount(net);
    const dir = path.join(tmp('out'), 'legacy');
    const run = await runCli(['export', LEGACY, dir], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/AWS calls: \d+ \(0 mutating\)/);
    expect(filesIn(dir)).toEqual(LEGACY_FILES);
    expect(JSON.parse(readFileSync(path.join(dir, 'api-canary.service'), 'utf8')).taskDefinition).toBe(
      'legacy-api:2',
    );
    expect(JSON.parse(readFileSync(path.join(dir, 'api.service'), 'utf8')).loadBalancers).toEqual([
      { containerName: 'api', containerPort: 8080, targetGroupArn: net.targetGroupArn },
    ]);

    const plan = await planAdopted(dir, ports);
    expect(expectOnlyAdoption(plan)).toEqual(LEGACY_ADOPTED);
  });

  test('the files come out as from the sandbox, though moto stores the task definitions differently', async () => {
    const net = await network();
    await legacyAccount(net);
    const fromMoto = tmp('moto');
    expect((await runCli(['export', LEGACY, fromMoto, '--force'], env())).code).toBe(0);

    const state = path.join(tmp('state'), 'account.json');
    const sb = await loadSandbox(state);
    seedSandboxNetwork(sb.elbv2, net);
    await createLegacyCluster(sb.ecs, net);
    await saveSandbox(state, sb);
    const fromSandbox = tmp('sandbox');
    expect((await runCli(['export', LEGACY, fromSandbox, '--force', '--sandbox', state], env())).code).toBe(
      0,
    );

    // web.service differs: moto fills in neither platformVersion LATEST nor assignPublicIp DISABLED
    // for a Fargate service (AWS does, and so does the sandbox); api.service: see the top comment.
    for (const f of [
      'cluster.yaml',
      'api.taskdef',
      'web.taskdef',
      'worker.taskdef',
      'api-canary.service',
      'worker.service',
    ]) {
      expect([f, readFileSync(path.join(fromMoto, f), 'utf8')]).toEqual([
        f,
        readFileSync(path.join(fromSandbox, f), 'utf8'),
      ]);
    }
  });

  test('diff -o json: no field change before adoption, only tags with adopt', async () => {
    await legacyAccount(await network());
    const dir = tmp('out');
    expect((await runCli(['export', LEGACY, dir, '--force'], env())).code).toBe(0);

    const before = await runCli(['diff', dir, '-o', 'json'], env());
    expect(before.code).toBe(1);
    const actions = json(before).clusters[0].actions;
    expect(actions.flatMap((a: any) => a.changes)).toEqual([]);
    expect(actions.filter((a: any) => a.op !== 'conflict').map((a: any) => a.id)).toEqual(['cluster/legacy']);

    const adopted = await runCli(['diff', adoptingCopy(dir), '-o', 'json'], env());
    expect(adopted.code).toBe(2);
    const paths = json(adopted).clusters[0].actions.flatMap((a: any) => a.changes.map((c: any) => c.path));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p: string) => !p.startsWith('tags['))).toEqual([]);
  });

  test('export, adopt, diff: the cluster is in git in one step; diff exits 0 and apply changes nothing', async () => {
    await legacyAccount(await network());
    const dir = tmp('out');
    expect((await runCli(['export', LEGACY, dir, '--force'], env())).code).toBe(0);
    const adopt = await runCli(['adopt', dir], env());
    expect(adopt.code).toBe(0);
    // Only the ownership tags are written: 1 cluster + 3 families + 4 services.
    expect(adopt.stdout).toMatch(/AWS calls: \d+ \(8 mutating\): .*ECS\.TagResource 8/);
    const diff = await runCli(['diff', dir], env());
    expect([diff.code, diff.stdout]).toEqual([
      0,
      expect.stringMatching(/0 to create, 0 to update, 8 unchanged/),
    ]);
    const applied = json(await runCli(['apply', dir, '-o', 'json'], env()));
    expect(applied.converged).toBe(true);
    expect(applied.awsCalls.mutating).toBe(0);
  });

  test('makes zero mutating calls (counted by the SDK middleware)', async () => {
    await legacyAccount(await network());
    const calls = await exportCalls(new AwsContext({ endpoint: moto.endpoint }), LEGACY, tmp('out'));
    expect(calls.mutating()).toEqual({});
    expect(calls.snapshot()).toEqual(LEGACY_EXPORT_READS);
  });

  test('a cluster that does not exist: exit 1 and a clear message', async () => {
    const run = await runCli(['export', 'nope', tmp('out')], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error: cluster nope does not exist in us-east-1 (or is INACTIVE): nothing to export',
    );
  });
});

/**
 * The AWS CLI (v1), as a person makes a cluster by hand, against moto with the test credentials in
 * the environment. Returns the parsed JSON answer.
 */
async function aws(...args: string[]): Promise<any> {
  const { stdout } = await promisify(execFile)(
    'aws',
    ['--endpoint-url', moto.endpoint, '--output', 'json', ...args],
    {
      env: { ...process.env, AWS_PAGER: '' },
    },
  );
  return stdout.trim() === '' ? {} : JSON.parse(stdout);
}

/** An SDK client on moto for what the test itself checks or prepares. */
async function withEcs<T>(f: (ecs: ECSClient) => Promise<T>): Promise<T> {
  const ecs = new ECSClient({ endpoint: moto.endpoint });
  try {
    return await f(ecs);
  } finally {
    ecs.destroy();
  }
}

/** ACTIVE or INACTIVE: a revision pruning would have deregistered is INACTIVE. */
async function status(taskDefinition: string): Promise<string | undefined> {
  return withEcs(
    async (ecs) =>
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition?.status,
  );
}

/**
 * The same round trips as on the sandbox (test/cli/export.sandbox.test.ts). moto behaves as the
 * sandbox in everything they use (ListTaskDefinitionFamilies by prefix and status, tags on
 * DescribeTaskDefinition, the AUTOCREATE.SERVICE service's fields), with one difference that does not
 * show here: moto reports `networkConfiguration: {}` for the bridge services, which export leaves out.
 */
describe('apply, export, diff, apply: the export round trip with prune on (moto)', () => {
  const cli = (args: string[]) => runCli(args, env());

  test('a scheduled-task family, a plain, a pinned and an autocreated service: the same files back, nothing to do', async () => {
    await withEcs((ecs) => ecs.send(new RegisterTaskDefinitionCommand(TOOLS_DEBUG)));
    expectExported(await exportRoundTrip(cli, { cluster: SHOP, source: writeShopDir() }), EXPECTED.shop);
    // The scheduled task's family is still there to run.
    expect(await status('shop-cron')).toBe('ACTIVE');
  });

  test('a balancer ecs-gitops created, services routed by labels (one with a health check of its own): create:, no loadBalancers, nothing to do', async () => {
    const network = await createNetworkFixture(moto.endpoint);
    const net = {
      subnets: network.subnetIds,
      securityGroups: [network.securityGroupId],
      certificateArn: await requestAcmCertificate(moto.endpoint, '*.albshop.example.com'),
    };
    const src = writeAlbShopDir(net);
    // moto difference: CreateService drops healthCheckGracePeriodSeconds (AWS keeps it), so the
    // apply after the services' creation sets it again; the round trip starts from there.
    expect((await cli(['apply', src])).code).toBe(0);
    const trip = await exportRoundTrip(cli, { cluster: ALB_SHOP, source: src });
    expectExported(trip, EXPECTED.albShop);
    const clusterYaml = readFileSync(path.join(trip.dir, 'cluster.yaml'), 'utf8');
    // moto difference: an HTTPS listener created without SslPolicy gets ELBSecurityPolicy-2016-08
    // (AWS: "the current predefined security policy", ELBSecurityPolicy-TLS13-1-2-2021-06 as the
    // sandbox has it). Export writes the policy as read: the default moves, a file should not.
    const sslPolicy = /sslPolicy: (\S+)/.exec(clusterYaml)?.[1] ?? '';
    expect(sslPolicy).toBe('ELBSecurityPolicy-2016-08');
    expect(clusterYaml.slice(clusterYaml.indexOf('\nname: ') + 1)).toBe(albShopClusterYaml(net, sslPolicy));
    const read = (f: string) => JSON.parse(readFileSync(path.join(trip.dir, f), 'utf8'));
    expect(read('web.service')).toEqual({ taskDefinition: 'web', desiredCount: 2, launchType: 'EC2' });
    expect(read('web.taskdef').containerDefinitions[0].dockerLabels).toEqual(ALB_SHOP_LABELS.web);
    expect(read('api.taskdef').containerDefinitions[0].dockerLabels).toEqual(ALB_SHOP_LABELS.api);
  });

  test('the ecs-efs example: the template comes back as the plain file it rendered to, and export says so', async () => {
    const trip = await exportRoundTrip(cli, {
      cluster: 'demo',
      source: ecsEfsDir(),
      applyArgs: ['--cluster', 'demo'],
    });
    expectExported(trip, EXPECTED.ecsEfs);
  });

  test('a cluster made by hand with the AWS CLI, exported with --families, then adopted', async () => {
    // Each `aws` is a Python process of 2 to 4 s on a busy machine: what does not depend on another
    // call runs alongside it (the two revisions of batch-nightly stay in order).
    const [web, nightly1, nightly2] = BATCH_CALLS.taskDefinitions.map((td) => [
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      JSON.stringify(td),
    ]);
    await Promise.all([aws('ecs', 'create-cluster', '--cluster-name', BATCH), aws(...web), aws(...nightly1)]);
    await Promise.all([
      aws(...nightly2),
      aws('ecs', 'create-service', '--cli-input-json', JSON.stringify(BATCH_CALLS.service)),
    ]);

    expectExported(
      await exportRoundTrip(cli, { cluster: BATCH, exportArgs: ['--families'], adopt: true }),
      EXPECTED.batch,
    );
    expect(await status('batch-nightly:1')).toBe('ACTIVE');
    expect(await status('batch-nightly:2')).toBe('ACTIVE');
  });
});
