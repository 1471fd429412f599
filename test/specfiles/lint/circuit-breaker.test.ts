/**
 * `circuit-breaker`: each service as it will be created (after cluster.yaml serviceDefaults), from a
 * .service file, a template, or AUTOCREATE.SERVICE (reported at the marker in the .taskdef).
 */
import { positionOf } from '../helpers';
import { CLUSTER_YAML, findingsOf, good, taskdef } from './lint-helpers';

const BREAKER_DEFAULT =
  `${CLUSTER_YAML}serviceDefaults:\n  deploymentConfiguration:\n` +
  '    deploymentCircuitBreaker: { enable: true, rollback: true }\n';

test('a .service file without the breaker, and no default: at the file', async () => {
  const found = await findingsOf('circuit-breaker', {
    'web.taskdef': taskdef([good()]),
    'web.service': '{\n  "desiredCount": 2\n}\n',
  });
  expect(found).toEqual([
    expect.objectContaining({
      file: expect.stringMatching(/web\.service$/),
      line: 1,
      column: 1,
      field: 'deploymentConfiguration.deploymentCircuitBreaker.enable',
      message: expect.stringMatching(
        /service "web" has no deployment circuit breaker.*here or in cluster\.yaml serviceDefaults/,
      ),
    }),
  ]);
});

test("cluster.yaml's serviceDefaults give it to every service that does not set its own deploymentConfiguration", async () => {
  const service = '{\n  "desiredCount": 2,\n  "deploymentConfiguration": { "maximumPercent": 200 }\n}\n';
  const found = await findingsOf('circuit-breaker', {
    'cluster.yaml': BREAKER_DEFAULT,
    'web.taskdef': taskdef([good()]),
    'web.service': '{ "desiredCount": 2 }',
    'api.taskdef': taskdef([good({ name: 'api' })]),
    'api.service': service,
  });
  // api's own deploymentConfiguration replaces the default's whole: it has no breaker.
  expect(found).toEqual([
    expect.objectContaining({
      file: expect.stringMatching(/api\.service$/),
      ...positionOf(service, '"deploymentConfiguration"'),
      message: expect.stringMatching(
        /in this file's deploymentConfiguration \(it replaces cluster\.yaml's\)/,
      ),
    }),
  ]);
});

test('turned off explicitly, in a template: at the enable field', async () => {
  const template =
    '{\n  "taskDefinition": "${TASK_PREFIX}web",\n' +
    '  "deploymentConfiguration": { "deploymentCircuitBreaker": { "enable": false, "rollback": false } }\n}\n';
  const found = await findingsOf('circuit-breaker', {
    'web.taskdef': taskdef([good()]),
    'web.service.template': template,
  });
  expect(found).toEqual([
    expect.objectContaining({
      ...positionOf(template, '"enable"'),
      message: expect.stringMatching(/turns the deployment circuit breaker off/),
    }),
  ]);
});

test('AUTOCREATE.SERVICE: at the marker, and fixed by serviceDefaults', async () => {
  const text = taskdef([good({ dockerLabels: { 'AUTOCREATE.SERVICE': '' } })]);
  const found = await findingsOf('circuit-breaker', { 'worker.taskdef': text });
  expect(found).toEqual([
    expect.objectContaining({
      file: expect.stringMatching(/worker\.taskdef$/),
      ...positionOf(text, 'AUTOCREATE.SERVICE'),
      message: expect.stringMatching(
        /the service "worker" that AUTOCREATE\.SERVICE creates .*cluster\.yaml serviceDefaults/,
      ),
    }),
  ]);
  expect(
    await findingsOf('circuit-breaker', { 'cluster.yaml': BREAKER_DEFAULT, 'worker.taskdef': text }),
  ).toEqual([]);
});

test('a service deployed by CodeDeploy or an external controller has no ECS circuit breaker to set', async () => {
  const found = await findingsOf('circuit-breaker', {
    'web.taskdef': taskdef([good()]),
    'web.service': '{ "deploymentController": { "type": "CODE_DEPLOY" } }',
  });
  expect(found).toEqual([]);
});
