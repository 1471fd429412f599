import * as path from 'path';
import { CRDS_DIR } from '../../controller/specfiles';
import { load, positionOf, specDir } from './helpers';

describe('aws ecs describe-task-definition output as a .taskdef', () => {
  const described = JSON.stringify(
    {
      taskDefinition: {
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7',
        family: 'web',
        revision: 7,
        status: 'ACTIVE',
        containerDefinitions: [{ name: 'web', image: 'nginx', memoryReservation: 64, environment: [] }],
        volumes: [],
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.21' }],
        compatibilities: ['EC2'],
        registeredAt: '2024-01-01T00:00:00.000Z',
        registeredBy: 'arn:aws:iam::123456789012:user/me',
      },
      tags: [{ key: 'team', value: 'web' }],
    },
    null,
    2,
  );

  it('is unwrapped, read-only fields are dropped with one warning, tags come from the wrapper', async () => {
    const dir = specDir({ 'web.taskdef': described });
    const r = await load(dir, { clusterName: 'demo' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        line: 2,
        column: 3,
        field: 'taskDefinition',
        message:
          'describe-task-definition output: ignoring read-only fields taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy',
      },
    ]);
    const td = r.state!.taskDefinitions[0];
    expect(td.family).toBe('demo-web');
    expect(td.body).toEqual({
      family: 'demo-web',
      containerDefinitions: [{ name: 'web', image: 'nginx', memoryReservation: 64, environment: [] }],
      volumes: [],
    });
    expect(td.tags.team).toBe('web');
  });

  it('a revision being deleted (deleteRequestedAt, status DELETE_IN_PROGRESS) loads with the same warning', async () => {
    const text = JSON.stringify(
      {
        taskDefinition: {
          family: 'web',
          status: 'DELETE_IN_PROGRESS',
          deleteRequestedAt: '2024-02-01T00:00:00.000Z',
          containerDefinitions: [{ name: 'web', image: 'nginx', memoryReservation: 64 }],
        },
      },
      null,
      2,
    );
    const dir = specDir({ 'web.taskdef': text });
    const r = await load(dir, { clusterName: 'demo' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        line: 2,
        column: 3,
        field: 'taskDefinition',
        message: 'describe-task-definition output: ignoring read-only fields status, deleteRequestedAt',
      },
    ]);
    expect(r.state!.taskDefinitions[0].body).not.toHaveProperty('deleteRequestedAt');
  });

  it('errors inside it point at the wrapped field', async () => {
    const text = described.replace('"memoryReservation": 64', '"memoryReservation": "64"');
    const r = await load(specDir({ 'web.taskdef': text }), { clusterName: 'demo' });
    expect(positionOf(text, '"memoryReservation"')).toEqual({ line: 11, column: 9 });
    expect(r.errors).toMatchObject([
      { field: 'taskDefinition.containerDefinitions[0].memoryReservation', line: 11, column: 9 },
    ]);
  });
});

describe('the $schema line', () => {
  it('is allowed in every kind of file and never reaches AWS', async () => {
    const dir = specDir({
      'cluster.yaml': `$schema: ${path.join(CRDS_DIR, 'cluster.schema.json')}\nname: demo\n`,
      'web.taskdef':
        '{ "$schema": "../crds/taskdef.schema.json", "containerDefinitions": [{ "name": "w", "image": "x" }] }',
      'web.service.template':
        '{ "$schema": "../crds/service.schema.json", "taskDefinition": "${TASK_PREFIX}web" }',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.taskDefinitions[0].body).not.toHaveProperty('$schema');
    expect(r.state!.services[0].body).not.toHaveProperty('$schema');
  });
});
