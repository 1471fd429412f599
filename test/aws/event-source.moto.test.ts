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
 * - moto difference: DeleteMessageBatch with an older receipt handle of a message received again
 *   deletes it (AWS: succeeds and deletes nothing; only the newest handle deletes);
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
import { TEST_REGION } from '../helpers/aws-env';
import { useMoto } from '../helpers/moto';
import { describeEventSourceContract, type EventSourceDifferences } from './event-source-contract';

const moto = useMoto();

/** The differences listed in the header, as the contract names them. */
const MOTO_DIFFERENCES: EventSourceDifferences = {
  queuePolicyNotEnforced: true,
  awsSourceAccepted: true,
  deliveredEventLacksAccount: true,
  staleReceiptHandleDeletes: true,
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
