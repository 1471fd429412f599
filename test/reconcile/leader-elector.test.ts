/**
 * The leader lease on a virtual clock: two replicas' electors (the lease machine and its fence)
 * against an in-memory lease store with DynamoDB's conditional semantics. The same against
 * DynamoDB (moto) and real processes: test/e2e/leader-election.moto.test.ts.
 */
import { VirtualClock, type Clock } from '../../controller/aws/clock';
import type { LeasePort, LeaseRecord, LeaseWrite } from '../../controller/aws/lease-port';
import { LeaseLostError } from '../../controller/aws/write-fence';
import { LeaderElector, leaseTimings } from '../../controller/reconcile/leader-elector';
import { createLogger } from '../../controller/telemetry/logger';

const DURATION = 15_000;
const { renewDeadlineMs: DEADLINE, retryPeriodMs: RETRY } = leaseTimings(DURATION);

/** One DynamoDB item per lease name, with PutItem's and DeleteItem's conditions. */
class MemoryLeases {
  record?: LeaseRecord;
  /** Every conditional write that lost (DynamoDB's ConditionalCheckFailedException). */
  conflicts = 0;
  writes: { holder: string; op: 'put' | 'delete' }[] = [];
  /** Runs before a put is applied (a write of another replica landing first). */
  beforePut?: (record: LeaseRecord) => void;

  port(who: string, faults: { down?: boolean; hang?: boolean } = {}): LeasePort & { faults: typeof faults } {
    const gate = async () => {
      if (faults.hang) await new Promise(() => undefined);
      if (faults.down) throw new Error(`${who}: connect ETIMEDOUT`);
    };
    return {
      faults,
      ensureTable: () => Promise.resolve(false),
      get: async () => {
        await gate();
        return this.record && { ...this.record };
      },
      put: async (record, expect): Promise<LeaseWrite> => {
        await gate();
        this.beforePut?.(record);
        const cur = this.record;
        const ok = expect
          ? cur !== undefined &&
            cur.holder === expect.holder &&
            (expect.version === undefined || cur.version === expect.version)
          : cur === undefined;
        if (!ok) {
          this.conflicts++;
          return 'conflict';
        }
        this.record = { ...record };
        this.writes.push({ holder: record.holder, op: 'put' });
        return 'ok';
      },
      delete: async (_name, holder): Promise<LeaseWrite> => {
        await gate();
        if (this.record?.holder !== holder) {
          this.conflicts++;
          return 'conflict';
        }
        this.record = undefined;
        this.writes.push({ holder, op: 'delete' });
        return 'ok';
      },
    };
  }
}

interface Replica {
  elector: LeaderElector;
  port: ReturnType<MemoryLeases['port']>;
  events: string[];
  leading: boolean;
  workStopped: number;
}

function replica(leases: MemoryLeases, identity: string, clock: Clock): Replica {
  const port = leases.port(identity);
  const r: Replica = { port, events: [], leading: false, workStopped: 0 } as unknown as Replica;
  r.elector = new LeaderElector({
    port,
    settings: {
      name: 'demo',
      identity,
      durationMs: DURATION,
      renewDeadlineMs: DEADLINE,
      retryPeriodMs: RETRY,
    },
    clock,
    log: createLogger({ level: 'silent' }),
    onLeading: () => {
      r.leading = true;
      r.events.push(`leading@${clock.now()}`);
    },
    onNotLeading: (why) => {
      r.leading = false;
      r.events.push(`notLeading@${clock.now()}: ${why}`);
    },
    workStopped: () => {
      r.workStopped = clock.now();
      return Promise.resolve();
    },
  });
  return r;
}

/** Lets the replicas run on virtual time until `ms` later. */
async function runFor(clock: VirtualClock, ms: number): Promise<void> {
  await clock.run(clock.sleep(ms));
}

/** Runs until `cond` holds (checked every 10 virtual ms), at most `ms`; returns the time it took. */
async function runUntil(clock: VirtualClock, cond: () => boolean, ms = 120_000): Promise<number> {
  const start = clock.now();
  await clock.run(
    (async () => {
      while (!cond()) {
        if (clock.now() - start > ms) throw new Error(`not within ${ms} ms`);
        await clock.sleep(10);
      }
    })(),
  );
  return clock.now() - start;
}

/**
 * A fresh lease store and replica a, started and leading (at its first read). `clock` is what a
 * reads; `virtual`, the clock that runs it.
 */
async function aLeads(virtual = new VirtualClock(), clock: Clock = virtual) {
  const leases = new MemoryLeases();
  const a = replica(leases, 'a', clock);
  a.elector.start();
  await runUntil(virtual, () => a.leading);
  return { clock: virtual, leases, a };
}

/** Replica b of the same store, started now; then `ms` of virtual time. */
async function bStarts(
  { clock, leases }: { clock: VirtualClock; leases: MemoryLeases },
  ms: number,
): Promise<Replica> {
  const b = replica(leases, 'b', clock);
  b.elector.start();
  await runFor(clock, ms);
  return b;
}

/** a leads, then b follows for `ms`. */
async function aLeadsBFollows(ms: number) {
  const world = await aLeads();
  return { ...world, b: await bStarts(world, ms) };
}

function writeFence(r: Replica): unknown {
  try {
    r.elector.check('ECS.UpdateService');
    return 'allowed';
  } catch (err) {
    return err;
  }
}

test('an absent lease is acquired at once and renewed every retry period; the other replica follows and never writes', async () => {
  const world = await aLeads();
  const { clock, leases, a } = world;
  // At its first read, not after a retry period.
  expect(clock.now()).toBeLessThan(RETRY);
  expect(writeFence(a)).toBe('allowed');
  const b = await bStarts(world, 60_000);
  // 60 s of renews every 2 s, and b, which saw the version change at every read, never took over.
  expect(leases.writes.filter((w) => w.holder === 'a')).toHaveLength(1 + 60_000 / RETRY);
  expect(leases.writes.filter((w) => w.holder === 'b')).toEqual([]);
  expect(b.elector.leadership).toEqual({ role: 'follower', lease: 'demo', identity: 'b', holder: 'a' });
  expect(writeFence(b)).toBeInstanceOf(LeaseLostError);
  expect(a.events).toEqual(['leading@0']);
});

test('a leader that dies is taken over once its lease has not changed for a lease duration on the follower’s clock', async () => {
  const { clock, leases, a, b } = await aLeadsBFollows(10_000);
  // kill -9: a's calls never reach the store again (its timers still run here: see the fence below).
  a.port.faults.hang = true;
  const died = clock.now();
  const lastRenew = died - (died % RETRY);
  const took = await runUntil(clock, () => b.leading);
  // At least a lease after the last renew b could see, at most a lease and two retry periods after it.
  expect(died + took).toBeGreaterThanOrEqual(lastRenew + DURATION);
  expect(died + took).toBeLessThanOrEqual(lastRenew + DURATION + 2 * RETRY);
  expect(leases.record).toMatchObject({ holder: 'b', transitions: 1 });
  // The old leader's fence closed before b took over: its renews hang past the renew deadline.
  expect(a.leading).toBe(false);
  expect(a.events[1]).toMatch(/^notLeading@\d+: not renewed within the renew deadline \(10 s\)$/);
  expect(Number(/@(\d+)/.exec(a.events[1])?.[1])).toBeLessThan(died + took);
  expect(writeFence(a)).toBeInstanceOf(LeaseLostError);
});

test('a stale lease found at start is taken over only after a full lease of seeing it unchanged', async () => {
  const clock = new VirtualClock(1_000_000);
  const leases = new MemoryLeases();
  // Written by a replica that is gone, with a renew time far in the future by our wall clock: ignored.
  leases.record = {
    name: 'demo',
    holder: 'gone',
    version: 'v1',
    durationMs: DURATION,
    transitions: 4,
    acquiredAt: '2999-01-01T00:00:00.000Z',
    renewedAt: '2999-01-01T00:00:00.000Z',
  };
  const b = replica(leases, 'b', clock);
  b.elector.start();
  const took = await runUntil(clock, () => b.leading);
  expect(took).toBeGreaterThanOrEqual(DURATION);
  expect(took).toBeLessThanOrEqual(DURATION + RETRY);
  expect(leases.record).toMatchObject({ holder: 'b', transitions: 5 });
});

test('a takeover that loses the race (ConditionalCheckFailedException) stays follower', async () => {
  const { clock, leases, a, b } = await aLeadsBFollows(1_000);
  // a stops renewing long enough for b to decide the lease expired, and a renew of a lands right
  // before b's conditional write.
  a.port.faults.down = true;
  const racedAt: number[] = [];
  leases.beforePut = (record) => {
    if (record.holder !== 'b' || racedAt.length > 0) return;
    racedAt.push(clock.now());
    leases.record = { ...leases.record!, version: 'renewed-meanwhile' };
  };
  await runUntil(clock, () => leases.conflicts > 0);
  expect(leases.conflicts).toBe(1);
  expect(b.leading).toBe(false);
  expect(b.elector.leadership).toMatchObject({ role: 'follower', holder: 'a' });
  expect(leases.record).toMatchObject({ holder: 'a', version: 'renewed-meanwhile' });
  // The version it lost to starts a new wait of a whole lease.
  await runUntil(clock, () => b.leading);
  expect(clock.now() - racedAt[0]).toBeGreaterThanOrEqual(DURATION);
  expect(clock.now() - racedAt[0]).toBeLessThanOrEqual(DURATION + 2 * RETRY);
});

test('a leader that cannot renew loses the lease at the renew deadline: its writes are refused from then on', async () => {
  const { clock, leases, a } = await aLeads();
  const acquiredAt = Number(/@(\d+)/.exec(a.events[0])?.[1]);
  await runFor(clock, 3_000);
  a.port.faults.down = true;
  const lastRenew = acquiredAt + RETRY;
  await runFor(clock, lastRenew + DEADLINE - 1 - clock.now());
  expect(writeFence(a)).toBe('allowed');
  await runUntil(clock, () => !a.leading);
  expect(a.events[1]).toBe(
    `notLeading@${lastRenew + DEADLINE}: not renewed within the renew deadline (10 s)`,
  );
  expect(writeFence(a)).toBeInstanceOf(LeaseLostError);
  // Back on the network: the lease still names it (nobody else was there), so it takes it again.
  a.port.faults.down = false;
  await runUntil(clock, () => a.leading);
  expect(leases.record?.holder).toBe('a');
});

test('a paused leader (SIGSTOP) refuses its first write on resuming, before any timer of its own has run', async () => {
  const virtual = new VirtualClock();
  let paused = 0;
  const clock: Clock = { now: () => virtual.now() + paused, sleep: virtual.sleep };
  const { a } = await aLeads(virtual, clock);
  await runFor(virtual, 1_000);
  expect(writeFence(a)).toBe('allowed');
  // The process stood still for 20 s: its monotonic clock moved, none of its timers ran.
  paused = 20_000;
  const refused = writeFence(a);
  expect(refused).toBeInstanceOf(LeaseLostError);
  expect((refused as Error).message).toMatch(
    /^ECS\.UpdateService not sent: lease demo last renewed 21\.0 s ago, past its renew deadline of 10 s/,
  );
  expect(a.leading).toBe(false);
  expect(a.elector.leadership.role).toBe('follower');
});

test('stop releases the lease after the work stopped; the follower takes over at its next read', async () => {
  const { clock, leases, a, b } = await aLeadsBFollows(5_000);
  const stopAt = clock.now();
  await clock.run(a.elector.stop());
  expect(a.workStopped).toBe(stopAt);
  expect(leases.writes.at(-1)).toEqual({ holder: 'a', op: 'delete' });
  expect(a.elector.leadership.role).toBe('stopped');
  expect(writeFence(a)).toBeInstanceOf(LeaseLostError);
  const took = await runUntil(clock, () => b.leading);
  expect(took).toBeLessThanOrEqual(RETRY);
  expect(leases.record).toMatchObject({ holder: 'b', transitions: 0 });
  await clock.run(b.elector.stop());
  expect(leases.record).toBeUndefined();
});

test('a leader whose work cannot start steps down: writes refused, lease given back, another replica leads; it tries again only after a lease', async () => {
  const world = await aLeads();
  const { clock, leases, a } = world;
  // What run.ts does when the controller does not start (the repository cannot be fetched...).
  a.elector.resign('the controller did not start: Error: fetch failed');
  expect(writeFence(a)).toBeInstanceOf(LeaseLostError);
  await runUntil(clock, () => leases.record === undefined);
  expect(leases.writes.at(-1)).toEqual({ holder: 'a', op: 'delete' });
  expect(a.events.at(-1)).toMatch(/^notLeading@\d+: the controller did not start: Error: fetch failed$/);
  // The work was stopped before the lease was given back.
  expect(a.workStopped).toBeGreaterThan(0);

  // Alone, it takes the lease again, but not before a lease duration has passed.
  const retook = await runUntil(clock, () => a.leading);
  expect(retook).toBeGreaterThanOrEqual(DURATION);
  expect(retook).toBeLessThanOrEqual(DURATION + RETRY);
  expect(leases.record).toMatchObject({ holder: 'a' });

  // With another replica standing by, that one takes the released lease at its next read.
  const b = await bStarts(world, RETRY);
  a.elector.resign('the controller did not start: again');
  const writesBefore = leases.writes.length;
  const took = await runUntil(clock, () => b.leading);
  expect(took).toBeLessThanOrEqual(RETRY + 10);
  await runFor(clock, 3 * DURATION);
  expect(a.leading).toBe(false);
  expect(leases.record).toMatchObject({ holder: 'b' });
  // a never wrote the lease again while b held it.
  expect(leases.writes.slice(writesBefore).filter((w) => w.holder === 'a' && w.op === 'put')).toEqual([]);
});
