import type { DesiredState } from '../model/desired';

/**
 * The desired state of a few services only: what a reconcile asked for by an ECS event plans (the
 * event named them; the rest of the cluster waits for its resync). Pure.
 *
 * Kept: the named services, the task definition families they run, the cluster itself, and the
 * load balancer when one of them is routed (its target groups are part of the service body). The
 * routes of the other services are planned from nothing (lb-desired.ts skips targets of services
 * not in the state), so they look removed: with `prune: false` they become `orphan` actions without
 * a step, which planDesiredState leaves out of a narrowed plan. Dropped, so that such a plan can
 * only ever create or update the named services: DNS (records are planned from the whole cluster),
 * the event source (it is not a service's) and pruning (`prune: false`, and the reader skips what
 * pruning reads).
 */
export function narrowToServices(desired: DesiredState, names: ReadonlySet<string>): DesiredState {
  const services = desired.services.filter((s) => names.has(s.name));
  const families = new Set(
    services.flatMap((s) => (s.taskDefinition.kind === 'family' ? [s.taskDefinition.family] : [])),
  );
  const routed = (desired.proxyTargets ?? []).some((t) => names.has(t.service));
  const cluster = { ...desired.cluster, prune: false };
  delete cluster.dns;
  delete cluster.events;
  if (!routed) delete cluster.loadBalancer;
  return {
    ...desired,
    cluster,
    taskDefinitions: desired.taskDefinitions.filter((t) => families.has(t.family)),
    services,
    hostnames: [],
    ...(routed && desired.proxyTargets ? { proxyTargets: desired.proxyTargets } : {}),
  };
}
