import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CallLog } from '../../controller/aws/call-log';
import { ManualClock } from '../../controller/aws/clock';
import { loadSandbox, saveSandbox } from '../../controller/aws/sandbox/state-file';
import { ec2TaskDef, expectAwsError, newSandboxAccount } from '../helpers/sandbox';

describe('SandboxEcs container instances', () => {
  test('list: ACTIVE and DRAINING by default, a status filter, pages of at most 100 with nextToken', async () => {
    const { ecs } = newSandboxAccount();
    await ecs.createCluster({ clusterName: 'demo' });
    for (let i = 0; i < 120; i++)
      ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: `i-0000000${i}` });
    ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: 'i-d', status: 'DRAINING' });
    ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: 'i-x', status: 'INACTIVE' });
    const first = await ecs.listContainerInstances({ cluster: 'demo' });
    expect(first.containerInstanceArns).toHaveLength(100);
    expect(first.containerInstanceArns?.[0]).toMatch(
      /^arn:aws:ecs:us-east-1:123456789012:container-instance\/demo\/[0-9a-f]{32}$/,
    );
    const second = await ecs.listContainerInstances({ cluster: 'demo', nextToken: first.nextToken });
    expect(second.containerInstanceArns).toHaveLength(21);
    expect(second.nextToken).toBeUndefined();
    expect((await ecs.listContainerInstances({ cluster: 'demo', status: 'ACTIVE' })).nextToken).toBeDefined();
    expect(
      (await ecs.listContainerInstances({ cluster: 'demo', status: 'DRAINING' })).containerInstanceArns,
    ).toHaveLength(1);
    await expectAwsError(
      ecs.listContainerInstances({ cluster: 'demo', maxResults: 101 }),
      'InvalidParameterException',
    );
    await expectAwsError(ecs.listContainerInstances({ cluster: 'nope' }), 'ClusterNotFoundException');
    // The token belongs to its listing: another status filter rejects it.
    await expectAwsError(
      ecs.listContainerInstances({ cluster: 'demo', status: 'DRAINING', nextToken: first.nextToken }),
      'InvalidParameterException',
    );
    const cluster = (await ecs.describeClusters({ clusters: ['demo'] })).clusters?.[0];
    expect(cluster?.registeredContainerInstancesCount).toBe(121);
  });

  test('describe: at most 100, by ARN or id; unknown ones as MISSING failures', async () => {
    const { ecs } = newSandboxAccount();
    await ecs.createCluster({ clusterName: 'demo' });
    const ci = ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: 'i-0123456789abcdef0' });
    const arn = ci.containerInstanceArn ?? '';
    const id = arn.slice(arn.lastIndexOf('/') + 1);
    const out = await ecs.describeContainerInstances({
      cluster: 'demo',
      containerInstances: [arn, id, 'f'.repeat(32)],
    });
    expect(out.containerInstances?.map((c) => [c.ec2InstanceId, c.status])).toEqual([
      ['i-0123456789abcdef0', 'ACTIVE'],
      ['i-0123456789abcdef0', 'ACTIVE'],
    ]);
    expect(out.failures).toEqual([
      {
        arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${'f'.repeat(32)}`,
        reason: 'MISSING',
      },
    ]);
    await expectAwsError(
      ecs.describeContainerInstances({
        cluster: 'demo',
        containerInstances: Array.from({ length: 101 }, () => id),
      }),
      'InvalidParameterException',
    );
    await expectAwsError(
      ecs.describeContainerInstances({ cluster: 'demo', containerInstances: [] }),
      'InvalidParameterException',
    );
  });
});

describe('SandboxElbv2 and SandboxEc2', () => {
  test('DescribeLoadBalancers: names or ARNs (not both), not-found errors as ELBv2 words them', async () => {
    const { elbv2 } = newSandboxAccount();
    const lb = elbv2.addLoadBalancer({ name: 'web', type: 'network' });
    expect(lb.CanonicalHostedZoneId).toBe('Z26RNL4JYFTOTI');
    expect(lb.DNSName).toMatch(/^web-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
    expect((await elbv2.describeLoadBalancers({ Names: ['web'] })).LoadBalancers?.[0].LoadBalancerArn).toBe(
      lb.LoadBalancerArn,
    );
    await expectAwsError(
      elbv2.describeLoadBalancers({ Names: ['web'], LoadBalancerArns: [lb.LoadBalancerArn ?? ''] }),
      'ValidationError',
    );
    await expectAwsError(
      elbv2.describeLoadBalancers({ Names: ['web', 'a', 'b'] }),
      'LoadBalancerNotFoundException',
      "Load balancers '[a, b]' not found",
    );
    await expectAwsError(
      elbv2.describeLoadBalancers({ LoadBalancerArns: [`${lb.LoadBalancerArn ?? ''}0`] }),
      'LoadBalancerNotFoundException',
      'One or more load balancers not found',
    );
    expect(() => elbv2.addLoadBalancer({ name: 'web' })).toThrow(/already exists/);
  });

  test('DescribeInstances: public IPv4 and IPv6 on the interfaces; NotFound and Malformed as EC2 words them', async () => {
    const { ec2 } = newSandboxAccount();
    const id = ec2.addInstance({ publicIp: '198.51.100.7', ipv6: ['2001:db8::7'] });
    const out = await ec2.describeInstances({ InstanceIds: [id] });
    const instance = out.Reservations?.[0].Instances?.[0];
    expect(instance?.PublicIpAddress).toBe('198.51.100.7');
    expect(instance?.NetworkInterfaces?.[0].Association?.PublicIp).toBe('198.51.100.7');
    expect(instance?.NetworkInterfaces?.[0].Ipv6Addresses).toEqual([{ Ipv6Address: '2001:db8::7' }]);
    await expectAwsError(
      ec2.describeInstances({ InstanceIds: [id, 'i-0000000000000000a', 'i-0000000000000000b'] }),
      'InvalidInstanceID.NotFound',
      "The instance IDs 'i-0000000000000000a, i-0000000000000000b' do not exist",
    );
    await expectAwsError(
      ec2.describeInstances({ InstanceIds: ['web-1'] }),
      'InvalidInstanceID.Malformed',
      'Invalid id: "web-1"',
    );
    await expectAwsError(
      ec2.describeInstances({ InstanceIds: [id], MaxResults: 5 }),
      'InvalidParameterCombination',
    );
  });
});

describe('sandbox state file with Route53, ELBv2, EC2 and container instances', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-sandbox-dns-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('saveSandbox(file, ecs) keeps the whole account; a change stays PENDING across runs until due', async () => {
    const file = path.join(dir, 'account.json');
    const clock = new ManualClock(1_700_000_000_000);
    const first = await loadSandbox(file, { clock, callLog: new CallLog() });
    await first.ecs.createCluster({ clusterName: 'demo' });
    const instance = first.ec2.addInstance({ publicIp: '198.51.100.1' });
    first.ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: instance });
    first.elbv2.addLoadBalancer({ name: 'web' });
    const zone = first.route53.createHostedZone('example.com');
    const change = await first.route53.changeResourceRecordSets({
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: '*.example.com',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '198.51.100.1' }],
            },
          },
        ],
      },
    });
    await saveSandbox(file, first.ecs);

    const log = new CallLog();
    const second = await loadSandbox(file, { clock, callLog: log });
    expect(second.route53.toJSON()).toEqual(first.route53.toJSON());
    expect(second.elbv2.toJSON()).toEqual(first.elbv2.toJSON());
    expect(second.ec2.toJSON()).toEqual(first.ec2.toJSON());
    expect((await second.route53.getChange({ Id: change.ChangeInfo?.Id })).ChangeInfo?.Status).toBe(
      'PENDING',
    );
    clock.advanceSeconds(2);
    expect((await second.route53.getChange({ Id: change.ChangeInfo?.Id })).ChangeInfo?.Status).toBe('INSYNC');
    const arns = (await second.ecs.listContainerInstances({ cluster: 'demo' })).containerInstanceArns ?? [];
    expect(arns).toHaveLength(1);
    expect((await second.elbv2.describeLoadBalancers({ Names: ['web'] })).LoadBalancers).toHaveLength(1);
    expect(log.snapshot()).toEqual({
      'ELBv2.DescribeLoadBalancers': 1,
      'ECS.ListContainerInstances': 1,
      'Route53.GetChange': 2,
    });
    // A new zone continues the id sequence rather than reusing one.
    expect(second.route53.createHostedZone('example.net')).not.toBe(zone);
  });

  test('a state file written before Route53 existed still loads, with empty fakes', async () => {
    const file = path.join(dir, 'old.json');
    const { ecs } = newSandboxAccount();
    await ecs.createCluster({ clusterName: 'demo' });
    await ecs.registerTaskDefinition(ec2TaskDef('demo-web'));
    const old = ecs.toJSON();
    delete old.containerInstances;
    writeFileSync(file, JSON.stringify(old));
    const loaded = await loadSandbox(file);
    expect(
      (await loaded.ecs.describeTaskDefinition({ taskDefinition: 'demo-web' })).taskDefinition?.revision,
    ).toBe(1);
    expect((await loaded.ecs.listContainerInstances({ cluster: 'demo' })).containerInstanceArns).toEqual([]);
    expect((await loaded.route53.listHostedZones({})).HostedZones).toEqual([]);
    await saveSandbox(file, loaded);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(saved)).toEqual(
      expect.arrayContaining(['clusters', 'route53', 'elbv2', 'ec2', 'containerInstances']),
    );
  });
});
