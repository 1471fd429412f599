/**
 * The leader-election write fence in every SDK client: a mutating call it refuses never reaches the
 * network and is not counted as a call; reads pass; and a retry is checked again (a leader paused
 * between two attempts of one call sends no second attempt once its lease is gone).
 */
import {
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { LeaseLostError, type WriteFence } from '../../controller/aws/write-fence';
import { stubAws } from '../helpers/stub-aws';

let requests: string[] = [];
let failNext = 0;

const stub = stubAws((req, res) => {
  requests.push(String(req.headers['x-amz-target'] ?? req.url));
  if (failNext > 0) {
    failNext--;
    res.statusCode = 503;
    res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'try again' }));
    return;
  }
  res.statusCode = 200;
  res.end(JSON.stringify({ services: [], failures: [], service: { serviceName: 'web' } }));
});
beforeEach(() => {
  requests = [];
  failNext = 0;
});

const refuseAll: WriteFence & { asked: string[] } = {
  asked: [],
  check(operation) {
    this.asked.push(operation);
    throw new LeaseLostError(`${operation} not sent: not the leader`);
  },
};

test('every client refuses its writes without sending or counting them; reads pass', async () => {
  const callLog = new CallLog();
  const c = createAwsClients({ endpoint: stub.endpoint, callLog, fence: refuseAll, maxAttempts: 1 });
  const writes: [string, () => Promise<unknown>][] = [
    ['ECS.UpdateService', () => c.ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'web' }))],
    [
      'ECS.RegisterTaskDefinition',
      () =>
        c.ecsSingleAttempt.send(new RegisterTaskDefinitionCommand({ family: 'f', containerDefinitions: [] })),
    ],
    [
      'Route53.ChangeResourceRecordSets',
      () =>
        c.route53.send(
          new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [] } }),
        ),
    ],
    [
      'ELBv2.CreateRule',
      () =>
        c.elbv2.send(new CreateRuleCommand({ ListenerArn: 'arn', Priority: 1, Conditions: [], Actions: [] })),
    ],
    [
      'SQS.DeleteMessageBatch',
      () => c.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: `${stub.endpoint}/1/q`, Entries: [] })),
    ],
    ['EventBridge.PutRule', () => c.eventBridge.send(new PutRuleCommand({ Name: 'r' }))],
  ];
  for (const [operation, send] of writes) {
    await expect(send()).rejects.toMatchObject({
      name: 'LeaseLostError',
      message: `${operation} not sent: not the leader`,
    });
  }
  expect(refuseAll.asked).toEqual(writes.map(([op]) => op));
  expect(requests).toEqual([]);
  expect(callLog.snapshot()).toEqual({});

  await c.ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['web'] }));
  expect(requests).toEqual(['AmazonEC2ContainerServiceV20141113.DescribeServices']);
  expect(callLog.snapshot()).toEqual({ 'ECS.DescribeServices': 1 });
});

test('each attempt is checked: a retry after the lease is lost is not sent', async () => {
  // Open for the call and its first attempt (middleware, then socket); closed by the time the SDK
  // retries the 503.
  let checks = 0;
  const fence: WriteFence = {
    check(operation) {
      checks++;
      if (checks > 3) throw new LeaseLostError(`${operation} not sent: lease lost`);
    },
  };
  const callLog = new CallLog();
  const c = createAwsClients({ endpoint: stub.endpoint, callLog, fence, maxAttempts: 3 });
  failNext = 1;
  await expect(c.ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'web' }))).rejects.toMatchObject({
    name: 'LeaseLostError',
  });
  expect(requests).toEqual(['AmazonEC2ContainerServiceV20141113.UpdateService']);
  expect(checks).toBe(4);
  expect(callLog.snapshot()).toEqual({ 'ECS.UpdateService': 1 });
});

test('a write whose socket connects after the lease is lost is destroyed before any byte is sent', async () => {
  // Open in the middleware; closed when the new connection is up (a pause while connecting).
  let checks = 0;
  const fence: WriteFence = {
    check(operation) {
      checks++;
      if (checks > 2) throw new LeaseLostError(`${operation} not sent: lease lost`);
    },
  };
  const c = createAwsClients({ endpoint: stub.endpoint, callLog: new CallLog(), fence, maxAttempts: 1 });
  await expect(c.ecs.send(new UpdateServiceCommand({ cluster: 'c', service: 'web' }))).rejects.toMatchObject({
    name: 'LeaseLostError',
  });
  expect(checks).toBe(3);
  expect(requests).toEqual([]);
  // Reads through the same agent are not asked.
  await c.ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['web'] }));
  expect(checks).toBe(3);
  expect(requests).toEqual(['AmazonEC2ContainerServiceV20141113.DescribeServices']);
});
