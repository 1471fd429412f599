import { emptyAction } from '../../controller/plan/empty-action';
import type { PlannedAction } from '../../controller/plan/plan-types';
import type { ActionResult } from '../../controller/model/action-result';
import { resultOf } from '../../controller/reconcile/result-of';
import { createScheduler } from '../../controller/reconcile/scheduler';

function action(id: string, dependsOn: string[] = [], op: PlannedAction['op'] = 'update'): PlannedAction {
  const [resource, name] = id.split('/') as [PlannedAction['resource'], string];
  return { ...emptyAction(id, resource, name, undefined), op, reason: id, dependsOn };
}

describe('scheduler', () => {
  test('an action starts after its dependencies; independent ones run at the same time', async () => {
    const events: string[] = [];
    const release: Record<string, () => void> = {};
    const actions = [
      action('cluster/c'),
      action('taskDefinition/a'),
      action('service/s', ['cluster/c', 'taskDefinition/a']),
    ];
    const run = createScheduler(actions, async (a) => {
      events.push(`start ${a.id}`);
      await new Promise<void>((r) => (release[a.id] = r));
      events.push(`end ${a.id}`);
      return resultOf(a, 'updated', '');
    });
    const all = Promise.all(actions.map(run));
    await new Promise((r) => setImmediate(r));
    // Both independent actions are in flight before either finished; the service waits.
    expect(events).toEqual(['start cluster/c', 'start taskDefinition/a']);
    release['cluster/c']();
    await new Promise((r) => setImmediate(r));
    expect(events).not.toContain('start service/s');
    release['taskDefinition/a']();
    await new Promise((r) => setImmediate(r));
    release['service/s']();
    const results = await all;
    expect(events.indexOf('start service/s')).toBeGreaterThan(events.indexOf('end taskDefinition/a'));
    expect(results.map((r) => r.outcome)).toEqual(['updated', 'updated', 'updated']);
  });

  test('a failed dependency skips what depends on it, transitively; the rest goes on; each action runs once', async () => {
    const performed: string[] = [];
    const actions = [
      action('cluster/c'),
      action('service/a', ['cluster/c']),
      action('service/b', ['service/a']),
      action('taskDefinition/t'),
      action('service/x', [], 'conflict'),
    ];
    const run = createScheduler(actions, (a): Promise<ActionResult> => {
      performed.push(a.id);
      return Promise.resolve(resultOf(a, a.id === 'cluster/c' ? 'failed' : 'updated', ''));
    });
    const results = await Promise.all([...actions, ...actions].map(run));
    expect(performed.sort()).toEqual(['cluster/c', 'taskDefinition/t']);
    expect(results.slice(0, 5).map((r) => [r.id, r.outcome, r.message])).toEqual([
      ['cluster/c', 'failed', ''],
      ['service/a', 'skipped', 'not attempted: cluster/c was failed'],
      ['service/b', 'skipped', 'not attempted: service/a was skipped'],
      ['taskDefinition/t', 'updated', ''],
      ['service/x', 'skipped', 'conflict: service/x'],
    ]);
  });
});
