/**
 * The `events` of a described service, as ECS keeps them: newest first, at most the last 100. ECS
 * posts "has started N tasks" when a deployment starts its tasks, "deployment completed" and "has
 * reached a steady state" when it settles, and "has reached a steady state" again every 6 hours
 * while nothing changes, so a service that has run for a month answers with 100 events (some 20 KB
 * per service in the response). Derived from the stored deployments and the clock, not stored.
 */
import { createHash } from 'node:crypto';
import type { ServiceEvent } from '@aws-sdk/client-ecs';
import type { StoredService } from './sandbox-state';

export const SERVICE_EVENTS_KEPT = 100;
const STEADY_STATE_EVERY_MS = 6 * 60 * 60_000;

export function serviceEvents(s: StoredService, now: number): ServiceEvent[] {
  const name = s.service.serviceName ?? '';
  const arn = s.service.serviceArn ?? '';
  const out: { at: number; kind: number; message: string; of: string }[] = [];
  const oldestFirst = [...s.deployments].sort((a, b) => a.createdAt - b.createdAt);
  for (const d of oldestFirst) {
    const count = d.desiredCount ?? 0;
    if (count > 0)
      out.push({
        at: d.createdAt,
        kind: 1,
        of: d.id ?? '',
        message: `(service ${name}) has started ${count} tasks.`,
      });
  }
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'COMPLETED' && primary.runningCount === primary.desiredCount) {
    const since = Math.max(primary.updatedAt, s.scaledAt);
    out.push({
      at: primary.updatedAt,
      kind: 2,
      of: primary.id ?? '',
      message: `(service ${name}) (deployment ${primary.id ?? ''}) deployment completed.`,
    });
    // Only the newest 100 are kept: the steady-state ones before those are never shown.
    const first = Math.max(since, now - STEADY_STATE_EVERY_MS * SERVICE_EVENTS_KEPT);
    const skip = Math.ceil((first - since) / STEADY_STATE_EVERY_MS);
    for (let at = since + skip * STEADY_STATE_EVERY_MS; at <= now; at += STEADY_STATE_EVERY_MS) {
      out.push({ at, kind: 3, of: '', message: `(service ${name}) has reached a steady state.` });
    }
  }
  // A stable UUID-shaped id per event: a hash of the service (and of the deployment, for the
  // events of one), the event's kind and its time. Newest first; at one time, as ECS lists them.
  const hashOf = (key: string) => createHash('md5').update(key).digest('hex');
  const service = hashOf(arn);
  return out
    .sort((a, b) => b.at - a.at || b.kind - a.kind)
    .slice(0, SERVICE_EVENTS_KEPT)
    .map((e) => {
      const h = e.of ? hashOf(`${arn}/${e.of}`) : service;
      return {
        id: `${h.slice(0, 8)}-${h.slice(8, 12)}-000${e.kind}-${h.slice(16, 20)}-${e.at.toString(16).padStart(12, '0').slice(-12)}`,
        createdAt: new Date(e.at),
        message: e.message,
      };
    });
}
