/**
 * The sandbox's ports name the call on the errors they throw, as the SDK middleware does for SDK
 * clients (call-log-middleware.ts), so that a failure in a sandbox run reads like one against AWS:
 * `ClusterNotFoundException: Cluster not found. (ECS.DescribeServices)`.
 */
import { operationOf } from '../../controller/aws/aws-error';
import { ManualClock } from '../../controller/aws/clock';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { sandboxFromJSON } from '../../controller/aws/sandbox/state-file';

const account = () => sandboxFromJSON(undefined, { clock: new ManualClock(Date.UTC(2024, 0, 1)) });

async function failure(p: Promise<unknown>): Promise<{ name: string; operation?: string }> {
  const err: unknown = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  return { name: (err as Error).name, operation: operationOf(err) };
}

test('every sandbox port stamps its errors with Service.Operation', async () => {
  const acct = account();
  const arn = (kind: string) =>
    `arn:aws:elasticloadbalancing:us-east-1:123456789012:${kind}/app/x/0123456789abcdef`;
  expect(await failure(acct.ecs.describeServices({ cluster: 'nope', services: ['web'] }))).toEqual({
    name: 'ClusterNotFoundException',
    operation: 'ECS.DescribeServices',
  });
  expect(await failure(acct.elbv2.deleteRule({ RuleArn: arn('listener-rule') }))).toEqual({
    name: expect.stringMatching(/^RuleNotFound/),
    operation: 'ELBv2.DeleteRule',
  });
  expect(await failure(acct.route53.listResourceRecordSets({ HostedZoneId: 'Z0NOSUCHZONE' }))).toEqual({
    name: 'NoSuchHostedZone',
    operation: 'Route53.ListResourceRecordSets',
  });
  expect(await failure(acct.ec2.describeInstances({ InstanceIds: ['not-an-id'] }))).toEqual({
    name: 'InvalidInstanceID.Malformed',
    operation: 'EC2.DescribeInstances',
  });
  expect(await failure(acct.sqs.getQueueUrl({ QueueName: 'nope' }))).toEqual({
    name: expect.stringMatching(/NonExistentQueue|QueueDoesNotExist/),
    operation: 'SQS.GetQueueUrl',
  });
});

test("the sandbox's own throttling is stamped with the call it refused", async () => {
  const ecs = new SandboxEcs({
    clock: new ManualClock(Date.UTC(2024, 0, 1)),
    throttle: { ListServices: { burst: 1, perSecond: 1 } },
  });
  await ecs.createCluster({ clusterName: 'demo' });
  await ecs.listServices({ cluster: 'demo' });
  // The clock does not move: the bucket's one token is spent.
  expect(await failure(ecs.listServices({ cluster: 'demo' }))).toEqual({
    name: 'ThrottlingException',
    operation: 'ECS.ListServices',
  });
});
