import { ManualClock } from '../../controller/aws/clock';
import {
  EventConsumer,
  type MessageSource,
  type ReceivedMessage,
} from '../../controller/reconcile/event-consumer';
import { createLogger } from '../../controller/telemetry/logger';

const log = createLogger({ level: 'silent' });

/** A queue scripted batch by batch; an Error in the script is a failed receive. Then it blocks. */
function scriptedSource(script: (ReceivedMessage[] | Error)[]) {
  const removed: string[][] = [];
  let receives = 0;
  const source: MessageSource = {
    name: 'q',
    receive: (signal) => {
      receives++;
      const next = script.shift();
      if (next instanceof Error) return Promise.reject(next);
      if (next) return Promise.resolve(next);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve([]), { once: true }));
    },
    remove: (handles) => {
      removed.push([...handles]);
      return Promise.resolve();
    },
  };
  return { source, removed, receives: () => receives };
}

const msg = (n: number, sentAt?: number): ReceivedMessage => ({
  receiptHandle: `h${n}`,
  body: `{"n":${n}}`,
  ...(sentAt !== undefined ? { sentAt } : {}),
});

const settle = () => new Promise((r) => setTimeout(r, 5));

test('each batch is handled, then deleted in one call; a message whose handling throws is kept for a retry', async () => {
  const q = scriptedSource([[msg(1), msg(2), msg(3)], [msg(4)]]);
  const handled: string[] = [];
  const consumer = new EventConsumer({
    source: q.source,
    clock: new ManualClock(0),
    log,
    handle: (m) => {
      if (m.receiptHandle === 'h2') throw new Error('bug');
      handled.push(m.body);
    },
  });
  consumer.start();
  await settle();
  await consumer.stop();
  expect(handled).toEqual(['{"n":1}', '{"n":3}', '{"n":4}']);
  expect(q.removed).toEqual([['h1', 'h3'], ['h4']]);
});

test('a failing queue is retried with doubling backoff and never ends the loop', async () => {
  const clock = new ManualClock(0);
  const q = scriptedSource([new Error('Throttling'), new Error('Throttling'), new Error('x'), [msg(1)]]);
  const handled: string[] = [];
  const consumer = new EventConsumer({
    source: q.source,
    clock,
    log,
    handle: (m) => handled.push(m.receiptHandle),
  });
  consumer.start();
  await settle();
  await consumer.stop();
  expect(handled).toEqual(['h1']);
  expect(clock.now()).toBe(1000 + 2000 + 4000);
});

test('the lag is the age of the oldest message of a batch, and 0 when the queue is drained', async () => {
  const clock = new ManualClock(100_000);
  const q = scriptedSource([[msg(1, 97_000), msg(2, 99_000)], []]);
  const lags: number[] = [];
  const consumer = new EventConsumer({
    source: q.source,
    clock,
    log,
    handle: () => {},
    onLag: (s) => lags.push(s),
  });
  consumer.start();
  await settle();
  await consumer.stop();
  expect(lags).toEqual([3, 0]);
});

test('stop ends a long poll in progress at once', async () => {
  const q = scriptedSource([]);
  const consumer = new EventConsumer({ source: q.source, clock: new ManualClock(0), log, handle: () => {} });
  consumer.start();
  await settle();
  expect(q.receives()).toBe(1);
  await consumer.stop();
  expect(q.receives()).toBe(1);
});
