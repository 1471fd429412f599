/**
 * A cluster as the old ecs-efs Makefile (aws-cli) left it: made through the ECS API directly, with
 * no ecs-gitops ownership tags anywhere. The same scenario on any EcsPort (the sandbox, or moto
 * through the SDK), for the `export` tests.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { EcsPort } from '../../controller/aws/ecs-port';
import type { SandboxElbv2 } from '../../controller/aws/sandbox/sandbox-elbv2';

export const LEGACY = 'legacy';

/** What awsvpc services and load balancers need: real ones on moto, any strings on the sandbox. */
export interface LegacyNetwork {
  subnets: string[];
  securityGroups: string[];
  targetGroupArn: string;
}

export const SANDBOX_NETWORK: LegacyNetwork = {
  subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
  securityGroups: ['sg-0123456789abcdef0'],
  targetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-api/0123456789abcdef',
};

/**
 * The sandbox's ELBv2 side of a legacy network: ECS checks a service's target group there (it
 * must exist and have a load balancer), so the fixture's target group is made with its fixed ARN
 * behind a balancer `legacy`. Call before createLegacyCluster on a sandbox account.
 */
export function seedSandboxNetwork(elbv2: SandboxElbv2, net: LegacyNetwork): void {
  const lb = elbv2.addLoadBalancer({ name: 'legacy' });
  elbv2.addTargetGroup({
    name: 'legacy-api',
    arn: net.targetGroupArn,
    port: 8080,
    forwardFrom: lb.LoadBalancerArn ?? '',
  });
}

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/db-AbCdEf';

function apiContainer(image: string): ContainerDefinition {
  return {
    name: 'api',
    image,
    memory: 256,
    memoryReservation: 128,
    // bridge: no hostPort means a dynamic one (0)
    portMappings: [{ containerPort: 8080 }],
    // Not sorted on purpose: AWS keeps the order, the export sorts.
    environment: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'DB_HOST', value: 'db.internal' },
    ],
    secrets: [{ name: 'DB_PASSWORD', valueFrom: SECRET }],
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': '/ecs/legacy/api',
        'awslogs-region': 'us-east-1',
        'awslogs-stream-prefix': 'api',
      },
    },
    healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'], interval: 15 },
    mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
    dockerLabels: { 'proxy.host': 'api.example.com', 'proxy.ports': '80:8080' },
  };
}

/**
 * - `legacy-web`: Fargate (awsvpc, "0.25 vCPU"), 2 revisions; service `web` runs the newest.
 * - `legacy-api`: bridge, with port mappings, environment, secrets, awslogs and a health check, 3
 *   revisions; service `api` runs the newest behind a load balancer, `api-canary` an older one.
 * - `legacy-worker`: AUTOCREATE.SERVICE in a label; service `worker` (0 tasks).
 */
export async function createLegacyCluster(ecs: EcsPort, net: LegacyNetwork): Promise<void> {
  await ecs.createCluster({
    clusterName: LEGACY,
    capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    tags: [{ key: 'team', value: 'platform' }],
  });
  for (const image of ['nginx:1.26', 'nginx:1.27']) {
    await ecs.registerTaskDefinition({
      family: 'legacy-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '0.25 vCPU',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::123456789012:role/legacy-exec',
      containerDefinitions: [
        {
          name: 'web',
          image,
          portMappings: [{ containerPort: 80 }],
          environment: [{ name: 'PORT', value: '80' }],
        },
      ],
      tags: [{ key: 'app', value: 'web' }],
    });
  }
  for (const image of ['acme/api:1', 'acme/api:2', 'acme/api:3']) {
    await ecs.registerTaskDefinition({
      family: 'legacy-api',
      containerDefinitions: [apiContainer(image)],
      volumes: [{ name: 'data', host: { sourcePath: '/srv/api' } }],
    });
  }
  await ecs.registerTaskDefinition({
    family: 'legacy-worker',
    containerDefinitions: [
      {
        name: 'worker',
        image: 'acme/worker:7',
        memory: 128,
        command: ['worker', '--queue', 'jobs'],
        dockerLabels: { 'AUTOCREATE.SERVICE': 'true' },
      },
    ],
  });

  await ecs.createService({
    cluster: LEGACY,
    serviceName: 'web',
    taskDefinition: 'legacy-web',
    desiredCount: 2,
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: { subnets: net.subnets, securityGroups: net.securityGroups },
    },
    tags: [{ key: 'app', value: 'web' }],
  });
  await ecs.createService({
    cluster: LEGACY,
    serviceName: 'api',
    taskDefinition: 'legacy-api:3',
    desiredCount: 3,
    launchType: 'EC2',
    loadBalancers: [{ targetGroupArn: net.targetGroupArn, containerName: 'api', containerPort: 8080 }],
    healthCheckGracePeriodSeconds: 60,
    deploymentConfiguration: {
      maximumPercent: 150,
      minimumHealthyPercent: 50,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
  });
  await ecs.createService({
    cluster: LEGACY,
    serviceName: 'api-canary',
    taskDefinition: 'legacy-api:2',
    desiredCount: 1,
    launchType: 'EC2',
  });
  await ecs.createService({
    cluster: LEGACY,
    serviceName: 'worker',
    taskDefinition: 'legacy-worker:1',
    desiredCount: 0,
    launchType: 'EC2',
  });
}
