import type { ContainerInstance, Task } from './aws-types';
import {
  type ContainerInstanceDetail,
  type TaskDetail,
  clusterNameOfArn,
  resourceIdOfArn,
  serviceOfGroup,
} from './ecs-events';

/*
 * The entries of the local view of tasks and container instances, in the JSON shape the /v1 API
 * serves (a stable, documented shape: every field is always present, `null` when ECS gave no value).
 * They are built from events (ecs-events.ts) or from DescribeTasks / DescribeContainerInstances (the
 * full resync), so that both sources produce equal entries for equal ECS state.
 */

export interface TaskContainerItem {
  name: string;
  exitCode: number | null;
  lastStatus: string | null;
}

export interface TaskItem {
  /** Cluster name. */
  cluster: string;
  taskArn: string;
  /** The last part of the task ARN. */
  id: string;
  lastStatus: string;
  desiredStatus: string;
  taskDefinitionArn: string | null;
  startedBy: string | null;
  group: string | null;
  /** NAME of a `service:NAME` group. */
  service: string | null;
  healthStatus: string | null;
  stopCode: string | null;
  stoppedReason: string | null;
  /** ISO time ECS stopped the task. */
  stoppedAt: string | null;
  /** null on Fargate. */
  containerInstanceArn: string | null;
  /** Sorted by name. */
  containers: TaskContainerItem[];
  /** ECS's version of the task (detail.version of its events, `version` of DescribeTasks). */
  version: number;
  /** ISO time this view recorded this version. */
  updatedAt: string;
}

export interface InstanceItem {
  cluster: string;
  containerInstanceArn: string;
  ec2InstanceId: string | null;
  status: string;
  agentConnected: boolean;
  /** CPU units not reserved by tasks. */
  remainingCpu: number | null;
  /** MiB not reserved by tasks. */
  remainingMemory: number | null;
  runningTasksCount: number | null;
  pendingTasksCount: number | null;
  version: number;
  updatedAt: string;
}

/** An entry before the view stamps it. */
export type TaskState = Omit<TaskItem, 'updatedAt'>;
export type InstanceState = Omit<InstanceItem, 'updatedAt'>;

export function taskStateFromEvent(d: TaskDetail): TaskState {
  return {
    cluster: d.cluster,
    taskArn: d.taskArn,
    id: resourceIdOfArn(d.taskArn),
    lastStatus: d.lastStatus,
    desiredStatus: d.desiredStatus,
    taskDefinitionArn: d.taskDefinitionArn ?? null,
    startedBy: d.startedBy ?? null,
    group: d.group ?? null,
    service: serviceOfGroup(d.group) ?? null,
    healthStatus: d.healthStatus ?? null,
    stopCode: d.stopCode ?? null,
    stoppedReason: d.stoppedReason ?? null,
    stoppedAt: d.stoppedAt === undefined ? null : new Date(d.stoppedAt).toISOString(),
    containerInstanceArn: d.containerInstanceArn ?? null,
    containers: sortContainers(
      d.containers.map((c) => ({
        name: c.name,
        exitCode: c.exitCode ?? null,
        lastStatus: c.lastStatus ?? null,
      })),
    ),
    version: d.version,
  };
}

export function instanceStateFromEvent(d: ContainerInstanceDetail): InstanceState {
  return {
    cluster: d.cluster,
    containerInstanceArn: d.containerInstanceArn,
    ec2InstanceId: d.ec2InstanceId ?? null,
    status: d.status,
    agentConnected: d.agentConnected,
    remainingCpu: d.remainingCpu ?? null,
    remainingMemory: d.remainingMemory ?? null,
    runningTasksCount: d.runningTasksCount ?? null,
    pendingTasksCount: d.pendingTasksCount ?? null,
    version: d.version,
  };
}

/**
 * A task from DescribeTasks of `cluster`; undefined without the fields every task has. An empty
 * string is no value, as in events.
 */
export function taskStateFromApi(cluster: string, t: Task): TaskState | undefined {
  if (!t.taskArn || !t.lastStatus || !t.desiredStatus) return undefined;
  return {
    cluster: (t.clusterArn && clusterNameOfArn(t.clusterArn)) || cluster,
    taskArn: t.taskArn,
    id: resourceIdOfArn(t.taskArn),
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    taskDefinitionArn: t.taskDefinitionArn || null,
    startedBy: t.startedBy || null,
    group: t.group || null,
    service: serviceOfGroup(t.group) ?? null,
    healthStatus: t.healthStatus || null,
    stopCode: t.stopCode || null,
    stoppedReason: t.stoppedReason || null,
    stoppedAt: t.stoppedAt ? new Date(t.stoppedAt).toISOString() : null,
    containerInstanceArn: t.containerInstanceArn || null,
    containers: sortContainers(
      (t.containers ?? [])
        .filter((c) => c.name)
        .map((c) => ({ name: c.name ?? '', exitCode: c.exitCode ?? null, lastStatus: c.lastStatus ?? null })),
    ),
    // DescribeTasks always returns the version; 0 ranks any event above an entry without one.
    version: t.version ?? 0,
  };
}

/** A container instance from DescribeContainerInstances of `cluster`. */
export function instanceStateFromApi(cluster: string, c: ContainerInstance): InstanceState | undefined {
  if (!c.containerInstanceArn || !c.status) return undefined;
  const remaining = (name: string) =>
    c.remainingResources?.find((r) => r.name === name)?.integerValue ?? null;
  return {
    cluster,
    containerInstanceArn: c.containerInstanceArn,
    ec2InstanceId: c.ec2InstanceId || null,
    status: c.status,
    agentConnected: c.agentConnected ?? false,
    remainingCpu: remaining('CPU'),
    remainingMemory: remaining('MEMORY'),
    runningTasksCount: c.runningTasksCount ?? null,
    pendingTasksCount: c.pendingTasksCount ?? null,
    version: c.version ?? 0,
  };
}

function sortContainers(list: TaskContainerItem[]): TaskContainerItem[] {
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
