/** `host-network`: `networkMode: host` puts the task on the instance's own network stack. */
import type { LintRule } from './lint-types';

export const hostNetwork: LintRule = {
  id: 'host-network',
  taskdef(td) {
    if (td.body.networkMode !== 'host') return [];
    return [
      {
        path: ['networkMode'],
        message:
          "networkMode host shares the instance's network with the task (no isolation; its ports clash " +
          'with every other task there): use "awsvpc", or "bridge" with portMappings',
      },
    ];
  },
};
