/**
 * The shared load balancer through the real CLI (in-process, `--sandbox FILE`) and the controller,
 * on the strict sandbox: what moto cannot show (test/e2e/load-balancer.moto.test.ts has the rest).
 *
 * - moto drops a service's healthCheckGracePeriodSeconds on CreateService (AWS keeps it): here the
 *   first apply sets it and the second apply writes nothing at all;
 * - moto lets a target group be deleted while a rule still forwards to it (AWS: ResourceInUse, as the
 *   sandbox answers), so the order of a target group replacement can only be checked here;
 * - moto's balancers are active at once: here an owned balancer is provisioning for a while, and
 *   the alias records that point at it wait for it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CallLog } from '../../controller/aws/call-log';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import { loadSandbox, saveSandbox, type LoadedSandbox } from '../../controller/aws/sandbox/state-file';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Controller } from '../../controller/reconcile/controller';
import { createGitSource } from '../../controller/reconcile/git-source';
import { createLogger } from '../../controller/telemetry/logger';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { json, runCli } from '../helpers/run-cli';
import { newSandboxAccount } from '../helpers/sandbox';

const ENV = { ECS_GITOPS_LOG_LEVEL: 'warn', NO_COLOR: '1' };
const LISTENER_404 = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }];

/** A state file whose account has the ALB `shared-alb` with an HTTP:80 listener answering 404. */
async function accountWithBalancer(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-lb-')), 'account.json');
  const acct = await loadSandbox(file);
  const lb = acct.elbv2.addLoadBalancer({ name: 'shared-alb' });
  await acct.elbv2.createListener({
    LoadBalancerArn: lb.LoadBalancerArn,
    Protocol: 'HTTP',
    Port: 80,
    DefaultActions: LISTENER_404,
  });
  await saveSandbox(file, acct);
  return file;
}

/** A task definition whose one container serves `hosts` on port 80. */
function taskdef(name: string, hosts: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      ...extra,
      containerDefinitions: [
        {
          name,
          image: 'nginx:1.27',
          memoryReservation: 64,
          portMappings: [{ containerPort: 80 }],
          dockerLabels: { 'proxy.host': hosts },
        },
      ],
    },
    null,
    2,
  );
}

/** Cluster `demo` (EC2, bridge) with services web (www, shop) and api, and this `cluster.yaml` tail. */
function clusterDir(tail: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-lb-dir-'));
  const files: Record<string, string> = {
    'cluster.yaml': [
      'name: demo',
      'region: us-east-1',
      'serviceDefaults:',
      '  launchType: EC2',
      ...tail,
      '',
    ].join('\n'),
    'web.taskdef': taskdef('web', 'www.example.com shop.example.com'),
    'web.service': '{ "desiredCount": 1 }\n',
    'api.taskdef': taskdef('api', 'api.example.com'),
    'api.service': '{ "desiredCount": 1 }\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const SHARED = ['loadBalancer:', '  name: shared-alb'];

async function cli(args: string[]) {
  const run = await runCli(['--log-level', 'warn', ...args], ENV);
  return { code: run.code, out: json(run), stderr: run.stderr };
}

/** `apply -o json`; fails the test on a non-zero exit, with what it printed. */
async function apply(dir: string, file: string, ...extra: string[]) {
  const run = await cli(['apply', dir, '--sandbox', file, '--output', 'json', ...extra]);
  if (run.code !== 0) throw new Error(`apply exited ${run.code}: ${JSON.stringify(run.out)}\n${run.stderr}`);
  return run.out;
}

/** The mutating calls of an `awsCalls.byOperation`. */
function writes(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byOperation).filter(([op]) => MUTATING_OPERATIONS.has(op.slice(op.indexOf('.') + 1))),
  );
}

/** The listener's rules other than the default, as `priority hosts -> group name`. */
async function rules(acct: LoadedSandbox): Promise<string[]> {
  const lb = (await acct.elbv2.describeLoadBalancers({})).LoadBalancers?.[0];
  const listener = (await acct.elbv2.describeListeners({ LoadBalancerArn: lb?.LoadBalancerArn }))
    .Listeners?.[0];
  const groups = new Map(
    ((await acct.elbv2.describeTargetGroups({})).TargetGroups ?? []).map((g) => [
      g.TargetGroupArn,
      g.TargetGroupName,
    ]),
  );
  const all = (await acct.elbv2.describeRules({ ListenerArn: listener?.ListenerArn })).Rules ?? [];
  return all
    .filter((r) => !r.IsDefault)
    .map((r) => `${r.Priority} ${hostsOf(r).join(',')} -> ${groups.get(r.Actions?.[0]?.TargetGroupArn)}`)
    .sort();
}

const hostsOf = (r: Rule) => r.Conditions?.flatMap((c) => c.HostHeaderConfig?.Values ?? []) ?? [];

async function ruleWithHost(acct: LoadedSandbox, host: string): Promise<Rule> {
  const lb = (await acct.elbv2.describeLoadBalancers({})).LoadBalancers?.[0];
  const listener = (await acct.elbv2.describeListeners({ LoadBalancerArn: lb?.LoadBalancerArn }))
    .Listeners?.[0];
  const all = (await acct.elbv2.describeRules({ ListenerArn: listener?.ListenerArn })).Rules ?? [];
  const rule = all.find((r) => hostsOf(r).includes(host));
  if (!rule) throw new Error(`no rule for ${host}`);
  return rule;
}

async function services(acct: LoadedSandbox) {
  const out = await acct.ecs.describeServices({ cluster: 'demo', services: ['web', 'api'] });
  return Object.fromEntries((out.services ?? []).map((s) => [s.serviceName, s]));
}

/** Group names without their hash: `demo-web-80`. */
const stem = (name: string | undefined) => (name ?? '').replace(/-[0-9a-f]{6}$/, '');

const FIRST_APPLY = {
  'ECS.CreateCluster': 1,
  'ECS.CreateService': 2,
  'ECS.RegisterTaskDefinition': 2,
  'ELBv2.CreateRule': 2,
  'ELBv2.CreateTargetGroup': 2,
  'ELBv2.ModifyTargetGroupAttributes': 2,
};

describe('an existing balancer (loadBalancer: { name })', () => {
  test('the first apply makes groups, rules and attached services with a 60 s grace period; the second writes nothing', async () => {
    const file = await accountWithBalancer();
    const dir = clusterDir(SHARED);
    const first = await apply(dir, file);
    expect(writes(first.awsCalls.byOperation)).toEqual(FIRST_APPLY);

    const acct = await loadSandbox(file);
    const groups = (await acct.elbv2.describeTargetGroups({})).TargetGroups ?? [];
    expect(groups.map((g) => [stem(g.TargetGroupName), g.Port, g.TargetType]).sort()).toEqual([
      ['demo-api-80', 80, 'instance'],
      ['demo-web-80', 80, 'instance'],
    ]);
    expect((await rules(acct)).map((r) => r.replace(/-[0-9a-f]{6}$/, ''))).toEqual([
      '1 api.example.com -> demo-api-80',
      '2 shop.example.com,www.example.com -> demo-web-80',
    ]);
    const svc = await services(acct);
    const web = groups.find((g) => stem(g.TargetGroupName) === 'demo-web-80');
    expect(svc.web.loadBalancers).toEqual([
      { targetGroupArn: web?.TargetGroupArn, containerName: 'web', containerPort: 80 },
    ]);
    // AWS keeps what CreateService was given (moto drops it): no UpdateService to set it again.
    expect([svc.web.healthCheckGracePeriodSeconds, svc.api.healthCheckGracePeriodSeconds]).toEqual([60, 60]);

    const second = await apply(dir, file);
    expect(writes(second.awsCalls.byOperation)).toEqual({});
  });

  test('a rule deleted by hand and a rule edited by hand are put back by the next apply, and only they', async () => {
    const file = await accountWithBalancer();
    const dir = clusterDir(SHARED);
    await apply(dir, file);
    let acct = await loadSandbox(file);
    const converged = await rules(acct);

    await acct.elbv2.deleteRule({ RuleArn: (await ruleWithHost(acct, 'api.example.com')).RuleArn });
    await saveSandbox(file, acct);
    const recreated = await apply(dir, file);
    expect(writes(recreated.awsCalls.byOperation)).toEqual({ 'ELBv2.CreateRule': 1 });
    acct = await loadSandbox(file);
    expect(await rules(acct)).toEqual(converged);

    const web = await ruleWithHost(acct, 'www.example.com');
    await acct.elbv2.modifyRule({
      RuleArn: web.RuleArn,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['evil.example.com'] } }],
    });
    await saveSandbox(file, acct);
    const restored = await apply(dir, file);
    expect(writes(restored.awsCalls.byOperation)).toEqual({ 'ELBv2.ModifyRule': 1 });
    acct = await loadSandbox(file);
    expect(await rules(acct)).toEqual(converged);
    expect((await ruleWithHost(acct, 'www.example.com')).RuleArn).toBe(web.RuleArn);

    expect(writes((await apply(dir, file)).awsCalls.byOperation)).toEqual({});
  });

  test('bridge -> awsvpc replaces the target group: new group, rule switched, service switched, old group deleted last', async () => {
    const file = await accountWithBalancer();
    const dir = clusterDir(SHARED);
    await apply(dir, file);
    const before = (await loadSandbox(file)).elbv2;
    const oldGroup = ((await before.describeTargetGroups({})).TargetGroups ?? []).find(
      (g) => stem(g.TargetGroupName) === 'demo-web-80',
    );

    writeFileSync(
      path.join(dir, 'web.taskdef'),
      taskdef('web', 'www.example.com shop.example.com', { networkMode: 'awsvpc' }),
    );
    writeFileSync(
      path.join(dir, 'web.service'),
      JSON.stringify({
        desiredCount: 1,
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a000001', 'subnet-0a000002'] } },
      }),
    );
    // The order the writes reach the account in: the sandbox counts a call as it starts it.
    const record = jest.spyOn(CallLog.prototype, 'record');
    let out: any;
    let calls: [string, string][];
    try {
      out = await apply(dir, file);
    } finally {
      calls = [...record.mock.calls];
      record.mockRestore();
    }
    // The strict sandbox answers ResourceInUse to a group deleted while a rule forwards to it, and
    // refuses a service pointed at an `instance` group from awsvpc: nothing failed.
    expect(out.clusters[0].results.filter((r: any) => r.outcome === 'failed')).toEqual([]);
    const order = calls
      .filter(([, operation]) => MUTATING_OPERATIONS.has(operation))
      .map(([service, operation]) => `${service}.${operation}`);
    const elbWritesAndUpdate = order.filter((op) => op.startsWith('ELBv2.') || op === 'ECS.UpdateService');
    expect(elbWritesAndUpdate).toEqual([
      'ELBv2.CreateTargetGroup',
      'ELBv2.ModifyTargetGroupAttributes',
      'ELBv2.ModifyRule',
      'ECS.UpdateService',
      'ELBv2.DeleteTargetGroup',
    ]);

    const acct = await loadSandbox(file);
    const groups = (await acct.elbv2.describeTargetGroups({})).TargetGroups ?? [];
    const web = groups.filter((g) => stem(g.TargetGroupName) === 'demo-web-80');
    expect(web.map((g) => g.TargetType)).toEqual(['ip']);
    expect(web[0]?.TargetGroupName).not.toBe(oldGroup?.TargetGroupName);
    expect((await services(acct)).web.loadBalancers?.[0]?.targetGroupArn).toBe(web[0]?.TargetGroupArn);
    expect((await ruleWithHost(acct, 'www.example.com')).Actions?.[0]?.TargetGroupArn).toBe(
      web[0]?.TargetGroupArn,
    );
    expect(writes((await apply(dir, file)).awsCalls.byOperation)).toEqual({});
  });
});

describe('the controller', () => {
  const git = (repo: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo });

  /** A committed cluster directory on `shared-alb` (HTTP:80, 404 default), and its controller. */
  async function controllerOnSharedBalancer() {
    const repo = clusterDir(SHARED);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'initial');
    const acct = newSandboxAccount();
    const lb = acct.elbv2.addLoadBalancer({ name: 'shared-alb' });
    await acct.elbv2.createListener({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: LISTENER_404,
    });
    acct.ecs.callLog.reset();
    const ports = { ecs: acct.ecs, reader: new EcsReader(acct.ecs), elbv2: acct.elbv2 };
    const controller = new Controller({
      source: createGitSource({ repo, cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')) }),
      paths: ['.'],
      env: {},
      portsFor: () => Promise.resolve(ports),
      clock: acct.clock,
      status: new StatusStore(),
      metrics: new ControllerMetrics(),
      log: createLogger({ level: 'silent' }),
    });
    return { acct, controller };
  }

  test('puts back a rule deleted by hand at its next resync, with that one write', async () => {
    const { acct, controller } = await controllerOnSharedBalancer();
    try {
      await controller.sourceChanged();
      await controller.idle();
      expect(acct.ecs.callLog.mutating()).toEqual(FIRST_APPLY);
      const converged = await rules(acct);
      expect(converged).toHaveLength(2);

      await acct.elbv2.deleteRule({ RuleArn: (await ruleWithHost(acct, 'api.example.com')).RuleArn });
      acct.ecs.callLog.reset();
      controller.resyncAll();
      await controller.idle();
      expect(acct.ecs.callLog.mutating()).toEqual({ 'ELBv2.CreateRule': 1 });
      expect(await rules(acct)).toEqual(converged);

      acct.ecs.callLog.reset();
      controller.resyncAll();
      await controller.idle();
      expect(acct.ecs.callLog.mutating()).toEqual({});
    } finally {
      await controller.stop();
    }
  });

  test("a hint for one routed service leaves the other service's route alone (a narrowed plan never removes)", async () => {
    const { acct, controller } = await controllerOnSharedBalancer();
    try {
      await controller.sourceChanged();
      await controller.idle();
      const converged = await rules(acct);
      await acct.ecs.updateService({ cluster: 'demo', service: 'api', desiredCount: 3 });
      acct.ecs.callLog.reset();
      controller.hint('demo', 'api');
      await controller.idle();
      // Only api's drift is reverted; web's rule and target group are not looked at, not removed.
      expect(acct.ecs.callLog.mutating()).toEqual({ 'ECS.UpdateService': 1 });
      expect(await rules(acct)).toEqual(converged);

      acct.ecs.callLog.reset();
      controller.hint('demo', 'api');
      await controller.idle();
      expect(acct.ecs.callLog.mutating()).toEqual({});
    } finally {
      await controller.stop();
    }
  });

  test('a hint for a routed service puts back a target group detached by hand, and its count', async () => {
    const { acct, controller } = await controllerOnSharedBalancer();
    try {
      await controller.sourceChanged();
      await controller.idle();
      const before = await services(acct);
      const converged = await rules(acct);
      await acct.ecs.updateService({ cluster: 'demo', service: 'web', desiredCount: 3, loadBalancers: [] });
      expect((await services(acct)).web?.loadBalancers).toEqual([]);
      acct.ecs.callLog.reset();
      controller.hint('demo', 'web');
      await controller.idle();
      expect(acct.ecs.callLog.mutating()).toEqual({ 'ECS.UpdateService': 1 });
      const after = (await services(acct)).web;
      expect(after?.loadBalancers).toEqual(before.web?.loadBalancers);
      expect(after?.desiredCount).toBe(1);
      expect(await rules(acct)).toEqual(converged);

      acct.ecs.callLog.reset();
      controller.hint('demo', 'web');
      await controller.idle();
      expect(acct.ecs.callLog.mutating()).toEqual({});
    } finally {
      await controller.stop();
    }
  });
});

describe('a balancer ecs-gitops creates (loadBalancer: { create })', () => {
  const OWNED = [
    'loadBalancer:',
    '  create:',
    '    subnets: [subnet-0a000001, subnet-0a000002]',
    '    securityGroups: [sg-0123456789abcdef0]',
    'dns:',
    '  domain: example.com',
    '  target:',
    '    loadBalancer: managed',
  ];

  test('apply --wait makes all of it, alias records once the balancer is active; destroy --drain removes all of it', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-lb-')), 'account.json');
    const setup = await loadSandbox(file);
    const zone = setup.route53.createHostedZone('example.com');
    await saveSandbox(file, setup);
    const dir = clusterDir(OWNED);

    // The alias records wait for the balancer the plan makes (the first round says so: pending);
    // a second round inside apply --wait makes them, and the whole apply converges.
    const first = await apply(dir, file, '--wait', '--timeout', '40s');
    expect(first.converged).toBe(true);
    expect(writes(first.awsCalls.byOperation)).toEqual({
      ...FIRST_APPLY,
      'ELBv2.CreateListener': 1,
      'ELBv2.CreateLoadBalancer': 1,
      'Route53.ChangeResourceRecordSets': 1,
    });
    const created = (resource: string) =>
      first.clusters[0].results
        .filter((r: any) => r.resource === resource && r.outcome === 'created')
        .map((r: any) => r.name)
        .sort();
    expect(created('loadBalancer')).toEqual(['demo']);
    expect(created('listener')).toEqual(['demo:80']);
    expect(created('dnsRecord')).toEqual(['api.example.com A', 'shop.example.com A', 'www.example.com A']);
    expect(first.clusters[0].rollouts.map((r: any) => r.state)).toEqual(['completed', 'completed']);

    let acct = await loadSandbox(file);
    const lb = (await acct.elbv2.describeLoadBalancers({ Names: ['demo'] })).LoadBalancers?.[0];
    expect(lb?.State?.Code).toBe('active');
    expect((await rules(acct)).map((r) => r.replace(/-[0-9a-f]{6}$/, ''))).toEqual([
      '1 api.example.com -> demo-api-80',
      '2 shop.example.com,www.example.com -> demo-web-80',
    ]);
    const records =
      (await acct.route53.listResourceRecordSets({ HostedZoneId: zone })).ResourceRecordSets ?? [];
    const aliases = records.filter((r) => r.Type === 'A').map((r) => [r.Name, r.AliasTarget?.DNSName]);
    expect(aliases.sort()).toEqual(
      ['api', 'shop', 'www'].map((h) => [`${h}.example.com.`, expect.stringContaining(lb?.DNSName ?? '?')]),
    );

    expect(writes((await apply(dir, file)).awsCalls.byOperation)).toEqual({});

    const destroy = await runCli(
      [
        '--log-level',
        'warn',
        'destroy',
        'demo',
        '--drain',
        '--confirm',
        '--sandbox',
        file,
        '--timeout',
        '60s',
      ],
      ENV,
    );
    expect({ code: destroy.code, stderr: destroy.stderr }).toEqual({ code: 0, stderr: '' });
    acct = await loadSandbox(file);
    expect((await acct.elbv2.describeLoadBalancers({})).LoadBalancers ?? []).toEqual([]);
    expect((await acct.elbv2.describeTargetGroups({})).TargetGroups ?? []).toEqual([]);
    // The services went with the cluster: ECS no longer knows the cluster at all.
    const cluster = await acct.ecs.describeClusters({ clusters: ['demo'] });
    expect(cluster.clusters?.map((c) => c.status)).toEqual(['INACTIVE']);
    await expect(acct.ecs.listServices({ cluster: 'demo' })).rejects.toThrow('Cluster not found.');
    // DNS records are not touched by destroy (docs/lifecycle.md): the aliases stay, pointing nowhere.
  }, 60_000);

  test("the new balancer's VPC is read once per apply, not once per target group created in it", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-lb-')), 'account.json');
    await saveSandbox(file, await loadSandbox(file));
    // Three services, three target groups in the balancer this apply creates.
    const dir = clusterDir(OWNED.slice(0, 4));
    writeFileSync(path.join(dir, 'admin.taskdef'), taskdef('admin', 'admin.example.com'));
    writeFileSync(path.join(dir, 'admin.service'), '{ "desiredCount": 1 }\n');
    const first = await apply(dir, file);
    expect(writes(first.awsCalls.byOperation)).toMatchObject({
      'ELBv2.CreateLoadBalancer': 1,
      'ELBv2.CreateTargetGroup': 3,
    });
    // One to plan (the balancer does not exist yet), one for the VPC of the groups.
    expect(first.awsCalls.byOperation['ELBv2.DescribeLoadBalancers']).toBe(2);
  });

  test('a create the account refuses ends apply --wait at once: it is not retried until the timeout', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-lb-')), 'account.json');
    const setup = await loadSandbox(file);
    setup.route53.createHostedZone('example.com');
    await saveSandbox(file, setup);
    // Not a security group id ELBv2 takes: CreateLoadBalancer answers InvalidSecurityGroup.
    const dir = clusterDir(OWNED.map((l) => l.replace('sg-0123456789abcdef0', 'sg-1')));
    const run = await cli([
      'apply',
      dir,
      '--sandbox',
      file,
      '--output',
      'json',
      '--wait',
      '--timeout',
      '30s',
    ]);
    expect(run.code).toBe(1);
    expect(
      run.out.clusters[0].results.filter((r: any) => r.outcome === 'failed').map((r: any) => r.id),
    ).toEqual(['loadBalancer/demo']);
    expect(run.out.awsCalls.byOperation['ELBv2.CreateLoadBalancer']).toBe(1);
  }, 60_000);
});
