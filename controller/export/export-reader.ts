/** Reads what `export` needs, through the reader's batched and paginated calls. Reads only. */
import { parseTaskDefinitionArn, serviceNameFromArn } from '../model/naming';
import type { LiveCluster } from './export-cluster';
import type { EcsReader } from '../observe/ecs-reader';

/**
 * The cluster, every ACTIVE service in it (a DRAINING one is being deleted: exporting it would bring
 * it back) (ListServices pages of 100, DescribeServices
 * batches of 10, with tags), and the newest ACTIVE revision of each family those services run (one
 * DescribeTaskDefinition with tags per family). undefined: the cluster does not exist or is INACTIVE.
 */
export async function readLiveCluster(
  reader: EcsReader,
  clusterName: string,
  region: string,
): Promise<LiveCluster | undefined> {
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
  const families = new Map(
    await Promise.all([...familyNames].sort().map(async (f) => [f, await reader.latestRevision(f)] as const)),
  );
  return { cluster: found.cluster, region, services, families };
}
