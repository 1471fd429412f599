/**
 * `diff` as CI runs it, on the sandbox account: the JSON document is what schemas/plan.v1.json
 * describes (also with a directory that fails), and the exit code is the same in every format.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planSchemaValidator } from '../helpers/plan-schema';
import { json, runCli } from '../helpers/run-cli';

const SPECS = path.join(__dirname, '../../specs');
const ENV = { NO_COLOR: undefined, ECS_GITOPS_LOG_LEVEL: 'warn' };

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ecs-gitops-diff-${prefix}-`));
}

function copySpecs(): string {
  const dir = tmp('specs');
  cpSync(SPECS, dir, { recursive: true });
  return dir;
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`test setup: ${from} not found in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

const diff = (args: string[]) => runCli(['diff', ...args], ENV);

test('a changed and a broken directory: JSON as schemas/plan.v1.json documents it, markdown lists what was not planned, exit codes alike in every format', async () => {
  const state = path.join(tmp('state'), 'account.json');
  const dir = copySpecs();
  expect((await runCli(['apply', dir, '--sandbox', state], ENV)).code).toBe(0);
  edit(path.join(dir, 'web.taskdef'), 'nginx:1.27', 'nginx:1.28');
  const broken = copySpecs();
  edit(path.join(broken, 'cluster.yaml'), 'name: demo', 'name: other');
  edit(path.join(broken, 'web.taskdef'), '"memoryReservation": 64', '"memoryReservation": "lots"');

  const validate = planSchemaValidator({ closed: true });
  const run = await diff([dir, broken, '--sandbox', state, '--output', 'json']);
  expect(run.code).toBe(1);
  const doc = json(run);
  expect(doc.clusters).toHaveLength(1);
  expect(doc.errors[0].errors[0]).toMatchObject({ field: expect.stringContaining('memoryReservation') });
  expect(validate(doc) ? null : validate.errors).toBeNull();
  // The published schema (open to new fields) accepts it too.
  expect(planSchemaValidator({ closed: false })(doc)).toBe(true);

  // Markdown lists the directory it could not plan (relative), so the comment never reads as clean.
  const md = await diff([dir, broken, '--sandbox', state, '--output', 'markdown']);
  expect(md.code).toBe(1);
  expect(md.stdout).toContain(
    '**Not planned: 1 directory with errors; nothing in it is compared or applied.**',
  );
  expect(md.stdout).toMatch(
    /^- `ecs-gitops-diff-specs-\w+`: ecs-gitops-diff-specs-\w+\/web\.taskdef:7:7: .*memoryReservation/m,
  );
  expect(md.stdout).not.toContain(tmpdir());
  const onlyBroken = await diff([broken, '--sandbox', state, '--output', 'markdown']);
  expect(onlyBroken.code).toBe(1);
  expect(onlyBroken.stdout).toContain('**Not planned: 1 directory');
  expect(onlyBroken.stdout).not.toContain('No changes');

  // Exit codes are the same in every format: 2 with changes, 0 without.
  for (const output of ['text', 'json', 'markdown']) {
    expect((await diff([dir, '--sandbox', state, '--output', output])).code).toBe(2);
  }
  edit(path.join(dir, 'web.taskdef'), 'nginx:1.28', 'nginx:1.27');
  for (const output of ['text', 'json', 'markdown']) {
    const run = await diff([dir, '--sandbox', state, '--output', output]);
    expect(run.code).toBe(0);
    if (output === 'markdown') expect(run.stdout).toContain('**No changes.**');
  }
});
