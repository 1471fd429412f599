import * as path from 'path';
import { formatSpecError } from '../../controller/model/source';
import { labelledTaskdef, load, positionOf, specDir } from './helpers';

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

describe('the load balancer: cluster.yaml loadBalancer: and the proxy.* labels', () => {
  const OWNED =
    'name: demo\nloadBalancer:\n  create:\n    subnets: [subnet-0a1, subnet-0b2]\n    securityGroups: [sg-0c3]\n';
  const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
  const label = (key: string, i = 0) => `containerDefinitions[${i}].dockerLabels["${key}"]`;
  const web = (labels: Record<string, string>, ports?: number[], networkMode?: string) =>
    labelledTaskdef([{ name: 'web', labels, ports }], { autocreate: true, networkMode });

  it('2 and 6: an unknown key with a suggestion, a value outside an enum, in loadBalancer:', async () => {
    const text = `${OWNED}    schema: internal\n  listeners: [{ port: 443, protocol: HTTP2 }]\n`;
    const { errors, at } = await errorsOf({ 'cluster.yaml': text });
    expect(errors).toEqual([
      {
        file: at('cluster.yaml'),
        line: 6,
        column: 5,
        field: 'loadBalancer.create.schema',
        message: 'unknown field "schema" (did you mean "scheme"?)',
      },
      {
        file: at('cluster.yaml'),
        line: 7,
        column: 28,
        field: 'loadBalancer.listeners[0].protocol',
        message: 'invalid value "HTTP2", expected one of HTTP, HTTPS (did you mean "HTTP"?)',
      },
    ]);
  });

  it('without dns:, a proxy.ports container port missing from portMappings is an error', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': OWNED,
      'web.taskdef': web({ 'proxy.host': 'www.example.com.', 'proxy.ports': '80:8081' }, [8080]),
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 7,
        column: 9,
        field: label('proxy.ports'),
        message:
          'proxy.ports "80:8081": container port 8081 is not in the portMappings of container "web" (containerPort 8080)',
      },
    ]);
  });

  it('without dns:, a host name two services claim is an error, and so is a short name', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': OWNED,
      'api.taskdef': web({ 'proxy.host': 'www.example.com.' }),
      'web.taskdef': web({ 'proxy.host': 'www.example.com. www' }),
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 6,
        column: 9,
        field: label('proxy.host'),
        message: expect.stringMatching(
          /^proxy.host: "www" is a short name \(at most one dot\) and no dns.domain is set/,
        ),
      },
      {
        file: at('web.taskdef'),
        line: 6,
        column: 9,
        field: label('proxy.host'),
        message: expect.stringMatching(
          /^host name "www.example.com" of service "web" \(web.taskdef\) is also claimed by service "api"/,
        ),
      },
    ]);
  });

  it('more than 5 target groups for one service: an error at the label that makes the sixth', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': `${OWNED}  listeners: [{ port: 80 }, { port: 81 }, { port: 82 }]\n`,
      'web.taskdef': labelledTaskdef(
        [
          { name: 'a', labels: { 'proxy.host': 'a.example.com.', 'proxy.ports': '80:1 81:2 82:3' } },
          // Two listen ports on one container port are one target group.
          { name: 'b', labels: { 'proxy.host': 'b.example.com.', 'proxy.ports': '80:1 81:1 82:2' } },
          { name: 'c', labels: { 'proxy.host': 'c.example.com.', 'proxy.ports': '80:5' } },
        ],
        { autocreate: true },
      ),
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 28,
        column: 9,
        field: label('proxy.ports', 2),
        message:
          'service "web" needs more than 5 target groups (one per container and container port: ' +
          'a:1, a:2, a:3, b:1, b:2, c:5...); ECS attaches at most 5 to a service',
      },
    ]);
  });

  it('a listen port with no listener: on a created balancer, and on an existing one that lists its listeners', async () => {
    const owned = await errorsOf({
      'cluster.yaml': OWNED,
      'web.taskdef': web({ 'proxy.host': 'www.example.com.', 'proxy.ports': '8443:80' }),
    });
    expect(owned.errors).toEqual([
      {
        file: owned.at('web.taskdef'),
        line: 7,
        column: 9,
        field: label('proxy.ports'),
        message: 'proxy.ports "8443:80": the load balancer has no listener on port 8443 (listeners: 80)',
      },
    ]);
    const existing = await errorsOf({
      'cluster.yaml': 'name: demo\nloadBalancer:\n  name: shared-alb\n  listeners: [{ port: 443 }]\n',
      'web.taskdef': web({ 'proxy.host': 'www.example.com.' }),
    });
    expect(existing.errors).toEqual([
      {
        file: existing.at('web.taskdef'),
        line: 6,
        column: 9,
        field: label('proxy.host'),
        message: 'the default proxy.ports: the load balancer has no listener on port 80 (listeners: 443)',
      },
    ]);
  });

  it('with redirectHttpToHttps, listening on the HTTP listener is an error', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': `${OWNED}  listeners: [{ port: 80 }, { port: 443, certificateArn: "${CERT}" }]\n  redirectHttpToHttps: true\n`,
      'web.taskdef': web({ 'proxy.host': 'www.example.com.', 'proxy.ports': '80:8080' }),
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 7,
        column: 9,
        field: label('proxy.ports'),
        message:
          'proxy.ports "80:8080": the HTTP listener on port 80 only redirects to HTTPS (redirectHttpToHttps): listen on 443, like "443:8080"',
      },
    ]);
  });

  it('one name on one listen port routed to two containers of a service', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': OWNED,
      'web.taskdef': labelledTaskdef(
        [
          { name: 'a', labels: { 'proxy.host': 'www.example.com.' } },
          { name: 'b', labels: { 'proxy.host': 'www.example.com.' } },
        ],
        { autocreate: true },
      ),
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 16,
        column: 9,
        field: label('proxy.host', 1),
        message:
          'host name "www.example.com" on listen port 80 is routed to container "a" of service "web" already: a name and port go to one container',
      },
    ]);
  });

  it('label values out of range or malformed, and a timeout not below the interval', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': OWNED,
      'web.taskdef': web({
        'proxy.host': 'www.example.com.',
        'proxy.healthcheck': 'health',
        'proxy.healthcheck.matcher': '200-',
        'proxy.healthcheck.timeout': '20',
        'proxy.healthcheck.healthy-threshold': '11',
        'proxy.deregistration-delay': '30s',
        'proxy.stickiness': '0',
      }),
    });
    const e = (n: number, key: string, message: string) => ({
      file: at('web.taskdef'),
      line: 6 + n,
      column: 9,
      field: label(key),
      message,
    });
    expect(errors).toEqual([
      e(1, 'proxy.healthcheck', 'proxy.healthcheck "health": the health check path must start with "/"'),
      e(
        2,
        'proxy.healthcheck.matcher',
        'proxy.healthcheck.matcher "200-": must be HTTP codes like 200, 200-399 or 200,302',
      ),
      e(
        3,
        'proxy.healthcheck.timeout',
        'the health check timeout (20 s) must be less than its interval (15 s)',
      ),
      e(
        4,
        'proxy.healthcheck.healthy-threshold',
        'proxy.healthcheck.healthy-threshold "11": must be 2-10 checks',
      ),
      e(
        5,
        'proxy.deregistration-delay',
        'proxy.deregistration-delay "30s": must be a whole number of seconds (0-3600)',
      ),
      e(6, 'proxy.stickiness', 'proxy.stickiness "0": must be 1-604800 seconds, or "on" or "off"'),
    ]);
  });

  it('an interval label not above the timeout of cluster.yaml is an error at the interval label', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': `${OWNED}  healthCheck: { timeoutSeconds: 10 }\n`,
      'web.taskdef': web({
        'proxy.host': 'www.example.com.',
        'proxy.healthcheck.timeout': 'ten',
        'proxy.healthcheck.interval': '10',
      }),
    });
    expect(errors.map((e) => [e.line, e.field, e.message])).toEqual([
      [
        7,
        label('proxy.healthcheck.timeout'),
        'proxy.healthcheck.timeout "ten": must be a whole number of seconds (2-120)',
      ],
      [
        8,
        label('proxy.healthcheck.interval'),
        'the health check timeout (10 s) must be less than its interval (10 s)',
      ],
    ]);
    expect(errors.every((e) => e.file === at('web.taskdef'))).toBe(true);
  });

  it('a task definition whose networkMode is none cannot be routed to', async () => {
    const { errors, at } = await errorsOf({
      'cluster.yaml': OWNED,
      'web.taskdef': web({ 'proxy.host': 'www.example.com.' }, undefined, 'none'),
    });
    expect(errors).toEqual([
      {
        file: at('web.taskdef'),
        line: 7,
        column: 9,
        field: label('proxy.host'),
        message: 'the task definition\'s networkMode is "none": a load balancer cannot reach the container',
      },
    ]);
  });
});
