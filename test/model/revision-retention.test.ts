import type { RevisionHousekeeping } from '../../controller/model/observed';
import { ownershipTags, type TagMap } from '../../controller/model/ownership';
import { selectRevisions } from '../../controller/model/revision-retention';
import { shortTaskDefinition } from '../../controller/model/naming';

const arn = (family: string, n: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${n}`;
const OURS = ownershipTags('demo', 'demo');
const OWNER = { ownerId: 'demo', cluster: 'demo' };

/** ACTIVE revisions `from..to` of a family, newest first, all with these tags. */
function family(name: string, to: number, opts: { removed?: boolean; from?: number } = {}) {
  const active: string[] = [];
  for (let n = to; n >= (opts.from ?? 1); n--) active.push(arn(name, n));
  return { family: name, removed: opts.removed ?? false, active };
}

function housekeeping(
  families: (ReturnType<typeof family> & { inactive?: string[] })[],
  inUse: string[] = [],
  tags: (a: string) => TagMap | undefined = () => OURS,
): RevisionHousekeeping {
  const map = new Map<string, TagMap>();
  for (const f of families)
    for (const a of [...f.active, ...(f.inactive ?? [])]) {
      const t = tags(a);
      if (t) map.set(a, t);
    }
  // In use is kept as `family:revision` (a pinned spec names no ARN).
  return { families, inUse: new Set(inUse.map(shortTaskDefinition)), tags: map };
}

describe('selectRevisions', () => {
  test('keeps the newest N; deregisters the rest oldest first; skips what is in use', () => {
    const [web] = selectRevisions(housekeeping([family('demo-web', 8)], [arn('demo-web', 2)]), {
      keep: 3,
      ...OWNER,
    });
    expect(web.deregister).toEqual([1, 3, 4, 5].map((n) => arn('demo-web', n)));
    expect(web.inUse).toEqual([arn('demo-web', 2)]);
    expect(web.later).toBe(0);
  });

  test('not ours (no tags, another owner, another cluster): never a candidate, and costs no budget', () => {
    const tags = (a: string): TagMap | undefined =>
      a.endsWith(':1')
        ? {}
        : a.endsWith(':2')
          ? ownershipTags('other', 'demo')
          : a.endsWith(':3')
            ? ownershipTags('demo', 'elsewhere')
            : OURS;
    const [web] = selectRevisions(housekeeping([family('demo-web', 6)], [], tags), {
      keep: 1,
      budget: 2,
      ...OWNER,
    });
    expect(web.deregister).toEqual([arn('demo-web', 4), arn('demo-web', 5)]);
    expect(web.later).toBe(0);
  });

  test('the budget spans families; what is over it is left for later', () => {
    const out = selectRevisions(housekeeping([family('demo-a', 10), family('demo-b', 10)]), {
      keep: 2,
      budget: 10,
      ...OWNER,
    });
    expect(out.map((r) => [r.family, r.deregister.length, r.later])).toEqual([
      ['demo-a', 8, 0],
      ['demo-b', 2, 6], // 6 over the budget
    ]);
  });

  test('a removed family goes entirely, but only once nothing uses any of it', () => {
    const gone = family('demo-old', 3, { removed: true });
    expect(selectRevisions(housekeeping([gone]), { keep: 5, ...OWNER })[0].deregister).toHaveLength(3);
    const used = selectRevisions(housekeeping([gone], [arn('demo-old', 1)]), { keep: 5, ...OWNER })[0];
    expect(used.deregister).toEqual([]);
    expect(used.inUse).toEqual([arn('demo-old', 1)]);
  });

  test('tags not read yet: reported as unknown (the observer reads them), never deregistered blind', () => {
    const [web] = selectRevisions(
      housekeeping([family('demo-web', 4)], [], () => undefined),
      { keep: 2, ...OWNER },
    );
    expect(web.deregister).toEqual([]);
    expect(web.unknown).toEqual([arn('demo-web', 1), arn('demo-web', 2)]);
  });

  test('deleteRevisions: an INACTIVE revision within the kept window (deregistered by a person) is not deleted', () => {
    const f = { ...family('demo-web', 6, { from: 4 }), inactive: [arn('demo-web', 5), arn('demo-web', 1)] };
    const [web] = selectRevisions(housekeeping([f]), { keep: 3, ...OWNER });
    expect(web.leftovers).toEqual([arn('demo-web', 1)]);
  });

  test('deleteRevisions: INACTIVE revisions of ours left from an interrupted retirement are deleted first', () => {
    const f = { ...family('demo-web', 6, { from: 4 }), inactive: [arn('demo-web', 2), arn('demo-web', 1)] };
    const [web] = selectRevisions(housekeeping([f]), { keep: 2, ...OWNER });
    expect(web.leftovers).toEqual([arn('demo-web', 1), arn('demo-web', 2)]);
    expect(web.deregister).toEqual([arn('demo-web', 4)]);
  });
});

describe('selectRevisions around a new revision', () => {
  const td = (image: string, tags: TagMap = OURS) => ({
    taskDefinition: { family: 'demo-web', containerDefinitions: [{ name: 'web', image }] },
    tags,
  });
  /** What the planner passes: the same spec (here: the same image and tags). */
  const same = (a: ReturnType<typeof td>, b: ReturnType<typeof td>) =>
    a.taskDefinition.containerDefinitions[0].image === b.taskDefinition.containerDefinitions[0].image &&
    JSON.stringify(a.tags) === JSON.stringify(b.tags);

  test('a family registering keeps keep - 1 existing ones, so that keep remain after the register', () => {
    const h = housekeeping([family('demo-web', 5)]);
    const [plain] = selectRevisions(h, { keep: 3, ...OWNER });
    expect(plain.deregister).toEqual([1, 2].map((n) => arn('demo-web', n)));
    const [registering] = selectRevisions(h, { keep: 3, ...OWNER, registering: new Set(['demo-web']) });
    expect(registering.deregister).toEqual([1, 2, 3].map((n) => arn('demo-web', n)));
  });

  test('a kept revision that is the same spec as the newest is a duplicate; in use or not ours, it stays', () => {
    const kept = (two: ReturnType<typeof td>) =>
      new Map<string, ReturnType<typeof td>>([
        [arn('demo-web', 3), td('nginx:2')],
        [arn('demo-web', 2), two],
        [arn('demo-web', 1), td('nginx:1')],
      ]);
    const run = (two: ReturnType<typeof td>, inUse: string[] = []) => {
      const h = { ...housekeeping([family('demo-web', 3)], inUse), kept: kept(two) } as never;
      return selectRevisions(h, { keep: 5, ...OWNER, same: same as never })[0];
    };
    expect(run(td('nginx:2')).duplicates).toEqual([arn('demo-web', 2)]);
    // Without the planner's comparison, no duplicates (the observer's use).
    const h = { ...housekeeping([family('demo-web', 3)]), kept: kept(td('nginx:2')) } as never;
    expect(selectRevisions(h, { keep: 5, ...OWNER })[0].duplicates).toEqual([]);
    expect(run(td('nginx:2'), [arn('demo-web', 2)]).duplicates).toEqual([]);
    expect(run(td('nginx:2', {})).duplicates).toEqual([]);
    // Another spec is no duplicate.
    expect(run(td('nginx:1.5')).duplicates).toEqual([]);
  });
});
