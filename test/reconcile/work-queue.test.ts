/**
 * The reconcile work queue on a ManualClock: time moves only when a test moves it, so every due time
 * below is exact. A reconcile either answers from a script or waits on a gate the test opens.
 */
import { ManualClock } from '../../controller/aws/clock';
import { elbv2Errors, route53Errors } from '../../controller/aws/sandbox/dns-errors';
import { errors } from '../../controller/aws/sandbox/errors';
import {
  classifyActionFailures,
  classifyError,
  resultFromError,
  PlanRefusedError,
  type ReconcileResult,
} from '../../controller/reconcile/reconcile-result';
import { WorkQueue, type WorkQueueOptions } from '../../controller/reconcile/work-queue';
import type { ActionResult } from '../../controller/model/action-result';

interface Call {
  key: string;
  generation: string;
  at: number;
}

interface Gate {
  promise: Promise<ReconcileResult>;
  open: (r?: ReconcileResult) => void;
}

function gate(): Gate {
  let open!: (r?: ReconcileResult) => void;
  const promise = new Promise<ReconcileResult>((resolve) => {
    open = (r) => resolve(r ?? { kind: 'done' });
  });
  return { promise, open };
}

type Script = (key: string, generation: string, n: number) => ReconcileResult | Promise<ReconcileResult>;

function harness(script: Script = () => ({ kind: 'done' }), opts: Partial<WorkQueueOptions> = {}) {
  const clock = new ManualClock(0);
  const calls: Call[] = [];
  const running = new Map<string, number>();
  let maxPerKey = 0;
  let maxTotal = 0;
  const queue = new WorkQueue({
    clock,
    ...opts,
    process: async (key, generation) => {
      calls.push({ key, generation, at: clock.now() });
      running.set(key, (running.get(key) ?? 0) + 1);
      maxPerKey = Math.max(maxPerKey, ...running.values());
      maxTotal = Math.max(
        maxTotal,
        [...running.values()].reduce((a, b) => a + b, 0),
      );
      try {
        return await script(key, generation, calls.filter((c) => c.key === key).length);
      } finally {
        running.set(key, running.get(key)! - 1);
      }
    },
  });
  /** Discrete-event run: everything due up to `until`, moving the clock from one due time to the next. */
  async function runUntil(until: number): Promise<void> {
    for (;;) {
      await queue.runDue();
      const due = queue.nextDueAt();
      if (due === undefined || due > until) break;
      clock.advance(Math.max(0, due - clock.now()));
    }
    clock.advance(Math.max(0, until - clock.now()));
  }
  return {
    clock,
    calls,
    queue,
    runUntil,
    maxPerKey: () => maxPerKey,
    maxTotal: () => maxTotal,
  };
}

/** Lets already-settled promise chains run (no timers). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const transient = (error = 'ThrottlingException: Rate exceeded'): ReconcileResult => ({
  kind: 'transient',
  error,
});

describe('WorkQueue', () => {
  test('coalescing: three enqueues of a running key give exactly one more run, with the newest generation', async () => {
    const first = gate();
    const h = harness((_k, _g, n) => (n === 1 ? first.promise : { kind: 'done' }));
    h.queue.enqueue('cluster-a', 'c1');
    const run = h.queue.runDue();
    expect(h.calls).toHaveLength(1);
    expect(h.queue.state('cluster-a').status).toBe('running');

    h.queue.enqueue('cluster-a', 'c2');
    h.queue.enqueue('cluster-a', 'c3');
    h.queue.enqueue('cluster-a', 'c4');
    await flush();
    expect(h.calls).toHaveLength(1);
    expect(h.queue.state('cluster-a')).toMatchObject({ status: 'running', dirty: true, generation: 'c4' });

    first.open();
    await run;
    expect(h.calls.map((c) => c.generation)).toEqual(['c1', 'c4']);
    expect(h.queue.state('cluster-a')).toMatchObject({ status: 'idle', dirty: false, nextRunAt: 600_000 });

    // Nothing else runs before the resync.
    await h.runUntil(599_999);
    expect(h.calls).toHaveLength(2);
  });

  test('coalescing: enqueues of a waiting key make one run with the newest generation', async () => {
    const h = harness();
    h.queue.enqueue('a', 'c1');
    h.queue.enqueue('a', 'c2');
    h.queue.enqueue('a', 'c3');
    expect(h.queue.depth()).toBe(1);
    expect(await h.queue.runDue()).toBe(1);
    expect(h.calls).toEqual([{ key: 'a', generation: 'c3', at: 0 }]);
  });

  test('one reconcile in flight per key; different keys run concurrently up to the limit', async () => {
    const gates = new Map<string, Gate>([
      ['a', gate()],
      ['b', gate()],
    ]);
    const h = harness((key, _g, n) => (n === 1 ? gates.get(key)!.promise : { kind: 'done' }), {
      concurrency: 2,
    });
    h.queue.enqueue('a', 'c1');
    h.queue.enqueue('b', 'c1');
    const run = h.queue.runDue();
    expect(h.calls.map((c) => c.key)).toEqual(['a', 'b']);

    // A slot frees up when b finishes, yet the second 'a' waits for the first.
    h.queue.enqueue('a', 'c2');
    gates.get('b')!.open();
    await flush();
    expect(h.calls.map((c) => c.key)).toEqual(['a', 'b']);

    gates.get('a')!.open();
    await run;
    expect(h.calls.map((c) => `${c.key}@${c.generation}`)).toEqual(['a@c1', 'b@c1', 'a@c2']);
    expect(h.maxPerKey()).toBe(1);
    expect(h.maxTotal()).toBe(2);
  });

  test('the default concurrency is one key at a time', async () => {
    const h = harness();
    for (const k of ['a', 'b', 'c']) h.queue.enqueue(k, 'c1');
    expect(await h.queue.runDue()).toBe(3);
    expect(h.maxTotal()).toBe(1);
    expect(h.calls.map((c) => c.key)).toEqual(['a', 'b', 'c']);
  });

  test('transient errors back off 1 s, 2 s, 4 s ... capped at 10 min, and the backoff resets after success', async () => {
    // 12 failures, a success, then failures again.
    const h = harness(
      (_k, _g, n) => (n <= 12 || n >= 14 ? transient(`Throttling #${n}`) : { kind: 'done' }),
      {
        resyncMs: 3_600_000,
      },
    );

    h.queue.enqueue('a', 'c1');
    await h.runUntil(10_000_000);
    const gaps = h.calls.slice(1).map((c, i) => c.at - h.calls[i].at);
    expect(gaps.slice(0, 12)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 600_000, 600_000,
    ]);
    // Call 13 succeeded: the next look is the resync, and the next failure starts over at 1 s.
    expect(gaps[12]).toBe(3_600_000);
    expect(gaps.slice(13, 16)).toEqual([1000, 2000, 4000]);

    const s = h.queue.state('a');
    expect(s.status).toBe('backoff');
    expect(s.lastError).toMatch(/^Throttling #\d+$/);
    expect(s.nextRunAt! - h.calls[h.calls.length - 1].at).toBe(
      Math.min(600_000, 1000 * 2 ** (s.attempts - 1)),
    );
  });

  test('onEvent numbers consecutive attempts from 1 and starts over after a success', async () => {
    const seen: string[] = [];
    const h = harness((_k, _g, n) => (n === 3 ? { kind: 'done' } : transient()), {
      onEvent: (key, e) => {
        if (e.type === 'settled') seen.push(`${key}:${e.result.kind}:${e.attempt}`);
      },
    });
    h.queue.enqueue('a', 'c1');
    await h.runUntil(600_000 + 3000 + 1000);
    expect(seen).toEqual(['a:transient:1', 'a:transient:2', 'a:done:3', 'a:transient:1', 'a:transient:2']);
  });

  test('onEvent reports each key queued, started, settled (with when it runs next), in order', async () => {
    const seen: string[] = [];
    const first = gate();
    const h = harness(
      (_k, gen) =>
        gen === 'c1'
          ? first.promise
          : gen === 'bad'
            ? { kind: 'terminal', error: 'rejected' }
            : { kind: 'done' },
      {
        resyncMs: 60_000,
        onEvent: (key, e) =>
          seen.push(
            e.type === 'settled'
              ? `${key} settled ${e.generation} ${e.result.kind} -> ${e.next.status}@${e.next.nextRunAt ?? '-'}`
              : `${key} ${e.type} ${e.generation}`,
          ),
      },
    );
    h.queue.enqueue('a', 'c1');
    const run = h.queue.runDue();
    await Promise.resolve();
    // A new commit while c1 runs: folded into one more run after it, reported queued once c1 settled.
    h.queue.enqueue('a', 'bad');
    first.open();
    await run;
    h.queue.enqueue('a', 'bad');
    await h.queue.runDue();
    expect(seen).toEqual([
      'a queued c1',
      'a started c1',
      'a settled c1 done -> queued@0',
      'a queued bad',
      'a started bad',
      'a settled bad terminal -> terminal@-',
    ]);
  });

  test('jitter scales the backoff and is still capped', async () => {
    const h = harness(() => transient(), { jitter: () => 1.5, maxDelayMs: 5000 });
    h.queue.enqueue('a', 'c1');
    await h.runUntil(30_000);
    const gaps = h.calls.slice(1).map((c, i) => c.at - h.calls[i].at);
    expect(gaps.slice(0, 5)).toEqual([1500, 3000, 5000, 5000, 5000]);
  });

  test('a terminal error is not retried for the same generation, and runs at once for a new one', async () => {
    const h = harness((_k, g) =>
      g === 'bad' ? { kind: 'terminal', error: 'InvalidParameterException: bad cpu' } : { kind: 'done' },
    );
    h.queue.enqueue('a', 'bad');
    await h.runUntil(100_000_000);
    expect(h.calls).toHaveLength(1);
    expect(h.queue.state('a')).toMatchObject({
      status: 'terminal',
      generation: 'bad',
      lastError: 'InvalidParameterException: bad cpu',
    });
    expect(h.queue.state('a').nextRunAt).toBeUndefined();

    h.queue.enqueue('a', 'bad');
    expect(await h.queue.runDue()).toBe(0);
    expect(h.queue.depth()).toBe(0);

    const t = h.clock.now();
    h.queue.enqueue('a', 'fixed');
    expect(await h.queue.runDue()).toBe(1);
    expect(h.calls[1]).toEqual({ key: 'a', generation: 'fixed', at: t });
    expect(h.queue.state('a')).toMatchObject({ status: 'idle', attempts: 0 });
    expect(h.queue.state('a').lastError).toBeUndefined();
  });

  test('a thrown error is classified: access denied is terminal, throttling backs off', async () => {
    const err = (name: string, message: string) => Object.assign(new Error(message), { name });
    const h = harness((key) => {
      throw key === 'denied'
        ? err('AccessDeniedException', 'not authorized to perform ecs:CreateService')
        : err('ThrottlingException', 'Rate exceeded');
    });
    h.queue.enqueue('denied', 'c1');
    h.queue.enqueue('throttled', 'c1');
    await h.queue.runDue();
    expect(h.queue.state('denied')).toMatchObject({
      status: 'terminal',
      lastError: 'AccessDeniedException: not authorized to perform ecs:CreateService',
    });
    expect(h.queue.state('throttled')).toMatchObject({ status: 'backoff', attempts: 1, nextRunAt: 1000 });
  });

  test('a new generation during backoff runs at once and resets the backoff; the same one keeps waiting', async () => {
    const h = harness(() => transient());
    h.queue.enqueue('a', 'c1');
    await h.runUntil(3500); // runs at 0, 1000, 3000; next at 7000
    expect(h.calls.map((c) => c.at)).toEqual([0, 1000, 3000]);
    expect(h.queue.state('a')).toMatchObject({ status: 'backoff', attempts: 3, nextRunAt: 7000 });

    h.queue.enqueue('a', 'c1');
    expect(await h.queue.runDue()).toBe(0);
    expect(h.queue.state('a').nextRunAt).toBe(7000);

    h.queue.enqueue('a', 'c2');
    expect(h.queue.state('a')).toMatchObject({ status: 'queued', attempts: 0, nextRunAt: 3500 });
    expect(await h.queue.runDue()).toBe(1);
    expect(h.calls[3]).toEqual({ key: 'a', generation: 'c2', at: 3500 });
    expect(h.queue.state('a')).toMatchObject({ status: 'backoff', attempts: 1, nextRunAt: 4500 });
  });

  test('done schedules a resync after resyncMs with the same generation; requeue after the given time', async () => {
    const h = harness(
      (key) => (key === 'rolling' ? { kind: 'requeue', afterMs: 15_000 } : { kind: 'done' }),
      {
        resyncMs: 300_000,
      },
    );
    h.queue.enqueue('steady', 'c1');
    h.queue.enqueue('rolling', 'c1');
    await h.queue.runDue();
    expect(h.queue.state('steady')).toMatchObject({ status: 'idle', nextRunAt: 300_000 });
    expect(h.queue.state('rolling')).toMatchObject({ status: 'queued', nextRunAt: 15_000 });
    expect(h.queue.nextDueAt()).toBe(15_000);

    await h.runUntil(299_999);
    expect(h.calls.filter((c) => c.key === 'steady')).toHaveLength(1);
    expect(h.calls.filter((c) => c.key === 'rolling').map((c) => c.at)).toEqual(
      Array.from({ length: 20 }, (_, i) => i * 15_000),
    );

    h.clock.advance(1);
    await h.queue.runDue();
    expect(h.calls.filter((c) => c.key === 'steady')).toEqual([
      { key: 'steady', generation: 'c1', at: 0 },
      { key: 'steady', generation: 'c1', at: 300_000 },
    ]);
  });

  test('stop() waits for the reconcile in flight and starts nothing new', async () => {
    const first = gate();
    const h = harness((key) => (key === 'a' ? first.promise : { kind: 'done' }));
    h.queue.enqueue('a', 'c1');
    h.queue.enqueue('b', 'c1');
    const run = h.queue.runDue();
    expect(h.calls.map((c) => c.key)).toEqual(['a']);

    let stopped = false;
    const stopping = h.queue.stop().then(() => {
      stopped = true;
    });
    h.queue.enqueue('c', 'c1');
    h.queue.enqueue('a', 'c2');
    await flush();
    expect(stopped).toBe(false);
    expect(h.queue.running()).toBe(1);

    first.open();
    await stopping;
    await run;
    expect(stopped).toBe(true);
    expect(h.calls.map((c) => c.key)).toEqual(['a']);
    expect(h.queue.running()).toBe(0);

    h.clock.advance(10_000_000);
    expect(await h.queue.runDue()).toBe(0);
    expect(h.calls).toHaveLength(1);
  });

  test('the start() loop runs enqueued keys and resyncs on the clock, and stop() ends it', async () => {
    let secondRun!: () => void;
    const second = new Promise<void>((resolve) => (secondRun = resolve));
    const h = harness(
      (_k, _g, n) => {
        if (n === 2) secondRun();
        return { kind: 'done' };
      },
      { resyncMs: 60_000 },
    );
    h.queue.start();
    h.queue.enqueue('a', 'c1');
    await second;
    await h.queue.stop();
    expect(h.calls).toEqual([
      { key: 'a', generation: 'c1', at: 0 },
      { key: 'a', generation: 'c1', at: 60_000 },
    ]);
    const t = h.clock.now();
    await flush();
    expect(h.clock.now()).toBe(t); // the loop no longer sleeps
  });

  test('depth counts keys ready to run, reported on every change', async () => {
    const depths: number[] = [];
    const h = harness(() => ({ kind: 'requeue', afterMs: 5000 }), { onDepth: (n) => depths.push(n) });
    for (const k of ['a', 'b', 'c']) h.queue.enqueue(k, 'c1');
    expect(h.queue.depth()).toBe(3);
    await h.queue.runDue();
    expect(depths).toEqual([1, 2, 3, 2, 1, 0]);
    expect(h.queue.depth()).toBe(0);
    expect(h.queue.pending()).toBe(3);

    // Requeued keys count once they are due.
    h.clock.advance(5000);
    expect(h.queue.depth()).toBe(3);
  });

  test('forget() drops a key; its run in flight is not rescheduled', async () => {
    const first = gate();
    const h = harness(() => first.promise);
    h.queue.enqueue('a', 'c1');
    const run = h.queue.runDue();
    h.queue.forget('a');
    first.open();
    await run;
    expect(h.queue.state('a')).toEqual({ key: 'a', status: 'idle', attempts: 0, dirty: false });
    expect(h.queue.nextDueAt()).toBeUndefined();
  });
});

describe('classifyError', () => {
  // The sandbox throws the SDK's own exception classes, as AWS errors reach the controller.
  test.each([
    ['ECS throttling', errors.throttling(), 'transient'],
    ['Route53 throttling', route53Errors.throttling(), 'transient'],
    ['Route53 PriorRequestNotComplete', route53Errors.priorRequestNotComplete(), 'transient'],
    ['a 5xx', Object.assign(new Error('oops'), { name: 'ServerException', $fault: 'server' }), 'transient'],
    ['a socket reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient'],
    ['an unknown error', new Error('something odd'), 'transient'],
    [
      'access denied',
      Object.assign(new Error('no'), { name: 'AccessDeniedException', $fault: 'client' }),
      'terminal',
    ],
    ['ECS ClientException', errors.client('bad request'), 'terminal'],
    ['ECS InvalidParameterException', errors.invalidParameter('cpu must be a number'), 'terminal'],
    ['ELBv2 ValidationError', elbv2Errors.validation('bad port'), 'terminal'],
    ['Route53 InvalidChangeBatch', route53Errors.invalidChangeBatch(['bad name']), 'terminal'],
    // By its class, not its text: the same words from elsewhere are an unknown error (retried).
    ['a plan refused for its errors', new PlanRefusedError(2), 'terminal'],
    ['the same words in a plain Error', new Error('refusing to apply a plan with 2 error(s)'), 'transient'],
  ] as const)('%s is %s', (_what, err, kind) => {
    expect(classifyError(err)).toBe(kind);
  });

  test('a thrown error becomes a result with its code and message', () => {
    expect(resultFromError(errors.invalidParameter('cpu must be a number'))).toEqual({
      kind: 'terminal',
      error: 'InvalidParameterException: cpu must be a number',
    });
  });
});

describe('classifyActionFailures', () => {
  const failed = (errorCode: string, message = 'x') =>
    ({
      id: `service/${errorCode}`,
      resource: 'service',
      name: errorCode,
      outcome: 'failed',
      message: `${errorCode}: ${message}`,
      errorCode,
    }) as ActionResult;

  test.each([
    [['InvalidParameterException'], 'terminal'],
    [['ClientException', 'AccessDeniedException'], 'terminal'],
    [['ThrottlingException'], 'transient'],
    [['ServerException'], 'transient'],
    // One that may pass is worth the retry (the rejected one fails again, within the capped backoff).
    [['InvalidParameterException', 'ThrottlingException'], 'transient'],
    // Unknown codes are retried: a wrong "terminal" would stall the cluster until the next commit.
    [['SomethingNewException'], 'transient'],
  ] as const)('%j is %s', (codes, kind) => {
    expect(classifyActionFailures(codes.map((c) => failed(c)))).toBe(kind);
  });
});
