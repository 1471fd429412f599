import type { InstanceItem, TaskItem } from '../model/view-items';
import { shortCommit, type ClusterStatus, type ObjectStatus, type StatusDocument } from '../telemetry/status';

/*
 * What `status --watch` prints off a terminal: one line per change, for CI logs and scripts:
 *   2026-12-05T12:40:01Z demo task 7d2e41c0 web RUNNING -> STOPPED (exit 137, EssentialContainerExited)
 *   2026-12-05T12:40:03Z demo service web Reconciling (rollout in-progress) -> Ready
 * An entry seen for the first time prints its state; later, only what changed (status, desired
 * status, health; an instance's status and agent); a version bump that changes none of those
 * prints nothing.
 */

export interface ChangeLine {
  cluster: string;
  /** `task 7d2e41c0 web`, `instance i-0abc`, `service web`, `cluster`. */
  subject: string;
  change: string;
}

export function renderLine(at: number, line: ChangeLine): string {
  return `${isoSeconds(at)} ${line.cluster} ${line.subject} ${line.change}`;
}

export function isoSeconds(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------- tasks

const STOPPED = 'STOPPED';

/** The task id's first 8 characters (ECS task ids are 32 hex digits), like a short commit. */
export function shortTaskId(t: TaskItem): string {
  return t.id.slice(0, 8);
}

/** The service, else the group or who started it: what the task is for. */
export function taskOwner(t: TaskItem): string {
  return t.service ?? t.group ?? t.startedBy ?? '-';
}

export function taskSubject(t: TaskItem): string {
  return `task ${shortTaskId(t)} ${taskOwner(t)}`;
}

/** The line for a task's new version; undefined when nothing worth a line changed. */
export function taskChange(prev: TaskItem | undefined, next: TaskItem): ChangeLine | undefined {
  const change = prev === undefined ? taskState(next) : taskDiff(prev, next);
  return change ? { cluster: next.cluster, subject: taskSubject(next), change } : undefined;
}

export function taskGone(prev: TaskItem): ChangeLine {
  return { cluster: prev.cluster, subject: taskSubject(prev), change: `gone (was ${prev.lastStatus})` };
}

function taskState(t: TaskItem): string {
  const parts = [t.lastStatus + stopDetail(t)];
  if (t.healthStatus && t.healthStatus !== 'UNKNOWN') parts.push(t.healthStatus);
  if (t.desiredStatus === STOPPED && t.lastStatus !== STOPPED) parts.push('desired STOPPED');
  return parts.join(', ');
}

function taskDiff(prev: TaskItem, next: TaskItem): string {
  const parts: string[] = [];
  if (prev.lastStatus !== next.lastStatus)
    parts.push(`${prev.lastStatus} -> ${next.lastStatus}${stopDetail(next)}`);
  // Exit codes that came with a later event of the stopped task.
  else if (stopDetail(prev) !== stopDetail(next)) parts.push(next.lastStatus + stopDetail(next));
  // A stopped task's desired status is STOPPED: saying so again is noise.
  if (prev.desiredStatus !== next.desiredStatus && next.lastStatus !== STOPPED)
    parts.push(`desired ${prev.desiredStatus} -> ${next.desiredStatus}`);
  if (prev.healthStatus !== next.healthStatus)
    parts.push(`health ${prev.healthStatus ?? 'none'} -> ${next.healthStatus ?? 'none'}`);
  return parts.join(', ');
}

/** ` (exit 137, EssentialContainerExited)` for a stopped task; '' otherwise or without detail. */
function stopDetail(t: TaskItem): string {
  if (t.lastStatus !== STOPPED) return '';
  const exited = t.containers.filter((c) => c.exitCode !== null);
  // The container that failed says why the task stopped; with several, name it.
  const c = exited.find((x) => x.exitCode !== 0) ?? exited[0];
  const parts: string[] = [];
  if (c) parts.push(t.containers.length > 1 ? `${c.name} exit ${c.exitCode}` : `exit ${c.exitCode}`);
  const why = t.stopCode ?? t.stoppedReason;
  if (why) parts.push(oneLine(why));
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

// ---------------------------------------------------------------- container instances

export function instanceSubject(i: InstanceItem): string {
  const arn = i.containerInstanceArn;
  return `instance ${i.ec2InstanceId ?? arn.slice(arn.lastIndexOf('/') + 1).slice(0, 8)}`;
}

export function instanceChange(prev: InstanceItem | undefined, next: InstanceItem): ChangeLine | undefined {
  let change: string;
  if (prev === undefined) change = next.status + (next.agentConnected ? '' : ', agent disconnected');
  else {
    const parts: string[] = [];
    if (prev.status !== next.status) parts.push(`${prev.status} -> ${next.status}`);
    if (prev.agentConnected !== next.agentConnected)
      parts.push(next.agentConnected ? 'agent connected' : 'agent disconnected');
    change = parts.join(', ');
  }
  return change ? { cluster: next.cluster, subject: instanceSubject(next), change } : undefined;
}

export function instanceGone(prev: InstanceItem): ChangeLine {
  return { cluster: prev.cluster, subject: instanceSubject(prev), change: `gone (was ${prev.status})` };
}

// ---------------------------------------------------------------- clusters and services (/status)

/**
 * The changes between two /status documents: each cluster's state and applied commit, and each
 * service's state and rollout. Other objects (task definitions, DNS records) are left to `status`.
 */
export function statusChanges(
  prev: StatusDocument | undefined,
  next: StatusDocument,
  cluster?: string,
): ChangeLine[] {
  const pick = (doc: StatusDocument | undefined) =>
    new Map(
      (doc?.clusters ?? []).filter((c) => !cluster || c.cluster === cluster).map((c) => [c.cluster, c]),
    );
  const before = pick(prev);
  const after = pick(next);
  const out: ChangeLine[] = [];
  for (const [name, c] of after) {
    const was = before.get(name);
    const change = clusterDiff(was, c);
    if (change) out.push({ cluster: name, subject: 'cluster', change });
    const oldServices = services(was);
    for (const [id, o] of services(c)) {
      const d = serviceDiff(oldServices.get(id), o);
      if (d) out.push({ cluster: name, subject: `service ${id}`, change: d });
    }
    for (const id of oldServices.keys())
      if (!services(c).has(id)) out.push({ cluster: name, subject: `service ${id}`, change: 'gone' });
  }
  for (const name of before.keys())
    if (!after.has(name)) out.push({ cluster: name, subject: 'cluster', change: 'gone' });
  return out;
}

/** The cluster's services by name (`service/web` -> `web`). */
export function services(c: ClusterStatus | undefined): Map<string, ObjectStatus> {
  const out = new Map<string, ObjectStatus>();
  for (const o of c?.objects ?? []) if (o.resource === 'service') out.set(o.id.replace(/^service\//, ''), o);
  return out;
}

function clusterDiff(prev: ClusterStatus | undefined, next: ClusterStatus): string {
  const commit = next.lastAppliedCommit ? `commit ${shortCommit(next.lastAppliedCommit)}` : '';
  const reason = next.state !== 'Ready' && next.reason ? `: ${oneLine(next.reason)}` : '';
  if (!prev) return [next.state, commit].filter(Boolean).join(', ') + reason;
  const parts: string[] = [];
  const reasonChanged = next.state !== 'Ready' && prev.reason !== next.reason;
  if (prev.state !== next.state) parts.push(`${prev.state} -> ${next.state}`);
  else if (reasonChanged) parts.push(next.state);
  if (prev.lastAppliedCommit !== next.lastAppliedCommit && commit) parts.push(commit);
  return parts.length > 0
    ? parts.join(', ') + (prev.state !== next.state || reasonChanged ? reason : '')
    : '';
}

function serviceDiff(prev: ObjectStatus | undefined, next: ObjectStatus): string {
  const reason = next.state !== 'Ready' && next.reason ? `: ${oneLine(next.reason)}` : '';
  if (!prev) return serviceState(next) + reason;
  if (serviceState(prev) !== serviceState(next))
    return `${serviceState(prev)} -> ${serviceState(next)}${reason}`;
  return reason && prev.reason !== next.reason ? serviceState(next) + reason : '';
}

export function serviceState(o: ObjectStatus): string {
  return o.rollout ? `${o.state} (rollout ${o.rollout})` : o.state;
}

export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, '; ');
}
