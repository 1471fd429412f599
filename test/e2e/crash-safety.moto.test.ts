/**
 * Crash safety with a real process on moto: the compiled CLI (`node bin/ecs-gitops.js`, dist/) is
 * SIGKILLed right after one of its mutating AWS calls, then `apply` runs again, and the account must
 * end up exactly as a clean apply leaves it: no duplicate service, no extra task definition revision,
 * no leaked or missing record, ownership everywhere, and the round after that changes nothing.
 *
 * Every kill point of every scenario runs in-process on the sandbox
 * (test/reconcile/crash-matrix.sandbox.test.ts, with lost replies too); here, the clean apply of
 * each scenario shows moto reaching the same end state with the same calls, and three kill points of
 * one scenario (its first, a middle and its last mutating call) show that a real SIGKILL of the
 * real binary, through the real SDK, is what the in-process crash stands for; so do three kill
 * points right after ELBv2 writes behind a shared load balancer.
 *
 * Only the killed run is a child process (test/helpers/crash-after-mutating.js preloaded into the
 * compiled CLI): the seed, the recovery and the check runs are the real CLI in-process (`runCli`),
 * each with a fresh AwsContext, so nothing is cached across them, just as across processes.
 *
 * Where moto is not AWS:
 * - moto leaves every deployment IN_PROGRESS forever: no `--wait`; a service's state is checked by
 *   its status and the revision it is set to run;
 * - moto silently replaces a service on a second CreateService (AWS: an error, or a second service
 *   with another client token), so a duplicate would not show as two services: the recovery run is
 *   also checked never to create anything that already existed after the crash;
 * - moto makes every Route53 change INSYNC at once, and applies a change batch atomically, as Route53
 *   does (a record and its TXT ownership record travel in one batch);
 * - moto stops a service's tasks as soon as it is scaled to 0, so a pruned service is deleted within
 *   one apply;
 * - a SIGKILL lands after the k-th call returned, but independent calls run concurrently (ECS and DNS,
 *   several registrations): calls in flight at the kill may or may not have reached moto, which is
 *   what a real crash does too.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  explainedBy,
  FROM_NOTHING_SCENARIO,
  LOAD_BALANCER_SCENARIO,
  mutatingCallCount,
  mutatingCalls,
  recreated,
  type Scenario,
  SCENARIOS,
  writeDir,
} from '../helpers/crash-scenarios';
import { distCli } from '../helpers/dist-cli';
import { useMotoScenarios } from '../helpers/moto-scenario';

const {
  moto,
  apply,
  prepare: prepareAccount,
  inventory,
  expectNothingLeftToDo,
} = useMotoScenarios({
  logLevel: 'warn',
});
let cli: string;
beforeAll(() => {
  cli = distCli();
});

/** A spawn of the compiled CLI costs well under a second; the applies around it a few more. */
const PER_K_TIMEOUT_MS = 60_000;

describe.each(SCENARIOS)('crash safety on moto: $name', (scenario) => {
  const M = mutatingCallCount(scenario);
  const seedDirs = (scenario.seeds ?? []).map(writeDir);
  const targetDir = writeDir(scenario.target);

  test('a clean apply makes exactly the declared calls and reaches the end state', async () => {
    await prepareAccount(scenario, seedDirs);
    const clean = await apply(targetDir);
    expect(clean.code).toBe(0);
    expect(mutatingCalls(clean.out.awsCalls.byOperation)).toEqual(scenario.calls);
    expect(clean.out.awsCalls.mutating).toBe(M);
    expect(await inventory()).toEqual(scenario.expected);
    await expectNothingLeftToDo(targetDir, scenario);
  });
});

/**
 * Where the real process is killed: the first, a middle and the last mutating call of "from
 * nothing"; behind the balancer, right after ELBv2 writes (the 4th call is a CreateTargetGroup, the
 * 6th a CreateTargetGroup or ModifyTargetGroupAttributes, the 8th a CreateRule; concurrent calls may
 * settle in another order), so that the services are created by the recovery run.
 */
const KILLS: { scenario: Scenario; killPoints: number[] }[] = [
  {
    scenario: FROM_NOTHING_SCENARIO,
    killPoints: [
      1,
      Math.ceil(mutatingCallCount(FROM_NOTHING_SCENARIO) / 2),
      mutatingCallCount(FROM_NOTHING_SCENARIO),
    ],
  },
  { scenario: LOAD_BALANCER_SCENARIO, killPoints: [4, 6, 8] },
];

describe.each(KILLS)('SIGKILL of the compiled CLI on moto: $scenario.name', ({ scenario, killPoints }) => {
  const M = mutatingCallCount(scenario);
  const targetDir = writeDir(scenario.target);

  test.each(killPoints)(
    `killed after mutating call %i of ${M}, the next apply finishes the job exactly`,
    async (k) => {
      await prepareAccount(scenario, []);

      const killed = await applyAndCrash(targetDir, k);
      expect({ signal: killed.signal, code: killed.code }).toEqual({ signal: 'SIGKILL', code: null });
      expect(killed.stderr).toContain(`SIGKILL after mutating call ${k} (`);
      // Concurrent calls finish in varying order: a failure says which call the kill followed.
      await explainedBy(/crash-after-mutating: .*/.exec(killed.stderr)?.[0] ?? '', async () => {
        const afterCrash = await inventory();

        const recovery = await apply(targetDir);
        expect({ code: recovery.code, stderr: recovery.stderr }).toEqual({
          code: 0,
          stderr: expect.any(String),
        });
        // Only what was left is done: the k calls that returned are never repeated.
        expect(recovery.out.awsCalls.mutating).toBeLessThanOrEqual(M - k);
        // Look before creating: nothing that survived the crash is created again.
        expect(recreated(recovery.out, afterCrash)).toEqual([]);
        expect(await inventory()).toEqual(scenario.expected);
        await expectNothingLeftToDo(targetDir, scenario);
      });
    },
    PER_K_TIMEOUT_MS,
  );
});

// ------------------------------------------------------------------------------------- running

/**
 * `apply` as a child process, the compiled CLI, that SIGKILLs itself after its k-th mutating call.
 */
function applyAndCrash(
  dir: string,
  k: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      path.join(__dirname, '../helpers/crash-after-mutating.js'),
      cli,
      '--log-level',
      'warn',
      'apply',
      dir,
      '--endpoint',
      moto.endpoint,
    ],
    { env: { ...process.env, CRASH_AFTER_MUTATING: String(k) }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8000)));
  // A run that never reaches its k-th call exits by itself; one that hangs is killed by the test.
  const guard = setTimeout(() => child.kill('SIGTERM'), PER_K_TIMEOUT_MS - 10_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    });
  });
}
