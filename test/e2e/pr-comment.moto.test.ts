/**
 * The read-only guarantee of `diff --comment`, end to end: specs applied to moto, then changed, then
 * `diff --comment` (the compiled CLI, through the real AWS SDK, posting to a local server that
 * impersonates GitHub) reads AWS, posts the plan, and makes not one mutating AWS call.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeCodeHost } from '../helpers/fake-code-host';
import { useMoto } from '../helpers/moto';
import { runCli } from '../helpers/run-cli';
import { bareEnv, spawnCli } from '../helpers/spawn-cli';

const moto = useMoto();
const TOKEN = 'ghs_readOnlyGuaranteeTestToken0002';
const CALL_LOG = path.join(__dirname, '../helpers/aws-call-log.js');

function writeSpecs(dir: string, image: string): void {
  writeFileSync(
    path.join(dir, 'cluster.yaml'),
    'name: review\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n',
  );
  writeFileSync(
    path.join(dir, 'web.taskdef'),
    JSON.stringify({ containerDefinitions: [{ name: 'web', image, memoryReservation: 32 }] }),
  );
  writeFileSync(path.join(dir, 'web.service'), '{ "desiredCount": 1 }');
}

test('diff --comment against moto: the plan posted, AWS read, zero mutating AWS calls', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-review-'));
  writeSpecs(dir, 'nginx:1.27');
  const applied = await runCli(['apply', dir, '--endpoint', moto.endpoint]);
  expect(applied.code).toBe(0);
  expect(applied.stdout).toMatch(/AWS calls: \d+ \([1-9]\d* mutating\)/); // the apply did change moto
  writeSpecs(dir, 'nginx:1.28');

  const host = await startFakeCodeHost({ token: TOKEN });
  try {
    const event = path.join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 12 } }));
    const callLog = path.join(dir, 'calls.json');
    const run = await spawnCli(
      ['diff', dir, '--comment', '--endpoint', moto.endpoint],
      bareEnv({
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        GITHUB_TOKEN: TOKEN,
        GITHUB_REPOSITORY: 'acme/infra',
        GITHUB_EVENT_PATH: event,
        GITHUB_API_URL: host.url,
        AWS_CALL_LOG_FILE: callLog,
      }),
      ['--require', CALL_LOG],
    );
    expect(run.code).toBe(2);
    expect(host.writes().map((r) => r.method)).toEqual(['POST']);
    expect(host.comments[0].body).toContain('nginx:1.28');
    const calls = JSON.parse(readFileSync(callLog, 'utf8')) as {
      total: number;
      mutating: Record<string, number>;
    };
    expect(calls.total).toBeGreaterThan(0);
    expect(calls.mutating).toEqual({});
  } finally {
    await host.close();
  }
});
