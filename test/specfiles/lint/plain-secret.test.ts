/**
 * `plain-secret`: a plain environment value that is a secret by its name (the cluster's redaction
 * patterns) or by its look. The finding names the variable and never shows the value.
 */
import { positionOf } from '../helpers';
import { CLUSTER_YAML, findingsOf, good, taskdef } from './lint-helpers';

const PASSWORD = 'hunter2-9f8e7d';
const URL_WITH_PASSWORD = 'postgres://app:pa55w0rd-xyz@db.internal:5432/app';
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

function withEnv(environment: { name: string; value: string }[]): string {
  return taskdef([good({ environment })]);
}

test('by name and by look, each at its value field, naming the variable but never the value', async () => {
  const text = withEnv([
    { name: 'APP_ENV', value: 'production' },
    { name: 'DB_PASSWORD', value: PASSWORD },
    { name: 'DATABASE_URL', value: URL_WITH_PASSWORD },
    { name: 'UPLOAD_ID', value: ACCESS_KEY_ID },
  ]);
  const found = await findingsOf('plain-secret', { 'web.taskdef': text });
  expect(found.map((f) => f.field)).toEqual([
    'containerDefinitions[0].environment[1].value',
    'containerDefinitions[0].environment[2].value',
    'containerDefinitions[0].environment[3].value',
  ]);
  expect(found[0]).toMatchObject({
    ...positionOf(text, '"value": "hunter2'),
    message: expect.stringMatching(
      /"DB_PASSWORD" of container "web" .*secret by its name.*"secrets" with "valueFrom"/,
    ),
  });
  expect(found[1].message).toMatch(/"DATABASE_URL" .*looks like a credential/);
  const printed = JSON.stringify(found);
  for (const secret of [PASSWORD, URL_WITH_PASSWORD, 'pa55w0rd-xyz', ACCESS_KEY_ID]) {
    expect(printed).not.toContain(secret);
  }
});

test('flags and empty values under a secret-looking name are not secrets', async () => {
  const text = withEnv([
    { name: 'AUTH_ENABLED', value: 'true' },
    { name: 'TOKEN_CHECK', value: 'off' },
    { name: 'API_KEY', value: '' },
  ]);
  expect(await findingsOf('plain-secret', { 'web.taskdef': text })).toEqual([]);
});

test("the cluster's redaction config: its exempt names are not reported, its extra patterns are", async () => {
  const text = withEnv([
    { name: 'AUTH_MODE', value: 'oidc' },
    { name: 'STRIPE_SIGNING', value: 'whsec_abc123' },
    // Exempt by name, but its value looks like a credential: still reported.
    { name: 'AUTH_URL', value: URL_WITH_PASSWORD },
  ]);
  const clusterYaml = `${CLUSTER_YAML}redaction: { patterns: ['SIGNING'], exempt: [AUTH_MODE, AUTH_URL] }\n`;
  const found = await findingsOf('plain-secret', { 'cluster.yaml': clusterYaml, 'web.taskdef': text });
  expect(found.map((f) => f.field)).toEqual([
    'containerDefinitions[0].environment[1].value',
    'containerDefinitions[0].environment[2].value',
  ]);
  // Without the cluster's config, AUTH_MODE matches the default pattern AUTH.
  const defaults = await findingsOf('plain-secret', { 'web.taskdef': text });
  expect(defaults.map((f) => f.field)).toContain('containerDefinitions[0].environment[0].value');
});

test('secrets with valueFrom are what the rule asks for: no finding', async () => {
  const text = taskdef([
    good({
      secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/db' }],
    }),
  ]);
  expect(await findingsOf('plain-secret', { 'web.taskdef': text })).toEqual([]);
});
