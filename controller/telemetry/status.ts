import type { ActionResult, ResourceType } from '../model/action-result';
import { scrubSecrets } from './secret-mask';

/** Kubernetes-style (kstatus) summary of a cluster or of one object in it. */
export type ReadyState = 'Ready' | 'Reconciling' | 'Stalled';
export type RolloutState = 'in-progress' | 'completed' | 'failed' | 'timeout';

export interface ObjectStatus {
  /** Action id: `service/web`, `taskDefinition/demo-web`, `dnsRecord/web.example.com/A`. */
  id: string;
  resource: ResourceType;
  state: ReadyState;
  reason?: string;
  rollout?: RolloutState;
}

export interface ClusterStatus {
  cluster: string;
  state: ReadyState;
  /**
   * Where the controller's work on the cluster stands (its lifecycle machine): queued, reconciling,
   * idle, requeued, backoff, or stalled (waiting for a new commit). Absent outside `run`.
   */
  lifecycle?: string;
  reason?: string;
  lastAppliedCommit?: string;
  lastAttemptedCommit?: string;
  lastError?: string;
  /** ISO 8601 time the last reconcile (or spec load) of this cluster finished. */
  lastReconcileAt?: string;
  objects: ObjectStatus[];
}

/**
 * With `run --leader-election`: this replica's role, the lease, its own identity and the holder it
 * knows of (itself when leader). A follower reconciles nothing and lists no clusters.
 */
export interface LeadershipStatus {
  role: string;
  lease: string;
  identity: string;
  holder?: string;
}

/** What `/status` serves and `ecs-gitops status` reads. Keys always in this order; clusters by name. */
export interface StatusDocument {
  schemaVersion: 1;
  controller: { state: string; startedAt: string; ready: boolean; leadership?: LeadershipStatus };
  clusters: ClusterStatus[];
}

/** A spec or plan error as loaders report it (SpecError, PlanError), or a plain message. */
export type ErrorLike =
  string | { message: string; file?: string; line?: number; column?: number; field?: string };

export interface StatusStoreOptions {
  /** Clock, for tests. */
  now?: () => Date;
}

export interface ReconcileRecord {
  commit?: string;
  results: readonly ActionResult[];
  /** The results of some objects only (a run an ECS event asked for): the others stay as they are. */
  partial?: boolean;
}

/**
 * The controller's state as `/status` reports it: the lifecycle state name (set by the state
 * machine), readiness, and per cluster the kstatus of every object from the last reconcile.
 * In memory only; the controller rebuilds it from AWS on restart.
 */
export class StatusStore {
  private state = 'Starting';
  private ready = false;
  private leadership?: LeadershipStatus;
  private readonly startedAt: string;
  private readonly clusters = new Map<string, ClusterStatus>();
  private readonly now: () => Date;

  constructor(opts: StatusStoreOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.startedAt = this.now().toISOString();
  }

  /** The controller's lifecycle state name (`Idle`, `Syncing`, ...), as the state machine names it. */
  setControllerState(state: string): void {
    this.state = state;
  }

  get controllerState(): string {
    return this.state;
  }

  /** After the first successful sync: `/readyz` answers 200 from now on (unless set back). */
  markReady(ready = true): void {
    this.ready = ready;
  }

  isReady(): boolean {
    return this.ready;
  }

  /** A reconcile of `cluster` has started: the cluster is Reconciling; its objects keep their state. */
  beginReconcile(cluster: string, commit?: string): void {
    const c = this.cluster(cluster);
    c.state = 'Reconciling';
    c.reason = commit ? `reconciling ${shortCommit(commit)}` : 'reconciling';
    if (commit) c.lastAttemptedCommit = commit;
  }

  /**
   * A reconcile's results. Objects become: failed and skipped -> Stalled with the message;
   * created/updated services -> Reconciling, rollout in-progress (until `setRollout`); other
   * created/updated/unchanged objects -> Ready, except a service whose rollout is still in
   * progress; deleted objects disappear. The commit becomes the last applied one when nothing failed.
   */
  recordReconcile(cluster: string, record: ReconcileRecord): ClusterStatus {
    const c = this.cluster(cluster);
    const before = new Map(c.objects.map((o) => [o.id, o]));
    const objects: ObjectStatus[] = [];
    for (const r of record.results) {
      const prev = before.get(r.id);
      if (r.outcome === 'deleted') continue;
      if (r.outcome === 'failed' || r.outcome === 'skipped') {
        const why = r.message ?? r.outcome;
        const reason = r.errorCode && !why.includes(r.errorCode) ? `${r.errorCode}: ${why}` : why;
        objects.push(object(r.id, r.resource, 'Stalled', `${r.outcome}: ${reason}`));
      } else if (r.resource === 'service' && (r.outcome === 'created' || r.outcome === 'updated')) {
        objects.push(
          object(r.id, r.resource, 'Reconciling', `${r.outcome}: rollout in progress`, 'in-progress'),
        );
      } else if (prev?.rollout === 'in-progress') {
        // Unchanged since a rollout started: the spec matches, the deployment may still be running.
        objects.push(prev);
      } else {
        objects.push(object(r.id, r.resource, 'Ready'));
      }
    }
    if (record.partial) {
      const seen = new Set(record.results.map((r) => r.id));
      c.objects = [...c.objects.filter((o) => !seen.has(o.id)), ...objects];
    } else {
      c.objects = objects;
    }
    const failed = record.results.filter((r) => r.outcome === 'failed');
    if (record.commit) c.lastAttemptedCommit = record.commit;
    if (failed.length === 0 && record.commit) c.lastAppliedCommit = record.commit;
    // A partial run that failed nothing says nothing of the objects it did not look at.
    if (failed.length > 0 || !record.partial)
      c.lastError = failed.length > 0 ? failedSummary(failed) : undefined;
    c.lastReconcileAt = this.now().toISOString();
    summarize(c);
    return c;
  }

  /**
   * Specs of `cluster` failed to load or plan: nothing was applied. The cluster is Stalled with
   * the errors; its objects keep the state they had (AWS was not touched).
   */
  recordSpecErrors(cluster: string, errors: readonly ErrorLike[], commit?: string): ClusterStatus {
    const lines = errors.map(formatError);
    return this.recordClusterError(
      cluster,
      `${errors.length} spec error(s): ${lines[0] ?? 'unknown'}${lines.length > 1 ? ` (and ${lines.length - 1} more)` : ''}`,
      lines.join('\n'),
      commit,
    );
  }

  /** The whole reconcile failed before any action (AWS unreachable, access denied while reading). */
  recordFailure(cluster: string, message: string, commit?: string): ClusterStatus {
    return this.recordClusterError(cluster, message, message, commit);
  }

  /**
   * The rollout waiter's verdict on a service (`service/<name>`): completed -> Ready; failed and
   * timeout -> Stalled with `reason`; in-progress -> Reconciling. Unknown ids are added.
   */
  setRollout(cluster: string, id: string, rollout: RolloutState, reason?: string): void {
    const c = this.cluster(cluster);
    const state: ReadyState =
      rollout === 'completed' ? 'Ready' : rollout === 'in-progress' ? 'Reconciling' : 'Stalled';
    const why = reason ?? (rollout === 'completed' ? undefined : `rollout ${rollout}`);
    const next = object(id, 'service', state, why, rollout);
    const i = c.objects.findIndex((o) => o.id === id);
    if (i >= 0) c.objects[i] = { ...next, resource: c.objects[i].resource };
    else c.objects.push(next);
    summarize(c);
  }

  /** This replica's leader-election role (see LeadershipStatus). */
  setLeadership(leadership: LeadershipStatus): void {
    this.leadership = { ...leadership };
  }

  /** Every cluster goes (a leader that stepped down: the new leader reports them now). */
  clearClusters(): void {
    this.clusters.clear();
  }

  /** A cluster no longer in the repository. */
  removeCluster(cluster: string): void {
    this.clusters.delete(cluster);
  }

  get(cluster: string): ClusterStatus | undefined {
    const c = this.clusters.get(cluster);
    return c ? cloneCluster(c) : undefined;
  }

  /** The cluster's lifecycle state, as the controller's per-cluster machine has it. */
  setLifecycle(cluster: string, lifecycle: string): void {
    this.cluster(cluster).lifecycle = lifecycle;
  }

  /** A copy, safe to serialize and to keep: later updates do not change it. */
  snapshot(): StatusDocument {
    return {
      schemaVersion: 1,
      // The state name may quote the error that stalled a cluster (AWS's message): scrubbed too.
      controller: {
        state: scrubSecrets(this.state),
        startedAt: this.startedAt,
        ready: this.ready,
        ...(this.leadership ? { leadership: { ...this.leadership } } : {}),
      },
      clusters: [...this.clusters.keys()].sort().map((name) => cloneCluster(this.clusters.get(name)!)),
    };
  }

  private recordClusterError(
    cluster: string,
    reason: string,
    lastError: string,
    commit?: string,
  ): ClusterStatus {
    const c = this.cluster(cluster);
    c.state = 'Stalled';
    c.reason = reason;
    c.lastError = lastError;
    if (commit) c.lastAttemptedCommit = commit;
    c.lastReconcileAt = this.now().toISOString();
    return c;
  }

  private cluster(name: string): ClusterStatus {
    let c = this.clusters.get(name);
    if (!c) {
      c = { cluster: name, state: 'Reconciling', reason: 'not reconciled yet', objects: [] };
      this.clusters.set(name, c);
    }
    return c;
  }
}

export function shortCommit(commit: string): string {
  return /^[0-9a-f]{40}$/i.test(commit) ? commit.slice(0, 7) : commit;
}

function object(
  id: string,
  resource: ResourceType,
  state: ReadyState,
  reason?: string,
  rollout?: RolloutState,
): ObjectStatus {
  return {
    id,
    resource,
    state,
    ...(reason !== undefined ? { reason } : {}),
    ...(rollout !== undefined ? { rollout } : {}),
  };
}

/** Cluster state from its objects: any Stalled -> Stalled; else any Reconciling -> Reconciling. */
function summarize(c: ClusterStatus): void {
  const stalled = c.objects.filter((o) => o.state === 'Stalled');
  const reconciling = c.objects.filter((o) => o.state === 'Reconciling');
  if (stalled.length > 0) {
    c.state = 'Stalled';
    c.reason = `${stalled.length} object(s) stalled: ${stalled[0].id}: ${stalled[0].reason ?? 'stalled'}`;
  } else if (reconciling.length > 0) {
    c.state = 'Reconciling';
    c.reason = `${reconciling.length} object(s) reconciling: ${reconciling.map((o) => o.id).join(', ')}`;
  } else {
    c.state = 'Ready';
    c.reason = undefined;
  }
}

function failedSummary(failed: readonly ActionResult[]): string {
  return failed
    .map((r) => `${r.id}: ${r.errorCode ? `${r.errorCode}: ` : ''}${r.message ?? 'failed'}`)
    .join('\n');
}

function formatError(e: ErrorLike): string {
  if (typeof e === 'string') return e;
  const where = e.file ? `${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
  return `${where}${e.field ? `${e.field}: ` : ''}${e.message}`;
}

/**
 * Fixed key order and no undefined keys, so the JSON is stable. Reasons and errors are AWS's and the
 * loader's messages: scrubbed of secrets (secret-mask.ts) on the way out, as every output is.
 */
function cloneCluster(c: ClusterStatus): ClusterStatus {
  const out = { cluster: c.cluster, state: c.state } as ClusterStatus;
  if (c.lifecycle !== undefined) out.lifecycle = c.lifecycle;
  if (c.reason !== undefined) out.reason = scrubSecrets(c.reason);
  if (c.lastAppliedCommit !== undefined) out.lastAppliedCommit = c.lastAppliedCommit;
  if (c.lastAttemptedCommit !== undefined) out.lastAttemptedCommit = c.lastAttemptedCommit;
  if (c.lastError !== undefined) out.lastError = scrubSecrets(c.lastError);
  if (c.lastReconcileAt !== undefined) out.lastReconcileAt = c.lastReconcileAt;
  out.objects = c.objects.map((o) =>
    object(o.id, o.resource, o.state, o.reason === undefined ? undefined : scrubSecrets(o.reason), o.rollout),
  );
  return out;
}
