import type { ContainerDefinition, RegisterTaskDefinitionRequest, TaskDefinition } from '@aws-sdk/client-ecs';
import {
  normalizeTaskDefinition,
  taskCpuUnits,
  taskDefinitionDiff,
  taskMemoryMiB,
  TASKDEF_NORMALIZATION_RULES,
} from '../../controller/plan/normalize-taskdef';
import { ACCOUNT, taskDefinitionArn } from './builders';
import { webAws, webSpec } from './fixtures';

/** A container as written in a spec: only what the user cares about. */
const specContainer = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: 'web',
  image: 'nginx:1.27',
  memory: 256,
  ...over,
});

/** The same container as DescribeTaskDefinition returns it (EC2, bridge, registered via the API). */
const awsContainer = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: 'web',
  image: 'nginx:1.27',
  cpu: 0,
  memory: 256,
  portMappings: [],
  essential: true,
  environment: [],
  mountPoints: [],
  volumesFrom: [],
  systemControls: [],
  ...over,
});

const spec = (over: Partial<RegisterTaskDefinitionRequest> = {}, c: Partial<ContainerDefinition> = {}) =>
  ({
    family: 'demo-web',
    containerDefinitions: [specContainer(c)],
    ...over,
  }) as RegisterTaskDefinitionRequest;

const aws = (over: Partial<TaskDefinition> = {}, c: Partial<ContainerDefinition> = {}): TaskDefinition => ({
  taskDefinitionArn: taskDefinitionArn('demo-web', 3),
  containerDefinitions: [awsContainer(c)],
  family: 'demo-web',
  revision: 3,
  volumes: [],
  status: 'ACTIVE',
  requiresAttributes: [],
  placementConstraints: [],
  compatibilities: ['EXTERNAL', 'EC2'],
  registeredAt: new Date('2025-06-01T09:59:00Z'),
  registeredBy: `arn:aws:iam::${ACCOUNT}:role/ci`,
  ...over,
});

interface RuleCase {
  /** The spec as written. */
  spec: RegisterTaskDefinitionRequest;
  /** What AWS returns for it. */
  aws: TaskDefinition;
  /** false only for the rule that says "no coercion". */
  equal?: boolean;
  /** A real change in the same area that must still be seen: a spec and the path it changes. */
  counter?: { spec: RegisterTaskDefinitionRequest; path: string };
}

const CASES: Record<string, RuleCase> = {
  'read-only-fields': {
    spec: spec(),
    aws: {
      ...aws(),
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      deregisteredAt: new Date('2025-07-01T00:00:00Z'),
      status: 'INACTIVE',
      ...({ tags: [{ key: 'team', value: 'platform' }] } as object),
    },
    counter: {
      spec: spec({ executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec` }),
      path: 'executionRoleArn',
    },
  },
  'essential-default': {
    spec: spec(),
    aws: aws(),
    counter: { spec: spec({}, { essential: false }), path: 'containerDefinitions[web].essential' },
  },
  'container-cpu-default': {
    spec: spec(),
    aws: aws({}, { cpu: 0 }),
    counter: { spec: spec({}, { cpu: 128 }), path: 'containerDefinitions[web].cpu' },
  },
  'empty-equals-absent': {
    spec: spec(
      { volumes: [], placementConstraints: [] },
      {
        environment: [],
        mountPoints: [],
        volumesFrom: [],
        dockerLabels: {},
        linuxParameters: { capabilities: {} },
        ulimits: null as unknown as undefined,
      },
    ),
    aws: aws({}, { links: [], command: [], dnsServers: [], extraHosts: [], credentialSpecs: [] }),
    counter: {
      spec: spec({}, { dockerLabels: { tier: 'front' } }),
      path: 'containerDefinitions[web].dockerLabels.tier',
    },
  },
  'port-protocol-default': {
    spec: spec({}, { portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
    aws: aws({}, { portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }] }),
    counter: {
      spec: spec({}, { portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'udp' }] }),
      path: 'containerDefinitions[web].portMappings[0].protocol',
    },
  },
  'host-port-default': {
    spec: spec({ networkMode: 'awsvpc' }, { portMappings: [{ containerPort: 8080 }] }),
    aws: aws(
      { networkMode: 'awsvpc' },
      { portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }] },
    ),
    counter: {
      spec: spec({ networkMode: 'awsvpc' }, { portMappings: [{ containerPort: 8080, hostPort: 9090 }] }),
      path: 'containerDefinitions[web].portMappings[0].hostPort',
    },
  },
  'network-mode-default': {
    spec: spec(),
    aws: aws({ networkMode: 'bridge' }),
    counter: { spec: spec({ networkMode: 'host' }), path: 'networkMode' },
  },
  'order-insensitive-lists': {
    spec: spec(
      {
        requiresCompatibilities: ['FARGATE', 'EC2'],
        volumes: [{ name: 'scratch' }, { name: 'data' }],
        placementConstraints: [
          { type: 'memberOf', expression: 'attribute:ecs.os-type == linux' },
          { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' },
        ],
      },
      {
        environment: [
          { name: 'B', value: '2' },
          { name: 'A', value: '1' },
        ],
        secrets: [
          { name: 'TOKEN', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/token' },
          { name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/db' },
        ],
        environmentFiles: [
          { type: 's3', value: 'arn:aws:s3:::cfg/web.env' },
          { type: 's3', value: 'arn:aws:s3:::cfg/common.env' },
        ],
        ulimits: [
          { name: 'nofile', softLimit: 65536, hardLimit: 65536 },
          { name: 'core', softLimit: 0, hardLimit: 0 },
        ],
        systemControls: [
          { namespace: 'net.ipv4.tcp_keepalive_time', value: '60' },
          { namespace: 'net.core.somaxconn', value: '1024' },
        ],
        extraHosts: [
          { hostname: 'db', ipAddress: '10.0.0.5' },
          { hostname: 'cache', ipAddress: '10.0.0.6' },
        ],
        dependsOn: [
          { containerName: 'migrate', condition: 'SUCCESS' },
          { containerName: 'init', condition: 'COMPLETE' },
        ],
        mountPoints: [
          { sourceVolume: 'scratch', containerPath: '/tmp/scratch' },
          { sourceVolume: 'data', containerPath: '/data' },
        ],
        volumesFrom: [{ sourceContainer: 'sidecar' }, { sourceContainer: 'init' }],
        linuxParameters: { capabilities: { add: ['SYS_PTRACE', 'NET_ADMIN'], drop: ['MKNOD', 'CHOWN'] } },
        dnsServers: ['10.0.0.2', '1.1.1.1'],
      },
    ),
    aws: aws(
      {
        requiresCompatibilities: ['EC2', 'FARGATE'],
        compatibilities: ['EC2', 'FARGATE'],
        volumes: [
          { name: 'data', host: {} },
          { name: 'scratch', host: {} },
        ],
        placementConstraints: [
          { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' },
          { type: 'memberOf', expression: 'attribute:ecs.os-type == linux' },
        ],
      },
      {
        environment: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        secrets: [
          { name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/db' },
          { name: 'TOKEN', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/token' },
        ],
        environmentFiles: [
          { value: 'arn:aws:s3:::cfg/common.env', type: 's3' },
          { value: 'arn:aws:s3:::cfg/web.env', type: 's3' },
        ],
        ulimits: [
          { name: 'core', softLimit: 0, hardLimit: 0 },
          { name: 'nofile', softLimit: 65536, hardLimit: 65536 },
        ],
        systemControls: [
          { namespace: 'net.core.somaxconn', value: '1024' },
          { namespace: 'net.ipv4.tcp_keepalive_time', value: '60' },
        ],
        extraHosts: [
          { hostname: 'cache', ipAddress: '10.0.0.6' },
          { hostname: 'db', ipAddress: '10.0.0.5' },
        ],
        dependsOn: [
          { containerName: 'init', condition: 'COMPLETE' },
          { containerName: 'migrate', condition: 'SUCCESS' },
        ],
        mountPoints: [
          { sourceVolume: 'data', containerPath: '/data', readOnly: false },
          { sourceVolume: 'scratch', containerPath: '/tmp/scratch', readOnly: false },
        ],
        volumesFrom: [
          { sourceContainer: 'init', readOnly: false },
          { sourceContainer: 'sidecar', readOnly: false },
        ],
        linuxParameters: { capabilities: { add: ['NET_ADMIN', 'SYS_PTRACE'], drop: ['CHOWN', 'MKNOD'] } },
        dnsServers: ['10.0.0.2', '1.1.1.1'],
      },
    ),
    // DNS server order is meaningful (the first is asked first): a reorder is a change.
    counter: {
      spec: spec({}, { dnsServers: ['1.1.1.1', '10.0.0.2'] }),
      path: 'containerDefinitions[web].dnsServers',
    },
  },
  'task-cpu-memory-units': {
    spec: spec({
      cpu: '0.25 vCPU',
      memory: '0.5 GB',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
    }),
    aws: aws({
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
    }),
    counter: {
      spec: spec({
        cpu: '0.5 vCPU',
        memory: '0.5 GB',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
      }),
      path: 'cpu',
    },
  },
  'read-only-default': {
    spec: spec(
      { volumes: [{ name: 'data', host: { sourcePath: '/mnt/data' } }] },
      {
        mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
        volumesFrom: [{ sourceContainer: 'init' }],
      },
    ),
    aws: aws(
      { volumes: [{ name: 'data', host: { sourcePath: '/mnt/data' } }] },
      {
        mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
        volumesFrom: [{ sourceContainer: 'init', readOnly: false }],
      },
    ),
    counter: {
      spec: spec(
        { volumes: [{ name: 'data', host: { sourcePath: '/mnt/data' } }] },
        {
          mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: true }],
          volumesFrom: [{ sourceContainer: 'init' }],
        },
      ),
      path: 'containerDefinitions[web].mountPoints[/data].readOnly',
    },
  },
  'health-check-defaults': {
    spec: spec({}, { healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } }),
    aws: aws(
      {},
      {
        healthCheck: {
          command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
          interval: 30,
          timeout: 5,
          retries: 3,
        },
      },
    ),
    // startPeriod has no default: given in the spec, absent live, is a change.
    counter: {
      spec: spec(
        {},
        { healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], startPeriod: 10 } },
      ),
      path: 'containerDefinitions[web].healthCheck.startPeriod',
    },
  },
  'volume-defaults': {
    spec: spec({
      volumes: [
        { name: 'scratch' },
        { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0' } },
        { name: 'docker', dockerVolumeConfiguration: { driver: 'local' } },
      ],
    }),
    aws: aws({
      volumes: [
        { name: 'docker', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
        {
          name: 'efs',
          efsVolumeConfiguration: {
            fileSystemId: 'fs-0123456789abcdef0',
            rootDirectory: '/',
            transitEncryption: 'DISABLED',
          },
        },
        { name: 'scratch', host: {} },
      ],
    }),
    counter: {
      spec: spec({
        volumes: [
          { name: 'scratch' },
          {
            name: 'efs',
            efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', rootDirectory: '/jenkins' },
          },
          { name: 'docker', dockerVolumeConfiguration: { driver: 'local' } },
        ],
      }),
      path: 'volumes[efs].efsVolumeConfiguration.rootDirectory',
    },
  },
  'false-booleans': {
    spec: spec(
      {},
      {
        privileged: false,
        readonlyRootFilesystem: false,
        disableNetworking: false,
        interactive: false,
        pseudoTerminal: false,
        linuxParameters: { initProcessEnabled: false },
      },
    ),
    aws: aws({ enableFaultInjection: false }),
    counter: { spec: spec({}, { privileged: true }), path: 'containerDefinitions[web].privileged' },
  },
  'no-string-number-coercion': {
    spec: spec({}, { memory: '256' as unknown as number }),
    aws: aws(),
    equal: false,
  },
};

describe('task definition normalization: one test per rule (spec as written vs what AWS returns)', () => {
  test('every rule in TASKDEF_NORMALIZATION_RULES has a case here, and every case a rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(TASKDEF_NORMALIZATION_RULES.map((r) => r.id).sort());
  });

  test.each(TASKDEF_NORMALIZATION_RULES.map((r) => [r.id, r.rule] as const))('%s: %s', (id) => {
    const c = CASES[id];
    expect(c).toBeDefined();
    if (c.equal === false) {
      expect(normalizeTaskDefinition(c.spec)).not.toEqual(normalizeTaskDefinition(c.aws));
      expect(taskDefinitionDiff(c.spec, c.aws).map((d) => d.path)).toEqual([
        'containerDefinitions[web].memory',
      ]);
      return;
    }
    expect(normalizeTaskDefinition(c.spec)).toEqual(normalizeTaskDefinition(c.aws));
    expect(taskDefinitionDiff(c.spec, c.aws)).toEqual([]);
    if (c.counter)
      expect(taskDefinitionDiff(c.counter.spec, c.aws).map((d) => d.path)).toContain(c.counter.path);
  });

  test('host-port-default under bridge: absent hostPort is 0 (dynamic), not the container port', () => {
    const s = spec({}, { portMappings: [{ containerPort: 80 }] });
    expect(
      taskDefinitionDiff(s, aws({}, { portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }] })),
    ).toEqual([]);
    expect(
      taskDefinitionDiff(
        s,
        aws({}, { portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }] }),
      ),
    ).toEqual([{ path: 'containerDefinitions[web].portMappings[0].hostPort', before: 80, after: 0 }]);
  });

  test('host-port-default under host networking: absent hostPort is the container port', () => {
    const s = spec({ networkMode: 'host' }, { portMappings: [{ containerPort: 8080 }] });
    const live = aws(
      { networkMode: 'host' },
      { portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }] },
    );
    expect(taskDefinitionDiff(s, live)).toEqual([]);
  });

  test.each([
    ['0.25 vCPU', '256'],
    ['1 vCPU', '1024'],
    ['2 vcpu', '2048'],
    ['512', '512'],
  ])('task cpu %p is stored as %p', (given, stored) => {
    expect(taskCpuUnits(given)).toBe(stored);
  });

  test.each([
    ['1 GB', '1024'],
    ['1GB', '1024'],
    ['1 gb', '1024'],
    ['0.5 GB', '512'],
    ['2048', '2048'],
  ])('task memory %p is stored as %p', (given, stored) => {
    expect(taskMemoryMiB(given)).toBe(stored);
  });

  test('spellings AWS rejects are not normalized (validation reports them)', () => {
    expect(taskMemoryMiB('1 GiB')).toBe('1 GiB');
    expect(taskCpuUnits('1024 units')).toBe('1024 units');
  });

  test('container order is kept: swapping two containers is a change', () => {
    const a = { name: 'a', image: 'a:1', memory: 64 };
    const b = { name: 'b', image: 'b:1', memory: 64 };
    const n1 = normalizeTaskDefinition({ family: 'f', containerDefinitions: [a, b] });
    const n2 = normalizeTaskDefinition({ family: 'f', containerDefinitions: [b, a] });
    expect(n1).not.toEqual(n2);
  });

  test('does not modify its argument', () => {
    const s = spec(
      {},
      {
        environment: [
          { name: 'B', value: '2' },
          { name: 'A', value: '1' },
        ],
      },
    );
    const before = JSON.stringify(s);
    normalizeTaskDefinition(s);
    expect(JSON.stringify(s)).toBe(before);
  });

  test('the ecs-efs style web spec equals what AWS returns for it', () => {
    expect(taskDefinitionDiff({ family: 'demo-web', ...webSpec() }, webAws('demo-web', 3))).toEqual([]);
  });
});

describe('taskDefinitionDiff paths', () => {
  const live = webAws('demo-web', 3);

  test('image: containerDefinitions[web].image', () => {
    expect(taskDefinitionDiff({ family: 'demo-web', ...webSpec('nginx:1.28') }, live)).toEqual([
      { path: 'containerDefinitions[web].image', before: 'nginx:1.27', after: 'nginx:1.28' },
    ]);
  });

  test('environment keyed by name; volumes keyed by name', () => {
    const s = { family: 'demo-web', ...webSpec() };
    s.containerDefinitions![0].environment![0].value = '-Xmx400m';
    s.volumes![0].host!.sourcePath = '/mnt/efs/home2';
    expect(taskDefinitionDiff(s, live)).toEqual([
      {
        path: 'containerDefinitions[web].environment[JAVA_OPTS].value',
        before: '-Xmx200m',
        after: '-Xmx400m',
      },
      { path: 'volumes[home].host.sourcePath', before: '/mnt/efs/home', after: '/mnt/efs/home2' },
    ]);
  });

  test('a new environment variable, a removed one, a new container', () => {
    const s = { family: 'demo-web', ...webSpec() };
    s.containerDefinitions![0].environment = [
      { name: 'JAVA_OPTS', value: '-Xmx200m' },
      { name: 'TZ', value: 'UTC' },
    ];
    s.containerDefinitions!.push({ name: 'sidecar', image: 'busybox', memory: 32 });
    const paths = taskDefinitionDiff(s, live);
    expect(paths).toEqual([
      { path: 'containerDefinitions[web].environment[TZ]', after: { name: 'TZ', value: 'UTC' } },
      {
        path: 'containerDefinitions[web].environment[HOME_DIR]',
        before: { name: 'HOME_DIR', value: '/home' },
      },
      {
        path: 'containerDefinitions[sidecar]',
        after: { name: 'sidecar', image: 'busybox', memory: 32, cpu: 0, essential: true },
      },
    ]);
  });

  test('mountPoints keyed by containerPath, dependsOn by containerName, portMappings by index', () => {
    const s = { family: 'demo-web', ...webSpec() };
    const c = s.containerDefinitions![0];
    c.mountPoints = [{ sourceVolume: 'home', containerPath: '/home', readOnly: true }];
    c.dependsOn = [{ containerName: 'init', condition: 'SUCCESS' }];
    c.portMappings = [{ containerPort: 8080 }];
    const l = webAws('demo-web', 3);
    l.containerDefinitions![0].dependsOn = [{ containerName: 'init', condition: 'COMPLETE' }];
    expect(taskDefinitionDiff(s, l).map((d) => d.path)).toEqual([
      'containerDefinitions[web].dependsOn[init].condition',
      'containerDefinitions[web].mountPoints[/home].readOnly',
      'containerDefinitions[web].portMappings[0].containerPort',
    ]);
  });
});
