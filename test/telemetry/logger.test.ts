import { Writable } from 'node:stream';
import { logActionResults, newReconcileId } from '../../controller/telemetry/action-log';
import {
  createLogger,
  isSecretName,
  parseLogFormat,
  type LogFormat,
} from '../../controller/telemetry/logger';

function capture(format: LogFormat, extra: { colorize?: boolean; isTTY?: boolean } = {}) {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  if (extra.isTTY) (stream as unknown as { isTTY: boolean }).isTTY = true;
  const log = createLogger({ format, stream, level: 'debug', colorize: extra.colorize });
  return { log, text: () => text };
}

// ESC [ ... m: an ANSI colour sequence
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/;

test('pretty: pino-pretty lines with level, message and fields; no colours when not a terminal', () => {
  const { log, text } = capture('pretty');
  log.info({ cluster: 'demo', outcome: 'created' }, 'created service/web');
  log.warn('slow');
  const out = text();
  expect(out).toMatch(
    /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: created service\/web\n {4}cluster: "demo"\n {4}outcome: "created"\n/,
  );
  expect(out).toMatch(/WARN: slow\n/);
  expect(out).not.toMatch(ANSI);
  expect(() => JSON.parse(out.split('\n')[0])).toThrow();
});

test('pretty: colours on a terminal (or when asked), never with NO_COLOR', () => {
  const tty = capture('pretty', { isTTY: true });
  tty.log.error('boom');
  const saved = process.env.NO_COLOR;
  delete process.env.NO_COLOR;
  try {
    const tty2 = capture('pretty', { isTTY: true });
    tty2.log.error('boom');
    expect(tty2.text()).toMatch(ANSI);
    process.env.NO_COLOR = '1';
    const noColor = capture('pretty', { isTTY: true });
    noColor.log.error('boom');
    expect(noColor.text()).not.toMatch(ANSI);
    const forced = capture('pretty', { colorize: true });
    forced.log.info('x');
    expect(forced.text()).toMatch(ANSI);
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
});

test('parseLogFormat takes json, text and pretty only', () => {
  expect(parseLogFormat('pretty')).toBe('pretty');
  expect(() => parseLogFormat('yaml')).toThrow(/json, text, pretty/);
});

test('secret-looking names', () => {
  for (const name of [
    'WEBHOOK_SECRET',
    'GITHUB_TOKEN',
    'GITHUBTOKEN',
    'DB_PASSWORD',
    'dbPassword',
    'API_KEY',
    'apiKey',
    'APIKey',
    'SSH_PRIVATE_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'secretAccessKey',
    'authorization',
    'SENTRY_DSN',
    'webhook-secret',
    'x-hub-signature-256',
  ]) {
    expect([name, isSecretName(name)]).toEqual([name, true]);
  }
  for (const name of [
    'AWS_REGION',
    'IMAGE',
    'key',
    'value',
    'cluster',
    'KEYBOARD_LAYOUT',
    'AWS_ACCESS_KEY_ID',
    'HOME',
  ]) {
    expect([name, isSecretName(name)]).toEqual([name, false]);
  }
});

describe.each<LogFormat>(['json', 'text', 'pretty'])(
  'a logged config object never shows a secret (%s)',
  (format) => {
    test('at any depth, in env pairs, in field diffs and in child bindings', () => {
      const { log, text } = capture(format);
      const config = {
        port: 9090,
        repo: { url: 'https://bot:ghp_inurl@github.com/acme/specs.git', branch: 'main', token: 'ghp_deep' },
        webhook: { path: '/webhook', secret: 'whsec_1' },
        aws: { credentials: { accessKeyId: 'AKIA', secretAccessKey: 'wJalr', sessionToken: 'FQoG' } },
        vars: { IMAGE: 'nginx', DB_PASSWORD: 'hunter2' },
        environment: [
          { name: 'DB_PASSWORD', value: 'hunter3' },
          { name: 'LOG_LEVEL', value: 'debug' },
        ],
        changes: [
          { path: 'containerDefinitions[web].environment[API_KEY].value', before: 'k1', after: 'k2' },
        ],
        tags: [{ key: 'owner', value: 'team-a' }],
      };
      log.child({ reconcileId: 'r1', githubToken: 'ghp_child' }).info({ config }, 'starting');
      log.info({ env: { SLACK_TOKEN: 'xoxb-1', REGION: 'eu-west-1' } }, 'env');
      const out = text();
      for (const secret of [
        'ghp_inurl',
        'ghp_deep',
        'whsec_1',
        'wJalr',
        'FQoG',
        'hunter2',
        'hunter3',
        'k1',
        'k2',
        'ghp_child',
        'xoxb-1',
      ]) {
        expect([secret, out.includes(secret)]).toEqual([secret, false]);
      }
      // What is not secret is still there, so the line stays useful.
      for (const kept of [
        '9090',
        '/webhook',
        'nginx',
        'LOG_LEVEL',
        'debug',
        'owner',
        'team-a',
        'eu-west-1',
        'r1',
      ]) {
        expect([kept, out.includes(kept)]).toEqual([kept, true]);
      }
    });
  },
);

test('json: errors keep their message and stack (not treated as config)', () => {
  const { log, text } = capture('json');
  const err = new Error('AccessDenied');
  log.error({ err }, 'failed');
  const line = JSON.parse(text());
  expect(line.err).toMatchObject({ type: 'Error', message: 'AccessDenied' });
  expect(line.err.stack).toMatch(/AccessDenied/);
});

test('one JSON line per action with reconcile id, commit, cluster, resource and outcome', () => {
  const { log, text } = capture('json');
  const reconcileId = newReconcileId();
  expect(reconcileId).toMatch(/^[0-9a-f]{12}$/);
  logActionResults(log, { reconcileId, commit: 'abc1234', cluster: 'demo' }, [
    { id: 'service/web', resource: 'service', name: 'web', outcome: 'created', arn: 'arn:aws:ecs:x' },
    {
      id: 'service/api',
      resource: 'service',
      name: 'api',
      outcome: 'failed',
      errorCode: 'AccessDeniedException',
      message: 'no',
    },
  ]);
  const lines = text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toEqual([
    expect.objectContaining({
      level: 30,
      reconcileId,
      commit: 'abc1234',
      cluster: 'demo',
      resource: 'service/web',
      outcome: 'created',
      arn: 'arn:aws:ecs:x',
      msg: 'created service/web',
    }),
    expect.objectContaining({
      level: 50,
      reconcileId,
      resource: 'service/api',
      outcome: 'failed',
      errorCode: 'AccessDeniedException',
      detail: 'no',
    }),
  ]);
});
