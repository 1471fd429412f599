/**
 * End to end against moto, through the real CLI and SDK: the ecs-efs fixture behind a shared ALB
 * (`loadBalancer: { name: shared-alb }`). Every apply is followed by a second one that must make no
 * ELBv2 and no ECS write.
 *
 * Where moto is not AWS (noted inline; the full list is in test/aws/elbv2.moto.test.ts), the AWS
 * behaviour is tested on the sandbox (test/reconcile/load-balancer.sandbox.test.ts).
 */
import { DescribeTargetGroupsCommand, type Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import path from 'node:path';
import { createAlbFixture, type AlbFixture } from '../helpers/alb-fixture';
import {
  applyCopy,
  cliInOrder,
  copyEcsEfs,
  demoServices,
  edit,
  exampleZone,
  hostsOf,
  listenerRules,
  recordSets,
  useLbMoto,
  writes,
  type FixtureCopy,
} from '../helpers/lb-moto';
import { json } from '../helpers/run-cli';

const moto = useLbMoto();

/** The ecs-efs directory as it is, with a cluster.yaml naming the shared ALB (kept beside it). */
function copyFixture(extra = ''): FixtureCopy {
  return copyEcsEfs(
    `name: demo\nloadBalancer:\n  name: shared-alb\ndns:\n  domain: example.com\n  target:\n    loadBalancer: managed\n${extra}`,
  );
}

const apply = (f: FixtureCopy) => applyCopy(moto, f);

/**
 * Applies until converged on moto. moto difference: CreateService drops
 * healthCheckGracePeriodSeconds (AWS stores it), so the apply after a service is created with a load
 * balancer sets it again with UpdateService; on AWS that apply writes nothing, which the sandbox
 * test checks (test/reconcile/load-balancer.sandbox.test.ts).
 */
async function converge(f: FixtureCopy) {
  const first = await apply(f);
  const again = await apply(f);
  expect(writes(again.awsCalls.byOperation, 'ELBv2.')).toEqual({});
  return first;
}

const rules = (listenerArn: string) => listenerRules(moto, listenerArn);
const services = () => demoServices(moto);

describe('the shared load balancer (moto)', () => {
  let alb: AlbFixture;
  let zoneId: string;
  beforeEach(async () => {
    alb = await createAlbFixture(moto.endpoint, { foreignRule: { host: 'legacy.example.com' } });
    zoneId = await exampleZone(moto);
  });

  test('the ecs-efs fixture gets target groups, rules and attached services; the second apply writes nothing', async () => {
    const f = copyFixture();
    const first = await apply(f);
    expect(writes(first.awsCalls.byOperation)).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.RegisterTaskDefinition': 2,
      'ECS.CreateService': 2,
      'ELBv2.CreateTargetGroup': 2,
      'ELBv2.ModifyTargetGroupAttributes': 2,
      'ELBv2.CreateRule': 2,
      'Route53.ChangeResourceRecordSets': 1,
    });
    const groups = (await moto.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const ours = groups.filter((g) => g.TargetGroupName?.startsWith('demo-'));
    expect(
      ours.map((g) => [g.TargetGroupName?.replace(/-[0-9a-f]{6}$/, ''), g.Port, g.TargetType]).sort(),
    ).toEqual([
      ['demo-jenkins-8080', 8080, 'instance'],
      ['demo-webserver-80', 80, 'instance'],
    ]);
    const live = await rules(alb.httpListenerArn);
    // The foreign rule keeps priority 1 and its host; ours take 2 and 3.
    expect(live.map((r) => [r.Priority, hostsOf(r)]).sort()).toEqual([
      ['1', ['legacy.example.com']],
      ['2', ['ci.example.com']],
      ['3', ['www.example.com']],
    ]);
    const svc = await services();
    const web = ours.find((g) => g.TargetGroupName?.startsWith('demo-webserver'));
    expect(svc.webserver.loadBalancers).toEqual([
      { targetGroupArn: web?.TargetGroupArn, containerName: 'web', containerPort: 80 },
    ]);
    // moto difference: CreateService drops healthCheckGracePeriodSeconds (AWS keeps it); the default
    // of 60 s is checked on the sandbox.

    // One label, name and route: the names are alias records to the same balancer.
    const records = await recordSets(moto, zoneId);
    const www = records.find((r) => r.Name === 'www.example.com.' && r.Type === 'A');
    expect(www?.AliasTarget?.DNSName?.toLowerCase().replace(/\.$/, '')).toBe(alb.dnsName.toLowerCase());

    // moto difference (see converge): the grace period CreateService dropped is set again.
    const second = await apply(f);
    expect(writes(second.awsCalls.byOperation)).toEqual({ 'ECS.UpdateService': 2 });
    expect(
      second.clusters[0].results.filter((r: any) => r.outcome === 'updated').map((r: any) => r.message),
    ).toEqual([
      expect.stringContaining('healthCheckGracePeriodSeconds'),
      expect.stringContaining('healthCheckGracePeriodSeconds'),
    ]);
    const third = await apply(f);
    expect(writes(third.awsCalls.byOperation)).toEqual({});
    expect(third.awsCalls.byOperation).toMatchObject({
      'ELBv2.DescribeLoadBalancers': 1,
      'ELBv2.DescribeListeners': 1,
      'ELBv2.DescribeRules': 1,
      'ELBv2.DescribeTargetGroups': 1,
      'ELBv2.DescribeTags': 1,
      'ELBv2.DescribeTargetGroupAttributes': 2,
    });
  });

  test('adding one host changes one rule; six hosts split into two rules', async () => {
    const f = copyFixture();
    await converge(f);
    const web = path.join(f.dir, 'webserver.taskdef');
    edit(web, '"proxy.host" : "www"', '"proxy.host" : "www web2"');
    const one = await apply(f);
    // The labels are part of the task definition: a new revision, the service on it, one more name.
    expect(writes(one.awsCalls.byOperation)).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1, // the spec hash on the service
      'ELBv2.ModifyRule': 1,
      'Route53.ChangeResourceRecordSets': 1,
    });
    expect(writes((await apply(f)).awsCalls.byOperation)).toEqual({});

    edit(web, '"proxy.host" : "www web2"', '"proxy.host" : "www web2 web3 web4 web5 web6"');
    const six = await apply(f);
    expect(writes(six.awsCalls.byOperation, 'ELBv2.')).toEqual({
      'ELBv2.ModifyRule': 1,
      'ELBv2.CreateRule': 1,
    });
    const live = (await rules(alb.httpListenerArn)).filter((r) =>
      hostsOf(r).some((h) => h.startsWith('web') || h.startsWith('www')),
    );
    expect(live.map((r) => hostsOf(r).length).sort()).toEqual([1, 5]);
    expect(new Set(live.map((r) => r.Actions?.[0]?.TargetGroupArn)).size).toBe(1);
    expect(writes((await apply(f)).awsCalls.byOperation)).toEqual({});
    // The foreign rule was never modified.
    const foreign = (await rules(alb.httpListenerArn)).find((r) => r.RuleArn === alb.foreignRule?.ruleArn);
    expect([foreign?.Priority, hostsOf(foreign as Rule)]).toEqual(['1', ['legacy.example.com']]);
  });

  test('removing a label detaches the service, then deletes the rule, then the target group', async () => {
    const f = copyFixture();
    await converge(f);
    edit(path.join(f.dir, 'webserver.taskdef'), '"proxy.host" : "www",', '');
    const diff = await cliInOrder(moto, ['diff', f.dir, '--config', f.config, '--output', 'json']);
    expect(diff.code).toBe(2);
    const planned = json(diff).clusters[0].actions.filter(
      (a: any) => a.op !== 'none' && ['service', 'listenerRule', 'targetGroup'].includes(a.resource),
    );
    const byId = Object.fromEntries(planned.map((a: any) => [a.id, a]));
    const tgId = planned.find((a: any) => a.resource === 'targetGroup').id;
    expect(planned.map((a: any) => `${a.op} ${a.id}`)).toEqual([
      'update service/webserver',
      'delete listenerRule/webserver/web/80@80#0',
      `delete ${tgId}`,
    ]);
    expect(byId['listenerRule/webserver/web/80@80#0'].dependsOn).toEqual(['service/webserver']);
    expect(byId[tgId].dependsOn).toEqual(['listenerRule/webserver/web/80@80#0', 'service/webserver']);

    const removed = await apply(f);
    expect(writes(removed.awsCalls.byOperation)).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1, // the spec hash on the service
      'ELBv2.DeleteRule': 1,
      'ELBv2.DeleteTargetGroup': 1,
      'Route53.ChangeResourceRecordSets': 1,
    });
    expect((await services()).webserver.loadBalancers).toEqual([]);
    const names = ((await moto.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map(
      (g) => g.TargetGroupName,
    );
    expect(names.filter((n) => n?.startsWith('demo-webserver'))).toEqual([]);
    expect(writes((await apply(f)).awsCalls.byOperation)).toEqual({});
  });
});
