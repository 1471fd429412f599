import type { LoadBalancerConfig } from '../../controller/model/load-balancer';
import { DEFAULT_TARGET_GROUP_SETTINGS } from '../../controller/model/load-balancer';
import type { Rule, TargetGroup } from '../../controller/model/aws-types';
import { ownershipTags } from '../../controller/model/ownership';
import { readLoadBalancer } from '../../controller/observe/elbv2-reader';
import { FakeElbv2Port } from './fake-elbv2-port';

const OWNER = { ownerId: 'team-a', cluster: 'demo' };
const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/50dc6c495c0c9188';
const OTHER_LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/1111';
const L80 = LB_ARN.replace(':loadbalancer/', ':listener/') + '/f2f7dc8efc522ab2';
const L443 = LB_ARN.replace(':loadbalancer/', ':listener/') + '/0467ef3c8400ae65';
const source = { file: 'cluster.yaml', line: 1, column: 1 };

function config(ref: LoadBalancerConfig['ref'] = { kind: 'existing', name: 'shared' }): LoadBalancerConfig {
  return {
    ref,
    listeners: [],
    redirectHttpToHttps: false,
    targetGroup: DEFAULT_TARGET_GROUP_SETTINGS,
    healthCheckGracePeriodSeconds: 60,
    source,
  };
}

const tgArn = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/${name.length}`;

function targetGroup(name: string, lbArns: string[] = []): TargetGroup {
  return {
    TargetGroupArn: tgArn(name),
    TargetGroupName: name,
    Protocol: 'HTTP',
    Port: 80,
    VpcId: 'vpc-1',
    TargetType: 'instance',
    HealthCheckPath: '/health',
    HealthCheckIntervalSeconds: 15,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    Matcher: { HttpCode: '200-399' },
    LoadBalancerArns: lbArns,
  };
}

function hostRule(listener: string, priority: number, hosts: string[], tg?: string): Rule {
  return {
    RuleArn: ruleArn(listener, `r${priority}`),
    Priority: String(priority),
    IsDefault: false,
    Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: hosts }, Values: hosts }],
    Actions: tg ? [{ Type: 'forward', TargetGroupArn: tg }] : [{ Type: 'fixed-response' }],
  };
}

/** As ELBv2 writes them: the listener's ARN with `listener-rule/` and one more part. */
const ruleArn = (listener: string, id: string) =>
  `${listener.replace(':listener/', ':listener-rule/')}/${id}`;

function defaultRule(listener: string): Rule {
  return {
    RuleArn: ruleArn(listener, 'default'),
    Priority: 'default',
    IsDefault: true,
    Conditions: [],
    Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
  };
}

/** A balancer with an HTTP and an HTTPS listener, each with its default rule. */
function world(): FakeElbv2Port {
  const p = new FakeElbv2Port();
  p.loadBalancers = [
    {
      LoadBalancerArn: LB_ARN,
      LoadBalancerName: 'shared',
      DNSName: 'shared-1.us-east-1.elb.amazonaws.com',
      CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
      VpcId: 'vpc-1',
      Scheme: 'internet-facing',
      IpAddressType: 'ipv4',
      SecurityGroups: ['sg-1'],
      AvailabilityZones: [
        { ZoneName: 'us-east-1a', SubnetId: 'subnet-a' },
        { ZoneName: 'us-east-1b', SubnetId: 'subnet-b' },
      ],
      State: { Code: 'active' },
    },
  ];
  p.tags.set(LB_ARN, { team: 'web' });
  p.listeners = [
    {
      ListenerArn: L443,
      LoadBalancerArn: LB_ARN,
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/c1' }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    },
    {
      ListenerArn: L80,
      LoadBalancerArn: LB_ARN,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    },
  ];
  p.rules = [defaultRule(L80), defaultRule(L443)];
  return p;
}

describe('readLoadBalancer', () => {
  test('reads balancer, listeners, rules, target groups, tags and our groups attributes, each list once', async () => {
    const p = world();
    const ours = targetGroup('demo-web-80-aaaaaa', [LB_ARN]);
    const detached = targetGroup('demo-old-80-bbbbbb');
    const foreignOnLb = targetGroup('legacy-app', [LB_ARN]);
    const otherCluster = targetGroup('demo-pro-api-80-cccccc'); // cluster demo-prod, same owner id
    const otherOwner = targetGroup('demo-x-80-dddddd');
    const unrelated = targetGroup('unrelated', [OTHER_LB_ARN]);
    p.targetGroups = [ours, detached, foreignOnLb, otherCluster, otherOwner, unrelated];
    p.tags.set(ours.TargetGroupArn ?? '', ownershipTags('team-a', 'demo'));
    p.tags.set(detached.TargetGroupArn ?? '', ownershipTags('team-a', 'demo'));
    p.tags.set(otherCluster.TargetGroupArn ?? '', ownershipTags('team-a', 'demo-prod'));
    p.tags.set(otherOwner.TargetGroupArn ?? '', ownershipTags('team-b', 'demo'));
    p.attributes.set(ours.TargetGroupArn ?? '', { 'deregistration_delay.timeout_seconds': '30' });
    p.attributes.set(detached.TargetGroupArn ?? '', { 'stickiness.enabled': 'false' });

    const web = hostRule(L80, 10, ['Web.Example.com.', 'a.example.com'], ours.TargetGroupArn);
    const foreign = hostRule(L80, 1, ['legacy.example.com'], foreignOnLb.TargetGroupArn);
    p.rules.push(web, foreign);
    p.tags.set(web.RuleArn ?? '', ownershipTags('team-a', 'demo'));

    const obs = await readLoadBalancer(config(), OWNER, p);

    expect(obs.balancer).toEqual({
      arn: LB_ARN,
      name: 'shared',
      dnsName: 'shared-1.us-east-1.elb.amazonaws.com',
      canonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
      vpcId: 'vpc-1',
      scheme: 'internet-facing',
      ipAddressType: 'ipv4',
      securityGroups: ['sg-1'],
      subnets: ['subnet-a', 'subnet-b'],
      state: 'active',
      tags: { team: 'web' },
    });
    // Listeners by port; the default rule is not listed; rules by priority.
    expect(obs.listeners.map((l) => [l.port, l.protocol, l.rules.map((r) => r.priority)])).toEqual([
      [80, 'HTTP', [1, 10]],
      [443, 'HTTPS', []],
    ]);
    expect(obs.listeners[1]).toMatchObject({
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/c1',
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(obs.listeners[0].rules[1]).toEqual({
      arn: web.RuleArn,
      listenerArn: L80,
      priority: 10,
      hosts: ['a.example.com', 'web.example.com'],
      otherConditions: false,
      forwardTo: [ours.TargetGroupArn],
      tags: ownershipTags('team-a', 'demo'),
      raw: web,
    });
    expect(obs.listeners[0].rules[0].tags).toEqual({});

    // Kept: forwarding from this balancer, or named `demo-...`; attributes only for this cluster's own.
    const byName = new Map(obs.targetGroups.map((tg) => [tg.name, tg]));
    expect([...byName.keys()].sort()).toEqual(
      [
        'demo-old-80-bbbbbb',
        'demo-pro-api-80-cccccc',
        'demo-web-80-aaaaaa',
        'demo-x-80-dddddd',
        'legacy-app',
      ].sort(),
    );
    expect(byName.get('demo-web-80-aaaaaa')).toEqual({
      arn: ours.TargetGroupArn,
      name: 'demo-web-80-aaaaaa',
      port: 80,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId: 'vpc-1',
      healthCheck: {
        path: '/health',
        matcher: '200-399',
        intervalSeconds: 15,
        timeoutSeconds: 5,
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
      attributes: { 'deregistration_delay.timeout_seconds': '30' },
      loadBalancerArns: [LB_ARN],
      tags: ownershipTags('team-a', 'demo'),
    });
    expect(byName.get('demo-old-80-bbbbbb')?.attributes).toEqual({ 'stickiness.enabled': 'false' });
    for (const name of ['legacy-app', 'demo-pro-api-80-cccccc', 'demo-x-80-dddddd']) {
      expect(byName.get(name)?.attributes).toBeUndefined();
    }

    // 1 balancer + 2 rules + 5 target groups = 8 ARNs: one DescribeTags.
    expect(p.calls).toEqual({
      DescribeLoadBalancers: 1,
      DescribeListeners: 1,
      DescribeRules: 2,
      DescribeTargetGroups: 1,
      DescribeTags: 1,
      DescribeTargetGroupAttributes: 2,
    });
  });

  test('DescribeTags takes 20 ARNs per call: balancer + 19 rules is one call, balancer + 25 rules two', async () => {
    const p = world();
    for (let i = 1; i <= 19; i++) p.rules.push(hostRule(L80, i, [`h${i}.example.com`]));
    await readLoadBalancer(config(), OWNER, p);
    expect(p.calls.DescribeTags).toBe(1);

    const q = world();
    for (let i = 1; i <= 25; i++) q.rules.push(hostRule(L80, i, [`h${i}.example.com`]));
    const obs = await readLoadBalancer(config(), OWNER, q);
    expect(q.calls.DescribeTags).toBe(2);
    expect(obs.listeners[0].rules).toHaveLength(25);
  });

  test('follows every page of rules and target groups (PageSize 400)', async () => {
    const p = world();
    for (let i = 1; i <= 450; i++) p.rules.push(hostRule(L80, i, [`h${i}.example.com`]));
    for (let i = 0; i < 401; i++) p.targetGroups.push(targetGroup(`demo-s${i}-80-abcdef`));
    const obs = await readLoadBalancer(config(), OWNER, p);
    expect(obs.listeners[0].rules.map((r) => r.priority)).toEqual(
      Array.from({ length: 450 }, (_, i) => i + 1),
    );
    expect(obs.targetGroups).toHaveLength(401);
    // 80: 451 rules with the default one -> 2 pages; 443: 1 page.
    expect(p.calls.DescribeRules).toBe(3);
    expect(p.calls.DescribeTargetGroups).toBe(2);
    // 1 + 450 + 401 ARNs, 20 per call.
    expect(p.calls.DescribeTags).toBe(Math.ceil(852 / 20));
    // None of them carries tags: no attributes read.
    expect(p.calls.DescribeTargetGroupAttributes).toBeUndefined();
  });

  test('conditions: legacy Values, other fields, two host-header conditions; forward targets once', async () => {
    const p = world();
    const tg1 = tgArn('demo-a-80-111111');
    const tg2 = tgArn('demo-b-80-222222');
    p.rules.push(
      {
        RuleArn: ruleArn(L80, 'legacy'),
        Priority: '5',
        Conditions: [{ Field: 'host-header', Values: ['OLD.example.com'] }],
        Actions: [
          {
            Type: 'forward',
            TargetGroupArn: tg1,
            ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg1, Weight: 1 }] },
          },
        ],
      },
      {
        RuleArn: ruleArn(L80, 'path'),
        Priority: '6',
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['x.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
        ],
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: tg1, Weight: 1 },
                { TargetGroupArn: tg2, Weight: 1 },
              ],
            },
          },
        ],
      },
      {
        RuleArn: ruleArn(L80, 'two-hosts'),
        Priority: '7',
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com'] } },
          { Field: 'host-header', HostHeaderConfig: { Values: ['b.example.com'] } },
        ],
        Actions: [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }],
      },
    );
    const rules = (await readLoadBalancer(config(), OWNER, p)).listeners[0].rules;
    expect(rules.map((r) => [r.priority, r.hosts, r.otherConditions, r.forwardTo])).toEqual([
      [5, ['old.example.com'], false, [tg1]],
      [6, ['x.example.com'], true, [tg1, tg2]],
      [7, ['a.example.com', 'b.example.com'], true, []],
    ]);
  });

  test('a missing balancer is absent, its target groups are still found; by ARN asks by ARN', async () => {
    const p = new FakeElbv2Port();
    const leftOver = targetGroup('demo-web-80-aaaaaa');
    p.targetGroups = [leftOver, targetGroup('unrelated')];
    p.tags.set(leftOver.TargetGroupArn ?? '', ownershipTags('team-a', 'demo'));
    const describe = jest.spyOn(p, 'describeLoadBalancers');

    const obs = await readLoadBalancer(config({ kind: 'existing', arn: LB_ARN }), OWNER, p);
    expect(describe).toHaveBeenCalledWith({ LoadBalancerArns: [LB_ARN] });
    expect(obs.balancer).toBeUndefined();
    expect(obs.listeners).toEqual([]);
    expect(obs.targetGroups.map((tg) => tg.name)).toEqual(['demo-web-80-aaaaaa']);
    expect(obs.targetGroups[0].attributes).toEqual({});
    expect(p.calls).toEqual({
      DescribeLoadBalancers: 1,
      DescribeTargetGroups: 1,
      DescribeTags: 1,
      DescribeTargetGroupAttributes: 1,
    });

    const owned = config({
      kind: 'owned',
      name: 'demo',
      subnets: ['subnet-a'],
      securityGroups: [],
      scheme: 'internet-facing',
      ipAddressType: 'ipv4',
    });
    await readLoadBalancer(owned, OWNER, p);
    expect(describe).toHaveBeenLastCalledWith({ Names: ['demo'] });
  });

  test('read errors propagate with their AWS code', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    for (const op of ['DescribeLoadBalancers', 'DescribeRules', 'DescribeTargetGroups', 'DescribeTags']) {
      const p = world();
      p.rules.push(hostRule(L80, 1, ['a.example.com']));
      p.failures.set(op, throttled);
      await expect(readLoadBalancer(config(), OWNER, p)).rejects.toMatchObject({ name: 'Throttling' });
    }
    const p = world();
    const ours = targetGroup('demo-web-80-aaaaaa', [LB_ARN]);
    p.targetGroups = [ours];
    p.tags.set(ours.TargetGroupArn ?? '', ownershipTags('team-a', 'demo'));
    p.failures.set(
      'DescribeTargetGroupAttributes',
      Object.assign(new Error('gone'), { name: 'TargetGroupNotFoundException' }),
    );
    await expect(readLoadBalancer(config(), OWNER, p)).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });
});
