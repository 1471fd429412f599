import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EcsEventKind } from '../model/ecs-events';
import type { ResyncResult, ViewSize } from '../model/ecs-view';

/** Every metric name starts with this (Prometheus: one namespace per application). */
export const METRIC_PREFIX = 'ecs_gitops_';

/** Result of one cluster's reconcile, as counted in `ecs_gitops_reconcile_total`. */
export type ReconcileOutcomeLabel = 'success' | 'error' | 'stalled';

/**
 * Reconcile durations go from a no-op round (tens of milliseconds against a warm cache) to a
 * rollout waited for (minutes; ten at most).
 */
export const RECONCILE_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Why an ECS event changed nothing: an old version, not a valid ECS event, or a cluster not managed here. */
export type EventIgnoredReason = 'stale' | 'malformed' | 'unmanaged' | 'view_full';

/**
 * From an ECS event to the reconcile it caused: queue delivery and the work queue's wait (sub-second),
 * up to a reconcile that had to wait behind a long one (minutes).
 */
export const EVENT_TO_RECONCILE_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/**
 * The controller's Prometheus metrics, on their own registry (so tests and several controllers in
 * one process do not collide), with prom-client's default process metrics (RSS, CPU, event loop,
 * GC) on the same registry. `/metrics` serves `registry.metrics()`.
 */
export class ControllerMetrics {
  readonly reconcileTotal: Counter<'cluster' | 'result'>;
  readonly reconcileDuration: Histogram<'cluster'>;
  readonly awsRequests: Counter<'service' | 'operation' | 'code'>;
  readonly awsThrottled: Counter<'service' | 'operation'>;
  readonly driftDetected: Counter<'cluster' | 'kind'>;
  readonly lastAppliedCommit: Gauge<'cluster' | 'commit'>;
  readonly queueDepthGauge: Gauge;
  readonly prunableGauge: Gauge<'cluster' | 'kind'>;
  readonly rollouts: Counter<'cluster' | 'result'>;
  readonly eventsReceived: Counter<'type'>;
  readonly eventsIgnored: Counter<'reason'>;
  readonly viewEntries: Gauge<'kind'>;
  readonly viewResyncFixed: Counter<'cluster' | 'kind' | 'change'>;
  readonly eventToReconcile: Histogram;
  readonly queueLag: Gauge;
  readonly leader: Gauge;
  readonly leaderTransitions: Counter<'role'>;
  /** The view whose size `ecs_gitops_view_entries` reports at each scrape. */
  private viewSize?: () => ViewSize;
  /** The commit currently exported per cluster, so that the previous label set can be removed. */
  private readonly commits = new Map<string, string>();

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    this.reconcileTotal = new Counter({
      name: `${METRIC_PREFIX}reconcile_total`,
      help: 'Cluster reconciles finished, by result (success, error, stalled).',
      labelNames: ['cluster', 'result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: `${METRIC_PREFIX}reconcile_duration_seconds`,
      help: 'Duration of one cluster reconcile, from reading specs to the last action, in seconds.',
      labelNames: ['cluster'],
      buckets: RECONCILE_DURATION_BUCKETS,
      registers,
    });
    this.awsRequests = new Counter({
      name: `${METRIC_PREFIX}aws_requests_total`,
      help: 'AWS API calls (after retries), by service, operation and result code ("OK" or the AWS error code).',
      labelNames: ['service', 'operation', 'code'],
      registers,
    });
    this.awsThrottled = new Counter({
      name: `${METRIC_PREFIX}aws_throttled_requests_total`,
      help: 'AWS API attempts answered throttled (wasted calls, retried), by service and operation.',
      labelNames: ['service', 'operation'],
      registers,
    });
    this.driftDetected = new Counter({
      name: `${METRIC_PREFIX}drift_detected_total`,
      help: 'Resources found different from their spec without a new commit (drift), by kind of resource.',
      labelNames: ['cluster', 'kind'],
      registers,
    });
    this.lastAppliedCommit = new Gauge({
      name: `${METRIC_PREFIX}last_applied_commit_info`,
      help: 'The commit last applied successfully to each cluster (value always 1).',
      labelNames: ['cluster', 'commit'],
      registers,
    });
    this.queueDepthGauge = new Gauge({
      name: `${METRIC_PREFIX}queue_depth`,
      help: 'Reconcile requests waiting in the controller queue.',
      registers,
    });
    this.prunableGauge = new Gauge({
      name: `${METRIC_PREFIX}prunable_resources`,
      help: 'Resources ecs-gitops owns that no spec asks for any more but that prune: false keeps, by kind (as of the last reconcile).',
      labelNames: ['cluster', 'kind'],
      registers,
    });
    this.rollouts = new Counter({
      name: `${METRIC_PREFIX}rollouts_total`,
      help: 'Deployments the controller followed to their end, by result (completed, failed, timeout, missing).',
      labelNames: ['cluster', 'result'],
      registers,
    });
    this.eventsReceived = new Counter({
      name: `${METRIC_PREFIX}events_received_total`,
      help: 'Valid ECS events received from the event queue, by type (task, instance, serviceAction, deployment).',
      labelNames: ['type'],
      registers,
    });
    this.eventsIgnored = new Counter({
      name: `${METRIC_PREFIX}events_ignored_total`,
      help: "Events that changed nothing, by reason: stale (not newer than the view), malformed, unmanaged (a cluster not managed here), view_full (a new task or instance not stored: too many that no full read confirmed yet; a task's hint still counts).",
      labelNames: ['reason'],
      registers,
    });
    const view = () => this.viewSize;
    this.viewEntries = new Gauge({
      name: `${METRIC_PREFIX}view_entries`,
      help: 'Entries in the local view of the clusters, by kind (task, instance); stopped tasks included until retention drops them.',
      labelNames: ['kind'],
      registers,
      collect() {
        const size = view()?.();
        if (!size) return;
        this.set({ kind: 'task' }, size.tasks);
        this.set({ kind: 'instance' }, size.instances);
      },
    });
    this.viewResyncFixed = new Counter({
      name: `${METRIC_PREFIX}view_resync_fixed_total`,
      help: 'View entries corrected by the full resync (events lost or not yet arrived), by kind and change (added, changed, removed).',
      labelNames: ['cluster', 'kind', 'change'],
      registers,
    });
    this.queueLag = new Gauge({
      name: `${METRIC_PREFIX}event_queue_lag_seconds`,
      help: 'Age of the oldest message of the last batch received from each ECS event queue (0 when it was empty).',
      labelNames: ['queue'],
      registers,
    });
    this.eventToReconcile = new Histogram({
      name: `${METRIC_PREFIX}event_to_reconcile_seconds`,
      help: 'Seconds from an ECS event (its time) to the end of the reconcile it asked for (its corrective writes done).',
      buckets: EVENT_TO_RECONCILE_BUCKETS,
      registers,
    });
    this.leader = new Gauge({
      name: `${METRIC_PREFIX}leader`,
      help: 'Whether this replica is the one that reconciles (1) or a follower standing by (0); 1 without --leader-election.',
      registers,
    });
    this.leaderTransitions = new Counter({
      name: `${METRIC_PREFIX}leader_transitions_total`,
      help: 'Changes of this replica’s leader-election role, by the role entered (follower, acquiring, leader, releasing, stopped).',
      labelNames: ['role'],
      registers,
    });
    collectDefaultMetrics({ register: registry });
  }

  /** The replica's leader-election role changed (or, without election, `leader` at start). */
  leadershipRole(role: string, counted = true): void {
    this.leader.set(role === 'leader' ? 1 : 0);
    if (counted) this.leaderTransitions.inc({ role });
  }

  eventReceived(type: EcsEventKind): void {
    this.eventsReceived.inc({ type });
  }

  eventIgnored(reason: EventIgnoredReason): void {
    this.eventsIgnored.inc({ reason });
  }

  /** `ecs_gitops_view_entries` reads the view's size at each scrape. */
  watchView(size: () => ViewSize): void {
    this.viewSize = size;
  }

  /** What one full resync of a cluster corrected (zeros included, so each series exists from the start). */
  resyncFixed(cluster: string, result: ResyncResult): void {
    for (const [kind, counts] of [
      ['task', result.tasks],
      ['instance', result.instances],
    ] as const) {
      for (const change of ['added', 'changed', 'removed'] as const)
        this.viewResyncFixed.inc({ cluster, kind, change }, counts[change]);
    }
  }

  eventQueueLag(queue: string, seconds: number): void {
    this.queueLag.set({ queue }, seconds);
  }

  /** The queue is no longer consumed: its lag series goes (a frozen value would look current). */
  forgetEventQueue(queue: string): void {
    this.queueLag.remove({ queue });
  }

  observeEventToReconcile(seconds: number): void {
    this.eventToReconcile.observe(Math.max(0, seconds));
  }

  observeReconcile(cluster: string, result: ReconcileOutcomeLabel, seconds: number): void {
    this.reconcileTotal.inc({ cluster, result });
    this.reconcileDuration.observe({ cluster }, seconds);
  }

  /** `code`: "OK" for a success, else the AWS error code. Fits `CallLog.onRequest` as is. */
  awsRequest(service: string, operation: string, code: string): void {
    this.awsRequests.inc({ service, operation, code });
  }

  /** Fits `CallLog.subscribeThrottled` as is. */
  awsThrottledRequest(service: string, operation: string): void {
    this.awsThrottled.inc({ service, operation });
  }

  drift(cluster: string, kind: string, count = 1): void {
    this.driftDetected.inc({ cluster, kind }, count);
  }

  /** Exports only the latest commit per cluster: the previous commit's series disappears. */
  appliedCommit(cluster: string, commit: string): void {
    const previous = this.commits.get(cluster);
    if (previous !== undefined && previous !== commit)
      this.lastAppliedCommit.remove({ cluster, commit: previous });
    this.commits.set(cluster, commit);
    this.lastAppliedCommit.set({ cluster, commit }, 1);
  }

  /** A cluster no longer managed: its per-cluster info series goes away (counters stay, by convention). */
  forgetCluster(cluster: string): void {
    const previous = this.commits.get(cluster);
    if (previous !== undefined) this.lastAppliedCommit.remove({ cluster, commit: previous });
    this.commits.delete(cluster);
  }

  /** What `prune: false` kept in the last reconcile of a cluster, by kind (a zero resets the series). */
  prunable(cluster: string, byKind: Record<string, number>): void {
    for (const kind of [
      'service',
      'dnsRecord',
      'revisions',
      'listenerRule',
      'targetGroup',
      'eventRule',
      'eventQueue',
    ]) {
      this.prunableGauge.set({ cluster, kind }, byKind[kind] ?? 0);
    }
  }

  rollout(cluster: string, result: string): void {
    this.rollouts.inc({ cluster, result });
  }

  queueDepth(n: number): void {
    this.queueDepthGauge.set(n);
  }

  /** The exposition text served at `/metrics`. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
