/**
 * EventSources with one queue for clusters of two Regions (`run --events-queue URL`): one consumer
 * polls it, and every event of either Region reaches its cluster as a hint; none is thrown away as
 * "another Region's" (with one consumer per Region, each would delete the other's events).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { realSleep } from '../../controller/aws/clock';
import { EcsView } from '../../controller/model/ecs-view';
import { EventSources } from '../../controller/reconcile/event-sources';
import { createLogger } from '../../controller/telemetry/logger';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { newSandboxAccount } from '../helpers/sandbox';

const deployment = (region: string, cluster: string, service: string, id: number): string => {
  const e = JSON.parse(
    readFileSync(path.join(__dirname, '../fixtures/ecs-events/deployment-failed.json'), 'utf8'),
  ) as Record<string, unknown>;
  return JSON.stringify({
    ...e,
    id: `event-${region}-${id}`,
    region,
    resources: [`arn:aws:ecs:${region}:123456789012:service/${cluster}/${service}`],
  });
};

test('one queue shared by clusters of two Regions: one consumer, every event becomes a hint', async () => {
  const acct = newSandboxAccount();
  const url = (await acct.sqs.createQueue({ QueueName: 'shared-events' })).QueueUrl!;
  const hints: string[] = [];
  const metrics = new ControllerMetrics();
  const sources = new EventSources({
    view: new EcsView(),
    metrics,
    log: createLogger({ level: 'silent' }),
    // Real waits for the sources' own loops (a ManualClock's sleep returns at once: the view's
    // resync loop would spin); the sandbox queue runs on the account's manual clock.
    clock: { now: () => acct.clock.now(), sleep: realSleep },
    portsFor: () => Promise.resolve({ sqs: acct.sqs, ecs: acct.ecs }),
    hint: (cluster, service) => void hints.push(`${cluster}/${service}`),
    hintCluster: () => undefined,
    fullResyncMs: 3_600_000,
    defaultQueue: url,
    accountId: () => Promise.resolve('123456789012'),
  });
  const received = jest.spyOn(acct.sqs, 'receiveMessage');
  try {
    sources.configure('east', 'demo-east', 'us-east-1', undefined);
    sources.configure('west', 'demo-west', 'us-west-2', undefined);
    const expected: string[] = [];
    for (let i = 0; i < 5; i++) {
      await acct.sqs.sendMessage({
        QueueUrl: url,
        MessageBody: deployment('us-east-1', 'demo-east', 'api', i),
      });
      await acct.sqs.sendMessage({
        QueueUrl: url,
        MessageBody: deployment('us-west-2', 'demo-west', 'web', i),
      });
      expected.push('demo-east/api', 'demo-west/web');
    }
    // An event of a third Region, and one of another account: not ours.
    await acct.sqs.sendMessage({
      QueueUrl: url,
      MessageBody: deployment('eu-west-1', 'demo-east', 'api', 9),
    });
    await acct.sqs.sendMessage({
      QueueUrl: url,
      MessageBody: deployment('us-east-1', 'demo-east', 'api', 10).replaceAll('123456789012', '210987654321'),
    });
    for (let i = 0; i < 100 && hints.length < expected.length; i++) await realSleep(20);
    await realSleep(100); // for any late, unwanted hint
    expect(hints.sort()).toEqual(expected.sort());
    expect(await metrics.text()).toMatch(/ecs_gitops_events_ignored_total\{reason="malformed"\} 2\b/);
    // One consumer: one queue URL polled, however many Regions feed it.
    expect(new Set(received.mock.calls.map(([input]) => input.QueueUrl))).toEqual(new Set([url]));
    const left = await acct.sqs.getQueueAttributes({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    });
    expect(left.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });

    // Released: the queue's lag series goes with its consumer.
    expect(await metrics.text()).toContain(`ecs_gitops_event_queue_lag_seconds{queue="${url}"}`);
    sources.release('east');
    sources.release('west');
    for (let i = 0; i < 50 && (await metrics.text()).includes(url); i++) await realSleep(20);
    expect(await metrics.text()).not.toContain(url);
  } finally {
    await sources.stop();
  }
});
