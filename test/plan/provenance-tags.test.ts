/**
 * Provenance is not desired state: the `ecs-gitops:source` and `ecs-gitops:commit` tags never make a
 * resource differ on their own (a renamed file, a new commit, an export writing `web.service` for
 * `web.service.template`), and are refreshed whenever a real change is made.
 */
import { TAG_COMMIT, TAG_SOURCE } from '../../controller/model/ownership';
import { TAG_SPEC_HASH } from '../../controller/model/spec-hash-tag';
import { planHasChanges, type Plan, type PlannedAction } from '../../controller/plan/plan-types';
import { planCluster } from '../../controller/plan/planner';
import { tagDrift } from '../../controller/plan/tag-drift';
import { clusterConfig } from './builders';
import { demoDesired, demoRunning } from './scenario';

const byId = (plan: Plan, id: string): PlannedAction => plan.actions.find((x) => x.id === id)!;

/** The demo account with every resource's source tag and its revisions' commit tag rewritten. */
function runningWithProvenance(source: (current: string) => string, commit = 'c0ffee0') {
  const observed = demoRunning();
  const rewrite = (tags: Record<string, string>) => {
    tags[TAG_SOURCE] = source(tags[TAG_SOURCE]);
  };
  for (const s of observed.services.values()) rewrite(s.tags);
  for (const f of observed.families.values()) {
    rewrite(f!.tags);
    f!.tags[TAG_COMMIT] = commit;
  }
  return observed;
}

describe('tagDrift', () => {
  const live = { team: 'a', [TAG_SOURCE]: 'web.service.template', [TAG_COMMIT]: 'old' };

  test('provenance alone is no difference', () => {
    const d = tagDrift({ team: 'a', [TAG_SOURCE]: 'web.service', [TAG_COMMIT]: 'new' }, live);
    expect(d).toEqual({ changes: [], tags: [], keys: [] });
  });

  test('a real tag change writes the provenance with it', () => {
    const d = tagDrift({ team: 'b', [TAG_SOURCE]: 'web.service', [TAG_COMMIT]: 'new' }, live);
    expect(d.keys).toEqual([TAG_COMMIT, TAG_SOURCE, 'team']);
    expect(d.tags).toEqual([
      { key: TAG_COMMIT, value: 'new' },
      { key: TAG_SOURCE, value: 'web.service' },
      { key: 'team', value: 'b' },
    ]);
    expect(d.changes).toContainEqual({
      path: `tags[${TAG_SOURCE}]`,
      before: 'web.service.template',
      after: 'web.service',
    });
  });

  test('a change made anyway (changing) writes the provenance too', () => {
    expect(tagDrift({ team: 'a', [TAG_SOURCE]: 'web.service' }, live, true).keys).toEqual([TAG_SOURCE]);
  });

  test('a missing provenance tag alone is no difference either', () => {
    expect(tagDrift({ team: 'a', [TAG_SOURCE]: 'web.service' }, { team: 'a' }).keys).toEqual([]);
  });
});

describe('the planner and provenance', () => {
  test('renamed files and another commit: nothing to do, no change line', () => {
    const observed = runningWithProvenance((s) => s.replace(/\.service$/, '.service.template'), 'c0ffee0');
    // The task definitions were "renamed" too: web.taskdef.yaml -> web.taskdef.
    for (const f of observed.families.values()) f!.tags[TAG_SOURCE] += '.yaml';
    const plan = planCluster({ ...demoDesired(), commit: 'beefcafe' }, observed);
    expect(plan.actions.filter((a) => a.op !== 'none').map((a) => `${a.op} ${a.id}: ${a.reason}`)).toEqual(
      [],
    );
    expect(plan.actions.flatMap((a) => a.changes)).toEqual([]);
    expect(planHasChanges(plan)).toBe(false);
  });

  test('a service update refreshes its source tag in the same action', () => {
    const observed = runningWithProvenance((s) => s.replace(/\.service$/, '.service.template'));
    const plan = planCluster(demoDesired({ apiBody: { launchType: 'EC2', desiredCount: 4 } }), observed);
    const api = byId(plan, 'service/api');
    expect(api.steps.map((s) => s.call)).toEqual(['updateService', 'tagResource']);
    // With the spec-hash tag, also provenance: the live service predates it.
    expect(api.steps[1]).toMatchObject({
      tags: [
        { key: TAG_SOURCE, value: 'specs/demo/api.service' },
        { key: TAG_SPEC_HASH, value: expect.stringMatching(/^v1:[0-9a-f]{32}@demo-api:5$/) },
      ],
    });
    expect(byId(plan, 'service/web').op).toBe('none');
  });

  test('a real tag change on a revision refreshes its source and commit tags with it', () => {
    const observed = runningWithProvenance((s) => `old/${s}`);
    const cfg = clusterConfig({ tags: { team: 'platform', costCenter: 'cc-42' } });
    const plan = planCluster({ ...demoDesired({ cfg }), commit: 'beefcafe' }, observed);
    const web = byId(plan, 'taskDefinition/demo-web');
    expect(web.steps).toEqual([
      {
        call: 'tagResource',
        arn: expect.stringMatching(/task-definition\/demo-web:3$/),
        tags: [
          { key: 'costCenter', value: 'cc-42' },
          { key: TAG_COMMIT, value: 'beefcafe' },
          { key: TAG_SOURCE, value: 'specs/demo/web.taskdef' },
          { key: TAG_SPEC_HASH, value: expect.stringMatching(/^v1:[0-9a-f]{32}$/) },
        ],
      },
    ]);
  });

  test('a new revision carries the current source and commit', () => {
    const observed = runningWithProvenance((s) => `old/${s}`);
    const plan = planCluster({ ...demoDesired({ webImage: 'nginx:1.28' }), commit: 'beefcafe' }, observed);
    const register = byId(plan, 'taskDefinition/demo-web').steps[0];
    expect(register).toMatchObject({ call: 'registerTaskDefinition' });
    expect((register as any).input.tags).toEqual(
      expect.arrayContaining([
        { key: TAG_COMMIT, value: 'beefcafe' },
        { key: TAG_SOURCE, value: 'specs/demo/web.taskdef' },
      ]),
    );
  });
});
