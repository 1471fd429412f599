import * as path from 'path';
import { load, specDir } from './helpers';

const CONTAINERS = '"containerDefinitions": [{ "name": "web", "image": "nginx", "memoryReservation": 64 }]';

/** `n` tags `{prefix}0`..: as a JSON tag list, and as cluster.yaml map lines. */
function tagList(n: number, prefix: string): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'x' })));
}
function clusterTags(n: number): string {
  return Array.from({ length: n }, (_, i) => `  c${i}: x\n`).join('');
}

describe('AWS tag limits: at most 50 tags per resource, keys up to 128 and values up to 256 characters', () => {
  it('a task definition with 47 tags of its own: 51 with the 4 ownership tags, an error at its tags', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': `{\n  ${CONTAINERS},\n  "tags": ${tagList(47, 't')}\n}\n`,
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        line: 3,
        column: 3,
        field: 'tags',
        message:
          '51 tags in all: these 47, 0 from cluster.yaml and the 4 ownership tags; AWS allows at most 50 per resource',
      },
    ]);
  });

  it('a service whose tags and the cluster tags together pass 50 (a key in both counts once)', async () => {
    // 20 cluster tags, 28 file tags of which one overrides a cluster tag, 4 ownership tags: 51.
    const fileTags = [
      { key: 'c0', value: 'override' },
      ...Array.from({ length: 27 }, (_, i) => ({ key: `s${i}`, value: 'x' })),
    ];
    const dir = specDir({
      'cluster.yaml': `name: demo\ntags:\n${clusterTags(20)}`,
      'web.taskdef': `{ ${CONTAINERS} }`,
      'web.service.yaml': `desiredCount: 1\ntags: ${JSON.stringify(fileTags)}\n`,
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.service.yaml'),
        line: 2,
        column: 1,
        field: 'tags',
        message:
          '51 tags in all: these 28, 20 from cluster.yaml and the 4 ownership tags; AWS allows at most 50 per resource',
      },
    ]);
  });

  it('exactly 50 merged tags load', async () => {
    const dir = specDir({
      'cluster.yaml': `name: demo\ntags:\n${clusterTags(20)}`,
      'web.taskdef': `{ ${CONTAINERS}, "tags": ${tagList(26, 't')} }`,
      'web.service.yaml': `tags: ${tagList(26, 's')}\n`,
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(Object.keys(r.state!.taskDefinitions[0].tags)).toHaveLength(50);
    expect(Object.keys(r.state!.services[0].tags)).toHaveLength(50);
  });

  it('cluster.yaml tags that alone pass 50 with the ownership tags: one error at cluster.yaml, none per file', async () => {
    const dir = specDir({
      'cluster.yaml': `name: demo\ntags:\n${clusterTags(47)}`,
      'web.taskdef': `{ ${CONTAINERS}, "tags": [{ "key": "team", "value": "web" }] }`,
      'web.service.yaml': 'desiredCount: 1\n',
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'cluster.yaml'),
        line: 2,
        column: 1,
        field: 'tags',
        message:
          '51 tags in all: these 47 and the 4 ownership tags every resource gets; AWS allows at most 50 per resource',
      },
    ]);
  });

  it('a tag key over 128 or a value over 256 characters, in a task definition and in a service', async () => {
    const long = (c: string, n: number) => c.repeat(n);
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': [
        '{',
        `  ${CONTAINERS},`,
        '  "tags": [',
        `    { "key": "${long('k', 129)}", "value": "x" },`,
        `    { "key": "ok", "value": "${long('v', 257)}" },`,
        `    { "key": "${long('k', 128)}", "value": "${long('v', 256)}" }`,
        '  ]',
        '}',
        '',
      ].join('\n'),
      'web.service.yaml': ['tags:', `  - key: ${long('é', 129)}`, '    value: x', ''].join('\n'),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.service.yaml'),
        line: 2,
        column: 5,
        field: 'tags[0].key',
        message: 'tag key is 129 characters long; AWS allows at most 128',
      },
      {
        file: path.join(dir, 'web.taskdef'),
        line: 4,
        column: 7,
        field: 'tags[0].key',
        message: 'tag key is 129 characters long; AWS allows at most 128',
      },
      {
        file: path.join(dir, 'web.taskdef'),
        line: 5,
        column: 20,
        field: 'tags[1].value',
        message: 'tag value is 257 characters long; AWS allows at most 256',
      },
    ]);
  });

  it('a cluster.yaml tag key over 128 or value over 256 characters', async () => {
    const key = 'k'.repeat(129);
    const dir = specDir({
      'cluster.yaml': `name: demo\ntags:\n  ${key}: x\n  ok: ${'v'.repeat(257)}\n  fine: ${'v'.repeat(256)}\n`,
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'cluster.yaml'),
        line: 3,
        column: 3,
        field: `tags.${key}`,
        message: `invalid key "${'k'.repeat(36)}... (129 characters long; at most 128 allowed)`,
      },
      {
        file: path.join(dir, 'cluster.yaml'),
        line: 4,
        column: 3,
        field: 'tags.ok',
        message: '257 characters long; at most 256 allowed',
      },
    ]);
  });
});
