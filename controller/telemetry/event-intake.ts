import {
  type DirtyTarget,
  type EcsEvent,
  type ParseOptions,
  eventTarget,
  parseEcsEvent,
  parseEcsEventJson,
} from '../model/ecs-events';
import type { EcsView } from '../model/ecs-view';
import type { ControllerMetrics } from './metrics';

export interface EventIntakeDeps {
  view: EcsView;
  metrics?: ControllerMetrics;
  /** Whether this controller manages the cluster in that Region; events of others change nothing. */
  manages: (cluster: string, region: string) => boolean;
  /** The account and Region the controller works in: events of others are malformed. */
  expect?: ParseOptions;
}

/**
 * What one queue message did. `dirty` is the only thing the caller acts on: it schedules a re-read
 * (and the usual plan) of that cluster or service. Nothing else of the event reaches a write.
 */
export type IntakeResult =
  | { outcome: 'applied' | 'hint'; event: EcsEvent; dirty?: DirtyTarget }
  | { outcome: 'stale' | 'unmanaged'; event: EcsEvent }
  | { outcome: 'malformed'; reason: string };

/**
 * One SQS message body (a string: JSON text) or its parsed JSON: parsed, counted, applied to the
 * view, and mapped to what it makes dirty. Never throws for the message's content.
 *  - task events update the view; a service's task (group `service:NAME`) makes that service dirty,
 *    a standalone task nothing (no spec describes standalone tasks);
 *  - container instance events update the view; the cluster is dirty only when an instance joined,
 *    left or changed status or agent connection (what the `instances` DNS targets depend on), not for
 *    every change of its free CPU and memory;
 *  - service action and deployment events (no version) make their service dirty.
 * Stale events (duplicates, out of order) make nothing dirty: the view already had newer news.
 */
export function ingestEcsEvent(message: unknown, deps: EventIntakeDeps): IntakeResult {
  const parsed =
    typeof message === 'string'
      ? parseEcsEventJson(message, deps.expect)
      : parseEcsEvent(message, deps.expect);
  if (!parsed.ok) {
    deps.metrics?.eventIgnored('malformed');
    return { outcome: 'malformed', reason: parsed.reason };
  }
  const event = parsed.event;
  deps.metrics?.eventReceived(event.kind);
  const target = eventTarget(event);
  if (!deps.manages(target.cluster, event.region)) {
    deps.metrics?.eventIgnored('unmanaged');
    return { outcome: 'unmanaged', event };
  }
  switch (event.kind) {
    case 'task': {
      const outcome = deps.view.applyTaskEvent(event.task);
      if (outcome === 'stale') return stale(event, deps);
      if (outcome === 'full') deps.metrics?.eventIgnored('view_full');
      return target.service === undefined
        ? { outcome: 'applied', event }
        : { outcome: 'applied', event, dirty: target };
    }
    case 'instance': {
      const d = event.instance;
      const before = deps.view.instance(d.cluster, d.containerInstanceArn);
      const outcome = deps.view.applyInstanceEvent(d);
      if (outcome === 'stale') return stale(event, deps);
      if (outcome === 'full') {
        deps.metrics?.eventIgnored('view_full');
        return { outcome: 'applied', event };
      }
      const after = deps.view.instance(d.cluster, d.containerInstanceArn);
      const membership =
        before === undefined ||
        after === undefined ||
        before.status !== after.status ||
        before.agentConnected !== after.agentConnected;
      return membership ? { outcome: 'applied', event, dirty: target } : { outcome: 'applied', event };
    }
    case 'serviceAction':
    case 'deployment':
      return { outcome: 'hint', event, dirty: target };
  }
}

function stale(event: EcsEvent, deps: EventIntakeDeps): IntakeResult {
  deps.metrics?.eventIgnored('stale');
  return { outcome: 'stale', event };
}
