/**
 * `memory-limit`: a container with neither `memory` (hard limit) nor `memoryReservation` (soft
 * limit). On EC2 it may take the instance's memory from every other task there; task-level memory
 * alone does not count. A Fargate-only task definition is exempt when it sets task-level `memory`
 * (Fargate requires it): the task runs alone in its own micro-VM, and that is its hard limit.
 */
import type { LintRule, RuleFinding } from './lint-types';
import { containersOf } from './containers';

function fargateOnly(body: Record<string, unknown>): boolean {
  const compat = body.requiresCompatibilities;
  return Array.isArray(compat) && compat.length > 0 && compat.every((c) => c === 'FARGATE');
}

export const memoryLimit: LintRule = {
  id: 'memory-limit',
  taskdef(td) {
    if (fargateOnly(td.body) && td.body.memory !== undefined) return [];
    const out: RuleFinding[] = [];
    for (const c of containersOf(td.body)) {
      if (c.def.memory !== undefined || c.def.memoryReservation !== undefined) continue;
      out.push({
        path: [...c.path, 'memoryReservation'],
        message:
          `container "${c.name}" sets neither memory nor memoryReservation (it may take all of its ` +
          "instance's memory): set memoryReservation (MiB it is sure to get) or memory (its hard limit)",
      });
    }
    return out;
  },
};
