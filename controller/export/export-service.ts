/** A live service as the body of a `.service` spec (without its taskDefinition and tags). */
import type { Service } from '../model/aws-types';
import type { Obj } from '../plan/json-util';
import { liveServiceFields, withoutServiceDefaults } from '../plan/normalize-service';

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
