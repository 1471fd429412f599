/**
 * The event source's SQS and EventBridge calls through the real SDK clients against moto: the port
 * contract (test/aws/event-source-contract.ts), so that the SDK adapters, the lazily created clients
 * and the request shapes are checked against a real wire protocol.
 *
 * Where moto 5.2.1 is not AWS (read in moto/sqs/models.py and moto/events/models.py, and seen here),
 * the contract is told, and asserts only what both agree on; the AWS behaviour belongs to the
 * sandbox (event-source-contract.sandbox.test.ts):
 * - moto difference: EventBridge delivers to an SQS target whatever the queue policy says (no policy,
 *   or one for another rule's aws:SourceArn); AWS drops the event unless the policy lets
 *   events.amazonaws.com send from that rule. A test of the event source's policy must use the sandbox;
 * - moto difference: PutEvents accepts the source `aws.ecs` (AWS: NotAuthorizedForSourceException),
 *   which lets a moto test publish real-shaped ECS events through the rule; against AWS only ECS can;
 * - moto difference: the delivered event has no `account` field;
 * - moto difference (within what AWS allows): DeleteMessageBatch with an older receipt handle of a
 *   message received again deletes it; AWS documents that the message "might not be deleted", and
 *   the sandbox takes that worse case, so only the newest handle deletes there;
 * - moto difference: a deleted queue's name can be created again at once (AWS: QueueDeletedRecently
 *   for 60 s, which matters to `destroy` then `apply`).
 * moto agrees with AWS on CreateQueue's idempotency (QueueNameExists, code QueueAlreadyExists), the
 * defaults of a new queue (SSE-SQS on), ReceiveMessage's limits (InvalidParameterValue), receive
 * counts, long polling, DeleteRule refused while the rule has targets, and ResourceNotFoundException.
 */
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkEventBridgePort } from '../../controller/aws/sdk-eventbridge-port';
import { SdkSqsPort } from '../../controller/aws/sdk-sqs-port';
import { TEST_REGION, setTestAwsEnv } from '../helpers/aws-env';
import { freePort, useMoto } from '../helpers/moto';
import { describeEventSourceContract, type EventSourceDifferences } from './event-source-contract';

const moto = useMoto();

/** The differences listed in the header, as the contract names them. */
const MOTO_DIFFERENCES: EventSourceDifferences = {
  queuePolicyNotEnforced: true,
  awsSourceAccepted: true,
  deliveredEventLacksAccount: true,
  deletedNameReusable: true,
};

function ports() {
  const log = new CallLog();
  const clients = createAwsClients({ region: TEST_REGION, endpoint: moto.endpoint, callLog: log });
  return { log, sqs: new SdkSqsPort(clients.sqs), eventBridge: new SdkEventBridgePort(clients.eventBridge) };
}

describeEventSourceContract(
  'moto',
  () => {
    const { sqs, eventBridge } = ports();
    return Promise.resolve({ sqs, eventBridge, accountId: '123456789012', region: TEST_REGION });
  },
  MOTO_DIFFERENCES,
);

describe('the SQS and EventBridge clients', () => {
  test('the call log counts their calls per operation; writes count as mutating', async () => {
    const { log, sqs, eventBridge } = ports();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'events' });
    await sqs.getQueueAttributes({ QueueUrl, AttributeNames: ['All'] });
    await sqs.receiveMessage({ QueueUrl });
    await eventBridge.putRule({ Name: 'r', EventPattern: '{"source":["aws.ecs"]}' });
    await eventBridge.describeRule({ Name: 'r' });
    expect(log.snapshot()).toEqual({
      'EventBridge.DescribeRule': 1,
      'EventBridge.PutRule': 1,
      'SQS.CreateQueue': 1,
      'SQS.GetQueueAttributes': 1,
      'SQS.ReceiveMessage': 1,
    });
    expect(log.mutating()).toEqual({ 'EventBridge.PutRule': 1, 'SQS.CreateQueue': 1 });
  });

  test('AWS_ENDPOINT_URL routes both; AWS_ENDPOINT_URL_SQS and _EVENTBRIDGE win over it', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const envs: Record<string, string>[] = [
      { AWS_ENDPOINT_URL: moto.endpoint },
      {
        AWS_ENDPOINT_URL: dead,
        AWS_ENDPOINT_URL_SQS: moto.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: moto.endpoint,
      },
    ];
    for (const env of envs) {
      const restore = setTestAwsEnv(env);
      try {
        const clients = createAwsClients({ callLog: new CallLog(), maxAttempts: 1 });
        await new SdkSqsPort(clients.sqs).createQueue({ QueueName: 'via-env' });
        await new SdkEventBridgePort(clients.eventBridge).putRule({ Name: 'via-env', EventPattern: '{}' });
      } finally {
        restore();
      }
    }
    const { sqs, eventBridge } = ports();
    expect((await sqs.getQueueUrl({ QueueName: 'via-env' })).QueueUrl).toMatch(/\/via-env$/);
    expect((await eventBridge.describeRule({ Name: 'via-env' })).Name).toBe('via-env');
  });

  test("a stop aborts a long poll at once (the signal reaches the SDK's HTTP request)", async () => {
    const { sqs } = ports();
    const { QueueUrl } = await sqs.createQueue({ QueueName: 'poll' });
    const stop = new AbortController();
    const started = Date.now();
    const polling = sqs.receiveMessage({ QueueUrl, WaitTimeSeconds: 20 }, { signal: stop.signal });
    setTimeout(() => stop.abort(), 200);
    await expect(polling).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
