/**
 * The output edge: known secret values and credential-looking text are masked in everything
 * written, logs included (messages and errors too, which skip the logger's key-based redaction).
 */
import { Writable } from 'node:stream';
import {
  desiredSecretValues,
  secretValuesIn,
  secretVariableValues,
  SENSITIVE_VALUE,
} from '../../controller/model/secret-detection';
import { createLogger, type LogFormat } from '../../controller/telemetry/logger';
import { forgetSecretValues, maskSecretValues, scrubSecrets } from '../../controller/telemetry/secret-mask';
import { clusterConfig, desiredState, service, taskDef } from '../plan/builders';

const PEM =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';

afterEach(() => forgetSecretValues());

describe('scrubSecrets', () => {
  test('known values, as written and as JSON spells them; longest first', () => {
    maskSecretValues(['pa"ss\\word-1', 'hunter22', 'hunter22-and-more']);
    expect(scrubSecrets('a pa"ss\\word-1 b')).toBe(`a ${SENSITIVE_VALUE} b`);
    expect(scrubSecrets(JSON.stringify({ v: 'pa"ss\\word-1' }))).toBe(`{"v":"${SENSITIVE_VALUE}"}`);
    expect(scrubSecrets('x hunter22-and-more y hunter22')).toBe(`x ${SENSITIVE_VALUE} y ${SENSITIVE_VALUE}`);
  });

  test('short values and plain words are not masked by exact match (they would mask ordinary text)', () => {
    maskSecretValues(['1', 'true', 'demo123', 'unchanged', 'password']);
    const text = '{"outcome":"unchanged","count":1,"flag":true,"name":"demo123","note":"password"}';
    expect(scrubSecrets(text)).toBe(text);
  });

  test('credential-looking text, known or not', () => {
    expect(scrubSecrets(`key ${PEM} end`)).toBe(`key ${SENSITIVE_VALUE} end`);
    expect(scrubSecrets('AKIAIOSFODNN7EXAMPLE')).toBe(SENSITIVE_VALUE);
    expect(scrubSecrets('amqp://u:p4ss@mq/v')).toBe(`amqp://u:${SENSITIVE_VALUE}@mq/v`);
  });
});

describe('which values are known secrets', () => {
  test('from specs: secret names, pairs, user-keyed maps, credential-looking strings; not valueFrom, not exempt', () => {
    const cfg = clusterConfig({ redaction: { patterns: ['^SIGNING_'], exempt: ['AUTH_ENABLED'] } });
    const td = taskDef(cfg, 'web', {
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          environment: [
            { name: 'DB_PASSWORD', value: 'v-pw-00001' },
            { name: 'SIGNING_SALT', value: 'v-salt-0001' },
            { name: 'AUTH_ENABLED', value: 'v-exempt-01' },
            { name: 'PLAIN', value: 'v-plain-001' },
            { name: 'CACHE', value: 'redis://:v-url-001@c' },
          ],
          secrets: [{ name: 'API_KEY', valueFrom: 'arn:aws:ssm:eu-west-1:1:parameter/api' }],
          dockerLabels: { 'api.token': 'v-label-001' },
          logConfiguration: { logDriver: 'splunk', options: { 'splunk-token': 'v-splunk-01' } },
        },
      ],
    });
    const values = desiredSecretValues(desiredState(cfg, [td], [service(cfg, 'web')]));
    expect(values.sort()).toEqual(
      ['v-pw-00001', 'v-salt-0001', 'redis://:v-url-001@c', 'v-label-001', 'v-splunk-01'].sort(),
    );
    expect(secretValuesIn({ tags: [{ key: 'deploy-token', value: 'v-tag-0001' }] })).toEqual(['v-tag-0001']);
  });

  test('template variables: by name or by value', () => {
    expect(
      secretVariableValues({
        GITHUB_TOKEN: 'ghp_x1',
        IMAGE: 'nginx',
        DB: 'mysql://a:b@c/d',
        UNSET: undefined,
      }),
    ).toEqual(['ghp_x1', 'mysql://a:b@c/d']);
  });
});

describe.each<LogFormat>(['json', 'text', 'pretty'])('logs (%s)', (format) => {
  function capture() {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    return { log: createLogger({ format, stream, level: 'debug' }), text: () => text };
  }

  test("the plan's name rules, credential-looking values, and known values in messages and errors", () => {
    maskSecretValues(['known-99-secret']);
    const { log, text } = capture();
    log.debug(
      {
        vars: { SENTRY_DSN: 'https://dsn-key-77@sentry.io/1', X_KEY: 'xkey-77', SENTRYDSN: 'dbauth-77' },
        environment: [{ name: 'MYAUTHHEADER', value: 'hdr-77' }],
        note: `a key ${PEM}`,
        id: 'ASIAY34FZKBOKMUTVV7A',
      },
      'loaded known-99-secret',
    );
    log.error({ err: new Error('AWS said: value known-99-secret rejected, AKIAIOSFODNN7EXAMPLE') }, 'failed');
    const out = text();
    for (const s of [
      'dsn-key-77',
      'xkey-77',
      'dbauth-77',
      'hdr-77',
      'b3BlbnNzaC1rZXktdjEAAAAA',
      'ASIAY34FZKBOKMUTVV7A',
      'known-99-secret',
      'AKIAIOSFODNN7EXAMPLE',
    ]) {
      expect([s, out.includes(s)]).toEqual([s, false]);
    }
    expect(out).toContain('AWS said: value');
    expect(out).toContain('loaded');
  });
});
