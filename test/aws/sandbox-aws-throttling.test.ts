/**
 * The sandbox's "aws-like throttling": AWS's published buckets (controller/aws/throttle-groups.ts),
 * one per group of actions and shared by them, starting full, refilling on the sandbox clock, and
 * answered the way each service answers (code, class, message, fault). Off unless asked for.
 */
import { ECSServiceException } from '@aws-sdk/client-ecs';
import { Route53ServiceException } from '@aws-sdk/client-route-53';
import { newSandboxAccount } from '../helpers/sandbox';

/** Runs `n` calls one after the other; returns how many succeeded before the first error, and it. */
async function burst(n: number, call: () => Promise<unknown>): Promise<{ ok: number; error?: Error }> {
  for (let i = 0; i < n; i++) {
    try {
      await call();
    } catch (err) {
      return { ok: i, error: err as Error };
    }
  }
  return { ok: n };
}

describe('sandbox aws-like throttling', () => {
  it('is off by default: 300 DescribeClusters at one instant all pass', async () => {
    const { ecs } = newSandboxAccount();
    expect((await burst(300, () => ecs.describeClusters({ clusters: ['a'] }))).ok).toBe(300);
  });

  it('ECS: a group bucket of 50 then 20/s (Cluster read actions), answered ThrottlingException "Rate exceeded"', async () => {
    const { ecs, clock } = newSandboxAccount({ awsThrottling: true });
    const first = await burst(60, () => ecs.describeClusters({ clusters: ['a'] }));
    expect(first.ok).toBe(50);
    expect(first.error).toBeInstanceOf(ECSServiceException);
    expect(first.error?.name).toBe('ThrottlingException');
    expect(first.error?.message).toBe('Rate exceeded');
    expect((first.error as ECSServiceException).$fault).toBe('client');
    // Refill on the sandbox clock: 20 tokens a second, never more than the burst.
    clock.advance(1000);
    expect((await burst(30, () => ecs.describeClusters({ clusters: ['a'] }))).ok).toBe(20);
    clock.advance(60_000);
    expect((await burst(60, () => ecs.describeClusters({ clusters: ['a'] }))).ok).toBe(50);
    // Every attempt is counted, the refused ones too (AWS counts them: they cost a request).
    expect(ecs.callLog.snapshot()).toEqual({ 'ECS.DescribeClusters': 51 + 21 + 51 });
  });

  it('ECS: the actions of a group share one bucket; other groups have their own', async () => {
    const { ecs } = newSandboxAccount({ awsThrottling: true });
    await ecs.createCluster({ clusterName: 'c' });
    // Service read actions: DescribeServices and ListServices share 100.
    expect((await burst(60, () => ecs.listServices({ cluster: 'c' }))).ok).toBe(60);
    const rest = await burst(60, () => ecs.describeServices({ cluster: 'c', services: ['x'] }));
    expect(rest.ok).toBe(40);
    expect(rest.error?.name).toBe('ThrottlingException');
    // Cluster read actions are another bucket, still full.
    expect((await burst(60, () => ecs.describeClusters({ clusters: ['c'] }))).ok).toBe(50);
    // Cluster modify actions: 20 and 1/s (CreateCluster took one above).
    expect((await burst(30, () => ecs.createCluster({ clusterName: 'c' }))).ok).toBe(19);
  });

  it('ECS: Service modify actions hold 50 and refill 5/s', async () => {
    const { ecs, clock } = newSandboxAccount({ awsThrottling: true });
    await ecs.createCluster({ clusterName: 'c' });
    const update = () =>
      ecs.deleteService({ cluster: 'c', service: 'none' }).catch((e: Error) => {
        if (e.name === 'ThrottlingException') throw e;
      });
    expect((await burst(60, update)).ok).toBe(50);
    clock.advance(2000);
    expect((await burst(60, update)).ok).toBe(10);
  });

  it('Route53: one account-level bucket (50, 10/s) over every action, answered Throttling "Rate exceeded"', async () => {
    const { route53, clock } = newSandboxAccount({ awsThrottling: true });
    const zone = route53.createHostedZone('example.test');
    expect((await burst(30, () => route53.listHostedZones({}))).ok).toBe(30);
    const rest = await burst(30, () => route53.listResourceRecordSets({ HostedZoneId: zone }));
    expect(rest.ok).toBe(20);
    expect(rest.error).toBeInstanceOf(Route53ServiceException);
    expect(rest.error?.name).toBe('Throttling');
    expect(rest.error?.message).toBe('Rate exceeded');
    clock.advance(500);
    expect((await burst(10, () => route53.listHostedZones({}))).ok).toBe(5);
  });

  it('ELBv2: the account-level bucket (40, 10/s) caps the sum of its groups, answered Throttling', async () => {
    const { elbv2, clock } = newSandboxAccount({ awsThrottling: true });
    expect((await burst(25, () => elbv2.describeTargetGroups({}))).ok).toBe(25);
    // Mutating actions have a bucket of 20 of their own, but the account has 15 tokens left.
    const deleteRule = () =>
      elbv2
        .deleteRule({
          RuleArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/x/1/2/3',
        })
        .catch((e: Error) => {
          if (e.name === 'Throttling') throw e;
        });
    const rest = await burst(25, deleteRule);
    expect(rest.ok).toBe(15);
    expect(rest.error?.name).toBe('Throttling');
    expect(rest.error?.message).toBe('Rate exceeded');
    clock.advance(1000);
    expect((await burst(20, () => elbv2.describeLoadBalancers({}))).ok).toBe(10);
  });
});

describe("a test's per-operation table (`throttle`), the same mechanism beside AWS's buckets", () => {
  it('a call draws from both; one refused by either takes nothing from the other; setting the table leaves the AWS buckets as they are', async () => {
    const { ecs, clock } = newSandboxAccount({ awsThrottling: true });
    await ecs.createCluster({ clusterName: 'c' });
    const list = () => ecs.listServices({ cluster: 'c' });
    const describe = () => ecs.describeServices({ cluster: 'c', services: ['x'] });
    // Service read actions (AWS): 100, then 20/s. ListServices' own (the table): 5, then 1/s.
    ecs.setThrottle({ ListServices: { burst: 5, perSecond: 1 } });
    expect(await burst(10, list)).toMatchObject({ ok: 5, error: { name: 'ThrottlingException' } });
    // The table refused the 6th: the AWS group's bucket gave nothing for it (95 left, not 94).
    expect((await burst(100, describe)).ok).toBe(95);
    // Now the AWS bucket is empty: a ListServices the table would take is refused by AWS's, and
    // takes nothing from the table (a new one, full: setting it leaves AWS's bucket empty).
    ecs.setThrottle({ ListServices: { burst: 5, perSecond: 1 } });
    expect((await burst(3, list)).ok).toBe(0);
    // A quarter second: AWS's refills 5, the table's a quarter token; the table still holds its
    // 5, as the refused calls took none of them.
    clock.advance(250);
    expect((await burst(10, list)).ok).toBe(5);
    // Without the table, only AWS's buckets are left.
    ecs.setThrottle(undefined);
    clock.advance(1000);
    expect((await burst(30, list)).ok).toBe(20);
  });
});
