import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, ECSClient, RegisterContainerInstanceCommand } from '@aws-sdk/client-ecs';
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListHostedZonesCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { observeDns } from '../../controller/observe/dns-observer';
import { resolveDnsTarget } from '../../controller/observe/dns-target-resolver';
import { Route53Reader } from '../../controller/observe/route53-reader';
import { SdkEc2Port } from '../../controller/aws/sdk-ec2-port';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { SdkElbv2Port } from '../../controller/aws/sdk-elbv2-port';
import { SdkRoute53Port } from '../../controller/aws/sdk-route53-port';
import { setTestAwsEnv } from '../helpers/aws-env';
import { dnsDesired } from '../helpers/dns';
import { freePort, useMoto } from '../helpers/moto';

// Where moto 5.2.1 differs from Route53 / ELBv2 / EC2 / ECS (each behaviour is tested on the sandbox
// instead: sandbox-route53.test.ts, sandbox-dns-targets.test.ts, dns-observe.test.ts):
// - Route53 ListResourceRecordSets sorts by the plain name (not by reversed labels), keeps the case
//   of names as written and returns `*` unescaped (Route53: lower case, `\052`);
// - zone ids are 22 characters (Route53: `Z` + 13), changes are INSYNC at once, and GetChange of an
//   unknown id answers INSYNC (Route53: NoSuchChange);
// - ChangeResourceRecordSets accepts a CREATE of the same name twice in one batch (two records),
//   a CNAME beside an A, a CNAME at the apex and a TXT value without quotes; a DELETE whose TTL does
//   not match fails with InvalidInput "found none" (Route53: InvalidChangeBatch "values provided do
//   not match"); ListHostedZones' NextMarker is an opaque token (Route53: the next zone's id);
// - ELBv2 DescribeLoadBalancers accepts Names and LoadBalancerArns together (AWS: ValidationError),
//   says "The specified load balancer does not exist." and gives every balancer the fake zone
//   Z2P70J7EXAMPLE;
// - EC2 names only the first of several unknown instance ids;
// - ECS ListContainerInstances ignores maxResults (one page of everything).
// moto does honour ListResourceRecordSets MaxItems (300 per page, NextRecordName/Type), which the
// reader test below relies on, and rejects more than 1000 records in one change batch.

const moto = useMoto();

const region = 'us-east-1';

function ports() {
  const log = new CallLog();
  const clients = createAwsClients({ endpoint: moto.endpoint, callLog: log });
  return {
    log,
    route53: new SdkRoute53Port(clients.route53),
    elbv2: new SdkElbv2Port(clients.elbv2),
    ec2: new SdkEc2Port(clients.ec2),
    ecs: new SdkEcsPort(clients.ecs),
  };
}

/** Plain clients pointed at moto, to set the world up (not counted). */
function witness() {
  const cfg = { region, endpoint: moto.endpoint };
  return {
    route53: new Route53Client(cfg),
    elbv2: new ElasticLoadBalancingV2Client(cfg),
    ec2: new EC2Client(cfg),
    ecs: new ECSClient(cfg),
  };
}

async function createZone(name: string): Promise<string> {
  const out = await witness().route53.send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Math.random()}` }),
  );
  return (out.HostedZone?.Id ?? '').replace('/hostedzone/', '');
}

const aRecord = (name: string): Change => ({
  Action: 'CREATE',
  ResourceRecordSet: { Name: name, Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.0.1' }] },
});

describe('Route53 through the SDK clients against moto', () => {
  test('the call log counts Route53, ELBv2 and EC2 calls under their service names', async () => {
    const p = ports();
    await p.route53.listHostedZones({});
    await p.elbv2.describeLoadBalancers({});
    await p.ec2.describeInstances({});
    expect(p.log.snapshot()).toEqual({
      'EC2.DescribeInstances': 1,
      'ELBv2.DescribeLoadBalancers': 1,
      'Route53.ListHostedZones': 1,
    });
  });

  test('AWS_ENDPOINT_URL_ROUTE_53 routes Route53 (AWS_ENDPOINT_URL elsewhere is not used for it)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const zone = await createZone('env.example.com');
    const restore = setTestAwsEnv({ AWS_ENDPOINT_URL: dead, AWS_ENDPOINT_URL_ROUTE_53: moto.endpoint });
    try {
      const { route53 } = createAwsClients({ callLog: new CallLog(), maxAttempts: 1 });
      const out = await new SdkRoute53Port(route53).listHostedZones({});
      expect(out.HostedZones?.map((z) => z.Id)).toEqual([`/hostedzone/${zone}`]);
      expect(out).not.toHaveProperty('$metadata');
    } finally {
      restore();
    }
  });
});

describe('Route53Reader against moto', () => {
  test('700 records in 3 pages of 300; zones listed once (cached), every page of zones', async () => {
    const zone = await createZone('example.com');
    const names = Array.from({ length: 700 }, (_, i) => `r${String(i).padStart(3, '0')}.example.com`);
    for (let i = 0; i < names.length; i += 350) {
      await witness().route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone,
          ChangeBatch: { Changes: names.slice(i, i + 350).map(aRecord) },
        }),
      );
    }
    for (let i = 0; i < 100; i++) await createZone(`z${i}.test`);
    const p = ports();
    const reader = new Route53Reader(p.route53);
    const zones = await reader.hostedZones();
    expect(zones).toHaveLength(101);
    expect(zones).toContainEqual({ id: zone, name: 'example.com', private: false });
    await reader.hostedZones();
    const records = await reader.records(zone);
    expect(records).toHaveLength(702); // + NS and SOA
    expect(records.filter((r) => r.type === 'A').map((r) => r.name)).toEqual(names);
    expect(p.log.snapshot()).toEqual({ 'Route53.ListHostedZones': 2, 'Route53.ListResourceRecordSets': 3 });
    // Records are not cached.
    await witness().route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zone,
        ChangeBatch: { Changes: [aRecord('new.example.com')] },
      }),
    );
    expect(await reader.records(zone)).toHaveLength(703);
  });

  test('moto rejects more than 1000 records in one batch, like Route53', async () => {
    const zone = await createZone('big.example.com');
    const changes = Array.from({ length: 1001 }, (_, i) => aRecord(`r${i}.big.example.com`));
    await expect(
      witness().route53.send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: changes } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidChangeBatch' });
  });
});

describe('resolveDnsTarget against moto', () => {
  async function vpcWithSubnets(): Promise<string[]> {
    const ec2 = witness().ec2;
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const subnets: string[] = [];
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      const s = await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpc.Vpc?.VpcId,
          CidrBlock: `10.0.${i + 1}.0/24`,
          AvailabilityZone: az,
        }),
      );
      subnets.push(s.Subnet?.SubnetId ?? '');
    }
    return subnets;
  }

  test('loadBalancer by name and by ARN; dualstack from IpAddressType; unknown ones fail', async () => {
    const subnets = await vpcWithSubnets();
    const elbv2 = witness().elbv2;
    const web = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: subnets })))
      .LoadBalancers?.[0];
    const ds = (
      await elbv2.send(
        new CreateLoadBalancerCommand({ Name: 'ds', Subnets: subnets, IpAddressType: 'dualstack' }),
      )
    ).LoadBalancers?.[0];
    const p = ports();
    expect(await resolveDnsTarget({ kind: 'loadBalancer', nameOrArn: 'web' }, 'demo', p)).toEqual({
      kind: 'alias',
      dnsName: web?.DNSName?.toLowerCase(),
      hostedZoneId: web?.CanonicalHostedZoneId,
      dualstack: false,
    });
    expect(
      await resolveDnsTarget({ kind: 'loadBalancer', nameOrArn: ds?.LoadBalancerArn ?? '' }, 'demo', p),
    ).toMatchObject({
      kind: 'alias',
      dnsName: ds?.DNSName?.toLowerCase(),
      dualstack: true,
    });
    await expect(
      resolveDnsTarget({ kind: 'loadBalancer', nameOrArn: 'nope' }, 'demo', p),
    ).rejects.toMatchObject({
      name: 'LoadBalancerNotFoundException',
    });
  });

  test('instances: the public IPs of the ACTIVE container instances, sorted', async () => {
    const w = witness();
    await w.ecs.send(new CreateClusterCommand({ clusterName: 'demo' }));
    const p = ports();
    expect(await resolveDnsTarget({ kind: 'instances' }, 'demo', p)).toEqual({
      kind: 'addresses',
      ipv4: [],
      ipv6: [],
    });
    // Instances in the default VPC get public IPv4 addresses (moto assigns no IPv6 here).
    const run = await w.ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 3, MaxCount: 3 }),
    );
    const ids = (run.Instances ?? []).map((i) => i.InstanceId ?? '');
    for (const id of ids) {
      await w.ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: 'demo',
          instanceIdentityDocument: JSON.stringify({ instanceId: id, region }),
        }),
      );
    }
    const described = await p.ec2.describeInstances({ InstanceIds: ids });
    const publicIps = (described.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => i.PublicIpAddress ?? '');
    expect(publicIps.every((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip))).toBe(true);
    p.log.reset();
    const out = await resolveDnsTarget({ kind: 'instances' }, 'demo', p);
    const numeric = (ip: string) =>
      ip
        .split('.')
        .map((x) => x.padStart(3, '0'))
        .join('.');
    expect(out).toEqual({
      kind: 'addresses',
      ipv4: [...publicIps].sort((a, b) => numeric(a).localeCompare(numeric(b))),
      ipv6: [],
    });
    expect(p.log.snapshot()).toEqual({
      'EC2.DescribeInstances': 1,
      'ECS.DescribeContainerInstances': 1,
      'ECS.ListContainerInstances': 1,
    });
  });
});

describe('observeDns against moto', () => {
  test('reads every public zone once and resolves the target', async () => {
    const example = await createZone('example.com');
    const other = await createZone('other.org');
    await witness().route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: example,
        ChangeBatch: { Changes: [aRecord('old.example.com')] },
      }),
    );
    const p = ports();
    const observed = await observeDns(
      dnsDesired({
        hostnames: ['www.example.com'],
        dns: { target: { kind: 'cname', name: 'edge.example.net' } },
      }),
      p,
      { route53: new Route53Reader(p.route53) },
    );
    expect(observed?.zones.map((z) => z.id).sort()).toEqual([example, other].sort());
    // Every public zone is read: one whose last managed name went away still holds our records.
    expect([...(observed?.records.keys() ?? [])].sort()).toEqual([example, other].sort());
    expect(observed?.records.get(example)?.map((r) => r.name)).toContain('old.example.com');
    expect(observed?.target).toEqual({ kind: 'cname', value: 'edge.example.net' });
    const zonesListed = await witness().route53.send(new ListHostedZonesCommand({}));
    expect(zonesListed.HostedZones).toHaveLength(2);
  });
});
