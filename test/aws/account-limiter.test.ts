/**
 * The client-side AccountLimiter: paces calls by AWS's published buckets (a group's actions share
 * one), retries what AWS still throttles with the bucket emptied and its rate halved, counts every
 * throttled attempt, surfaces other errors at once, and lets a stopping controller's writes through
 * to the stop gate instead of making them wait for tokens.
 */
import {
  AccountLimiter,
  MAX_THROTTLED_ATTEMPTS,
  limitPort,
  sharedAccountLimiter,
} from '../../controller/aws/account-limiter';
import { CallLog } from '../../controller/aws/call-log';
import { VirtualClock } from '../../controller/aws/clock';
import { errors as sandboxErrors } from '../../controller/aws/sandbox/errors';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { gateWrites, StoppingError } from '../../controller/aws/stop-gate';

/** ECS's throttled answer, as the SDK throws it (the sandbox builds it the same way). */
const throttling = sandboxErrors.throttling;

describe('AccountLimiter', () => {
  it('paces a group by its bucket: 60 DescribeClusters + 20 ListServices take (60 - 50) / 20 s (+ 50 ms for the trip), none throttled', async () => {
    const clock = new VirtualClock(0);
    const sb = new SandboxEcs({ clock, awsThrottling: true });
    const log = new CallLog();
    const ecs = limitPort(sb, 'ECS', new AccountLimiter({ clock }), { callLog: log });
    await clock.run(
      Promise.all([
        ...Array.from({ length: 60 }, () => ecs.describeClusters({ clusters: ['x'] })),
        // Another group (Service read actions): no wait of its own.
        ...Array.from({ length: 20 }, () => ecs.listServices({ cluster: 'default' }).catch(() => undefined)),
      ]),
    );
    expect(clock.now()).toBe(550);
    expect(log.throttledTotal()).toBe(0);
    expect(sb.callLog.snapshot()).toEqual({ 'ECS.DescribeClusters': 60, 'ECS.ListServices': 20 });
  });

  it('retries a throttled call after emptying the bucket and halving its rate; the throttled attempts are counted', async () => {
    const clock = new VirtualClock(0);
    const log = new CallLog();
    let refuse = 2;
    const times: number[] = [];
    const port = {
      createService: () => {
        times.push(clock.now());
        if (refuse-- > 0) return Promise.reject(throttling());
        return Promise.resolve({ service: {} });
      },
    };
    const limited = limitPort(port, 'ECS', new AccountLimiter({ clock }), { callLog: log });
    await clock.run(limited.createService());
    // Service modify actions refill 5/s: after the first refusal 2.5/s (400 ms a token), then 1.25/s.
    expect(times).toEqual([0, 400, 1200]);
    expect(log.throttledSnapshot()).toEqual({ 'ECS.CreateService': 2 });
  });

  it(`gives up after ${MAX_THROTTLED_ATTEMPTS} throttled attempts, all counted`, async () => {
    const clock = new VirtualClock(0);
    const log = new CallLog();
    let attempts = 0;
    const port = {
      describeServices: () => {
        attempts++;
        return Promise.reject(throttling());
      },
    };
    const limited = limitPort(port, 'ECS', new AccountLimiter({ clock }), { callLog: log });
    await expect(clock.run(limited.describeServices())).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(attempts).toBe(MAX_THROTTLED_ATTEMPTS);
    expect(log.throttledTotal()).toBe(MAX_THROTTLED_ATTEMPTS);
  });

  it('surfaces any other error at once', async () => {
    const clock = new VirtualClock(0);
    let attempts = 0;
    const port = {
      describeServices: () => {
        attempts++;
        return Promise.reject(Object.assign(new Error('no'), { name: 'ClusterNotFoundException' }));
      },
    };
    const limited = limitPort(port, 'ECS', new AccountLimiter({ clock }));
    await expect(clock.run(limited.describeServices())).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
    });
    expect(attempts).toBe(1);
  });

  it('a write waiting for a token when the controller stops is refused by the gate at once, not sent later', async () => {
    const clock = new VirtualClock(0);
    const sb = new SandboxEcs({ clock, awsThrottling: true });
    const stop = new AbortController();
    const limiter = new AccountLimiter({ clock });
    const ecs = limitPort(gateWrites(sb, stop.signal), 'ECS', limiter, { signal: stop.signal });
    // Cluster modify actions: 20 tokens, then one a second.
    const writes = Array.from({ length: 25 }, (_, i) =>
      ecs.createCluster({ clusterName: `c${i}` }).then(
        () => 'sent',
        (e: Error) => (e instanceof StoppingError ? 'refused' : e.name),
      ),
    );
    // The first 20 are sent; 5 wait for the clock, which does not move before the stop.
    await new Promise((r) => setImmediate(r));
    stop.abort();
    const outcomes = await clock.run(Promise.all(writes));
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(20);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
    expect(clock.now()).toBe(0);
    expect(sb.callLog.snapshot()).toEqual({ 'ECS.CreateCluster': 20 });
  });

  it('is one per account and Region in a process', () => {
    expect(sharedAccountLimiter('t|eu-west-1')).toBe(sharedAccountLimiter('t|eu-west-1'));
    expect(sharedAccountLimiter('t|eu-west-1')).not.toBe(sharedAccountLimiter('t|us-east-1'));
  });
});
