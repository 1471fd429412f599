/** A live service as the body of a `.service` spec (without its taskDefinition and tags). */
import type { Service } from '../model/aws-types';
import type { Obj } from '../plan/json-util';
import { liveServiceFields, serviceDiff, withoutServiceDefaults } from '../plan/normalize-service';

/**
 * CreateService fields that DescribeServices reports back (the deployment ones from the PRIMARY
 * deployment). Everything else a live service carries is state (counts, events, deployments, ARNs).
 */
const READABLE_FIELDS = [
  'availabilityZoneRebalancing',
  'capacityProviderStrategy',
  'deploymentConfiguration',
  'deploymentController',
  'desiredCount',
  'enableECSManagedTags',
  'enableExecuteCommand',
  'healthCheckGracePeriodSeconds',
  'launchType',
  'loadBalancers',
  'networkConfiguration',
  'placementConstraints',
  'placementStrategy',
  'platformVersion',
  'propagateTags',
  'schedulingStrategy',
  'serviceConnectConfiguration',
  'serviceRegistries',
  'volumeConfigurations',
  'vpcLatticeConfigurations',
];

/**
 * The service-linked role AWS fills in for a service with a load balancer when none was given: a
 * default, not a choice, so it is left out (`role` absent is not compared).
 */
const SERVICE_LINKED_ROLE = /:role\/aws-service-role\/ecs\.amazonaws\.com\//;

/**
 * The spec body of a live service: the fields it was created with as far as AWS reports them, minus
 * the values ecs-gitops takes as default when absent. `desiredCount` is kept (it is only the count
 * a new service starts with; an existing one keeps its own), except on DAEMON services, which have
 * none.
 */
export function serviceSpecBody(live: Service): Obj {
  const fields = liveServiceFields(live);
  const body: Obj = {};
  for (const f of READABLE_FIELDS) if (fields[f] !== undefined) body[f] = fields[f];
  if (typeof live.roleArn === 'string' && !SERVICE_LINKED_ROLE.test(live.roleArn)) body.role = live.roleArn;
  const out = withoutServiceDefaults(body);
  if (out.schedulingStrategy === 'DAEMON') delete out.desiredCount;
  return out;
}

/**
 * The fields in which a live service differs from the one AUTOCREATE.SERVICE creates for `family`
 * under an exported cluster.yaml (no serviceDefaults): [] when the marker alone gives it back. The
 * planner must see no change, and the service must hold nothing a plain CreateService with only a
 * task definition would not give it (AWS picks the launch type). Its count is what it runs now, not
 * a setting, except with `countMatters` (nothing says the marker created it: a count other than the
 * marker's 1 may be the one it was created with, and is kept in a `.service`).
 */
export function autocreates(live: Service, family: string, opts: { countMatters: boolean }): string[] {
  const desired = {
    name: live.serviceName ?? '',
    body: {},
    taskDefinition: { kind: 'family' as const, family },
    tags: {},
    autocreated: true,
    source: { file: '', line: 1, column: 1 },
  };
  const diff = serviceDiff(desired, live.taskDefinition, live);
  const planned = [...diff.changes, ...diff.immutable].map((c) => c.path);
  const extra = Object.keys(serviceSpecBody(live)).filter((k) => !AUTOCREATED_FIELDS.includes(k));
  const count = opts.countMatters && live.desiredCount !== AUTOCREATED_COUNT ? ['desiredCount'] : [];
  return [...new Set([...planned, ...extra, ...count])].sort();
}

/** What a service AUTOCREATE.SERVICE created may show besides the defaults. */
const AUTOCREATED_FIELDS = ['desiredCount', 'launchType'];
/** The count AUTOCREATE.SERVICE starts a service with when cluster.yaml sets none. */
const AUTOCREATED_COUNT = 1;
