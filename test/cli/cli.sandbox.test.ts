/**
 * The CLI as a user or a CI job runs it, on the sandbox account persisted to a temp state file
 * (`--sandbox <file>`): exit codes, the documented output formats, spec errors, several cluster
 * directories at once, starter templates and template variables.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSandbox } from '../../controller/aws/sandbox/state-file';
import { json, runCli, type CliRun } from '../helpers/run-cli';
import { copySpecsWithoutEvents } from '../helpers/specs-copy';

const ROOT = path.join(__dirname, '../..');
const SPECS = path.join(ROOT, 'specs');
const MULTI = path.join(ROOT, 'examples/multi-cluster');
/** The escape that starts every ANSI colour sequence. */
const ANSI = new RegExp(String.fromCharCode(27) + '\\[');

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ecs-gitops-cli-${prefix}-`));
}

/** A copy of specs/ (cluster demo) that a test may edit. */
function copySpecs(into?: string): string {
  const dir = into ?? tmp('specs');
  copySpecsWithoutEvents(dir);
  return dir;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(file, next);
}

/** A state file path in a fresh directory (the file itself does not exist yet). */
function stateFile(): string {
  return path.join(tmp('state'), 'account.json');
}

/** Quiet logs, and no template variable from the environment that a test did not ask for. */
const ENV = { API_COUNT: undefined, NO_COLOR: undefined, ECS_GITOPS_LOG_LEVEL: 'warn' };

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return runCli(args, { ...ENV, ...env });
}

/** The sandbox account in a state file, read back the way the next command would. */
async function account(file: string) {
  const { ecs } = await loadSandbox(file);
  return ecs;
}

function mutatingCalls(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byOperation).filter(([op]) => !/\.(Describe|List|Get)/.test(op)));
}

/** Runs with stdout pretending to be a terminal (as when a person runs the command). */
async function onTerminal<T>(fn: () => Promise<T>): Promise<T> {
  const had = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
  try {
    return await fn();
  } finally {
    if (had) Object.defineProperty(process.stdout, 'isTTY', had);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  }
}

describe('exit codes', () => {
  test('validate: 0 for good specs, 1 for a bad one', async () => {
    expect((await cli(['validate', SPECS])).code).toBe(0);
    const dir = copySpecs();
    edit(path.join(dir, 'web.taskdef'), '"memoryReservation": 64', '"memoryReservation": "lots"');
    const bad = await cli(['validate', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/web\.taskdef:\d+:\d+/);
  });

  test('diff: 2 with changes, 0 once converged, 1 with a bad spec; apply: 0 converged', async () => {
    const state = stateFile();
    const dir = copySpecs();
    expect((await cli(['diff', dir, '--sandbox', state])).code).toBe(2);
    const applied = await cli(['apply', dir, '--sandbox', state]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/5 created/);
    expect((await cli(['diff', dir, '--sandbox', state])).code).toBe(0);

    // Second apply: converged, zero mutating calls.
    const again = json(await cli(['apply', dir, '--sandbox', state, '--output', 'json']));
    expect(again.converged).toBe(true);
    expect(again.awsCalls.mutating).toBe(0);
    expect(mutatingCalls(again.awsCalls.byOperation)).toEqual({});

    edit(path.join(dir, 'web.service.template'), '"desiredCount": 2', '"desiredCount": "two"');
    const bad = await cli(['diff', dir, '--sandbox', state]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/web\.service\.template:\d+:\d+: desiredCount:/);
  });

  test('apply exits 1 when AWS rejects something, and still converges the rest', async () => {
    const state = stateFile();
    const dir = copySpecs();
    edit(path.join(dir, 'web.taskdef'), '"memoryReservation": 64,', '"memoryReservation": 64, "memory": 32,');
    const run = await cli(['apply', dir, '--sandbox', state, '--output', 'json']);
    expect(run.code).toBe(1);
    const out = json(run);
    expect(out.converged).toBe(false);
    const outcomes = Object.fromEntries(out.clusters[0].results.map((r: any) => [r.id, r.outcome]));
    expect(outcomes).toEqual({
      'cluster/demo': 'created',
      'taskDefinition/demo-web': 'failed',
      'taskDefinition/demo-worker': 'created',
      'service/web': 'skipped',
      'service/worker': 'created',
    });
    const failed = out.clusters[0].results.find((r: any) => r.id === 'taskDefinition/demo-web');
    expect(failed.errorCode).toBe('ClientException');
    const sb = await account(state);
    const worker = await sb.describeServices({ cluster: 'demo', services: ['worker'] });
    expect(worker.services?.[0].status).toBe('ACTIVE');
  });

  test('apply --dry-run is diff: exit 2 with changes, and nothing is created', async () => {
    const state = stateFile();
    const dir = copySpecs();
    const run = await cli(['apply', dir, '--dry-run', '--sandbox', state, '--no-color']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^\+ service\/web /m);
    expect(run.stdout).toMatch(/Plan for cluster demo: 5 to create/);
    const sb = await account(state);
    expect((await sb.describeClusters({ clusters: ['demo'] })).clusters).toEqual([]);

    const asJson = json(await cli(['apply', dir, '--dry-run', '--sandbox', state, '--output', 'json']));
    expect(asJson.clusters[0].changes).toBe(true);

    expect((await cli(['apply', dir, '--sandbox', state])).code).toBe(0);
    expect((await cli(['apply', dir, '--dry-run', '--sandbox', state])).code).toBe(0);
  });

  test('apply --wait exits 1 when a deployment is still in progress at --timeout', async () => {
    // The CLI's sandbox runs on real time (rollouts take 5 s there), so a 1 s timeout expires.
    const state = stateFile();
    const run = await cli([
      'apply',
      copySpecs(),
      '--sandbox',
      state,
      '--wait',
      '--timeout',
      '1s',
      '--output',
      'json',
    ]);
    expect(run.code).toBe(1);
    const out = json(run);
    expect(out.converged).toBe(false);
    expect(out.clusters[0].rollouts).toEqual([
      { service: 'web', state: 'timeout', reason: 'deployment still in progress after 1s' },
      { service: 'worker', state: 'timeout', reason: 'deployment still in progress after 1s' },
    ]);
  });

  test('destroy without --confirm exits 1 and deletes nothing', async () => {
    const state = stateFile();
    expect((await cli(['apply', copySpecs(), '--sandbox', state])).code).toBe(0);
    const before = readFileSync(state, 'utf8');
    const run = await cli(['destroy', 'demo', '--drain', '--sandbox', state]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--confirm/);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  test('destroy --confirm exits 1 while services remain, lists them, and deletes nothing', async () => {
    const state = stateFile();
    expect((await cli(['apply', copySpecs(), '--sandbox', state])).code).toBe(0);
    const before = readFileSync(state, 'utf8');
    const run = await cli(['destroy', 'demo', '--confirm', '--sandbox', state]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^refused: cluster demo still has 2 service\(s\)/m);
    expect(run.stdout).toMatch(/^ {2}service web \(ACTIVE, owned by ecs-gitops\)$/m);
    expect(run.stdout).toMatch(/^ {2}service worker \(ACTIVE, owned by ecs-gitops\)$/m);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });
});

describe('destroy --dry-run: the plan, in every format, and nothing changed', () => {
  async function applied(): Promise<{ state: string; before: string }> {
    const state = stateFile();
    expect((await cli(['apply', copySpecs(), '--sandbox', state])).code).toBe(0);
    return { state, before: readFileSync(state, 'utf8') };
  }

  test('text: with --drain, each service to drain and the cluster last; exit 2; no --confirm needed', async () => {
    const { state, before } = await applied();
    const run = await cli(['destroy', 'demo', '--drain', '--dry-run', '--sandbox', state]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^- service\/web {2}scale to 0, drain, delete$/m);
    expect(run.stdout).toMatch(/^- service\/worker {2}scale to 0, drain, delete$/m);
    expect(run.stdout).toMatch(
      /^- cluster\/demo {2}created by ecs-gitops: deleted, once its 2 service\(s\) are gone$/m,
    );
    expect(run.stdout).toMatch(/- {3}desiredCount: 2\n\+ {3}desiredCount: 0/);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  test('json: the plan document with dependsOn, the services, and zero mutating AWS calls', async () => {
    const { state, before } = await applied();
    const run = await cli(['destroy', 'demo', '--drain', '--dry-run', '-o', 'json', '--sandbox', state]);
    expect(run.code).toBe(2);
    const out = json(run);
    const plan = out.clusters[0];
    expect(plan.actions.map((a: { id: string; op: string }) => `${a.op} ${a.id}`)).toEqual([
      'delete service/web',
      'delete service/worker',
      'delete cluster/demo',
    ]);
    expect(plan.actions[2].dependsOn).toEqual(['service/web', 'service/worker']);
    expect(out.services.map((s: { name: string }) => s.name)).toEqual(['web', 'worker']);
    expect(out.awsCalls.mutating).toBe(0);
    expect(out.awsCalls.total).toBeGreaterThan(0);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  test('markdown: the same plan for a pull request comment', async () => {
    const { state } = await applied();
    const run = await cli(['destroy', 'demo', '--drain', '--dry-run', '-o', 'markdown', '--sandbox', state]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('| demo | cluster | demo | delete |');
    expect(run.stdout).toContain('| demo | service | web | delete |');
    expect(run.stdout).toMatch(/3 to delete/);
  });

  test('refused (services remain, no --drain): exit 1, the error lists them, in text and json', async () => {
    const { state, before } = await applied();
    const text = await cli(['destroy', 'demo', '--dry-run', '--sandbox', state]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^error: cluster demo still has 2 service\(s\); delete them first or pass --drain: web \(ACTIVE, owned by ecs-gitops\), worker \(ACTIVE, owned by ecs-gitops\)$/m,
    );
    const out = json(await cli(['destroy', 'demo', '--dry-run', '-o', 'json', '--sandbox', state]));
    expect(out.clusters[0].errors[0].message).toMatch(/still has 2 service\(s\)/);
    expect(out.clusters[0].changes).toBe(false);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  test('nothing to destroy (no such cluster): exit 0', async () => {
    const run = await cli(['destroy', 'demo', '--dry-run', '-o', 'json', '--sandbox', stateFile()]);
    expect(run.code).toBe(0);
    expect(json(run).clusters[0].actions[0]).toMatchObject({
      id: 'cluster/demo',
      op: 'none',
      reason: 'does not exist: nothing to destroy',
    });
  });

  test('the plan is what destroy then does: the same actions, and a second destroy has nothing to do', async () => {
    const { state } = await applied();
    const dry = json(
      await cli(['destroy', 'demo', '--drain', '--dry-run', '-o', 'json', '--sandbox', state]),
    );
    const run = await cli([
      'destroy',
      'demo',
      '--drain',
      '--confirm',
      '--timeout',
      '5m',
      '-o',
      'json',
      '--sandbox',
      state,
    ]);
    expect(run.code).toBe(0);
    const rep = json(run);
    expect(rep.verdict).toBe('deleted');
    expect(rep.results.map((r: { id: string }) => r.id)).toEqual(
      dry.clusters[0].actions.map((a: { id: string }) => a.id),
    );
    const after = await cli(['destroy', 'demo', '--drain', '--dry-run', '--sandbox', state]);
    expect(after.code).toBe(0);
  });
});

describe('--output json', () => {
  test('validate: valid, and per directory its cluster, files, errors and warnings', async () => {
    const out = json(await cli(['validate', SPECS, '--output', 'json']));
    expect(out).toMatchObject({ schemaVersion: 1, valid: true });
    expect(out.directories).toHaveLength(1);
    const d = out.directories[0];
    expect(d.cluster).toBe('demo');
    expect(d.errors).toEqual([]);
    expect(d.warnings).toEqual([]);
    expect(d.files.map((f: string) => path.basename(f)).sort()).toEqual([
      'cluster.yaml',
      'web.service.template',
      'web.taskdef',
      'worker.taskdef.yaml',
    ]);
  });

  test('validate: each error with file, line, column, field and message', async () => {
    const dir = copySpecs();
    edit(path.join(dir, 'web.service.template'), '"desiredCount"', '"desiredCuont"');
    const run = await cli(['validate', dir, '--output', 'json']);
    expect(run.code).toBe(1);
    const out = json(run);
    expect(out.valid).toBe(false);
    expect(out.directories[0].errors).toEqual([
      expect.objectContaining({
        file: path.join(dir, 'web.service.template'),
        line: 4,
        column: expect.any(Number),
        field: 'desiredCuont',
        message: expect.stringMatching(/did you mean "desiredCount"/),
      }),
    ]);
  });

  test('diff: per cluster its actions with op, reason, source and field changes, and a summary', async () => {
    const state = stateFile();
    const dir = copySpecs();
    expect((await cli(['apply', dir, '--sandbox', state])).code).toBe(0);
    edit(path.join(dir, 'web.taskdef'), 'nginx:1.27', 'nginx:1.28');
    const run = await cli(['diff', dir, '--sandbox', state, '--output', 'json']);
    expect(run.code).toBe(2);
    const out = json(run);
    expect(out.schemaVersion).toBe(1);
    expect(out.errors).toEqual([]);
    const c = out.clusters[0];
    expect(c).toMatchObject({ cluster: 'demo', region: 'us-east-1', dir, changes: true });
    expect(c.summary).toEqual({ create: 0, update: 2, delete: 0, unchanged: 3, conflict: 0, orphan: 0 });
    const td = c.actions.find((a: any) => a.id === 'taskDefinition/demo-web');
    expect(td).toMatchObject({
      resource: 'taskDefinition',
      name: 'demo-web',
      op: 'update',
      source: { file: path.join(dir, 'web.taskdef'), line: expect.any(Number), column: expect.any(Number) },
    });
    expect(td.changes).toEqual([
      { path: 'containerDefinitions[web].image', before: 'nginx:1.27', after: 'nginx:1.28' },
    ]);
    const web = c.actions.find((a: any) => a.id === 'service/web');
    expect(web.op).toBe('update');
    expect(web.changes).toEqual([
      { path: 'taskDefinition', before: 'demo-web:1', after: 'demo-web:<new revision>' },
      // The deploy records the new spec hash on the service (one TagResource).
      {
        path: 'tags[ecs-gitops:spec-hash]',
        before: expect.stringMatching(/^v1:[0-9a-f]{32}@demo-web:1$/),
        after: expect.stringMatching(/^v1:[0-9a-f]{32}@demo-web:<new revision>$/),
      },
    ]);
  });

  test('apply: converged, per cluster its results, and the AWS calls by operation', async () => {
    const state = stateFile();
    const run = await cli(['apply', copySpecs(), '--sandbox', state, '--output', 'json']);
    expect(run.code).toBe(0);
    const out = json(run);
    expect(out).toMatchObject({ schemaVersion: 1, converged: true });
    const c = out.clusters[0];
    expect(c).toMatchObject({ cluster: 'demo', errors: [], rollouts: [], converged: true });
    const web = c.results.find((r: any) => r.id === 'service/web');
    expect(web).toMatchObject({ resource: 'service', name: 'web', outcome: 'created' });
    expect(web.arn).toBe('arn:aws:ecs:us-east-1:123456789012:service/demo/web');
    expect(web.taskDefinitionArn).toMatch(/task-definition\/demo-web:1$/);
    expect(mutatingCalls(out.awsCalls.byOperation)).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.CreateService': 2,
      'ECS.RegisterTaskDefinition': 2,
    });
    expect(out.awsCalls.mutating).toBe(5);
    expect(out.awsCalls.total).toBe(
      Object.values(out.awsCalls.byOperation as Record<string, number>).reduce((a, b) => a + b, 0),
    );
  });
});

describe('diff output', () => {
  async function changedImage() {
    const state = stateFile();
    const dir = copySpecs();
    expect((await cli(['apply', dir, '--sandbox', state])).code).toBe(0);
    edit(path.join(dir, 'web.taskdef'), 'nginx:1.27', 'nginx:1.28');
    return { state, dir };
  }

  test('reads like git diff, without ANSI escapes when stdout is not a terminal', async () => {
    const { state, dir } = await changedImage();
    const run = await cli(['diff', dir, '--sandbox', state]);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toMatch(ANSI);
    expect(run.stdout).toMatch(/^~ taskDefinition\/demo-web .*new revision/m);
    expect(run.stdout).toMatch(/^-\s+containerDefinitions\[web\]\.image: "nginx:1\.27"$/m);
    expect(run.stdout).toMatch(/^\+\s+containerDefinitions\[web\]\.image: "nginx:1\.28"$/m);
    expect(run.stdout).toMatch(/^~ service\/web /m);
    expect(run.stdout).toMatch(/Plan for cluster demo: 0 to create, 2 to update, 3 unchanged, 0 conflicts\./);
  });

  test('is coloured on a terminal, and --no-color turns that off', async () => {
    const { state, dir } = await changedImage();
    const env = { TERM: 'xterm-256color' };
    const coloured = await onTerminal(() => cli(['diff', dir, '--sandbox', state], env));
    expect(coloured.stdout).toMatch(ANSI);
    const plain = await onTerminal(() => cli(['diff', dir, '--sandbox', state, '--no-color'], env));
    expect(plain.code).toBe(2);
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stdout).toMatch(/^\+\s+containerDefinitions\[web\]\.image: "nginx:1\.28"$/m);
  });

  test('--output markdown puts the diff in a ```diff fence', async () => {
    const { state, dir } = await changedImage();
    const run = await onTerminal(() => cli(['diff', dir, '--sandbox', state, '--output', 'markdown']));
    expect(run.code).toBe(2);
    expect(run.stdout).not.toMatch(ANSI);
    // The account read from STS (the sandbox's), and paths relative to the working directory.
    expect(run.stdout).toMatch(/^Compared against AWS account `\d{12}`\.$/m);
    expect(run.stdout).not.toContain(dir);
    expect(run.stdout).toContain('| demo | task definition | demo-web | update |');
    const fenced = /^```diff\n([\s\S]*?)\n```$/m.exec(run.stdout);
    expect(fenced).not.toBeNull();
    expect(fenced?.[1]).toMatch(/^! containerDefinitions\[web\]\.image: "nginx:1\.27" -> "nginx:1\.28"$/m);
    // Cut to a small limit: the table stays whole, details go, and the output says where the rest is.
    const cut = await cli(['diff', dir, '--sandbox', state, '-o', 'markdown', '--max-length', '700']);
    expect(cut.code).toBe(2);
    expect(cut.stdout.length).toBeLessThanOrEqual(700);
    expect(cut.stdout).toContain('| demo | task definition | demo-web | update |');
    expect(cut.stdout).toContain('the full plan is in the job log');
    const textWithLimit = await cli(['diff', dir, '--sandbox', state, '--max-length', '700']);
    expect(textWithLimit.code).toBe(1);
    expect(textWithLimit.stderr).toContain('--max-length only applies to --output markdown');
  });
});

describe('bad specs', () => {
  test('errors name file:line:column and the field on stderr, and the account is not changed', async () => {
    const state = stateFile();
    const dir = copySpecs();
    expect((await cli(['apply', dir, '--sandbox', state])).code).toBe(0);
    const before = readFileSync(state, 'utf8');

    // Two problems at once: both are reported, nothing is applied (not even the good change).
    edit(path.join(dir, 'web.taskdef'), 'nginx:1.27', 'nginx:1.28');
    edit(path.join(dir, 'web.service.template'), '"desiredCount"', '"desiredCuont"');
    edit(path.join(dir, 'worker.taskdef.yaml'), 'memoryReservation: 32', 'memoryReservation: lots');
    const run = await cli(['apply', dir, '--sandbox', state, '--output', 'json']);
    expect(run.code).toBe(1);
    const templateFile = path.join(dir, 'web.service.template');
    const workerFile = path.join(dir, 'worker.taskdef.yaml');
    expect(run.stderr).toContain(`${templateFile}:4:`);
    expect(run.stderr).toMatch(/web\.service\.template:4:\d+: desiredCuont: .*did you mean "desiredCount"/);
    expect(run.stderr).toMatch(/worker\.taskdef\.yaml:5:\d+: containerDefinitions\[0\]\.memoryReservation: /);
    expect(run.stderr).toContain(workerFile);
    const out = json(run);
    expect(out.converged).toBe(false);
    expect(out.awsCalls.mutating).toBe(0);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  test('two directories, one bad: the good one converges, the bad one is untouched, exit 1', async () => {
    const state = stateFile();
    const root = tmp('two');
    const good = copySpecs(path.join(root, 'good'));
    const bad = copySpecs(path.join(root, 'bad'));
    edit(path.join(bad, 'cluster.yaml'), /^name: demo$/m, 'name: other');
    edit(path.join(bad, 'cluster.yaml'), /^prefix: demo$/m, 'prefix: other');
    expect((await cli(['apply', good, bad, '--sandbox', state])).code).toBe(0);

    edit(path.join(good, 'web.taskdef'), 'nginx:1.27', 'nginx:1.28');
    edit(path.join(bad, 'web.taskdef'), 'nginx:1.27', 'nginx:1.28');
    edit(path.join(bad, 'web.taskdef'), '"name": "web",', '"name": "web" "oops": 1,');
    const run = await cli(['apply', good, bad, '--sandbox', state, '--output', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad\/web\.taskdef:\d+:\d+/);
    const out = json(run);
    const byCluster = Object.fromEntries(out.clusters.map((c: any) => [c.cluster ?? c.dir, c]));
    expect(byCluster.demo.converged).toBe(true);
    expect(byCluster[bad].converged).toBe(false);
    expect(byCluster[bad].results).toEqual([]);
    expect(mutatingCalls(out.awsCalls.byOperation)).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });

    const sb = await account(state);
    const demoWeb = await sb.describeServices({ cluster: 'demo', services: ['web'] });
    expect(demoWeb.services?.[0].taskDefinition).toMatch(/demo-web:2$/);
    const otherWeb = await sb.describeServices({ cluster: 'other', services: ['web'] });
    expect(otherWeb.services?.[0].taskDefinition).toMatch(/other-web:1$/);
    const otherTd = await sb.describeTaskDefinition({ taskDefinition: 'other-web' });
    expect(otherTd.taskDefinition?.revision).toBe(1);
    expect(otherTd.taskDefinition?.containerDefinitions?.[0].image).toBe('nginx:1.27');
  });
});

describe('a repository root with several cluster directories', () => {
  test('examples/multi-cluster expands to staging and production; both converge', async () => {
    const state = stateFile();
    const valid = json(await cli(['validate', MULTI, '--var', 'API_COUNT=2', '--output', 'json']));
    expect(valid.valid).toBe(true);
    expect(valid.directories.map((d: any) => d.cluster).sort()).toEqual(['production', 'staging']);

    const run = await cli(['apply', MULTI, '--var', 'API_COUNT=2', '--sandbox', state, '--output', 'json']);
    expect(run.code).toBe(0);
    const out = json(run);
    expect(out.clusters.map((c: any) => c.cluster).sort()).toEqual(['production', 'staging']);
    expect(mutatingCalls(out.awsCalls.byOperation)).toEqual({
      'ECS.CreateCluster': 2,
      'ECS.CreateService': 2,
      'ECS.RegisterTaskDefinition': 2,
    });

    const sb = await account(state);
    for (const cluster of ['staging', 'production']) {
      const api = await sb.describeServices({ cluster, services: ['api'] });
      expect(api.services?.[0].desiredCount).toBe(2);
      // Both cluster.yaml files say eu-west-1: that is where the sandbox account puts them.
      expect(api.services?.[0].serviceArn).toBe(`arn:aws:ecs:eu-west-1:123456789012:service/${cluster}/api`);
      expect(api.services?.[0].taskDefinition).toBe(
        `arn:aws:ecs:eu-west-1:123456789012:task-definition/${cluster}-api:1`,
      );
    }

    const diff = await cli(['diff', MULTI, '--var', 'API_COUNT=2', '--sandbox', state]);
    expect(diff.code).toBe(0);
    const again = json(
      await cli(['apply', MULTI, '--var', 'API_COUNT=2', '--sandbox', state, '--output', 'json']),
    );
    expect(mutatingCalls(again.awsCalls.byOperation)).toEqual({});
  });
});

describe('templates and variables', () => {
  test('templates taskdef, service and cluster, saved as files, validate with zero errors', async () => {
    const dir = tmp('starter');
    const files: Record<string, string> = {
      taskdef: 'web.taskdef',
      service: 'web.service',
      cluster: 'cluster.yaml',
    };
    for (const [kind, name] of Object.entries(files)) {
      const run = await cli(['templates', kind]);
      expect(run.code).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(0);
      writeFileSync(path.join(dir, name), run.stdout);
    }
    const run = await cli(['validate', dir, '--output', 'json']);
    const out = json(run);
    expect(out.directories[0].errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(out.directories[0].cluster).toBe('demo');

    // And they plan against an empty account.
    const diff = json(
      await cli(['diff', dir, '--sandbox', stateFile(), '--region', 'us-east-1', '--output', 'json']),
    );
    expect(diff.errors).toEqual([]);
    expect(diff.clusters[0].summary).toMatchObject({ create: 3, conflict: 0 });
  });

  test('an unknown template kind exits 1', async () => {
    const run = await cli(['templates', 'pipeline']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown kind "pipeline"/);
  });

  test('--var fills a template variable; a missing one is an error naming the variable', async () => {
    const staging = path.join(MULTI, 'staging');
    const filled = json(
      await cli(['diff', staging, '--var', 'API_COUNT=3', '--sandbox', stateFile(), '--output', 'json']),
    );
    const api = filled.clusters[0].actions.find((a: any) => a.id === 'service/api');
    expect(api.changes).toEqual(expect.arrayContaining([{ path: 'desiredCount', after: 3 }]));

    const state = stateFile();
    const missing = await cli(['apply', staging, '--sandbox', state]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/api\.service\.template:\d+:\d+: .*API_COUNT/);
    expect(existsSync(state)).toBe(false);
    const validate = await cli(['validate', staging]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/API_COUNT/);
  });
});
