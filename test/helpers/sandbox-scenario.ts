/**
 * The crash-safety scenarios (crash-scenarios.ts) run by the real CLI, in-process, against one
 * sandbox account per test: shared by the crash matrix (test/reconcile/crash-matrix.sandbox.test.ts)
 * and the fault runs (test/reconcile/faults.sandbox.test.ts).
 *
 * `--sandbox` without a file makes the CLI ask for an account (stateFile.loadSandbox); it gets the
 * test's, as the test chose to show it (`next`: the account itself, or it behind faults or a
 * crash). Each CLI run is a new "process": a fresh AwsContext, reader and caches.
 *
 * The sandbox's rollouts run on a clock that never moves here (deployments stay in progress, as on
 * moto; nothing waits), and a deleted service's tasks are stopped at once (no drain time), so a
 * pruned service is deleted within one apply and no DRAINING service is left to list.
 */
import { CallLog } from '../../controller/aws/call-log';
import { ManualClock } from '../../controller/aws/clock';
import * as stateFile from '../../controller/aws/sandbox/state-file';
import type { LoadedSandbox } from '../../controller/aws/sandbox/state-file';
import {
  changedResults,
  CLUSTER,
  endState,
  type EndState,
  mutatingCalls,
  type Scenario,
} from './crash-scenarios';
import { json, runCli } from './run-cli';

/** While set, the CLI's `--sandbox` (no file) gets its account from here (see useSandboxScenarios). */
const mockSandboxSource: { load?: typeof stateFile.loadSandbox } = {};
// A module mock, not jest.spyOn: the transpiled module's exports are getters, which cannot be spied on.
jest.mock('../../controller/aws/sandbox/state-file', () => {
  const actual = jest.requireActual<typeof stateFile>('../../controller/aws/sandbox/state-file');
  return {
    ...actual,
    loadSandbox: (...args: Parameters<typeof actual.loadSandbox>) =>
      (mockSandboxSource.load ?? actual.loadSandbox)(...args),
  };
});

/** A call log that hands every call on to the log of the CLI run in progress (its `awsCalls`). */
export class ForwardingCallLog extends CallLog {
  target?: CallLog;
  override record(service: string, operation: string): void {
    this.target?.record(service, operation);
  }
  override recordRetry(service: string, operation: string): void {
    this.target?.recordRetry(service, operation);
  }
  override settled(service: string, operation: string, code: string): void {
    this.target?.settled(service, operation, code);
  }
}

/** One account for a whole test: every CLI run is given it as its sandbox. */
export interface ScenarioAccount {
  raw: LoadedSandbox;
  calls: ForwardingCallLog;
  /** What the next CLI run talks to: the account itself, or it behind faults or a crash. */
  next: LoadedSandbox;
}

export interface ApplyRun {
  code: number;
  out: any;
  stderr: string;
}

/**
 * Installs, for the test file, the CLI's way to the test's account, and returns what runs against
 * it. `logLevel`: the CLI's `--log-level`.
 */
export function useSandboxScenarios(logLevel: 'warn' | 'error') {
  /** The account of the test running now. */
  let account: ScenarioAccount | undefined;
  beforeAll(() => {
    mockSandboxSource.load = (_file, opts) => {
      if (!account) throw new Error('test setup: no sandbox account');
      account.calls.target = opts?.callLog;
      return Promise.resolve(account.next);
    };
  });
  afterAll(() => delete mockSandboxSource.load);

  const applyArgs = (dir: string) => ['--log-level', logLevel, 'apply', dir, '-o', 'json', '--sandbox'];

  /** `apply -o json` in-process against the account (or `ports`, the account as the run sees it). */
  async function apply(acct: ScenarioAccount, dir: string, ports = acct.raw): Promise<ApplyRun> {
    acct.next = ports;
    const run = await runCli(applyArgs(dir));
    return { code: run.code, out: json(run), stderr: run.stderr };
  }

  /**
   * A new account, the test's from now on, with the scenario's zones and balancer (its HTTP:80
   * listener answering 404: setup, not counted), and its seeds applied (cleanly), in order.
   */
  async function prepare(scenario: Scenario, seedDirs: string[]): Promise<ScenarioAccount> {
    const calls = new ForwardingCallLog();
    const raw = stateFile.sandboxFromJSON(undefined, {
      callLog: calls,
      clock: new ManualClock(Date.UTC(2024, 0, 1)),
      drainSeconds: 0,
    });
    for (const zone of scenario.zones) raw.route53.createHostedZone(zone);
    const acct: ScenarioAccount = { raw, calls, next: raw };
    account = acct;
    if (scenario.balancer) {
      const lb = raw.elbv2.addLoadBalancer({ name: scenario.balancer.name });
      await raw.elbv2.createListener({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      });
    }
    for (const dir of seedDirs) {
      const seed = await apply(acct, dir);
      expect({ dir, code: seed.code }).toEqual({ dir, code: 0 });
    }
    return acct;
  }

  /** The account as a user would inventory it, read around any wrapper. */
  function inventory(acct: ScenarioAccount): Promise<EndState> {
    return endState({ ecs: acct.raw.ecs, route53: acct.raw.route53, elbv2: acct.raw.elbv2 }, [CLUSTER]);
  }

  /** The round after converging: zero mutating calls, every action unchanged. */
  async function expectNothingLeftToDo(acct: ScenarioAccount, dir: string): Promise<void> {
    const again = await apply(acct, dir);
    expect(again.code).toBe(0);
    expect(mutatingCalls(again.out.awsCalls.byOperation)).toEqual({});
    expect(changedResults(again.out)).toEqual([]);
  }

  return { applyArgs, apply, prepare, inventory, expectNothingLeftToDo };
}
