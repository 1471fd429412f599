/**
 * Reads the composite action (action.yml) and runs its `run:` steps the way the GitHub runner does:
 * `bash --noprofile --norc -eo pipefail` on each script, the step's `env:` evaluated first, outputs
 * read from the $GITHUB_OUTPUT file, the action's outputs evaluated from the steps' outputs.
 * `uses:` steps (actions/setup-node) are not run: the Node running the tests stands in for them.
 * Expressions are only the dotted names the action uses (inputs.x, steps.id.outputs.x, github.x);
 * anything else throws, so a new kind of expression in action.yml makes the test say so.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '../..');

export interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

export interface ActionStep {
  name?: string;
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  if?: string;
}

export interface ActionFile {
  name: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function readAction(): ActionFile {
  return parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionFile;
}

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;

/** Every `${{ ... }}` expression in a text. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(EXPRESSION)].map((m) => m[1]);
}

type Context = Record<string, unknown>;

function evaluate(text: string, context: Context): string {
  return text.replace(EXPRESSION, (_, expr: string) => {
    if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/.test(expr)) {
      throw new Error(`composite-action runner: cannot evaluate \${{ ${expr} }}`);
    }
    let value: unknown = context;
    for (const key of expr.split('.')) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    // Like the runner: a missing property is an empty string.
    if (value === undefined) return '';
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    throw new Error(`composite-action runner: \${{ ${expr} }} is not a value`);
  });
}

export interface ActionRun {
  /** The exit code of the step that failed, or 0 when every step succeeded. */
  code: number;
  /** The name of the step that failed. */
  failedStep?: string;
  /** The action's outputs (exit-code, changes), as a workflow sees them. */
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
  /** The `uses:` steps, which the runner skipped. */
  skipped: string[];
}

export interface RunOptions {
  inputs: Record<string, string>;
  actionPath: string;
  workspace: string;
  /** GITHUB_EVENT_NAME; default push. */
  eventName?: string;
  /** Directories put first on PATH (a fake npm). */
  pathPrepend?: string[];
  /** Extra environment for every step. */
  env?: Record<string, string>;
  /** github.token, the default of the github-token input. */
  token?: string;
}

function readOutputFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export function runAction(action: ActionFile, opts: RunOptions): ActionRun {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-gitops-action-run-'));
  try {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const eventName = opts.eventName ?? 'push';
    const github = {
      action_path: opts.actionPath,
      workspace: opts.workspace,
      event_name: eventName,
      token: opts.token ?? 'ghs_test-token-not-real',
    };
    const inputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(action.inputs)) {
      inputs[name] = opts.inputs[name] ?? evaluate(spec.default ?? '', { github });
    }
    for (const name of Object.keys(opts.inputs)) {
      // The runner warns about an undeclared input and the action never sees it: a test must not pass one.
      if (!(name in action.inputs)) throw new Error(`input ${name} is not declared in action.yml`);
    }
    const steps: Record<string, { outputs: Record<string, string> }> = {};
    const result: ActionRun = { code: 0, outputs: {}, stdout: '', stderr: '', skipped: [] };
    action.runs.steps.forEach((step, i) => {
      if (result.code !== 0) return;
      if (step.if !== undefined) throw new Error('composite-action runner: `if:` on a step is not supported');
      if (step.uses) {
        result.skipped.push(step.uses);
        return;
      }
      const context = { inputs, github, steps };
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluate(String(v), context);
      const script = path.join(tmp, `step-${i}.sh`);
      const outputFile = path.join(tmp, `output-${i}`);
      fs.writeFileSync(script, step.run ?? '');
      fs.writeFileSync(outputFile, '');
      const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: opts.workspace,
        encoding: 'utf8',
        env: {
          // actions/setup-node puts its Node first on PATH: here, the Node running the tests.
          PATH: [
            ...(opts.pathPrepend ?? []),
            path.dirname(process.execPath),
            process.env.PATH ?? '/usr/bin:/bin',
          ].join(path.delimiter),
          // Nothing of the caller's AWS setup (~/.aws, instance metadata) reaches the commands.
          HOME: home,
          AWS_EC2_METADATA_DISABLED: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_ACTION_PATH: opts.actionPath,
          GITHUB_WORKSPACE: opts.workspace,
          GITHUB_EVENT_NAME: eventName,
          GITHUB_OUTPUT: outputFile,
          RUNNER_TEMP: tmp,
          NO_COLOR: '1',
          ...opts.env,
          ...env,
        },
      });
      result.stdout += run.stdout;
      result.stderr += run.stderr;
      if (step.id) steps[step.id] = { outputs: readOutputFile(outputFile) };
      if (run.status !== 0) {
        result.code = run.status ?? 1;
        result.failedStep = step.name ?? step.id ?? `step ${i + 1}`;
      }
    });
    for (const [name, spec] of Object.entries(action.outputs)) {
      result.outputs[name] = evaluate(spec.value, { steps, inputs, github });
    }
    return result;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
