/** `log-configuration`: without one, a container's output stays on the instance, or is lost on Fargate. */
import type { LintRule, RuleFinding } from './lint-types';
import { containersOf } from './containers';

export const logConfiguration: LintRule = {
  id: 'log-configuration',
  taskdef(td) {
    const out: RuleFinding[] = [];
    for (const c of containersOf(td.body)) {
      if (c.def.logConfiguration !== undefined) continue;
      out.push({
        path: [...c.path, 'logConfiguration'],
        message:
          `container "${c.name}" has no logConfiguration: its output is lost with the instance (on ` +
          'Fargate, with the task); add one, e.g. logDriver "awslogs"',
      });
    }
    return out;
  },
};
