/** Reads what `export` needs, through the reader's batched and paginated calls. Reads only. */
import { parseTaskDefinitionArn, serviceNameFromArn } from '../model/naming';
import type { ObservedTaskDefinition } from '../model/observed';
import { collectPages, tokenField } from '../aws/paginate';
import { clusterOwner } from './export-families';
import type { LiveCluster } from './export-cluster';
import { listingPrefix } from './export-prefix';
import type { EcsPort } from '../aws/ecs-port';
import type { EcsReader } from '../observe/ecs-reader';

/** The reads export makes: the reader's (batched, cached), and one listing straight from the port. */
export interface ExportPorts {
  reader: EcsReader;
  ecs: Pick<EcsPort, 'listTaskDefinitionFamilies'>;
}

export interface ExportReadOptions {
  /** `--prefix`. */
  prefix?: string;
  /** `--families [PREFIX]`: true without a prefix (the export's). */
  families?: string | true;
}

/** AWS: ListTaskDefinitionFamilies returns at most 100 per page. */
const FAMILIES_PAGE = 100;

/**
 * The cluster, every ACTIVE service in it (a DRAINING one is being deleted: exporting it would bring
 * it back) (ListServices pages of 100, DescribeServices batches of 10, with tags), and the newest
 * ACTIVE revision of each family those services run (one DescribeTaskDefinition with tags per
 * family). For a cluster ecs-gitops owns, or with `--families`, also the families under the prefix
 * that no service runs (ListTaskDefinitionFamilies ACTIVE, pages of 100, and one
 * DescribeTaskDefinition with tags each). undefined: the cluster does not exist or is INACTIVE.
 */
export async function readLiveCluster(
  { reader, ecs }: ExportPorts,
  clusterName: string,
  region: string,
  opts: ExportReadOptions = {},
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
  const families = new Map(await newest(reader, [...familyNames]));
  const live: LiveCluster = { cluster: found.cluster, region, services, families };
  if (opts.families === undefined && !clusterOwner(found.cluster)) return live;

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
