import type { ActionResult } from '../../controller/model/action-result';
import { StatusStore } from '../../controller/telemetry/status';

const C1 = '1111111111111111111111111111111111111111';
const C2 = '2222222222222222222222222222222222222222';

function clock() {
  let t = Date.parse('2026-01-02T03:04:05.000Z');
  return () => new Date((t += 1000));
}

const results: ActionResult[] = [
  { id: 'cluster/demo', resource: 'cluster', name: 'demo', outcome: 'unchanged' },
  {
    id: 'taskDefinition/demo-web',
    resource: 'taskDefinition',
    name: 'demo-web',
    outcome: 'created',
    message: 'revision 1',
  },
  { id: 'service/web', resource: 'service', name: 'web', outcome: 'created' },
  {
    id: 'service/api',
    resource: 'service',
    name: 'api',
    outcome: 'failed',
    errorCode: 'InvalidParameterException',
    message: 'subnet-1 does not exist',
  },
];

test('a reconcile with created, failed and unchanged results: the /status document', () => {
  const s = new StatusStore({ now: clock() });
  s.setControllerState('Idle');
  s.recordReconcile('demo', { commit: C1, results });
  expect(s.snapshot()).toEqual({
    schemaVersion: 1,
    controller: { state: 'Idle', startedAt: '2026-01-02T03:04:06.000Z', ready: false },
    clusters: [
      {
        cluster: 'demo',
        state: 'Stalled',
        reason:
          '1 object(s) stalled: service/api: failed: InvalidParameterException: subnet-1 does not exist',
        lastAttemptedCommit: C1,
        lastError: 'service/api: InvalidParameterException: subnet-1 does not exist',
        lastReconcileAt: '2026-01-02T03:04:07.000Z',
        objects: [
          { id: 'cluster/demo', resource: 'cluster', state: 'Ready' },
          { id: 'taskDefinition/demo-web', resource: 'taskDefinition', state: 'Ready' },
          {
            id: 'service/web',
            resource: 'service',
            state: 'Reconciling',
            reason: 'created: rollout in progress',
            rollout: 'in-progress',
          },
          {
            id: 'service/api',
            resource: 'service',
            state: 'Stalled',
            reason: 'failed: InvalidParameterException: subnet-1 does not exist',
          },
        ],
      },
    ],
  });
  // A failed action: the commit was attempted, not applied.
  expect(s.get('demo')?.lastAppliedCommit).toBeUndefined();
  // Stable JSON: same state, same bytes; keys in a fixed order.
  expect(JSON.stringify(s.snapshot())).toBe(JSON.stringify(s.snapshot()));
  expect(Object.keys(s.snapshot().clusters[0])).toEqual([
    'cluster',
    'state',
    'reason',
    'lastAttemptedCommit',
    'lastError',
    'lastReconcileAt',
    'objects',
  ]);
});

test('rollouts: in-progress until told; completed -> Ready; a clean round applies the commit', () => {
  const s = new StatusStore({ now: clock() });
  const ok = results.filter((r) => r.outcome !== 'failed');
  s.recordReconcile('demo', { commit: C1, results: ok });
  expect(s.get('demo')).toMatchObject({
    state: 'Reconciling',
    lastAppliedCommit: C1,
    reason: expect.stringMatching(/service\/web/),
  });
  // The next round finds the service unchanged: the rollout is still running.
  s.recordReconcile('demo', {
    commit: C1,
    results: ok.map((r) => ({ ...r, outcome: 'unchanged' as const })),
  });
  expect(s.get('demo')?.objects.find((o) => o.id === 'service/web')).toMatchObject({
    state: 'Reconciling',
    rollout: 'in-progress',
  });
  s.setRollout('demo', 'service/web', 'completed');
  expect(s.get('demo')).toMatchObject({ state: 'Ready', lastAppliedCommit: C1 });
  expect(s.get('demo')?.reason).toBeUndefined();
  expect(s.get('demo')?.objects.find((o) => o.id === 'service/web')).toEqual({
    id: 'service/web',
    resource: 'service',
    state: 'Ready',
    rollout: 'completed',
  });
  s.setRollout('demo', 'service/web', 'timeout', 'deployment not steady after 600 s');
  expect(s.get('demo')).toMatchObject({ state: 'Stalled', reason: expect.stringMatching(/not steady/) });
});

test('spec errors: the cluster is Stalled with the errors, its objects keep their state', () => {
  const s = new StatusStore({ now: clock() });
  s.recordReconcile('demo', { commit: C1, results: [results[0], results[1]] });
  const before = s.get('demo')!.objects;
  s.recordSpecErrors(
    'demo',
    [
      { file: 'demo/web.taskdef', line: 3, column: 5, field: 'cpu', message: 'expected a number' },
      'missing template variable ${IMAGE}',
    ],
    C2,
  );
  const c = s.get('demo')!;
  expect(c).toMatchObject({
    state: 'Stalled',
    reason: '2 spec error(s): demo/web.taskdef:3:5: cpu: expected a number (and 1 more)',
    lastAppliedCommit: C1,
    lastAttemptedCommit: C2,
    lastError: 'demo/web.taskdef:3:5: cpu: expected a number\nmissing template variable ${IMAGE}',
  });
  expect(c.objects).toEqual(before);
  // Fixed specs: the next clean round makes it Ready and applies C2.
  s.recordReconcile('demo', { commit: C2, results: [results[0]] });
  expect(s.get('demo')).toMatchObject({ state: 'Ready', lastAppliedCommit: C2 });
  expect(s.get('demo')?.lastError).toBeUndefined();
});

test('deleted objects disappear; clusters are listed by name; snapshots do not change afterwards', () => {
  const s = new StatusStore({ now: clock() });
  s.recordReconcile('zeta', { results: [results[0]] });
  s.recordReconcile('alpha', { results: [{ ...results[2], outcome: 'deleted' }] });
  const snap = s.snapshot();
  expect(snap.clusters.map((c) => c.cluster)).toEqual(['alpha', 'zeta']);
  expect(snap.clusters[0].objects).toEqual([]);
  s.setControllerState('Syncing');
  s.recordFailure('zeta', 'AccessDeniedException: not authorized to DescribeServices');
  expect(snap.controller.state).toBe('Starting');
  expect(snap.clusters[1].state).toBe('Ready');
  expect(s.snapshot().clusters[1]).toMatchObject({
    state: 'Stalled',
    reason: expect.stringMatching(/AccessDenied/),
  });
  s.removeCluster('zeta');
  expect(s.snapshot().clusters.map((c) => c.cluster)).toEqual(['alpha']);
});

test('leader election: the role is in the document; a leader stepping down drops its clusters', () => {
  const s = new StatusStore({ now: clock() });
  expect(s.snapshot().controller).not.toHaveProperty('leadership');
  s.setLeadership({ role: 'leader', lease: 'ha', identity: 'host-1a2b', holder: 'host-1a2b' });
  s.recordReconcile('demo', { commit: C1, results });
  expect(s.snapshot().controller.leadership).toEqual({
    role: 'leader',
    lease: 'ha',
    identity: 'host-1a2b',
    holder: 'host-1a2b',
  });
  s.setLeadership({ role: 'follower', lease: 'ha', identity: 'host-1a2b', holder: 'host-9f8e' });
  s.clearClusters();
  expect(s.snapshot()).toMatchObject({
    controller: { leadership: { role: 'follower', holder: 'host-9f8e' } },
    clusters: [],
  });
});
