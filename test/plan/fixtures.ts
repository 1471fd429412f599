/**
 * A spec as people write it, and what AWS returns for it (DescribeTaskDefinition output written by
 * hand from real responses: defaults filled in, empty lists, read-only fields).
 */
import type { RegisterTaskDefinitionRequest, TaskDefinition } from '@aws-sdk/client-ecs';
import { ACCOUNT, taskDefinitionArn } from './builders';

/** `web.taskdef` of the demo cluster, in the ecs-efs style: bridge networking, an EFS-backed host volume. */
export function webSpec(image = 'nginx:1.27'): Omit<RegisterTaskDefinitionRequest, 'family'> {
  return {
    containerDefinitions: [
      {
        name: 'web',
        image,
        memory: 256,
        portMappings: [{ containerPort: 80 }],
        environment: [
          { name: 'JAVA_OPTS', value: '-Xmx200m' },
          { name: 'HOME_DIR', value: '/home' },
        ],
        mountPoints: [{ sourceVolume: 'home', containerPath: '/home' }],
        dockerLabels: { 'proxy.host': 'web.example.com', AUTOCREATE: 'AUTOCREATE.SERVICE' },
      },
    ],
    volumes: [{ name: 'home', host: { sourcePath: '/mnt/efs/home' } }],
  };
}

/** DescribeTaskDefinition for `webSpec()` registered as `<family>:<revision>`. */
export function webAws(family: string, revision: number, image = 'nginx:1.27'): TaskDefinition {
  return {
    taskDefinitionArn: taskDefinitionArn(family, revision),
    containerDefinitions: [
      {
        name: 'web',
        image,
        cpu: 0,
        memory: 256,
        links: [],
        portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
        essential: true,
        entryPoint: [],
        command: [],
        environment: [
          { name: 'HOME_DIR', value: '/home' },
          { name: 'JAVA_OPTS', value: '-Xmx200m' },
        ],
        environmentFiles: [],
        mountPoints: [{ sourceVolume: 'home', containerPath: '/home', readOnly: false }],
        volumesFrom: [],
        secrets: [],
        dnsServers: [],
        dnsSearchDomains: [],
        extraHosts: [],
        dockerSecurityOptions: [],
        dockerLabels: { AUTOCREATE: 'AUTOCREATE.SERVICE', 'proxy.host': 'web.example.com' },
        ulimits: [],
        systemControls: [],
        credentialSpecs: [],
      },
    ],
    family,
    revision,
    volumes: [{ name: 'home', host: { sourcePath: '/mnt/efs/home' } }],
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
    placementConstraints: [],
    compatibilities: ['EXTERNAL', 'EC2'],
    registeredAt: new Date('2025-06-01T09:59:00Z'),
    registeredBy: `arn:aws:iam::${ACCOUNT}:role/ci`,
  };
}
