import { planCluster } from '../../controller/plan/planner';
import type { Plan, PlannedAction, Step } from '../../controller/plan/plan-types';
import type { DesiredProxyTarget } from '../../controller/model/load-balancer';
import type { ObservedState } from '../../controller/model/observed';
import { clusterConfig } from './builders';
import { demoDesired, demoRunning } from './scenario';
import { applyLb, lbConfig, observedLb, proxyTarget } from './lb-builders';

const cfg = clusterConfig({ loadBalancer: lbConfig() });

function desiredWith(targets: DesiredProxyTarget[], o: Parameters<typeof demoDesired>[0] = {}) {
  return { ...demoDesired({ cfg, ...o }), proxyTargets: targets };
}

function running(foreign: { priority: number; hosts: string[] }[] = []): ObservedState {
  return { ...demoRunning(cfg), loadBalancer: observedLb(foreign) };
}

const changing = (plan: Plan) => plan.actions.filter((a) => a.steps.length > 0).map((a) => `${a.op} ${a.id}`);
const byId = (plan: Plan, id: string): PlannedAction => {
  const a = plan.actions.find((x) => x.id === id);
  if (!a) throw new Error(`no ${id} in ${plan.actions.map((x) => x.id).join(', ')}`);
  return a;
};
const stepOf = <C extends Step['call']>(a: PlannedAction, call: C) =>
  a.steps.find((s) => s.call === call) as Extract<Step, { call: C }>;

/** Plans, applies onto the observed state as AWS would, and plans again. */
function twoRounds(desired: ReturnType<typeof desiredWith>, observed: ObservedState) {
  const first = planCluster(desired, observed);
  expect(first.errors).toEqual([]);
  const after = applyLb(first, observed);
  const second = planCluster(desired, after);
  return { first, after, second };
}

describe('load balancer planner', () => {
  test('a proxy.host container gets a target group, a rule and the service attached; the second round changes nothing', () => {
    const desired = desiredWith([proxyTarget('web', ['www.example.com', 'Web2.Example.com'.toLowerCase()])]);
    const { first, second } = twoRounds(desired, running([{ priority: 1, hosts: ['foreign.example.com'] }]));
    const tg = first.actions.find((a) => a.resource === 'targetGroup')!;
    expect(tg.name).toMatch(/^demo-web-80-[0-9a-f]{6}$/);
    expect(changing(first)).toEqual([
      `create ${tg.id}`,
      'create listenerRule/web/web/80@80#0',
      'update service/web',
    ]);
    const rule = byId(first, 'listenerRule/web/web/80@80#0');
    // The foreign rule keeps priority 1; ours takes the next free one.
    expect(stepOf(rule, 'createRule').input).toMatchObject({
      Priority: 2,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['web2.example.com', 'www.example.com'] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: `{{${tg.id}}}` }],
    });
    expect(rule.dependsOn).toEqual([tg.id]);
    const web = byId(first, 'service/web');
    expect(stepOf(web, 'updateService').input).toMatchObject({
      loadBalancers: [{ targetGroupArn: `{{${tg.id}}}`, containerName: 'web', containerPort: 80 }],
      healthCheckGracePeriodSeconds: 60,
    });
    expect(web.dependsOn).toEqual(expect.arrayContaining([tg.id, rule.id]));
    expect(stepOf(tg, 'createTargetGroup').input).toMatchObject({
      TargetType: 'instance',
      VpcId: 'vpc-0aaa',
      Port: 80,
    });
    expect(changing(second)).toEqual([]);
    expect(byId(first, 'service/api').steps).toEqual([]);
  });

  test('host names compare case- and order-insensitively; one added host changes one rule only', () => {
    const before = desiredWith([
      proxyTarget('web', ['a.example.com', 'b.example.com']),
      proxyTarget('api', ['api.example.com']),
    ]);
    const { after } = twoRounds(before, running());
    const added = desiredWith([
      proxyTarget('web', ['a.example.com', 'b.example.com', 'c.example.com']),
      proxyTarget('api', ['api.example.com']),
    ]);
    const plan = planCluster(added, after);
    expect(changing(plan)).toEqual(['update listenerRule/web/web/80@80#0']);
    const rule = byId(plan, 'listenerRule/web/web/80@80#0');
    expect(rule.changes).toEqual([
      {
        path: 'hosts',
        before: ['a.example.com', 'b.example.com'],
        after: ['a.example.com', 'b.example.com', 'c.example.com'],
      },
    ]);
    expect(rule.reason).toContain('priority');
  });

  test('six names split into two rules forwarding to the same target group', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e', 'f'].map((h) => `${h}.example.com`);
    const { first, second } = twoRounds(desiredWith([proxyTarget('web', hosts)]), running());
    const rules = first.actions.filter((a) => a.resource === 'listenerRule');
    expect(rules.map((r) => stepOf(r, 'createRule').input.Conditions?.[0]?.HostHeaderConfig?.Values)).toEqual(
      [hosts.slice(0, 5), hosts.slice(5)],
    );
    expect(new Set(rules.map((r) => stepOf(r, 'createRule').input.Actions?.[0]?.TargetGroupArn)).size).toBe(
      1,
    );
    expect(changing(second)).toEqual([]);
  });

  test('wildcard names go in their own rule at the highest free priority, after the exact ones', () => {
    const { first } = twoRounds(
      desiredWith([proxyTarget('web', ['www.example.com', '*.example.com'])]),
      running(),
    );
    const prio = (id: string) => stepOf(byId(first, id), 'createRule').input.Priority;
    expect(prio('listenerRule/web/web/80@80#0')).toBe(1);
    expect(prio('listenerRule/web/web/80@80#1')).toBe(50000);
  });

  test('priorities of untouched rules stay when another service comes and goes', () => {
    const two = desiredWith([
      proxyTarget('api', ['api.example.com']),
      proxyTarget('web', ['www.example.com']),
    ]);
    const { after } = twoRounds(two, running());
    const prioOf = (o: ObservedState, host: string) =>
      o.loadBalancer!.listeners[0].rules.find((r) => r.hosts.includes(host))!.priority;
    const webPriority = prioOf(after, 'www.example.com');
    const onlyWeb = desiredWith([proxyTarget('web', ['www.example.com'])]);
    const { after: later, second } = twoRounds(onlyWeb, after);
    expect(prioOf(later, 'www.example.com')).toBe(webPriority);
    expect(changing(second)).toEqual([]);
  });

  test('a removed label detaches the service, then deletes the rule, then the target group', () => {
    const { after } = twoRounds(desiredWith([proxyTarget('web', ['www.example.com'])]), running());
    const tgName = after.loadBalancer!.targetGroups[0].name;
    const { first, second } = twoRounds(desiredWith([]), after);
    expect(changing(first)).toEqual([
      'update service/web',
      'delete listenerRule/web/web/80@80#0',
      `delete targetGroup/${tgName}`,
    ]);
    expect(stepOf(byId(first, 'service/web'), 'updateService').input.loadBalancers).toEqual([]);
    expect(byId(first, 'listenerRule/web/web/80@80#0').dependsOn).toEqual(['service/web']);
    expect(byId(first, `targetGroup/${tgName}`).dependsOn).toEqual([
      'listenerRule/web/web/80@80#0',
      'service/web',
    ]);
    expect(changing(second)).toEqual([]);
  });

  test('bridge to awsvpc replaces the target group: new group, rule switched, service switched, old group deleted last', () => {
    const { after } = twoRounds(desiredWith([proxyTarget('web', ['www.example.com'])]), running());
    const old = after.loadBalancer!.targetGroups[0];
    const { first, second } = twoRounds(
      desiredWith([proxyTarget('web', ['www.example.com'], { networkMode: 'awsvpc' })]),
      after,
    );
    const created = first.actions.find((a) => a.resource === 'targetGroup' && a.op === 'create')!;
    expect(created.name).not.toBe(old.name);
    expect(created.reason).toContain(`replaces ${old.name} (target type instance -> ip`);
    expect(changing(first)).toEqual([
      `create ${created.id}`,
      'update listenerRule/web/web/80@80#0',
      'update service/web',
      `delete targetGroup/${old.name}`,
    ]);
    const rule = byId(first, 'listenerRule/web/web/80@80#0');
    expect(rule.dependsOn).toEqual([created.id]);
    expect(byId(first, `targetGroup/${old.name}`).dependsOn).toEqual([
      'listenerRule/web/web/80@80#0',
      'service/web',
    ]);
    expect(changing(second)).toEqual([]);
  });

  test('a .service file that writes loadBalancers keeps them, and the diff says so', () => {
    const desired = desiredWith([proxyTarget('web', ['www.example.com'])], {
      webBody: {
        launchType: 'EC2',
        loadBalancers: [
          {
            targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/mine/1',
            containerName: 'web',
            containerPort: 80,
          },
        ],
      },
    });
    const plan = planCluster(desired, running());
    expect(plan.actions.filter((a) => a.resource === 'targetGroup' || a.resource === 'listenerRule')).toEqual(
      [],
    );
    expect(byId(plan, 'service/web').reason).toContain(
      'its .service file writes loadBalancers: kept as written',
    );
  });

  test('a listener port the balancer does not have is an error naming the label', () => {
    const plan = planCluster(
      desiredWith([proxyTarget('web', ['www.example.com'], { ports: [{ listen: 8443, container: 80 }] })]),
      running(),
    );
    expect(plan.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('listener port 8443'),
        field: 'containerDefinitions[0].dockerLabels["proxy.ports"]',
        source: expect.objectContaining({ file: 'specs/demo/web.taskdef' }),
      }),
    ]);
  });

  test("the listener's 100 rules count rules that are not ours", () => {
    const foreign = Array.from({ length: 100 }, (_, i) => ({
      priority: i + 1,
      hosts: [`f${i}.example.com`],
    }));
    const plan = planCluster(desiredWith([proxyTarget('web', ['www.example.com'])]), running(foreign));
    expect(plan.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('would hold 101 rules (100 not ecs-gitops'),
    ]);
  });

  test('an existing balancer that cannot be found is an error, and nothing is planned for it', () => {
    const observed = { ...running(), loadBalancer: { listeners: [], targetGroups: [] } };
    const plan = planCluster(desiredWith([proxyTarget('web', ['www.example.com'])]), observed);
    expect(plan.errors).toEqual([
      expect.objectContaining({ message: 'load balancer shared-alb not found', field: 'loadBalancer.name' }),
    ]);
  });

  test('health check label overrides reach the target group; a changed default is one ModifyTargetGroup', () => {
    const { after } = twoRounds(
      desiredWith([
        proxyTarget('web', ['www.example.com'], { overrides: { healthCheck: { path: '/health' } } }),
      ]),
      running(),
    );
    expect(after.loadBalancer!.targetGroups[0].healthCheck.path).toBe('/health');
    const plan = planCluster(
      desiredWith([
        proxyTarget('web', ['www.example.com'], {
          overrides: { healthCheck: { path: '/ready' }, deregistrationDelaySeconds: 5 },
        }),
      ]),
      after,
    );
    const tg = plan.actions.find((a) => a.resource === 'targetGroup')!;
    expect(tg.steps.map((s) => s.call)).toEqual(['modifyTargetGroup', 'modifyTargetGroupAttributes']);
    expect(tg.changes).toEqual([
      { path: 'healthCheck.path', before: '/health', after: '/ready' },
      { path: 'attributes.deregistration_delay.timeout_seconds', before: '30', after: '5' },
    ]);
  });
});

describe('prune: false', () => {
  test('a removed label keeps service attachment, rule and target group, reported as kept', () => {
    const keep = clusterConfig({ loadBalancer: lbConfig(), prune: false });
    const desired = (targets: DesiredProxyTarget[]) => ({
      ...demoDesired({ cfg: keep }),
      proxyTargets: targets,
    });
    const start: ObservedState = { ...demoRunning(keep), loadBalancer: observedLb() };
    const first = planCluster(desired([proxyTarget('web', ['www.example.com'])]), start);
    const after = applyLb(first, start);
    const plan = planCluster(desired([]), after);
    expect(changing(plan)).toEqual([]);
    const kept = plan.actions.filter((a) => a.op === 'orphan').map((a) => `${a.resource} ${a.reason}`);
    expect(kept).toEqual([
      'listenerRule no proxy.host asks for it; kept (prune: false)',
      expect.stringMatching(/^targetGroup .*kept \(prune: false\)$/),
    ]);
  });
});
