import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
} from '@aws-sdk/client-ec2';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkElbv2Port } from '../../controller/aws/sdk-elbv2-port';
import { TEST_REGION } from './aws-env';

/**
 * An Application Load Balancer on moto, set up through the real SDK clients the way a user's
 * account has one before `loadBalancer: { name: ... }` points ecs-gitops at it: a VPC, two subnets
 * in two zones, a security group open on 80 and 443, an internet-facing ALB, and an HTTP:80
 * listener whose default action answers 404. Optionally an HTTPS:443 listener (with an ACM
 * certificate) and a rule ecs-gitops does not own (priority 1, forwarding to a target group of its
 * own). The setup's calls go to a call log of their own, so a test's counts start at zero.
 */
export interface AlbFixture {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
  loadBalancerArn: string;
  loadBalancerName: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  httpListenerArn: string;
  /** With `https: true`. */
  httpsListenerArn?: string;
  certificateArn?: string;
  /** With `foreignRule`: an untagged rule and its untagged target group. */
  foreignRule?: { ruleArn: string; targetGroupArn: string; targetGroupName: string; host: string };
}

export interface AlbFixtureOptions {
  /** Default `shared-alb`. */
  name?: string;
  https?: boolean;
  /** The host of a foreign rule at priority 1 on the HTTP listener. */
  foreignRule?: { host: string };
}

export const FOREIGN_TARGET_GROUP = 'legacy-app';

type Clients = ReturnType<typeof createAwsClients>;

/** SDK clients on moto for one setup, with a call log of their own, closed after it. */
async function withClients<T>(endpoint: string, f: (clients: Clients) => Promise<T>): Promise<T> {
  const clients = createAwsClients({ region: TEST_REGION, endpoint, callLog: new CallLog() });
  try {
    return await f(clients);
  } finally {
    clients.ec2.destroy();
    clients.elbv2.destroy();
    clients.ecs.destroy();
  }
}

export function createAlbFixture(endpoint: string, opts: AlbFixtureOptions = {}): Promise<AlbFixture> {
  return withClients(endpoint, async (clients) => {
    const ec2 = clients.ec2;
    const elbv2 = new SdkElbv2Port(clients.elbv2);
    const { vpcId, subnetIds, securityGroupId } = await createNetwork(ec2);

    const name = opts.name ?? 'shared-alb';
    const lb = (
      await elbv2.createLoadBalancer({
        Name: name,
        Type: 'application',
        Scheme: 'internet-facing',
        IpAddressType: 'ipv4',
        Subnets: subnetIds,
        SecurityGroups: [securityGroupId],
      })
    ).LoadBalancers?.[0];
    const loadBalancerArn = lb?.LoadBalancerArn ?? '';
    const notFound = [
      {
        Type: 'fixed-response' as const,
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
      },
    ];
    const httpListenerArn =
      (
        await elbv2.createListener({
          LoadBalancerArn: loadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: notFound,
        })
      ).Listeners?.[0]?.ListenerArn ?? '';

    const fixture: AlbFixture = {
      vpcId,
      subnetIds,
      securityGroupId,
      loadBalancerArn,
      loadBalancerName: name,
      dnsName: lb?.DNSName ?? '',
      canonicalHostedZoneId: lb?.CanonicalHostedZoneId ?? '',
      httpListenerArn,
    };

    if (opts.https) {
      // moto checks an HTTPS listener's ACM certificate exists (an IAM server certificate ARN it
      // takes unchecked); the SDK's ACM client is not a dependency, so one JSON call requests it.
      const certificateArn = await requestAcmCertificate(endpoint, `*.${name}.example.com`);
      fixture.certificateArn = certificateArn;
      fixture.httpsListenerArn =
        (
          await elbv2.createListener({
            LoadBalancerArn: loadBalancerArn,
            Protocol: 'HTTPS',
            Port: 443,
            Certificates: [{ CertificateArn: certificateArn }],
            SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
            DefaultActions: notFound,
          })
        ).Listeners?.[0]?.ListenerArn ?? '';
    }

    if (opts.foreignRule) {
      const tg = (
        await elbv2.createTargetGroup({
          Name: FOREIGN_TARGET_GROUP,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          TargetType: 'instance',
        })
      ).TargetGroups?.[0];
      const targetGroupArn = tg?.TargetGroupArn ?? '';
      const rule = (
        await elbv2.createRule({
          ListenerArn: httpListenerArn,
          Priority: 1,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [opts.foreignRule.host] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
        })
      ).Rules?.[0];
      fixture.foreignRule = {
        ruleArn: rule?.RuleArn ?? '',
        targetGroupArn,
        targetGroupName: FOREIGN_TARGET_GROUP,
        host: opts.foreignRule.host,
      };
    }
    return fixture;
  });
}

/**
 * The network an ALB needs, alone (for a balancer ecs-gitops creates itself): a VPC, two subnets in
 * two zones, and a security group open on 80 and 443.
 */
export interface NetworkFixture {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

export function createNetworkFixture(endpoint: string): Promise<NetworkFixture> {
  return withClients(endpoint, (clients) => createNetwork(clients.ec2));
}

/** One more security group in the VPC (no rules), for a test that changes a balancer's groups. */
export function createSecurityGroup(endpoint: string, vpcId: string, name: string): Promise<string> {
  return withClients(endpoint, async (clients) => {
    const out = await clients.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
    );
    return out.GroupId ?? '';
  });
}

async function createNetwork(ec2: Clients['ec2']): Promise<NetworkFixture> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnetIds: string[] = [];
  for (const [i, zone] of [`${TEST_REGION}a`, `${TEST_REGION}b`].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${i + 1}.0/24`, AvailabilityZone: zone }),
    );
    subnetIds.push(subnet.Subnet?.SubnetId ?? '');
  }
  const securityGroupId =
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'shared ALB', VpcId: vpcId }),
      )
    ).GroupId ?? '';
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroupId,
      IpPermissions: [80, 443].map((port) => ({
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      })),
    }),
  );
  return { vpcId, subnetIds, securityGroupId };
}

/** ACM RequestCertificate on moto (AWS JSON 1.1; moto routes it by the credential scope's service). */
export async function requestAcmCertificate(endpoint: string, domainName: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'CertificateManager.RequestCertificate',
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${TEST_REGION}/acm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ DomainName: domainName, ValidationMethod: 'DNS' }),
  });
  const body = (await res.json()) as { CertificateArn?: string };
  if (!res.ok || !body.CertificateArn) {
    throw new Error(`ACM RequestCertificate on moto failed: HTTP ${res.status} ${JSON.stringify(body)}`);
  }
  return body.CertificateArn;
}
