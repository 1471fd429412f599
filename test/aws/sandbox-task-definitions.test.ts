import { ClientException, InvalidParameterException } from '@aws-sdk/client-ecs';
import { ec2TaskDef, expectAwsError, fargateTaskDef, newSandbox } from '../helpers/sandbox';

// moto stores "0.25 vCPU" / "1 GB" as given and fills neither portMappings.protocol, hostPort under
// awsvpc, healthCheck defaults nor registeredAt; AWS does. Those defaults are tested here, on the sandbox.

describe('sandbox RegisterTaskDefinition fills what AWS fills', () => {
  test('revision, ARN, status, container and task defaults', async () => {
    const { sb, clock } = newSandbox();
    const out = await sb.registerTaskDefinition({
      family: 'demo-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '0.25 vCPU',
      memory: '1 GB',
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          portMappings: [{ containerPort: 8080 }],
          healthCheck: { command: ['CMD-SHELL', 'true'] },
        },
      ],
    });
    const td = out.taskDefinition!;
    expect(td.taskDefinitionArn).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:1');
    expect(td.revision).toBe(1);
    expect(td.status).toBe('ACTIVE');
    expect(td.cpu).toBe('256');
    expect(td.memory).toBe('1024');
    expect(td.volumes).toEqual([]);
    expect(td.placementConstraints).toEqual([]);
    expect(td.compatibilities).toEqual(expect.arrayContaining(['EC2', 'FARGATE']));
    expect(td.requiresAttributes).toEqual(expect.arrayContaining([{ name: 'ecs.capability.task-eni' }]));
    expect(td.registeredAt).toEqual(new Date(clock.now()));
    const c = td.containerDefinitions![0];
    expect(c.essential).toBe(true);
    expect(c.cpu).toBe(0);
    expect(c.environment).toEqual([]);
    expect(c.mountPoints).toEqual([]);
    expect(c.volumesFrom).toEqual([]);
    expect(c.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
    expect(c.healthCheck).toEqual({ command: ['CMD-SHELL', 'true'], interval: 30, timeout: 5, retries: 3 });
  });

  test('describe returns the same filled definition, tags only with include TAGS', async () => {
    const { sb } = newSandbox();
    const reg = await sb.registerTaskDefinition({
      ...ec2TaskDef('demo-api'),
      tags: [{ key: 'team', value: 'a' }],
    });
    const plain = await sb.describeTaskDefinition({ taskDefinition: 'demo-api' });
    expect(plain.taskDefinition).toEqual(reg.taskDefinition);
    expect(plain.tags).toBeUndefined();
    const tagged = await sb.describeTaskDefinition({ taskDefinition: 'demo-api', include: ['TAGS'] });
    expect(tagged.tags).toEqual([{ key: 'team', value: 'a' }]);
    expect(tagged.taskDefinition?.containerDefinitions?.[0].portMappings).toEqual([
      { containerPort: 80, protocol: 'tcp' },
    ]);
  });

  test('revisions increase per family and continue after deregistration', async () => {
    const { sb } = newSandbox();
    const r1 = await sb.registerTaskDefinition(ec2TaskDef('a'));
    const r2 = await sb.registerTaskDefinition(ec2TaskDef('a', 'nginx:2'));
    const other = await sb.registerTaskDefinition(ec2TaskDef('b'));
    expect([
      r1.taskDefinition?.revision,
      r2.taskDefinition?.revision,
      other.taskDefinition?.revision,
    ]).toEqual([1, 2, 1]);
    await sb.deregisterTaskDefinition({ taskDefinition: 'a:2' });
    const r3 = await sb.registerTaskDefinition(ec2TaskDef('a', 'nginx:3'));
    expect(r3.taskDefinition?.revision).toBe(3);
  });

  test('describe by family gives the newest ACTIVE revision; family:rev and ARN give that one', async () => {
    const { sb } = newSandbox();
    await sb.registerTaskDefinition(ec2TaskDef('a', 'img:1'));
    const r2 = await sb.registerTaskDefinition(ec2TaskDef('a', 'img:2'));
    await sb.registerTaskDefinition(ec2TaskDef('a', 'img:3'));
    await sb.deregisterTaskDefinition({ taskDefinition: 'a:3' });
    expect((await sb.describeTaskDefinition({ taskDefinition: 'a' })).taskDefinition?.revision).toBe(2);
    expect(
      (await sb.describeTaskDefinition({ taskDefinition: 'a:1' })).taskDefinition?.containerDefinitions?.[0]
        .image,
    ).toBe('img:1');
    const byArn = await sb.describeTaskDefinition({ taskDefinition: r2.taskDefinition!.taskDefinitionArn! });
    expect(byArn.taskDefinition?.revision).toBe(2);
    const inactive = await sb.describeTaskDefinition({ taskDefinition: 'a:3' });
    expect(inactive.taskDefinition?.status).toBe('INACTIVE');
  });

  test('unknown family, revision or foreign ARN: ClientException "Unable to describe task definition."', async () => {
    const { sb } = newSandbox();
    await sb.registerTaskDefinition(ec2TaskDef('a'));
    for (const ref of ['nope', 'a:9', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/a:1']) {
      await expectAwsError(
        sb.describeTaskDefinition({ taskDefinition: ref }),
        'ClientException',
        'Unable to describe task definition.',
      );
    }
  });
});

describe('sandbox RegisterTaskDefinition rejects what AWS rejects', () => {
  const cases: [
    string,
    Parameters<ReturnType<typeof newSandbox>['sb']['registerTaskDefinition']>[0],
    string | RegExp,
  ][] = [
    ['bad family', { ...ec2TaskDef('a'), family: 'bad family!' }, /Family/],
    ['no containers', { family: 'a', containerDefinitions: [] }, 'Container list cannot be empty.'],
    [
      '11 containers',
      {
        family: 'a',
        containerDefinitions: Array.from({ length: 11 }, (_, i) => ({
          name: `c${i}`,
          image: 'x',
          memory: 64,
        })),
      },
      /at most 10/,
    ],
    [
      'container without name',
      { family: 'a', containerDefinitions: [{ image: 'x', memory: 64 }] },
      'Container.name should not be null or empty.',
    ],
    [
      'bad container name',
      { family: 'a', containerDefinitions: [{ name: 'a b', image: 'x', memory: 64 }] },
      /Invalid container name/,
    ],
    [
      'duplicate container name',
      {
        family: 'a',
        containerDefinitions: [
          { name: 'web', image: 'x', memory: 64 },
          { name: 'web', image: 'y', memory: 64 },
        ],
      },
      /Duplicate container name/,
    ],
    [
      'no image',
      { family: 'a', containerDefinitions: [{ name: 'web', memory: 64 }] },
      'Container.image should not be null or empty.',
    ],
    [
      'no memory anywhere',
      { family: 'a', containerDefinitions: [{ name: 'web', image: 'x' }] },
      "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.",
    ],
    [
      'memoryReservation above memory',
      {
        family: 'a',
        containerDefinitions: [{ name: 'web', image: 'x', memory: 128, memoryReservation: 256 }],
      },
      /memoryReservation/,
    ],
    [
      'FARGATE with bridge',
      { ...fargateTaskDef('a'), networkMode: 'bridge' },
      /Fargate only supports network mode/,
    ],
    [
      'FARGATE with impossible size',
      { ...fargateTaskDef('a'), cpu: '256', memory: '4096' },
      'No Fargate configuration exists for given values.',
    ],
    [
      'FARGATE without task cpu',
      { ...fargateTaskDef('a'), cpu: undefined },
      /'cpu' be defined at the task level/,
    ],
    [
      'awsvpc hostPort differs',
      {
        ...fargateTaskDef('a'),
        containerDefinitions: [
          { name: 'web', image: 'x', portMappings: [{ containerPort: 80, hostPort: 8080 }] },
        ],
      },
      /host ports and container ports in port mappings must match/,
    ],
    [
      'undeclared volume',
      {
        family: 'a',
        containerDefinitions: [
          {
            name: 'web',
            image: 'x',
            memory: 64,
            mountPoints: [{ sourceVolume: 'data', containerPath: '/d' }],
          },
        ],
      },
      /sourceVolume 'data'/,
    ],
    [
      'links under awsvpc',
      {
        ...fargateTaskDef('a'),
        containerDefinitions: [
          { name: 'web', image: 'x', links: ['db'] },
          { name: 'db', image: 'y' },
        ],
      },
      'Links are not supported when networkMode=awsvpc.',
    ],
    [
      'no essential container',
      { family: 'a', containerDefinitions: [{ name: 'web', image: 'x', memory: 64, essential: false }] },
      /essential/,
    ],
  ];

  test.each(cases)('%s -> ClientException', async (_label, input, message) => {
    const { sb } = newSandbox();
    await expectAwsError(sb.registerTaskDefinition(input), 'ClientException', message);
    await expect(sb.registerTaskDefinition(input)).rejects.toBeInstanceOf(ClientException);
    // Nothing was registered.
    await expectAwsError(sb.describeTaskDefinition({ taskDefinition: 'a' }), 'ClientException');
  });

  test('a mounted volume that is declared is fine', async () => {
    const { sb } = newSandbox();
    const out = await sb.registerTaskDefinition({
      family: 'a',
      volumes: [{ name: 'data' }],
      containerDefinitions: [
        { name: 'web', image: 'x', memory: 64, mountPoints: [{ sourceVolume: 'data', containerPath: '/d' }] },
      ],
    });
    expect(out.taskDefinition?.volumes).toEqual([{ name: 'data' }]);
  });

  test('tags: at most 50, no aws: prefix (InvalidParameterException)', async () => {
    const { sb } = newSandbox();
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expect(sb.registerTaskDefinition({ ...ec2TaskDef('a'), tags })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expectAwsError(
      sb.registerTaskDefinition({ ...ec2TaskDef('a'), tags: [{ key: 'aws:x', value: 'v' }] }),
      'InvalidParameterException',
    );
    const ok = await sb.registerTaskDefinition({ ...ec2TaskDef('a'), tags: tags.slice(0, 50) });
    expect(ok.tags).toHaveLength(50);
  });
});
