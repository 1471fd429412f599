/**
 * The SQS and EventBridge SDK modules load only when used: a run without the event source (every
 * run before issue 14, every sandbox start) must not pay for them. Each module's mock factory runs
 * on its first `require`, which is what is counted here.
 */
const mockLoaded = { sqs: 0, eventBridge: 0 };
jest.mock('@aws-sdk/client-sqs', () => {
  mockLoaded.sqs++;
  return jest.requireActual<typeof import('@aws-sdk/client-sqs')>('@aws-sdk/client-sqs');
});
jest.mock('@aws-sdk/client-eventbridge', () => {
  mockLoaded.eventBridge++;
  return jest.requireActual<typeof import('@aws-sdk/client-eventbridge')>('@aws-sdk/client-eventbridge');
});

import type { AwsContext } from '../../controller/cli/aws-context';
import type { sandboxFromJSON } from '../../controller/aws/sandbox/state-file';
import { setTestAwsEnv } from '../helpers/aws-env';

let restoreEnv: () => void;
beforeAll(() => (restoreEnv = setTestAwsEnv()));
afterAll(() => restoreEnv());
beforeEach(() => {
  mockLoaded.sqs = 0;
  mockLoaded.eventBridge = 0;
  jest.resetModules();
});

test('a region context loads them only when its sqs / eventBridge port is first touched', async () => {
  const { AwsContext: Context } = jest.requireActual<{ AwsContext: typeof AwsContext }>(
    '../../controller/cli/aws-context',
  );
  const ctx = await new Context({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }).forRegion(
    'us-east-1',
  );
  void ctx.ecs;
  void ctx.dns;
  expect(mockLoaded).toEqual({ sqs: 0, eventBridge: 0 });
  void ctx.sqs;
  expect(mockLoaded).toEqual({ sqs: 1, eventBridge: 0 });
  void ctx.eventBridge;
  expect(mockLoaded).toEqual({ sqs: 1, eventBridge: 1 });
});

test('the sandbox loads them only to throw their errors', async () => {
  const { sandboxFromJSON: fromJSON } = jest.requireActual<{ sandboxFromJSON: typeof sandboxFromJSON }>(
    '../../controller/aws/sandbox/state-file',
  );
  const sb = fromJSON(undefined);
  const { QueueUrl } = await sb.sqs.createQueue({ QueueName: 'q' });
  await sb.sqs.sendMessage({ QueueUrl, MessageBody: 'm' });
  await sb.sqs.receiveMessage({ QueueUrl });
  await sb.eventBridge.putRule({ Name: 'r', EventPattern: '{"source":["aws.ecs"]}' });
  expect(mockLoaded).toEqual({ sqs: 0, eventBridge: 0 });
  await expect(sb.sqs.getQueueUrl({ QueueName: 'missing' })).rejects.toMatchObject({
    name: 'QueueDoesNotExist',
  });
  await expect(sb.eventBridge.describeRule({ Name: 'missing' })).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
  expect(mockLoaded).toEqual({ sqs: 1, eventBridge: 1 });
});
