/**
 * `destroy CLUSTER` with the cluster's load balancer pieces, end to end against moto through the
 * real CLI and the real AWS SDK clients: with no spec directory, destroy finds what ecs-gitops made
 * for the cluster by its ownership tags, deletes our rules, then our target groups, then the owned
 * balancer (with its listener), then the cluster; another owner's rule and target group, and a
 * balancer not ours, stay. A rule not ours on the owned balancer makes destroy refuse, changing
 * nothing.
 *
 * The test records every call that is not a read, in order: the order of the deletes is what it
 * checks, which the call log's counts do not show.
 *
 * Where moto is not AWS:
 * - moto difference: DescribeTargetGroups ignores PageSize and Marker (one page of everything), so
 *   the reader's paging is tested on a fake port (test/observe/cluster-elb-reader.test.ts);
 * - like AWS, moto refuses DeleteTargetGroup while a rule forwards to the group (ResourceInUse),
 *   so a plan that deleted a target group before its rule fails here.
 */
import { CreateClusterCommand, DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkElbv2Port } from '../../controller/aws/sdk-elbv2-port';
import { TAG_ROUTE, TAG_TARGET } from '../../controller/model/load-balancer';
import { mapToElbTags, mapToTags, ownershipTags, type TagMap } from '../../controller/model/ownership';
import { createNetworkFixture } from '../helpers/alb-fixture';
import { TEST_REGION } from '../helpers/aws-env';
import { cliInOrder } from '../helpers/lb-moto';
import { useMoto } from '../helpers/moto';
import { json } from '../helpers/run-cli';

const moto = useMoto();
let ecs: ECSClient;
let elbv2: SdkElbv2Port;
let destroyClients: () => void;
beforeAll(() => {
  const clients = createAwsClients({ region: TEST_REGION, endpoint: moto.endpoint, callLog: new CallLog() });
  ecs = clients.ecs;
  elbv2 = new SdkElbv2Port(clients.elbv2);
  destroyClients = () => {
    clients.ecs.destroy();
    clients.ec2.destroy();
    clients.elbv2.destroy();
  };
});
afterAll(() => destroyClients?.());

const OURS = ownershipTags('demo', 'demo');
const OTHER = ownershipTags('someone-else', 'demo');

interface Account {
  ownedLb: string;
  ownedListener: string;
  sharedLb: string;
  sharedListener: string;
  ourGroups: string[];
  ourRules: string[];
  otherGroup: string;
  otherRule: string;
  vpcId: string;
}

async function balancer(name: string, tags: TagMap, subnets: string[], sg: string) {
  const lb = await elbv2.createLoadBalancer({
    Name: name,
    Type: 'application',
    Scheme: 'internet-facing',
    Subnets: subnets,
    SecurityGroups: [sg],
    Tags: mapToElbTags(tags),
  });
  const arn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const listener = await elbv2.createListener({
    LoadBalancerArn: arn,
    Protocol: 'HTTP',
    Port: 80,
    DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    Tags: mapToElbTags(tags),
  });
  return { arn, listener: listener.Listeners?.[0]?.ListenerArn ?? '' };
}

async function group(name: string, vpcId: string, tags: TagMap) {
  const tg = await elbv2.createTargetGroup({
    Name: name,
    Protocol: 'HTTP',
    Port: 80,
    VpcId: vpcId,
    TargetType: 'ip',
    Tags: mapToElbTags(tags),
  });
  return tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
}

async function rule(listener: string, priority: number, host: string, to: string, tags: TagMap) {
  const r = await elbv2.createRule({
    ListenerArn: listener,
    Priority: priority,
    Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
    Actions: [{ Type: 'forward', TargetGroupArn: to }],
    ...(Object.keys(tags).length > 0 ? { Tags: mapToElbTags(tags) } : {}),
  });
  return r.Rules?.[0]?.RuleArn ?? '';
}

/**
 * A VPC with two subnets and a security group (alb-fixture.ts); the balancer `demo` of ours (HTTP:80) with our rule
 * to our target group; a balancer `shared` not ours with our rule to our second target group and
 * another owner's rule to its group (named with our stem, `demo-...`, so only its tags tell); the
 * ECS cluster `demo` of ours, with no services.
 */
async function account(): Promise<Account> {
  const { vpcId, subnetIds: subnets, securityGroupId: sg } = await createNetworkFixture(moto.endpoint);
  const owned = await balancer('demo', OURS, subnets, sg);
  const shared = await balancer('shared', { team: 'platform' }, subnets, sg);
  const web = await group('demo-web-80-aaaaaa', vpcId, { ...OURS, [TAG_TARGET]: 'web/web/80' });
  const app = await group('demo-app-80-cccccc', vpcId, { ...OURS, [TAG_TARGET]: 'app/app/80' });
  const otherGroup = await group('demo-api-80-bbbbbb', vpcId, { ...OTHER, [TAG_TARGET]: 'api/api/80' });
  const ourRules = [
    await rule(owned.listener, 1, 'web.example.com', web, { ...OURS, [TAG_ROUTE]: 'web/web/80@80#1' }),
    await rule(shared.listener, 2, 'app.example.com', app, { ...OURS, [TAG_ROUTE]: 'app/app/80@80#1' }),
  ];
  const otherRule = await rule(shared.listener, 1, 'api.example.com', otherGroup, {
    ...OTHER,
    [TAG_ROUTE]: 'api/api/80@80#1',
  });
  await ecs.send(new CreateClusterCommand({ clusterName: 'demo', tags: mapToTags(OURS) }));
  return {
    ownedLb: owned.arn,
    ownedListener: owned.listener,
    sharedLb: shared.arn,
    sharedListener: shared.listener,
    ourGroups: [app, web],
    ourRules,
    otherGroup,
    otherRule,
    vpcId,
  };
}

/** Runs the CLI; `order`: every ELBv2 and ECS call that is not a read, in order. */
const cli = (args: string[]) => cliInOrder(moto, ['--log-level', 'warn', ...args]);

async function state(a: Account) {
  const lbs = (await elbv2.describeLoadBalancers({})).LoadBalancers ?? [];
  const groups = (await elbv2.describeTargetGroups({})).TargetGroups ?? [];
  const rulesOf = async (listener: string) =>
    ((await elbv2.describeRules({ ListenerArn: listener })).Rules ?? [])
      .filter((r) => !r.IsDefault)
      .map((r) => r.RuleArn);
  const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: ['demo'] }))).clusters?.[0];
  return {
    balancers: lbs.map((l) => l.LoadBalancerName).sort(),
    groups: groups.map((g) => g.TargetGroupName).sort(),
    sharedRules: await rulesOf(a.sharedListener),
    ownedRules: lbs.some((l) => l.LoadBalancerArn === a.ownedLb) ? await rulesOf(a.ownedListener) : undefined,
    cluster: cluster?.status,
  };
}

test('destroy --dry-run shows every piece in order; destroy --confirm deletes ours in that order and leaves the rest', async () => {
  const a = await account();

  const dry = await cli(['destroy', 'demo', '--dry-run', '--no-color']);
  expect(dry.code).toBe(2);
  expect(dry.order).toEqual([]);
  const order = [
    'listenerRule/web',
    'listenerRule/app',
    'targetGroup/demo-app',
    'targetGroup/demo-web',
    'loadBalancer/demo',
    'cluster/demo',
  ];
  const at = order.map((id) => dry.stdout.indexOf(id));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect([...at].sort((x, y) => x - y)).toEqual(at);
  expect(dry.stdout).not.toMatch(/targetGroup\/demo-api|listenerRule\/api/);
  expect(dry.stdout).toMatch(/loadBalancer\/shared .*kept/);

  const planJson = json(await cli(['destroy', 'demo', '--dry-run', '-o', 'json']));
  const planned = planJson.clusters[0].actions.map((x: { op: string; id: string }) => `${x.op} ${x.id}`);
  expect(planned).toEqual([
    'delete listenerRule/web/web/80@80#1',
    'delete listenerRule/app/app/80@80#1',
    'delete targetGroup/demo-app-80-cccccc',
    'delete targetGroup/demo-web-80-aaaaaa',
    'delete loadBalancer/demo',
    'none loadBalancer/shared',
    'delete cluster/demo',
  ]);

  const run = await cli(['destroy', 'demo', '--confirm', '-o', 'json']);
  expect(run.code).toBe(0);
  expect(json(run).verdict).toBe('deleted');
  // Rules, then target groups, then the balancer, then the cluster; each delete first reads tags again.
  expect(run.order).toEqual([
    'ELBv2.DeleteRule',
    'ELBv2.DeleteRule',
    'ELBv2.DeleteTargetGroup',
    'ELBv2.DeleteTargetGroup',
    'ELBv2.DeleteLoadBalancer',
    'ECS.DeleteCluster',
  ]);

  expect(await state(a)).toEqual({
    balancers: ['shared'],
    groups: ['demo-api-80-bbbbbb'],
    sharedRules: [a.otherRule],
    ownedRules: undefined,
    cluster: 'INACTIVE',
  });

  // A second destroy has nothing to do.
  const again = await cli(['destroy', 'demo', '--confirm', '-o', 'json']);
  expect(again.code).toBe(0);
  expect(json(again).verdict).toBe('absent');
  expect(again.order).toEqual([]);
});

test('a rule not ours on the owned balancer: destroy refuses, names it, and changes nothing', async () => {
  const a = await account();
  const foreignGroup = await group('legacy', a.vpcId, {});
  const foreign = await rule(a.ownedListener, 9, 'legacy.example.com', foreignGroup, {});
  const before = await state(a);

  const dry = await cli(['destroy', 'demo', '--dry-run', '--no-color']);
  expect(dry.code).toBe(1);
  expect(dry.stdout).toContain(`demo:80 priority 9 (legacy.example.com) ${foreign}`);

  const run = await cli(['destroy', 'demo', '--confirm', '-o', 'json']);
  expect(run.code).toBe(1);
  const out = json(run);
  expect(out.verdict).toBe('refused');
  expect(out.reason).toBe(
    `load balancer demo was created by ecs-gitops but has 1 rule(s) that ecs-gitops does not own; it is never deleted while a rule it does not own is attached, so nothing is changed: demo:80 priority 9 (legacy.example.com) ${foreign}`,
  );
  expect(run.order).toEqual([]);
  expect(await state(a)).toEqual(before);
  expect(before.ownedRules).toHaveLength(2);
  expect(before.cluster).toBe('ACTIVE');
});
