import { EcsView } from '../../controller/model/ecs-view';
import { ControllerMetrics, EVENT_TO_RECONCILE_BUCKETS } from '../../controller/telemetry/metrics';
import { parsePrometheusText, sampleValue } from './prom-text';

const ARN = 'arn:aws:ecs:us-east-1:123456789012';

test('event, view and resync metrics: names, types and values', async () => {
  const m = new ControllerMetrics();
  const view = new EcsView({ now: () => 0 });
  m.watchView(() => view.size());
  m.eventReceived('task');
  m.eventReceived('task');
  m.eventReceived('deployment');
  m.eventIgnored('stale');
  m.eventIgnored('malformed');
  m.eventIgnored('malformed');
  view.applyTaskEvent({
    cluster: 'demo',
    clusterArn: `${ARN}:cluster/demo`,
    taskArn: `${ARN}:task/demo/a`,
    version: 1,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    containers: [],
  });
  m.resyncFixed('demo', {
    tasks: { added: 2, changed: 1, removed: 0 },
    instances: { added: 0, changed: 0, removed: 3 },
    fixed: 6,
  });
  m.observeEventToReconcile(1.5);
  m.observeEventToReconcile(-1);

  const families = parsePrometheusText(await m.text());
  const types = Object.fromEntries(
    [
      'ecs_gitops_events_received_total',
      'ecs_gitops_events_ignored_total',
      'ecs_gitops_view_entries',
      'ecs_gitops_view_resync_fixed_total',
      'ecs_gitops_event_to_reconcile_seconds',
    ].map((n) => [n, families.get(n)?.type]),
  );
  expect(types).toEqual({
    ecs_gitops_events_received_total: 'counter',
    ecs_gitops_events_ignored_total: 'counter',
    ecs_gitops_view_entries: 'gauge',
    ecs_gitops_view_resync_fixed_total: 'counter',
    ecs_gitops_event_to_reconcile_seconds: 'histogram',
  });
  expect(sampleValue(families, 'ecs_gitops_events_received_total', { type: 'task' })).toBe(2);
  expect(sampleValue(families, 'ecs_gitops_events_received_total', { type: 'deployment' })).toBe(1);
  expect(sampleValue(families, 'ecs_gitops_events_ignored_total', { reason: 'malformed' })).toBe(2);
  expect(sampleValue(families, 'ecs_gitops_events_ignored_total', { reason: 'stale' })).toBe(1);
  expect(sampleValue(families, 'ecs_gitops_view_entries', { kind: 'task' })).toBe(1);
  expect(sampleValue(families, 'ecs_gitops_view_entries', { kind: 'instance' })).toBe(0);
  const fixed = (kind: string, change: string) =>
    sampleValue(families, 'ecs_gitops_view_resync_fixed_total', { cluster: 'demo', kind, change });
  expect([fixed('task', 'added'), fixed('task', 'changed'), fixed('task', 'removed')]).toEqual([2, 1, 0]);
  expect(fixed('instance', 'removed')).toBe(3);
  const buckets = families
    .get('ecs_gitops_event_to_reconcile_seconds')!
    .samples.filter((s) => s.name.endsWith('_bucket'))
    .map((s) => s.labels.le);
  expect(buckets).toEqual([...EVENT_TO_RECONCILE_BUCKETS.map(String), '+Inf']);
  expect(
    sampleValue(
      families,
      'ecs_gitops_event_to_reconcile_seconds',
      {},
      'ecs_gitops_event_to_reconcile_seconds_count',
    ),
  ).toBe(2);
  expect(
    sampleValue(
      families,
      'ecs_gitops_event_to_reconcile_seconds',
      {},
      'ecs_gitops_event_to_reconcile_seconds_sum',
    ),
  ).toBe(1.5);
});

test('the view size gauge follows the view at each scrape', async () => {
  const m = new ControllerMetrics();
  let size = { tasks: 3, instances: 1 };
  m.watchView(() => size);
  const first = parsePrometheusText(await m.text());
  expect(sampleValue(first, 'ecs_gitops_view_entries', { kind: 'task' })).toBe(3);
  size = { tasks: 0, instances: 2 };
  const second = parsePrometheusText(await m.text());
  expect(sampleValue(second, 'ecs_gitops_view_entries', { kind: 'task' })).toBe(0);
  expect(sampleValue(second, 'ecs_gitops_view_entries', { kind: 'instance' })).toBe(2);
});
