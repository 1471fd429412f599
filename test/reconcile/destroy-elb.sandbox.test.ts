import { ManualClock } from '../../controller/aws/clock';
import type { Elbv2Port } from '../../controller/aws/elbv2-port';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { TAG_ROUTE, TAG_TARGET } from '../../controller/model/load-balancer';
import { mapToTags, ownershipTags, type TagMap } from '../../controller/model/ownership';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { destroyCluster } from '../../controller/reconcile/destroy';

/**
 * destroy through the executor: the ECS sandbox, and a small ELBv2 fake (the strict ELBv2 sandbox is
 * on its own branch) holding an owned balancer with our rule to our target group. Every write of
 * both goes to one event list, so the order across the two services is checked.
 */

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const LB = `${ARN}:loadbalancer/app/demo/1`;
const LISTENER = `${ARN}:listener/app/demo/1/80`;
const RULE = `${ARN}:listener-rule/app/demo/1/80/r1`;
const TG = `${ARN}:targetgroup/demo-web-80-aaaaaa/1`;
const OURS = ownershipTags('demo', 'demo');

function fakeElbv2(events: string[], fail: { deleteTargetGroup?: string } = {}) {
  const tags = new Map<string, TagMap>([
    [LB, OURS],
    [TG, { ...OURS, [TAG_TARGET]: 'web/web/80' }],
    [RULE, { ...OURS, [TAG_ROUTE]: 'web/web/80@80#1' }],
  ]);
  let balancer = true;
  let rule = true;
  let group = true;
  const write = async (op: string) => {
    await new Promise<void>((r) => setImmediate(r));
    events.push(`ELBv2.${op}`);
  };
  const port: Partial<Elbv2Port> = {
    describeTargetGroups: async () => {
      await write('read');
      return group
        ? {
            TargetGroups: [
              { TargetGroupArn: TG, TargetGroupName: 'demo-web-80-aaaaaa', LoadBalancerArns: [LB] },
            ],
          }
        : {};
    },
    describeLoadBalancers: async () => {
      await write('read');
      return balancer ? { LoadBalancers: [{ LoadBalancerArn: LB, LoadBalancerName: 'demo' }] } : {};
    },
    describeListeners: async () => {
      await write('read');
      return { Listeners: [{ ListenerArn: LISTENER, Port: 80, Protocol: 'HTTP', DefaultActions: [] }] };
    },
    describeRules: async () => {
      await write('read');
      return {
        Rules: [
          ...(rule
            ? [
                {
                  RuleArn: RULE,
                  Priority: '1',
                  Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['web.example.com'] } }],
                  Actions: [{ Type: 'forward' as const, TargetGroupArn: TG }],
                },
              ]
            : []),
          { RuleArn: `${LISTENER}/default`, Priority: 'default', IsDefault: true },
        ],
      };
    },
    describeTags: async (input) => {
      await write('read');
      return {
        TagDescriptions: (input.ResourceArns ?? []).map((a) => ({
          ResourceArn: a,
          Tags: mapToTags(tags.get(a) ?? {}).map((t) => ({ Key: t.key, Value: t.value })),
        })),
      };
    },
    deleteRule: async () => {
      await write('DeleteRule');
      rule = false;
      return {};
    },
    deleteTargetGroup: async () => {
      await write('DeleteTargetGroup');
      if (fail.deleteTargetGroup) {
        throw Object.assign(new Error(fail.deleteTargetGroup), { name: 'ResourceInUseException' });
      }
      group = false;
      return {};
    },
    deleteLoadBalancer: async () => {
      await write('DeleteLoadBalancer');
      balancer = false;
      return {};
    },
  };
  return port as Elbv2Port;
}

/** The sandbox ECS with cluster demo of ours and its service web (1 task); its writes go to `events`. */
async function ecsAccount(events: string[]) {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  await sb.createCluster({ clusterName: 'demo', tags: mapToTags(OURS) });
  await sb.registerTaskDefinition({
    family: 'demo-web',
    containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 64 }],
  });
  await sb.createService({
    cluster: 'demo',
    serviceName: 'web',
    taskDefinition: 'demo-web',
    desiredCount: 1,
    tags: mapToTags(OURS),
  });
  clock.advanceSeconds(60);
  const ecs = new Proxy(sb, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const name = String(prop);
        if (/^(update|delete)/.test(name)) events.push(`ECS.${name[0].toUpperCase()}${name.slice(1)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { sb, ecs, clock };
}

async function destroy(events: string[], elbv2: Elbv2Port) {
  const { sb, ecs, clock } = await ecsAccount(events);
  const report = await destroyCluster({
    ecs,
    elbv2,
    reader: new EcsReader(sb),
    clock,
    cluster: 'demo',
    ownerId: 'demo',
    drain: true,
    timeoutMs: 600_000,
    pollMs: 1000,
  });
  const status = (await sb.describeClusters({ clusters: ['demo'] })).clusters?.[0]?.status;
  return { report, status, writes: events.filter((e) => !e.endsWith('.read')) };
}

test('drains the services, then deletes the rule, the target group, the balancer, and last the cluster', async () => {
  const events: string[] = [];
  const { report, status, writes } = await destroy(events, fakeElbv2(events));
  expect(report.verdict).toBe('deleted');
  expect(writes).toEqual([
    'ECS.UpdateService',
    'ECS.DeleteService',
    'ELBv2.DeleteRule',
    'ELBv2.DeleteTargetGroup',
    'ELBv2.DeleteLoadBalancer',
    'ECS.DeleteCluster',
  ]);
  expect(status).toBe('INACTIVE');
});

test('a target group ELBv2 will not delete: the balancer and the cluster are kept, and the report says why', async () => {
  const events: string[] = [];
  const elbv2 = fakeElbv2(events, { deleteTargetGroup: 'in use by a listener or a rule' });
  const { report, status, writes } = await destroy(events, elbv2);
  expect(report.verdict).toBe('failed');
  expect(report.reason).toBe(
    'some load balancer pieces were not deleted (demo-web-80-aaaaaa: ResourceInUseException: in use by a listener or a rule; demo: not attempted: targetGroup/demo-web-80-aaaaaa was failed); the cluster was kept',
  );
  expect(writes).toEqual([
    'ECS.UpdateService',
    'ECS.DeleteService',
    'ELBv2.DeleteRule',
    'ELBv2.DeleteTargetGroup',
  ]);
  expect(status).toBe('ACTIVE');
});
