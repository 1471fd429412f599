import { CLUSTER_NAME_PATTERN, SERVICE_NAME_PATTERN } from './naming';

/*
 * The four ECS event types of the EventBridge event stream (source `aws.ecs`), parsed from unknown
 * JSON (an SQS message body) into typed values. The field names are ECS's own, from the documented
 * event examples: the `detail` of a task or container instance event resembles the Task or
 * ContainerInstance of DescribeTasks / DescribeContainerInstances, with a `version` that ECS increments
 * on every change of that resource (duplicates carry the same version). Service action and deployment
 * events have no such version.
 *
 * Anything malformed is rejected with a reason, never thrown: a queue anyone with SendMessage can write
 * to must not be able to stop the consumer. Unknown properties are ignored (ECS adds fields over time).
 * An event is only a hint: eventTarget() says what it makes dirty; nothing in it is used for a write.
 */

export const ECS_EVENT_SOURCE = 'aws.ecs';

export const TASK_STATE_CHANGE = 'ECS Task State Change';
export const CONTAINER_INSTANCE_STATE_CHANGE = 'ECS Container Instance State Change';
export const SERVICE_ACTION = 'ECS Service Action';
export const DEPLOYMENT_STATE_CHANGE = 'ECS Deployment State Change';

/** The detail-types an EventBridge rule for the controller matches. */
export const ECS_EVENT_DETAIL_TYPES = [
  TASK_STATE_CHANGE,
  CONTAINER_INSTANCE_STATE_CHANGE,
  SERVICE_ACTION,
  DEPLOYMENT_STATE_CHANGE,
] as const;

/** Short names, for metric labels and logs. */
export type EcsEventKind = 'task' | 'instance' | 'serviceAction' | 'deployment';

/** What every EventBridge event carries (the envelope). */
export interface EventEnvelope {
  /** EventBridge's event id (duplicates delivered by SQS share it). */
  id: string;
  account: string;
  region: string;
  /** ISO time the event was emitted (seconds resolution). */
  time: string;
}

export interface TaskContainerDetail {
  name: string;
  lastStatus?: string;
  exitCode?: number;
}

export interface TaskDetail {
  /** Cluster name, from clusterArn. */
  cluster: string;
  clusterArn: string;
  taskArn: string;
  version: number;
  lastStatus: string;
  desiredStatus: string;
  taskDefinitionArn?: string;
  group?: string;
  startedBy?: string;
  healthStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  /** ISO timestamp (events carry ISO strings where DescribeTasks has epoch numbers). */
  stoppedAt?: string;
  containerInstanceArn?: string;
  containers: TaskContainerDetail[];
}

export interface ContainerInstanceDetail {
  cluster: string;
  clusterArn: string;
  containerInstanceArn: string;
  version: number;
  status: string;
  agentConnected: boolean;
  ec2InstanceId?: string;
  /** remainingResources' CPU and MEMORY integer values. */
  remainingCpu?: number;
  remainingMemory?: number;
  runningTasksCount?: number;
  pendingTasksCount?: number;
}

export interface ServiceActionDetail {
  cluster: string;
  /** The service named in `resources`; absent when the action names none. */
  serviceArn?: string;
  service?: string;
  /** INFO, WARN or ERROR. */
  eventType: string;
  /** SERVICE_STEADY_STATE, SERVICE_TASK_PLACEMENT_FAILURE, ... */
  eventName: string;
  reason?: string;
}

export interface DeploymentDetail {
  cluster: string;
  serviceArn: string;
  service: string;
  eventType: string;
  /** SERVICE_DEPLOYMENT_IN_PROGRESS, SERVICE_DEPLOYMENT_COMPLETED or SERVICE_DEPLOYMENT_FAILED. */
  eventName: string;
  deploymentId: string;
  reason?: string;
}

export type EcsEvent =
  | (EventEnvelope & { kind: 'task'; task: TaskDetail })
  | (EventEnvelope & { kind: 'instance'; instance: ContainerInstanceDetail })
  | (EventEnvelope & { kind: 'serviceAction'; action: ServiceActionDetail })
  | (EventEnvelope & { kind: 'deployment'; deployment: DeploymentDetail });

export type ParsedEvent = { ok: true; event: EcsEvent } | { ok: false; reason: string };

/** Events of another account or Region are rejected when these are given. */
export interface ParseOptions {
  account?: string;
  /** The Regions whose events are expected (a queue may carry several clusters' Regions). */
  regions?: ReadonlySet<string>;
}

/** What an event makes dirty: the cluster, and the service when the event names one. */
export interface DirtyTarget {
  cluster: string;
  service?: string;
}

/** Bounds on what one event may put in memory (a forged event can be large); ECS's own values are far below. */
const MAX_STRING = 2048;
const MAX_CONTAINERS = 64;

const ARN_HEAD = String.raw`arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):`;
const CLUSTER_ARN = new RegExp(`^${ARN_HEAD}cluster/([^/]+)$`);
/** Task, container instance and service ARNs: `<type>/<cluster>/<id>` (long format) or `<type>/<id>`. */
const resourceArn = (type: string) => new RegExp(`^${ARN_HEAD}${type}/(?:([^/]+)/)?([^/]+)$`);
const TASK_ARN = resourceArn('task');
const INSTANCE_ARN = resourceArn('container-instance');
const SERVICE_ARN = resourceArn('service');
const STATUS = /^[A-Z][A-Z_]{0,63}$/;

class Malformed extends Error {}

/** An SQS message body: JSON text of one EventBridge event. */
export function parseEcsEventJson(body: string, opts: ParseOptions = {}): ParsedEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  return parseEcsEvent(value, opts);
}

/** One EventBridge event of the four ECS types; anything else is rejected with a reason. */
export function parseEcsEvent(value: unknown, opts: ParseOptions = {}): ParsedEvent {
  try {
    return { ok: true, event: parse(value, opts) };
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, reason: err.message };
    throw err;
  }
}

/**
 * The cluster (and service) an event names: a task's `group` `service:NAME`, a service or deployment
 * event's service ARN. Only ever used to schedule a re-read of that cluster or service.
 */
export function eventTarget(event: EcsEvent): DirtyTarget {
  switch (event.kind) {
    case 'task': {
      const service = serviceOfGroup(event.task.group);
      return service === undefined
        ? { cluster: event.task.cluster }
        : { cluster: event.task.cluster, service };
    }
    case 'instance':
      return { cluster: event.instance.cluster };
    case 'serviceAction':
      return event.action.service === undefined
        ? { cluster: event.action.cluster }
        : { cluster: event.action.cluster, service: event.action.service };
    case 'deployment':
      return { cluster: event.deployment.cluster, service: event.deployment.service };
  }
}

/** `service:NAME` -> NAME (the group ECS gives a service's tasks); anything else -> undefined. */
export function serviceOfGroup(group: string | undefined): string | undefined {
  if (!group?.startsWith('service:')) return undefined;
  const name = group.slice('service:'.length);
  return SERVICE_NAME_PATTERN.test(name) ? name : undefined;
}

/** Cluster name of a cluster ARN, or undefined. */
export function clusterNameOfArn(arn: string): string | undefined {
  const m = CLUSTER_ARN.exec(arn);
  return m && CLUSTER_NAME_PATTERN.test(m[3]) ? m[3] : undefined;
}

/** The last part of a task or container instance ARN (the task id), or the value itself. */
export function resourceIdOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

// ---------------------------------------------------------------- parsing

function parse(value: unknown, opts: ParseOptions): EcsEvent {
  const root = object(value, 'event');
  if (root.source !== ECS_EVENT_SOURCE) throw new Malformed(`source: not ${ECS_EVENT_SOURCE}`);
  const envelope: EventEnvelope = {
    id: string(root, 'id', 'event'),
    account: string(root, 'account', 'event'),
    region: string(root, 'region', 'event'),
    time: string(root, 'time', 'event'),
  };
  if (opts.account !== undefined && envelope.account !== opts.account)
    throw new Malformed(`account: ${clip(envelope.account)} is not this account`);
  if (opts.regions !== undefined && !opts.regions.has(envelope.region))
    throw new Malformed(`region: ${clip(envelope.region)} is not a Region watched here`);
  const detailType = root['detail-type'];
  const detail = object(root.detail, 'detail');
  const resources = optionalStrings(root, 'resources', 'event') ?? [];
  switch (detailType) {
    case TASK_STATE_CHANGE:
      return { ...envelope, kind: 'task', task: taskDetail(detail, envelope) };
    case CONTAINER_INSTANCE_STATE_CHANGE:
      return { ...envelope, kind: 'instance', instance: instanceDetail(detail, envelope) };
    case SERVICE_ACTION:
      return { ...envelope, kind: 'serviceAction', action: serviceAction(detail, resources, envelope) };
    case DEPLOYMENT_STATE_CHANGE:
      return { ...envelope, kind: 'deployment', deployment: deployment(detail, resources, envelope) };
    default:
      throw new Malformed(
        typeof detailType === 'string'
          ? `detail-type: unsupported "${clip(detailType)}"`
          : 'detail-type: missing',
      );
  }
}

function taskDetail(d: Record<string, unknown>, env: EventEnvelope): TaskDetail {
  const { cluster, clusterArn } = clusterOf(d, env);
  const taskArn = arnIn(d, 'taskArn', TASK_ARN, cluster, env);
  const containers = d.containers === undefined ? [] : array(d.containers, 'detail.containers');
  if (containers.length > MAX_CONTAINERS)
    throw new Malformed(`detail.containers: more than ${MAX_CONTAINERS}`);
  return dropUndefined({
    cluster,
    clusterArn,
    taskArn,
    version: version(d),
    lastStatus: status(d, 'lastStatus'),
    desiredStatus: status(d, 'desiredStatus'),
    taskDefinitionArn: optionalString(d, 'taskDefinitionArn'),
    group: optionalString(d, 'group'),
    startedBy: optionalString(d, 'startedBy'),
    healthStatus: optionalStatus(d, 'healthStatus'),
    stopCode: optionalString(d, 'stopCode'),
    stoppedReason: optionalString(d, 'stoppedReason'),
    stoppedAt: optionalTime(d, 'stoppedAt'),
    containerInstanceArn:
      d.containerInstanceArn === undefined
        ? undefined
        : arnIn(d, 'containerInstanceArn', INSTANCE_ARN, cluster, env),
    containers: containers.map((c, i) => container(c, `detail.containers[${i}]`)),
  });
}

function container(value: unknown, path: string): TaskContainerDetail {
  const c = object(value, path);
  const exitCode = c.exitCode;
  if (exitCode !== undefined && exitCode !== null && !Number.isSafeInteger(exitCode))
    throw new Malformed(`${path}.exitCode: not an integer`);
  return dropUndefined({
    name: string(c, 'name', path),
    lastStatus: optionalStatus(c, 'lastStatus', path),
    exitCode: typeof exitCode === 'number' ? exitCode : undefined,
  });
}

function instanceDetail(d: Record<string, unknown>, env: EventEnvelope): ContainerInstanceDetail {
  const { cluster, clusterArn } = clusterOf(d, env);
  if (typeof d.agentConnected !== 'boolean') throw new Malformed('detail.agentConnected: not a boolean');
  const remaining =
    d.remainingResources === undefined ? [] : array(d.remainingResources, 'detail.remainingResources');
  return dropUndefined({
    cluster,
    clusterArn,
    containerInstanceArn: arnIn(d, 'containerInstanceArn', INSTANCE_ARN, cluster, env),
    version: version(d),
    status: status(d, 'status'),
    agentConnected: d.agentConnected,
    ec2InstanceId: optionalString(d, 'ec2InstanceId'),
    remainingCpu: resource(remaining, 'CPU'),
    remainingMemory: resource(remaining, 'MEMORY'),
    runningTasksCount: optionalCount(d, 'runningTasksCount'),
    pendingTasksCount: optionalCount(d, 'pendingTasksCount'),
  });
}

function serviceAction(
  d: Record<string, unknown>,
  resources: string[],
  env: EventEnvelope,
): ServiceActionDetail {
  const { cluster } = clusterOf(d, env);
  const serviceArn = resources.find((r) => SERVICE_ARN.test(r));
  const service = serviceArn === undefined ? undefined : serviceOfArn(serviceArn, env, cluster);
  return dropUndefined({
    cluster,
    serviceArn,
    service: service?.service,
    eventType: status(d, 'eventType'),
    eventName: status(d, 'eventName'),
    reason: optionalString(d, 'reason'),
  });
}

/** The documented deployment event has no clusterArn: the cluster comes from the service's (long) ARN. */
function deployment(d: Record<string, unknown>, resources: string[], env: EventEnvelope): DeploymentDetail {
  const given = d.clusterArn === undefined ? undefined : clusterOf(d, env).cluster;
  const serviceArn = resources.find((r) => SERVICE_ARN.test(r));
  if (serviceArn === undefined) throw new Malformed('resources: no service ARN');
  const { cluster, service } = serviceOfArn(serviceArn, env, given);
  if (cluster === undefined)
    throw new Malformed(
      'resources: the service ARN (old format) names no cluster, and detail.clusterArn is absent',
    );
  return dropUndefined({
    cluster,
    serviceArn,
    service,
    eventType: status(d, 'eventType'),
    eventName: status(d, 'eventName'),
    deploymentId: string(d, 'deploymentId', 'detail'),
    reason: optionalString(d, 'reason'),
  });
}

// ---------------------------------------------------------------- fields

function clusterOf(d: Record<string, unknown>, env: EventEnvelope): { cluster: string; clusterArn: string } {
  const clusterArn = string(d, 'clusterArn', 'detail');
  const m = CLUSTER_ARN.exec(clusterArn);
  if (!m || !CLUSTER_NAME_PATTERN.test(m[3])) throw new Malformed('detail.clusterArn: not a cluster ARN');
  sameAccount(m, env, 'detail.clusterArn');
  return { cluster: m[3], clusterArn };
}

/** An ARN field of `type`, in the event's account and Region, and in `cluster` when it names one. */
function arnIn(
  d: Record<string, unknown>,
  key: string,
  pattern: RegExp,
  cluster: string,
  env: EventEnvelope,
): string {
  const arn = string(d, key, 'detail');
  const m = pattern.exec(arn);
  if (!m) throw new Malformed(`detail.${key}: not a ${key.replace(/Arn$/, '')} ARN`);
  sameAccount(m, env, `detail.${key}`);
  if (m[3] !== undefined && m[3] !== cluster)
    throw new Malformed(`detail.${key}: names cluster ${clip(m[3])}, not ${clip(cluster)}`);
  return arn;
}

function serviceOfArn(
  arn: string,
  env: EventEnvelope,
  cluster: string | undefined,
): { cluster?: string; service: string } {
  const m = SERVICE_ARN.exec(arn);
  if (!m) throw new Malformed('resources: not a service ARN');
  sameAccount(m, env, 'resources');
  const service = m[4];
  if (!SERVICE_NAME_PATTERN.test(service)) throw new Malformed('resources: not a service name');
  const named = m[3];
  if (named !== undefined && !CLUSTER_NAME_PATTERN.test(named))
    throw new Malformed('resources: not a cluster name');
  if (named !== undefined && cluster !== undefined && named !== cluster)
    throw new Malformed(`resources: the service is in cluster ${clip(named)}, not ${clip(cluster)}`);
  return { cluster: named ?? cluster, service };
}

function sameAccount(m: RegExpExecArray, env: EventEnvelope, path: string): void {
  if (m[1] !== env.region || m[2] !== env.account)
    throw new Malformed(`${path}: another account or Region than the event's`);
}

function version(d: Record<string, unknown>): number {
  const v = d.version;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new Malformed('detail.version: not a non-negative integer');
  return v;
}

function status(d: Record<string, unknown>, key: string, path = 'detail'): string {
  const v = string(d, key, path);
  if (!STATUS.test(v)) throw new Malformed(`${path}.${key}: not a status`);
  return v;
}

function optionalStatus(d: Record<string, unknown>, key: string, path = 'detail'): string | undefined {
  return d[key] === undefined || d[key] === null || d[key] === '' ? undefined : status(d, key, path);
}

function optionalTime(d: Record<string, unknown>, key: string): string | undefined {
  const v = optionalString(d, key);
  if (v !== undefined && Number.isNaN(Date.parse(v))) throw new Malformed(`detail.${key}: not a timestamp`);
  return v;
}

function optionalCount(d: Record<string, unknown>, key: string): number | undefined {
  const v = d[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new Malformed(`detail.${key}: not a count`);
  return v;
}

/** The integerValue of the named entry of remainingResources (CPU units, MiB of memory). */
function resource(list: unknown[], name: string): number | undefined {
  for (const [i, r] of list.entries()) {
    const o = object(r, `detail.remainingResources[${i}]`);
    if (o.name !== name) continue;
    const v = o.integerValue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
      throw new Malformed(`detail.remainingResources[${i}].integerValue: not an integer`);
    return v;
  }
  return undefined;
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Malformed(`${path}: not an object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new Malformed(`${path}: not an array`);
  return value;
}

function string(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (v === undefined || v === null) throw new Malformed(`${path}.${key}: missing`);
  if (typeof v !== 'string' || v.length === 0) throw new Malformed(`${path}.${key}: not a non-empty string`);
  if (v.length > MAX_STRING) throw new Malformed(`${path}.${key}: longer than ${MAX_STRING} characters`);
  return v;
}

/** Absent, null and "" are all no value (an empty optional field is not a reason to drop an event). */
function optionalString(o: Record<string, unknown>, key: string, path = 'detail'): string | undefined {
  return o[key] === undefined || o[key] === null || o[key] === '' ? undefined : string(o, key, path);
}

function optionalStrings(o: Record<string, unknown>, key: string, path: string): string[] | undefined {
  if (o[key] === undefined) return undefined;
  const list = array(o[key], `${path}.${key}`);
  if (list.length > MAX_CONTAINERS) throw new Malformed(`${path}.${key}: more than ${MAX_CONTAINERS}`);
  return list.map((v, i) => {
    if (typeof v !== 'string' || v.length > MAX_STRING)
      throw new Malformed(`${path}.${key}[${i}]: not a string`);
    return v;
  });
}

/** A rejected value in a reason stays short (it came from anyone who can write to the queue). */
function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}...` : s;
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
