/**
 * The GitHub action (action.yml): what a workflow author would trip over, read from the file, and its
 * shell steps run as the runner runs them (test/ci/composite-action.ts), against a stub CLI that
 * records its arguments and against the real compiled CLI.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUPPORTED_NODE_LINES } from '../../controller/cli/node-support';
import { distCli } from '../helpers/dist-cli';
import { expressionsIn, readAction, ROOT, runAction, type ActionRun } from './composite-action';
import { pinnedUses, unpinnedUses } from './pinning';

const action = readAction();
const rawAction = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ecs-gitops-${label}-`));
  made.push(dir);
  return dir;
}

/**
 * A directory with an `npm` that records where and how it ran, and for `ci` builds a stand-in of
 * dist/ (so no test ever installs anything).
 */
function fakeNpm(): { dir: string; calls: () => string[] } {
  const dir = tempDir('fake-npm');
  const record = path.join(dir, 'calls');
  fs.writeFileSync(record, '');
  fs.writeFileSync(
    path.join(dir, 'npm'),
    [
      '#!/bin/bash',
      `echo "$PWD: $*" >> '${record}'`,
      'if [ "$1" = ci ]; then mkdir -p dist/cli node_modules && touch dist/cli/main.js; fi',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { dir, calls: () => fs.readFileSync(record, 'utf8').split('\n').filter(Boolean) };
}

interface StubCall {
  argv: string[];
  githubToken: string | null;
  actionToken: string | null;
}

/** An action checkout, already built, whose bin/ecs-gitops.js records its call and exits $STUB_EXIT. */
function stubAction(): { dir: string; call: () => StubCall | undefined } {
  const dir = tempDir('stub-action');
  const record = path.join(dir, 'call.json');
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.mkdirSync(path.join(dir, 'dist/cli'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'dist/cli/main.js'), '');
  fs.writeFileSync(
    path.join(dir, 'bin/ecs-gitops.js'),
    `require('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({
      argv: process.argv.slice(2),
      githubToken: process.env.GITHUB_TOKEN ?? null,
      actionToken: process.env.ECS_GITOPS_TOKEN ?? null,
    }));
    process.exitCode = Number(process.env.STUB_EXIT ?? '0');\n`,
  );
  return {
    dir,
    call: () =>
      fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, 'utf8')) as StubCall) : undefined,
  };
}

function runStub(
  inputs: Record<string, string>,
  opts: { exit?: number; eventName?: string; workspace?: string } = {},
): ActionRun & { call: StubCall | undefined; npmCalls: string[] } {
  const stub = stubAction();
  const npm = fakeNpm();
  const run = runAction(action, {
    inputs,
    actionPath: stub.dir,
    workspace: opts.workspace ?? tempDir('workspace'),
    eventName: opts.eventName,
    pathPrepend: [npm.dir],
    env: { STUB_EXIT: String(opts.exit ?? 0) },
  });
  return { ...run, call: stub.call(), npmCalls: npm.calls() };
}

describe('action.yml, as read', () => {
  it('is a composite action whose third-party actions are pinned to a full commit SHA', () => {
    expect(action.runs.using).toBe('composite');
    const uses = action.runs.steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    expect(unpinnedUses(rawAction)).toEqual([]);
    expect(pinnedUses(rawAction).map((u) => u.action)).toEqual(['actions/setup-node']);
  });

  it('declares every input it reads, and reads every input it declares', () => {
    // `inputs.x`, not `steps.inputs.outputs.x` (the step that checks the inputs has the id `inputs`).
    const read = new Set(
      expressionsIn(rawAction).flatMap((e) =>
        [...e.matchAll(/(?:^|[^\w.-])inputs\.([\w-]+)/g)].map((m) => m[1]),
      ),
    );
    const declared = Object.keys(action.inputs);
    expect([...read].filter((name) => !declared.includes(name))).toEqual([]);
    expect(declared.filter((name) => !read.has(name))).toEqual([]);
    expect(declared).toEqual(
      expect.arrayContaining(['path', 'mode', 'args', 'node-version', 'comment', 'github-token']),
    );
  });

  it('never splices an expression into a script: inputs reach the shell through env', () => {
    for (const step of action.runs.steps) {
      if (step.run !== undefined)
        expect({ step: step.name, expressions: expressionsIn(step.run) }).toEqual({
          step: step.name,
          expressions: [],
        });
    }
  });

  it('runs the bin that package.json declares, which loads the dist/ that `npm ci` builds through prepare', () => {
    const runStep = action.runs.steps.find((s) => s.id === 'run');
    expect(runStep?.run).toContain(`"$GITHUB_ACTION_PATH/${pkg.bin['ecs-gitops']}"`);
    expect(fs.existsSync(path.join(ROOT, pkg.bin['ecs-gitops']))).toBe(true);
    expect(fs.readFileSync(path.join(ROOT, pkg.bin['ecs-gitops']), 'utf8')).toContain('../dist/cli/main.js');
    expect(pkg.scripts.prepare).toBe('npm run build');
    const install = action.runs.steps.find((s) => s.run?.includes('npm ci'));
    expect(install?.run).toContain('cd "$GITHUB_ACTION_PATH"');
  });

  it('sets up a Node line ecs-gitops supports, 24 by default', () => {
    expect(action.inputs['node-version'].default).toBe('24');
    expect(SUPPORTED_NODE_LINES).toContain(Number(action.inputs['node-version'].default));
    const setup = action.runs.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with?.['node-version']).toBe('${{ inputs.node-version }}');
  });

  it('its outputs come from the step that runs ecs-gitops', () => {
    expect(action.outputs['exit-code'].value).toBe('${{ steps.run.outputs.exit-code }}');
    expect(action.outputs.changes.value).toBe('${{ steps.run.outputs.changes }}');
  });
});

describe('action.yml, run', () => {
  it.each([0, 2, 1, 3])('maps ecs-gitops exit %i to the step result and the outputs', (exit) => {
    const run = runStub({ mode: 'diff' }, { exit });
    expect(run.skipped).toEqual([expect.stringMatching(/^actions\/setup-node@/)]);
    expect(run.outputs).toEqual({ 'exit-code': String(exit), changes: exit === 2 ? 'true' : 'false' });
    // 2 is "the plan has changes": the job goes on; anything but 0 and 2 fails the step with that code.
    expect(run.code).toBe(exit === 2 ? 0 : exit);
    if (exit === 1)
      expect(run.stdout).toMatch(/^::error title=ecs-gitops::ecs-gitops diff failed with exit code 1/m);
  });

  it('passes path and args as words, quotes grouping, nothing expanded or run', () => {
    const workspace = tempDir('workspace');
    const run = runStub(
      {
        mode: 'apply',
        path: 'clusters/a "clusters/b c"',
        args: `--var 'GREETING=hello world' --wait\n--timeout 15m $(touch pwned) \`touch pwned\` $HOME`,
      },
      { workspace },
    );
    expect(run.code).toBe(0);
    expect(run.call?.argv).toEqual([
      'apply',
      'clusters/a',
      'clusters/b c',
      '--var',
      'GREETING=hello world',
      '--wait',
      '--timeout',
      '15m',
      '$(touch',
      'pwned)',
      '`touch',
      'pwned`',
      '$HOME',
    ]);
    expect(fs.existsSync(path.join(workspace, 'pwned'))).toBe(false);
  });

  it('fails before running anything when a quote in args is not closed', () => {
    const run = runStub({ mode: 'diff', args: `--var 'A=b` });
    expect(run.code).toBe(1);
    expect(run.call).toBeUndefined();
    expect(run.stdout).toContain('::error title=ecs-gitops::path or args has a quote that is not closed');
  });

  it('comments on pull requests (diff only), handing the token to ecs-gitops only then', () => {
    const pr = runStub({ mode: 'diff' }, { eventName: 'pull_request' });
    expect(pr.call?.argv).toEqual(['diff', '.', '--comment']);
    expect(pr.call?.githubToken).toBe('ghs_test-token-not-real');
    expect(pr.call?.actionToken).toBeNull();

    for (const [inputs, eventName] of [
      [{ mode: 'diff' }, 'push'],
      [{ mode: 'apply' }, 'pull_request'],
      [{ mode: 'validate' }, 'pull_request'],
      [{ mode: 'diff', comment: 'false' }, 'pull_request'],
    ] as const) {
      const run = runStub(inputs, { eventName });
      expect({ inputs, eventName, argv: run.call?.argv }).toEqual({
        inputs,
        eventName,
        argv: [inputs.mode, '.'],
      });
      expect(run.call?.githubToken).toBeNull();
      expect(run.call?.actionToken).toBeNull();
    }
    expect(runStub({ mode: 'diff', comment: 'true' }, { eventName: 'push' }).call?.argv).toContain(
      '--comment',
    );
  });

  it.each([
    [{ mode: 'plan' }, 'mode must be diff, apply or validate, not "plan"'],
    [{ mode: 'apply', comment: 'true' }, 'comment: true works with mode: diff only'],
    [{ comment: 'yes' }, 'comment must be auto, true or false, not "yes"'],
  ])('rejects %j before installing anything', (inputs, message) => {
    const run = runStub(inputs);
    expect(run.code).toBe(1);
    expect(run.failedStep).toBe('Check the inputs');
    expect(run.stdout).toContain(message);
    expect(run.npmCalls).toEqual([]);
    expect(run.call).toBeUndefined();
  });

  it('accepts exactly the Node lines ecs-gitops supports', () => {
    const versions = ['18', '20', '22', '22.12.0', '24', '24.x', '26'];
    const supported = (v: string) =>
      (SUPPORTED_NODE_LINES as readonly number[]).includes(Number(v.split('.')[0]));
    expect(versions.filter((v) => runStub({ 'node-version': v }).code === 0)).toEqual(
      versions.filter(supported),
    );
    expect(runStub({ 'node-version': '20' }).stdout).toContain('node-version must be 22 or 24');
  });

  it('builds ecs-gitops with `npm ci` in its own checkout, once', () => {
    const npm = fakeNpm();
    const actionPath = tempDir('unbuilt-action');
    fs.mkdirSync(path.join(actionPath, 'bin'));
    fs.writeFileSync(path.join(actionPath, 'bin/ecs-gitops.js'), '');
    const twice = [1, 2].map(() =>
      runAction(action, {
        inputs: { mode: 'validate' },
        actionPath,
        workspace: tempDir('workspace'),
        pathPrepend: [npm.dir],
      }),
    );
    expect(twice.map((r) => r.code)).toEqual([0, 0]);
    // dev dependencies: prepare compiles with TypeScript even under NODE_ENV=production.
    expect(npm.calls()).toEqual([`${actionPath}: ci --include=dev --no-audit --no-fund --loglevel=error`]);
    expect(twice[1].stdout).toContain('ecs-gitops is already built');
  });
});

describe('action.yml, run with the real CLI (the repository as the action checkout)', () => {
  // As `uses: ./` in this repository: dist/ is built, so the install step leaves it alone.
  const real = (inputs: Record<string, string>): ActionRun => {
    distCli();
    return runAction(action, {
      inputs,
      actionPath: ROOT,
      workspace: ROOT,
      pathPrepend: [fakeNpm().dir],
      env: { AWS_REGION: 'us-east-1' },
    });
  };

  it('validate: valid specs succeed with exit-code 0; args reach the CLI', () => {
    const run = real({ mode: 'validate', path: 'examples/multi-cluster', args: '--var API_COUNT=2' });
    expect(run.stdout).toContain('examples/multi-cluster/production: valid: cluster');
    expect({ code: run.code, outputs: run.outputs }).toEqual({
      code: 0,
      outputs: { 'exit-code': '0', changes: 'false' },
    });
  });

  it('validate: an error fails the step with exit-code 1 and says why', () => {
    const run = real({ mode: 'validate', path: 'examples/multi-cluster' });
    expect(run.stdout).toContain('undefined variable ${API_COUNT}');
    expect({ code: run.code, outputs: run.outputs }).toEqual({
      code: 1,
      outputs: { 'exit-code': '1', changes: 'false' },
    });
  });

  it('diff: changes (exit 2) succeed with changes=true', () => {
    const run = real({ mode: 'diff', path: 'examples/fargate', args: '--sandbox' });
    expect(run.stdout).toContain('+ cluster/apps');
    expect({ code: run.code, outputs: run.outputs }).toEqual({
      code: 0,
      outputs: { 'exit-code': '2', changes: 'true' },
    });
  });
});
