import * as path from 'path';
import { formatSpecError } from '../../controller/model/source';
import { load, positionOf, specDir } from './helpers';

const WEB_TASKDEF =
  '{ "containerDefinitions": [{ "name": "web", "image": "nginx", "memoryReservation": 64 }] }\n';

/** Loads a directory that must fail, and returns its errors. */
async function errorsOf(files: Record<string, string>, clusterName = 'demo') {
  const dir = specDir(files);
  const r = await load(dir, { clusterName });
  expect(r.state).toBeUndefined();
  return { dir, errors: r.errors, at: (name: string) => path.join(dir, name) };
}

describe('1. malformed files', () => {
  it('malformed JSON: the exact line and column of the missing comma', async () => {
    const text = [
      '{',
      '  "containerDefinitions": [',
      '    { "name": "web" "image": "nginx" }',
      '  ]',
      '}',
      '',
    ].join('\n');
    const { errors, at } = await errorsOf({ 'web.taskdef': text });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 3,
        column: 21, // the "image" that should have been preceded by a comma
        field: 'containerDefinitions[0].image',
        message: 'invalid JSON: expected "," (or a closing bracket)',
      },
    ]);
  });

  it('malformed JSONC: an unterminated block comment', async () => {
    const { errors, at } = await errorsOf({
      'web.taskdef': '{\n  /* never closed\n  "containerDefinitions": []\n}\n',
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 2,
        column: 3,
        field: '',
        message: 'invalid JSON: unterminated /* comment',
      },
    ]);
  });

  it('malformed YAML: the position the YAML parser gives, with the field it is in', async () => {
    const text = 'containerDefinitions:\n  - name: web\n    image: nginx: latest\n';
    const { errors, at } = await errorsOf({ 'web.taskdef.yaml': text });
    expect(errors).toEqual([
      {
        file: at('web.taskdef.yaml'),
        line: 3,
        column: 12,
        field: 'containerDefinitions[0].image',
        message: expect.stringMatching(/^invalid YAML: Nested mappings are not allowed/),
      },
    ]);
  });

  it('an empty file and a file that is not an object', async () => {
    const { errors, at } = await errorsOf({ 'a.taskdef': '', 'b.service.yaml': '- just\n- a list\n' });
    expect(errors).toEqual([
      { file: at('a.taskdef'), line: 1, column: 1, field: '', message: 'the file is empty' },
      {
        file: at('b.service.yaml'),
        line: 1,
        column: 1,
        field: '',
        message: 'expected an object: the body of a CreateService request',
      },
    ]);
  });
});

describe('2. unknown fields', () => {
  it('a misspelled top-level field gets a did-you-mean, and the missing required field is reported too', async () => {
    const { errors, at } = await errorsOf({ 'web.taskdef': '{\n  "contanerDefinitions": []\n}\n' });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 1,
        column: 1,
        field: 'containerDefinitions',
        message: 'missing required field "containerDefinitions"',
      },
      {
        file: at('web.taskdef'),
        line: 2,
        column: 3,
        field: 'contanerDefinitions',
        message: 'unknown field "contanerDefinitions" (did you mean "containerDefinitions"?)',
      },
    ]);
  });

  it('a misspelled nested field is suggested from that object only; a far-off name gets no suggestion', async () => {
    const text = [
      'containerDefinitions:',
      '  - name: web',
      '    image: nginx',
      '    memoryReservaton: 64',
      '    flavour: vanilla',
      '',
    ].join('\n');
    const { errors, at } = await errorsOf({ 'web.taskdef.yaml': text });
    expect(errors).toEqual([
      {
        file: at('web.taskdef.yaml'),
        line: 4,
        column: 5,
        field: 'containerDefinitions[0].memoryReservaton',
        message: 'unknown field "memoryReservaton" (did you mean "memoryReservation"?)',
      },
      {
        file: at('web.taskdef.yaml'),
        line: 5,
        column: 5,
        field: 'containerDefinitions[0].flavour',
        message: 'unknown field "flavour"',
      },
    ]);
  });
});

describe('3. missing template variables', () => {
  it('every undefined variable is reported at its ${, with its field, in one go', async () => {
    const text = [
      '{',
      '  "taskDefinition": "${TASK_PREFIX}web",',
      '  "desiredCount": ${COUNT},',
      '  "platformVersion": "${PLATFORM}"',
      '}',
      '',
    ].join('\n');
    const { errors, at } = await errorsOf({ 'web.taskdef': WEB_TASKDEF, 'web.service.template': text });
    expect(errors).toEqual([
      {
        file: at('web.service.template'),
        line: 3,
        column: 19,
        field: 'desiredCount',
        message: 'undefined variable ${COUNT}',
      },
      {
        file: at('web.service.template'),
        line: 4,
        column: 23,
        field: 'platformVersion',
        message: 'undefined variable ${PLATFORM}',
      },
    ]);
  });
});

describe('4. dangling references', () => {
  it('a service naming a family no spec defines, with a suggestion', async () => {
    const { errors, at } = await errorsOf({
      'webserver.taskdef': WEB_TASKDEF,
      'api.service': '{\n  "desiredCount": 1,\n  "taskDefinition": "webserve"\n}\n',
    });
    expect(errors).toEqual([
      {
        file: at('api.service'),
        line: 3,
        column: 3,
        field: 'taskDefinition',
        message: expect.stringContaining('dangling reference'),
      },
    ]);
    expect(errors[0].message).toContain('"webserve"');
    expect(errors[0].message).toContain('(did you mean "webserver"?)');
  });

  it('a service without taskDefinition and without a same-named .taskdef', async () => {
    const { errors, at } = await errorsOf({ 'api.service': '{ "desiredCount": 1 }\n' });
    expect(errors).toEqual([
      {
        file: at('api.service'),
        line: 1,
        column: 1,
        field: 'taskDefinition',
        message: expect.stringContaining('no api.taskdef'),
      },
    ]);
  });
});

describe('5. duplicate names', () => {
  it('duplicate keys in JSONC and in YAML, at the second key', async () => {
    const { errors, at } = await errorsOf({
      'a.taskdef': '{\n  "containerDefinitions": [],\n  "cpu": "256",\n  "cpu": "512"\n}\n',
      'b.taskdef.yaml': 'containerDefinitions:\n  - name: b\n    image: x\n    image: y\n',
    });
    expect(errors).toEqual([
      {
        file: at('a.taskdef'),
        line: 4,
        column: 3,
        field: 'cpu',
        message: 'duplicate key "cpu" (first defined at line 3, column 3)',
      },
      {
        file: at('b.taskdef.yaml'),
        line: 4,
        column: 5,
        field: 'containerDefinitions[0].image',
        message: 'duplicate key "image" (first defined at line 3, column 5)',
      },
    ]);
  });

  it('two containers with one name: the error is at the second', async () => {
    const text = [
      'containerDefinitions:',
      '  - name: web',
      '    image: nginx',
      '  - name: sidecar',
      '    image: busybox',
      '  - name: web',
      '    image: nginx',
      '',
    ].join('\n');
    const { errors, at } = await errorsOf({ 'web.taskdef.yaml': text });
    expect(errors).toEqual([
      {
        file: at('web.taskdef.yaml'),
        line: 6,
        column: 5,
        field: 'containerDefinitions[2].name',
        message: 'duplicate container name "web" (also containerDefinitions[0].name)',
      },
    ]);
  });

  it('two files for one service, and two for one task definition, name both files', async () => {
    const { errors, at } = await errorsOf({
      'web.taskdef': WEB_TASKDEF,
      'web.taskdef.yaml': 'containerDefinitions: [{ name: web, image: nginx }]\n',
      'web.service': '{ "desiredCount": 1 }\n',
      'web.service.template': '{ "desiredCount": 2 }\n',
    });
    expect(errors).toEqual([
      {
        file: at('web.service.template'),
        line: 1,
        column: 1,
        field: '',
        message: 'duplicate service "web": both web.service and web.service.template define it; keep one',
      },
      {
        file: at('web.taskdef.yaml'),
        line: 1,
        column: 1,
        field: '',
        message: 'duplicate task definition "web": both web.taskdef and web.taskdef.yaml define it; keep one',
      },
    ]);
  });

  it('two task definitions that resolve to one family', async () => {
    const { errors, at } = await errorsOf({
      'api.taskdef': WEB_TASKDEF,
      'web.taskdef.yaml': 'family: api\ncontainerDefinitions: [{ name: web, image: nginx }]\n',
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef.yaml'),
        line: 1,
        column: 1,
        field: 'family',
        message: 'family "demo-api" is also defined by api.taskdef',
      },
    ]);
  });
});

describe('6. wrong types and values', () => {
  it('a string where a number belongs says what was expected and what was found', async () => {
    const text =
      '{\n  "containerDefinitions": [\n    { "name": "web", "image": "nginx", "memoryReservation": "64" }\n  ]\n}\n';
    const { errors, at } = await errorsOf({ 'web.taskdef': text });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 3,
        column: 40,
        field: 'containerDefinitions[0].memoryReservation',
        message: 'expected integer, got string "64"',
      },
    ]);
  });

  it('a container "memory": "512" (a number written as a string) is rejected, not coerced', async () => {
    // README "no-string-number-coercion": schema validation rejects it before planning.
    const text =
      '{\n  "containerDefinitions": [\n    { "name": "web", "image": "nginx", "memory": "512" }\n  ]\n}\n';
    const { errors, at } = await errorsOf({ 'web.taskdef': text });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 3,
        column: 40,
        field: 'containerDefinitions[0].memory',
        message: 'expected integer, got string "512"',
      },
    ]);
  });

  it('a value outside an enum lists the values and suggests the close one', async () => {
    const text = 'taskDefinition: web\nlaunchType: FARGAT\n';
    const { errors, at } = await errorsOf({ 'web.taskdef': WEB_TASKDEF, 'web.service.yaml': text });
    expect(errors).toEqual([
      {
        file: at('web.service.yaml'),
        line: 2,
        column: 1,
        field: 'launchType',
        message:
          'invalid value "FARGAT", expected one of EC2, EXTERNAL, FARGATE, MANAGED_INSTANCES (did you mean "FARGATE"?)',
      },
    ]);
  });
});

describe('service fields ecs-gitops sets itself', () => {
  it('serviceName, cluster and clientToken that disagree are errors at their keys', async () => {
    const text = [
      '{',
      '  "serviceName": "other",',
      '  "cluster": "prod",',
      '  "clientToken": "abc",',
      '  "taskDefinition": "web"',
      '}',
      '',
    ].join('\n');
    const { errors, at } = await errorsOf({ 'web.taskdef': WEB_TASKDEF, 'web.service': text });
    expect(errors.map((e) => [e.file, e.line, e.column, e.field])).toEqual([
      [at('web.service'), 2, 3, 'serviceName'],
      [at('web.service'), 3, 3, 'cluster'],
      [at('web.service'), 4, 3, 'clientToken'],
    ]);
    expect(errors[2].message).toBe('clientToken is set by ecs-gitops; remove it');
  });

  it('serviceName and cluster that agree are accepted', async () => {
    const dir = specDir({
      'web.taskdef': WEB_TASKDEF,
      'web.service': '{ "serviceName": "web", "cluster": "demo", "taskDefinition": "demo-web" }',
    });
    const r = await load(dir, { clusterName: 'demo' });
    expect(r.errors).toEqual([]);
    expect(r.state!.services[0].body).toEqual({});
  });
});

describe('a directory with many problems', () => {
  it('reports every error of every file at once, sorted by file and line, and loads nothing', async () => {
    const files = {
      'a.taskdef': '{ "containerDefinitions": [ { "name": "a" "image": "x" } ] }',
      'b.taskdef.yaml': 'containerDefinitions: []\nnetworkMode: bridg\n',
      'c.service.template': '{ "taskDefinition": "${NOPE}" }',
      'd.service': '{ "taskDefinition": "zzz", "desiredCount": "1" }',
      'web.taskdef': WEB_TASKDEF,
    };
    const { errors, at } = await errorsOf(files);
    expect(errors.map((e) => [path.basename(e.file), e.field])).toEqual([
      ['a.taskdef', 'containerDefinitions[0].image'],
      ['b.taskdef.yaml', 'networkMode'],
      ['c.service.template', 'taskDefinition'],
      ['d.service', 'taskDefinition'], // same line: by column
      ['d.service', 'desiredCount'],
    ]);
    // Formatted the way the CLI prints them: file:line:column: field: message
    expect(formatSpecError(errors[1])).toBe(
      `${at('b.taskdef.yaml')}:2:1: networkMode: invalid value "bridg", expected one of awsvpc, bridge, host, none (did you mean "bridge"?)`,
    );
    expect(positionOf(files['c.service.template'], '${NOPE}')).toEqual({ line: 1, column: 22 });
    expect(errors[2]).toMatchObject({ line: 1, column: 22, message: 'undefined variable ${NOPE}' });
  });
});
