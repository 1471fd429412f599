import type { Clock } from '../../controller/aws/clock';
import { Nudge } from '../../controller/reconcile/nudge';
import { waitForRollouts } from '../../controller/reconcile/rollout-waiter';
import type { EcsReader } from '../../controller/observe/ecs-reader';

/** A clock whose sleeps end only when aborted: nothing but a poke can end a wait early. */
const stuckClock: Clock = {
  now: () => 0,
  sleep: (_ms, signal) =>
    new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true })),
};

test('a poke ends every sleep in progress, and only those', async () => {
  const nudge = new Nudge();
  let woken = 0;
  const a = nudge.sleep(stuckClock, 60_000).then(() => woken++);
  const b = nudge.sleep(stuckClock, 60_000).then(() => woken++);
  await Promise.resolve();
  expect(woken).toBe(0);
  nudge.poke();
  await Promise.all([a, b]);
  expect(woken).toBe(2);
  // A sleep begun after the poke is not ended by it.
  let late = false;
  void nudge.sleep(stuckClock, 60_000).then(() => (late = true));
  await new Promise((r) => setTimeout(r, 10));
  expect(late).toBe(false);
  nudge.poke();
  await new Promise((r) => setTimeout(r, 0));
  expect(late).toBe(true);
});

test('a rollout follower polls at once when poked (an ECS deployment event), not after its interval', async () => {
  const nudge = new Nudge();
  let polls = 0;
  let rollout = 'IN_PROGRESS';
  const reader = {
    describeServicesBatched: () => {
      polls++;
      const service = {
        serviceName: 'web',
        taskDefinition: 'arn:td:web:2',
        deployments: [{ status: 'PRIMARY', rolloutState: rollout, taskDefinition: 'arn:td:web:2' }],
      };
      return Promise.resolve(new Map([['web', { service, tags: {} }]]));
    },
  } as unknown as EcsReader;
  const abort = new AbortController();
  const done = waitForRollouts('demo', [{ name: 'web', taskDefinitionArn: 'arn:td:web:2' }], {
    reader,
    clock: stuckClock,
    timeoutMs: 3_600_000,
    pollMs: 15_000,
    signal: abort.signal,
    nudge,
  });
  await new Promise((r) => setTimeout(r, 10));
  expect(polls).toBe(1);
  rollout = 'FAILED';
  nudge.poke();
  const results = await done;
  expect(polls).toBe(2);
  expect(results).toEqual([expect.objectContaining({ service: 'web', state: 'failed' })]);
});
