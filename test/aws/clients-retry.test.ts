import { AccountLimiter, limitPort } from '../../controller/aws/account-limiter';
import { CallLog } from '../../controller/aws/call-log';
import { ManualClock } from '../../controller/aws/clock';
import { createAwsClients } from '../../controller/aws/clients';
import { isRetryableError } from '../../controller/aws/retryable';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { stubAws } from '../helpers/stub-aws';
import { failedResult } from '../../controller/reconcile/result-of';
import type { PlannedAction } from '../../controller/plan/plan-types';

// moto never throttles, so a tiny ECS stand-in answers ThrottlingException a given number of times
// and then succeeds: that is what the standard retry strategy and our retry counter see from AWS.

let throttleNext = 0;
let resetNext = 0;
let requests = 0;

const stub = stubAws((req, res) => {
  requests++;
  if (resetNext > 0) {
    resetNext--;
    req.socket.destroy();
    return;
  }
  if (throttleNext > 0) {
    throttleNext--;
    res.statusCode = 400;
    res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    return;
  }
  res.statusCode = 200;
  res.end(JSON.stringify({ clusters: [], failures: [] }));
});

test('throttled attempts are retried and counted as retries, the call once', async () => {
  const log = new CallLog();
  const port = new SdkEcsPort(createAwsClients({ endpoint: stub.endpoint, callLog: log }).ecs);
  throttleNext = 2;
  requests = 0;
  await port.describeClusters({ clusters: ['demo'] });
  expect(requests).toBe(3);
  expect(log.snapshot()).toEqual({ 'ECS.DescribeClusters': 1 });
  expect(log.retrySnapshot()).toEqual({ 'ECS.DescribeClusters': 2 });
  // The wasted attempts: both throttled ones, though the SDK retried them on its own.
  expect(log.throttledSnapshot()).toEqual({ 'ECS.DescribeClusters': 2 });
});

test('the SDK gives up, the AccountLimiter retries on: throttling never reaches the caller, every throttled attempt counted once', async () => {
  const log = new CallLog();
  const sdk = new SdkEcsPort(createAwsClients({ endpoint: stub.endpoint, callLog: log, maxAttempts: 2 }).ecs);
  // No callLog for the limiter: the middleware counts SDK-backed throttles (as aws-context.ts does).
  const port = limitPort(sdk, 'ECS', new AccountLimiter({ clock: new ManualClock() }));
  throttleNext = 5;
  requests = 0;
  await expect(port.describeClusters({})).resolves.toMatchObject({ clusters: [] });
  expect(requests).toBe(6);
  expect(log.throttledTotal()).toBe(5);
  expect(log.snapshot()).toEqual({ 'ECS.DescribeClusters': 3 });
});

test('a reset connection that ends the attempts reaches the caller as itself, safe to retry, not as a wrapper without code', async () => {
  const log = new CallLog();
  const port = new SdkEcsPort(
    createAwsClients({ endpoint: stub.endpoint, callLog: log, maxAttempts: 1 }).ecs,
  );
  resetNext = 1;
  requests = 0;
  const err: unknown = await port.describeClusters({}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(requests).toBe(1);
  // Node's socket error is made outside jest's realm: without ownRealmError the SDK's retry
  // middleware would turn it into "AWS SDK error wrapper for TimeoutError: socket hang up".
  expect(err).toBeInstanceOf(Error);
  expect(err).toMatchObject({ name: 'TimeoutError', code: 'ECONNRESET' });
  expect(isRetryableError(err)).toBe(true);
  expect(log.snapshot()).toEqual({ 'ECS.DescribeClusters': 1 });
});

test('maxAttempts bounds the attempts; the ThrottlingException then reaches the caller', async () => {
  const log = new CallLog();
  const port = new SdkEcsPort(
    createAwsClients({ endpoint: stub.endpoint, callLog: log, maxAttempts: 2 }).ecs,
  );
  throttleNext = 5;
  requests = 0;
  await expect(port.describeClusters({})).rejects.toMatchObject({ name: 'ThrottlingException' });
  expect(requests).toBe(2);
  expect(log.retrySnapshot()).toEqual({ 'ECS.DescribeClusters': 1 });
  throttleNext = 0;
});

test('an error that survives the retries names the AWS call it came from, the attempts and that re-running is safe', async () => {
  const sdk = new SdkEcsPort(
    createAwsClients({ endpoint: stub.endpoint, callLog: new CallLog(), maxAttempts: 2 }).ecs,
  );
  throttleNext = 2;
  const err = await sdk.describeClusters({ clusters: ['demo'] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const action = { id: 'cluster/demo', resource: 'cluster', name: 'demo' } as PlannedAction;
  expect(failedResult(action, err).message).toBe(
    'ThrottlingException: Rate exceeded (ECS.DescribeClusters; gave up after 2 attempts; safe to re-run: apply reads what is in place first)',
  );
});
