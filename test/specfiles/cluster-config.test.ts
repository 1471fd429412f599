import * as path from 'path';
import { FIXTURES, load, specDir } from './helpers';

const WEB_TASKDEF =
  '{ "containerDefinitions": [{ "name": "web", "image": "nginx", "memoryReservation": 64 }] }\n';

describe('cluster.yaml', () => {
  it('a minimal cluster.yaml gets the documented defaults', async () => {
    const dir = specDir({ 'cluster.yaml': 'name: demo\n', 'web.taskdef': WEB_TASKDEF });
    const r = await load(dir, { region: 'us-east-2' });
    expect(r.errors).toEqual([]);
    expect(r.state!.cluster).toEqual({
      name: 'demo',
      region: 'us-east-2', // from the SDK, since the file has none
      prefix: 'demo',
      ownerId: 'demo',
      tags: {},
      adopt: false,
      serviceDefaults: { desiredCount: 1 },
      source: { file: path.join(dir, 'cluster.yaml'), line: 1, column: 1 },
      dir,
    });
    expect(r.files).toEqual([path.join(dir, 'cluster.yaml'), path.join(dir, 'web.taskdef')]);
  });

  it('a full cluster.yaml: prefix, owner, tags and service defaults reach every resource', async () => {
    const dir = path.join(FIXTURES, 'cluster-with-config');
    const r = await load(dir, { region: 'us-east-1' });
    expect(r.errors).toEqual([]);
    const { cluster, taskDefinitions, services } = r.state!;
    expect(cluster).toMatchObject({
      name: 'prod',
      region: 'eu-west-1',
      prefix: 'shop',
      ownerId: 'shop-gitops',
    });
    expect(taskDefinitions.map((t) => [t.basename, t.family])).toEqual([
      ['api', 'shop-api'],
      ['worker', 'shop-jobs'], // `family: jobs` in the file, prefixed
    ]);
    // ${...} in a .taskdef is not a template: it stays as written.
    expect(taskDefinitions[1].body.containerDefinitions![0].image).toBe(
      'example/worker:${TAG_IS_NOT_SUBSTITUTED_IN_TASKDEFS}',
    );
    expect(taskDefinitions[0].tags).toEqual({
      team: 'api-team', // the file's tag wins over the cluster's
      'cost-center': '42',
      tier: 'backend',
      'ecs-gitops:managed-by': 'ecs-gitops',
      'ecs-gitops:owner': 'shop-gitops',
      'ecs-gitops:cluster': 'prod',
      'ecs-gitops:source': 'api.taskdef.json',
    });
    const byName = Object.fromEntries(services.map((s) => [s.name, s]));
    expect(Object.keys(byName)).toEqual(['api', 'pinned', 'worker']);
    // Autocreated: every default but desiredCount, which is only the count it starts with.
    expect(byName.api.autocreated).toBe(true);
    expect(byName.api.body).toEqual({
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], assignPublicIp: 'DISABLED' },
      },
      enableExecuteCommand: true,
    });
    // Explicit: the file wins per field, its launchType excludes the default capacityProviderStrategy.
    expect(byName.worker.body).toEqual({
      launchType: 'FARGATE',
      desiredCount: 5,
      enableExecuteCommand: false,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], assignPublicIp: 'DISABLED' },
      },
    });
    expect(byName.worker.taskDefinition).toEqual({ kind: 'family', family: 'shop-jobs' });
    expect(byName.worker.tags.team).toBe('workers');
    // Explicit services never get the autocreate desiredCount.
    expect(byName.pinned.body.desiredCount).toBeUndefined();
    expect(byName.pinned.taskDefinition).toEqual({
      kind: 'pinned',
      value: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/legacy:7',
    });
    // Defaults are copies: changing one service's body does not change another's.
    byName.api.body.networkConfiguration!.awsvpcConfiguration!.subnets!.push('subnet-3');
    expect(byName.pinned.body.networkConfiguration!.awsvpcConfiguration!.subnets).toEqual([
      'subnet-1',
      'subnet-2',
    ]);
  });

  it('a service with capacityProviderStrategy does not get the default launchType', async () => {
    const dir = specDir({
      'cluster.yml': 'name: demo\nserviceDefaults:\n  launchType: EC2\n',
      'web.taskdef': WEB_TASKDEF,
      'web.service': '{ "capacityProviderStrategy": [{ "capacityProvider": "cp" }] }',
      'job.service': '{ "taskDefinition": "web:3" }',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    const [job, web] = r.state!.services;
    expect(web.body).toEqual({ capacityProviderStrategy: [{ capacityProvider: 'cp' }] });
    expect(job.body).toEqual({ launchType: 'EC2' });
    expect(job.taskDefinition).toEqual({ kind: 'pinned', value: 'web:3' });
  });

  it('--cluster that disagrees with cluster.yaml is an error at name', async () => {
    const dir = specDir({ 'cluster.yaml': '# prod\nname: prod\n' });
    const r = await load(dir, { clusterName: 'staging' });
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'cluster.yaml'),
        line: 2,
        column: 1,
        field: 'name',
        message: expect.stringContaining('--cluster staging does not match'),
      },
    ]);
  });

  it('schema errors: missing name, bad name, reserved tag keys, launchType with capacityProviderStrategy', async () => {
    const text = [
      'region: eu-west-1',
      'tags:',
      '  aws:team: x',
      'serviceDefaults:',
      '  launchType: EC2',
      '  capacityProviderStrategy: [{ capacityProvider: cp }]',
      '  desiredCount: -1',
      'adpot: true',
      '',
    ].join('\n');
    const dir = specDir({ 'cluster.yaml': text });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    expect(r.errors.map((e) => [e.line, e.column, e.field, e.message])).toEqual([
      [1, 1, 'name', 'missing required field "name"'],
      [3, 3, 'tags["aws:team"]', 'invalid key "aws:team" (keys must not start with "aws:")'],
      [
        4,
        1,
        'serviceDefaults',
        'launchType and capacityProviderStrategy are mutually exclusive: set only one',
      ],
      [7, 3, 'serviceDefaults.desiredCount', 'must be >= 0'],
      [8, 1, 'adpot', 'unknown field "adpot" (did you mean "adopt"?)'],
    ]);
  });

  it('cluster.yaml and cluster.yml together are ambiguous', async () => {
    const dir = specDir({ 'cluster.yaml': 'name: a\n', 'cluster.yml': 'name: b\n' });
    const r = await load(dir);
    expect(r.errors).toMatchObject([
      { file: path.join(dir, 'cluster.yml'), message: expect.stringContaining('keep one') },
    ]);
  });

  it('a broken cluster.yaml does not hide the errors of the spec files', async () => {
    const dir = specDir({ 'cluster.yaml': 'name: [\n', 'web.taskdef': '{ "containerDefinitions": 1 }' });
    const r = await load(dir);
    expect(r.errors.map((e) => path.basename(e.file))).toEqual(['cluster.yaml', 'web.taskdef']);
  });

  it('a directory that does not exist', async () => {
    const r = await load('/nonexistent/ecs-gitops', { clusterName: 'demo' });
    expect(r.errors).toEqual([
      { file: '/nonexistent/ecs-gitops', line: 1, column: 1, field: '', message: 'no such directory' },
    ]);
  });
});
