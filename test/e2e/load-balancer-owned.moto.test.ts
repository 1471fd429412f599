/**
 * End to end against moto, through the real CLI and SDK: a target group replaced when its task
 * definition switches from bridge to awsvpc, a balancer ecs-gitops creates, keeps in step and
 * destroys (`loadBalancer: { create: ... }`), and its HTTP listener redirecting to HTTPS. The
 * shared-balancer basics are in load-balancer.moto.test.ts; ELBv2's moto differences are listed in
 * test/aws/elbv2.moto.test.ts. Those that matter here are noted where they do ("moto difference:").
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { DescribeClustersCommand } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  createAlbFixture,
  createNetworkFixture,
  createSecurityGroup,
  requestAcmCertificate,
  type AlbFixture,
  type NetworkFixture,
} from '../helpers/alb-fixture';
import {
  applyCopy,
  cliInOrder,
  copyEcsEfs,
  demoServices,
  edit,
  exampleZone,
  listenerRules,
  recordSets,
  useLbMoto,
  writes,
  type FixtureCopy,
} from '../helpers/lb-moto';
import { json } from '../helpers/run-cli';

const moto = useLbMoto();

const cli = (args: string[]) => cliInOrder(moto, [...args, '--output', 'json']);
const apply = (f: FixtureCopy, ...extra: string[]) => applyCopy(moto, f, ...extra);
const copyFixture = copyEcsEfs;

/**
 * Applies until converged on moto. moto difference: CreateService drops
 * healthCheckGracePeriodSeconds (AWS stores it), so the apply after a service is created with a load
 * balancer sets it again with UpdateService; on AWS that apply writes nothing (the sandbox test
 * test/reconcile/load-balancer.sandbox.test.ts checks it).
 */
async function converge(f: FixtureCopy, ...extra: string[]) {
  const first = await apply(f, ...extra);
  await apply(f);
  const again = await apply(f);
  expect(writes(again.awsCalls.byOperation)).toEqual({});
  return first;
}

const rules = (listenerArn: string) => listenerRules(moto, listenerArn);
const services = () => demoServices(moto);
const hostedZone = () => exampleZone(moto);
const records = (zoneId: string) => recordSets(moto, zoneId);

async function targetGroups() {
  return ((await moto.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).filter((g) =>
    g.TargetGroupName?.startsWith('demo-'),
  );
}

const DNS = 'dns:\n  domain: example.com\n  target:\n    loadBalancer: managed\n';

describe('a target group replaced: bridge to awsvpc (moto)', () => {
  let alb: AlbFixture;
  beforeEach(async () => {
    alb = await createAlbFixture(moto.endpoint);
    await hostedZone();
  });

  test('new group, rule switched, service switched, old group deleted last; then nothing to do', async () => {
    const f = copyFixture(`name: demo\nloadBalancer:\n  name: shared-alb\n${DNS}`);
    await converge(f);
    const [old] = (await targetGroups()).filter((g) => g.TargetGroupName?.startsWith('demo-webserver'));
    expect(old?.TargetType).toBe('instance');

    // awsvpc: hostPort must equal containerPort or be absent; the service needs subnets and a group.
    // moto difference: moto's CreateService and UpdateService take an awsvpc service without a
    // networkConfiguration (ECS refuses it; moto only asks at RunTask), but they check that the
    // subnets and security groups given exist, as ECS does.
    const taskdef = path.join(f.dir, 'webserver.taskdef');
    edit(taskdef, '"containerDefinitions"', '"networkMode" : "awsvpc",\n  "containerDefinitions"');
    edit(taskdef, '"hostPort" : 0, ', '');
    edit(
      path.join(f.dir, 'webserver.service.template'),
      '"desiredCount": 2,',
      `"desiredCount": 2,\n    "networkConfiguration": { "awsvpcConfiguration": { "subnets": ${JSON.stringify(alb.subnetIds)}, "securityGroups": ["${alb.securityGroupId}"] } },`,
    );

    const diff = await cli(['diff', f.dir, '--config', f.config]);
    expect(diff.code).toBe(2);
    const planned = json(diff).clusters[0].actions.filter(
      (a: any) => a.op !== 'none' && ['service', 'listenerRule', 'targetGroup'].includes(a.resource),
    );
    const created = planned.find((a: any) => a.resource === 'targetGroup' && a.op === 'create');
    const oldId = `targetGroup/${old?.TargetGroupName}`;
    const rule = 'listenerRule/webserver/web/80@80#0';
    expect(created.reason).toMatch(
      new RegExp(`^replaces ${old?.TargetGroupName} \\(target type instance -> ip`),
    );
    expect(planned.map((a: any) => `${a.op} ${a.id}`)).toEqual([
      `create ${created.id}`,
      `update ${rule}`,
      'update service/webserver',
      `delete ${oldId}`,
    ]);
    const byId = Object.fromEntries(planned.map((a: any) => [a.id, a]));
    expect(byId[rule].dependsOn).toEqual([created.id]);
    expect(byId['service/webserver'].dependsOn).toEqual(expect.arrayContaining([created.id, rule]));
    expect(byId[oldId].dependsOn).toEqual([rule, 'service/webserver']);

    // moto's DeleteTargetGroup answers ResourceInUse while a rule forwards to the group, so an
    // apply that deleted it before switching the rule would fail here.
    const replaced = await apply(f);
    expect(writes(replaced.awsCalls.byOperation, 'ELBv2.')).toEqual({
      'ELBv2.CreateTargetGroup': 1,
      'ELBv2.ModifyTargetGroupAttributes': 1,
      'ELBv2.ModifyRule': 1,
      'ELBv2.DeleteTargetGroup': 1,
    });
    const groups = (await targetGroups()).filter((g) => g.TargetGroupName?.startsWith('demo-webserver'));
    expect(groups.map((g) => [g.TargetGroupName, g.TargetType])).toEqual([[created.name, 'ip']]);
    const fresh = groups[0].TargetGroupArn;
    const live = (await rules(alb.httpListenerArn)).find((r) =>
      r.Conditions?.some((c) => c.HostHeaderConfig?.Values?.includes('www.example.com')),
    );
    expect(live?.Actions?.map((a) => a.TargetGroupArn)).toEqual([fresh]);
    expect((await services()).webserver.loadBalancers).toEqual([
      { targetGroupArn: fresh, containerName: 'web', containerPort: 80 },
    ]);

    // UpdateService set the grace period (moto keeps it there): nothing at all is left to do.
    const next = await apply(f);
    expect(writes(next.awsCalls.byOperation)).toEqual({});
  });
});

describe('a balancer ecs-gitops creates (moto)', () => {
  let net: NetworkFixture;
  let zoneId: string;
  beforeEach(async () => {
    net = await createNetworkFixture(moto.endpoint);
    zoneId = await hostedZone();
  });

  const owned = (securityGroups: string[]) =>
    [
      'name: demo',
      'loadBalancer:',
      '  create:',
      `    subnets: [${net.subnetIds.join(', ')}]`,
      `    securityGroups: [${securityGroups.join(', ')}]`,
      '  listeners:',
      '    - port: 80',
      DNS,
    ].join('\n');

  async function balancers() {
    return (await moto.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  }

  test('apply --wait creates balancer, listener, groups, rules, services and alias records; destroy removes them', async () => {
    const f = copyFixture(owned([net.securityGroupId]));
    const run = await cli(['apply', f.dir, '--config', f.config, '--wait', '--timeout', '7s']);
    const first = json(run).clusters[0];
    // The balancer first, then its listener and the groups, the rules on the listener, then the
    // services; the alias records wait for the balancer (pending), and --wait's next round makes them.
    // (Actions that do not depend on each other run at once: only the dependencies fix an order.)
    expect(writes(json(run).awsCalls.byOperation)).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.RegisterTaskDefinition': 2,
      'ECS.CreateService': 2,
      // moto difference (see converge): the grace period CreateService dropped, set again.
      'ECS.UpdateService': 2,
      'ELBv2.CreateLoadBalancer': 1,
      'ELBv2.CreateListener': 1,
      'ELBv2.CreateTargetGroup': 2,
      'ELBv2.ModifyTargetGroupAttributes': 2,
      'ELBv2.CreateRule': 2,
      'Route53.ChangeResourceRecordSets': 1,
    });
    const o = run.order;
    const before = (x: string, y: string) => expect(o.lastIndexOf(x)).toBeLessThan(o.indexOf(y));
    before('ELBv2.CreateLoadBalancer', 'ELBv2.CreateListener');
    before('ELBv2.CreateLoadBalancer', 'ELBv2.CreateTargetGroup');
    before('ELBv2.CreateListener', 'ELBv2.CreateRule');
    before('ELBv2.CreateTargetGroup', 'ELBv2.CreateRule');
    // Each service waits for its own rule: the n-th service created comes after the n-th rule.
    const at = (x: string) => o.flatMap((c, i) => (c === x ? [i] : []));
    at('ECS.CreateService').forEach((i, n) => expect(at('ELBv2.CreateRule')[n]).toBeLessThan(i));
    before('ECS.CreateService', 'Route53.ChangeResourceRecordSets');
    expect(first.planErrors).toEqual([]);
    expect(
      first.results.filter((r: any) => ['failed', 'skipped'].includes(r.outcome) || r.pending !== undefined),
    ).toEqual([]);
    expect(
      first.results
        .filter((r: any) => r.outcome === 'created')
        .map((r: any) => r.id.replace(/-[0-9a-f]{6}$/, ''))
        .filter((id: string) => !id.startsWith('taskDefinition/')),
    ).toEqual([
      'cluster/demo',
      'loadBalancer/demo',
      'listener/demo:80',
      'targetGroup/demo-jenkins-8080',
      'targetGroup/demo-webserver-80',
      'listenerRule/jenkins/jenkins/8080@80#0',
      'listenerRule/webserver/web/80@80#0',
      'dnsRecord/ci.example.com/A',
      'dnsRecord/www.example.com/A',
    ]);
    // moto difference: a deployment never completes on moto (no container instance runs a task),
    // so --wait ends at its timeout on the rollouts alone, and apply exits 1 for that. The timeout
    // (7 s) leaves room for the records' second round, which comes after one 5 s poll.
    expect(first.rollouts.map((r: any) => [r.service, r.state])).toEqual([
      ['jenkins', 'timeout'],
      ['webserver', 'timeout'],
    ]);
    expect(run.code).toBe(1);

    const [lb] = await balancers();
    expect(lb).toMatchObject({ LoadBalancerName: 'demo', Scheme: 'internet-facing', VpcId: net.vpcId });
    expect(lb.SecurityGroups).toEqual([net.securityGroupId]);
    const tags = (await moto.elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn ?? ''] })))
      .TagDescriptions?.[0]?.Tags;
    expect(Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      'ecs-gitops:managed-by': 'ecs-gitops',
      'ecs-gitops:owner': 'demo',
      'ecs-gitops:cluster': 'demo',
    });
    const listeners =
      (await moto.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
        .Listeners ?? [];
    expect(listeners.map((l) => [l.Port, l.Protocol, l.DefaultActions?.[0]?.Type])).toEqual([
      [80, 'HTTP', 'fixed-response'],
    ]);
    expect(listeners[0].DefaultActions?.[0]?.FixedResponseConfig?.StatusCode).toBe('404');
    const groups = await targetGroups();
    expect(groups.map((g) => [g.TargetGroupName?.replace(/-[0-9a-f]{6}$/, ''), g.VpcId]).sort()).toEqual([
      ['demo-jenkins-8080', net.vpcId],
      ['demo-webserver-80', net.vpcId],
    ]);
    const live = await rules(listeners[0].ListenerArn ?? '');
    expect(
      live
        .map((r) => [
          r.Conditions?.[0]?.HostHeaderConfig?.Values,
          groups
            .find((g) => g.TargetGroupArn === r.Actions?.[0]?.TargetGroupArn)
            ?.TargetGroupName?.replace(/-[0-9a-f]{6}$/, ''),
        ])
        .sort(),
    ).toEqual([
      [['ci.example.com'], 'demo-jenkins-8080'],
      [['www.example.com'], 'demo-webserver-80'],
    ]);
    const svc = await services();
    expect(
      svc.webserver.loadBalancers?.map((l: { containerName?: string; containerPort?: number }) => [
        l.containerName,
        l.containerPort,
      ]),
    ).toEqual([['web', 80]]);
    expect(
      svc.jenkins.loadBalancers?.map((l: { containerName?: string; containerPort?: number }) => [
        l.containerName,
        l.containerPort,
      ]),
    ).toEqual([['jenkins', 8080]]);
    const www = (await records(zoneId)).find((r) => r.Name === 'www.example.com.' && r.Type === 'A');
    expect(www?.AliasTarget?.DNSName?.toLowerCase().replace(/\.$/, '')).toBe(lb.DNSName?.toLowerCase());

    // --wait's second round already set the grace period CreateService dropped (see converge).
    expect(writes((await apply(f)).awsCalls.byOperation)).toEqual({});

    // One more security group: one SetSecurityGroups, nothing else.
    const extra = await createSecurityGroup(moto.endpoint, net.vpcId, 'alb-extra');
    writeFileSync(f.config, owned([net.securityGroupId, extra]));
    const changed = await apply(f);
    expect(writes(changed.awsCalls.byOperation)).toEqual({ 'ELBv2.SetSecurityGroups': 1 });
    expect((await balancers())[0].SecurityGroups?.sort()).toEqual([net.securityGroupId, extra].sort());
    expect(writes((await apply(f)).awsCalls.byOperation)).toEqual({});

    const destroyed = await cli(['destroy', 'demo', '--drain', '--confirm']);
    expect(destroyed.code).toBe(0);
    expect(json(destroyed).verdict).toBe('deleted');
    // Services drained and deleted, then rules, target groups, the balancer (its listener with it),
    // and the cluster last.
    const deletes = destroyed.order.filter((c) => /\.Delete/.test(c));
    expect(deletes).toEqual([
      'ECS.DeleteService',
      'ECS.DeleteService',
      'ELBv2.DeleteRule',
      'ELBv2.DeleteRule',
      'ELBv2.DeleteTargetGroup',
      'ELBv2.DeleteTargetGroup',
      'ELBv2.DeleteLoadBalancer',
      'ECS.DeleteCluster',
    ]);
    expect(await balancers()).toEqual([]);
    expect(await targetGroups()).toEqual([]);
    const cluster = await moto.ecs.send(new DescribeClustersCommand({ clusters: ['demo'] }));
    expect(cluster.clusters?.map((c) => c.status)).toEqual(['INACTIVE']);

    const again = await cli(['destroy', 'demo', '--drain', '--confirm']);
    expect(again.code).toBe(0);
    expect(json(again).verdict).toBe('absent');
    expect(again.order).toEqual([]);
  }, 120_000);

  test('redirectHttpToHttps: port 80 redirects to 443, and the rules are on the HTTPS listener', async () => {
    const certificateArn = await requestAcmCertificate(moto.endpoint, '*.example.com');
    const f = copyFixture(
      owned([net.securityGroupId]).replace(
        '    - port: 80\n',
        `    - port: 80\n    - port: 443\n      certificateArn: ${certificateArn}\n  redirectHttpToHttps: true\n`,
      ),
    );
    // The default LISTEN port is the HTTPS one when HTTP only redirects; jenkins names its own.
    edit(path.join(f.dir, 'webserver.taskdef'), /,\s*"proxy.ports" : "80:80"/, '');
    edit(path.join(f.dir, 'jenkins.taskdef'), '"proxy.ports" : "80:8080"', '"proxy.ports" : "443:8080"');
    const first = await apply(f);
    expect(writes(first.awsCalls.byOperation, 'ELBv2.')).toEqual({
      'ELBv2.CreateLoadBalancer': 1,
      'ELBv2.CreateListener': 2,
      'ELBv2.CreateTargetGroup': 2,
      'ELBv2.ModifyTargetGroupAttributes': 2,
      'ELBv2.CreateRule': 2,
    });
    // Without --wait the alias records are made by the next apply (the balancer exists by then).
    await converge(f);

    const [lb] = await balancers();
    const listeners =
      (await moto.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
        .Listeners ?? [];
    const byPort = new Map(listeners.map((l) => [l.Port, l]));
    expect(byPort.get(80)?.DefaultActions?.[0]).toMatchObject({
      Type: 'redirect',
      RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
    });
    expect(byPort.get(443)).toMatchObject({
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificateArn }],
      DefaultActions: [expect.objectContaining({ Type: 'fixed-response' })],
    });
    expect(await rules(byPort.get(80)?.ListenerArn ?? '')).toEqual([]);
    expect(
      (await rules(byPort.get(443)?.ListenerArn ?? ''))
        .map((r) => r.Conditions?.[0]?.HostHeaderConfig?.Values)
        .sort(),
    ).toEqual([['ci.example.com'], ['www.example.com']]);
    const www = (await records(zoneId)).find((r) => r.Name === 'www.example.com.' && r.Type === 'A');
    expect(www?.AliasTarget?.DNSName?.toLowerCase().replace(/\.$/, '')).toBe(lb.DNSName?.toLowerCase());
  }, 120_000);
});
