import type { Ec2Port } from '../aws/ec2-port';
import type { EcsPort } from '../aws/ecs-port';
import type { EcsReader } from '../observe/ecs-reader';
import type { Elbv2Port } from '../aws/elbv2-port';
import { observeDns } from '../observe/dns-observer';
import { readLoadBalancer } from '../observe/elbv2-reader';
import type { ObservedLoadBalancer } from '../model/load-balancer';
import type { ResolvedDnsTarget } from '../model/dns';
import { comparedDnsName } from '../model/dns-names';
import type { Route53Port } from '../aws/route53-port';
import type { Route53Reader } from '../observe/route53-reader';
import type { DesiredState } from '../model/desired';
import { planCluster } from '../plan/planner';
import type { Plan, PlanInputs } from '../plan/plan-types';
import type { ActionResult } from '../model/action-result';
import type { ApplyListener } from './apply-listener';
import { executePlan, type ExecuteOptions } from './executor';
import { PlanRefusedError } from './reconcile-result';

/** What DNS management reads and writes through. */
export interface DnsPorts {
  route53: Route53Port;
  route53Reader: Route53Reader;
  elbv2: Elbv2Port;
  ec2: Ec2Port;
}

/**
 * The ports and readers one cluster's reconcile uses (one set per account and region). Without
 * `dns`, a cluster whose config has `dns:` gets a plan error instead of DNS changes (fail closed).
 */
export interface ClusterPorts {
  ecs: EcsPort;
  reader: EcsReader;
  dns?: DnsPorts;
  /** The shared load balancer's port; a cluster with `loadBalancer:` and no port gets a plan error. */
  elbv2?: Elbv2Port;
}

/**
 * Observe, then plan: everything `diff` needs. Reads only; Route53 only when `dns:` is configured.
 * `inputs`: what the controller knows beyond specs and AWS (see PlanInputs).
 */
export async function planDesiredState(
  desired: DesiredState,
  ports: ClusterPorts,
  inputs: PlanInputs = {},
): Promise<Plan> {
  // Ports are only touched when needed: building the DNS ones loads three more SDK clients.
  const dns = desired.cluster.dns ? ports.dns : undefined;
  const lb = desired.cluster.loadBalancer;
  // Without a port the planner reports the balancer as not read (fail closed).
  const lbRead =
    lb && ports.elbv2
      ? readLoadBalancer(lb, { ownerId: desired.cluster.ownerId, cluster: desired.cluster.name }, ports.elbv2)
      : Promise.resolve(undefined);
  // Alias records to the cluster's own balancer use what was just read, not a second describe.
  const dnsRead = dns
    ? lbRead.then((balancer) =>
        observeDns(
          desired,
          { ecs: ports.ecs, elbv2: dns.elbv2, ec2: dns.ec2 },
          { route53: dns.route53Reader },
          managedTarget(desired, balancer),
        ),
      )
    : Promise.resolve(undefined);
  const [ecsObserved, loadBalancer, dnsObserved] = await Promise.all([
    ports.reader.observe(desired),
    lbRead,
    dnsRead,
  ]);
  const observed = dnsObserved ? { ...ecsObserved, dns: dnsObserved } : ecsObserved;
  return planCluster(desired, loadBalancer ? { ...observed, loadBalancer } : observed, inputs);
}

/** The alias target of `dns.target: { loadBalancer: managed }` from the balancer as read. */
function managedTarget(
  desired: DesiredState,
  read: ObservedLoadBalancer | undefined,
): ResolvedDnsTarget | undefined {
  const target = desired.cluster.dns?.target;
  const b = read?.balancer;
  if (target?.kind !== 'loadBalancer' || !target.managed || !b?.dnsName || !b.canonicalHostedZoneId)
    return undefined;
  return {
    kind: 'alias',
    dnsName: comparedDnsName(b.dnsName),
    hostedZoneId: b.canonicalHostedZoneId,
    dualstack: b.ipAddressType.startsWith('dualstack'),
  };
}

const LOAD_BALANCER_RESOURCES = new Set(['loadBalancer', 'listener', 'targetGroup', 'listenerRule']);

/**
 * Runs a plan and keeps the reader's revision cache in step with what was registered. A plan with
 * errors is never applied (fail closed): callers check `plan.errors` and this refuses too.
 */
export async function applyPlan(
  plan: Plan,
  ports: ClusterPorts,
  listener?: ApplyListener,
  removal: Pick<ExecuteOptions, 'drainWaitMs' | 'clock' | 'pollMs'> = {},
): Promise<ActionResult[]> {
  if (plan.errors.length > 0) throw new PlanRefusedError(plan.errors.length);
  return executePlan(plan, {
    ...removal,
    onRetired: (family, arns) => ports.reader.retired(family, arns),
    ecs: ports.ecs,
    ...(plan.actions.some((a) => a.resource === 'dnsRecord') && ports.dns
      ? { route53: ports.dns.route53 }
      : {}),
    ...(ports.elbv2 && plan.actions.some((a) => LOAD_BALANCER_RESOURCES.has(a.resource))
      ? { elbv2: ports.elbv2 }
      : {}),
    listener,
    onRegistered: (family, observed) => ports.reader.remember(family, observed),
  });
}
