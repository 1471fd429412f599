import type { Clock } from '../aws/clock';
import type { SqsConsumerPort, SqsReadPort } from '../aws/sqs-port';
import type { EcsView } from '../model/ecs-view';
import { existingQueueName, eventResourceNames, type EventsConfig } from '../model/events';
import { readClusterView, type TaskViewReadPort } from '../observe/task-view-reader';
import { ingestEcsEvent } from '../telemetry/event-intake';
import type { Logger } from '../telemetry/logger';
import type { ControllerMetrics } from '../telemetry/metrics';
import { EventConsumer } from './event-consumer';
import { resultFromError } from './reconcile-result';
import { SqsMessageSource, type QueueRef } from './sqs-message-source';

/** What the event sources need of a region. */
export interface EventPorts {
  sqs: SqsConsumerPort & Pick<SqsReadPort, 'getQueueUrl'>;
  ecs: TaskViewReadPort;
}

/** What the controller tells the event sources about each cluster directory it loaded. */
export interface EventSourceRegistry {
  /** The directory `key` manages `cluster` in `region`, with this `events.queue` (or none). */
  configure(key: string, cluster: string, region: string, queue: EventsConfig['queue'] | undefined): void;
  /** The directory left the repository. */
  release(key: string): void;
}

export interface EventSourcesOptions {
  view: EcsView;
  metrics: ControllerMetrics;
  log: Logger;
  clock: Clock;
  portsFor: (region: string) => Promise<EventPorts>;
  /** An ECS event named a service (a hint: see Controller.hint); `at` is the event's time. */
  hint: (cluster: string, service: string, at?: number) => void;
  /** An ECS event changed something of the whole cluster (an instance joined, left, lost its agent). */
  hintCluster: (cluster: string) => void;
  /** The view is read in full (and corrected) this often per cluster; default 20 minutes. */
  fullResyncMs?: number;
  /** Clusters without `events:` in cluster.yaml use this queue (the `run --events-queue` flag). */
  defaultQueue?: string;
  /** The account the controller works in: events of another account are malformed. */
  accountId?: () => Promise<string>;
}

interface Watched {
  cluster: string;
  region: string;
  /**
   * The queue: its URL, or `region|name` for a queue known by name (a name is unique per Region).
   * One consumer per queue, however many clusters (of any Regions) feed it.
   */
  source: string;
}

/**
 * The ECS event sources of a running controller: one long-polling consumer per queue (clusters may
 * share one), and per watched cluster the local view, read in full on start and every
 * `fullResyncMs` to correct what events missed. Events only update the view and give hints; every
 * write comes from a reconcile that re-read AWS. Started and stopped as the specs say (`events:` in
 * cluster.yaml, or `--events-queue`).
 */
export class EventSources implements EventSourceRegistry {
  private readonly watched = new Map<string, Watched>();
  private readonly consumers = new Map<string, EventConsumer>();
  private readonly resyncs = new Map<string, { stop: AbortController; done: Promise<void> }>();
  private stopped = false;

  constructor(private readonly opts: EventSourcesOptions) {
    opts.metrics.watchView(() => opts.view.size());
  }

  configure(key: string, cluster: string, region: string, queue: EventsConfig['queue'] | undefined): void {
    if (this.stopped) return;
    const ref = queueRef(cluster, queue, this.opts.defaultQueue);
    const before = this.watched.get(key);
    if (!ref) {
      if (before) this.release(key);
      return;
    }
    const source = 'url' in ref ? ref.url : `${region}|${ref.name}`;
    if (before?.source === source && before.cluster === cluster) return;
    if (before) this.release(key);
    this.watched.set(key, { cluster, region, source });
    if (!this.consumers.has(source)) this.startConsumer(source, region, ref);
    if (!this.resyncs.has(cluster)) this.startResync(cluster, region);
  }

  release(key: string): void {
    const w = this.watched.get(key);
    if (!w) return;
    this.watched.delete(key);
    const still = [...this.watched.values()];
    if (!still.some((o) => o.source === w.source)) {
      const consumer = this.consumers.get(w.source);
      this.consumers.delete(w.source);
      void consumer?.stop().then(() => this.opts.metrics.forgetEventQueue(queueName(w.source)));
    }
    if (!still.some((o) => o.cluster === w.cluster)) {
      const r = this.resyncs.get(w.cluster);
      this.resyncs.delete(w.cluster);
      r?.stop.abort();
      this.opts.view.forgetCluster(w.cluster);
    }
  }

  /** Whether events of `cluster` are taken (any of its directories is watched), in `region` if given. */
  manages(cluster: string, region?: string): boolean {
    return [...this.watched.values()].some(
      (w) => w.cluster === cluster && (region === undefined || w.region === region),
    );
  }

  /** The Regions of the clusters whose events come through `source`. */
  private regionsOf(source: string): Set<string> {
    return new Set([...this.watched.values()].filter((w) => w.source === source).map((w) => w.region));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.resyncs.values()) r.stop.abort();
    await Promise.all([
      ...[...this.consumers.values()].map((c) => c.stop()),
      ...[...this.resyncs.values()].map((r) => r.done),
    ]);
    this.consumers.clear();
    this.resyncs.clear();
  }

  private startConsumer(source: string, region: string, ref: QueueRef): void {
    const { log, metrics, view, clock } = this.opts;
    const lazy = new LazySource(() => this.opts.portsFor(region), ref);
    // Until the account is known (one STS call), events are checked against the Regions only.
    let account: string | undefined;
    this.opts.accountId?.().then(
      (id) => (account = id),
      (err: unknown) =>
        log.warn({ err: resultFromError(err).error }, 'account unknown: events not checked against it'),
    );
    const consumer = new EventConsumer({
      source: lazy,
      clock,
      log,
      onLag: (seconds) => metrics.eventQueueLag(lazy.name, seconds),
      handle: (message) => {
        const result = ingestEcsEvent(message.body, {
          view,
          metrics,
          manages: (cluster, eventRegion) => this.manages(cluster, eventRegion),
          expect: { regions: this.regionsOf(source), ...(account ? { account } : {}) },
        });
        if (result.outcome === 'malformed') {
          log.debug({ queue: lazy.name, reason: result.reason }, 'event ignored');
          return;
        }
        if (!('dirty' in result) || !result.dirty) return;
        const { cluster, service } = result.dirty;
        // The event's own time, for the event-to-reconcile histogram; a forged one cannot go back
        // more than an hour (SQS keeps messages for 4 days by default: older is not news anyway).
        const at = Math.max(Date.parse(result.event.time), clock.now() - 3_600_000);
        if (service !== undefined) this.opts.hint(cluster, service, Number.isFinite(at) ? at : undefined);
        else this.opts.hintCluster(cluster);
      },
    });
    this.consumers.set(source, consumer);
    consumer.start();
    log.info({ queue: lazy.name, region }, 'consuming ECS events');
  }

  /** The cluster's view read in full now and every `fullResyncMs`, until released or stopped. */
  private startResync(cluster: string, region: string): void {
    const { clock, log, metrics, view } = this.opts;
    const every = this.opts.fullResyncMs ?? 20 * 60_000;
    const stop = new AbortController();
    const done = (async () => {
      let failures = 0;
      while (!stop.signal.aborted) {
        let waitMs = every;
        try {
          const ports = await this.opts.portsFor(region);
          const began = clock.now();
          const snapshot = await readClusterView(ports.ecs, cluster, stop.signal);
          if (stop.signal.aborted) break;
          const fixed = view.replaceCluster(cluster, snapshot, began);
          metrics.resyncFixed(cluster, fixed);
          if (fixed.fixed > 0) log.info({ cluster, fixed: fixed.fixed }, 'view corrected by the full read');
          failures = 0;
        } catch (err) {
          if (stop.signal.aborted) break;
          failures++;
          waitMs = Math.min(every, 1000 * 2 ** Math.min(failures, 6));
          log.warn({ cluster, err: resultFromError(err).error, retryInMs: waitMs }, 'view read failed');
        }
        await clock.sleep(waitMs, stop.signal);
      }
    })();
    this.resyncs.set(cluster, { stop, done });
  }
}

/** The queue's name as LazySource reports it (the metric label): the URL, or the name. */
function queueName(source: string): string {
  return source.includes('://') ? source : source.slice(source.indexOf('|') + 1);
}

/** The queue a cluster's events come from, if any. */
function queueRef(
  cluster: string,
  queue: EventsConfig['queue'] | undefined,
  defaultQueue: string | undefined,
): QueueRef | undefined {
  if (!queue) return defaultQueue ? { url: defaultQueue } : undefined;
  if (queue.kind === 'owned') return { name: eventResourceNames(cluster).queue };
  if ('url' in queue) return { url: queue.url };
  // arn:aws:sqs:REGION:ACCOUNT:NAME
  const owner = queue.arn.split(':')[4];
  return { name: existingQueueName(queue), ...(owner ? { ownerAccountId: owner } : {}) };
}

/** A MessageSource whose region's ports are built on first use (building them loads the SDK). */
class LazySource {
  private inner?: Promise<SqsMessageSource>;

  constructor(
    private readonly ports: () => Promise<EventPorts>,
    private readonly ref: QueueRef,
  ) {}

  get name(): string {
    return 'url' in this.ref ? this.ref.url : this.ref.name;
  }

  async receive(signal: AbortSignal) {
    return (await this.source()).receive(signal);
  }

  async remove(handles: readonly string[]) {
    return (await this.source()).remove(handles);
  }

  private source(): Promise<SqsMessageSource> {
    this.inner ??= this.ports().then((p) => new SqsMessageSource(p.sqs, this.ref));
    // A failed build is tried again on the next call.
    this.inner.catch(() => (this.inner = undefined));
    return this.inner;
  }
}
