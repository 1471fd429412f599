/**
 * Crash safety, every crash point, in-process on the sandbox: `apply` (the real CLI, in-process) is
 * stopped right after each of its mutating calls in turn, as a SIGKILL would stop it, then a fresh
 * `apply` (a new AwsContext, reader and caches: a new process) runs against the same account, which
 * must end up exactly as a clean apply leaves it: no duplicate service, no extra task definition
 * revision, no leaked or missing record, ownership everywhere; and the round after that changes
 * nothing. The same for a write whose reply is lost (the call succeeded, the client got a network
 * error): the next apply must not do it twice.
 *
 * The scenarios are test/helpers/crash-scenarios.ts, shared with test/e2e/crash-safety.moto.test.ts,
 * which kills a real process (the compiled CLI) on moto at a few of these points. Here the crash is
 * test/helpers/fault-ports.ts: after the k-th mutating call has succeeded, no call of the run ever
 * answers again; the run is abandoned where it stands (no output, no cleanup, no `finally`).
 *
 * The accounts, and how the CLI is given them: test/helpers/sandbox-scenario.ts.
 */
import { main } from '../../controller/cli/main';
import { crashingAccount } from '../helpers/fault-ports';
import {
  addCalls,
  CLUSTER,
  type EndState,
  explainedBy,
  mutatingCallCount,
  mutatingCalls,
  recreated,
  SCENARIOS,
  writeDir,
} from '../helpers/crash-scenarios';
import { type ScenarioAccount, useSandboxScenarios } from '../helpers/sandbox-scenario';

const {
  applyArgs,
  apply,
  prepare: prepareAccount,
  inventory,
  expectNothingLeftToDo,
} = useSandboxScenarios('warn');

type Account = ScenarioAccount;

/** Times: they differ between two identical histories run at other moments. */
const VOLATILE = new Set(['createdAt', 'updatedAt', 'registeredAt', 'deregisteredAt', 'deleteRequestedAt']);

/**
 * Everything a user can describe, beyond the inventory: the cluster, every live service in full
 * (configuration, all tags, deployments), and every revision of every status with its containers and
 * tags, so that a crash leaving a stray tag, a second deployment, or a registered-then-deregistered
 * duplicate differs from the clean converge. Times are left out.
 */
async function accountDetails(acct: Account): Promise<unknown> {
  const ecs = acct.raw.ecs;
  const clusters = await ecs.describeClusters({ clusters: [CLUSTER], include: ['TAGS', 'SETTINGS'] });
  const arns = (await ecs.listServices({ cluster: CLUSTER, maxResults: 100 })).serviceArns ?? [];
  const services = arns.length
    ? ((await ecs.describeServices({ cluster: CLUSTER, services: arns, include: ['TAGS'] })).services ?? [])
    : [];
  const revisions: unknown[] = [];
  for (const status of ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const) {
    for (const arn of (await ecs.listTaskDefinitions({ status })).taskDefinitionArns ?? []) {
      revisions.push(await ecs.describeTaskDefinition({ taskDefinition: arn, include: ['TAGS'] }));
    }
  }
  return withoutVolatile({
    clusters: clusters.clusters,
    // In name order: a crash changes the order services were created in, not the account.
    services: services
      .filter((s) => s.status !== 'INACTIVE')
      .sort((x, y) => (x.serviceName ?? '').localeCompare(y.serviceName ?? ''))
      // An event's id is made from its deployment's, which counts up across the account (below).
      .map((s) => ({ ...s, events: s.events?.map(({ id: _id, ...event }) => event) })),
    revisions,
  });
}

/** A deep copy without VOLATILE fields; tag lists sorted by key, deployments without their ids. */
function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(withoutVolatile);
    const isTags = items.every((t) => typeof t === 'object' && t !== null && 'key' in t && 'value' in t);
    return isTags ? [...items].sort((x: any, y: any) => String(x.key).localeCompare(String(y.key))) : items;
  }
  // Deployment ids count up across the account: another order of creation numbers them otherwise.
  if (typeof value === 'string') return value.replace(/ecs-svc\/\d+/g, 'ecs-svc/<id>');
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !VOLATILE.has(k))
      .map(([k, v]) => [k, withoutVolatile(v)]),
  );
}

/**
 * Runs `apply` until the k-th mutating call has succeeded, then abandons it there, as a SIGKILL
 * would: what it printed is discarded, and it never runs another line that reaches AWS. Returns the
 * call it died after; fails if the run finished first (it made fewer than k mutating calls).
 */
async function applyAndKill(acct: Account, dir: string, k: number): Promise<string> {
  const crash = crashingAccount(acct.raw, { k, mode: 'kill' });
  acct.next = crash.ports;
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const first = await Promise.race([
      main(['node', 'ecs-gitops', '--log-format', 'json', ...applyArgs(dir)]).then((code) => ({ code })),
      crash.crashed.then((call) => ({ call })),
    ]);
    if ('code' in first) throw new Error(`apply finished (exit ${first.code}) before mutating call ${k}`);
    return first.call;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs `apply` whose k-th mutating call succeeds but answers with a network error. */
async function applyWithLostReply(acct: Account, dir: string, k: number) {
  const crash = crashingAccount(acct.raw, { k, mode: 'lostReply' });
  let lost: string | undefined;
  void crash.crashed.then((call) => (lost = call));
  const run = await apply(acct, dir, crash.ports);
  await Promise.resolve();
  if (lost === undefined) throw new Error(`apply finished before mutating call ${k}`);
  return { lost, code: run.code, out: run.out };
}

/** Calls whose lost answer the run itself recovers from, by reading what the call did. */
const RECOVERED_IN_RUN = new Set(['ECS.RegisterTaskDefinition', 'Route53.ChangeResourceRecordSets']);

/** The operations of `calls` made more often than `limit` allows, as `made > allowed`. */
function beyond(calls: Record<string, number>, limit: Record<string, number>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(calls)
      .filter(([op, n]) => n > (limit[op] ?? 0))
      .map(([op, n]) => [op, `${n} > ${limit[op] ?? 0}`]),
  );
}

describe.each(SCENARIOS)('crash safety: $name', (scenario) => {
  const M = mutatingCallCount(scenario);
  const seedDirs = (scenario.seeds ?? []).map(writeDir);
  const targetDir = writeDir(scenario.target);
  /** The account after a clean apply of the target: what every crash must converge to. */
  let clean: EndState;
  let cleanDetails: unknown;

  beforeAll(async () => {
    const acct = await prepareAccount(scenario, seedDirs);
    await apply(acct, targetDir);
    clean = await inventory(acct);
    cleanDetails = await accountDetails(acct);
  });

  test('a clean apply makes exactly the declared calls and reaches the end state', async () => {
    const acct = await prepareAccount(scenario, seedDirs);
    const run = await apply(acct, targetDir);
    expect(run.code).toBe(0);
    expect(mutatingCalls(run.out.awsCalls.byOperation)).toEqual(scenario.calls);
    expect(run.out.awsCalls.mutating).toBe(M);
    expect(await inventory(acct)).toEqual(scenario.expected);
    expect(clean).toEqual(scenario.expected);
    // Two clean histories describe alike: the comparisons below are not thrown by ids or times.
    expect(await accountDetails(acct)).toEqual(cleanDetails);
    await expectNothingLeftToDo(acct, targetDir);
  });

  const ks = Array.from({ length: M }, (_, i) => i + 1);

  test.each(ks)(
    `killed after mutating call %i of ${M}, the next apply finishes the job exactly`,
    async (k) => {
      const acct = await prepareAccount(scenario, seedDirs);
      const call = await applyAndKill(acct, targetDir, k);
      await explainedBy(`killed after mutating call ${k} (${call})`, async () => {
        const afterCrash = await inventory(acct);
        const recovery = await apply(acct, targetDir);
        expect(recovery.code).toBe(0);
        // Only what was left is done: the k calls that returned are never repeated.
        expect(recovery.out.awsCalls.mutating).toBeLessThanOrEqual(M - k);
        // Look before creating: nothing that survived the crash is created again.
        expect(recreated(recovery.out, afterCrash)).toEqual([]);
        expect(await inventory(acct)).toEqual(clean);
        await expectNothingLeftToDo(acct, targetDir);
      });
    },
  );

  test.each(ks)(`reply lost for mutating call %i of ${M}: the retry does not do it twice`, async (k) => {
    const acct = await prepareAccount(scenario, seedDirs);
    const first = await applyWithLostReply(acct, targetDir, k);
    await explainedBy(`the reply to mutating call ${k} (${first.lost}) was lost`, async () => {
      // The run saw a failure and says so; except where it looks before trying again: a register
      // finds the revision it made (register-idempotently.ts), a DNS batch finds its records in
      // place (dns-in-place.ts), and the run finishes cleanly.
      if (RECOVERED_IN_RUN.has(first.lost)) expect(first.code).toBe(0);
      else expect(first.code).not.toBe(0);
      const afterFirst = await inventory(acct);
      const retry = await apply(acct, targetDir);
      expect(retry.code).toBe(0);
      expect(recreated(retry.out, afterFirst)).toEqual([]);
      // Both runs together made no more calls of any kind than one clean apply: nothing was done
      // twice. (Fewer is fine: a service the lost reply left at 0 is not marked "scaled" again.)
      const both = addCalls(
        mutatingCalls(first.out.awsCalls.byOperation),
        mutatingCalls(retry.out.awsCalls.byOperation),
      );
      expect(beyond(both, scenario.calls)).toEqual({});
      expect(await inventory(acct)).toEqual(clean);
      expect(await accountDetails(acct)).toEqual(cleanDetails);
      await expectNothingLeftToDo(acct, targetDir);
    });
  });
});
