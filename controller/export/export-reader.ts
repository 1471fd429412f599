/** Reads what `export` needs, through the reader's batched and paginated calls. Reads only. */
import { parseTaskDefinitionArn, serviceNameFromArn } from '../model/naming';
import type { ObservedTaskDefinition } from '../model/observed';
import { collectPages, tokenField } from '../aws/paginate';
import { clusterOwner } from './export-families';
import type { LiveCluster } from './export-cluster';
import { listingPrefix } from './export-prefix';
import type { EcsPort } from '../aws/ecs-port';
import type { EcsReader } from '../observe/ecs-reader';
import { type LiveBalancer, type LiveTargetGroups, serviceTargetGroups } from './export-load-balancer';
import { type ClusterOwner } from './export-families';
import { type ExportElbv2, readOwnedDetails } from './export-elb-reader';
import type { TargetGroup } from '../model/aws-types';

/** The reads export makes: the reader's (batched, cached), and one listing straight from the port. */
export interface ExportPorts {
  reader: EcsReader;
  ecs: Pick<EcsPort, 'listTaskDefinitionFamilies'>;
  /**
   * Read only when a service has a target group (a getter may build it on first use); the calls
   * past DescribeTargetGroups and DescribeLoadBalancers only for a cluster ecs-gitops owns.
   */
  elbv2?: ExportElbv2;
}

export interface ExportReadOptions {
  /** `--prefix`. */
  prefix?: string;
  /** `--families [PREFIX]`: true without a prefix (the export's). */
  families?: string | true;
}

/** AWS: ListTaskDefinitionFamilies returns at most 100 per page. */
const FAMILIES_PAGE = 100;
/** ARNs per DescribeTargetGroups / DescribeLoadBalancers call (ELBv2 takes at most 20 balancer ARNs). */
const ELB_BATCH = 20;

/**
 * The cluster, every ACTIVE service in it (a DRAINING one is being deleted: exporting it would bring
 * it back) (ListServices pages of 100, DescribeServices batches of 10, with tags), and the newest
 * ACTIVE revision of each family those services run (one DescribeTaskDefinition with tags per
 * family). For a cluster ecs-gitops owns, or with `--families`, also the families under the prefix
 * that no service runs (ListTaskDefinitionFamilies ACTIVE, pages of 100, and one
 * DescribeTaskDefinition with tags each). undefined: the cluster does not exist or is INACTIVE.
 */
export async function readLiveCluster(
  ports: ExportPorts,
  clusterName: string,
  region: string,
  opts: ExportReadOptions = {},
): Promise<LiveCluster | undefined> {
  const { reader, ecs } = ports;
  const found = await reader.describeCluster(clusterName);
  if (!found) return undefined;
  const arns = await reader.listAllServiceArns(clusterName);
  const byName = await reader.describeServicesBatched(clusterName, arns.map(serviceNameFromArn));
  const services = [...byName.values()].filter(({ service }) => service.status === 'ACTIVE');
  const familyNames = new Set<string>();
  for (const { service } of services) {
    const family = service.taskDefinition && parseTaskDefinitionArn(service.taskDefinition)?.family;
    if (family) familyNames.add(family);
  }
  const families = new Map(await newest(reader, [...familyNames]));
  const groups = serviceTargetGroups(services);
  const owner = clusterOwner(found.cluster);
  const targetGroups =
    groups.length > 0 && ports.elbv2 ? await readTargetGroupsOrWhy(ports.elbv2, groups, owner) : undefined;
  const live: LiveCluster = {
    cluster: found.cluster,
    region,
    services,
    families,
    ...(targetGroups ? { targetGroups } : {}),
  };
  if (opts.families === undefined && !owner) return live;

  const prefix = listingPrefix(live, {
    ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
    ...(typeof opts.families === 'string' ? { familiesPrefix: opts.families } : {}),
  });
  const listed = await collectPages(
    (nextToken) =>
      ecs.listTaskDefinitionFamilies({
        familyPrefix: `${prefix}-`,
        status: 'ACTIVE',
        maxResults: FAMILIES_PAGE,
        ...tokenField(nextToken),
      }),
    (p) => p.families,
  );
  const serviceless = listed.filter((f) => !families.has(f));
  return { ...live, serviceless: new Map(await newest(reader, serviceless)) };
}

function newest(
  reader: EcsReader,
  families: readonly string[],
): Promise<(readonly [string, ObservedTaskDefinition | null])[]> {
  return Promise.all([...families].sort().map(async (f) => [f, await reader.latestRevision(f)] as const));
}

/**
 * ELBv2 only adds `loadBalancer:` to the export: a read it refuses (no permission for it in the
 * export's policy, a backend without it) costs that section, with a note, not the export.
 */
async function readTargetGroupsOrWhy(
  elbv2: ExportElbv2,
  arns: readonly string[],
  owner: ClusterOwner | undefined,
): Promise<LiveTargetGroups> {
  try {
    return await readTargetGroups(elbv2, arns, owner);
  } catch (err) {
    const e = err as { name?: string; message?: string };
    return {
      balancers: [],
      detached: [],
      missing: [],
      unreadable: `${e.name ?? 'Error'}: ${e.message ?? ''}`,
    };
  }
}

/**
 * The balancers that forward to these target groups (DescribeTargetGroups, then DescribeLoadBalancers
 * for their names and types, 20 ARNs a call). A target group ELBv2 does not know is `missing`
 * (then the others are not read: export writes no loadBalancer: anyway). For a cluster ecs-gitops
 * owns, behind one Application Load Balancer, also what tells which of them are its own and how
 * they route (export-elb-reader.ts).
 */
async function readTargetGroups(
  elbv2: ExportElbv2,
  arns: readonly string[],
  owner: ClusterOwner | undefined,
): Promise<LiveTargetGroups> {
  const byBalancer = new Map<string, string[]>();
  const detached: string[] = [];
  const described: TargetGroup[] = [];
  for (let i = 0; i < arns.length; i += ELB_BATCH) {
    const batch = arns.slice(i, i + ELB_BATCH);
    let found;
    try {
      found = await elbv2.describeTargetGroups({ TargetGroupArns: batch });
    } catch (err) {
      if ((err as { name?: string }).name !== 'TargetGroupNotFoundException') throw err;
      return { balancers: [], detached: [], missing: batch };
    }
    for (const tg of found.TargetGroups ?? []) {
      described.push(tg);
      const lbs = tg.LoadBalancerArns ?? [];
      if (lbs.length === 0 && tg.TargetGroupArn) detached.push(tg.TargetGroupArn);
      for (const lb of lbs) byBalancer.set(lb, [...(byBalancer.get(lb) ?? []), tg.TargetGroupArn ?? '']);
    }
  }
  const balancers: LiveBalancer[] = [];
  const raw = [];
  const lbArns = [...byBalancer.keys()].sort();
  for (let i = 0; i < lbArns.length; i += ELB_BATCH) {
    const out = await elbv2.describeLoadBalancers({ LoadBalancerArns: lbArns.slice(i, i + ELB_BATCH) });
    for (const lb of out.LoadBalancers ?? []) {
      if (!lb.LoadBalancerArn) continue;
      raw.push(lb);
      balancers.push({
        arn: lb.LoadBalancerArn,
        name: lb.LoadBalancerName ?? '',
        type: lb.Type ?? 'application',
        targetGroupArns: (byBalancer.get(lb.LoadBalancerArn) ?? []).sort(),
      });
    }
  }
  const out: LiveTargetGroups = { balancers, detached: detached.sort(), missing: [] };
  // Only one Application Load Balancer can become a cluster's loadBalancer: (and only then do the
  // owned pieces matter).
  if (owner && raw.length === 1 && balancers[0].type === 'application' && detached.length === 0) {
    const details = await readOwnedDetails(elbv2, raw[0], described, owner);
    balancers[0].details = details.balancer;
    out.groups = details.groups;
  }
  return out;
}
