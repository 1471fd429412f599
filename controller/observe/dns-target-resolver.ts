import type { DnsTarget, ResolvedDnsTarget } from '../model/dns';
import type { Ec2Port } from '../aws/ec2-port';
import type { EcsReadPort } from '../aws/ecs-port';
import type { Elbv2Port } from '../aws/elbv2-port';
import { comparedDnsName } from '../model/dns-names';

/** ListContainerInstances and DescribeContainerInstances take at most 100. */
export const CONTAINER_INSTANCES_PAGE = 100;
/**
 * EC2 documents no fixed cap on InstanceIds, but very long id lists hit request-size limits; 200 per
 * DescribeInstances is well inside them.
 */
export const DESCRIBE_INSTANCES_BATCH = 200;

export interface DnsTargetPorts {
  elbv2: Elbv2Port;
  ec2: Ec2Port;
  ecs: EcsReadPort;
}

/**
 * The value every managed record should get, read from AWS. Errors propagate (the caller reports
 * them: an unknown load balancer is a config error, not a reason to delete records).
 */
export async function resolveDnsTarget(
  target: DnsTarget,
  cluster: string,
  ports: DnsTargetPorts,
): Promise<ResolvedDnsTarget> {
  switch (target.kind) {
    case 'loadBalancer':
      return resolveLoadBalancer(target.nameOrArn, ports.elbv2);
    case 'cname':
      return { kind: 'cname', value: comparedDnsName(target.name) };
    case 'addresses':
      return splitAddresses(target.addresses);
    case 'instances':
      return resolveInstances(cluster, ports);
  }
}

async function resolveLoadBalancer(nameOrArn: string, elbv2: Elbv2Port): Promise<ResolvedDnsTarget> {
  const byArn = nameOrArn.startsWith('arn:');
  const out = await elbv2.describeLoadBalancers(
    byArn ? { LoadBalancerArns: [nameOrArn] } : { Names: [nameOrArn] },
  );
  const lb = (out.LoadBalancers ?? []).find((x) =>
    byArn ? x.LoadBalancerArn === nameOrArn : x.LoadBalancerName === nameOrArn,
  );
  if (!lb?.DNSName || !lb.CanonicalHostedZoneId) {
    throw new Error(`load balancer ${nameOrArn} has no DNS name or canonical hosted zone`);
  }
  return {
    kind: 'alias',
    dnsName: comparedDnsName(lb.DNSName),
    hostedZoneId: lb.CanonicalHostedZoneId,
    dualstack: (lb.IpAddressType ?? '').startsWith('dualstack'),
  };
}

/** IPv4 and IPv6, each sorted and without duplicates (IPv6 in lower case). */
function splitAddresses(addresses: Iterable<string>): ResolvedDnsTarget {
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  for (const a of addresses) {
    if (a.includes(':')) ipv6.add(a.toLowerCase());
    else ipv4.add(a);
  }
  return { kind: 'addresses', ipv4: sortIpv4([...ipv4]), ipv6: [...ipv6].sort() };
}

/** Numeric order (10.0.0.9 before 10.0.0.10), so the record's value is stable. */
function sortIpv4(ips: string[]): string[] {
  const key = (ip: string) =>
    ip
      .split('.')
      .map((p) => p.padStart(3, '0'))
      .join('.');
  return ips.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** ACTIVE container instances -> their EC2 instances -> public IPv4s and IPv6 addresses. */
async function resolveInstances(cluster: string, ports: DnsTargetPorts): Promise<ResolvedDnsTarget> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ports.ecs
      .listContainerInstances({
        cluster,
        status: 'ACTIVE',
        maxResults: CONTAINER_INSTANCES_PAGE,
        ...(nextToken ? { nextToken } : {}),
      })
      .catch((err: unknown): { containerInstanceArns?: string[]; nextToken?: string } => {
        // A cluster this apply is about to create has no instances yet: no addresses, not an error.
        if ((err as { name?: string })?.name === 'ClusterNotFoundException')
          return { containerInstanceArns: [] };
        throw err;
      });
    arns.push(...(page.containerInstanceArns ?? []));
    nextToken = page.nextToken || undefined;
  } while (nextToken);

  const instanceIds = new Set<string>();
  for (const batch of chunks(arns, CONTAINER_INSTANCES_PAGE)) {
    const out = await ports.ecs.describeContainerInstances({ cluster, containerInstances: batch });
    for (const ci of out.containerInstances ?? []) {
      if (ci.status === 'ACTIVE' && ci.ec2InstanceId) instanceIds.add(ci.ec2InstanceId);
    }
  }

  const addresses: string[] = [];
  for (const batch of chunks([...instanceIds], DESCRIBE_INSTANCES_BATCH)) {
    const out = await ports.ec2.describeInstances({ InstanceIds: batch });
    for (const reservation of out.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        if (instance.PublicIpAddress) addresses.push(instance.PublicIpAddress);
        if (instance.Ipv6Address) addresses.push(instance.Ipv6Address);
        for (const eni of instance.NetworkInterfaces ?? []) {
          for (const v6 of eni.Ipv6Addresses ?? []) if (v6.Ipv6Address) addresses.push(v6.Ipv6Address);
        }
      }
    }
  }
  return splitAddresses(addresses);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
