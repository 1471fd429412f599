import * as path from 'path';
import type { DesiredState } from '../../controller/model/desired';
import { TAG_SOURCE } from '../../controller/model/ownership';
import { FIXTURES, load, specDir } from './helpers';

/** What must not differ between formats: everything but file names and positions. */
function comparable(state: DesiredState): unknown {
  const dropSource = (tags: Record<string, string>) => {
    const rest = { ...tags };
    delete rest[TAG_SOURCE];
    return rest;
  };
  return {
    taskDefinitions: state.taskDefinitions.map(({ source: _s, tags, ...t }) => ({
      ...t,
      tags: dropSource(tags),
    })),
    services: state.services.map(({ source: _s, tags, ...s }) => ({ ...s, tags: dropSource(tags) })),
  };
}

describe('YAML and JSONC specs mean the same thing', () => {
  it('the YAML twin of the ecs-efs example loads to the same desired state', async () => {
    const jsonc = await load(path.join(FIXTURES, 'ecs-efs-example'), { clusterName: 'demo' });
    const yaml = await load(path.join(FIXTURES, 'yaml-equivalent'), { clusterName: 'demo' });
    expect(yaml.errors).toEqual([]);
    expect(jsonc.errors).toEqual([]);
    expect(comparable(yaml.state!)).toEqual(comparable(jsonc.state!));
    expect(yaml.state!.services.map((s) => [s.name, s.autocreated])).toEqual([
      ['jenkins', true],
      ['webserver', false],
    ]);
  });

  it('a .json suffix, a .yml suffix and plain JSON without comments all load', async () => {
    const dir = specDir({
      'a.taskdef.json': '{"containerDefinitions":[{"name":"a","image":"x","memoryReservation":8}]}',
      'b.taskdef.yml': 'containerDefinitions:\n  - {name: b, image: x, memoryReservation: 8}\n',
      'c.taskdef':
        '/* block comment */ {"containerDefinitions":[{"name":"c","image":"x","memoryReservation":8},],}',
      'notes.txt': 'ignored',
      'a.taskdef.bak': 'ignored',
    });
    const r = await load(dir, { clusterName: 'x' });
    expect(r.errors).toEqual([]);
    expect(r.state!.taskDefinitions.map((t) => t.family)).toEqual(['x-a', 'x-b', 'x-c']);
  });
});
