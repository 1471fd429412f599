import { renderTemplate, templateVariables } from '../../controller/specfiles';
import { load, positionOf, specDir } from './helpers';

const WEB_TASKDEF =
  '{ "containerDefinitions": [{ "name": "web", "image": "nginx", "memoryReservation": 64 }] }\n';

describe('.service.template substitution', () => {
  it('built-ins TASK_PREFIX, CLUSTER, REGION and ACCOUNT_ID win over the environment', async () => {
    const dir = specDir({
      'web.taskdef': WEB_TASKDEF,
      'web.service.template': [
        '{',
        '  "taskDefinition": "${TASK_PREFIX}web",',
        '  "platformVersion": "${CLUSTER}/${REGION}/${ACCOUNT_ID}/${VERSION}"',
        '}',
      ].join('\n'),
    });
    const accountId = jest.fn(() => Promise.resolve('123456789012'));
    const r = await load(dir, {
      clusterName: 'demo',
      region: 'eu-west-1',
      accountId,
      env: { TASK_PREFIX: 'env-', CLUSTER: 'env', REGION: 'env', ACCOUNT_ID: 'env', VERSION: '1.4.0' },
    });
    expect(r.errors).toEqual([]);
    const web = r.state!.services[0];
    expect(web.taskDefinition).toEqual({ kind: 'family', family: 'demo-web' });
    expect(web.body.platformVersion).toBe('demo/eu-west-1/123456789012/1.4.0');
    expect(accountId).toHaveBeenCalledTimes(1);
  });

  it('asks for the account id only when a template uses it, once per directory, and works offline', async () => {
    const files = {
      'web.taskdef': WEB_TASKDEF,
      'a.service.template': '{ "taskDefinition": "web", "platformVersion": "${ACCOUNT_ID}" }',
      'b.service.template': '{ "taskDefinition": "web", "platformVersion": "${ACCOUNT_ID}" }',
    };
    const accountId = jest.fn(() => Promise.resolve('111122223333'));
    const online = await load(specDir(files), { clusterName: 'demo', accountId });
    expect(accountId).toHaveBeenCalledTimes(1);
    expect(online.state!.services.map((s) => s.body.platformVersion)).toEqual([
      '111122223333',
      '111122223333',
    ]);

    const offline = await load(specDir(files), { clusterName: 'demo' });
    expect(offline.state!.services.map((s) => s.body.platformVersion)).toEqual([
      '000000000000',
      '000000000000',
    ]);

    const unused = jest.fn(() => Promise.resolve('x'));
    await load(specDir({ 'web.taskdef': WEB_TASKDEF, 'web.service.template': '{ "desiredCount": 1 }' }), {
      clusterName: 'demo',
      accountId: unused,
    });
    expect(unused).not.toHaveBeenCalled();
  });

  it('substitutes raw text, so numbers can come from variables; $${ is a literal ${', async () => {
    const dir = specDir({
      'web.taskdef': WEB_TASKDEF,
      'web.service.template': '{ "desiredCount": ${COUNT}, "platformVersion": "$${NOT_A_VAR}" }',
    });
    const r = await load(dir, { clusterName: 'demo', env: { COUNT: '3' } });
    expect(r.errors).toEqual([]);
    expect(r.state!.services[0].body).toEqual({ desiredCount: 3, platformVersion: '${NOT_A_VAR}' });
  });

  it('a REGION that nobody set says where to set it', async () => {
    const text = '{ "taskDefinition": "web", "platformVersion": "${REGION}" }';
    const dir = specDir({ 'web.taskdef': WEB_TASKDEF, 'web.service.template': text });
    const r = await load(dir, { clusterName: 'demo' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ ...positionOf(text, '${REGION}'), field: 'platformVersion' });
    expect(r.errors[0].message).toMatch(/^undefined variable \$\{REGION\}: .*region/);
  });

  it('a malformed reference is an error, not silently left in', async () => {
    const dir = specDir({
      'web.taskdef': WEB_TASKDEF,
      'web.service.template': '{ "platformVersion": "${1X}" }',
    });
    const r = await load(dir, { clusterName: 'demo' });
    expect(r.errors).toMatchObject([{ line: 1, column: 23, message: expect.stringContaining('malformed') }]);
  });

  it('.service files (not templates) are left alone', async () => {
    const dir = specDir({ 'web.taskdef': WEB_TASKDEF, 'web.service': '{ "platformVersion": "${UNSET}" }' });
    const r = await load(dir, { clusterName: 'demo' });
    expect(r.errors).toEqual([]);
    expect(r.state!.services[0].body.platformVersion).toBe('${UNSET}');
  });
});

describe('errors after substitution point into the original file', () => {
  it('an error after a long substitution is at its column in the file as written', async () => {
    const text = [
      '{',
      '  "platformVersion": "${LONG}", "launchType": "EC3",',
      '  "desiredCount": "2"',
      '}',
    ].join('\n');
    const dir = specDir({ 'web.taskdef': WEB_TASKDEF, 'web.service.template': text });
    const r = await load(dir, { clusterName: 'demo', env: { LONG: 'x'.repeat(50) } });
    expect(r.errors.map((e) => [e.line, e.column, e.field])).toEqual([
      [2, 33, 'launchType'], // positionOf(text, '"launchType"') in the file, not in the rendered text
      [3, 3, 'desiredCount'],
    ]);
    expect(positionOf(text, '"launchType"')).toEqual({ line: 2, column: 33 });
  });

  it('an error inside a substituted value is reported at the ${ of that substitution', async () => {
    const text = '{\n  "taskDefinition": "web",\n  "desiredCount": ${COUNT}\n}';
    const dir = specDir({ 'web.taskdef': WEB_TASKDEF, 'web.service.template': text });
    const r = await load(dir, { clusterName: 'demo', env: { COUNT: '2 3' } });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      line: 3,
      column: 19,
      message: expect.stringMatching(/^invalid JSON/),
    });
  });

  it('renderTemplate maps every offset back, escapes included', () => {
    const original = 'a$${b}${X}c';
    const r = renderTemplate(original, { X: 'xyz' }, { file: 'f' });
    expect(r.text).toBe('a${b}xyzc');
    expect([...r.text].map((_, i) => r.mapOffset(i))).toEqual([0, 2, 3, 4, 5, 6, 6, 6, 10]);
    expect(templateVariables('${A} ${B} $${C} ${A}')).toEqual(['A', 'B']);
  });
});
