/**
 * The event source's SQS and EventBridge contract (test/aws/event-source-contract.ts) on the strict
 * sandbox, with no differences declared: it behaves as AWS documents every step (moto's run names
 * its differences). Real time: the long poll test waits on a real timer.
 */
import { sandboxFromJSON } from '../../controller/aws/sandbox/state-file';
import { describeEventSourceContract } from './event-source-contract';

describeEventSourceContract('sandbox', () => {
  const sb = sandboxFromJSON(undefined);
  return Promise.resolve({
    sqs: sb.sqs,
    eventBridge: sb.eventBridge,
    accountId: sb.ecs.accountId,
    region: sb.ecs.region,
  });
});
