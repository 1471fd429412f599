import { setMaxListeners } from 'node:events';
import path from 'node:path';
import type { ClusterPorts } from './reconcile-cluster';
import { applyPlan, planDesiredState } from './reconcile-cluster';
import type { Clock } from '../aws/clock';
import type { GitSource, SourceSnapshot } from './git-source';
import {
  createClusterLifecycle,
  describeController,
  type ClusterLifecycleActor,
  type ControllerPhase,
} from './lifecycle-machine';
import { resultFromError, type FailedResult, type ReconcileResult } from './reconcile-result';
import {
  OUTCOME_LABEL,
  outcomeOfApply,
  type ClusterReconcile,
  type ReconcileReport,
  type StatusRecord,
} from './reconcile-outcome';
import { WorkQueue, type KeyEvent, type KeyState } from './work-queue';
import { waitForRollouts } from './rollout-waiter';
import { Nudge } from './nudge';
import type { EventSourceRegistry } from './event-sources';
import { clusterIdentity, discoverClusterDirs, loadClusterDir, ownerClashes } from '../specfiles';
import type { SpecError } from '../model/source';
import type { Plan } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import type { ControllerMetrics } from '../telemetry/metrics';
import { shortCommit, type StatusStore } from '../telemetry/status';
import { logActionResults, newReconcileId } from '../telemetry/action-log';
import type { Logger } from '../telemetry/logger';
import { maskSecretValues } from '../telemetry/secret-mask';
import { desiredSecretValues, secretVariableValues } from '../model/secret-detection';

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
  /** Told each directory's `events:` as it loads (run: the ECS event consumers and the view). */
  events?: EventSourceRegistry;
}

/** Full runs asked for by events start at most this often per directory. */
export const EVENT_FULL_INTERVAL_MS = 30_000;
/** Services named by events kept per directory until its next run; more make the run a full one. */
const MAX_HINTED_SERVICES = 1000;

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
 * new commit, and so is a commit whose actions AWS rejects (an invalid parameter); throttling,
 * 5xx and network errors are retried with backoff. The queue resyncs every cluster on its resync
 * interval, which reverts drift. Each cluster directory's lifecycle is an xstate machine driven by
 * the queue's events for it; the controller's state in /status is derived from them.
 */
export class Controller {
  private snapshot?: SourceSnapshot;
  /** Directories of the current commit refused because they share a cluster and owner id. */
  private clashes = new Map<string, SpecError>();
  private readonly queue: WorkQueue<ClusterReconcile>;
  /** One lifecycle machine per cluster directory (work-queue key). */
  private readonly lifecycles = new Map<string, ClusterLifecycleActor>();
  private phase: ControllerPhase = 'starting';
  private sourceError?: string;
  private readonly applied = new Map<string, Applied>();
  private readonly clusterOf = new Map<string, string>();
  /** `<dir>/<service id>` -> the commit whose rollout of that service failed. */
  private readonly failedRollouts = new Map<string, string>();
  private readonly followers = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private syncing?: Promise<void>;
  private resyncPending = false;
  private readonly resyncMs: number;
  /** Services named by ECS events since a directory's last run (see `hint`), and since when. */
  private readonly hinted = new Map<string, { services: Set<string>; since: number }>();
  /** Directories whose next run must look at everything (new commit, resync, a failed full run). */
  private readonly fullOwed = new Set<string>();
  /** When each directory's last full reconcile succeeded. */
  private readonly lastFull = new Map<string, number>();
  /** Directories with a full run asked for by events, waiting for EVENT_FULL_INTERVAL_MS. */
  private readonly delayedFull = new Set<string>();
  /** Each rollout follower's wake-up, with the services it follows: an event wakes only those. */
  private readonly rolloutNudges = new Map<Nudge, { cluster: string; services: ReadonlySet<string> }>();

  constructor(private readonly opts: ControllerOptions) {
    // Every rollout being followed waits on this signal; there can be many at once.
    setMaxListeners(0, this.stopping.signal);
    maskSecretValues(secretVariableValues(opts.env));
    this.resyncMs = opts.resyncMs ?? 600_000;
    this.queue = new WorkQueue<ClusterReconcile>({
      process: (key) => this.reconcile(key),
      clock: opts.clock,
      resyncMs: this.resyncMs,
      onDepth: (n) => opts.metrics.queueDepth(n),
      onEvent: (key, event) => this.onKeyEvent(key, event),
    });
    this.showState();
  }

  /**
   * The first sync, then the queue's loop (also when that sync failed: the next one may pass).
   * Resolves once the first sync is done: to why it failed, if it did.
   */
  async start(): Promise<string | undefined> {
    await this.sourceChanged();
    const failed = this.sourceError;
    this.queue.start();
    return failed;
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

  /**
   * Stop taking work. The reconcile in flight ends after its AWS calls in flight when its ports then
   * refuse the writes not yet sent (as `run` builds them: AwsContext's stop signal, aborted right
   * after this is called), and is reported as interrupted, not failed; otherwise it finishes.
   */
  async stop(): Promise<void> {
    this.phase = 'stopping';
    this.showState();
    this.stopping.abort();
    await this.queue.stop();
    await Promise.all([...this.followers]);
    await this.syncing;
    this.phase = 'stopped';
    this.showState();
  }

  /** Re-reads AWS for every cluster of the current commit now (what the resync timer does). */
  resyncAll(): void {
    const snapshot = this.snapshot;
    if (!snapshot) return;
    for (const state of this.queue.states()) {
      this.fullOwed.add(state.key);
      this.queue.enqueue(state.key, snapshot.commit);
    }
  }

  /**
   * An ECS event named a service of `cluster`. It is a hint, never data: the directories managing
   * that cluster are queued, and their next run re-reads that service through the ECS API and plans
   * it from the specs like any other run (see plan/narrow-to-services.ts). A forged event can at
   * worst cost that read. A run owes the whole cluster instead when the commit was not applied yet,
   * a full run failed or was asked for, or the full resync is due. Returns the directories queued.
   */
  hint(cluster: string, service: string, at?: number): string[] {
    const commit = this.snapshot?.commit;
    if (!commit) return [];
    const keys = this.keysOf(cluster);
    // Measured from the event's own time when known (the event-to-reconcile histogram).
    const now = Math.min(at ?? Infinity, this.opts.clock.now());
    for (const key of keys) {
      const h = this.hinted.get(key) ?? { services: new Set<string>(), since: now };
      // Bounded (a stalled directory takes no run to empty it): beyond the cap, a full run covers all.
      if (h.services.size < MAX_HINTED_SERVICES) h.services.add(service);
      else if (!h.services.has(service)) this.fullOwed.add(key);
      this.hinted.set(key, h);
      this.queue.enqueue(key, commit);
    }
    // A deployment being followed may just have finished or failed: look now, not at the next poll.
    if (keys.length > 0) {
      for (const [nudge, followed] of this.rolloutNudges) {
        if (followed.cluster === cluster && followed.services.has(service)) nudge.poke();
      }
    }
    return keys;
  }

  /**
   * An ECS event says something of the cluster as a whole changed (a container instance joined, left
   * or lost its agent: what `instances` DNS targets follow). Also only a hint: the directories
   * managing it get a full run, which reads everything and plans from the specs as a resync does.
   */
  hintCluster(cluster: string): string[] {
    const commit = this.snapshot?.commit;
    if (!commit) return [];
    const keys = this.keysOf(cluster);
    for (const key of keys) {
      this.fullOwed.add(key);
      this.enqueueFull(key);
    }
    return keys;
  }

  /**
   * A full run asked for by events: at once, unless one started less than EVENT_FULL_INTERVAL_MS ago;
   * then once, that long after it (however many events ask meanwhile). Events can be forged or come
   * in storms (an Auto Scaling group replacing instances): a full run reads the whole cluster.
   */
  private enqueueFull(key: string): void {
    const wait = (this.lastFull.get(key) ?? -Infinity) + EVENT_FULL_INTERVAL_MS - this.opts.clock.now();
    if (wait <= 0) {
      if (this.snapshot) this.queue.enqueue(key, this.snapshot.commit);
      return;
    }
    if (this.delayedFull.has(key)) return;
    this.delayedFull.add(key);
    void this.opts.clock.sleep(wait, this.stopping.signal).then(() => {
      this.delayedFull.delete(key);
      if (this.stopping.signal.aborted || this.dropped(key) || !this.snapshot) return;
      this.queue.enqueue(key, this.snapshot.commit);
    });
  }

  private keysOf(cluster: string): string[] {
    return [...this.clusterOf].filter(([, c]) => c === cluster).map(([key]) => key);
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
    let snapshot: SourceSnapshot;
    try {
      snapshot = await this.opts.source.sync();
      this.sourceError = undefined;
    } catch (err) {
      this.sourceError = resultFromError(err).error;
      this.opts.log.error({ err: this.sourceError }, 'source sync failed');
      return;
    } finally {
      if (this.phase === 'starting') this.phase = 'running';
      this.showState();
    }
    // In worktree mode the id stays `<HEAD>-dirty` while files change: every change is new input.
    if (!snapshot.worktree && snapshot.commit === this.snapshot?.commit) return;
    this.snapshot = snapshot;
    this.opts.log.info({ commit: snapshot.commit }, 'new commit');
    const dirs = discoverClusterDirs(this.opts.paths.map((p) => path.join(snapshot.dir, p)));
    this.clashes = this.ownerClashesIn(snapshot.dir, dirs);
    const keys = new Set(dirs.map((dir) => path.relative(snapshot.dir, dir) || '.'));
    for (const key of this.lifecycles.keys()) if (!keys.has(key)) this.dropKey(key);
    for (const key of keys) {
      this.fullOwed.add(key);
      this.queue.enqueue(key, snapshot.commit);
    }
  }

  /**
   * A cluster directory that left the repository is no longer reconciled: its queue entry, lifecycle,
   * status and per-cluster metric series go (otherwise it would stay stalled on a directory that no
   * longer loads, and `status` would never be all Ready). Its AWS resources are left as they are:
   * nothing is deleted because a directory disappeared.
   */
  private dropKey(key: string): void {
    this.queue.forget(key);
    this.opts.events?.release(key);
    this.hinted.delete(key);
    this.fullOwed.delete(key);
    this.lastFull.delete(key);
    this.applied.delete(key);
    for (const id of [...this.failedRollouts.keys()])
      if (id.startsWith(`${key}/service/`)) this.failedRollouts.delete(id);
    this.lifecycles.get(key)?.stop();
    this.lifecycles.delete(key);
    const cluster = this.clusterOf.get(key) ?? key;
    this.clusterOf.delete(key);
    if (![...this.clusterOf.values()].includes(cluster)) {
      this.opts.status.removeCluster(cluster);
      this.opts.metrics.forgetCluster(cluster);
    }
    this.opts.log.info(
      { dir: key, cluster },
      'cluster directory left the repository: no longer reconciled; its AWS resources are left as they are',
    );
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

  private async reconcile(key: string): Promise<ClusterReconcile> {
    const started = this.opts.clock.now();
    const snapshot = this.snapshot;
    // A newer commit may have arrived: reconcile what is current (the queue enqueued it anyway).
    const commit = snapshot?.commit;
    const reconcileId = newReconcileId();
    const scope = commit === undefined ? undefined : this.takeScope(key, commit, started);
    const log = this.opts.log.child({
      reconcileId,
      commit,
      dir: key,
      ...(scope ? { services: [...scope.services].sort() } : {}),
    });
    // A directory whose specs do not load is reported under the cluster it last loaded as.
    let cluster = this.clusterOf.get(key) ?? key;
    const finish = (result: ReconcileResult, record: StatusRecord): ClusterReconcile => ({
      ...result,
      report: { cluster, commit, seconds: (this.opts.clock.now() - started) / 1000, record, log },
    });
    if (!snapshot) {
      const error = 'no source snapshot yet';
      return finish({ kind: 'transient', error }, { failure: error });
    }
    try {
      const loaded = await loadClusterDir(path.join(snapshot.dir, key), {
        region: this.opts.defaultRegion,
        env: this.opts.env,
        ...(this.opts.accountId ? { accountId: this.opts.accountId } : {}),
      });
      // The directory left the repository while this run read it: nothing of it may come back.
      if (this.dropped(key)) return finish({ kind: 'done' }, { interrupted: true });
      if (loaded.state) {
        // Masked in logs and /status from now on (telemetry/secret-mask.ts).
        maskSecretValues(desiredSecretValues(loaded.state));
        cluster = loaded.state.cluster.name;
        this.clusterOf.set(key, cluster);
      }
      this.opts.status.beginReconcile(cluster, snapshot.commit);
      // Fail closed below: AWS stays as the last good commit left it; a new commit is needed.
      const clash = this.clashes.get(key);
      if (clash && loaded.state)
        return finish({ kind: 'terminal', error: clash.message }, { errors: [clash] });
      if (!loaded.state) {
        const error = `${loaded.errors.length} spec error(s): nothing applied`;
        return finish({ kind: 'terminal', error }, { errors: loaded.errors });
      }
      const region = loaded.state.cluster.region ?? this.opts.defaultRegion;
      if (!region) {
        const error = 'no region: set region in cluster.yaml, or AWS_REGION for the controller';
        return finish({ kind: 'terminal', error }, { failure: error });
      }
      const ports = await this.opts.portsFor(region);
      const plan = await planDesiredState(
        { ...loaded.state, commit: snapshot.commit },
        ports,
        { failedRollouts: this.failedRolloutsOf(key, snapshot.commit) },
        scope?.services,
      );
      if (this.dropped(key)) return finish({ kind: 'done' }, { interrupted: true });
      if (plan.errors.length > 0) {
        const error = `${plan.errors.length} plan error(s): nothing applied`;
        return finish({ kind: 'terminal', error }, { errors: plan.errors });
      }
      this.countDrift(key, cluster, snapshot.commit, plan, log);
      // A narrowed plan left the rest of the cluster unread: what prune keeps is not known.
      if (!scope) this.reportKept(cluster, plan, log);
      const results = await applyPlan(plan, ports);
      // The action lines carry reconcileId and commit themselves.
      logActionResults(
        this.opts.log.child({ dir: key }),
        { reconcileId, commit: snapshot.commit, cluster },
        results,
      );
      const outcome = outcomeOfApply(results, this.opts.pendingRequeueMs ?? 30_000, log);
      const { result } = outcome;
      // Dropped during the apply: its writes are done and logged, but no follower, consumer or
      // bookkeeping may bring the directory back (its result is ignored, see onKeyEvent).
      if (this.dropped(key)) return finish(result, outcome.record);
      if (result.kind === 'done' || result.kind === 'requeue')
        this.follow(key, cluster, snapshot.commit, results, ports, log);
      if (scope) {
        this.opts.metrics.observeEventToReconcile((this.opts.clock.now() - scope.since) / 1000);
        const record =
          'results' in outcome.record ? { ...outcome.record, partial: true as const } : outcome.record;
        // The full resync stays due when it was: a narrowed run does not push it back.
        const full = (this.lastFull.get(key) ?? started) + this.resyncMs - this.opts.clock.now();
        return finish(result.kind === 'done' ? { kind: 'done', resyncInMs: full } : result, record);
      }
      if (result.kind === 'done' || result.kind === 'requeue') {
        this.lastFull.set(key, started);
        // Something is still pending (a drain, a target group): its follow-up must plan everything.
        if (result.kind === 'requeue') this.fullOwed.add(key);
        // After the apply: an owned event queue exists from the first successful run on.
        this.opts.events?.configure(key, cluster, region, loaded.state.cluster.events?.queue);
      } else {
        this.fullOwed.add(key);
      }
      return finish(result, outcome.record);
    } catch (err) {
      const result = resultFromError(err);
      if (!scope && !this.dropped(key)) this.fullOwed.add(key);
      return finish(result, { failure: result.error });
    }
  }

  /** The directory left the repository (dropKey) while a run of it was in flight. */
  private dropped(key: string): boolean {
    return !this.lifecycles.has(key);
  }

  /**
   * What this run of `key` looks at: only the services ECS events named (see `hint`), or everything
   * (undefined) when the commit was not applied yet, a full run is owed, or the full resync is due.
   */
  private takeScope(
    key: string,
    commit: string,
    now: number,
  ): { services: ReadonlySet<string>; since: number } | undefined {
    const hinted = this.hinted.get(key);
    this.hinted.delete(key);
    const owed = this.fullOwed.delete(key);
    const last = this.lastFull.get(key);
    if (!hinted || owed || this.applied.get(key)?.commit !== commit) return undefined;
    if (last === undefined || now - last >= this.resyncMs) return undefined;
    return hinted;
  }

  /** The queue's events for one key drive that key's lifecycle machine. */
  private onKeyEvent(key: string, event: KeyEvent<ClusterReconcile>): void {
    // A run of a dropped directory that was in flight: its result belongs to nothing any more.
    if (event.type === 'settled' && !this.lifecycles.has(key)) return;
    let lifecycle = this.lifecycles.get(key);
    if (!lifecycle) {
      lifecycle = createClusterLifecycle(this.clusterOf.get(key) ?? key);
      this.lifecycles.set(key, lifecycle);
    }
    if (event.type === 'queued') lifecycle.send({ type: 'QUEUED', generation: event.generation });
    else if (event.type === 'started') lifecycle.send({ type: 'STARTED', generation: event.generation });
    else this.settled(key, event.result, event.next, lifecycle);
    // Shown once the directory's cluster name is known (a directory that does not load has none).
    const cluster = this.clusterOf.get(key);
    if (cluster) this.opts.status.setLifecycle(cluster, lifecycle.getSnapshot().value);
    this.showState();
  }

  /**
   * The one place a reconcile's result is reported: the cluster's status, the reconcile metrics, the
   * log line of a failure, readiness and the last applied commit, and the cluster's lifecycle. (The
   * queue schedules what follows from the same result: resync, requeue, backoff, or nothing.)
   */
  private settled(
    key: string,
    result: ClusterReconcile | FailedResult,
    next: KeyState,
    lifecycle: ClusterLifecycleActor,
  ): void {
    const report: ReconcileReport =
      'report' in result
        ? result.report
        : {
            cluster: this.clusterOf.get(key) ?? key,
            seconds: 0,
            record: { failure: result.error },
            log: this.opts.log,
          };
    const { cluster, commit, record, log } = report;
    const { status, metrics } = this.opts;
    if ('interrupted' in record) {
      log.info('stopped before the reconcile finished; the next start continues');
    } else {
      if ('results' in record) {
        status.recordReconcile(cluster, {
          commit,
          results: record.results,
          ...(record.partial ? { partial: true } : {}),
        });
      } else if ('errors' in record) status.recordSpecErrors(cluster, record.errors, commit);
      else status.recordFailure(cluster, record.failure, commit);
      metrics.observeReconcile(cluster, OUTCOME_LABEL[result.kind], report.seconds);
    }
    if (result.kind === 'done' || result.kind === 'requeue') {
      if (commit) {
        this.applied.set(key, { commit, cluster });
        metrics.appliedCommit(cluster, commit);
      }
      status.markReady();
    } else if (!('interrupted' in record)) {
      const retryInMs = next.nextRunAt === undefined ? undefined : next.nextRunAt - this.opts.clock.now();
      if (result.kind === 'terminal') {
        log.warn({ err: result.error }, 'reconcile failed: nothing is retried until a new commit');
      } else {
        log.error({ err: result.error, retryInMs }, 'reconcile failed: retrying after a backoff');
      }
    }
    lifecycle.send({
      type: 'SETTLED',
      result,
      cluster,
      at: this.opts.clock.now(),
      ...(next.nextRunAt !== undefined ? { nextRunAt: next.nextRunAt } : {}),
    });
  }

  /** The controller's state in /status, derived from every cluster's lifecycle. */
  private showState(): void {
    this.opts.status.setControllerState(
      describeController({
        phase: this.phase,
        ...(this.snapshot ? { commit: shortCommit(this.snapshot.commit) } : {}),
        ...(this.sourceError ? { sourceError: this.sourceError } : {}),
        clusters: [...this.lifecycles.values()].map((l) => l.getSnapshot()),
      }),
    );
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
    const nudge = new Nudge();
    this.rolloutNudges.set(nudge, { cluster, services: new Set(changed.map((r) => r.name)) });
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
        nudge,
      },
    )
      .then((rollouts) => {
        if (this.stopping.signal.aborted || this.dropped(key)) return;
        for (const r of rollouts) {
          const id = `service/${r.service}`;
          this.opts.status.setRollout(cluster, id, r.state === 'missing' ? 'failed' : r.state, r.reason);
          this.opts.metrics.rollout(cluster, r.state);
          if (r.state === 'completed') continue;
          this.failedRollouts.set(`${key}/${id}`, commit);
          log.error({ resource: id, rollout: r.state }, `rollout ${r.state}: ${r.reason}`);
        }
      })
      .catch((err: unknown) => log.warn({ err: String(err) }, 'could not follow the rollouts'))
      .finally(() => {
        this.followers.delete(follower);
        this.rolloutNudges.delete(nudge);
      });
    this.followers.add(follower);
  }

  /** The services of a directory whose rollout failed for this commit (the planner holds them). */
  private failedRolloutsOf(key: string, commit: string): string[] {
    const prefix = `${key}/service/`;
    return [...this.failedRollouts]
      .filter(([id, failedFor]) => id.startsWith(prefix) && failedFor === commit)
      .map(([id]) => id.slice(prefix.length));
  }
}
