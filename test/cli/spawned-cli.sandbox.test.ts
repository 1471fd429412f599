/**
 * The CLI as a separate process, as a terminal or a CI job sees it: what it prints on stderr when
 * AWS is out of reach (one line per error, said once, with what to do), the Node version notice
 * (one line of ours on Node 20 instead of the AWS SDK's nine, nothing on 22 and 24), and the log
 * formats (`--log-format json`: nothing but JSON lines on stderr). `.ci/run` runs this file on Node 24 too, with EXPECT_NODE_MAJOR=24.
 */
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bareEnv, spawnCli } from '../helpers/spawn-cli';

const ROOT = path.join(__dirname, '../..');
const FARGATE = path.join(ROOT, 'examples/fargate');
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** The one line of ours on Node 20, as the text format prints it (without its time). */
const NODE_NOTICE =
  `WARN  Node ${process.version} is past its end of life: ecs-gitops supports Node 22 and 24, ` +
  'and AWS SDK releases after January 2027 need Node 22 or newer';
const noticeLines = NODE_MAJOR < 22 ? [NODE_NOTICE] : [];

const CREDENTIALS_HELP =
  'the AWS SDK looks in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then the AWS_PROFILE profile ' +
  '(or "default") in ~/.aws/credentials and ~/.aws/config (SSO: run `aws sso login`), then ' +
  'AWS_WEB_IDENTITY_TOKEN_FILE, then the ECS task role or the EC2 instance role; ' +
  'to work without AWS, use --sandbox';

/** stderr as lines, with the text format's leading `HH:MM:SS ` taken off. */
function lines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('the CLI child really runs on the Node under test (EXPECT_NODE_MAJOR pins it in .ci/run)', async () => {
  const run = await spawnCli(
    ['--log-format', 'json', '--log-level', 'debug', 'validate', FARGATE],
    bareEnv(),
  );
  expect(run.code).toBe(0);
  const starting = run.stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg: string; node?: string })
    .find((l) => l.msg === 'ecs-gitops starting');
  expect(starting?.node).toBe(process.version);
  const expected = process.env.EXPECT_NODE_MAJOR ?? String(NODE_MAJOR);
  expect(starting?.node?.split('.')[0]).toBe(`v${expected}`);
});

test('no credentials: one error line saying where the SDK looks and how to work without AWS', async () => {
  const run = await spawnCli(['diff', FARGATE], bareEnv());
  expect(run.code).toBe(1);
  expect(lines(run.stderr)).toEqual([
    ...noticeLines,
    `error: ${FARGATE}: no AWS credentials found (CredentialsProviderError: Could not load credentials ` +
      `from any providers): ${CREDENTIALS_HELP}`,
  ]);
  // Nothing after the error: no "No clusters to plan.", no JSON log line repeating it.
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain('NodeVersionSupportWarning');
});

test('apply without credentials: the failure once, in its report, with the remedy; no log line', async () => {
  const run = await spawnCli(['apply', FARGATE], bareEnv({ AWS_REGION: 'us-east-1' }));
  expect(run.code).toBe(1);
  expect(lines(run.stderr)).toEqual(noticeLines);
  const failed = run.stdout.split('\n').filter((l) => l.includes('CredentialsProviderError'));
  expect(failed).toEqual([
    '  failed: no AWS credentials found (CredentialsProviderError: Could not load credentials from any ' +
      `providers): ${CREDENTIALS_HELP}`,
  ]);
});

test('--log-format json: the same error as one JSON log line at level error, for a machine', async () => {
  const run = await spawnCli(['--log-format', 'json', 'diff', FARGATE], bareEnv());
  expect(run.code).toBe(1);
  const logged = run.stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string });
  expect(logged.map((l) => [l.level, l.msg])).toEqual([
    ...(NODE_MAJOR < 22 ? [[40, NODE_NOTICE.replace(/^WARN {2}/, '')]] : []),
    [
      50,
      `${FARGATE}: no AWS credentials found (CredentialsProviderError: Could not load credentials from any ` +
        `providers): ${CREDENTIALS_HELP}`,
    ],
  ]);
  expect(run.stdout).toBe('');
});

test('no region anywhere: one error line naming the file and the three ways to give one', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-noregion-'));
  writeFileSync(path.join(dir, 'cluster.yaml'), 'name: demo\nprefix: demo\n');
  // Policy-clean (a tagged image, a log configuration), so the error is the only line.
  const logConfiguration = { logDriver: 'json-file' };
  writeFileSync(
    path.join(dir, 'web.taskdef'),
    JSON.stringify({
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 128, logConfiguration }],
    }),
  );
  const run = await spawnCli(['diff', dir], bareEnv());
  expect(run.code).toBe(1);
  expect(lines(run.stderr)).toEqual([
    ...noticeLines,
    `error: ${path.join(dir, 'cluster.yaml')}:1:1: region: no region: set \`region\` in cluster.yaml, ` +
      'pass --region, or set AWS_REGION',
  ]);
  expect(run.stdout).toBe('');
});

test('an endpoint nobody answers: one line, what to check, and no secret from the URL or the keys', async () => {
  const port = await closedPort();
  const run = await spawnCli(
    ['diff', FARGATE, '--endpoint', `http://admin:hunter2@127.0.0.1:${port}`],
    bareEnv({
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEYID0001',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-secret-value',
      AWS_MAX_ATTEMPTS: '1',
    }),
  );
  expect(run.code).toBe(1);
  expect(lines(run.stderr)).toEqual([
    ...noticeLines,
    `error: ${FARGATE}: cannot reach AWS (Error: connect ECONNREFUSED 127.0.0.1:${port}): ` +
      'check --endpoint (or AWS_ENDPOINT_URL), the region and the network',
  ]);
  expect(run.stdout).toBe('');
  for (const secret of ['hunter2', 'wJalrXUtnFEMI-secret-value']) {
    expect(run.stderr).not.toContain(secret);
  }
});

test('--sandbox works without credentials; --log-format json makes every log line JSON', async () => {
  const text = await spawnCli(['diff', FARGATE, '--sandbox'], bareEnv());
  expect(text.code).toBe(2);
  expect(lines(text.stderr)).toEqual(noticeLines);
  expect(text.stdout).toContain('Cluster apps');

  const json = await spawnCli(['--log-format', 'json', 'diff', FARGATE, '--sandbox'], bareEnv());
  expect(json.code).toBe(2);
  const logged = json.stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string });
  expect(logged.map((l) => [l.level, l.msg])).toEqual(
    NODE_MAJOR < 22 ? [[40, NODE_NOTICE.replace(/^WARN {2}/, '')]] : [],
  );
});

test('other process warnings still show: only the SDK Node warning is replaced', async () => {
  const canary = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-canary-')), 'canary.js');
  writeFileSync(canary, "process.emitWarning('canary: a warning that is not about Node versions');\n");
  const run = await spawnCli(['diff', FARGATE, '--sandbox'], bareEnv(), ['--require', canary]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/\(node:\d+\) Warning: canary: a warning that is not about Node versions\n/);
  expect(lines(run.stderr).filter((l) => !l.startsWith('(node:') && !l.startsWith('(Use `node'))).toEqual(
    noticeLines,
  );
});
