/**
 * Secrets never printed: for every output of the CLI (diff as text, JSON and markdown, apply results
 * as text and JSON, logs at debug as text and JSON, error messages), neither the old nor the new
 * value of a secret appears anywhere in stdout or stderr, and the change is still visible as one.
 * Each run starts with no secret values known to the output mask (telemetry/secret-mask.ts), as a
 * new process would: the old values reach a run only from the account, where only the plan's
 * redaction can hide them.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { errors as sandboxErrors } from '../../controller/aws/sandbox/errors';
import { forgetSecretValues } from '../../controller/telemetry/secret-mask';
import { json, runCli, type CliRun } from '../helpers/run-cli';

const SPECS = path.join(__dirname, '../../specs');

interface Secrets {
  pw: string;
  urlPw: string;
  labelToken: string;
  splunk: string;
  keyId: string;
  /** Not a secret: the SSM parameter `secrets[].valueFrom` names, shown as written. */
  ref: string;
}

const OLD: Secrets = {
  pw: 'old-pw-4711',
  urlPw: 'oldurl-pw-4711',
  labelToken: 'old-label-tok-4711',
  splunk: 'old-splunk-4711',
  keyId: 'AKIAOLDKEY0000000001',
  ref: 'db-old',
};
const NEW: Secrets = {
  pw: 'new-pw-0815',
  urlPw: 'newurl-pw-0815',
  labelToken: 'new-label-tok-0815',
  splunk: 'new-splunk-0815',
  keyId: 'AKIANEWKEY0000000002',
  ref: 'db-new',
};
const SECRET_VALUES = [OLD, NEW].flatMap((s) => [s.pw, s.urlPw, s.labelToken, s.splunk, s.keyId]);

function webTaskDef(s: Secrets): string {
  return JSON.stringify(
    {
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          memoryReservation: 64,
          dockerLabels: { 'proxy.host': 'www', 'api.token': s.labelToken },
          portMappings: [{ containerPort: 80 }],
          environment: [
            { name: 'APP_ENV', value: 'demo' },
            { name: 'DB_PASSWORD', value: s.pw },
            { name: 'DATABASE_URL', value: `postgres://app:${s.urlPw}@db/app` },
            // No secret name: redacted because the value looks like an AWS access key id.
            { name: 'UPLOAD_KEY_ID', value: s.keyId },
          ],
          secrets: [{ name: 'API_KEY', valueFrom: `arn:aws:ssm:us-east-1:123456789012:parameter/${s.ref}` }],
          logConfiguration: {
            logDriver: 'splunk',
            options: { 'splunk-token': s.splunk, 'splunk-url': 'https://splunk.example.com' },
          },
        },
      ],
    },
    null,
    2,
  );
}

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ecs-gitops-secrets-${prefix}-`));
}

/** A copy of specs/ whose web.taskdef carries these secrets. */
function specsWith(s: Secrets): string {
  const dir = tmp('specs');
  cpSync(SPECS, dir, { recursive: true });
  writeFileSync(path.join(dir, 'web.taskdef'), webTaskDef(s));
  return dir;
}

/** The CLI as a new process would run it: no secret value known to the output mask yet. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  forgetSecretValues();
  return runCli(args, { API_COUNT: undefined, NO_COLOR: undefined, ECS_GITOPS_LOG_LEVEL: undefined, ...env });
}

function expectNoSecret(run: CliRun, values: readonly string[] = SECRET_VALUES): void {
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ]) {
    for (const v of values) expect([stream, v, text.includes(v)]).toEqual([stream, v, false]);
  }
}

/** An account where the OLD secrets are applied; each test gets its own copy of the state file. */
let appliedState: string;
let newSpecs: string;

beforeAll(async () => {
  appliedState = path.join(tmp('state'), 'account.json');
  const applied = await cli(['apply', specsWith(OLD), '--sandbox', appliedState]);
  expect(applied.code).toBe(0);
  expectNoSecret(applied);
  newSpecs = specsWith(NEW);
});

function stateCopy(): string {
  const copy = path.join(tmp('state'), 'account.json');
  copyFileSync(appliedState, copy);
  return copy;
}

const CHANGED_PATHS = [
  'containerDefinitions[web].environment[DB_PASSWORD].value',
  'containerDefinitions[web].environment[DATABASE_URL].value',
  'containerDefinitions[web].environment[UPLOAD_KEY_ID].value',
  'containerDefinitions[web].dockerLabels.api.token',
  'containerDefinitions[web].logConfiguration.options.splunk-token',
];

describe('diff', () => {
  test.each(['text', 'json'])('text, logs at debug as %s', async (logFormat) => {
    const run = await cli([
      'diff',
      newSpecs,
      '--sandbox',
      stateCopy(),
      '--log-level',
      'debug',
      '--log-format',
      logFormat,
    ]);
    expect(run.code).toBe(2);
    expectNoSecret(run);
    for (const p of CHANGED_PATHS) {
      expect(run.stdout).toContain(`-   ${p}: "(sensitive value)"`);
      expect(run.stdout).toContain(`+   ${p}: "(sensitive value changed)"`);
    }
    // A reference is not a secret: shown as written.
    expect(run.stdout).toContain('parameter/db-old"');
    expect(run.stdout).toContain('parameter/db-new"');
    expect(run.stderr).toMatch(/ecs-gitops starting/);
  });

  test('--output json: each change is marked sensitive, with markers for values', async () => {
    const run = await cli([
      'diff',
      newSpecs,
      '--sandbox',
      stateCopy(),
      '--output',
      'json',
      '--log-level',
      'debug',
    ]);
    expect(run.code).toBe(2);
    expectNoSecret(run);
    const action = json(run).clusters[0].actions.find(
      (a: { id: string }) => a.id === 'taskDefinition/demo-web',
    );
    expect(action.kind).toBe('update');
    const byPath = Object.fromEntries(action.changes.map((c: { path: string }) => [c.path, c]));
    for (const p of CHANGED_PATHS) {
      expect(byPath[p]).toEqual({
        path: p,
        before: '(sensitive value)',
        after: '(sensitive value changed)',
        sensitive: true,
      });
    }
    expect(byPath['containerDefinitions[web].secrets[API_KEY].valueFrom']).toEqual({
      path: 'containerDefinitions[web].secrets[API_KEY].valueFrom',
      before: 'arn:aws:ssm:us-east-1:123456789012:parameter/db-old',
      after: 'arn:aws:ssm:us-east-1:123456789012:parameter/db-new',
    });
  });

  test('--output markdown', async () => {
    const run = await cli([
      'diff',
      newSpecs,
      '--sandbox',
      stateCopy(),
      '--output',
      'markdown',
      '--log-level',
      'debug',
    ]);
    expect(run.code).toBe(2);
    expectNoSecret(run);
    expect(run.stdout).toContain('DB_PASSWORD');
    expect(run.stdout).toContain('sensitive value changed');
  });

  test('a new cluster: the + lines of a created task definition', async () => {
    const run = await cli(['diff', newSpecs, '--sandbox', path.join(tmp('state'), 'account.json')]);
    expect(run.code).toBe(2);
    expectNoSecret(run);
    expect(run.stdout).toContain(
      '+   containerDefinitions[web].environment[DB_PASSWORD].value: "(sensitive value)"',
    );
  });
});

describe('apply', () => {
  test.each([
    ['text', 'text'],
    ['json', 'json'],
  ])('results as %s, logs at debug as %s', async (output, logFormat) => {
    const run = await cli([
      'apply',
      newSpecs,
      '--sandbox',
      stateCopy(),
      '--output',
      output,
      '--log-level',
      'debug',
      '--log-format',
      logFormat,
    ]);
    expect(run.code).toBe(0);
    expectNoSecret(run);
    if (output === 'json') {
      const web = json(run).clusters[0].results.find(
        (r: { id: string }) => r.id === 'taskDefinition/demo-web',
      );
      expect(web.outcome).toBe('updated');
    } else {
      expect(run.stdout).toMatch(/updated +taskDefinition\/demo-web/);
    }
  });

  test('an AWS error quoting the request: masked, the error still reported', async () => {
    // AWS error messages may quote what was sent (an invalid environment, say); the sandbox's never
    // do, so this one is made to.
    const spy = jest
      .spyOn(SandboxEcs.prototype, 'registerTaskDefinition')
      .mockImplementation((input: RegisterTaskDefinitionRequest) => {
        const env = input.containerDefinitions?.[0]?.environment ?? [];
        return Promise.reject(
          sandboxErrors.client(`Invalid environment ${JSON.stringify(env)} for ${input.family}`),
        );
      });
    try {
      for (const [output, logFormat] of [
        ['text', 'text'],
        ['json', 'json'],
      ]) {
        const run = await cli([
          'apply',
          newSpecs,
          '--sandbox',
          stateCopy(),
          '--output',
          output,
          '--log-level',
          'debug',
          '--log-format',
          logFormat,
        ]);
        expect(run.code).toBe(1);
        expectNoSecret(run);
        expect(run.stdout).toContain('ClientException');
        expect(run.stdout).toContain('Invalid environment');
        expect(run.stdout).toContain('APP_ENV');
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('error messages', () => {
  test('a spec error about a secret value names file, line and field, not the value', async () => {
    const dir = specsWith(NEW);
    const file = path.join(dir, 'web.taskdef');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`"${NEW.pw}"`, '98765432109'));
    for (const format of ['text', 'json']) {
      const run = await cli(['diff', dir, '--sandbox', stateCopy(), '--log-format', format]);
      expect(run.code).toBe(1);
      expectNoSecret(run, [...SECRET_VALUES, '98765432109']);
      expect(run.stderr).toMatch(
        /web\.taskdef:\d+:\d+: containerDefinitions\[0\]\.environment\[1\]\.value: expected string/,
      );
    }
  });

  test('a template error about a secret variable: the value is not quoted', async () => {
    const dir = specsWith(NEW);
    writeFileSync(
      path.join(dir, 'web.service.template'),
      '{ "taskDefinition": "${TASK_PREFIX}web", "desiredCount": "${API_TOKEN}" }',
    );
    const run = await cli(['diff', dir, '--sandbox', stateCopy(), '--var', 'API_TOKEN=tmpl-tok-31337']);
    expect(run.code).toBe(1);
    expectNoSecret(run, [...SECRET_VALUES, 'tmpl-tok-31337']);
    expect(run.stderr).toMatch(/web\.service\.template:1:\d+: desiredCount: expected integer/);
  });
});

describe('usage errors', () => {
  test('an unknown option that carries a credential is echoed without it', async () => {
    const run = await cli(['diff', '--db-url=postgres://app:usage-pw-4242@db/app']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown option '--db-url=postgres://app:(sensitive value)@db/app'");
    expectNoSecret(run, ['usage-pw-4242']);
  });
});
