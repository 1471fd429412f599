import type { SandboxEventSink } from './sandbox-eventbridge';

/**
 * The events the sandbox ECS sends to EventBridge, shaped as AWS documents them (Amazon ECS
 * developer guide: "Amazon ECS task state change events", "container instance state change
 * events", "service action events", "service deployment state change events"): source `aws.ecs`,
 * the resource's ARN in `resources`, and in `detail` the fields of the documented examples. Task and
 * container instance events carry `detail.version`, which grows with every change of that resource;
 * service action and deployment events carry none (as AWS's). Times in `detail` are ISO strings
 * with milliseconds.
 */

type Published = Parameters<SandboxEventSink['publish']>[0];

const iso = (ms: number) => new Date(ms).toISOString();

/** What a task event reports of a task (the sandbox derives service tasks from deployments). */
export interface TaskFacts {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group: string;
  /** A service's task: `ecs-svc/<digits>` of its deployment, as ECS sets it. */
  startedBy?: string;
  launchType: string;
  platformVersion?: string;
  cpu?: string;
  memory?: string;
  availabilityZone: string;
  containers: { name: string; image: string }[];
  createdAt: number;
}

export type TaskStatus = 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

export interface TaskStop {
  /** ServiceSchedulerInitiated, EssentialContainerExited, TaskFailedToStart, UserInitiated, ... */
  stopCode: string;
  stoppedReason: string;
  stoppingAt: number;
  /** Per container; absent when the container never ran (it has a `reason` instead). */
  exitCode?: number;
  containerReason?: string;
}

/** `ECS Task State Change`. `desiredStatus` is STOPPED from the moment a stop is under way. */
export function taskStateChange(
  t: TaskFacts,
  lastStatus: TaskStatus,
  version: number,
  at: number,
  stop?: TaskStop,
): Published {
  const stopping = stop !== undefined;
  const started = lastStatus === 'RUNNING' || (stopping && stop.exitCode !== undefined);
  const containerStatus = lastStatus === 'STOPPING' ? 'RUNNING' : lastStatus;
  const id = t.taskArn.slice(t.taskArn.lastIndexOf('/') + 1);
  return {
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    resources: [t.taskArn],
    time: at,
    detail: {
      attachments: [],
      availabilityZone: t.availabilityZone,
      clusterArn: t.clusterArn,
      containers: t.containers.map((c, i) => ({
        containerArn: `${t.clusterArn.replace(/:cluster\/.*$/, ':container')}/${id}-${i}`,
        lastStatus: containerStatus,
        name: c.name,
        image: c.image,
        taskArn: t.taskArn,
        networkInterfaces: [],
        cpu: '0',
        ...(lastStatus === 'STOPPED' && stop?.exitCode !== undefined ? { exitCode: stop.exitCode } : {}),
        ...(lastStatus === 'STOPPED' && stop?.containerReason !== undefined
          ? { reason: stop.containerReason }
          : {}),
      })),
      createdAt: iso(t.createdAt),
      launchType: t.launchType,
      ...(t.cpu !== undefined ? { cpu: t.cpu } : {}),
      ...(t.memory !== undefined ? { memory: t.memory } : {}),
      desiredStatus: stopping ? 'STOPPED' : 'RUNNING',
      group: t.group,
      lastStatus,
      overrides: { containerOverrides: t.containers.map((c) => ({ name: c.name })) },
      connectivity: 'CONNECTED',
      connectivityAt: iso(t.createdAt),
      ...(started
        ? { pullStartedAt: iso(t.createdAt), pullStoppedAt: iso(t.createdAt), startedAt: iso(t.createdAt) }
        : {}),
      ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
      ...(stop
        ? {
            stopCode: stop.stopCode,
            stoppedReason: stop.stoppedReason,
            stoppingAt: iso(stop.stoppingAt),
            ...(lastStatus === 'STOPPED' ? { stoppedAt: iso(at), executionStoppedAt: iso(at) } : {}),
          }
        : {}),
      updatedAt: iso(at),
      taskArn: t.taskArn,
      taskDefinitionArn: t.taskDefinitionArn,
      version,
      ...(t.platformVersion !== undefined ? { platformVersion: t.platformVersion } : {}),
    },
  };
}

/** `ECS Container Instance State Change`. */
export function containerInstanceStateChange(
  ci: {
    containerInstanceArn: string;
    ec2InstanceId: string;
    status: string;
    agentConnected: boolean;
    runningTasksCount: number;
    pendingTasksCount: number;
  },
  clusterArn: string,
  version: number,
  at: number,
): Published {
  return {
    source: 'aws.ecs',
    'detail-type': 'ECS Container Instance State Change',
    resources: [ci.containerInstanceArn],
    time: at,
    detail: {
      agentConnected: ci.agentConnected,
      attributes: [],
      clusterArn,
      containerInstanceArn: ci.containerInstanceArn,
      ec2InstanceId: ci.ec2InstanceId,
      registeredResources: [],
      remainingResources: [],
      status: ci.status,
      version,
      versionInfo: {},
      runningTasksCount: ci.runningTasksCount,
      pendingTasksCount: ci.pendingTasksCount,
      updatedAt: iso(at),
    },
  };
}

/** `ECS Service Action` (SERVICE_STEADY_STATE, ...): no `version`, as AWS's. */
export function serviceAction(
  serviceArn: string,
  clusterArn: string,
  eventName: string,
  eventType: 'INFO' | 'WARN' | 'ERROR',
  at: number,
): Published {
  return {
    source: 'aws.ecs',
    'detail-type': 'ECS Service Action',
    resources: [serviceArn],
    time: at,
    detail: { eventType, eventName, clusterArn, createdAt: iso(at) },
  };
}

/** `ECS Deployment State Change`: SERVICE_DEPLOYMENT_IN_PROGRESS, _COMPLETED or _FAILED. */
export function deploymentStateChange(
  serviceArn: string,
  deploymentId: string,
  eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED',
  reason: string,
  at: number,
): Published {
  return {
    source: 'aws.ecs',
    'detail-type': 'ECS Deployment State Change',
    resources: [serviceArn],
    time: at,
    detail: {
      eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
      eventName,
      deploymentId,
      updatedAt: iso(at),
      reason,
    },
  };
}
