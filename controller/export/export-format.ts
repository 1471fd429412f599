/**
 * How exported specs are written: JSON, two spaces, and a stable key order, so that exporting the
 * same cluster twice gives the same bytes and a re-export diffs cleanly in git. The fields people
 * look for come first, the way the AWS documentation lists them; the rest, and every nested object,
 * in alphabetical order.
 */
import { isPlainObject, type Obj } from '../plan/json-util';

const TASKDEF_ORDER = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'requiresCompatibilities',
  'runtimePlatform',
  'cpu',
  'memory',
  'ephemeralStorage',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
];

const CONTAINER_ORDER = [
  'name',
  'image',
  'essential',
  'cpu',
  'memory',
  'memoryReservation',
  'portMappings',
  'entryPoint',
  'command',
  'workingDirectory',
  'environment',
  'environmentFiles',
  'secrets',
  'mountPoints',
  'volumesFrom',
  'dependsOn',
  'healthCheck',
  'logConfiguration',
  'dockerLabels',
];

const SERVICE_ORDER = [
  'taskDefinition',
  'desiredCount',
  'launchType',
  'capacityProviderStrategy',
  'platformVersion',
  'schedulingStrategy',
  'networkConfiguration',
  'loadBalancers',
  'healthCheckGracePeriodSeconds',
  'deploymentConfiguration',
  'deploymentController',
];

/** `tags` always last: they are about the resource, not its content. */
const LAST = ['tags'];

export function taskDefinitionJson(body: Obj): string {
  const out = ordered(body, TASKDEF_ORDER);
  if (Array.isArray(body.containerDefinitions)) {
    out.containerDefinitions = body.containerDefinitions.map((c: unknown) =>
      isPlainObject(c) ? ordered(c, CONTAINER_ORDER) : c,
    );
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}

export function serviceJson(body: Obj): string {
  return `${JSON.stringify(ordered(body, SERVICE_ORDER), null, 2)}\n`;
}

/** `first` keys in that order, then the others alphabetically, `tags` last; nested objects sorted. */
function ordered(o: Obj, first: readonly string[]): Obj {
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  const rest = keys.filter((k) => !first.includes(k) && !LAST.includes(k)).sort();
  const out: Obj = {};
  for (const k of [
    ...first.filter((k) => keys.includes(k)),
    ...rest,
    ...LAST.filter((k) => keys.includes(k)),
  ]) {
    out[k] = sorted(o[k]);
  }
  return out;
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (isPlainObject(v)) return ordered(v, []);
  return v;
}
