import type { EcsPort } from '../aws/ecs-port';
import type { EcsReader } from '../aws/ecs-reader';
import type { DesiredState } from '../model/desired';
import { planCluster } from '../plan/planner';
import type { ActionResult, Plan } from '../plan/plan-types';
import type { ApplyListener } from './apply-listener';
import { executePlan } from './executor';

export interface ClusterPorts {
  ecs: EcsPort;
  reader: EcsReader;
}

/** Observe, then plan: everything `diff` needs. Reads only. */
export async function planDesiredState(desired: DesiredState, ports: ClusterPorts): Promise<Plan> {
  const observed = await ports.reader.observe(desired);
  return planCluster(desired, observed);
}

/** Runs a plan and keeps the reader's revision cache in step with what was registered. */
export async function applyPlan(
  plan: Plan,
  ports: ClusterPorts,
  listener?: ApplyListener,
): Promise<ActionResult[]> {
  return executePlan(plan, {
    ecs: ports.ecs,
    listener,
    onRegistered: (family, observed) => ports.reader.remember(family, observed),
  });
}
