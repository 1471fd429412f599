/** `readonly-root-filesystem` (off by default): a container that can write its image's files. */
import type { LintRule, RuleFinding } from './lint-types';
import { containersOf } from './containers';

export const readonlyRootFilesystem: LintRule = {
  id: 'readonly-root-filesystem',
  taskdef(td) {
    const out: RuleFinding[] = [];
    for (const c of containersOf(td.body)) {
      if (c.def.readonlyRootFilesystem === true) continue;
      out.push({
        path: [...c.path, 'readonlyRootFilesystem'],
        message:
          `container "${c.name}" can write to its root file system: set readonlyRootFilesystem: true, ` +
          'with a volume (or tmpfs in linuxParameters) mounted where it must write',
      });
    }
    return out;
  },
};
