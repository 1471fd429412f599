import type { Change } from '@aws-sdk/client-route-53';
import { observeCluster, observeDns, zonesToRead } from '../../controller/observe/dns-observer';
import { resolveDnsTarget } from '../../controller/observe/dns-target-resolver';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Route53Reader } from '../../controller/observe/route53-reader';
import { dnsDesired } from '../helpers/dns';
import { expectAwsError, newSandboxAccount } from '../helpers/sandbox';

const aRecord = (name: string, value = '10.0.0.1'): Change => ({
  Action: 'CREATE',
  ResourceRecordSet: { Name: name, Type: 'A', TTL: 300, ResourceRecords: [{ Value: value }] },
});

describe('Route53Reader on the sandbox', () => {
  test('hosted zones: every page, bare ids, compared names; cached until forgetZones()', async () => {
    const sb = newSandboxAccount();
    const ids: string[] = [];
    for (let i = 0; i < 104; i++)
      ids.push(sb.route53.createHostedZone(`Zone${i}.Example.COM.`, { private: i === 7 }));
    const reader = new Route53Reader(sb.route53);
    const zones = await reader.hostedZones();
    expect(zones).toHaveLength(104);
    expect(zones[0]).toEqual({ id: ids[0], name: 'zone0.example.com', private: false });
    expect(zones[7].private).toBe(true);
    expect(sb.ecs.callLog.snapshot()).toEqual({ 'Route53.ListHostedZones': 2 });
    await reader.hostedZones();
    expect(sb.ecs.callLog.snapshot()).toEqual({ 'Route53.ListHostedZones': 2 });
    sb.route53.createHostedZone('late.example.com');
    reader.forgetZones();
    expect(await reader.hostedZones()).toHaveLength(105);
    expect(sb.ecs.callLog.snapshot()).toEqual({ 'Route53.ListHostedZones': 4 });
  });

  test('records: 700 record sets in 3 pages, compared form, raw kept; read afresh on every call', async () => {
    const sb = newSandboxAccount();
    const zone = sb.route53.createHostedZone('example.com');
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => aRecord(`r${String(from + i).padStart(3, '0')}.example.com`));
    await sb.route53.changeResourceRecordSets({
      HostedZoneId: zone,
      ChangeBatch: { Changes: batch(0, 500) },
    });
    await sb.route53.changeResourceRecordSets({
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          ...batch(500, 196),
          aRecord('*.Example.com'),
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'txt.example.com',
              Type: 'TXT',
              TTL: 60,
              ResourceRecords: [{ Value: '"owner=demo"' }],
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'lb.example.com',
              Type: 'A',
              AliasTarget: {
                DNSName: 'My-LB.us-east-1.elb.amazonaws.com',
                HostedZoneId: 'Z35SXDOTRQ7X7K',
                EvaluateTargetHealth: false,
              },
            },
          },
        ],
      },
    });
    const reader = new Route53Reader(sb.route53);
    sb.ecs.callLog.reset();
    const records = await reader.records(`/hostedzone/${zone}`);
    expect(records).toHaveLength(701);
    expect(sb.ecs.callLog.snapshot()).toEqual({ 'Route53.ListResourceRecordSets': 3 });
    expect(new Set(records.map((r) => `${r.name}/${r.type}`)).size).toBe(701);
    const wildcard = records.find((r) => r.name === '*.example.com');
    expect(wildcard).toEqual({
      name: '*.example.com',
      type: 'A',
      ttl: 300,
      values: ['10.0.0.1'],
      raw: { Name: '\\052.example.com.', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.0.1' }] },
    });
    expect(records.find((r) => r.type === 'TXT')?.values).toEqual(['"owner=demo"']);
    expect(records.find((r) => r.name === 'lb.example.com')?.alias).toEqual({
      dnsName: 'my-lb.us-east-1.elb.amazonaws.com',
      hostedZoneId: 'Z35SXDOTRQ7X7K',
      evaluateTargetHealth: false,
    });
    // The raw record is what a DELETE must repeat: it deletes.
    const raw = records.find((r) => r.name === 'lb.example.com')?.raw;
    await sb.route53.changeResourceRecordSets({
      HostedZoneId: zone,
      ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: raw }] },
    });
    await sb.route53.changeResourceRecordSets({
      HostedZoneId: zone,
      ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: wildcard?.raw }] },
    });
    expect(await reader.records(zone)).toHaveLength(699);
    expect(sb.ecs.callLog.snapshot()['Route53.ListResourceRecordSets']).toBe(6);
  });
});

describe('resolveDnsTarget on the sandbox', () => {
  test('loadBalancer by name or ARN: alias to its DNS name and zone; dualstack from IpAddressType', async () => {
    const sb = newSandboxAccount();
    const web = sb.elbv2.addLoadBalancer({ name: 'web', dnsName: 'Web-123.us-east-1.elb.amazonaws.com.' });
    const ds = sb.elbv2.addLoadBalancer({ name: 'ds', ipAddressType: 'dualstack' });
    const ports = { elbv2: sb.elbv2, ec2: sb.ec2, ecs: sb.ecs };
    expect(await resolveDnsTarget({ kind: 'loadBalancer', nameOrArn: 'web' }, 'demo', ports)).toEqual({
      kind: 'alias',
      dnsName: 'web-123.us-east-1.elb.amazonaws.com',
      hostedZoneId: 'Z35SXDOTRQ7X7K',
      dualstack: false,
    });
    expect(
      await resolveDnsTarget({ kind: 'loadBalancer', nameOrArn: ds.LoadBalancerArn ?? '' }, 'demo', ports),
    ).toEqual({
      kind: 'alias',
      dnsName: ds.DNSName?.toLowerCase(),
      hostedZoneId: 'Z35SXDOTRQ7X7K',
      dualstack: true,
    });
    expect(sb.ecs.callLog.snapshot()).toEqual({ 'ELBv2.DescribeLoadBalancers': 2 });
    expect(web.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web\/[0-9a-f]{16}$/,
    );
    await expectAwsError(
      resolveDnsTarget({ kind: 'loadBalancer', nameOrArn: 'nope' }, 'demo', ports),
      'LoadBalancerNotFoundException',
      "Load balancers '[nope]' not found",
    );
  });

  test('cname and addresses: a lower-case name; IPv4 and IPv6 split, sorted, deduplicated', async () => {
    const sb = newSandboxAccount();
    const ports = { elbv2: sb.elbv2, ec2: sb.ec2, ecs: sb.ecs };
    expect(await resolveDnsTarget({ kind: 'cname', name: 'Edge.Example.NET.' }, 'demo', ports)).toEqual({
      kind: 'cname',
      value: 'edge.example.net',
    });
    expect(
      await resolveDnsTarget(
        {
          kind: 'addresses',
          addresses: ['10.0.0.10', '2001:DB8::1', '10.0.0.9', '10.0.0.10', '2001:db8::1'],
        },
        'demo',
        ports,
      ),
    ).toEqual({ kind: 'addresses', ipv4: ['10.0.0.9', '10.0.0.10'], ipv6: ['2001:db8::1'] });
    expect(sb.ecs.callLog.total()).toBe(0);
  });

  test('instances: ACTIVE container instances (every page) -> public IPv4s and IPv6 addresses', async () => {
    const sb = newSandboxAccount();
    await sb.ecs.createCluster({ clusterName: 'demo' });
    const ports = { elbv2: sb.elbv2, ec2: sb.ec2, ecs: sb.ecs };
    expect(await resolveDnsTarget({ kind: 'instances' }, 'demo', ports)).toEqual({
      kind: 'addresses',
      ipv4: [],
      ipv6: [],
    });
    // 150 ACTIVE instances: 2 pages to list, 2 describes; one without a public IP, one with IPv6.
    for (let i = 0; i < 150; i++) {
      const id = sb.ec2.addInstance({
        ...(i === 3 ? {} : { publicIp: `198.51.100.${i}` }),
        ...(i === 4 ? { ipv6: ['2001:db8::4'] } : {}),
      });
      sb.ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: id });
    }
    const draining = sb.ec2.addInstance({ publicIp: '203.0.113.1' });
    sb.ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: draining, status: 'DRAINING' });
    const stopped = sb.ec2.addInstance({ publicIp: '203.0.113.2', state: 'stopped' });
    sb.ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: stopped });
    sb.ecs.callLog.reset();
    const out = await resolveDnsTarget({ kind: 'instances' }, 'demo', ports);
    expect(out.kind).toBe('addresses');
    if (out.kind !== 'addresses') return;
    expect(out.ipv4).toHaveLength(149);
    expect(out.ipv4.slice(0, 3)).toEqual(['198.51.100.0', '198.51.100.1', '198.51.100.2']);
    expect(out.ipv4).not.toContain('198.51.100.3');
    expect(out.ipv4).not.toContain('203.0.113.1');
    expect(out.ipv4).not.toContain('203.0.113.2');
    expect(out.ipv6).toEqual(['2001:db8::4']);
    expect(sb.ecs.callLog.snapshot()).toEqual({
      'EC2.DescribeInstances': 1,
      'ECS.DescribeContainerInstances': 2,
      'ECS.ListContainerInstances': 2,
    });
  });

  test('a cluster that does not exist yet has no addresses; an instance that no longer exists is an error', async () => {
    const sb = newSandboxAccount();
    const ports = { elbv2: sb.elbv2, ec2: sb.ec2, ecs: sb.ecs };
    // The first apply of a new cluster: it is created in the same run, so it has no instances yet.
    expect(await resolveDnsTarget({ kind: 'instances' }, 'nope', ports)).toEqual({
      kind: 'addresses',
      ipv4: [],
      ipv6: [],
    });
    await sb.ecs.createCluster({ clusterName: 'demo' });
    sb.ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: 'i-0123456789abcdef0' });
    await expectAwsError(
      resolveDnsTarget({ kind: 'instances' }, 'demo', ports),
      'InvalidInstanceID.NotFound',
      "The instance ID 'i-0123456789abcdef0' does not exist",
    );
  });
});

describe('observeDns / observeCluster on the sandbox', () => {
  function account() {
    const sb = newSandboxAccount();
    const zones = {
      example: sb.route53.createHostedZone('example.com'),
      dev: sb.route53.createHostedZone('dev.example.com'),
      other: sb.route53.createHostedZone('other.org'),
      privateExample: sb.route53.createHostedZone('example.com', { private: true }),
      unrelated: sb.route53.createHostedZone('unrelated.net'),
    };
    const ports = { elbv2: sb.elbv2, ec2: sb.ec2, ecs: sb.ecs };
    return { sb, zones, ports, readers: { route53: new Route53Reader(sb.route53) } };
  }

  test('no dns: undefined, and no call at all', async () => {
    const { sb, ports, readers } = account();
    expect(
      await observeDns(dnsDesired({ dns: null, hostnames: ['a.example.com'] }), ports, readers),
    ).toBeUndefined();
    expect(sb.ecs.callLog.total()).toBe(0);
  });

  test('reads every public zone once (a zone whose last name went away still holds our records)', async () => {
    const { sb, zones, ports, readers } = account();
    await sb.route53.changeResourceRecordSets({
      HostedZoneId: zones.other,
      ChangeBatch: { Changes: [aRecord('www.other.org')] },
    });
    sb.ecs.callLog.reset();
    const desired = dnsDesired({ hostnames: ['api.other.org'], dns: { domain: 'dev.example.com' } });
    const observed = await observeDns(desired, ports, readers);
    expect(observed?.zones.map((z) => z.id)).toEqual([
      zones.example,
      zones.dev,
      zones.other,
      zones.unrelated,
    ]);
    expect([...(observed?.records.keys() ?? [])].sort()).toEqual(
      [zones.example, zones.dev, zones.other, zones.unrelated].sort(),
    );
    expect(observed?.records.get(zones.other)?.map((r) => r.name)).toEqual([
      'other.org',
      'other.org',
      'www.other.org',
    ]);
    expect(observed?.target).toEqual({ kind: 'addresses', ipv4: ['192.0.2.1'], ipv6: [] });
    expect(sb.ecs.callLog.snapshot()).toEqual({
      'Route53.ListHostedZones': 1,
      'Route53.ListResourceRecordSets': 4,
    });
    // The zone list is cached by the reader; records are read again.
    await observeDns(desired, ports, readers);
    expect(sb.ecs.callLog.snapshot()).toEqual({
      'Route53.ListHostedZones': 1,
      'Route53.ListResourceRecordSets': 8,
    });
  });

  test('private zones are read only when configured', async () => {
    const { zones, ports, readers } = account();
    const all = await readers.route53.hostedZones();
    const desired = dnsDesired({ hostnames: ['a.dev.example.com', 'b.example.com'] });
    expect(zonesToRead(desired, all)).not.toContain(zones.privateExample);
    const withPrivate = await observeDns(
      dnsDesired({ hostnames: ['b.example.com'], dns: { privateZones: true } }),
      ports,
      readers,
    );
    expect([...(withPrivate?.records.keys() ?? [])]).toContain(zones.privateExample);
  });

  test('a configured zoneId is read even when private, and every public zone still is (for our old records)', async () => {
    const { zones, ports, readers } = account();
    const observed = await observeDns(
      dnsDesired({
        hostnames: ['a.dev.example.com'],
        dns: { zoneId: `/hostedzone/${zones.privateExample}` },
      }),
      ports,
      readers,
    );
    expect([...(observed?.records.keys() ?? [])].sort()).toEqual(
      [zones.example, zones.dev, zones.other, zones.unrelated, zones.privateExample].sort(),
    );
    expect(observed?.zones.map((z) => z.id)).toContain(zones.privateExample);
  });

  test('a target that cannot be resolved is reported in targetError; the records are still read', async () => {
    const { zones, ports, readers } = account();
    const observed = await observeDns(
      dnsDesired({
        hostnames: ['a.example.com'],
        dns: { target: { kind: 'loadBalancer', nameOrArn: 'gone' } },
      }),
      ports,
      readers,
    );
    expect(observed?.target).toBeUndefined();
    expect(observed?.targetError).toBe("LoadBalancerNotFoundException: Load balancers '[gone]' not found");
    expect([...(observed?.records.keys() ?? [])]).toContain(zones.example);
  });

  test('observeCluster: EcsReader.observe plus dns when configured', async () => {
    const { sb, ports } = account();
    const deps = {
      ecs: ports.ecs,
      ecsReader: new EcsReader(sb.ecs),
      dns: { elbv2: ports.elbv2, ec2: ports.ec2, route53Reader: new Route53Reader(sb.route53) },
    };
    const withDns = await observeCluster(dnsDesired({ hostnames: ['a.example.com'] }), deps);
    expect(withDns.cluster).toBeUndefined();
    expect(withDns.dns?.records.size).toBe(4);
    const without = await observeCluster(dnsDesired({ dns: null }), deps);
    expect(without).not.toHaveProperty('dns');
  });
});
