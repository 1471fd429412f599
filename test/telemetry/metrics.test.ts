import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { ControllerMetrics, RECONCILE_DURATION_BUCKETS } from '../../controller/telemetry/metrics';
import { stubAws } from '../helpers/stub-aws';
import { parsePrometheusText, sampleValue } from './prom-text';

async function scrape(m: ControllerMetrics) {
  return parsePrometheusText(await m.text());
}

test('every controller metric is exposed with HELP and TYPE, in valid exposition text', async () => {
  const m = new ControllerMetrics();
  m.observeReconcile('demo', 'success', 0.2);
  m.observeReconcile('demo', 'error', 12);
  m.awsRequest('ECS', 'DescribeServices', 'OK');
  m.awsThrottledRequest('ECS', 'RegisterTaskDefinition');
  m.awsThrottledRequest('ECS', 'RegisterTaskDefinition');
  m.drift('demo', 'service');
  m.appliedCommit('demo', 'a'.repeat(40));
  m.queueDepth(3);
  const families = await scrape(m);
  const expected: Record<string, string> = {
    ecs_gitops_reconcile_total: 'counter',
    ecs_gitops_reconcile_duration_seconds: 'histogram',
    ecs_gitops_aws_requests_total: 'counter',
    ecs_gitops_aws_throttled_requests_total: 'counter',
    ecs_gitops_drift_detected_total: 'counter',
    ecs_gitops_last_applied_commit_info: 'gauge',
    ecs_gitops_queue_depth: 'gauge',
    // prom-client's default process metrics, on the same registry
    process_resident_memory_bytes: 'gauge',
    process_cpu_seconds_total: 'counter',
  };
  for (const [name, type] of Object.entries(expected)) {
    expect({
      name,
      type: families.get(name)?.type,
      help: (families.get(name)?.help ?? '').length > 0,
    }).toEqual({
      name,
      type,
      help: true,
    });
  }
  expect(sampleValue(families, 'ecs_gitops_reconcile_total', { cluster: 'demo', result: 'success' })).toBe(1);
  expect(sampleValue(families, 'ecs_gitops_reconcile_total', { cluster: 'demo', result: 'error' })).toBe(1);
  const buckets = families
    .get('ecs_gitops_reconcile_duration_seconds')!
    .samples.filter((s) => s.name.endsWith('_bucket'))
    .map((s) => s.labels.le);
  expect(buckets).toEqual([...RECONCILE_DURATION_BUCKETS.map(String), '+Inf']);
  expect(
    sampleValue(
      families,
      'ecs_gitops_reconcile_duration_seconds',
      { cluster: 'demo', le: '0.25' },
      'ecs_gitops_reconcile_duration_seconds_bucket',
    ),
  ).toBe(1);
  expect(
    sampleValue(
      families,
      'ecs_gitops_reconcile_duration_seconds',
      { cluster: 'demo' },
      'ecs_gitops_reconcile_duration_seconds_sum',
    ),
  ).toBeCloseTo(12.2);
  expect(sampleValue(families, 'ecs_gitops_queue_depth', {})).toBe(3);
  expect(
    sampleValue(families, 'ecs_gitops_aws_throttled_requests_total', {
      service: 'ECS',
      operation: 'RegisterTaskDefinition',
    }),
  ).toBe(2);
  expect(sampleValue(families, 'ecs_gitops_drift_detected_total', { cluster: 'demo', kind: 'service' })).toBe(
    1,
  );
  // Prometheus conventions: counters end in _total, durations in _seconds, info gauges in _info.
  for (const f of families.values()) {
    if (!f.name.startsWith('ecs_gitops_')) continue;
    if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
  }
});

test('the strict reader rejects what Prometheus would reject', () => {
  expect(() => parsePrometheusText('x_total 1\n')).toThrow(/before any TYPE/);
  expect(() => parsePrometheusText('# HELP x h\n# TYPE x counter\nx{a="b} 1\n')).toThrow(/not a sample/);
  expect(() => parsePrometheusText('# TYPE x counter\nx 1\n')).toThrow(/TYPE before HELP/);
  expect(() => parsePrometheusText('# HELP x h\n# TYPE x gauge\nx one\n')).toThrow(/not a sample/);
});

test('the commit info gauge keeps only the latest commit of each cluster', async () => {
  const m = new ControllerMetrics();
  m.appliedCommit('a', 'c1');
  m.appliedCommit('b', 'c1');
  m.appliedCommit('a', 'c2');
  m.appliedCommit('a', 'c2');
  const samples = (await scrape(m)).get('ecs_gitops_last_applied_commit_info')!.samples;
  expect(samples.map((s) => [s.labels.cluster, s.labels.commit, s.value]).sort()).toEqual([
    ['a', 'c2', 1],
    ['b', 'c1', 1],
  ]);
  m.forgetCluster('b');
  const after = (await scrape(m)).get('ecs_gitops_last_applied_commit_info')!.samples;
  expect(after.map((s) => s.labels.cluster)).toEqual(['a']);
});

test('two instances in one process do not collide (each has its own registry)', async () => {
  const a = new ControllerMetrics();
  const b = new ControllerMetrics();
  a.queueDepth(1);
  b.queueDepth(2);
  expect(sampleValue(await scrape(a), 'ecs_gitops_queue_depth', {})).toBe(1);
  expect(sampleValue(await scrape(b), 'ecs_gitops_queue_depth', {})).toBe(2);
});

describe('AWS requests counted by code, through the SDK middleware', () => {
  // A tiny ECS stand-in: DescribeClusters succeeds (after `throttleNext` throttles), ListServices
  // is denied, as AWS answers an IAM policy without ecs:ListServices.
  let throttleNext = 0;
  const stub = stubAws((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.endsWith('.ListServices')) {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized' }));
    } else if (throttleNext > 0) {
      throttleNext--;
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    } else {
      res.statusCode = 200;
      res.end(JSON.stringify({ clusters: [], failures: [] }));
    }
  });

  test('OK and the AWS error code, once per logical call (retries are not requests of their own)', async () => {
    const log = new CallLog();
    const metrics = new ControllerMetrics();
    log.onRequest = (service, operation, code) => metrics.awsRequest(service, operation, code);
    const seen: string[] = [];
    const unsubscribe = log.subscribe((s, o, c) => seen.push(`${s}.${o}=${c}`));
    const ecs = createAwsClients({ endpoint: stub.endpoint, callLog: log, maxAttempts: 3 }).ecs;
    const port = new SdkEcsPort(ecs);
    throttleNext = 1;
    await port.describeClusters({ clusters: ['demo'] });
    await port.describeClusters({ clusters: ['demo'] });
    await expect(port.listServices({ cluster: 'demo' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    throttleNext = 5;
    await expect(port.describeClusters({})).rejects.toMatchObject({ name: 'ThrottlingException' });
    throttleNext = 0;

    const families = await scrape(metrics);
    const count = (operation: string, code: string) =>
      sampleValue(families, 'ecs_gitops_aws_requests_total', { service: 'ECS', operation, code });
    expect(count('DescribeClusters', 'OK')).toBe(2);
    expect(count('DescribeClusters', 'ThrottlingException')).toBe(1);
    expect(count('ListServices', 'AccessDeniedException')).toBe(1);
    expect(families.get('ecs_gitops_aws_requests_total')!.samples).toHaveLength(3);
    // The call log itself is unchanged: calls at start, retries apart.
    expect(log.snapshot()).toEqual({ 'ECS.DescribeClusters': 3, 'ECS.ListServices': 1 });
    expect(log.retrySnapshot()).toEqual({ 'ECS.DescribeClusters': 3 });
    expect(seen).toEqual([
      'ECS.DescribeClusters=OK',
      'ECS.DescribeClusters=OK',
      'ECS.ListServices=AccessDeniedException',
      'ECS.DescribeClusters=ThrottlingException',
    ]);
    unsubscribe();
    await port.describeClusters({});
    expect(seen).toHaveLength(4);
  });

  test('a listener that throws does not break the call', async () => {
    const log = new CallLog();
    log.onRequest = () => {
      throw new Error('metrics broken');
    };
    const port = new SdkEcsPort(createAwsClients({ endpoint: stub.endpoint, callLog: log }).ecs);
    await expect(port.describeClusters({ clusters: ['demo'] })).resolves.toBeDefined();
  });
});

test('prunable_resources counts an event source kept by prune: false, and a later zero resets it', async () => {
  const m = new ControllerMetrics();
  m.prunable('demo', { eventRule: 1, eventQueue: 2 });
  expect(await m.text()).toMatch(/ecs_gitops_prunable_resources\{cluster="demo",kind="eventQueue"\} 2/);
  expect(await m.text()).toMatch(/ecs_gitops_prunable_resources\{cluster="demo",kind="eventRule"\} 1/);
  m.prunable('demo', {});
  expect(await m.text()).toMatch(/ecs_gitops_prunable_resources\{cluster="demo",kind="eventQueue"\} 0/);
});

test('ecs_gitops_leader is 1 only while leading; leader_transitions_total counts each role entered', async () => {
  const m = new ControllerMetrics();
  for (const role of ['follower', 'acquiring', 'leader']) m.leadershipRole(role);
  let families = await scrape(m);
  expect(families.get('ecs_gitops_leader')?.type).toBe('gauge');
  expect(families.get('ecs_gitops_leader_transitions_total')?.type).toBe('counter');
  expect(sampleValue(families, 'ecs_gitops_leader', {})).toBe(1);
  m.leadershipRole('follower');
  families = await scrape(m);
  expect(sampleValue(families, 'ecs_gitops_leader', {})).toBe(0);
  expect(sampleValue(families, 'ecs_gitops_leader_transitions_total', { role: 'follower' })).toBe(2);
  expect(sampleValue(families, 'ecs_gitops_leader_transitions_total', { role: 'leader' })).toBe(1);
  // Without --leader-election: the one replica writes, no transition counted.
  const alone = new ControllerMetrics();
  alone.leadershipRole('leader', false);
  families = await scrape(alone);
  expect(sampleValue(families, 'ecs_gitops_leader', {})).toBe(1);
  expect(families.get('ecs_gitops_leader_transitions_total')?.samples ?? []).toEqual([]);
});
