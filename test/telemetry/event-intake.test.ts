import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsView } from '../../controller/model/ecs-view';
import { ingestEcsEvent } from '../../controller/telemetry/event-intake';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { parsePrometheusText, sampleValue } from './prom-text';

const FIXTURES = join(__dirname, '../fixtures/ecs-events');
const body = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const json = (name: string): any => JSON.parse(body(name));

function setup(managed = ['demo']) {
  const view = new EcsView({ now: () => Date.UTC(2026, 10, 30, 10) });
  const metrics = new ControllerMetrics();
  const deps = {
    view,
    metrics,
    manages: (c: string) => managed.includes(c),
    expect: { account: '123456789012', regions: new Set(['us-east-1']) },
  };
  const count = async (name: string, labels: Record<string, string>) =>
    sampleValue(parsePrometheusText(await metrics.text()), name, labels) ?? 0;
  return { view, deps, count };
}

test('a service task event updates the view and makes only its service dirty', async () => {
  const { view, deps, count } = setup();
  const r = ingestEcsEvent(body('task-running.json'), deps);
  expect(r).toMatchObject({ outcome: 'applied', dirty: { cluster: 'demo', service: 'web' } });
  expect(view.size().tasks).toBe(1);
  expect(await count('ecs_gitops_events_received_total', { type: 'task' })).toBe(1);
});

test('a duplicate is stale: counted, nothing dirty, the view unchanged', async () => {
  const { deps, count } = setup();
  ingestEcsEvent(body('task-running.json'), deps);
  const again = ingestEcsEvent(body('task-running.json'), deps);
  expect(again.outcome).toBe('stale');
  expect('dirty' in again).toBe(false);
  expect(await count('ecs_gitops_events_ignored_total', { reason: 'stale' })).toBe(1);
});

test('a standalone task updates the view and makes nothing dirty', () => {
  const { view, deps } = setup();
  const r = ingestEcsEvent(json('task-stopped.json'), deps);
  expect(r).toEqual({ outcome: 'applied', event: expect.anything() });
  expect(view.task('demo', 'c41b9e3d2a7f4e08b6d1a5c9e0f3b278')?.stopCode).toBe('EssentialContainerExited');
});

test('an instance makes the cluster dirty when it joins or changes status, not for free CPU', () => {
  const { deps } = setup();
  const ci = json('container-instance.json');
  expect(ingestEcsEvent(ci, deps)).toMatchObject({ dirty: { cluster: 'demo' } });
  const lessCpu = { ...ci, detail: { ...ci.detail, version: 32, remainingResources: [] } };
  expect(ingestEcsEvent(lessCpu, deps)).toEqual({ outcome: 'applied', event: expect.anything() });
  const draining = { ...ci, detail: { ...ci.detail, version: 33, status: 'DRAINING' } };
  expect(ingestEcsEvent(draining, deps)).toMatchObject({ dirty: { cluster: 'demo' } });
  const disconnected = {
    ...ci,
    detail: { ...ci.detail, version: 34, status: 'DRAINING', agentConnected: false },
  };
  expect(ingestEcsEvent(disconnected, deps)).toMatchObject({ dirty: { cluster: 'demo' } });
});

test('service and deployment events are hints: their service is dirty, nothing else comes out of them', () => {
  const { view, deps } = setup();
  for (const name of ['service-action.json', 'deployment-failed.json']) {
    const r = ingestEcsEvent(body(name), deps);
    expect(r.outcome).toBe('hint');
    if (r.outcome !== 'hint') throw new Error(r.outcome);
    expect(Object.keys(r.dirty ?? {}).sort()).toEqual(['cluster', 'service']);
  }
  expect(view.size()).toEqual({ tasks: 0, instances: 0 });
});

test('events of clusters not managed here, or of another account, change nothing', async () => {
  const { view, deps, count } = setup(['prod']);
  expect(ingestEcsEvent(body('task-running.json'), deps).outcome).toBe('unmanaged');
  expect(view.size().tasks).toBe(0);
  expect(await count('ecs_gitops_events_ignored_total', { reason: 'unmanaged' })).toBe(1);
  const foreign = { ...json('task-running.json'), account: '999999999999' };
  expect(ingestEcsEvent(foreign, setup().deps)).toEqual({
    outcome: 'malformed',
    reason: 'account: 999999999999 is not this account',
  });
});

test('malformed messages are counted and never thrown', async () => {
  const { deps, count } = setup();
  for (const m of [
    '',
    'null',
    '{"source":"aws.ecs"}',
    '[1,2]',
    '{"detail-type":',
    42,
    undefined,
    { source: 'aws.ecs', detail: [] },
  ])
    expect(ingestEcsEvent(m, deps).outcome).toBe('malformed');
  expect(await count('ecs_gitops_events_ignored_total', { reason: 'malformed' })).toBe(8);
});
