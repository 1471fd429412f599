import { load, specDir } from './helpers';

/**
 * AUTOCREATE.SERVICE is found in the parsed value (a key or a string value), however the file spells
 * it. The loader skips the search for a JSONC file whose text has no backslash and no marker: these
 * pin that a marker written with an escape, or in YAML, is still found.
 */
const CLUSTER = 'name: demo\nregion: eu-west-1\nserviceDefaults:\n  launchType: EC2\n';

function taskdef(labels: string): string {
  return `{
  "containerDefinitions": [
    { "name": "web", "image": "nginx:1.27", "memory": 128, "dockerLabels": { ${labels} } },
  ],
}
`;
}

async function autocreated(files: Record<string, string>): Promise<string[]> {
  const r = await load(specDir({ 'cluster.yaml': CLUSTER, ...files }));
  expect(r.errors).toEqual([]);
  return r.state!.services.filter((s) => s.autocreated).map((s) => s.name);
}

describe('AUTOCREATE.SERVICE marker', () => {
  it('is found as written, and not found in a file without it', async () => {
    expect(
      await autocreated({
        'a.taskdef': taskdef('"AUTOCREATE.SERVICE": ""'),
        'b.taskdef': taskdef('"x": "AUTOCREATE.SERVICE"'),
        'c.taskdef': taskdef('"x": "y"'),
      }),
    ).toEqual(['a', 'b']);
  });

  it('is found when a JSONC file spells it with an escape (in a key or in a value)', async () => {
    expect(
      await autocreated({
        'a.taskdef': taskdef('"AUTOCREATE\\u002eSERVICE": ""'),
        'b.taskdef': taskdef('"x": "AUTOCREATE\\u002ESERVICE"'),
        'c.taskdef': taskdef('"x": "AUTOCREATE\\\\SERVICE"'),
      }),
    ).toEqual(['a', 'b']);
  });

  it('is found in a YAML task definition, also written with an escape', async () => {
    const yaml = (label: string) =>
      `containerDefinitions:\n  - name: web\n    image: nginx:1.27\n    memory: 128\n    dockerLabels:\n      ${label}: ""\n`;
    expect(
      await autocreated({
        'a.taskdef.yaml': yaml('AUTOCREATE.SERVICE'),
        'b.taskdef.yaml': yaml('"AUTOCREATE\\x2eSERVICE"'),
        'c.taskdef.yaml': yaml('other'),
      }),
    ).toEqual(['a', 'b']);
  });
});
