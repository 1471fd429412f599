/**
 * Secrets in field diffs: what a reviewer sees instead of a secret value, for every way a secret can
 * reach a diff (a variable's value, a whole new or removed container, a label, a log option), and
 * what stays visible (`secrets[].valueFrom`, ordinary values, the fact that something changed).
 */
import {
  DEFAULT_SECRET_MATCHER,
  looksLikeCredential,
  redactCredentialsInText,
  secretMatcher,
  SENSITIVE_CHANGED,
  SENSITIVE_UNCHANGED,
  SENSITIVE_VALUE,
  type SecretMatcher,
} from '../../controller/model/secret-detection';
import { diffValues } from '../../controller/plan/normalize-taskdef';
import { planCluster } from '../../controller/plan/planner';
import type { FieldChange } from '../../controller/plan/plan-types';
import { redactChange } from '../../controller/plan/redact-changes';
import { renderPlanText } from '../../controller/plan/render-text';
import { planToJson } from '../../controller/plan/plan-json';
import { renderResultsText, resultsToJson } from '../../controller/plan/render-results';
import { formatPlanError } from '../../controller/plan/render-text';
import { clusterConfig, desiredState, emptyAccount, taskDef } from './builders';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98\n-----END RSA PRIVATE KEY-----';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

/** The field diffs between two container definitions, redacted as the planner does. */
function redactedDiff(before: object, after: object, matcher: SecretMatcher = DEFAULT_SECRET_MATCHER) {
  const out: FieldChange[] = [];
  diffValues({ containerDefinitions: [before] }, { containerDefinitions: [after] }, '', out);
  return out.map((c) => redactChange(c, matcher));
}

function container(env: Record<string, string>, more: object = {}): object {
  return {
    name: 'web',
    image: 'nginx:1.27',
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    ...more,
  };
}

function expectAbsent(changes: unknown, ...secrets: string[]): void {
  const text = JSON.stringify(changes);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('secret names', () => {
  test.each(['DB_PASSWORD', 'api_key', 'GITHUB_TOKEN', 'SENTRY_DSN', 'X_KEY', 'db_passwd', 'AUTH_HEADER'])(
    '%s: old and new value replaced, the change still shown',
    (name) => {
      const changes = redactedDiff(
        container({ [name]: 'old-value-1' }),
        container({ [name]: 'new-value-2' }),
      );
      expect(changes).toEqual([
        {
          path: `containerDefinitions[web].environment[${name}].value`,
          before: SENSITIVE_VALUE,
          after: SENSITIVE_CHANGED,
          sensitive: true,
        },
      ]);
    },
  );

  test.each(['KEYBOARD', 'KEY_ID_FORMAT', 'HOME_DIR', 'LOG_LEVEL'])('%s is shown as written', (name) => {
    const changes = redactedDiff(container({ [name]: 'a' }), container({ [name]: 'b' }));
    expect(changes).toEqual([
      { path: `containerDefinitions[web].environment[${name}].value`, before: 'a', after: 'b' },
    ]);
  });
});

describe('credential-looking values, whatever the name', () => {
  test.each([
    ['a URL with a password', 'postgres://app:oldpw@db/app', 'postgres://app:newpw@db/app'],
    ['a PEM private key', PEM, PEM.replace('7bq98', 'Zq111')],
    ['an AWS access key id', KEY_ID, 'ASIAY34FZKBOKMUTVV7A'],
  ])('%s', (_what, before, after) => {
    const changes = redactedDiff(container({ CONFIG: before }), container({ CONFIG: after }));
    expect(changes).toEqual([
      {
        path: 'containerDefinitions[web].environment[CONFIG].value',
        before: SENSITIVE_VALUE,
        after: SENSITIVE_CHANGED,
        sensitive: true,
      },
    ]);
    expect(looksLikeCredential(before)).toBe(true);
  });

  test('a URL without a password is not a credential', () => {
    expect(looksLikeCredential('https://user@example.com/x')).toBe(false);
    expect(looksLikeCredential('https://example.com/a:b')).toBe(false);
  });

  test('in free text, only the credential is replaced', () => {
    const text = `connect postgres://app:hunter2@db/app failed; key ${KEY_ID}; ${PEM} end`;
    const out = redactCredentialsInText(text);
    expect(out).toBe(
      `connect postgres://app:${SENSITIVE_VALUE}@db/app failed; key ${SENSITIVE_VALUE}; ${SENSITIVE_VALUE} end`,
    );
  });

  test('a credential in a command line (a list of strings) is replaced, its neighbours kept', () => {
    const changes = redactedDiff(
      { name: 'web', command: ['migrate', '--db', 'postgres://app:pw1@db/app', '--verbose'] },
      { name: 'web', command: ['migrate', '--db', 'postgres://app:pw1@db/app', '--quiet'] },
    );
    expect(changes).toEqual([
      {
        path: 'containerDefinitions[web].command',
        before: ['migrate', '--db', SENSITIVE_UNCHANGED, '--verbose'],
        after: ['migrate', '--db', SENSITIVE_UNCHANGED, '--quiet'],
        sensitive: true,
      },
    ]);
  });
});

describe('whole values with secrets inside', () => {
  test('a new environment item', () => {
    const changes = redactedDiff(container({}), container({ DB_PASSWORD: 'hunter2' }));
    expect(changes).toEqual([
      {
        path: 'containerDefinitions[web].environment[DB_PASSWORD]',
        after: { name: 'DB_PASSWORD', value: SENSITIVE_VALUE },
        sensitive: true,
      },
    ]);
  });

  test('a removed environment item', () => {
    const changes = redactedDiff(container({ API_TOKEN: 'tok-123456' }), container({}));
    expect(changes).toEqual([
      {
        path: 'containerDefinitions[web].environment[API_TOKEN]',
        before: { name: 'API_TOKEN', value: SENSITIVE_VALUE },
        sensitive: true,
      },
    ]);
  });

  test('a new container and a removed one: every secret inside replaced, the rest shown', () => {
    const sidecar = {
      name: 'sidecar',
      image: 'envoy:1',
      environment: [
        { name: 'DB_PASSWORD', value: 'side-pw-1' },
        { name: 'MODE', value: 'proxy' },
        { name: 'UPSTREAM', value: 'https://u:side-url-pw@up' },
      ],
      dockerLabels: { 'proxy.host': 'www', 'api.token': 'side-label-tok' },
      logConfiguration: {
        logDriver: 'splunk',
        options: { 'splunk-token': 'side-splunk', 'splunk-url': 'https://s' },
      },
      secrets: [{ name: 'API_KEY', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/api-key' }],
    };
    const out: FieldChange[] = [];
    diffValues(
      { containerDefinitions: [{ name: 'web', image: 'a' }] },
      { containerDefinitions: [{ name: 'web', image: 'a' }, sidecar] },
      '',
      out,
    );
    const shown = out.map((c) => redactChange(c, DEFAULT_SECRET_MATCHER));
    expect(shown).toHaveLength(1);
    expect(shown[0].path).toBe('containerDefinitions[sidecar]');
    expect(shown[0].sensitive).toBe(true);
    expect(shown[0].after).toEqual({
      name: 'sidecar',
      image: 'envoy:1',
      environment: [
        { name: 'DB_PASSWORD', value: SENSITIVE_VALUE },
        { name: 'MODE', value: 'proxy' },
        { name: 'UPSTREAM', value: SENSITIVE_VALUE },
      ],
      dockerLabels: { 'proxy.host': 'www', 'api.token': SENSITIVE_VALUE },
      logConfiguration: {
        logDriver: 'splunk',
        options: { 'splunk-token': SENSITIVE_VALUE, 'splunk-url': 'https://s' },
      },
      secrets: [{ name: 'API_KEY', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/api-key' }],
    });

    const removed: FieldChange[] = [];
    diffValues(
      { containerDefinitions: [{ name: 'web', image: 'a' }, sidecar] },
      { containerDefinitions: [{ name: 'web', image: 'a' }] },
      '',
      removed,
    );
    const gone = removed.map((c) => redactChange(c, DEFAULT_SECRET_MATCHER));
    expect(gone[0].before).toEqual(shown[0].after);
    expectAbsent([shown, gone], 'side-pw-1', 'side-url-pw', 'side-label-tok', 'side-splunk');
  });

  test('both sides whole: (sensitive, unchanged) where the secret is the same, changed where not', () => {
    const change = redactChange(
      {
        path: 'containerDefinitions[web].environment',
        before: [
          { name: 'DB_PASSWORD', value: 'same-pw' },
          { name: 'API_TOKEN', value: 'old-tok' },
        ],
        after: [
          { name: 'DB_PASSWORD', value: 'same-pw' },
          { name: 'API_TOKEN', value: 'new-tok' },
        ],
      },
      DEFAULT_SECRET_MATCHER,
    );
    expect(change).toEqual({
      path: 'containerDefinitions[web].environment',
      before: [
        { name: 'DB_PASSWORD', value: SENSITIVE_UNCHANGED },
        { name: 'API_TOKEN', value: SENSITIVE_VALUE },
      ],
      after: [
        { name: 'DB_PASSWORD', value: SENSITIVE_UNCHANGED },
        { name: 'API_TOKEN', value: SENSITIVE_CHANGED },
      ],
      sensitive: true,
    });
  });

  test('environment items told apart by position only (duplicate names): values are not shown', () => {
    // Without unique names the diff path says `environment[1].value`: which variable it is cannot
    // be told from the path, so the value is hidden rather than guessed to be harmless.
    const before = [
      { name: 'DB_PASSWORD', value: 'dup-old' },
      { name: 'DB_PASSWORD', value: 'x' },
    ];
    const after = [
      { name: 'DB_PASSWORD', value: 'dup-new' },
      { name: 'DB_PASSWORD', value: 'x' },
    ];
    const changes = redactedDiff({ name: 'web', environment: before }, { name: 'web', environment: after });
    expect(changes).toEqual([
      {
        path: 'containerDefinitions[web].environment[0].value',
        before: SENSITIVE_VALUE,
        after: SENSITIVE_CHANGED,
        sensitive: true,
      },
    ]);
  });
});

describe('user-keyed maps and references', () => {
  test('dockerLabels and logConfiguration.options keys', () => {
    const changes = redactedDiff(
      container(
        {},
        {
          dockerLabels: { 'api.token': 'lbl-old', tier: 'front' },
          logConfiguration: {
            logDriver: 'splunk',
            options: { 'splunk-token': 'spl-old', 'splunk-index': 'a' },
          },
        },
      ),
      container(
        {},
        {
          dockerLabels: { 'api.token': 'lbl-new', tier: 'back' },
          logConfiguration: {
            logDriver: 'splunk',
            options: { 'splunk-token': 'spl-new', 'splunk-index': 'b' },
          },
        },
      ),
    );
    expect(changes).toEqual([
      {
        path: 'containerDefinitions[web].dockerLabels.api.token',
        before: SENSITIVE_VALUE,
        after: SENSITIVE_CHANGED,
        sensitive: true,
      },
      { path: 'containerDefinitions[web].dockerLabels.tier', before: 'front', after: 'back' },
      { path: 'containerDefinitions[web].logConfiguration.options.splunk-index', before: 'a', after: 'b' },
      {
        path: 'containerDefinitions[web].logConfiguration.options.splunk-token',
        before: SENSITIVE_VALUE,
        after: SENSITIVE_CHANGED,
        sensitive: true,
      },
    ]);
  });

  test('secrets[].valueFrom is a reference: shown as written, never resolved', () => {
    const ref = (p: string) => ({
      secrets: [{ name: 'DB_PASSWORD', valueFrom: `arn:aws:ssm:eu-west-1:1:parameter/${p}` }],
    });
    const changes = redactedDiff(container({}, ref('db-old')), container({}, ref('db-new')));
    expect(changes).toEqual([
      {
        path: 'containerDefinitions[web].secrets[DB_PASSWORD].valueFrom',
        before: 'arn:aws:ssm:eu-west-1:1:parameter/db-old',
        after: 'arn:aws:ssm:eu-west-1:1:parameter/db-new',
      },
    ]);
  });
});

describe('cluster.yaml redaction:', () => {
  const matcher = secretMatcher({
    patterns: ['^INTERNAL_', 'certificate'],
    exempt: ['AUTH_ENABLED', 'DB_URL'],
  });

  test('patterns add names; the defaults stay on', () => {
    expect(matcher.isSecretName('INTERNAL_SIGNING')).toBe(true);
    expect(matcher.isSecretName('tls_certificate_body')).toBe(true);
    expect(matcher.isSecretName('DB_PASSWORD')).toBe(true);
    expect(matcher.isSecretName('NOT_INTERNAL_X')).toBe(false);
    const changes = redactedDiff(
      container({ INTERNAL_SIGNING: 'sig-1' }),
      container({ INTERNAL_SIGNING: 'sig-2' }),
      matcher,
    );
    expect(changes[0]).toMatchObject({ before: SENSITIVE_VALUE, after: SENSITIVE_CHANGED, sensitive: true });
  });

  test('exempt shows one name, case-insensitively, and only that name', () => {
    expect(matcher.isSecretName('auth_enabled')).toBe(false);
    expect(matcher.isSecretName('AUTH_ENABLED_X')).toBe(true);
    const changes = redactedDiff(
      container({ AUTH_ENABLED: 'false' }),
      container({ AUTH_ENABLED: 'true' }),
      matcher,
    );
    expect(changes).toEqual([
      { path: 'containerDefinitions[web].environment[AUTH_ENABLED].value', before: 'false', after: 'true' },
    ]);
  });

  test('a credential-looking value under an exempt name is still redacted', () => {
    const changes = redactedDiff(
      container({ DB_URL: 'postgres://a:exempt-old@db/x' }),
      container({ DB_URL: 'postgres://a:exempt-new@db/x' }),
      matcher,
    );
    expect(changes[0]).toMatchObject({ before: SENSITIVE_VALUE, after: SENSITIVE_CHANGED, sensitive: true });
    const added = redactedDiff(container({}), container({ DB_URL: 'postgres://a:exempt-new@db/x' }), matcher);
    expect(added[0].after).toEqual({ name: 'DB_URL', value: SENSITIVE_VALUE });
  });
});

describe('the planner', () => {
  test("a created task definition's + lines are redacted, in text and JSON; the step keeps the value", () => {
    const cfg = clusterConfig({ redaction: { patterns: ['^SIGNING_'], exempt: ['AUTH_ENABLED'] } });
    const td = taskDef(cfg, 'web', {
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          memory: 128,
          environment: [
            { name: 'DB_PASSWORD', value: 'plan-pw-777' },
            { name: 'SIGNING_SALT', value: 'plan-salt-777' },
            { name: 'AUTH_ENABLED', value: 'yes' },
            { name: 'CACHE', value: 'redis://:plan-redis-777@cache:6379' },
          ],
          dockerLabels: { 'sentry.dsn': 'https://plan-dsn-777@sentry.io/1' },
        },
      ],
    });
    const plan = planCluster(desiredState(cfg, [td], []), emptyAccount());
    const action = plan.actions.find((a) => a.id === 'taskDefinition/demo-web')!;
    const byPath = Object.fromEntries(action.changes.map((c) => [c.path, c.after]));
    expect(byPath['containerDefinitions[web].environment[DB_PASSWORD].value']).toBe(SENSITIVE_VALUE);
    expect(byPath['containerDefinitions[web].environment[SIGNING_SALT].value']).toBe(SENSITIVE_VALUE);
    expect(byPath['containerDefinitions[web].environment[AUTH_ENABLED].value']).toBe('yes');
    expect(byPath['containerDefinitions[web].environment[CACHE].value']).toBe(SENSITIVE_VALUE);
    expect(byPath['containerDefinitions[web].dockerLabels.sentry.dsn']).toBe(SENSITIVE_VALUE);
    const outputs = [renderPlanText([plan], { color: false }), JSON.stringify(planToJson([plan]))];
    for (const out of outputs) {
      for (const s of ['plan-pw-777', 'plan-salt-777', 'plan-redis-777', 'plan-dsn-777'])
        expect(out).not.toContain(s);
    }
    expect(outputs[0]).toContain(
      `+   containerDefinitions[web].environment[DB_PASSWORD].value: "${SENSITIVE_VALUE}"`,
    );
    expect(JSON.stringify(action.steps)).toContain('plan-pw-777');
  });

  test("cluster.yaml's redaction: is shown under the cluster heading and in each JSON cluster", () => {
    const source = { file: 'specs/demo/cluster.yaml', line: 7, column: 1 };
    const cfg = clusterConfig({
      redaction: { patterns: ['^SIGNING_'], exempt: ['AUTH_ENABLED', 'DB_URL'], source },
    });
    const plan = planCluster(desiredState(cfg, [], []), emptyAccount());
    const text = renderPlanText([plan], { color: false }).split('\n');
    expect(text[1]).toBe(
      'redaction (specs/demo/cluster.yaml:7): values shown for AUTH_ENABLED, DB_URL; also hidden: names matching /^SIGNING_/i',
    );
    expect(planToJson([plan]).clusters[0].redaction).toEqual({
      exempt: ['AUTH_ENABLED', 'DB_URL'],
      patterns: ['^SIGNING_'],
      source,
    });

    const plain = planCluster(desiredState(clusterConfig(), [], []), emptyAccount());
    expect(renderPlanText([plain], { color: false })).not.toContain('redaction');
    expect(planToJson([plain]).clusters[0].redaction).toBeNull();
  });
});

describe('messages from AWS and the planner', () => {
  test('apply results, text and JSON: a credential-looking part of a message is replaced', () => {
    const results = [
      {
        id: 'taskDefinition/demo-web',
        resource: 'taskDefinition' as const,
        name: 'demo-web',
        outcome: 'failed' as const,
        errorCode: 'ClientException',
        message: `bad image https://bot:res-pw-42@registry.example/app, key ${KEY_ID}`,
      },
    ];
    const text = renderResultsText(results, { color: false });
    const asJson = JSON.stringify(resultsToJson(results));
    for (const out of [text, asJson]) {
      expect(out).not.toContain('res-pw-42');
      expect(out).not.toContain(KEY_ID);
      expect(out).toContain(
        `bad image https://bot:${SENSITIVE_VALUE}@registry.example/app, key ${SENSITIVE_VALUE}`,
      );
    }
  });

  test('a plan error', () => {
    expect(formatPlanError({ message: `cannot resolve postgres://a:perr-pw-42@db/x` })).toBe(
      `cannot resolve postgres://a:${SENSITIVE_VALUE}@db/x`,
    );
  });
});
