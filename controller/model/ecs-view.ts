import type { ContainerInstanceDetail, TaskDetail } from './ecs-events';
import {
  type InstanceItem,
  type InstanceState,
  type TaskItem,
  type TaskState,
  instanceStateFromEvent,
  taskStateFromEvent,
} from './view-items';

/*
 * The local view of every task and container instance of the managed clusters: kept from ECS events,
 * seeded and corrected by a full List/Describe read (replaceCluster). Pure data, clock injected.
 *
 * ECS increments a task's or instance's `version` on every change, and events arrive duplicated,
 * reordered or not at all: an entry only moves forward (an event whose version is not newer than the
 * stored one is stale), and an entry the view dropped keeps its last version as a tombstone, so that a
 * late event cannot bring an old state back. Stopped tasks stay for a while (for the API) and then go,
 * oldest first, so memory stays bounded.
 */

export const DEFAULT_STOPPED_TASK_RETENTION_MS = 60 * 60_000;
export const DEFAULT_MAX_STOPPED_TASKS = 1000;

export interface EcsViewOptions {
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** How long a stopped task stays, from when ECS stopped it. Default 1 hour. */
  stoppedTaskRetentionMs?: number;
  /** Stopped tasks kept per cluster; beyond it the oldest go first. Default 1000. */
  maxStoppedTasksPerCluster?: number;
  /**
   * Tasks and instances per cluster that events added and no full read has confirmed yet; beyond it
   * an event for a new ARN is not stored (its hint still counts) until the next read. Bounds what
   * forged events can add. Default 5000.
   */
  maxUnconfirmedPerCluster?: number;
}

export const DEFAULT_MAX_UNCONFIRMED = 5000;

export type ViewChange =
  | { type: 'task'; op: 'upsert' | 'delete'; item: TaskItem }
  | { type: 'instance'; op: 'upsert' | 'delete'; item: InstanceItem };

export type ViewListener = (change: ViewChange) => void;

/** `stale`: the view already holds this version or a newer one (a duplicate, or out of order). */
export type ApplyOutcome = 'applied' | 'stale' | 'full';

export interface FixCounts {
  added: number;
  changed: number;
  removed: number;
}

/** What a full resync corrected, per kind. */
export interface ResyncResult {
  tasks: FixCounts;
  instances: FixCounts;
  /** All entries fixed. */
  fixed: number;
}

/** The complete live state of one cluster, as the full read found it. */
export interface ClusterSnapshot {
  tasks: TaskState[];
  instances: InstanceState[];
}

/** Every field optional; all given must match. */
export interface TaskFilter {
  cluster?: string;
  /** lastStatus */
  status?: string;
  desiredStatus?: string;
  service?: string;
  group?: string;
  startedBy?: string;
}

export interface InstanceFilter {
  cluster?: string;
  status?: string;
}

export interface ViewSize {
  tasks: number;
  instances: number;
}

interface StoredTask {
  item: TaskItem;
  updatedMs: number;
  /** When ECS stopped it (at most when the view saw it stopped); set once lastStatus is STOPPED. */
  stoppedMs?: number;
}

interface StoredInstance {
  item: InstanceItem;
  updatedMs: number;
}

interface ClusterEntries {
  tasks: Map<string, StoredTask>;
  instances: Map<string, StoredInstance>;
  /** The stopped tasks' ARNs and stop times: retention looks at these only, not at every task. */
  stopped: Map<string, number>;
  /** ARN -> last version of entries dropped, oldest first, bounded. */
  taskTombstones: Map<string, number>;
  instanceTombstones: Map<string, number>;
  /** ARNs of tasks and instances added by events and not yet seen by a full read. */
  unconfirmed: Set<string>;
}

const STOPPED = 'STOPPED';
/** A container instance deregistered: it leaves the view. */
const INACTIVE = 'INACTIVE';

export class EcsView {
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly maxStopped: number;
  private readonly maxUnconfirmed: number;
  private readonly clustersByName = new Map<string, ClusterEntries>();
  private readonly listeners = new Set<ViewListener>();

  constructor(opts: EcsViewOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.retentionMs = opts.stoppedTaskRetentionMs ?? DEFAULT_STOPPED_TASK_RETENTION_MS;
    this.maxStopped = opts.maxStoppedTasksPerCluster ?? DEFAULT_MAX_STOPPED_TASKS;
    this.maxUnconfirmed = opts.maxUnconfirmedPerCluster ?? DEFAULT_MAX_UNCONFIRMED;
    if (!(this.retentionMs >= 0)) throw new Error('stoppedTaskRetentionMs must be 0 or more');
    if (!Number.isInteger(this.maxStopped) || this.maxStopped < 0)
      throw new Error('maxStoppedTasksPerCluster must be an integer, 0 or more');
  }

  /** Listeners get every change; one that throws is ignored (the view never breaks for a reader). */
  subscribe(listener: ViewListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- events

  applyTaskEvent(detail: TaskDetail): ApplyOutcome {
    const outcome = this.putTask(taskStateFromEvent(detail));
    this.pruneCluster(detail.cluster);
    return outcome;
  }

  applyInstanceEvent(detail: ContainerInstanceDetail): ApplyOutcome {
    return this.putInstance(instanceStateFromEvent(detail));
  }

  // ---------------------------------------------------------------- full resync

  /**
   * Makes the cluster's entries match the complete live read, and says how many it fixed. Entries the
   * view recorded at or after `readStartedAt` (the clock's time when the read began: events that
   * arrived while the read ran; without it, none are kept for that) and entries
   * with a newer version than the read's are kept: they are newer than what the read saw. Stopped tasks
   * the read no longer lists stay until retention drops them (ECS forgets stopped tasks on its own
   * schedule; nothing is wrong with them).
   */
  replaceCluster(
    cluster: string,
    live: ClusterSnapshot,
    readStartedAt = Number.POSITIVE_INFINITY,
  ): ResyncResult {
    const c = this.entries(cluster);
    const now = this.now();
    const tasks = this.reconcileEntries(c.tasks, c.taskTombstones, readStartedAt, {
      live: live.tasks.filter((t) => t.cluster === cluster).map((t) => [t.taskArn, t] as const),
      // Already past retention: it would only be dropped again.
      skipNew: (t) => t.lastStatus === STOPPED && now - stoppedMs(t.stoppedAt, now) >= this.retentionMs,
      keepUnlisted: (t) => t.item.lastStatus === STOPPED,
      put: (t) => this.putTask(t, true),
      remove: (arn) => this.deleteTask(c, arn),
    });
    const instances = this.reconcileEntries(c.instances, c.instanceTombstones, readStartedAt, {
      live: live.instances
        .filter((i) => i.cluster === cluster)
        .map((i) => [i.containerInstanceArn, i] as const),
      skipNew: (i) => i.status === INACTIVE,
      keepUnlisted: () => false,
      put: (i) => this.putInstance(i, true),
      remove: (arn) => this.deleteInstance(c, arn),
    });
    // What the read listed is confirmed, changed or not.
    for (const t of live.tasks) c.unconfirmed.delete(t.taskArn);
    for (const i of live.instances) c.unconfirmed.delete(i.containerInstanceArn);
    this.pruneCluster(cluster);
    return { tasks, instances, fixed: sum(tasks) + sum(instances) };
  }

  private reconcileEntries<S extends TaskState | InstanceState, E extends { item: S; updatedMs: number }>(
    stored: Map<string, E>,
    tombstones: Map<string, number>,
    readStartedAt: number,
    how: {
      live: readonly (readonly [string, S])[];
      skipNew: (state: S) => boolean;
      keepUnlisted: (e: E) => boolean;
      /** Unconditional: the read is authoritative at an equal version too (an event lost, or forged). */
      put: (state: S) => void;
      remove: (arn: string) => void;
    },
  ): FixCounts {
    const counts: FixCounts = { added: 0, changed: 0, removed: 0 };
    const listed = new Set<string>();
    for (const [arn, state] of how.live) {
      listed.add(arn);
      const existing = stored.get(arn);
      if (existing === undefined) {
        // A tombstone at this version or newer: the view dropped it on purpose (retention).
        if ((tombstones.get(arn) ?? -1) >= state.version || how.skipNew(state)) continue;
        how.put(state);
        counts.added++;
      } else if (
        // Recorded before the read began: the read wins whatever the versions (a forged event may
        // claim any); recorded since, only a newer or equal version replaces it.
        (existing.updatedMs < readStartedAt || existing.item.version <= state.version) &&
        !sameState(existing.item, state)
      ) {
        how.put(state);
        counts.changed++;
      }
    }
    for (const [arn, e] of [...stored]) {
      if (listed.has(arn) || e.updatedMs >= readStartedAt || how.keepUnlisted(e)) continue;
      how.remove(arn);
      counts.removed++;
    }
    return counts;
  }

  // ---------------------------------------------------------------- retention

  /** Drops stopped tasks past their time, then the oldest beyond the count, in every cluster. */
  prune(): void {
    for (const cluster of this.clustersByName.keys()) this.pruneCluster(cluster);
  }

  private pruneCluster(cluster: string): void {
    const c = this.clustersByName.get(cluster);
    if (!c) return;
    const now = this.now();
    const stopped: [string, number][] = [];
    for (const [arn, ms] of [...c.stopped]) {
      if (now - ms >= this.retentionMs) this.deleteTask(c, arn);
      else stopped.push([arn, ms]);
    }
    if (stopped.length <= this.maxStopped) return;
    stopped.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    for (const [arn] of stopped.slice(0, stopped.length - this.maxStopped)) this.deleteTask(c, arn);
  }

  // ---------------------------------------------------------------- queries

  /** Matching tasks, sorted by cluster, then task ARN. */
  tasks(filter: TaskFilter = {}): TaskItem[] {
    this.prune();
    const out: TaskItem[] = [];
    for (const [, c] of this.clustersIn(filter.cluster)) {
      for (const { item } of c.tasks.values()) {
        if (filter.status !== undefined && item.lastStatus !== filter.status) continue;
        if (filter.desiredStatus !== undefined && item.desiredStatus !== filter.desiredStatus) continue;
        if (filter.service !== undefined && item.service !== filter.service) continue;
        if (filter.group !== undefined && item.group !== filter.group) continue;
        if (filter.startedBy !== undefined && item.startedBy !== filter.startedBy) continue;
        out.push(item);
      }
    }
    return out.sort(byKey((t) => `${t.cluster}\n${t.taskArn}`));
  }

  /** Matching container instances, sorted by cluster, then ARN. */
  instances(filter: InstanceFilter = {}): InstanceItem[] {
    const out: InstanceItem[] = [];
    for (const [, c] of this.clustersIn(filter.cluster)) {
      for (const { item } of c.instances.values()) {
        if (filter.status !== undefined && item.status !== filter.status) continue;
        out.push(item);
      }
    }
    return out.sort(byKey((i) => `${i.cluster}\n${i.containerInstanceArn}`));
  }

  /** One task of a cluster by its id or full ARN. */
  task(cluster: string, idOrArn: string): TaskItem | undefined {
    this.prune();
    const c = this.clustersByName.get(cluster);
    if (!c) return undefined;
    const direct = c.tasks.get(idOrArn);
    if (direct) return direct.item;
    for (const { item } of c.tasks.values()) if (item.id === idOrArn) return item;
    return undefined;
  }

  /** One container instance of a cluster by its full ARN. */
  instance(cluster: string, arn: string): InstanceItem | undefined {
    return this.clustersByName.get(cluster)?.instances.get(arn)?.item;
  }

  size(): ViewSize {
    let tasks = 0;
    let instances = 0;
    for (const c of this.clustersByName.values()) {
      tasks += c.tasks.size;
      instances += c.instances.size;
    }
    return { tasks, instances };
  }

  clusters(): string[] {
    return [...this.clustersByName.keys()].sort();
  }

  /** A cluster no longer managed: its entries go (listeners see each delete). */
  forgetCluster(cluster: string): void {
    const c = this.clustersByName.get(cluster);
    if (!c) return;
    for (const arn of [...c.tasks.keys()]) this.deleteTask(c, arn);
    for (const arn of [...c.instances.keys()]) this.deleteInstance(c, arn);
    this.clustersByName.delete(cluster);
  }

  // ---------------------------------------------------------------- internals

  private putTask(state: TaskState, force = false): ApplyOutcome {
    const c = this.entries(state.cluster);
    const existing = c.tasks.get(state.taskArn);
    if (!force && isStale(existing?.item.version, c.taskTombstones.get(state.taskArn), state.version))
      return 'stale';
    if (!this.confirm(c, state.taskArn, existing !== undefined, force)) return 'full';
    const now = this.now();
    const stored: StoredTask = { item: { ...state, updatedAt: new Date(now).toISOString() }, updatedMs: now };
    if (state.lastStatus === STOPPED)
      stored.stoppedMs = existing?.stoppedMs ?? stoppedMs(state.stoppedAt, now);
    c.taskTombstones.delete(state.taskArn);
    c.tasks.set(state.taskArn, stored);
    if (stored.stoppedMs === undefined) c.stopped.delete(state.taskArn);
    else c.stopped.set(state.taskArn, stored.stoppedMs);
    this.emit({ type: 'task', op: 'upsert', item: stored.item });
    return 'applied';
  }

  private putInstance(state: InstanceState, force = false): ApplyOutcome {
    const c = this.entries(state.cluster);
    const arn = state.containerInstanceArn;
    const existing = c.instances.get(arn);
    if (!force && isStale(existing?.item.version, c.instanceTombstones.get(arn), state.version))
      return 'stale';
    if (state.status !== INACTIVE && !this.confirm(c, arn, existing !== undefined, force)) return 'full';
    if (state.status === INACTIVE) {
      if (existing) this.deleteInstance(c, arn);
      this.tombstone(c.instanceTombstones, arn, state.version);
      return 'applied';
    }
    const now = this.now();
    const stored: StoredInstance = {
      item: { ...state, updatedAt: new Date(now).toISOString() },
      updatedMs: now,
    };
    c.instanceTombstones.delete(arn);
    c.instances.set(arn, stored);
    this.emit({ type: 'instance', op: 'upsert', item: stored.item });
    return 'applied';
  }

  private deleteTask(c: ClusterEntries, arn: string): void {
    const t = c.tasks.get(arn);
    if (!t) return;
    c.tasks.delete(arn);
    c.stopped.delete(arn);
    c.unconfirmed.delete(arn);
    this.tombstone(c.taskTombstones, arn, t.item.version);
    this.emit({ type: 'task', op: 'delete', item: t.item });
  }

  private deleteInstance(c: ClusterEntries, arn: string): void {
    const i = c.instances.get(arn);
    if (!i) return;
    c.instances.delete(arn);
    c.unconfirmed.delete(arn);
    this.tombstone(c.instanceTombstones, arn, i.item.version);
    this.emit({ type: 'instance', op: 'delete', item: i.item });
  }

  /**
   * Tracks what events added and no read confirmed: a read confirms (`fromRead`); an event may add a
   * new ARN only while the cluster has room. False: not to be stored.
   */
  private confirm(c: ClusterEntries, arn: string, known: boolean, fromRead: boolean): boolean {
    if (fromRead) {
      c.unconfirmed.delete(arn);
      return true;
    }
    if (known) return true;
    if (c.unconfirmed.size >= this.maxUnconfirmed) return false;
    c.unconfirmed.add(arn);
    return true;
  }

  /** Bounded like the stopped tasks: the oldest tombstone goes first. */
  private tombstone(map: Map<string, number>, arn: string, version: number): void {
    map.delete(arn);
    map.set(arn, Math.max(version, map.get(arn) ?? -1));
    const limit = Math.max(this.maxStopped, 1);
    while (map.size > limit) map.delete(map.keys().next().value as string);
  }

  private entries(cluster: string): ClusterEntries {
    let c = this.clustersByName.get(cluster);
    if (!c) {
      c = {
        tasks: new Map(),
        instances: new Map(),
        stopped: new Map(),
        taskTombstones: new Map(),
        instanceTombstones: new Map(),
        unconfirmed: new Set(),
      };
      this.clustersByName.set(cluster, c);
    }
    return c;
  }

  private clustersIn(cluster: string | undefined): [string, ClusterEntries][] {
    if (cluster === undefined) return [...this.clustersByName];
    const c = this.clustersByName.get(cluster);
    return c ? [[cluster, c]] : [];
  }

  private emit(change: ViewChange): void {
    for (const fn of this.listeners) {
      try {
        fn(change);
      } catch {
        // ignored: see subscribe
      }
    }
  }
}

function isStale(stored: number | undefined, tombstone: number | undefined, version: number): boolean {
  return (
    (stored !== undefined && version <= stored) ||
    (stored === undefined && tombstone !== undefined && version <= tombstone)
  );
}

/** ECS's stop time, but never in the future (a forged time must not keep a task forever). */
function stoppedMs(stoppedAt: string | null, now: number): number {
  const t = stoppedAt === null ? NaN : Date.parse(stoppedAt);
  return Number.isNaN(t) ? now : Math.min(t, now);
}

/** Equal but for when the view recorded it (JSON.stringify leaves out the undefined updatedAt). */
function sameState(a: TaskState | InstanceState, b: TaskState | InstanceState): boolean {
  return JSON.stringify({ ...a, updatedAt: undefined }) === JSON.stringify({ ...b, updatedAt: undefined });
}

function sum(c: FixCounts): number {
  return c.added + c.changed + c.removed;
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}
