/**
 * Faults, in-process on the sandbox: `apply` (the real CLI) runs with its AWS calls behind injected
 * faults and the SDK's retry policy (test/helpers/fault-ports.ts): throttling, 5xx, connection
 * resets, timeouts and lost answers (the write was applied, the caller got an error), drawn from a
 * seeded PRNG so that a failing seed reproduces. Whatever the faults, the account must end exactly
 * as a fault-free apply leaves it (no duplicate revision, no duplicate service, every record) and
 * the round after that must make no mutating call.
 *
 * The scenarios are the crash-safety ones (test/helpers/crash-scenarios.ts): from nothing (create
 * and DNS), an update, a prune with revision retention, and behind a load balancer with DNS (target
 * groups, host rules and alias records made, then one service's pruned). test/e2e/faults.moto.test.ts
 * runs them against moto through an HTTP proxy that injects the faults on the wire.
 */
import {
  addCalls,
  CLUSTER,
  type EndState,
  FROM_NOTHING_SCENARIO,
  LOAD_BALANCER_DNS_SCENARIO,
  LOAD_BALANCER_PRUNE_SCENARIO,
  LOAD_BALANCER_SCENARIO,
  mutatingCalls,
  PRUNE_SCENARIO,
  type Scenario,
  UPDATE_SCENARIO,
  writeDir,
} from '../helpers/crash-scenarios';
import { FaultPlan, ISSUE_RATES } from '../helpers/fault-plan';
import { faultyAccount } from '../helpers/fault-ports';
import { type ScenarioAccount, useSandboxScenarios } from '../helpers/sandbox-scenario';

const scenarios = useSandboxScenarios('error');
const { prepare, inventory, expectNothingLeftToDo } = scenarios;

type Account = ScenarioAccount;

/** `apply -o json` in-process, behind `plan`'s faults and the SDK's retry policy if given. */
function apply(acct: Account, dir: string, plan?: FaultPlan) {
  const ports = plan ? faultyAccount(acct.raw, { plan, callLog: () => acct.calls.target }) : acct.raw;
  return scenarios.apply(acct, dir, ports);
}

/**
 * The scenario's applies of its target (`rounds`), until one fails: the last one's run, with the
 * stderr and the mutating calls of all of them.
 */
async function applyRounds(acct: Account, scenario: Scenario, dir: string, plan?: FaultPlan) {
  let run = await apply(acct, dir, plan);
  let stderr = run.stderr;
  let mutating = mutatingCalls(run.out.awsCalls.byOperation);
  for (let i = 1; i < (scenario.rounds ?? 1) && run.code === 0; i++) {
    run = await apply(acct, dir, plan);
    stderr += run.stderr;
    mutating = addCalls(mutating, mutatingCalls(run.out.awsCalls.byOperation));
  }
  return { ...run, stderr, mutating };
}

/** Every revision of the family prefix in every status: a registered-then-retired duplicate shows. */
async function allRevisions(acct: Account): Promise<string[]> {
  const out: string[] = [];
  for (const status of ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const) {
    for (const arn of (await acct.raw.ecs.listTaskDefinitions({ status })).taskDefinitionArns ?? []) {
      out.push(`${arn.slice(arn.lastIndexOf('/') + 1)} ${status}`);
    }
  }
  return out.sort();
}

/** Services of every status, so that a second (or deleted duplicate) service shows. */
async function allServices(acct: Account): Promise<string[]> {
  const arns = (await acct.raw.ecs.listServices({ cluster: CLUSTER, maxResults: 100 })).serviceArns ?? [];
  return arns.map((a) => a.slice(a.lastIndexOf('/') + 1)).sort();
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

const SCENARIOS = [
  FROM_NOTHING_SCENARIO,
  UPDATE_SCENARIO,
  PRUNE_SCENARIO,
  LOAD_BALANCER_DNS_SCENARIO,
  LOAD_BALANCER_PRUNE_SCENARIO,
];

describe.each(SCENARIOS)('faults: $name', (scenario) => {
  const seedDirs = (scenario.seeds ?? []).map(writeDir);
  const targetDir = writeDir(scenario.target);
  let clean: { state: EndState; revisions: string[]; services: string[] };

  beforeAll(async () => {
    const acct = await prepare(scenario, seedDirs);
    const run = await applyRounds(acct, scenario, targetDir);
    expect(run.code).toBe(0);
    expect(run.mutating).toEqual(addCalls(scenario.calls));
    clean = {
      state: await inventory(acct),
      revisions: await allRevisions(acct),
      services: await allServices(acct),
    };
    expect(clean.state).toEqual(scenario.expected);
  });

  test.each(SEEDS)(
    '10%% throttling, 5%% 5xx, 3%% resets, 2%% lost answers, seed %i: same end state',
    async (seed) => {
      const acct = await prepare(scenario, seedDirs);
      const plan = new FaultPlan(seed, { ...ISSUE_RATES, timeout: 0.02 });
      const run = await applyRounds(acct, scenario, targetDir, plan);
      const context = `seed ${seed}, faults injected: ${JSON.stringify(plan.injected)}\n${run.stderr}`;
      expect({ context, code: run.code }).toEqual({ context, code: 0 });
      expect(plan.injected.length).toBeGreaterThan(0);
      // Retries are counted apart from calls.
      expect(run.out.awsCalls.retries).toBeGreaterThan(0);
      expect({ context, state: await inventory(acct) }).toEqual({ context, state: clean.state });
      expect({ context, revisions: await allRevisions(acct) }).toEqual({
        context,
        revisions: clean.revisions,
      });
      expect({ context, services: await allServices(acct) }).toEqual({ context, services: clean.services });
      await expectNothingLeftToDo(acct, targetDir);
    },
  );
});

/**
 * One lost answer aimed at one call, so that each fix is exercised whatever the seeds draw: the
 * write is applied, its caller gets `read ECONNRESET`.
 */
describe('a lost answer to', () => {
  const lostOnce = (call: string) => new FaultPlan(0, { lostAnswer: 1 }, (c) => c !== call, 1);

  test('RegisterTaskDefinition registers one revision, not two, and the apply succeeds', async () => {
    const acct = await prepare(FROM_NOTHING_SCENARIO, []);
    const run = await apply(
      acct,
      writeDir(FROM_NOTHING_SCENARIO.target),
      lostOnce('ECS.RegisterTaskDefinition'),
    );
    expect(run.code).toBe(0);
    expect(await allRevisions(acct)).toEqual([
      'crash-api:1 ACTIVE',
      'crash-web:1 ACTIVE',
      'crash-worker:1 ACTIVE',
    ]);
    expect(await inventory(acct)).toEqual(FROM_NOTHING_SCENARIO.expected);
  });

  test('CreateService makes one service: its retry carries the same clientToken', async () => {
    const acct = await prepare(FROM_NOTHING_SCENARIO, []);
    const plan = lostOnce('ECS.CreateService');
    const run = await apply(acct, writeDir(FROM_NOTHING_SCENARIO.target), plan);
    expect(plan.count('lostAnswer', 'CreateService')).toBe(1);
    expect(run.code).toBe(0);
    // The retry reached the account: two CreateService requests, one service each.
    expect(run.out.awsCalls.byOperation['ECS.CreateService']).toBe(4);
    expect(await allServices(acct)).toEqual(['api', 'web', 'worker']);
    expect(await inventory(acct)).toEqual(FROM_NOTHING_SCENARIO.expected);
  });

  test('a Route53 change batch counts the records already in place as done, not as a clash', async () => {
    const acct = await prepare(FROM_NOTHING_SCENARIO, []);
    const plan = lostOnce('Route53.ChangeResourceRecordSets');
    const run = await apply(acct, writeDir(FROM_NOTHING_SCENARIO.target), plan);
    expect(plan.count('lostAnswer')).toBe(1);
    expect({ stderr: run.stderr, code: run.code }).toEqual({
      stderr: expect.not.stringMatching(/^error/m),
      code: 0,
    });
    const dns = run.out.clusters[0].results.filter((r: any) => r.resource === 'dnsRecord');
    expect(dns.map((r: any) => r.outcome)).toEqual(['created', 'created', 'created']);
    expect(await inventory(acct)).toEqual(FROM_NOTHING_SCENARIO.expected);
    await expectNothingLeftToDo(acct, writeDir(FROM_NOTHING_SCENARIO.target));
  });
});

test('an error the retries cannot get past names the resource, its spec file, the attempts, and that a re-run is safe', async () => {
  const acct = await prepare(FROM_NOTHING_SCENARIO, []);
  // Every CreateService attempt throttled: the SDK's 8 attempts are spent.
  const plan = new FaultPlan(0, { throttle: 1 }, (c) => c !== 'ECS.CreateService');
  const run = await apply(acct, writeDir(FROM_NOTHING_SCENARIO.target), plan);
  expect(run.code).not.toBe(0);
  const failed = run.out.clusters[0].results.filter((r: any) => r.outcome === 'failed');
  expect(failed.length).toBeGreaterThan(0);
  for (const r of failed) {
    expect(r).toMatchObject({
      resource: 'service',
      errorCode: 'ThrottlingException',
      source: { file: expect.stringMatching(/\.(service|taskdef)$/) },
    });
    expect(r.message).toBe(
      'ThrottlingException: Rate exceeded (ECS.CreateService; gave up after 8 attempts; safe to re-run: apply reads what is in place first)',
    );
  }
  expect(run.out.awsCalls.retries).toBe(7 * failed.length);
});

/**
 * The load balancer's writes, one lost answer each: the SDK sends the call again, and what the
 * first attempt made must be found, never made twice (a second target group or rule) nor reported
 * as a failure (the rule's priority "in use" by the rule this run created).
 */
describe('behind a load balancer, a lost answer to', () => {
  const lostOnce = (call: string) => new FaultPlan(0, { lostAnswer: 1 }, (c) => c !== call, 1);
  const scenario = LOAD_BALANCER_DNS_SCENARIO;

  test.each([
    'ELBv2.CreateTargetGroup',
    'ELBv2.ModifyTargetGroupAttributes',
    'ELBv2.CreateRule',
    'Route53.ChangeResourceRecordSets',
    'ECS.CreateService',
  ])('%s leaves one of everything, and the apply succeeds', async (call) => {
    const acct = await prepare(scenario, []);
    const plan = lostOnce(call);
    const dir = writeDir(scenario.target);
    const run = await apply(acct, dir, plan);
    expect(plan.count('lostAnswer', call)).toBe(1);
    expect({ stderr: run.stderr, code: run.code }).toEqual({
      stderr: expect.not.stringMatching(/^error/m),
      code: 0,
    });
    // The SDK sent the call once more; a rule's priority found taken by the rule it had made is
    // set to what this apply asks (one ModifyRule), nothing else is written again.
    expect(mutatingCalls(run.out.awsCalls.byOperation)).toEqual(
      addCalls(scenario.calls, { [call]: 1 }, call === 'ELBv2.CreateRule' ? { 'ELBv2.ModifyRule': 1 } : {}),
    );
    expect(await inventory(acct)).toEqual(scenario.expected);
    await expectNothingLeftToDo(acct, dir);
  });

  test('ELBv2.ModifyListener of a balancer ecs-gitops made sets it once, and the apply succeeds', async () => {
    // The balancer is the cluster's own (`loadBalancer: create`); its HTTP listener's default
    // action was changed by hand since, and the apply puts it back.
    const owned = {
      ...LOAD_BALANCER_SCENARIO.target,
      'cluster.yaml': LOAD_BALANCER_SCENARIO.target['cluster.yaml'].replace(
        '  name: crash-alb\n',
        '  create:\n    subnets: [subnet-0a000001, subnet-0a000002]\n    securityGroups: [sg-0123456789abcdef0]\n',
      ),
    };
    const dir = writeDir(owned);
    const acct = await prepare({ ...LOAD_BALANCER_SCENARIO, balancer: undefined }, [dir]);
    const listener = async () => {
      const lb = (await acct.raw.elbv2.describeLoadBalancers({ Names: [CLUSTER] })).LoadBalancers?.[0];
      return (await acct.raw.elbv2.describeListeners({ LoadBalancerArn: lb?.LoadBalancerArn }))
        .Listeners?.[0];
    };
    const before = await listener();
    await acct.raw.elbv2.modifyListener({
      ListenerArn: before?.ListenerArn,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
    });
    const plan = lostOnce('ELBv2.ModifyListener');
    const run = await apply(acct, dir, plan);
    expect(plan.count('lostAnswer', 'ELBv2.ModifyListener')).toBe(1);
    expect({ stderr: run.stderr, code: run.code }).toEqual({
      stderr: expect.not.stringMatching(/^error| ERROR /m),
      code: 0,
    });
    // Sent again by the SDK: the same settings, nothing else written.
    expect(mutatingCalls(run.out.awsCalls.byOperation)).toEqual({ 'ELBv2.ModifyListener': 2 });
    expect(await listener()).toEqual(before);
    await expectNothingLeftToDo(acct, dir);
  });

  test.each([
    'ELBv2.DeleteRule',
    'ELBv2.DeleteTargetGroup',
    'ECS.DeleteService',
    'Route53.ChangeResourceRecordSets',
  ])('%s of a prune: gone once, and the apply succeeds', async (call) => {
    const pruned = LOAD_BALANCER_PRUNE_SCENARIO;
    const acct = await prepare(pruned, (pruned.seeds ?? []).map(writeDir));
    const plan = lostOnce(call);
    const dir = writeDir(pruned.target);
    const run = await applyRounds(acct, pruned, dir, plan);
    expect(plan.count('lostAnswer', call)).toBe(1);
    expect({ stderr: run.stderr, code: run.code }).toEqual({
      stderr: expect.not.stringMatching(/^error| ERROR /m),
      code: 0,
    });
    expect(run.mutating).toEqual(addCalls(pruned.calls, { [call]: 1 }));
    expect(await inventory(acct)).toEqual(pruned.expected);
    await expectNothingLeftToDo(acct, dir);
  });
});
