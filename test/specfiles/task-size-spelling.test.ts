import * as path from 'path';
import { load, specDir } from './helpers';

const CONTAINERS = 'containerDefinitions: [{ name: web, image: nginx }]';

describe('task-level cpu and memory must use a spelling AWS accepts', () => {
  it('"1024 units" and "1 GiB" are errors at cpu and memory naming the accepted forms', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef.yaml': `requiresCompatibilities: [FARGATE]\ncpu: 1024 units\nmemory: 1 GiB\n${CONTAINERS}\n`,
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef.yaml'),
        line: 2,
        column: 1,
        field: 'cpu',
        message:
          'task cpu "1024 units" is not a spelling AWS accepts: write CPU units ("1024") or vCPUs ("1 vCPU")',
      },
      {
        file: path.join(dir, 'web.taskdef.yaml'),
        line: 3,
        column: 1,
        field: 'memory',
        message:
          'task memory "1 GiB" is not a spelling AWS accepts: write MiB ("2048") or GB ("2GB" or "2 GB")',
      },
    ]);
  });

  it('in describe-task-definition output the error is at the wrapped field', async () => {
    const text = [
      '{',
      '  "taskDefinition": {',
      '    "cpu": "0.3 vCPU",',
      '    "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 64 }]',
      '  }',
      '}',
      '',
    ].join('\n');
    const dir = specDir({ 'cluster.yaml': 'name: demo\n', 'web.taskdef': text });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        line: 3,
        column: 5,
        field: 'taskDefinition.cpu',
        message:
          'task cpu "0.3 vCPU" is not a spelling AWS accepts: write CPU units ("1024") or vCPUs ("1 vCPU")',
      },
    ]);
  });

  it.each([
    ['1024', '2048'],
    ['1 vCPU', '2GB'],
    ['0.25 vcpu', '2 GB'],
    ['512', '0.5 GB'],
  ])('cpu %p with memory %p loads, registered as written', async (cpu, memory) => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef.yaml': `cpu: "${cpu}"\nmemory: "${memory}"\n${CONTAINERS}\n`,
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.taskDefinitions[0].body).toMatchObject({ cpu, memory });
  });
});
