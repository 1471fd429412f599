import type { Service } from '@aws-sdk/client-ecs';
import type { EcsPort } from '../aws/ecs-port';
import type { EcsReader } from '../observe/ecs-reader';
import { serviceNameFromArn } from '../model/naming';
import { ownershipOf, type TagMap } from '../model/ownership';
import type { ActionResult } from '../plan/plan-types';
import type { Clock } from '../aws/clock';
import { describeAwsError } from '../aws/aws-error';

export interface DestroyOptions {
  ecs: EcsPort;
  reader: EcsReader;
  clock: Clock;
  cluster: string;
  ownerId: string;
  /** Scale our services to 0, wait for their tasks to stop, delete them; then the cluster. */
  drain: boolean;
  timeoutMs: number;
  pollMs?: number;
  onProgress?: (message: string) => void;
}

export interface RemainingService {
  name: string;
  status: string;
  owner: 'ours' | 'unowned' | 'other-owner';
}

export type DestroyVerdict = 'deleted' | 'absent' | 'refused' | 'failed';

export interface DestroyReport {
  cluster: string;
  verdict: DestroyVerdict;
  /** Why it refused or failed, in one sentence. */
  reason: string;
  /** Services that kept the cluster alive (refusal), or that were drained. */
  services: RemainingService[];
  results: ActionResult[];
}

/**
 * Destroys a cluster only when that is safe: every check that can refuse runs before the first
 * change, so a refusal changes nothing. Ownership is re-read right before each delete call.
 */
export async function destroyCluster(opts: DestroyOptions): Promise<DestroyReport> {
  const { cluster, reader } = opts;
  const report = (
    verdict: DestroyVerdict,
    reason: string,
    services: RemainingService[] = [],
    results: ActionResult[] = [],
  ) => ({ cluster, verdict, reason, services, results }) satisfies DestroyReport;

  const live = await reader.describeCluster(cluster);
  if (!live) return report('absent', `cluster ${cluster} does not exist`);
  if (ownershipOf(live.tags, opts.ownerId) !== 'ours') {
    return report(
      'refused',
      `cluster ${cluster} was not created by ecs-gitops (owner id ${opts.ownerId}); delete it with the tool that created it`,
    );
  }

  const services = await activeServices(opts);
  if (services.length > 0 && !opts.drain) {
    return report(
      'refused',
      `cluster ${cluster} still has ${services.length} service(s); delete them first or pass --drain`,
      services,
    );
  }
  const foreign = services.filter((s) => s.owner !== 'ours');
  if (foreign.length > 0) {
    return report(
      'refused',
      `cluster ${cluster} has ${foreign.length} service(s) that ecs-gitops does not own; nothing was changed`,
      services,
    );
  }

  // All services drain at once, under one deadline: draining one after the other would multiply
  // the wait by the number of services.
  const deadline = opts.clock.now() + opts.timeoutMs;
  const results: ActionResult[] = await Promise.all(
    services.map((s) => drainAndDelete(opts, s.name, deadline)),
  );
  if (results.some((r) => r.outcome === 'failed')) {
    return report('failed', 'some services could not be drained; the cluster was kept', services, results);
  }
  const left = await waitUntilGone(
    opts,
    services.map((s) => s.name),
    deadline,
  );
  if (left.length > 0) {
    return report(
      'failed',
      `services still draining after the timeout: ${left.join(', ')}; the cluster was kept`,
      services,
      results,
    );
  }

  try {
    const recheck = await reader.describeCluster(cluster);
    if (recheck && ownershipOf(recheck.tags, opts.ownerId) === 'ours') {
      await opts.ecs.deleteCluster({ cluster });
    }
    results.push({ id: `cluster/${cluster}`, resource: 'cluster', name: cluster, outcome: 'deleted' });
    return report('deleted', `cluster ${cluster} deleted`, services, results);
  } catch (err) {
    const { code, message } = describeAwsError(err);
    results.push({
      id: `cluster/${cluster}`,
      resource: 'cluster',
      name: cluster,
      outcome: 'failed',
      errorCode: code,
      message: `${code}: ${message}`,
    });
    return report('failed', `${code}: ${message}`, services, results);
  }
}

async function activeServices(opts: DestroyOptions): Promise<RemainingService[]> {
  const arns = await opts.reader.listAllServiceArns(opts.cluster);
  const names = arns.map(serviceNameFromArn);
  const described = await opts.reader.describeServicesBatched(opts.cluster, names);
  return [...described.values()]
    .map(({ service, tags }) => remaining(service, tags, opts.ownerId))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function remaining(service: Service, tags: TagMap, ownerId: string): RemainingService {
  return {
    name: service.serviceName ?? '?',
    status: service.status ?? '?',
    owner: ownershipOf(tags, ownerId),
  };
}

async function drainAndDelete(opts: DestroyOptions, name: string, deadline: number): Promise<ActionResult> {
  const id = `service/${name}`;
  try {
    const before = (await opts.reader.describeServicesBatched(opts.cluster, [name])).get(name);
    if (!before) return { id, resource: 'service', name, outcome: 'unchanged', message: 'already gone' };
    if (ownershipOf(before.tags, opts.ownerId) !== 'ours') {
      return { id, resource: 'service', name, outcome: 'skipped', message: 'no longer owned by ecs-gitops' };
    }
    // A DAEMON service has no desired count to scale (AWS rejects one); deleting it stops its tasks.
    const daemon = before.service.schedulingStrategy === 'DAEMON';
    if (before.service.status === 'ACTIVE') {
      if (!daemon && (before.service.desiredCount ?? 0) > 0) {
        opts.onProgress?.(`scaling ${name} to 0`);
        await opts.ecs.updateService({ cluster: opts.cluster, service: name, desiredCount: 0 });
      }
      if (!daemon) await waitForNoTasks(opts, name, deadline);
      // Ownership is checked again right before the delete: the service may have changed hands.
      const recheck = (await opts.reader.describeServicesBatched(opts.cluster, [name])).get(name);
      if (!recheck || ownershipOf(recheck.tags, opts.ownerId) !== 'ours') {
        return {
          id,
          resource: 'service',
          name,
          outcome: 'skipped',
          message: 'no longer owned by ecs-gitops',
        };
      }
      opts.onProgress?.(`deleting ${name}`);
      await opts.ecs.deleteService({ cluster: opts.cluster, service: name });
    }
    return { id, resource: 'service', name, outcome: 'deleted', arn: before.service.serviceArn };
  } catch (err) {
    const { code, message } = describeAwsError(err);
    return {
      id,
      resource: 'service',
      name,
      outcome: 'failed',
      errorCode: code,
      message: `${code}: ${message}`,
    };
  }
}

/** Tasks have stopped when the service counts none running or pending (stopping tasks still count). */
async function waitForNoTasks(opts: DestroyOptions, name: string, deadline: number): Promise<void> {
  for (;;) {
    const svc = (await opts.reader.describeServicesBatched(opts.cluster, [name])).get(name)?.service;
    const running = (svc?.runningCount ?? 0) + (svc?.pendingCount ?? 0);
    if (running === 0) return;
    if (opts.clock.now() >= deadline)
      throw new Error(`${name}: ${running} task(s) still running after the timeout`);
    opts.onProgress?.(`waiting for ${running} task(s) of ${name} to stop`);
    await opts.clock.sleep(opts.pollMs ?? 5000);
  }
}

/** DeleteCluster fails while services are DRAINING, so wait until they are INACTIVE. */
async function waitUntilGone(opts: DestroyOptions, names: string[], deadline: number): Promise<string[]> {
  let left = names;
  while (left.length > 0) {
    const live = await opts.reader.describeServicesBatched(opts.cluster, left);
    left = left.filter((n) => live.has(n));
    if (left.length === 0 || opts.clock.now() >= deadline) break;
    opts.onProgress?.(`waiting for ${left.length} service(s) to finish draining`);
    await opts.clock.sleep(opts.pollMs ?? 5000);
  }
  return left;
}
