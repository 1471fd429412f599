/** `privileged`: a privileged container has root on the host it runs on. */
import type { LintRule, RuleFinding } from './lint-types';
import { containersOf } from './containers';

export const privileged: LintRule = {
  id: 'privileged',
  taskdef(td) {
    const out: RuleFinding[] = [];
    for (const c of containersOf(td.body)) {
      if (c.def.privileged !== true) continue;
      out.push({
        path: [...c.path, 'privileged'],
        message:
          `container "${c.name}" is privileged (root on the host): remove privileged, and add only the ` +
          'capabilities it needs in linuxParameters.capabilities.add',
      });
    }
    return out;
  },
};
