import * as path from 'path';
import { load, specDir } from './helpers';

/** web.taskdef registered as demo-frontend through its own (unprefixed) family field. */
const FRONTEND_TASKDEF =
  '{ "family": "frontend", "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 64 }] }\n';

describe('a service names a task definition by basename, by its family field, or by the prefixed family', () => {
  it('"frontend", "demo-frontend" and "web" all resolve to the family of web.taskdef', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': FRONTEND_TASKDEF,
      'a.service.yaml': 'taskDefinition: frontend\n',
      'b.service.yaml': 'taskDefinition: demo-frontend\n',
      'c.service.yaml': 'taskDefinition: web\n',
      'web.service.yaml': 'desiredCount: 1\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.services.map((s) => [s.name, s.taskDefinition])).toEqual([
      ['a', { kind: 'family', family: 'demo-frontend' }],
      ['b', { kind: 'family', family: 'demo-frontend' }],
      ['c', { kind: 'family', family: 'demo-frontend' }],
      ['web', { kind: 'family', family: 'demo-frontend' }],
    ]);
  });

  it('the family field of describe-task-definition output is indexed too', async () => {
    const described = JSON.stringify({
      taskDefinition: { family: 'frontend', containerDefinitions: [{ name: 'w', image: 'x', memory: 64 }] },
    });
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': described,
      'a.service.yaml': 'taskDefinition: frontend\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.services[0].taskDefinition).toEqual({ kind: 'family', family: 'demo-frontend' });
  });

  it('a service naming the family field of a task definition that failed to load gets no dangling reference', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef.yaml': 'family: frontend\ncontainerDefinitions:\n  - name: web\n    image: 7\n',
      'a.service.yaml': 'taskDefinition: frontend\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef.yaml'),
        line: 4,
        column: 5,
        field: 'containerDefinitions[0].image',
        message: 'expected string, got integer 7',
      },
    ]);
  });

  it("a name that is one file's basename and another file's family field is ambiguous", async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      // api.taskdef registers demo-backend; web.taskdef registers demo-api.
      'api.taskdef':
        '{ "family": "backend", "containerDefinitions": [{ "name": "a", "image": "a", "memory": 64 }] }',
      'web.taskdef':
        '{ "family": "api", "containerDefinitions": [{ "name": "w", "image": "w", "memory": 64 }] }',
      'x.service': '{\n  "taskDefinition": "api"\n}\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'x.service'),
        line: 2,
        column: 3,
        field: 'taskDefinition',
        message:
          'ambiguous reference: "api" is both api.taskdef (family demo-backend) and the family field of ' +
          'web.taskdef (family demo-api); write the family name',
      },
    ]);
  });

  it('a misspelled family field gets a dangling reference with a suggestion from the family fields', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': FRONTEND_TASKDEF,
      'x.service': '{\n  "taskDefinition": "frontnd"\n}\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'x.service'),
        line: 2,
        column: 3,
        field: 'taskDefinition',
        message:
          `dangling reference: no .taskdef in ${dir} defines the task definition "frontnd" ` +
          '(did you mean "frontend"?); use family:revision or an ARN for one managed elsewhere',
      },
    ]);
  });
});
