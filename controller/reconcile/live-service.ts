import type { Service } from '../model/aws-types';
import type { EcsReadPort } from '../aws/ecs-port';
import { tagsToMap, type TagMap } from '../model/ownership';

/**
 * One service read again right before a write that depends on it (a scale-down, a delete): with its
 * tags, so that ownership is checked on what AWS holds now. Undefined when it is gone or INACTIVE.
 */
export async function describeLiveService(
  ecs: Pick<EcsReadPort, 'describeServices'>,
  cluster: string,
  name: string,
): Promise<{ service: Service; tags: TagMap } | undefined> {
  const out = await ecs.describeServices({ cluster, services: [name], include: ['TAGS'] });
  const service = out.services?.find((s) => s.serviceName === name);
  if (!service || service.status === 'INACTIVE') return undefined;
  return { service, tags: tagsToMap(service.tags) };
}
