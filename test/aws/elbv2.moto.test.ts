/**
 * ELBv2 through the real SDK clients against moto: the port contract (test/aws/elbv2-contract.ts),
 * the load balancer reader on a real-looking balancer, and what moto's ECS does with a service's
 * `loadBalancers`.
 *
 * Where moto 5.2.1 is not ELBv2 (read in moto/elbv2/models.py and responses.py, and seen here), the
 * contract is told, and asserts only what both agree on; the AWS behaviour belongs to the sandbox:
 * - moto difference: an identical CreateTargetGroup fails with DuplicateTargetGroupName (AWS
 *   returns the existing group, which makes a retried create idempotent);
 * - moto difference: at most 10 tags per resource (AWS: 50), counted before the call: AddTags
 *   refuses a new key once a resource has 10, but one call (or a create) may take it past 10;
 * - moto difference: DescribeTargetGroups and DescribeListeners ignore PageSize and Marker (one
 *   page of everything); DescribeRules and DescribeLoadBalancers do page;
 * - moto difference: CreateRule takes any priority (AWS: 1-50000) and any number of condition
 *   values (AWS: 5 per rule), and never answers TooManyRules;
 * - moto difference: a host-header condition comes back as written (AWS also fills in `Values`);
 * - moto difference: a target group's LoadBalancerArns gains the balancer on CreateRule but is not
 *   updated by ModifyRule (the new target lacks it) nor by DeleteRule (the old one keeps it);
 * - moto difference: SetRulePriorities refuses any priority a rule of the listener holds now, even
 *   one that moves away in the same call (a swap) or the rule's own;
 * - moto difference: DeleteRule of an unknown rule succeeds (AWS: RuleNotFound), and DeleteTargetGroup
 *   of a deleted group fails with TargetGroupNotFound (AWS documents no such error: it succeeds);
 * - moto difference: DescribeTags takes any number of ARNs (AWS: 20), and returns the tags of a
 *   deleted target group (AWS: TargetGroupNotFound);
 * - moto difference: CreateListener on a port that has a listener succeeds (its check compares the
 *   port with listener ARNs), where AWS answers DuplicateListener;
 * - moto difference: a new target group's attributes lack `stickiness.lb_cookie.duration_seconds`
 *   and AWS's newer keys, and ModifyTargetGroupAttributes returns only the keys it was given;
 * - moto difference: DescribeTargetGroups by LoadBalancerArn with no group answers
 *   TargetGroupNotFound (the reader never asks by balancer);
 * - moto difference: an HTTPS listener's certificate is checked against moto's ACM, but an IAM
 *   server-certificate ARN is taken unchecked.
 * moto's defaults for a new HTTP target group match AWS's (health check `/`, 30 s interval, 5 s
 * timeout, thresholds 5 and 2, matcher 200, deregistration delay 300 s), and it answers
 * LoadBalancerNotFound, TargetGroupNotFound, RuleNotFound, PriorityInUse and ResourceInUse as AWS.
 */
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { SdkElbv2Port } from '../../controller/aws/sdk-elbv2-port';
import { DEFAULT_TARGET_GROUP_SETTINGS, type LoadBalancerConfig } from '../../controller/model/load-balancer';
import { ownershipTags, mapToTags } from '../../controller/model/ownership';
import { readLoadBalancer } from '../../controller/observe/elbv2-reader';
import { createAlbFixture, FOREIGN_TARGET_GROUP } from '../helpers/alb-fixture';
import { TEST_REGION } from '../helpers/aws-env';
import { useMoto } from '../helpers/moto';
import { describeElbv2Contract, type Elbv2Differences } from './elbv2-contract';

const moto = useMoto();

/** The differences listed in the header, as the contract names them. */
const MOTO_DIFFERENCES: Elbv2Differences = {
  identicalCreateTargetGroupFails: true,
  maxTagsPerResource: 10,
  pageSizeIgnored: true,
  ruleLimitsUnchecked: true,
  legacyValuesNotFilled: true,
  loadBalancerArnsStale: true,
  prioritySwapRefused: true,
  deleteUnknownRuleSucceeds: true,
  deleteUnknownTargetGroupFails: true,
  tagsOutliveResources: true,
  describeTagsUnlimited: true,
  duplicateListenerPortAccepted: true,
  attributeDefaultsIncomplete: true,
};

function ports() {
  const log = new CallLog();
  const clients = createAwsClients({ region: TEST_REGION, endpoint: moto.endpoint, callLog: log });
  return { log, elbv2: new SdkElbv2Port(clients.elbv2), ecs: new SdkEcsPort(clients.ecs) };
}

describeElbv2Contract(
  'moto',
  async () => {
    const fx = await createAlbFixture(moto.endpoint);
    return {
      elbv2: ports().elbv2,
      vpcId: fx.vpcId,
      loadBalancerArn: fx.loadBalancerArn,
      listenerArn: fx.httpListenerArn,
    };
  },
  MOTO_DIFFERENCES,
);

describe('the ALB fixture on moto', () => {
  test('a VPC, two subnets in two zones, an internet-facing ALB, HTTP:80 answering 404, HTTPS:443, a foreign rule', async () => {
    const fx = await createAlbFixture(moto.endpoint, {
      https: true,
      foreignRule: { host: 'legacy.example.com' },
    });
    const { elbv2 } = ports();
    const lb = (await elbv2.describeLoadBalancers({ Names: ['shared-alb'] })).LoadBalancers?.[0];
    expect(lb).toMatchObject({
      LoadBalancerArn: fx.loadBalancerArn,
      Type: 'application',
      Scheme: 'internet-facing',
      VpcId: fx.vpcId,
      SecurityGroups: [fx.securityGroupId],
    });
    expect(new Set(lb?.AvailabilityZones?.map((az) => az.ZoneName)).size).toBe(2);
    expect(lb?.AvailabilityZones?.map((az) => az.SubnetId).sort()).toEqual([...fx.subnetIds].sort());

    const listeners =
      (await elbv2.describeListeners({ LoadBalancerArn: fx.loadBalancerArn })).Listeners ?? [];
    const http = listeners.find((l) => l.ListenerArn === fx.httpListenerArn);
    expect(http).toMatchObject({ Port: 80, Protocol: 'HTTP' });
    expect(http?.DefaultActions?.[0]).toMatchObject({
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '404' },
    });
    expect(listeners.find((l) => l.ListenerArn === fx.httpsListenerArn)).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: fx.certificateArn }],
    });
    const rules = (await elbv2.describeRules({ ListenerArn: fx.httpListenerArn })).Rules ?? [];
    expect(rules.filter((r) => !r.IsDefault)).toEqual([
      expect.objectContaining({ RuleArn: fx.foreignRule?.ruleArn, Priority: '1' }),
    ]);
  });
});

describe('readLoadBalancer against moto', () => {
  const OWNER = { ownerId: 'team-a', cluster: 'demo' };
  const cfg = (name: string): LoadBalancerConfig => ({
    ref: { kind: 'existing', name },
    listeners: [],
    redirectHttpToHttps: false,
    targetGroup: DEFAULT_TARGET_GROUP_SETTINGS,
    healthCheckGracePeriodSeconds: 60,
    source: { file: 'cluster.yaml', line: 1, column: 1 },
  });

  test('our rules and groups, a foreign rule, a detached group of ours; each list read once', async () => {
    const fx = await createAlbFixture(moto.endpoint, {
      https: true,
      foreignRule: { host: 'legacy.example.com' },
    });
    const setup = ports().elbv2;
    const ours = mapToTags(ownershipTags('team-a', 'demo')).map((t) => ({ Key: t.key, Value: t.value }));
    const group = async (name: string) =>
      (
        await setup.createTargetGroup({
          Name: name,
          Protocol: 'HTTP',
          Port: 80,
          VpcId: fx.vpcId,
          TargetType: 'instance',
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 15,
          Matcher: { HttpCode: '200-399' },
          Tags: ours,
        })
      ).TargetGroups?.[0]?.TargetGroupArn ?? '';
    const web = await group('demo-web-80-aaaaaa');
    const api = await group('demo-api-80-bbbbbb');
    // Ours, and no rule forwards to it: what an interrupted removal leaves (found by its name).
    const detached = await group('demo-old-80-cccccc');
    await setup.modifyTargetGroupAttributes({
      TargetGroupArn: web,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
    });
    // Another team's group with our stem: kept (the planner must not take its name), not ours.
    await setup.createTargetGroup({ Name: 'demo-x-80-dddddd', Protocol: 'HTTP', Port: 80, VpcId: fx.vpcId });
    await setup.createTargetGroup({ Name: 'unrelated', Protocol: 'HTTP', Port: 80, VpcId: fx.vpcId });
    await setup.createRule({
      ListenerArn: fx.httpListenerArn,
      Priority: 10,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['WWW.example.com', 'example.com'] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: web }],
      Tags: ours,
    });
    await setup.createRule({
      ListenerArn: fx.httpsListenerArn,
      Priority: 10,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: api }],
      Tags: ours,
    });

    const { log, elbv2 } = ports();
    const obs = await readLoadBalancer(cfg('shared-alb'), OWNER, elbv2);

    expect(obs.balancer).toMatchObject({
      arn: fx.loadBalancerArn,
      name: 'shared-alb',
      dnsName: fx.dnsName,
      canonicalHostedZoneId: fx.canonicalHostedZoneId,
      vpcId: fx.vpcId,
      scheme: 'internet-facing',
      securityGroups: [fx.securityGroupId],
      tags: {},
    });
    expect(obs.balancer?.subnets.sort()).toEqual([...fx.subnetIds].sort());
    expect(obs.listeners.map((l) => [l.port, l.protocol])).toEqual([
      [80, 'HTTP'],
      [443, 'HTTPS'],
    ]);
    expect(obs.listeners[1].certificateArn).toBe(fx.certificateArn);
    expect(obs.listeners[0].rules.map((r) => [r.priority, r.hosts, r.forwardTo, r.tags])).toEqual([
      [1, ['legacy.example.com'], [fx.foreignRule?.targetGroupArn], {}],
      [10, ['example.com', 'www.example.com'], [web], ownershipTags('team-a', 'demo')],
    ]);
    expect(obs.listeners[1].rules.map((r) => [r.priority, r.hosts, r.forwardTo])).toEqual([
      [10, ['api.example.com'], [api]],
    ]);

    const byName = new Map(obs.targetGroups.map((tg) => [tg.name, tg]));
    expect([...byName.keys()].sort()).toEqual(
      [
        'demo-api-80-bbbbbb',
        'demo-old-80-cccccc',
        'demo-web-80-aaaaaa',
        'demo-x-80-dddddd',
        FOREIGN_TARGET_GROUP,
      ].sort(),
    );
    expect(byName.get('demo-web-80-aaaaaa')).toMatchObject({
      arn: web,
      port: 80,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId: fx.vpcId,
      healthCheck: { path: '/health', intervalSeconds: 15, matcher: '200-399' },
      loadBalancerArns: [fx.loadBalancerArn],
      tags: ownershipTags('team-a', 'demo'),
    });
    expect(byName.get('demo-web-80-aaaaaa')?.attributes?.['deregistration_delay.timeout_seconds']).toBe('30');
    expect(byName.get('demo-old-80-cccccc')?.attributes?.['deregistration_delay.timeout_seconds']).toBe(
      '300',
    );
    expect(byName.get('demo-old-80-cccccc')?.loadBalancerArns).toEqual([]);
    expect(byName.get('demo-x-80-dddddd')?.attributes).toBeUndefined();
    expect(byName.get(FOREIGN_TARGET_GROUP)?.attributes).toBeUndefined();

    // 1 balancer + 3 rules + 5 groups = 9 ARNs: one DescribeTags; attributes of our 3 groups only.
    expect(log.snapshot()).toEqual({
      'ELBv2.DescribeLoadBalancers': 1,
      'ELBv2.DescribeListeners': 1,
      'ELBv2.DescribeRules': 2,
      'ELBv2.DescribeTargetGroups': 1,
      'ELBv2.DescribeTags': 1,
      'ELBv2.DescribeTargetGroupAttributes': 3,
    });
    expect(detached).not.toBe('');
  });

  test('25 rules: DescribeTags twice (20 ARNs per call); a missing balancer is absent', async () => {
    const fx = await createAlbFixture(moto.endpoint);
    const setup = ports().elbv2;
    for (let p = 1; p <= 25; p++) {
      await setup.createRule({
        ListenerArn: fx.httpListenerArn,
        Priority: p,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [`h${p}.example.com`] } }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
      });
    }
    const { log, elbv2 } = ports();
    const obs = await readLoadBalancer(cfg('shared-alb'), OWNER, elbv2);
    expect(obs.listeners[0].rules.map((r) => r.priority)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(log.snapshot()['ELBv2.DescribeTags']).toBe(2);

    const missing = await readLoadBalancer(cfg('no-such-alb'), OWNER, elbv2);
    expect(missing).toEqual({ listeners: [], targetGroups: [] });
  });
});

describe("moto's ECS and a service's load balancers", () => {
  // What the reconcile tests on moto can rely on when they attach target groups to services:
  // - moto difference: CreateService ignores healthCheckGracePeriodSeconds (not returned after);
  //   UpdateService sets and returns it;
  // - moto difference: neither checks `loadBalancers` (an unknown target group, a container the
  //   task definition does not have, a port it does not map are all accepted), where ECS rejects
  //   them; both store and return `loadBalancers` as given.
  test('loadBalancers is stored as given on create and update; the grace period only on update', async () => {
    const { ecs } = ports();
    await ecs.createCluster({ clusterName: 'demo' });
    await ecs.registerTaskDefinition({
      family: 'demo-web',
      containerDefinitions: [
        { name: 'web', image: 'nginx', memory: 128, portMappings: [{ containerPort: 80 }] },
      ],
    });
    const unknownGroup =
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0123456789abcdef';
    const created = await ecs.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: unknownGroup, containerName: 'web', containerPort: 80 }],
      healthCheckGracePeriodSeconds: 60,
    });
    expect(created.service?.loadBalancers).toEqual([
      { targetGroupArn: unknownGroup, containerName: 'web', containerPort: 80 },
    ]);
    expect(created.service?.healthCheckGracePeriodSeconds).toBeUndefined();

    const wrong = { targetGroupArn: unknownGroup, containerName: 'no-such-container', containerPort: 81 };
    const updated = await ecs.updateService({
      cluster: 'demo',
      service: 'web',
      loadBalancers: [wrong],
      healthCheckGracePeriodSeconds: 90,
    });
    expect(updated.service).toMatchObject({ loadBalancers: [wrong], healthCheckGracePeriodSeconds: 90 });
    const described = await ecs.describeServices({ cluster: 'demo', services: ['web'] });
    expect(described.services?.[0]).toMatchObject({
      loadBalancers: [wrong],
      healthCheckGracePeriodSeconds: 90,
    });
  });
});
