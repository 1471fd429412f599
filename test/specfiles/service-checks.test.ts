import * as path from 'path';
import { load, specDir } from './helpers';

const WEB_TASKDEF =
  '{ "containerDefinitions": [{ "name": "web", "image": "nginx", "memoryReservation": 64 }] }\n';

describe('schedulingStrategy DAEMON', () => {
  it('with a desiredCount in the service file is an error at desiredCount', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': WEB_TASKDEF,
      'web.service': '{\n  "schedulingStrategy": "DAEMON",\n  "desiredCount": 1\n}\n',
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    // AWS: "The daemon scheduling strategy does not support a desired count for services".
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.service'),
        line: 3,
        column: 3,
        field: 'desiredCount',
        message:
          'desiredCount is not allowed with schedulingStrategy DAEMON (one task runs on each container instance); remove it',
      },
    ]);
  });

  it('without a desiredCount loads, and REPLICA with one loads', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': WEB_TASKDEF,
      'web.service.yaml': 'schedulingStrategy: DAEMON\n',
      'api.service.yaml': 'taskDefinition: web\nschedulingStrategy: REPLICA\ndesiredCount: 3\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.services.map((s) => [s.name, s.body])).toEqual([
      ['api', { schedulingStrategy: 'REPLICA', desiredCount: 3 }],
      ['web', { schedulingStrategy: 'DAEMON' }],
    ]);
  });
});

describe('a pinned task definition ARN', () => {
  it('without a revision is an error at taskDefinition (it would never match the live ARN)', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'legacy.service.yaml':
        '# managed elsewhere\ntaskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/legacy\n',
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'legacy.service.yaml'),
        line: 2,
        column: 1,
        field: 'taskDefinition',
        message:
          'the task definition ARN has no revision: end it with ":<revision>" (task-definition/legacy:3); ' +
          'without one it never matches the live ARN and every apply would update the service',
      },
    ]);
  });

  it('that is not a task definition ARN at all is an error at taskDefinition', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'legacy.service':
        '{\n  "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:service/demo/legacy"\n}\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'legacy.service'),
        line: 2,
        column: 3,
        field: 'taskDefinition',
        message:
          '"arn:aws:ecs:eu-west-1:123456789012:service/demo/legacy" is not a task definition ARN ' +
          '(arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)',
      },
    ]);
  });

  it('with a revision (also in another partition, or from a template) is pinned as written', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\nregion: cn-north-1\n',
      'a.service.yaml': 'taskDefinition: arn:aws:ecs:eu-west-1:123456789012:task-definition/legacy:7\n',
      'b.service.yaml': 'taskDefinition: arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/x_y-z:12\n',
      'c.service.template': '{ "taskDefinition": "arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/c:1" }',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.services.map((s) => s.taskDefinition)).toEqual([
      { kind: 'pinned', value: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/legacy:7' },
      { kind: 'pinned', value: 'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/x_y-z:12' },
      { kind: 'pinned', value: 'arn:aws:ecs:cn-north-1:000000000000:task-definition/c:1' },
    ]);
  });
});
