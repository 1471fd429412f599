/**
 * The rules about each container's own settings: `memory-limit`, `log-configuration` and
 * `readonly-root-filesystem` (off by default). A missing field is reported at its container.
 */
import { positionOf } from '../helpers';
import { CLUSTER_YAML, containerAt, findingsOf, good, taskdef } from './lint-helpers';

describe('memory-limit', () => {
  test('a container with neither memory nor memoryReservation, reported at the container', async () => {
    const text = taskdef([
      good({ name: 'soft' }),
      { ...good({ name: 'hard', memory: 128 }), memoryReservation: undefined },
      { ...good({ name: 'none' }), memoryReservation: undefined },
    ]);
    const found = await findingsOf('memory-limit', { 'web.taskdef': text });
    expect(found).toEqual([
      expect.objectContaining({
        field: 'containerDefinitions[2].memoryReservation',
        // The container's own position: the object in containerDefinitions.
        ...containerAt(text, 'none'),
        message: expect.stringMatching(/container "none" sets neither memory nor memoryReservation/),
      }),
    ]);
  });

  test('task-level memory alone does not count for EC2, nor without requiresCompatibilities', async () => {
    const container = { ...good(), memoryReservation: undefined };
    for (const extra of [{ memory: '512' }, { memory: '512', requiresCompatibilities: ['EC2', 'FARGATE'] }]) {
      const found = await findingsOf('memory-limit', { 'web.taskdef': taskdef([container], extra) });
      expect(found).toHaveLength(1);
    }
  });

  test('a Fargate-only task definition with task-level memory: that is its limit, no finding', async () => {
    const fargate = {
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
    };
    const container = { ...good(), memoryReservation: undefined };
    expect(await findingsOf('memory-limit', { 'web.taskdef': taskdef([container], fargate) })).toEqual([]);
  });
});

describe('log-configuration', () => {
  test('each container without logConfiguration, in YAML too', async () => {
    const yaml = [
      'containerDefinitions:',
      '  - name: app',
      '    image: nginx:1.27',
      '    memoryReservation: 64',
      '  - name: logged',
      '    image: nginx:1.27',
      '    memoryReservation: 64',
      '    logConfiguration: { logDriver: json-file }',
      '',
    ].join('\n');
    const found = await findingsOf('log-configuration', { 'web.taskdef.yaml': yaml });
    expect(found).toEqual([
      expect.objectContaining({
        field: 'containerDefinitions[0].logConfiguration',
        line: 2,
        column: 5,
        message: expect.stringMatching(/container "app" has no logConfiguration.*awslogs/),
      }),
    ]);
  });
});

describe('readonly-root-filesystem', () => {
  const text = taskdef([
    good({ name: 'ro', readonlyRootFilesystem: true }),
    good({ name: 'rw', readonlyRootFilesystem: false }),
    good({ name: 'unset' }),
  ]);

  test('off by default', async () => {
    expect(await findingsOf('readonly-root-filesystem', { 'web.taskdef': text })).toEqual([]);
  });

  test('turned on: false is reported at the field, unset at the container', async () => {
    const found = await findingsOf('readonly-root-filesystem', {
      'cluster.yaml': `${CLUSTER_YAML}policy: { rules: { readonly-root-filesystem: warn } }\n`,
      'web.taskdef': text,
    });
    expect(found.map((f) => [f.field, f.line, f.column])).toEqual([
      [
        'containerDefinitions[1].readonlyRootFilesystem',
        ...Object.values(positionOf(text, '"readonlyRootFilesystem": false')),
      ],
      ['containerDefinitions[2].readonlyRootFilesystem', ...Object.values(containerAt(text, 'unset'))],
    ]);
  });
});
