import { setMaxListeners } from 'node:events';
import path from 'node:path';
import type { ClusterPorts } from './reconcile-cluster';
import { applyPlan, planDesiredState } from './reconcile-cluster';
import type { Clock } from './clock';
import type { GitSource, SourceSnapshot } from './git-source';
import { createLifecycle, describeState, type LifecycleActor } from './lifecycle-machine';
import { resultFromError, type ReconcileResult } from './reconcile-result';
import { WorkQueue } from './work-queue';
import { waitForRollouts } from './rollout-waiter';
import { clusterIdentity, discoverClusterDirs, loadClusterDir, ownerClashes } from '../specfiles';
import type { SpecError } from '../model/source';
import type { Plan } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import type { ControllerMetrics } from '../telemetry/metrics';
import type { StatusStore } from '../telemetry/status';
import { logActionResults, newReconcileId } from '../telemetry/action-log';
import type { Logger } from '../telemetry/logger';

export interface ControllerOptions {
  source: GitSource;
  /** Cluster directories inside the repository (a directory holding several expands to them). */
  paths: readonly string[];
  /** Template variables (the environment plus `--var`). */
  env: Record<string, string | undefined>;
  /** The ports for a region (AWS or the sandbox). */
  portsFor: (region: string) => Promise<ClusterPorts>;
  /** Region of cluster directories without one. */
  defaultRegion?: string;
  /** For `${ACCOUNT_ID}` in templates (asked only when a template uses it). */
  accountId?: () => Promise<string>;
  clock: Clock;
  /** Re-read AWS and revert drift this often (default 10 minutes). */
  resyncMs?: number;
  /** How long a changed service's deployment is followed (default 30 minutes), and how often. */
  rolloutTimeoutMs?: number;
  rolloutPollMs?: number;
  /** When a reconcile left something waiting (see PlannedAction.pending): look again after this. Default 30 s. */
  pendingRequeueMs?: number;
  status: StatusStore;
  metrics: ControllerMetrics;
  log: Logger;
}

/** What the last successful apply of a cluster directory applied. */
interface Applied {
  commit: string;
  cluster: string;
}

/**
 * The long-running controller: one work-queue key per cluster directory, its generation the commit.
 * A source change enqueues every cluster with the new commit; each reconcile loads the directory
 * from that commit's tree, plans against AWS and applies. A bad commit (specs that do not load or
 * plan) is terminal: AWS stays as the last good commit left it, and the cluster is Stalled until a
 * new commit. The queue resyncs every cluster on its resync interval, which reverts drift.
 */
export class Controller {
  private snapshot?: SourceSnapshot;
  /** Directories of the current commit refused because they share a cluster and owner id. */
  private clashes = new Map<string, SpecError>();
  private readonly queue: WorkQueue;
  private readonly lifecycle: LifecycleActor;
  private readonly applied = new Map<string, Applied>();
  private readonly clusterOf = new Map<string, string>();
  /** `<dir>/<service id>` -> the commit whose rollout of that service failed. */
  private readonly failedRollouts = new Map<string, string>();
  private readonly followers = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private syncing?: Promise<void>;
  private resyncPending = false;

  constructor(private readonly opts: ControllerOptions) {
    // Every rollout being followed waits on this signal; there can be many at once.
    setMaxListeners(0, this.stopping.signal);
    this.lifecycle = createLifecycle();
    this.lifecycle.subscribe((s) => opts.status.setControllerState(describeState(s)));
    this.queue = new WorkQueue({
      process: (key, generation) => this.reconcile(key, generation),
      clock: opts.clock,
      resyncMs: opts.resyncMs ?? 600_000,
      onDepth: (n) => opts.metrics.queueDepth(n),
    });
  }

  /** The first sync, then the queue's loop. Resolves once the first sync is done (or failed). */
  async start(): Promise<void> {
    this.lifecycle.send({ type: 'STARTED' });
    await this.sourceChanged();
    this.queue.start();
  }

  /** Called on a watcher event, a webhook or a poll: sync the source, enqueue on a new commit. */
  sourceChanged(): Promise<void> {
    if (this.syncing) {
      this.resyncPending = true;
      return this.syncing;
    }
    this.syncing = this.sync().finally(() => {
      this.syncing = undefined;
      if (this.resyncPending) {
        this.resyncPending = false;
        void this.sourceChanged();
      }
    });
    return this.syncing;
  }

  /** Stop taking work; the reconcile in flight finishes (its AWS calls are not cut short). */
  async stop(): Promise<void> {
    this.lifecycle.send({ type: 'STOP' });
    this.stopping.abort();
    await this.queue.stop();
    await Promise.all([...this.followers]);
    await this.syncing;
    this.lifecycle.send({ type: 'STOPPED' });
  }

  /** Re-reads AWS for every cluster of the current commit now (what the resync timer does). */
  resyncAll(): void {
    const snapshot = this.snapshot;
    if (!snapshot) return;
    for (const state of this.queue.states()) this.queue.enqueue(state.key, snapshot.commit);
  }

  get commit(): string | undefined {
    return this.snapshot?.commit;
  }

  /** Waits for the deployments being followed (tests). */
  async rollouts(): Promise<void> {
    while (this.followers.size > 0) await Promise.all([...this.followers]);
  }

  /** Waits until no reconcile is running or due now (tests and the first-sync readiness use it). */
  async idle(): Promise<void> {
    await this.syncing;
    while (this.queue.running() > 0 || this.queue.depth() > 0) await this.queue.runDue();
  }

  private async sync(): Promise<void> {
    this.lifecycle.send({ type: 'SOURCE_CHANGED', commit: this.snapshot?.commit ?? '' });
    let snapshot: SourceSnapshot;
    try {
      snapshot = await this.opts.source.sync();
    } catch (err) {
      const { error } = resultFromError(err) as { error: string };
      this.opts.log.error({ err: error }, 'source sync failed');
      this.lifecycle.send({ type: 'SYNC_FAILED', error });
      return;
    }
    this.lifecycle.send({ type: 'SYNCED', commit: snapshot.commit });
    // In worktree mode the id stays `<HEAD>-dirty` while files change: every change is new input.
    if (!snapshot.worktree && snapshot.commit === this.snapshot?.commit) return;
    this.snapshot = snapshot;
    this.opts.log.info({ commit: snapshot.commit }, 'new commit');
    const dirs = discoverClusterDirs(this.opts.paths.map((p) => path.join(snapshot.dir, p)));
    this.clashes = this.ownerClashesIn(snapshot.dir, dirs);
    for (const dir of dirs) this.queue.enqueue(path.relative(snapshot.dir, dir) || '.', snapshot.commit);
  }

  /**
   * Directories of this commit that manage the same cluster under the same owner id (they would
   * prune each other's services), by key. Only cluster.yaml is read, leniently when it does not load
   * (a broken directory's services still need protecting).
   */
  private ownerClashesIn(root: string, dirs: string[]): Map<string, SpecError> {
    const identities = dirs.flatMap((dir) => {
      const id = clusterIdentity(dir, { region: this.opts.defaultRegion });
      return id ? [{ dir: path.relative(root, dir) || '.', ...id }] : [];
    });
    return ownerClashes(identities);
  }

  private async reconcile(key: string, _generation: string): Promise<ReconcileResult> {
    const snapshot = this.snapshot;
    if (!snapshot) return { kind: 'transient', error: 'no source snapshot yet' };
    // A newer commit may have arrived: reconcile what is current (the queue enqueued it anyway).
    const commit = snapshot.commit;
    if (this.lifecycle.getSnapshot().value === 'idle') {
      // A resync (or a retry): the lifecycle shows it as reconciling the current commit.
      this.lifecycle.send({ type: 'RESYNC' });
      this.lifecycle.send({ type: 'SYNCED', commit });
    }
    const started = this.opts.clock.now();
    const reconcileId = newReconcileId();
    const log = this.opts.log.child({ reconcileId, commit, dir: key });
    const loaded = await loadClusterDir(path.join(snapshot.dir, key), {
      region: this.opts.defaultRegion,
      env: this.opts.env,
      ...(this.opts.accountId ? { accountId: this.opts.accountId } : {}),
    });
    // A directory whose specs do not load is reported under the cluster it last loaded as.
    const cluster = loaded.state?.cluster.name ?? this.clusterOf.get(key) ?? key;
    if (loaded.state) this.clusterOf.set(key, cluster);
    const seconds = () => (this.opts.clock.now() - started) / 1000;
    this.opts.status.beginReconcile(cluster, commit);
    const clash = this.clashes.get(key);
    if (clash && loaded.state) {
      this.opts.status.recordSpecErrors(cluster, [clash], commit);
      this.opts.metrics.observeReconcile(cluster, 'stalled', seconds());
      log.warn({ error: clash.message }, 'owner id shared with another directory: nothing applied');
      this.lifecycle.send({ type: 'RECONCILE_FAILED', error: 'owner id clash', kind: 'terminal' });
      return { kind: 'terminal', error: clash.message };
    }
    if (!loaded.state) {
      // Fail closed: AWS stays as the last good commit left it; a new commit is needed.
      this.opts.status.recordSpecErrors(cluster, loaded.errors, commit);
      this.opts.metrics.observeReconcile(cluster, 'stalled', seconds());
      log.warn({ errors: loaded.errors.length }, 'specs do not load: nothing applied');
      this.lifecycle.send({ type: 'RECONCILE_FAILED', error: 'invalid specs', kind: 'terminal' });
      return { kind: 'terminal', error: `${loaded.errors.length} spec error(s)` };
    }
    const region = loaded.state.cluster.region ?? this.opts.defaultRegion;
    if (!region) {
      this.opts.status.recordFailure(cluster, 'no region', commit);
      return { kind: 'terminal', error: 'no region' };
    }
    try {
      const ports = await this.opts.portsFor(region);
      const plan = await planDesiredState({ ...loaded.state, commit }, ports, {
        failedRollouts: this.failedRolloutsOf(key, commit),
      });
      if (plan.errors.length > 0) {
        this.opts.status.recordSpecErrors(cluster, plan.errors, commit);
        this.opts.metrics.observeReconcile(cluster, 'stalled', seconds());
        this.lifecycle.send({ type: 'RECONCILE_FAILED', error: 'plan errors', kind: 'terminal' });
        return { kind: 'terminal', error: `${plan.errors.length} plan error(s)` };
      }
      this.countDrift(key, cluster, commit, plan, log);
      this.reportKept(cluster, plan, log);
      const results = await applyPlan(plan, ports);
      // The action lines carry reconcileId and commit themselves.
      logActionResults(this.opts.log.child({ dir: key }), { reconcileId, commit, cluster }, results);
      this.opts.status.recordReconcile(cluster, { commit, results });
      const failed = results.filter((r) => r.outcome === 'failed');
      if (failed.length > 0) {
        this.opts.metrics.observeReconcile(cluster, 'error', seconds());
        this.lifecycle.send({
          type: 'RECONCILE_FAILED',
          error: failed[0].message ?? 'failed',
          kind: 'transient',
        });
        return { kind: 'transient', error: `${failed.length} action(s) failed: ${failed[0].message ?? ''}` };
      }
      this.follow(key, cluster, commit, results, ports, log);
      this.applied.set(key, { commit, cluster });
      this.opts.metrics.appliedCommit(cluster, commit);
      this.opts.metrics.observeReconcile(cluster, 'success', seconds());
      this.opts.status.markReady();
      this.lifecycle.send({ type: 'RECONCILED' });
      // Something ends on its own soon (a pruned service draining, a renamed service's successor
      // rolling out, a backlog of old revisions): look again soon rather than at the resync.
      const pending = results.filter((r) => r.pending !== undefined);
      if (pending.length > 0) {
        log.info(
          { pending: pending.map((r) => `${r.id}: ${r.pending ?? ''}`) },
          `${pending.length} action(s) waiting; looking again soon`,
        );
        return { kind: 'requeue', afterMs: this.opts.pendingRequeueMs ?? 30_000 };
      }
      return { kind: 'done' };
    } catch (err) {
      const result = resultFromError(err);
      const error = result.kind === 'transient' || result.kind === 'terminal' ? result.error : String(err);
      this.opts.status.recordFailure(cluster, error, commit);
      this.opts.metrics.observeReconcile(cluster, 'error', seconds());
      log.error({ err: error }, 'reconcile failed');
      this.lifecycle.send({
        type: 'RECONCILE_FAILED',
        error,
        kind: result.kind === 'terminal' ? 'terminal' : 'transient',
      });
      return result;
    }
  }

  /**
   * `prune: false`: what would be pruned is reported on every reconcile (a warning per resource and
   * a gauge), so that it is seen without deleting anything.
   */
  private reportKept(cluster: string, plan: Plan, log: Logger): void {
    const kept = plan.actions.filter((a) => a.op === 'orphan');
    const byKind: Record<string, number> = {};
    for (const a of kept) {
      byKind[a.resource] = (byKind[a.resource] ?? 0) + 1;
      log.warn({ resource: a.id, reason: a.reason }, 'kept by prune: false');
    }
    this.opts.metrics.prunable(cluster, byKind);
  }

  /**
   * A change planned for the commit that was already applied is drift: something changed AWS
   * behind our back (the console, a script). The apply that follows reverts it.
   */
  private countDrift(key: string, cluster: string, commit: string, plan: Plan, log: Logger): void {
    if (this.applied.get(key)?.commit !== commit) return;
    for (const a of plan.actions) {
      // Deletes are the continuation of a prune (a drained service, a backlog of old revisions),
      // not someone changing AWS; `orphan` is only reported.
      if (a.op === 'none' || a.op === 'conflict' || a.op === 'orphan' || a.op === 'delete') continue;
      this.opts.metrics.drift(cluster, a.resource);
      log.warn({ resource: a.id, op: a.op, reason: a.reason }, 'drift detected: reverting');
    }
  }

  /**
   * Follows the deployments this reconcile started, in the background: completed -> Ready; failed
   * (the circuit breaker rolled back) or timed out -> Stalled with the reason, and that service is not
   * deployed again for the same commit (no hot loop redeploying a broken image).
   */
  private follow(
    key: string,
    cluster: string,
    commit: string,
    results: readonly ActionResult[],
    ports: ClusterPorts,
    log: Logger,
  ): void {
    const changed = results.filter(
      (r) => r.resource === 'service' && (r.outcome === 'created' || r.outcome === 'updated'),
    );
    if (changed.length === 0) return;
    const follower = waitForRollouts(
      cluster,
      changed.map((r) => ({ name: r.name, taskDefinitionArn: r.taskDefinitionArn })),
      {
        reader: ports.reader,
        clock: this.opts.clock,
        timeoutMs: this.opts.rolloutTimeoutMs ?? 30 * 60_000,
        pollMs: this.opts.rolloutPollMs ?? 15_000,
        delayFirstPoll: true,
        signal: this.stopping.signal,
      },
    )
      .then((rollouts) => {
        if (this.stopping.signal.aborted) return;
        for (const r of rollouts) {
          const id = `service/${r.service}`;
          this.opts.status.setRollout(cluster, id, r.state === 'missing' ? 'failed' : r.state, r.reason);
          if (r.state === 'completed') continue;
          this.failedRollouts.set(`${key}/${id}`, commit);
          log.error({ resource: id, rollout: r.state }, `rollout ${r.state}: ${r.reason}`);
        }
      })
      .catch((err: unknown) => log.warn({ err: String(err) }, 'could not follow the rollouts'))
      .finally(() => this.followers.delete(follower));
    this.followers.add(follower);
  }

  /** The services of a directory whose rollout failed for this commit (the planner holds them). */
  private failedRolloutsOf(key: string, commit: string): string[] {
    const prefix = `${key}/service/`;
    return [...this.failedRollouts]
      .filter(([id, failedFor]) => id.startsWith(prefix) && failedFor === commit)
      .map(([id]) => id.slice(prefix.length));
  }

  /** For tests and `status`: the results of reconciles are in the status store. */
  static outcomes(results: readonly ActionResult[]): Record<string, string> {
    return Object.fromEntries(results.map((r) => [r.id, r.outcome]));
  }
}
