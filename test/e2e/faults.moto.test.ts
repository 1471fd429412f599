/**
 * Faults on the wire, against moto: `apply` (the real CLI, in-process, the real SDK clients) talks
 * to moto through test/helpers/fault-proxy.ts, which injects throttling, 503s, connection resets,
 * hung sockets and lost answers (applied by moto, then the socket destroyed), drawn from a seeded
 * PRNG. The SDK's retries and timeouts must absorb them, and what they cannot (a lost answer to a
 * write) the reconciler must: the account ends as a fault-free apply leaves it (the scenario's
 * declared end state), no duplicate revision, target group or rule, no failed DNS batch, and the
 * next round makes no mutating call.
 *
 * The sandbox twin (test/reconcile/faults.sandbox.test.ts) runs many more seeds, and the CreateService
 * clientToken case, which moto cannot show: moto ignores clientToken (AWS returns the service a
 * token already created; moto creates it again or refuses the name).
 */
import { ListClustersCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import {
  FROM_NOTHING_SCENARIO,
  LOAD_BALANCER_DNS_SCENARIO,
  PRUNE_SCENARIO,
  type Scenario,
  UPDATE_SCENARIO,
  writeDir,
} from '../helpers/crash-scenarios';
import { type Fault, FaultPlan, ISSUE_RATES, ScriptedFaults } from '../helpers/fault-plan';
import { startFaultProxy } from '../helpers/fault-proxy';
import { useMotoScenarios } from '../helpers/moto-scenario';

/** A hung socket ends after this (the SDK's request timeout), then is retried. */
const TIMEOUTS = { ECS_GITOPS_AWS_REQUEST_TIMEOUT: '1s', ECS_GITOPS_AWS_CONNECT_TIMEOUT: '1s' };

const { moto, ecs, apply, prepare, inventory, expectNothingLeftToDo } = useMotoScenarios({
  logLevel: 'error',
  env: TIMEOUTS,
});

// moto loads a service's backend on its first request, which can take longer than the 1 s request
// timeout above: ECS is asked once here, so that the first run's calls are not timed out by that
// (Route53 and ELBv2 are asked by each test's setup before its run).
beforeAll(async () => {
  await ecs().send(new ListClustersCommand({}));
});

/** Every ACTIVE and INACTIVE revision: a duplicate shows, even one retired since. */
async function allRevisions(): Promise<string[]> {
  const out: string[] = [];
  for (const status of ['ACTIVE', 'INACTIVE'] as const) {
    const arns = (await ecs().send(new ListTaskDefinitionsCommand({ status }))).taskDefinitionArns ?? [];
    out.push(...arns.map((a) => `${a.slice(a.lastIndexOf('/') + 1)} ${status}`));
  }
  return out.sort();
}

/**
 * `apply` through the fault proxy. The SDK's backoff before a retry is real time, a random share of
 * a ceiling that starts at 2 s after a throttled answer (100 ms otherwise) and doubles: most of this
 * file's time. How long it waits is not what is tested here (that it retries, how often, and what
 * the account ends as, are), so the random share is scaled down to 5% for the faulty run: the same
 * retries, the same order of attempts, a twentieth of the wait.
 */
async function applyThrough(plan: FaultPlan, dir: string) {
  const random = Math.random.bind(Math);
  const shortBackoff = jest.spyOn(Math, 'random').mockImplementation(() => random() * 0.05);
  const proxy = await startFaultProxy(moto.endpoint, plan);
  try {
    return await apply(dir, proxy.endpoint);
  } finally {
    await proxy.close();
    shortBackoff.mockRestore();
  }
}

const SEEDS = [11];

/**
 * Every revision a clean apply of the scenario leaves, ACTIVE and INACTIVE: its end state's, and
 * none retired (the prune's old batch revision is deleted: moto no longer lists it at all). A
 * registered-then-retired duplicate would show. Declared, so that no clean run on moto is needed to
 * learn it (crash-safety.moto.test.ts checks that a clean apply reaches each end state).
 */
function cleanRevisions(scenario: Scenario): string[] {
  return scenario.expected.taskDefinitions.map((t) => `${t.split(' ')[0]} ACTIVE`).sort();
}

/**
 * On top of the seeded faults, faults aimed at the calls whose recovery is the reconciler's, so that
 * each is exercised whatever the seed draws (the sandbox twin has a test per call; here each run on
 * moto costs its setup, its apply and the rounds after it, so they share the seeded runs):
 * - a lost answer to RegisterTaskDefinition registers no second revision, and a reset before one
 *   is sent is tried again (the ECS client sends it once: the reconciler retries it);
 * - a lost answer to a Route53 change batch is not reported as a clash: the records are in place;
 * - moto answers a second CreateTargetGroup of the same name DuplicateTargetGroupName, and a second
 *   CreateRule PriorityInUse (AWS: the group itself; the same error): the apply finds what the
 *   first attempt made, by its tags, and uses it, never a second one.
 */
const AIMED: { scenario: Scenario; aimed: { call: string; fault: Fault }[] }[] = [
  {
    scenario: FROM_NOTHING_SCENARIO,
    aimed: [
      { call: 'ECS.RegisterTaskDefinition', fault: 'lostAnswer' },
      { call: 'ECS.RegisterTaskDefinition', fault: 'reset' },
      { call: 'Route53.ChangeResourceRecordSets', fault: 'lostAnswer' },
    ],
  },
  { scenario: UPDATE_SCENARIO, aimed: [] },
  { scenario: PRUNE_SCENARIO, aimed: [] },
  {
    scenario: LOAD_BALANCER_DNS_SCENARIO,
    aimed: [
      { call: 'ELBv2.CreateTargetGroup', fault: 'lostAnswer' },
      { call: 'ELBv2.CreateRule', fault: 'lostAnswer' },
    ],
  },
];

describe.each(AIMED)('faults on moto: $scenario.name', ({ scenario, aimed }) => {
  const seedDirs = (scenario.seeds ?? []).map(writeDir);
  const targetDir = writeDir(scenario.target);
  const clean = { state: scenario.expected, revisions: cleanRevisions(scenario) };
  const also = aimed.map((a) => `${a.fault} ${a.call}`).join(', ');

  test.each(SEEDS)(
    `10%% throttling, 5%% 503, 3%% resets, 2%% lost answers, 1%% hung sockets, seed %i${also ? `, and ${also}` : ''}: same end state`,
    async (seed) => {
      await prepare(scenario, seedDirs);
      const plan = new ScriptedFaults(aimed, new FaultPlan(seed, { ...ISSUE_RATES, timeout: 0.01 }));
      const run = await applyThrough(plan, targetDir);
      const context = `seed ${seed}, faults: ${JSON.stringify(plan.injected)}\n${run.stderr}`;
      expect({ context, code: run.code }).toEqual({ context, code: 0 });
      expect(plan.injected.length).toBeGreaterThan(0);
      expect(plan.pending).toEqual([]);
      // Calls and attempts are counted apart: every fault that reached the SDK was a retry.
      expect(run.out.awsCalls.attempts).toBe(run.out.awsCalls.total + run.out.awsCalls.retries);
      expect({ context, state: await inventory() }).toEqual({ context, state: clean.state });
      expect({ context, revisions: await allRevisions() }).toEqual({ context, revisions: clean.revisions });
      await expectNothingLeftToDo(targetDir, scenario);
    },
    60_000,
  );
});
