import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, load, positionOf, specDir } from './helpers';

const EXAMPLE = path.join(FIXTURES, 'ecs-efs-example');

describe('an old ecs-efs directory loads unchanged with --cluster demo', () => {
  it('is a byte-for-byte copy of the reference fixture', () => {
    const reference = path.resolve(__dirname, '../../../shared/reference/ecs-efs-example');
    if (!fs.existsSync(reference)) return; // the reference lives outside the repo; CI has only the copy
    for (const name of ['jenkins.taskdef', 'webserver.taskdef', 'webserver.service.template']) {
      expect(fs.readFileSync(path.join(EXAMPLE, name))).toEqual(fs.readFileSync(path.join(reference, name)));
    }
  });

  it('gives families demo-webserver and demo-jenkins, an explicit webserver and an autocreated jenkins', async () => {
    const r = await load(EXAMPLE, { clusterName: 'demo' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const state = r.state!;
    expect(state.cluster).toMatchObject({
      name: 'demo',
      prefix: 'demo',
      ownerId: 'demo',
      adopt: false,
      tags: {},
    });
    expect(state.taskDefinitions.map((t) => [t.basename, t.family, t.autocreateService])).toEqual([
      ['jenkins', 'demo-jenkins', true],
      ['webserver', 'demo-webserver', false],
    ]);

    const [jenkins, webserver] = state.services;
    expect(webserver).toMatchObject({
      name: 'webserver',
      autocreated: false,
      taskDefinition: { kind: 'family', family: 'demo-webserver' },
      body: { desiredCount: 2, deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 } },
    });
    expect(webserver.source.file).toBe(path.join(EXAMPLE, 'webserver.service.template'));
    expect(jenkins).toEqual({
      name: 'jenkins',
      autocreated: true,
      taskDefinition: { kind: 'family', family: 'demo-jenkins' },
      // No desiredCount: it starts with serviceDefaults.desiredCount (1), then autoscaling owns it.
      body: {},
      tags: {
        'ecs-gitops:managed-by': 'ecs-gitops',
        'ecs-gitops:owner': 'demo',
        'ecs-gitops:cluster': 'demo',
        'ecs-gitops:source': 'jenkins.taskdef',
      },
      // `        "AUTOCREATE.SERVICE": ""` on line 22: the text starts after the quote.
      source: { file: path.join(EXAMPLE, 'jenkins.taskdef'), line: 22, column: 10 },
    });
  });

  it('registers the task definition body as written, with the family set and comments gone', async () => {
    const r = await load(EXAMPLE, { clusterName: 'demo' });
    const web = r.state!.taskDefinitions.find((t) => t.basename === 'webserver')!;
    expect(web.body).toEqual({
      family: 'demo-webserver',
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          memoryReservation: 64,
          essential: true,
          dockerLabels: { 'proxy.host': 'www', 'proxy.ports': '80:80' },
          portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
        },
      ],
    });
    expect(web.tags['ecs-gitops:source']).toBe('webserver.taskdef');
    expect(r.files).toEqual(
      ['jenkins.taskdef', 'webserver.service.template', 'webserver.taskdef'].map((f) =>
        path.join(EXAMPLE, f),
      ),
    );
  });

  it('uses --prefix for families and ${TASK_PREFIX}', async () => {
    const r = await load(EXAMPLE, { clusterName: 'demo', prefix: 'staging' });
    expect(r.errors).toEqual([]);
    expect(r.state!.taskDefinitions.map((t) => t.family)).toEqual(['staging-jenkins', 'staging-webserver']);
    expect(r.state!.services.map((s) => s.taskDefinition)).toEqual([
      { kind: 'family', family: 'staging-jenkins' },
      { kind: 'family', family: 'staging-webserver' },
    ]);
  });

  it('without --cluster, says how to name the cluster', async () => {
    const r = await load(EXAMPLE);
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: EXAMPLE,
        line: 1,
        column: 1,
        field: '',
        message: expect.stringContaining('pass --cluster NAME'),
      },
    ]);
  });
});

test('the autocreated service points at the marker itself, not at a comment naming it or an earlier container', async () => {
  const text = `{
  // Without AUTOCREATE.SERVICE no service is made; this file has one, in the second container.
  "containerDefinitions": [
    { "name": "a", "image": "nginx:1.27", "memory": 64, "portMappings": [{ "containerPort": 80 }],
      "dockerLabels": { "x": "y" } },
    { "name": "b", "image": "nginx:1.27", "memory": 64,
      // AUTOCREATE.SERVICE: this container's labels make the service.
      "dockerLabels": { "z": "w", "AUTOCREATE.SERVICE": "" } }
  ]
}
`;
  const dir = specDir({ 'cluster.yaml': 'name: demo\n', 'web.taskdef': text });
  const r = await load(dir);
  expect(r.errors).toEqual([]);
  const web = r.state!.services.find((s) => s.name === 'web')!;
  expect(web.autocreated).toBe(true);
  // The marker's own text, after its opening quote.
  const at = positionOf(text, '"AUTOCREATE.SERVICE"');
  expect({ line: web.source.line, column: web.source.column }).toEqual({
    line: at.line,
    column: at.column + 1,
  });
});

test('a "__proto__" key (the parser makes it the prototype) is an unknown field, not an AUTOCREATE.SERVICE', async () => {
  const text = `{
  "containerDefinitions": [
    { "name": "a", "image": "nginx:1.27", "memory": 64, "__proto__": { "AUTOCREATE.SERVICE": "" } }
  ]
}
`;
  const r = await load(specDir({ 'cluster.yaml': 'name: demo\n', 'web.taskdef': text }));
  expect(r.errors.map((e) => [e.field, e.message])).toEqual([
    ['containerDefinitions[0].__proto__', 'unknown field "__proto__"'],
  ]);
  expect(r.state).toBeUndefined();
});
