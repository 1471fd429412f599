/**
 * `/status` and `ecs-gitops status` carry AWS's and the loader's messages as they were: a secret
 * quoted in one (a URL with a password, a value the specs hold) is masked on the way out, and the
 * failure is still reported.
 */
import { startStatusServer, type StatusServer } from '../../controller/telemetry/http-server';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { forgetSecretValues, maskSecretValues } from '../../controller/telemetry/secret-mask';
import { StatusStore } from '../../controller/telemetry/status';
import { json, runCli } from '../helpers/run-cli';

const SPEC_SECRET = 'spec-pw-5150';
const URL_PASSWORD = 'url-pw-5150';
const KEY_ID = 'AKIASTATUS0000000005';
const SECRETS = [SPEC_SECRET, URL_PASSWORD, KEY_ID];

let server: StatusServer;
let status: StatusStore;

beforeEach(async () => {
  forgetSecretValues();
  // What the controller does with every cluster it loads (reconcile/controller.ts).
  maskSecretValues([SPEC_SECRET]);
  status = new StatusStore();
  server = await startStatusServer({ port: 0, status, metrics: new ControllerMetrics() });
  status.setControllerState('Idle');
  status.recordReconcile('demo', {
    commit: 'abcdef0123456789abcdef0123456789abcdef01',
    results: [
      { id: 'cluster/demo', resource: 'cluster', name: 'demo', outcome: 'unchanged' },
      {
        id: 'taskDefinition/demo-web',
        resource: 'taskDefinition',
        name: 'demo-web',
        outcome: 'failed',
        errorCode: 'ClientException',
        message: `Invalid environment [{"name":"DB_PASSWORD","value":"${SPEC_SECRET}"}], repository https://bot:${URL_PASSWORD}@registry.example/x`,
      },
    ],
  });
  status.recordSpecErrors('other', [
    { file: 'other/web.taskdef', line: 3, column: 5, field: 'environment', message: `bad key ${KEY_ID}` },
  ]);
});
afterEach(async () => {
  await server.close();
  forgetSecretValues();
});

test('/status JSON: no secret, the failure still there', async () => {
  const body = await (await fetch(`${server.url}/status`)).text();
  for (const s of SECRETS) expect([s, body.includes(s)]).toEqual([s, false]);
  const doc = JSON.parse(body) as { clusters: { cluster: string; state: string; lastError?: string }[] };
  expect(doc.clusters.map((c) => c.state)).toEqual(['Stalled', 'Stalled']);
  expect(doc.clusters[0].lastError).toContain(
    'taskDefinition/demo-web: ClientException: Invalid environment',
  );
  expect(doc.clusters[0].lastError).toContain('https://bot:(sensitive value)@registry.example/x');
  expect(doc.clusters[1].lastError).toBe('other/web.taskdef:3:5: environment: bad key (sensitive value)');
});

test.each(['text', 'json'])(
  'ecs-gitops status --output %s: no secret, the failure still there',
  async (output) => {
    const run = await runCli(['status', '--url', server.url, '--output', output]);
    expect(run.code).toBe(1);
    for (const s of SECRETS) expect([s, (run.stdout + run.stderr).includes(s)]).toEqual([s, false]);
    if (output === 'json') expect(json(run).clusters[0].state).toBe('Stalled');
    expect(run.stdout).toContain('ClientException');
  },
);
