/**
 * `ecs-gitops adopt DIR [NAMES...]` on the sandbox account, run in-process as a user runs it: an
 * existing cluster made without ecs-gitops (the old Makefile tool's) is exported, the exported
 * directory shows conflicts, `adopt` shows what taking over means and writes only ownership tags, and
 * from then on `diff` is clean and `apply` changes nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSandbox, saveSandbox } from '../../controller/aws/sandbox/state-file';
import { ownershipTags } from '../../controller/model/ownership';
import { createLegacyCluster, seedSandboxNetwork, LEGACY, SANDBOX_NETWORK } from '../helpers/legacy-cluster';
import { json, runCli, type CliRun } from '../helpers/run-cli';

const ENV = { NO_COLOR: undefined, ECS_GITOPS_LOG_LEVEL: 'warn' };

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ecs-gitops-adopt-${prefix}-`));
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, ENV);
}

/** A state file with the legacy cluster, and its exported directory. */
async function exported(): Promise<{ state: string; dir: string }> {
  const state = path.join(tmp('state'), 'account.json');
  const sb = await loadSandbox(state);
  seedSandboxNetwork(sb.elbv2, SANDBOX_NETWORK);
  await createLegacyCluster(sb.ecs, SANDBOX_NETWORK);
  await saveSandbox(state, sb);
  const dir = tmp('dir');
  expect((await cli(['export', LEGACY, dir, '--sandbox', state, '--force'])).code).toBe(0);
  return { state, dir };
}

/** The mutating calls a command reports on its `AWS calls:` line. */
async function mutatingCalls(run: () => Promise<CliRun>): Promise<Record<string, number>> {
  const r = await run();
  const out = r.stdout.match(/AWS calls: \d+ \((\d+) mutating\)(?::\s*(.*))?/);
  if (!out) throw new Error(`no AWS calls line in:\n${r.stdout}\n${r.stderr}`);
  const calls: Record<string, number> = {};
  for (const part of (out[2] ?? '').split(', ').filter(Boolean)) {
    const [op, n] = part.split(' ');
    if (!/\.(Describe|List|Get)/.test(op)) calls[op] = Number(n);
  }
  return calls;
}

describe('adopt', () => {
  test('export, adopt, then diff is clean and apply changes nothing', async () => {
    const { state, dir } = await exported();

    // Not adopted: conflicts, exit 1.
    expect((await cli(['diff', dir, '--sandbox', state])).code).toBe(1);

    const dry = await cli(['adopt', dir, '--sandbox', state, '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stdout).toMatch(/^~ service\/api .*adopt \(no ownership tags\)/m);
    expect(dry.stdout).toMatch(/^~ cluster\/legacy .*adopt \(no ownership tags\)/m);
    expect(dry.stdout).toMatch(/\+ {3}tags\[ecs-gitops:owner\]: "legacy"/);
    // A dry run changes nothing: still conflicts.
    expect((await cli(['diff', dir, '--sandbox', state])).code).toBe(1);

    const run = await cli(['adopt', dir, '--sandbox', state]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^updated {2}service\/api .*adopted: ownership tags written/m);
    expect(run.stdout).toMatch(/The next apply \(or the controller\) manages \d+ adopted resource\(s\)\./);

    const diff = await cli(['diff', dir, '--sandbox', state]);
    expect(diff.code).toBe(0);
    const applied = json(await cli(['apply', dir, '--sandbox', state, '-o', 'json']));
    expect(applied.converged).toBe(true);
    expect(applied.awsCalls.mutating).toBe(0);

    // Nothing left to adopt.
    const again = await cli(['adopt', dir, '--sandbox', state]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to adopt in cluster legacy\./m);
  });

  test('adopting named resources only: the rest stay conflicts; adopt writes only TagResource', async () => {
    const { state, dir } = await exported();
    // Each name is a service and the basename of its task definition: four resources.
    const calls = await mutatingCalls(() => cli(['adopt', dir, 'api', 'web', '--sandbox', state]));
    expect(calls).toEqual({ 'ECS.TagResource': 4 });
    const diff = json(await cli(['diff', dir, '--sandbox', state, '-o', 'json']));
    const conflicts = diff.clusters[0].actions.filter((a: any) => a.op === 'conflict').map((a: any) => a.id);
    expect(conflicts).not.toContain('service/api');
    expect(conflicts).not.toContain('taskDefinition/legacy-api');
    expect(conflicts).toContain('service/api-canary');
  });

  test("unknown names, resources already ours and another owner's are refused by name (exit 1)", async () => {
    const { state, dir } = await exported();
    // Another owner takes service api first.
    const sb = await loadSandbox(state);
    const api = (await sb.ecs.describeServices({ cluster: LEGACY, services: ['api'] })).services?.[0];
    await sb.ecs.tagResource({
      resourceArn: api?.serviceArn,
      tags: Object.entries(ownershipTags('payments', LEGACY)).map(([key, value]) => ({ key, value })),
    });
    await saveSandbox(state, sb);

    const run = await cli(['adopt', dir, 'api', 'nope', 'worker', '--sandbox', state]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error: service\/api: .*belongs to ecs-gitops owner "payments".*adopt never takes over another owner's resources/,
    );
    expect(run.stderr).toMatch(
      /error: nope: the specs of cluster legacy name no such service, task definition or cluster/,
    );
    // worker was adopted all the same.
    expect(run.stdout).toMatch(/^updated {2}service\/worker/m);
    const again = await cli(['adopt', dir, 'worker', '--sandbox', state]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error: service\/worker: already managed by ecs-gitops/);
  });
});
