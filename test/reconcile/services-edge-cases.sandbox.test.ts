/**
 * Scenarios found in review, on the strict sandbox (which rejects what AWS rejects here and moto
 * does not): capacity providers a cluster must have, DAEMON services, pinned revisions under
 * `--wait`, and CreateService client tokens.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CreateServiceRequest } from '@aws-sdk/client-ecs';
import { ManualClock } from '../../controller/aws/clock';
import type { EcsPort } from '../../controller/aws/ecs-port';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { destroyCluster } from '../../controller/reconcile/destroy';
import { applyPlan, planDesiredState } from '../../controller/reconcile/reconcile-cluster';
import { waitForRollouts } from '../../controller/reconcile/rollout-waiter';
import { loadClusterDir } from '../../controller/specfiles';

function account() {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  return { sb: new SandboxEcs({ clock, drainSeconds: 10 }), clock };
}

function dirWith(files: Record<string, string>, from?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-edge-'));
  if (from) cpSync(from, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function reconcile(sb: SandboxEcs, dir: string, ecs: EcsPort = sb) {
  const loaded = await loadClusterDir(dir, { env: {} });
  expect(loaded.errors).toEqual([]);
  sb.callLog.reset();
  const reader = new EcsReader(ecs);
  const plan = await planDesiredState(loaded.state!, { ecs, reader });
  const results = await applyPlan(plan, { ecs, reader });
  return { plan, results, reader, mutating: sb.callLog.mutating() };
}

const CLUSTER = (extra = '') => `name: demo\nregion: us-east-1\n${extra}`;
const WEB_TASKDEF = JSON.stringify({
  containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 64 }],
});

describe('capacity providers', () => {
  test('examples/fargate: the cluster is created with the providers its services use', async () => {
    const { sb } = account();
    const dir = dirWith({}, path.join(__dirname, '../../examples/fargate'));
    const first = await reconcile(sb, dir);
    expect(first.results.map((r) => [r.id, r.outcome])).toEqual([
      ['cluster/apps', 'created'],
      ['taskDefinition/apps-checkout', 'created'],
      ['service/checkout', 'created'],
    ]);
    const live = (await sb.describeClusters({ clusters: ['apps'] })).clusters?.[0];
    expect(live?.capacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT']);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('a service using a provider its cluster lacks fails as on AWS, naming the cause', async () => {
    const { sb } = account();
    const dir = dirWith({
      'cluster.yaml': CLUSTER(),
      'web.taskdef': WEB_TASKDEF,
      'web.service': JSON.stringify({
        desiredCount: 1,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      }),
    });
    const round = await reconcile(sb, dir);
    const web = round.results.find((r) => r.id === 'service/web');
    expect(web?.outcome).toBe('failed');
    expect(web?.message).toMatch(/not associated with the cluster/);
  });

  test('providers added to cluster.yaml of a cluster ecs-gitops owns are associated before services use them', async () => {
    const { sb } = account();
    const dir = dirWith({
      'cluster.yaml': CLUSTER(),
      'web.taskdef': WEB_TASKDEF,
      'web.service': '{"desiredCount": 1}',
    });
    await reconcile(sb, dir);
    writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER('capacityProviders: [FARGATE_SPOT]\n'));
    writeFileSync(
      path.join(dir, 'web.service'),
      JSON.stringify({
        desiredCount: 1,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      }),
    );
    const round = await reconcile(sb, dir);
    expect(round.mutating).toEqual({ 'ECS.PutClusterCapacityProviders': 1, 'ECS.UpdateService': 1 });
    expect(round.results.every((r) => r.outcome !== 'failed')).toBe(true);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });

  test('when associating the providers fails, the service update that needs them is skipped, not sent', async () => {
    const { sb } = account();
    const dir = dirWith({
      'cluster.yaml': CLUSTER(),
      'web.taskdef': WEB_TASKDEF,
      'web.service': '{"desiredCount": 1}',
    });
    await reconcile(sb, dir);
    writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER('capacityProviders: [FARGATE_SPOT]\n'));
    writeFileSync(
      path.join(dir, 'web.service'),
      JSON.stringify({
        desiredCount: 2,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      }),
    );
    const refusing: EcsPort = new Proxy(sb, {
      get(target, prop, receiver) {
        if (prop === 'putClusterCapacityProviders') {
          return () => Promise.reject(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const round = await reconcile(sb, dir, refusing);
    // The dependency is in the plan (what diff shows), and the executor only follows it.
    expect(round.plan.actions.find((a) => a.id === 'service/web')?.dependsOn).toContain('cluster/demo');
    expect(round.results.map((r) => [r.id, r.outcome, r.message])).toEqual(
      expect.arrayContaining([
        ['cluster/demo', 'failed', 'AccessDeniedException: no'],
        ['service/web', 'skipped', 'not attempted: cluster/demo was failed'],
      ]),
    );
    expect(round.mutating).toEqual({});
    // Once the association works, both go through; the round after changes nothing.
    expect((await reconcile(sb, dir)).mutating).toEqual({
      'ECS.PutClusterCapacityProviders': 1,
      'ECS.UpdateService': 1,
    });
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });
});

describe('DAEMON services', () => {
  const files = {
    'cluster.yaml': CLUSTER(),
    'agent.taskdef': JSON.stringify({
      containerDefinitions: [{ name: 'agent', image: 'datadog/agent:7', memory: 128 }],
    }),
    'agent.service': JSON.stringify({ schedulingStrategy: 'DAEMON' }),
  };

  test('are created without a desired count (AWS rejects one) and stay unchanged', async () => {
    const { sb } = account();
    const dir = dirWith(files);
    const first = await reconcile(sb, dir);
    expect(first.results.find((r) => r.id === 'service/agent')?.outcome).toBe('created');
    expect((await reconcile(sb, dir)).mutating).toEqual({});
    await expect(sb.updateService({ cluster: 'demo', service: 'agent', desiredCount: 0 })).rejects.toThrow(
      /daemon scheduling strategy does not support a desired count/,
    );
  });

  test('destroy --drain deletes them without scaling them (which AWS would reject)', async () => {
    const { sb, clock } = account();
    await reconcile(sb, dirWith(files));
    sb.callLog.reset();
    const report = await destroyCluster({
      ecs: sb,
      reader: new EcsReader(sb),
      clock,
      cluster: 'demo',
      ownerId: 'demo',
      drain: true,
      timeoutMs: 120_000,
      pollMs: 1000,
    });
    expect(report.verdict).toBe('deleted');
    expect(sb.callLog.mutating()).toEqual({ 'ECS.DeleteService': 1, 'ECS.DeleteCluster': 1 });
    // The round after: nothing left, nothing changed.
    sb.callLog.reset();
    const again = await destroyCluster({
      ecs: sb,
      reader: new EcsReader(sb),
      clock,
      cluster: 'demo',
      ownerId: 'demo',
      drain: true,
      timeoutMs: 120_000,
    });
    expect(again.verdict).toBe('absent');
    expect(sb.callLog.mutating()).toEqual({});
  });
});

describe('--wait with a pinned revision', () => {
  test('a service pinned to family:revision completes; it is not mistaken for a rollback', async () => {
    const { sb, clock } = account();
    await sb.registerTaskDefinition({
      family: 'shared-web',
      containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 64 }],
    });
    const dir = dirWith({
      'cluster.yaml': CLUSTER(),
      'api.service': '{"taskDefinition": "shared-web:1", "desiredCount": 1}',
    });
    const round = await reconcile(sb, dir);
    const api = round.results.find((r) => r.id === 'service/api');
    expect(api?.outcome).toBe('created');
    expect(api?.taskDefinitionArn).toMatch(/^arn:aws:ecs:.*:task-definition\/shared-web:1$/);
    const rollouts = await waitForRollouts(
      'demo',
      [{ name: 'api', taskDefinitionArn: api?.taskDefinitionArn }],
      {
        reader: round.reader,
        clock,
        timeoutMs: 60_000,
        pollMs: 1000,
      },
    );
    expect(rollouts.map((r) => r.state)).toEqual(['completed']);
    expect((await reconcile(sb, dir)).mutating).toEqual({});
  });
});

describe('CreateService client tokens', () => {
  test('each create gets its own token, also when the same service is created again later', async () => {
    const { sb, clock } = account();
    const tokens: string[] = [];
    const recording: EcsPort = Object.assign(Object.create(sb) as SandboxEcs, {
      createService: (input: CreateServiceRequest) => {
        tokens.push(input.clientToken ?? '');
        return sb.createService(input);
      },
    });
    const dir = dirWith({
      'cluster.yaml': CLUSTER(),
      'web.taskdef': WEB_TASKDEF,
      'web.service': '{"desiredCount": 0}',
    });
    await reconcile(sb, dir, recording);
    await sb.deleteService({ cluster: 'demo', service: 'web' });
    clock.advanceSeconds(60);
    const again = await reconcile(sb, dir, recording);
    expect(again.results.find((r) => r.id === 'service/web')?.outcome).toBe('created');
    expect(tokens).toHaveLength(2);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
  });
});
