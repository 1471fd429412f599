import * as path from 'path';
import { FIXTURES, load, specDir } from './helpers';

/** A bridge task definition (no networkMode: AWS's default is bridge). */
const BRIDGE_TASKDEF =
  '{ "containerDefinitions": [{ "name": "web", "image": "nginx", "memoryReservation": 64 }] }\n';
const AWSVPC_TASKDEF =
  '{ "networkMode": "awsvpc", "containerDefinitions": [{ "name": "api", "image": "api", "memory": 128 }] }\n';
const CLUSTER_WITH_NETWORK = [
  'name: demo',
  'serviceDefaults:',
  '  enableExecuteCommand: true',
  '  networkConfiguration:',
  '    awsvpcConfiguration:',
  '      subnets: [subnet-1]',
  '',
].join('\n');
const DEFAULT_NETWORK = { awsvpcConfiguration: { subnets: ['subnet-1'] } };

describe('cluster.yaml serviceDefaults.networkConfiguration', () => {
  it('an ecs-efs directory run with --config: its bridge services get no networkConfiguration', async () => {
    const config = path.join(specDir({ 'cluster.yaml': CLUSTER_WITH_NETWORK }), 'cluster.yaml');
    const r = await load(path.join(FIXTURES, 'ecs-efs-example'), { configFile: config });
    expect(r.errors).toEqual([]);
    const [jenkins, webserver] = r.state!.services;
    // AWS: "Network Configuration is not valid for the given networkMode of this task definition".
    expect(jenkins.body).toEqual({ enableExecuteCommand: true });
    expect(webserver.body).toEqual({
      desiredCount: 2,
      deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
      enableExecuteCommand: true,
    });
  });

  it('a mixed directory: awsvpc (explicit and autocreated) and pinned services get it, bridge and host do not', async () => {
    const dir = specDir({
      'cluster.yaml': CLUSTER_WITH_NETWORK,
      'api.taskdef': AWSVPC_TASKDEF,
      'api.service': '{ "desiredCount": 2 }',
      'auto.taskdef.yaml':
        'networkMode: awsvpc\ncontainerDefinitions: [{ name: a, image: a, memory: 64, dockerLabels: { AUTOCREATE.SERVICE: "" } }]\n',
      'web.taskdef': BRIDGE_TASKDEF,
      'web.service': '{ "desiredCount": 2 }',
      'edge.taskdef.yaml': 'networkMode: host\ncontainerDefinitions: [{ name: e, image: e, memory: 64 }]\n',
      'edge.service.yaml': 'desiredCount: 1\n',
      'legacy.service.yaml': 'taskDefinition: legacy:4\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    const byName = Object.fromEntries(r.state!.services.map((s) => [s.name, s.body.networkConfiguration]));
    expect(byName).toEqual({
      api: DEFAULT_NETWORK,
      auto: DEFAULT_NETWORK,
      edge: undefined,
      // A pinned revision's network mode is unknown to the loader: it gets the default as before.
      legacy: DEFAULT_NETWORK,
      web: undefined,
    });
  });

  it('a .service that sets networkConfiguration for a bridge or host task definition is an error at that field', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': BRIDGE_TASKDEF,
      'web.service': [
        '{',
        '  "desiredCount": 2,',
        '  "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-1"] } }',
        '}',
        '',
      ].join('\n'),
      'edge.taskdef.yaml': 'networkMode: host\ncontainerDefinitions: [{ name: e, image: e, memory: 64 }]\n',
      'edge.service.yaml': [
        'taskDefinition: demo-edge',
        'networkConfiguration:',
        '  awsvpcConfiguration: { subnets: [subnet-1] }',
        '',
      ].join('\n'),
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'edge.service.yaml'),
        line: 2,
        column: 1,
        field: 'networkConfiguration',
        message:
          'networkConfiguration is only valid for awsvpc task definitions; edge.taskdef.yaml uses host',
      },
      {
        file: path.join(dir, 'web.service'),
        line: 3,
        column: 3,
        field: 'networkConfiguration',
        message: 'networkConfiguration is only valid for awsvpc task definitions; web.taskdef uses bridge',
      },
    ]);
  });

  it('a service of a task definition that failed to load gets no second error about its network mode', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': '{\n  "containerDefinitions": [{ "name": "web", "image": 7 }]\n}\n',
      'web.service': '{ "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-1"] } } }',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        line: 2,
        column: 45,
        field: 'containerDefinitions[0].image',
        message: 'expected string, got integer 7',
      },
    ]);
  });
});
