/**
 * `export` writes specs without AWS's defaults. What it leaves out must be exactly what the planner
 * puts back: normalizing the exported form gives the live revision's normalized form (no new
 * revision), and a service spec of the exported body shows no difference from the live service.
 */
import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import {
  normalizeTaskDefinition,
  withoutTaskDefinitionDefaults,
} from '../../controller/plan/normalize-taskdef';
import { serviceDiff, withoutServiceDefaults } from '../../controller/plan/normalize-service';
import { serviceSpecBody } from '../../controller/export/export-service';
import { clusterConfig, service } from '../plan/builders';

/** A revision as DescribeTaskDefinition returns it, every default AWS fills written out. */
function described(over: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/legacy-web:4',
    family: 'legacy-web',
    revision: 4,
    status: 'ACTIVE',
    networkMode: 'bridge',
    compatibilities: ['EC2', 'EXTERNAL'],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
    registeredAt: new Date('2024-05-01T00:00:00Z'),
    registeredBy: 'arn:aws:iam::123456789012:role/ci',
    placementConstraints: [],
    volumes: [
      {
        name: 'efs',
        efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/', transitEncryption: 'DISABLED' },
      },
      { name: 'cache', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
      { name: 'tmp', host: {} },
    ],
    containerDefinitions: [
      {
        name: 'web',
        image: 'nginx:1.27',
        cpu: 0,
        essential: true,
        memory: 256,
        portMappings: [
          { containerPort: 80, hostPort: 0, protocol: 'tcp' },
          { containerPort: 443, hostPort: 8443, protocol: 'tcp' },
          { containerPort: 53, hostPort: 0, protocol: 'udp' },
        ],
        environment: [
          { name: 'B', value: '2' },
          { name: 'A', value: '1' },
        ],
        mountPoints: [{ sourceVolume: 'efs', containerPath: '/data', readOnly: false }],
        volumesFrom: [],
        healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3, startPeriod: 10 },
        privileged: false,
        systemControls: [],
      },
      {
        name: 'sidecar',
        image: 'envoy',
        cpu: 64,
        essential: false,
        memory: 64,
        readonlyRootFilesystem: true,
      },
    ],
    ...over,
  };
}

describe('withoutTaskDefinitionDefaults', () => {
  test('leaves out what AWS fills in, keeps what differs from it', () => {
    expect(withoutTaskDefinitionDefaults(described())).toEqual({
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          memory: 256,
          portMappings: [
            { containerPort: 80 },
            { containerPort: 443, hostPort: 8443 },
            { containerPort: 53, protocol: 'udp' },
          ],
          environment: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          mountPoints: [{ sourceVolume: 'efs', containerPath: '/data' }],
          healthCheck: { command: ['CMD', 'true'], startPeriod: 10 },
        },
        {
          name: 'sidecar',
          image: 'envoy',
          cpu: 64,
          essential: false,
          memory: 64,
          readonlyRootFilesystem: true,
        },
      ],
      volumes: [
        { name: 'cache', dockerVolumeConfiguration: { driver: 'local' } },
        { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1' } },
        { name: 'tmp' },
      ],
    });
  });

  test('under awsvpc, hostPort = containerPort is the default; task cpu and memory in AWS units', () => {
    const td = described({
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '0.25 vCPU',
      memory: '1 GB',
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx',
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
        },
      ],
      volumes: [],
    });
    expect(withoutTaskDefinitionDefaults(td)).toEqual({
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '1024',
      containerDefinitions: [{ name: 'web', image: 'nginx', portMappings: [{ containerPort: 80 }] }],
    });
  });

  test.each([
    ['bridge', described()],
    [
      'host',
      described({
        networkMode: 'host',
        containerDefinitions: [{ name: 'a', image: 'a', memory: 8, portMappings: [{ containerPort: 9 }] }],
      }),
    ],
    [
      'awsvpc',
      described({
        networkMode: 'awsvpc',
        containerDefinitions: [
          {
            name: 'a',
            image: 'a',
            memory: 8,
            portMappings: [{ containerPort: 9, hostPort: 9 }],
            linuxParameters: {
              initProcessEnabled: false,
              capabilities: { add: ['SYS_PTRACE', 'NET_ADMIN'] },
            },
          },
        ],
      }),
    ],
    [
      'without any default written',
      {
        family: 'x',
        containerDefinitions: [{ name: 'a', image: 'a', memory: 8, portMappings: [{ containerPort: 9 }] }],
      },
    ],
  ] satisfies [string, TaskDefinition][])(
    'normalizing the exported form gives the live normalized form back (%s)',
    (_name, td) => {
      const exported = withoutTaskDefinitionDefaults(td);
      expect(normalizeTaskDefinition(exported)).toEqual(normalizeTaskDefinition(td));
      // And it is a fixed point: exporting the export changes nothing.
      expect(withoutTaskDefinitionDefaults(exported)).toEqual(exported);
    },
  );
});

/** A service as DescribeServices returns one created with AWS's defaults. */
function liveService(over: Partial<Service> = {}): Service {
  return {
    serviceName: 'web',
    status: 'ACTIVE',
    desiredCount: 2,
    launchType: 'EC2',
    taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:3',
    loadBalancers: [],
    serviceRegistries: [],
    placementConstraints: [],
    placementStrategy: [],
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: false, rollback: false },
      alarms: { alarmNames: [], enable: false, rollback: false },
      strategy: 'ROLLING',
    },
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    enableECSManagedTags: false,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    healthCheckGracePeriodSeconds: 0,
    ...over,
  };
}

/** The exported body, as a desired service, against the live one: no difference at all. */
function roundTrips(live: Service): void {
  const body = serviceSpecBody(live);
  const cfg = clusterConfig();
  const desired = service(cfg, live.serviceName ?? 'web', { body, pinned: 'demo-web:3' });
  expect(serviceDiff(desired, 'demo-web:3', live)).toEqual({ changes: [], immutable: [] });
}

describe('serviceSpecBody / withoutServiceDefaults', () => {
  test('a service with every default: only the count and the launch type are left', () => {
    expect(serviceSpecBody(liveService())).toEqual({ desiredCount: 2, launchType: 'EC2' });
    roundTrips(liveService());
  });

  test('partial deploymentConfiguration keeps only what differs; a circuit breaker stays whole', () => {
    const live = liveService({
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 50,
        deploymentCircuitBreaker: { enable: true, rollback: false },
        alarms: { alarmNames: ['high-5xx'], enable: true, rollback: true },
      },
    });
    expect(serviceSpecBody(live).deploymentConfiguration).toEqual({
      minimumHealthyPercent: 50,
      deploymentCircuitBreaker: { enable: true, rollback: false },
      alarms: { alarmNames: ['high-5xx'], enable: true, rollback: true },
    });
    roundTrips(live);
  });

  test('DAEMON: its own deployment defaults, and no desired count', () => {
    const live = liveService({
      schedulingStrategy: 'DAEMON',
      desiredCount: 3,
      deploymentConfiguration: {
        maximumPercent: 100,
        minimumHealthyPercent: 0,
        deploymentCircuitBreaker: { enable: false, rollback: false },
      },
    });
    expect(serviceSpecBody(live)).toEqual({ launchType: 'EC2', schedulingStrategy: 'DAEMON' });
  });

  test('the service-linked role AWS fills in is left out; a role that was given is kept', () => {
    const linked = 'arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS';
    expect(serviceSpecBody(liveService({ roleArn: linked })).role).toBeUndefined();
    const own = 'arn:aws:iam::123456789012:role/ecsServiceRole';
    expect(serviceSpecBody(liveService({ roleArn: own })).role).toBe(own);
    roundTrips(liveService({ roleArn: own }));
  });

  test('deployment fields come from the PRIMARY deployment; state is never exported', () => {
    const scc = {
      enabled: true,
      namespace: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1',
    };
    const live = liveService({
      runningCount: 2,
      events: [{ id: '1', message: 'steady' }],
      createdAt: new Date(),
      deployments: [
        { status: 'PRIMARY', serviceConnectConfiguration: scc },
        { status: 'ACTIVE', serviceConnectConfiguration: { enabled: false } },
      ],
    });
    expect(serviceSpecBody(live)).toEqual({
      desiredCount: 2,
      launchType: 'EC2',
      serviceConnectConfiguration: scc,
    });
    roundTrips(live);
  });

  test('withoutServiceDefaults drops what LIVE defaults mean, and empty values', () => {
    expect(
      withoutServiceDefaults({
        healthCheckGracePeriodSeconds: 0,
        loadBalancers: [],
        networkConfiguration: {},
        propagateTags: 'SERVICE',
      }),
    ).toEqual({ propagateTags: 'SERVICE' });
  });
});
