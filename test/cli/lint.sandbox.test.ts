/**
 * The policy checks through the CLI, on the sandbox account: findings print with rule id, file, line
 * and column; at warn they change no exit code; at deny `validate`, `diff` and `apply` exit 1 before
 * any AWS call for that cluster; an exemption in cluster.yaml lets one file through.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AwsContext, onAwsContextCreated } from '../../controller/cli/aws-context';
import { json, runCli, type CliRun } from '../helpers/run-cli';

const SPECS = path.join(__dirname, '../../specs');
const ENV = { API_COUNT: undefined, NO_COLOR: undefined, ECS_GITOPS_LOG_LEVEL: 'warn' };
const PASSWORD = 'correct-horse-battery-staple-42';

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ecs-gitops-lint-${prefix}-`));
}

/** A copy of specs/ whose web container is privileged and has DB_PASSWORD in plain environment. */
function riskySpecs(policy = ''): string {
  const dir = tmp('specs');
  cpSync(SPECS, dir, { recursive: true });
  const taskdef = path.join(dir, 'web.taskdef');
  const text = readFileSync(taskdef, 'utf8');
  const edited = text
    .replace('"memoryReservation": 64,', '"memoryReservation": 64,\n      "privileged": true,')
    .replace('{ "name": "APP_ENV", "value": "demo" },', `{ "name": "DB_PASSWORD", "value": "${PASSWORD}" },`);
  if (edited === text || !edited.includes('privileged') || !edited.includes(PASSWORD)) {
    throw new Error('test setup: specs/web.taskdef changed');
  }
  writeFileSync(taskdef, edited);
  if (policy)
    writeFileSync(
      path.join(dir, 'cluster.yaml'),
      `${readFileSync(path.join(dir, 'cluster.yaml'), 'utf8')}${policy}`,
    );
  return dir;
}

/** Runs the CLI and counts the AWS calls it made (all of them, reads included). */
async function counted(args: string[]): Promise<CliRun & { awsCalls: number }> {
  const seen: AwsContext[] = [];
  const stop = onAwsContextCreated((ctx) => seen.push(ctx));
  try {
    const run = await runCli(args, ENV);
    return { ...run, awsCalls: seen.reduce((n, ctx) => n + ctx.callLog.total(), 0) };
  } finally {
    stop();
  }
}

function stateFile(): string {
  return path.join(tmp('state'), 'account.json');
}

test('at the default levels: warnings with rule id, file, line and column; exit codes as before', async () => {
  const dir = riskySpecs();
  const text = await counted(['validate', dir]);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(
    `warning: ${path.join(dir, 'web.taskdef')}:8:7: containerDefinitions[0].privileged: container "web" is privileged`,
  );
  expect(text.stdout).toMatch(
    /web\.taskdef:\d+:\d+: containerDefinitions\[0\]\.environment\[1\]\.value: .*DB_PASSWORD.* \[plain-secret\]/,
  );
  expect(text.stdout).toMatch(
    /: valid: cluster demo, .*policy warning\(s\) \(log-configuration 2, plain-secret 1, privileged 1\)/,
  );

  const out = json(await runCli(['validate', dir, '--output', 'json'], ENV));
  expect(out.valid).toBe(true);
  expect(out.directories[0].errors).toEqual([]);
  expect(
    out.directories[0].findings.map((f: { rule: string; level: string }) => `${f.rule}:${f.level}`),
  ).toEqual(['log-configuration:warn', 'privileged:warn', 'plain-secret:warn', 'log-configuration:warn']);

  // diff and apply: the warnings on stderr, the usual exit codes; the second apply changes nothing.
  const state = stateFile();
  const diff = await counted(['diff', dir, '--sandbox', state]);
  expect(diff.code).toBe(2);
  expect(diff.stderr).toMatch(/warning: .*web\.taskdef:8:7: .* \[privileged\]/);
  expect((await runCli(['apply', dir, '--sandbox', state], ENV)).code).toBe(0);
  const again = json(await runCli(['apply', dir, '--sandbox', state, '--output', 'json'], ENV));
  expect(again.converged).toBe(true);
  expect(again.awsCalls.mutating).toBe(0);
  for (const run of [text, diff]) expect(run.stdout + run.stderr).not.toContain(PASSWORD);
});

test('a rule at deny: validate, diff and apply exit 1, naming the rule, with no AWS call at all', async () => {
  const dir = riskySpecs('policy:\n  rules: { privileged: deny, plain-secret: deny }\n');
  const validate = await counted(['validate', dir]);
  expect(validate.code).toBe(1);
  expect(validate.stdout).toMatch(
    /error: .*web\.taskdef:8:7: containerDefinitions\[0\]\.privileged: .* \[privileged\]/,
  );
  expect(validate.stdout).toMatch(/error: .*DB_PASSWORD.* \[plain-secret\]/);
  const asJson = json(await runCli(['validate', dir, '--output', 'json'], ENV));
  expect(asJson.valid).toBe(false);
  expect(asJson.directories[0].errors.map((e: { rule?: string }) => e.rule)).toEqual([
    'privileged',
    'plain-secret',
  ]);

  const state = stateFile();
  const diff = await counted(['diff', dir, '--sandbox', state]);
  expect(diff.code).toBe(1);
  expect(diff.stderr).toMatch(/error: .*web\.taskdef:8:7: .* \[privileged\]/);
  expect(diff.awsCalls).toBe(0);
  const apply = await counted(['apply', dir, '--sandbox', state]);
  expect(apply.code).toBe(1);
  expect(apply.stdout).toMatch(/not applied: 2 spec error\(s\); nothing in this cluster was changed/);
  expect(apply.awsCalls).toBe(0);
  for (const run of [validate, diff, apply]) expect(run.stdout + run.stderr).not.toContain(PASSWORD);
});

test('an exemption in cluster.yaml lets that one file through the denied rule', async () => {
  const dir = riskySpecs(
    'policy:\n  rules: { privileged: deny }\n  exempt:\n    privileged: [web.taskdef]\n',
  );
  expect((await counted(['validate', dir])).code).toBe(0);
  const state = stateFile();
  expect((await counted(['diff', dir, '--sandbox', state])).code).toBe(2);
  expect((await counted(['apply', dir, '--sandbox', state])).code).toBe(0);
});
