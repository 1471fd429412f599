/**
 * The strict ELBv2 sandbox: load balancers, listeners, target groups and their attributes, tags,
 * throttling and persistence (rules: sandbox-elbv2-rules.test.ts). Each check is one AWS makes.
 *
 * Where moto 5.2.1 differs from ELBv2 (seen by running the same calls against it; these behaviours
 * are tested here on the sandbox only):
 * - CreateLoadBalancer with the same name makes a second balancer (AWS: the same one back), takes
 *   one subnet for an ALB, leaves SecurityGroups empty and State `provisioning`;
 * - CreateTargetGroup with the same name and settings is DuplicateTargetGroupName (AWS: idempotent),
 *   and takes a health check timeout equal to the interval;
 * - CreateListener on a taken port with the same settings makes a second listener; an HTTP listener
 *   gets SslPolicy ELBSecurityPolicy-2016-08;
 * - CreateRule takes six host-header values (AWS: "A rule can only have '5' condition values"), no
 *   TooManyRules; rules come back without the legacy `Values` and forwards without ForwardConfig;
 *   a target group forwarded to by two rules lists its balancer twice in LoadBalancerArns;
 * - DescribeTargetGroups by a balancer without any is TargetGroupNotFound (AWS: an empty list);
 *   DeleteTargetGroup of a missing ARN is TargetGroupNotFound (AWS: succeeds);
 * - ModifyTargetGroupAttributes takes unknown keys and out-of-range values; the defaults listed
 *   lack the stickiness cookie, anomaly mitigation and target group health keys;
 * - DescribeTags takes 21 ARNs and unknown ones (AWS: ValidationError, NotFound);
 * - SetRulePriorities changes the default rule (AWS: OperationNotPermitted); DeleteRule of the
 *   default rule fails with an HTML error page; DeleteRule of a missing rule succeeds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox, saveSandbox } from '../../controller/aws/sandbox/state-file';
import { expectAwsError } from '../helpers/sandbox';
import {
  albWithListener,
  forwardTo,
  hostCondition,
  newElbv2,
  SUBNETS,
  tgInput,
} from '../helpers/sandbox-elbv2';

describe('SandboxElbv2 load balancers', () => {
  test('CreateLoadBalancer: an ALB in two zones with defaults; the same request again is the same balancer', async () => {
    const { elbv2 } = newElbv2();
    const lb = (await elbv2.createLoadBalancer({ Name: 'shared', Subnets: SUBNETS })).LoadBalancers?.[0];
    expect(lb).toMatchObject({
      LoadBalancerName: 'shared',
      Type: 'application',
      Scheme: 'internet-facing',
      IpAddressType: 'ipv4',
      VpcId: 'vpc-0sandbox',
      State: { Code: 'active' },
      AvailabilityZones: [
        { ZoneName: 'us-east-1b', SubnetId: SUBNETS[0] },
        { ZoneName: 'us-east-1c', SubnetId: SUBNETS[1] },
      ],
    });
    expect(lb?.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/shared\/[0-9a-f]{16}$/,
    );
    // No security group given: the VPC's default one.
    expect(lb?.SecurityGroups).toEqual([expect.stringMatching(/^sg-[0-9a-f]{17}$/)]);
    const again = (await elbv2.createLoadBalancer({ Name: 'shared', Subnets: [...SUBNETS].reverse() }))
      .LoadBalancers?.[0];
    expect(again?.LoadBalancerArn).toBe(lb?.LoadBalancerArn);
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: 'shared', Subnets: SUBNETS, Scheme: 'internal' }),
      'DuplicateLoadBalancerNameException',
    );
    expect((await elbv2.describeLoadBalancers({})).LoadBalancers).toHaveLength(1);
  });

  test.each([
    ['a'.repeat(33), /longer than '32'/],
    ['under_score', /alphanumeric characters or hyphens/],
    ['-lead', /begin or end with '-'/],
    ['trail-', /begin or end with '-'/],
    ['internal-web', /cannot begin with 'internal-'/],
  ])('CreateLoadBalancer refuses the name %s', async (name, message) => {
    const { elbv2 } = newElbv2();
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: name, Subnets: SUBNETS }),
      'ValidationError',
      message,
    );
  });

  test('CreateLoadBalancer: an ALB needs two zones, one subnet per zone, one VPC, well-formed ids', async () => {
    const { elbv2 } = newElbv2();
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: 'one', Subnets: ['subnet-0a000001'] }),
      'ValidationError',
      /two different Availability Zones/,
    );
    // ...1 and ...7 both land in zone b.
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: 'same', Subnets: ['subnet-0a000001', 'subnet-0a000007'] }),
      'InvalidConfigurationRequestException',
    );
    elbv2.addSubnet({ subnetId: 'subnet-0b000001', availabilityZone: 'us-east-1a', vpcId: 'vpc-0other' });
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: 'vpcs', Subnets: ['subnet-0b000001', 'subnet-0a000002'] }),
      'InvalidConfigurationRequestException',
    );
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: 'bad', Subnets: ['subnet-xyz', 'subnet-0a000002'] }),
      'SubnetNotFoundException',
    );
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: 'sg', Subnets: SUBNETS, SecurityGroups: ['default'] }),
      'InvalidSecurityGroupException',
    );
    // A network balancer may live in one zone.
    const nlb = await elbv2.createLoadBalancer({
      Name: 'net',
      Type: 'network',
      Subnets: ['subnet-0a000001'],
    });
    expect(nlb.LoadBalancers?.[0].SecurityGroups).toEqual([]);
  });

  test('DeleteLoadBalancer takes its listeners and rules; target groups stay, detached; a missing ARN succeeds', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn, listenerArn, tgArn } = await albWithListener(elbv2);
    await elbv2.createRule({
      ListenerArn: listenerArn,
      Priority: 1,
      Conditions: hostCondition('a.example.com'),
      Actions: forwardTo(tgArn),
    });
    expect(
      (await elbv2.describeTargetGroups({ TargetGroupArns: [tgArn] })).TargetGroups?.[0].LoadBalancerArns,
    ).toEqual([lbArn]);
    await elbv2.deleteLoadBalancer({ LoadBalancerArn: lbArn });
    await expectAwsError(
      elbv2.describeListeners({ ListenerArns: [listenerArn] }),
      'ListenerNotFoundException',
    );
    expect(
      (await elbv2.describeTargetGroups({ TargetGroupArns: [tgArn] })).TargetGroups?.[0].LoadBalancerArns,
    ).toEqual([]);
    await elbv2.deleteTargetGroup({ TargetGroupArn: tgArn });
    await expect(elbv2.deleteLoadBalancer({ LoadBalancerArn: lbArn })).resolves.toEqual({});
  });

  test('SetSecurityGroups and SetSubnets change a balancer; an ALB keeps two zones in its VPC', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn } = await albWithListener(elbv2);
    expect(
      await elbv2.setSecurityGroups({ LoadBalancerArn: lbArn, SecurityGroups: ['sg-0123456789abcdef0'] }),
    ).toEqual({
      SecurityGroupIds: ['sg-0123456789abcdef0'],
    });
    await expectAwsError(
      elbv2.setSecurityGroups({ LoadBalancerArn: lbArn, SecurityGroups: [] }),
      'InvalidConfigurationRequestException',
    );
    const set = await elbv2.setSubnets({
      LoadBalancerArn: lbArn,
      Subnets: ['subnet-0a000003', 'subnet-0a000004'],
    });
    expect(set.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1d', 'us-east-1e']);
    await expectAwsError(
      elbv2.setSubnets({ LoadBalancerArn: lbArn, Subnets: ['subnet-0a000003'] }),
      'ValidationError',
    );
    await expectAwsError(
      elbv2.setSecurityGroups({ LoadBalancerArn: `${lbArn}0`, SecurityGroups: ['sg-0123456789abcdef0'] }),
      'LoadBalancerNotFoundException',
    );
    const lb = (await elbv2.describeLoadBalancers({ LoadBalancerArns: [lbArn] })).LoadBalancers?.[0];
    expect(lb?.SecurityGroups).toEqual(['sg-0123456789abcdef0']);
    expect(lb?.AvailabilityZones?.map((z) => z.SubnetId)).toEqual(['subnet-0a000003', 'subnet-0a000004']);
  });
});

describe('SandboxElbv2 listeners', () => {
  test('CreateListener: one per port (the same settings again are the same listener), HTTP/HTTPS only', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn, listenerArn } = await albWithListener(elbv2);
    const again = await elbv2.createListener({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
    expect(again.Listeners?.[0].ListenerArn).toBe(listenerArn);
    await expectAwsError(
      elbv2.createListener({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
      }),
      'DuplicateListenerException',
    );
    const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }];
    await expectAwsError(
      elbv2.createListener({ LoadBalancerArn: lbArn, Protocol: 'TCP', Port: 81, DefaultActions: fixed }),
      'UnsupportedProtocolException',
    );
    await expectAwsError(
      elbv2.createListener({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 0, DefaultActions: fixed }),
      'ValidationError',
    );
    await expectAwsError(
      elbv2.createListener({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 65536, DefaultActions: fixed }),
      'ValidationError',
    );
    await expectAwsError(
      elbv2.createListener({
        LoadBalancerArn: `${lbArn}0`,
        Protocol: 'HTTP',
        Port: 81,
        DefaultActions: fixed,
      }),
      'LoadBalancerNotFoundException',
    );
  });

  test('HTTPS needs a certificate of this account and Region; the default policy is filled in', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn } = await albWithListener(elbv2);
    const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }];
    await expectAwsError(
      elbv2.createListener({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, DefaultActions: fixed }),
      'ValidationError',
      /certificate must be specified/,
    );
    await expectAwsError(
      elbv2.createListener({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [
          {
            CertificateArn:
              'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
          },
        ],
        DefaultActions: fixed,
      }),
      'CertificateNotFoundException',
    );
    const cert = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    const https = await elbv2.createListener({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: cert }],
      DefaultActions: fixed,
    });
    expect(https.Listeners?.[0]).toMatchObject({
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: cert }],
    });
    await expectAwsError(
      elbv2.createListener({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 8080,
        Certificates: [{ CertificateArn: cert }],
        DefaultActions: fixed,
      }),
      'ValidationError',
    );
  });

  test('default actions: fixed-response codes, redirects, forwards to an existing HTTP group of the same VPC and no other balancer', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn, tgArn } = await albWithListener(elbv2);
    const listen = (Port: number, DefaultActions: object[]) =>
      elbv2.createListener({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port,
        DefaultActions: DefaultActions as never,
      });
    await expectAwsError(
      listen(81, [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }]),
      'ValidationError',
    );
    await expectAwsError(
      listen(81, [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_307', Protocol: 'HTTPS' } }]),
      'ValidationError',
    );
    await expectAwsError(
      listen(81, [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }]),
      'InvalidLoadBalancerActionException',
    );
    await expectAwsError(listen(81, [{ Type: 'forward' }]), 'ValidationError');
    await expectAwsError(listen(81, forwardTo(`${tgArn}0`)), 'TargetGroupNotFoundException');
    const redirect = await listen(81, [
      { Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301', Protocol: 'HTTPS', Port: '443' } },
    ]);
    expect(redirect.Listeners?.[0].DefaultActions).toEqual([
      {
        Type: 'redirect',
        RedirectConfig: {
          Protocol: 'HTTPS',
          Port: '443',
          Host: '#{host}',
          Path: '/#{path}',
          Query: '#{query}',
          StatusCode: 'HTTP_301',
        },
      },
    ]);
    const forward = await listen(82, forwardTo(tgArn));
    expect(forward.Listeners?.[0].DefaultActions).toEqual([
      {
        Type: 'forward',
        TargetGroupArn: tgArn,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1 }],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
    const other = await elbv2
      .createTargetGroup(tgInput('other-vpc', { VpcId: 'vpc-0other' }))
      .catch((e: Error) => e);
    expect((other as Error).name).toBe('ValidationError'); // an unknown VPC
    elbv2.addSubnet({ subnetId: 'subnet-0b000001', availabilityZone: 'us-east-1a', vpcId: 'vpc-0other' });
    const far = (await elbv2.createTargetGroup(tgInput('other-vpc', { VpcId: 'vpc-0other' })))
      .TargetGroups?.[0];
    await expectAwsError(listen(83, forwardTo(far?.TargetGroupArn ?? '')), 'ValidationError', /VPC/);
    // A target group serves one balancer.
    const second = (await elbv2.createLoadBalancer({ Name: 'second', Subnets: SUBNETS })).LoadBalancers?.[0];
    await expectAwsError(
      elbv2.createListener({
        LoadBalancerArn: second?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: forwardTo(tgArn),
      }),
      'TargetGroupAssociationLimitException',
    );
  });

  test('DescribeListeners by balancer or ARNs, in pages; ModifyListener; DeleteListener takes its rules', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn, listenerArn, tgArn } = await albWithListener(elbv2);
    for (let port = 81; port <= 84; port++) {
      await elbv2.createListener({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: forwardTo(tgArn),
      });
    }
    const first = await elbv2.describeListeners({ LoadBalancerArn: lbArn, PageSize: 3 });
    expect(first.Listeners?.map((l) => l.Port)).toEqual([80, 81, 82]);
    const second = await elbv2.describeListeners({
      LoadBalancerArn: lbArn,
      PageSize: 3,
      Marker: first.NextMarker,
    });
    expect(second.Listeners?.map((l) => l.Port)).toEqual([83, 84]);
    expect(second.NextMarker).toBeUndefined();
    await expectAwsError(
      elbv2.describeListeners({ LoadBalancerArn: lbArn, PageSize: 401 }),
      'ValidationError',
    );
    await expectAwsError(elbv2.describeListeners({}), 'ValidationError');
    const modified = await elbv2.modifyListener({
      ListenerArn: listenerArn,
      DefaultActions: forwardTo(tgArn),
    });
    expect(modified.Listeners?.[0].DefaultActions?.[0].TargetGroupArn).toBe(tgArn);
    await expectAwsError(
      elbv2.modifyListener({ ListenerArn: listenerArn, Port: 81 }),
      'DuplicateListenerException',
    );
    const rule = await elbv2.createRule({
      ListenerArn: listenerArn,
      Priority: 1,
      Conditions: hostCondition('a.example.com'),
      Actions: forwardTo(tgArn),
    });
    await elbv2.deleteListener({ ListenerArn: listenerArn });
    await expectAwsError(
      elbv2.describeRules({ RuleArns: [rule.Rules?.[0].RuleArn ?? ''] }),
      'RuleNotFoundException',
    );
    await expectAwsError(elbv2.deleteListener({ ListenerArn: listenerArn }), 'ListenerNotFoundException');
  });
});

describe('SandboxElbv2 target groups', () => {
  test('CreateTargetGroup fills AWS defaults; the same request is idempotent, other settings are DuplicateTargetGroupName', async () => {
    const { elbv2 } = newElbv2();
    const tg = (await elbv2.createTargetGroup(tgInput('web'))).TargetGroups?.[0];
    expect(tg).toEqual({
      TargetGroupArn: expect.stringMatching(
        /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web\/[0-9a-f]{16}$/,
      ),
      TargetGroupName: 'web',
      Protocol: 'HTTP',
      ProtocolVersion: 'HTTP1',
      Port: 80,
      VpcId: 'vpc-0sandbox',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [],
      TargetType: 'instance',
      IpAddressType: 'ipv4',
    });
    // Defaults spelled out are the same settings.
    const same = await elbv2.createTargetGroup(
      tgInput('web', { HealthCheckPath: '/', Matcher: { HttpCode: '200' } }),
    );
    expect(same.TargetGroups?.[0].TargetGroupArn).toBe(tg?.TargetGroupArn);
    await expectAwsError(
      elbv2.createTargetGroup(tgInput('web', { Port: 8080 })),
      'DuplicateTargetGroupNameException',
    );
    await expectAwsError(
      elbv2.createTargetGroup(tgInput('web', { HealthCheckPath: '/health' })),
      'DuplicateTargetGroupNameException',
    );
    expect((await elbv2.describeTargetGroups({})).TargetGroups).toHaveLength(1);
  });

  test.each([
    [{ Name: 'internal-ok' }, undefined],
    [{ Name: 'a'.repeat(33) }, 'ValidationError'],
    [{ Name: 'bad-' }, 'ValidationError'],
    [{ Protocol: 'TCP' as const }, 'ValidationError'],
    [{ Port: undefined }, 'ValidationError'],
    [{ VpcId: undefined }, 'ValidationError'],
    [{ TargetType: 'lambda' as const }, 'ValidationError'],
    [{ HealthCheckIntervalSeconds: 4 }, 'ValidationError'],
    [{ HealthCheckIntervalSeconds: 301 }, 'ValidationError'],
    [{ HealthCheckTimeoutSeconds: 1 }, 'ValidationError'],
    [{ HealthCheckTimeoutSeconds: 30 }, 'ValidationError'],
    [{ HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 9 }, undefined],
    [{ HealthyThresholdCount: 1 }, 'ValidationError'],
    [{ UnhealthyThresholdCount: 11 }, 'ValidationError'],
    [{ Matcher: { HttpCode: '200-399' } }, undefined],
    [{ Matcher: { HttpCode: '100' } }, 'ValidationError'],
    [{ Matcher: { HttpCode: '200-500' } }, 'ValidationError'],
    [{ HealthCheckPath: 'health' }, 'ValidationError'],
    [{ HealthCheckProtocol: 'TCP' as const }, 'ValidationError'],
    [{ HealthCheckEnabled: false }, 'ValidationError'],
  ])('CreateTargetGroup %j: %s', async (change, error) => {
    const { elbv2 } = newElbv2();
    const created = elbv2.createTargetGroup({ ...tgInput('tg'), ...change });
    if (error === undefined) await expect(created).resolves.toBeDefined();
    else await expectAwsError(created, error);
  });

  test('DescribeTargetGroups: by names, ARNs or balancer (one of them), any missing is TargetGroupNotFound, pages by name', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn, tgArn } = await albWithListener(elbv2);
    for (const n of ['c', 'a', 'b']) await elbv2.createTargetGroup(tgInput(n));
    const page1 = await elbv2.describeTargetGroups({ PageSize: 2 });
    expect(page1.TargetGroups?.map((t) => t.TargetGroupName)).toEqual(['a', 'b']);
    const page2 = await elbv2.describeTargetGroups({ PageSize: 2, Marker: page1.NextMarker });
    expect(page2.TargetGroups?.map((t) => t.TargetGroupName)).toEqual(['c', 'web']);
    expect(page2.NextMarker).toBeUndefined();
    expect(
      (await elbv2.describeTargetGroups({ Names: ['b', 'a'] })).TargetGroups?.map((t) => t.TargetGroupName),
    ).toEqual(['a', 'b']);
    await expectAwsError(
      elbv2.describeTargetGroups({ Names: ['a', 'zz'] }),
      'TargetGroupNotFoundException',
      /zz/,
    );
    await expectAwsError(
      elbv2.describeTargetGroups({ TargetGroupArns: [`${tgArn}0`] }),
      'TargetGroupNotFoundException',
    );
    await expectAwsError(
      elbv2.describeTargetGroups({ Names: ['a'], TargetGroupArns: [tgArn] }),
      'ValidationError',
    );
    await expectAwsError(elbv2.describeTargetGroups({ PageSize: 0 }), 'ValidationError');
    expect((await elbv2.describeTargetGroups({ LoadBalancerArn: lbArn })).TargetGroups).toEqual([]);
    await elbv2.createListener({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTP',
      Port: 81,
      DefaultActions: forwardTo(tgArn),
    });
    const byLb = (await elbv2.describeTargetGroups({ LoadBalancerArn: lbArn })).TargetGroups ?? [];
    expect(byLb.map((t) => [t.TargetGroupName, t.LoadBalancerArns])).toEqual([['web', [lbArn]]]);
  });

  test('ModifyTargetGroup changes the health check within its ranges; DeleteTargetGroup: ResourceInUse while forwarded to, a missing ARN succeeds', async () => {
    const { elbv2 } = newElbv2();
    const { listenerArn, tgArn } = await albWithListener(elbv2);
    const modified = await elbv2.modifyTargetGroup({
      TargetGroupArn: tgArn,
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 15,
    });
    expect(modified.TargetGroups?.[0]).toMatchObject({
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 5,
    });
    await expectAwsError(
      elbv2.modifyTargetGroup({ TargetGroupArn: tgArn, HealthCheckTimeoutSeconds: 15 }),
      'ValidationError',
      /smaller than the interval/,
    );
    await expectAwsError(
      elbv2.modifyTargetGroup({ TargetGroupArn: `${tgArn}0`, HealthCheckPath: '/' }),
      'TargetGroupNotFoundException',
    );
    const rule = await elbv2.createRule({
      ListenerArn: listenerArn,
      Priority: 5,
      Conditions: hostCondition('a.example.com'),
      Actions: forwardTo(tgArn),
    });
    await expectAwsError(elbv2.deleteTargetGroup({ TargetGroupArn: tgArn }), 'ResourceInUseException');
    await elbv2.deleteRule({ RuleArn: rule.Rules?.[0].RuleArn });
    await elbv2.modifyListener({ ListenerArn: listenerArn, DefaultActions: forwardTo(tgArn) });
    await expectAwsError(elbv2.deleteTargetGroup({ TargetGroupArn: tgArn }), 'ResourceInUseException');
    await elbv2.modifyListener({
      ListenerArn: listenerArn,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
    await elbv2.deleteTargetGroup({ TargetGroupArn: tgArn });
    await expect(elbv2.deleteTargetGroup({ TargetGroupArn: tgArn })).resolves.toEqual({});
    await expectAwsError(
      elbv2.describeTargetGroups({ TargetGroupArns: [tgArn] }),
      'TargetGroupNotFoundException',
    );
  });

  test('attributes: AWS defaults, known keys only, values in range', async () => {
    const { elbv2 } = newElbv2();
    const { tgArn } = await albWithListener(elbv2);
    const attrs = async () =>
      Object.fromEntries(
        ((await elbv2.describeTargetGroupAttributes({ TargetGroupArn: tgArn })).Attributes ?? []).map((a) => [
          a.Key,
          a.Value,
        ]),
      );
    expect(await attrs()).toMatchObject({
      'deregistration_delay.timeout_seconds': '300',
      'stickiness.enabled': 'false',
      'stickiness.type': 'lb_cookie',
      'stickiness.lb_cookie.duration_seconds': '86400',
      'stickiness.app_cookie.cookie_name': '',
      'stickiness.app_cookie.duration_seconds': '86400',
      'load_balancing.algorithm.type': 'round_robin',
      'slow_start.duration_seconds': '0',
    });
    const modify = (Key: string, Value: string) =>
      elbv2.modifyTargetGroupAttributes({ TargetGroupArn: tgArn, Attributes: [{ Key, Value }] });
    await modify('deregistration_delay.timeout_seconds', '30');
    await modify('stickiness.enabled', 'true');
    await modify('stickiness.lb_cookie.duration_seconds', '604800');
    expect(await attrs()).toMatchObject({
      'deregistration_delay.timeout_seconds': '30',
      'stickiness.enabled': 'true',
      'stickiness.lb_cookie.duration_seconds': '604800',
    });
    await expectAwsError(modify('deregistration_delay.timeout_seconds', '3601'), 'ValidationError', /0-3600/);
    await expectAwsError(modify('deregistration_delay.timeout_seconds', '-1'), 'ValidationError');
    await expectAwsError(modify('stickiness.lb_cookie.duration_seconds', '0'), 'ValidationError', /1-604800/);
    await expectAwsError(modify('stickiness.lb_cookie.duration_seconds', '604801'), 'ValidationError');
    await expectAwsError(modify('stickiness.enabled', 'yes'), 'ValidationError');
    await expectAwsError(modify('no.such.key', '1'), 'ValidationError', /not recognized/);
    await expectAwsError(modify('stickiness.type', 'app_cookie'), 'InvalidConfigurationRequestException');
    await expectAwsError(
      elbv2.describeTargetGroupAttributes({ TargetGroupArn: `${tgArn}0` }),
      'TargetGroupNotFoundException',
    );
    expect((await attrs())['deregistration_delay.timeout_seconds']).toBe('30');
  });
});

describe('SandboxElbv2 quotas', () => {
  test('50 ALBs per Region, 50 listeners per ALB, 100 target groups per ALB, 3000 target groups per Region', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn, listenerArn } = await albWithListener(elbv2);
    for (let i = 1; i < 50; i++) await elbv2.createLoadBalancer({ Name: `lb${i}`, Subnets: SUBNETS });
    await expectAwsError(
      elbv2.createLoadBalancer({ Name: 'lb50', Subnets: SUBNETS }),
      'TooManyLoadBalancersException',
    );
    const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404' } }];
    for (let port = 81; port < 130; port++) {
      await elbv2.createListener({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: fixed,
      });
    }
    await expectAwsError(
      elbv2.createListener({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 130, DefaultActions: fixed }),
      'TooManyListenersException',
    );
    // Rules forwarding to two groups each: 50 of them reach 100 unique groups, the 51st is refused.
    const groups: string[] = [];
    for (let i = 0; i < 2999; i++) {
      groups.push((await elbv2.createTargetGroup(tgInput(`tg${i}`))).TargetGroups?.[0].TargetGroupArn ?? '');
    }
    await expectAwsError(elbv2.createTargetGroup(tgInput('tg3000')), 'TooManyTargetGroupsException');
    const ruleFor = (i: number) =>
      elbv2.createRule({
        ListenerArn: listenerArn,
        Priority: i + 1,
        Conditions: hostCondition(`h${i}.example.com`),
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [{ TargetGroupArn: groups[2 * i] }, { TargetGroupArn: groups[2 * i + 1] }],
            },
          },
        ],
      });
    for (let i = 0; i < 50; i++) await ruleFor(i);
    await expectAwsError(ruleFor(50), 'TooManyUniqueTargetGroupsPerLoadBalancerException');
  });
});

describe('SandboxElbv2 tags', () => {
  test('on balancers, listeners, rules and target groups; at most 50 per resource, 20 ARNs per DescribeTags', async () => {
    const { elbv2 } = newElbv2();
    const { lbArn, listenerArn, tgArn } = await albWithListener(elbv2);
    const rule =
      (
        await elbv2.createRule({
          ListenerArn: listenerArn,
          Priority: 1,
          Conditions: hostCondition('a.example.com'),
          Actions: forwardTo(tgArn),
          Tags: [{ Key: 'owner', Value: 'x' }],
        })
      ).Rules?.[0].RuleArn ?? '';
    const arns = [lbArn, listenerArn, rule, tgArn];
    await elbv2.addTags({ ResourceArns: arns, Tags: [{ Key: 'team', Value: 'web' }] });
    await elbv2.removeTags({ ResourceArns: [rule], TagKeys: ['owner'] });
    const described = await elbv2.describeTags({ ResourceArns: arns });
    expect(described.TagDescriptions).toEqual(
      arns.map((ResourceArn) => ({ ResourceArn, Tags: [{ Key: 'team', Value: 'web' }] })),
    );
    // The default rule has an ARN of its own and takes tags too.
    const fallback =
      (await elbv2.describeRules({ ListenerArn: listenerArn })).Rules?.find((r) => r.IsDefault)?.RuleArn ??
      '';
    await elbv2.addTags({ ResourceArns: [fallback], Tags: [{ Key: 'team', Value: 'edge' }] });
    expect((await elbv2.describeTags({ ResourceArns: [fallback] })).TagDescriptions?.[0].Tags).toEqual([
      { Key: 'team', Value: 'edge' },
    ]);
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await elbv2.addTags({ ResourceArns: [tgArn], Tags: many });
    await expectAwsError(
      elbv2.addTags({ ResourceArns: [tgArn], Tags: [{ Key: 'one-too-many', Value: 'v' }] }),
      'TooManyTagsException',
    );
    // Replacing a value is not a new tag.
    await elbv2.addTags({ ResourceArns: [tgArn], Tags: [{ Key: 'team', Value: 'api' }] });
    await expectAwsError(
      elbv2.addTags({
        ResourceArns: [tgArn],
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'a', Value: '2' },
        ],
      }),
      'DuplicateTagKeysException',
    );
    await expectAwsError(
      elbv2.describeTags({ ResourceArns: Array.from({ length: 21 }, () => tgArn) }),
      'ValidationError',
    );
    await expectAwsError(elbv2.describeTags({ ResourceArns: [`${tgArn}0`] }), 'TargetGroupNotFoundException');
    await expectAwsError(
      elbv2.describeTags({ ResourceArns: [`${lbArn}0`] }),
      'LoadBalancerNotFoundException',
    );
    await expectAwsError(
      elbv2.addTags({ ResourceArns: [`${listenerArn}0`], Tags: [{ Key: 'a', Value: '1' }] }),
      'ListenerNotFoundException',
    );
    await expectAwsError(
      elbv2.removeTags({ ResourceArns: [`${rule}0`], TagKeys: ['a'] }),
      'RuleNotFoundException',
    );
    // All or nothing: the known resource was not tagged either.
    await expectAwsError(
      elbv2.addTags({ ResourceArns: [lbArn, `${lbArn}0`], Tags: [{ Key: 'b', Value: '1' }] }),
      'LoadBalancerNotFoundException',
    );
    expect((await elbv2.describeTags({ ResourceArns: [lbArn] })).TagDescriptions?.[0].Tags).toEqual([
      { Key: 'team', Value: 'web' },
    ]);
  });
});

describe('SandboxElbv2 calls, throttling and persistence', () => {
  test('every call is logged as ELBv2.<Operation>; writes count as mutating; a throttle answers Throttling', async () => {
    const { elbv2, calls, clock } = newElbv2();
    const { tgArn } = await albWithListener(elbv2);
    await elbv2.describeTargetGroups({});
    expect(calls.snapshot()).toEqual({
      'ELBv2.CreateListener': 1,
      'ELBv2.CreateLoadBalancer': 1,
      'ELBv2.CreateTargetGroup': 1,
      'ELBv2.DescribeTargetGroups': 1,
    });
    expect(calls.mutatingTotal()).toBe(3);
    elbv2.setThrottle({ ModifyTargetGroup: { burst: 1, perSecond: 1 } });
    await elbv2.modifyTargetGroup({ TargetGroupArn: tgArn, HealthCheckPath: '/a' });
    await expectAwsError(
      elbv2.modifyTargetGroup({ TargetGroupArn: tgArn, HealthCheckPath: '/b' }),
      'Throttling',
    );
    clock.advanceSeconds(1);
    await elbv2.modifyTargetGroup({ TargetGroupArn: tgArn, HealthCheckPath: '/c' });
    expect(calls.snapshot()['ELBv2.ModifyTargetGroup']).toBe(3);
  });

  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-sandbox-elbv2-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the whole ELBv2 account round-trips through the state file; a balancers-only state still loads', async () => {
    const file = path.join(dir, 'account.json');
    const first = await loadSandbox(file);
    const { lbArn, listenerArn, tgArn } = await albWithListener(first.elbv2);
    const rule = await first.elbv2.createRule({
      ListenerArn: listenerArn,
      Priority: 3,
      Conditions: hostCondition('a.example.com'),
      Actions: forwardTo(tgArn),
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    await first.elbv2.modifyTargetGroupAttributes({
      TargetGroupArn: tgArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
    });
    first.elbv2.addSubnet({
      subnetId: 'subnet-0b000001',
      availabilityZone: 'us-east-1a',
      vpcId: 'vpc-0other',
    });
    await saveSandbox(file, first);

    const second = await loadSandbox(file);
    expect(second.elbv2.toJSON()).toEqual(first.elbv2.toJSON());
    const rules = (await second.elbv2.describeRules({ ListenerArn: listenerArn })).Rules ?? [];
    expect(rules.map((r) => [r.RuleArn, r.Priority])).toEqual([
      [rule.Rules?.[0].RuleArn, '3'],
      [expect.any(String), 'default'],
    ]);
    expect(
      (await second.elbv2.describeTargetGroups({ TargetGroupArns: [tgArn] })).TargetGroups?.[0]
        .LoadBalancerArns,
    ).toEqual([lbArn]);
    // New resources continue the id sequence.
    const tg2 = await second.elbv2.createTargetGroup(tgInput('web2'));
    expect(tg2.TargetGroups?.[0].TargetGroupArn).not.toBe(tgArn);

    const old = path.join(dir, 'old.json');
    const state = JSON.parse(
      JSON.stringify({ ...first.ecs.toJSON(), elbv2: { loadBalancers: first.elbv2.toJSON().loadBalancers } }),
    );
    writeFileSync(old, JSON.stringify(state));
    const loaded = await loadSandbox(old);
    expect(
      (await loaded.elbv2.describeLoadBalancers({ LoadBalancerArns: [lbArn] })).LoadBalancers,
    ).toHaveLength(1);
    expect((await loaded.elbv2.describeTargetGroups({})).TargetGroups).toEqual([]);
    expect((await loaded.elbv2.describeTags({ ResourceArns: [lbArn] })).TagDescriptions?.[0].Tags).toEqual(
      [],
    );
  });
});
