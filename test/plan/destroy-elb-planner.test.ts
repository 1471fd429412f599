import { actionKind } from '../../controller/plan/action-kind';
import type { Service } from '@aws-sdk/client-ecs';
import type { ClusterElb, ClusterElbBalancer } from '../../controller/model/cluster-elb';
import { TAG_ROUTE, TAG_TARGET, type ObservedRule } from '../../controller/model/load-balancer';
import { ownershipTags, type TagMap } from '../../controller/model/ownership';
import { planDestroy, type DestroyObserved } from '../../controller/plan/destroy-planner';
import { planHasChanges, type PlannedAction } from '../../controller/plan/plan-types';

/** destroy with the cluster's load balancer pieces: what is deleted, in which order, and what refuses. */

const OURS: TagMap = ownershipTags('demo', 'demo');
const request = { cluster: 'demo', ownerId: 'demo', drain: true, region: 'us-east-1' };
const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const OWNED_LB = `${ARN}:loadbalancer/app/demo/1111`;
const SHARED_LB = `${ARN}:loadbalancer/app/shared/2222`;
const tgArn = (name: string) => `${ARN}:targetgroup/${name}/abcd`;

function group(name: string, lbs: string[], tags: TagMap = { ...OURS, [TAG_TARGET]: `${name}/web/80` }) {
  return { arn: tgArn(name), name, port: 80, healthCheck: {}, loadBalancerArns: lbs, tags };
}

function rule(
  id: string,
  priority: number,
  forwardTo: string[],
  tags: TagMap,
  hosts = [`${id}.example.com`],
) {
  const r: ObservedRule = {
    arn: `${ARN}:listener-rule/app/x/y/z/${id}`,
    listenerArn: 'l',
    priority,
    hosts,
    otherConditions: false,
    forwardTo,
    tags,
    raw: {},
  };
  return r;
}

const ourRule = (id: string, priority: number, to: string) =>
  rule(id, priority, [tgArn(to)], { ...OURS, [TAG_ROUTE]: `${id}/web/80@80#1` });

function balancer(name: string, arn: string, tags: TagMap, rules: ObservedRule[]): ClusterElbBalancer {
  return {
    arn,
    name,
    tags,
    listeners: [{ arn: `${arn}/l80`, port: 80, protocol: 'HTTP', defaultActions: [], rules }],
  };
}

function observed(elb: ClusterElb, services: DestroyObserved['services'] = []): DestroyObserved {
  return { cluster: { arn: 'arn:aws:ecs:us-east-1:1:cluster/demo', tags: OURS }, services, elb };
}

function svc(name: string) {
  const service: Service = { serviceName: name, status: 'ACTIVE', desiredCount: 1 };
  return { service, tags: OURS };
}

const byId = (actions: PlannedAction[]) => new Map(actions.map((a) => [a.id, a]));

describe('planDestroy with the load balancer pieces', () => {
  const owned = balancer('demo', OWNED_LB, OURS, [ourRule('web', 1, 'demo-web-80-aaaaaa')]);
  const elb: ClusterElb = {
    targetGroups: [group('demo-api-80-bbbbbb', [SHARED_LB]), group('demo-web-80-aaaaaa', [OWNED_LB])],
    balancers: [
      owned,
      // An existing balancer: our rule on it goes, the balancer and the rule not ours stay.
      balancer('shared', SHARED_LB, { team: 'platform' }, [
        rule('legacy', 1, [tgArn('legacy')], {}),
        ourRule('api', 2, 'demo-api-80-bbbbbb'),
      ]),
    ],
  };

  test('order: services, then every rule of ours, then target groups, then the owned balancer, then the cluster', () => {
    const { plan } = planDestroy(request, observed(elb, [svc('web'), svc('api')]));
    expect(plan.errors).toEqual([]);
    expect(plan.actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'delete service/api',
      'delete service/web',
      'delete listenerRule/web/web/80@80#1',
      'delete listenerRule/api/web/80@80#1',
      'delete targetGroup/demo-api-80-bbbbbb',
      'delete targetGroup/demo-web-80-aaaaaa',
      'delete loadBalancer/demo',
      'none loadBalancer/shared',
      'delete cluster/demo',
    ]);
    const a = byId(plan.actions);
    const services = ['service/api', 'service/web'];
    const rules = ['listenerRule/web/web/80@80#1', 'listenerRule/api/web/80@80#1'];
    expect(a.get('listenerRule/api/web/80@80#1')?.dependsOn).toEqual(services);
    expect(a.get('targetGroup/demo-api-80-bbbbbb')?.dependsOn).toEqual([...services, ...rules]);
    // The owned balancer waits for its own rule and target group (DeleteLoadBalancer takes its listeners).
    expect(a.get('loadBalancer/demo')?.dependsOn).toEqual([
      ...services,
      'listenerRule/web/web/80@80#1',
      'targetGroup/demo-web-80-aaaaaa',
    ]);
    expect(a.get('cluster/demo')?.dependsOn).toEqual([
      ...services,
      ...rules,
      'targetGroup/demo-api-80-bbbbbb',
      'targetGroup/demo-web-80-aaaaaa',
      'loadBalancer/demo',
    ]);
    expect(a.get('cluster/demo')?.reason).toBe(
      'created by ecs-gitops: deleted, once its 2 service(s), 2 rule(s), 2 target group(s), 1 load balancer(s) are gone',
    );
    const owner = { ownerId: 'demo', cluster: 'demo' };
    expect(a.get('loadBalancer/demo')?.steps).toEqual([
      { call: 'deleteElbResource', kind: 'loadBalancer', arn: OWNED_LB, owner, destroying: true },
    ]);
    // A reviewer reads "delete" for what destroy removes (pruning reads "prune").
    expect(actionKind(a.get('loadBalancer/demo')!)).toBe('delete');
    expect(actionKind(a.get('listenerRule/web/web/80@80#1')!)).toBe('delete');
    expect(a.get('listenerRule/web/web/80@80#1')?.steps).toEqual([
      { call: 'deleteElbResource', kind: 'rule', arn: ourRule('web', 1, 'x').arn, owner, destroying: true },
    ]);
  });

  test('nothing of another owner id or another cluster is touched, whatever its name', () => {
    const otherOwner = { ...ownershipTags('someone', 'demo'), [TAG_ROUTE]: 'x/x/80@80#1' };
    const otherCluster = { ...ownershipTags('demo', 'demo-b'), [TAG_ROUTE]: 'y/y/80@80#1' };
    const mixed: ClusterElb = {
      targetGroups: [
        group('demo-web-80-aaaaaa', [SHARED_LB]),
        group('demo-x-80-cccccc', [SHARED_LB], ownershipTags('someone', 'demo')),
        group('demo-y-80-dddddd', [SHARED_LB], ownershipTags('demo', 'demo-b')),
      ],
      balancers: [
        balancer('shared', SHARED_LB, ownershipTags('someone', 'demo'), [
          ourRule('web', 3, 'demo-web-80-aaaaaa'),
          rule('x', 1, [tgArn('demo-x-80-cccccc')], otherOwner),
          rule('y', 2, [tgArn('demo-y-80-dddddd')], otherCluster),
        ]),
      ],
    };
    const { plan } = planDestroy(request, observed(mixed));
    expect(plan.errors).toEqual([]);
    expect(plan.actions.filter((a) => a.op === 'delete').map((a) => a.id)).toEqual([
      'listenerRule/web/web/80@80#1',
      'targetGroup/demo-web-80-aaaaaa',
      'cluster/demo',
    ]);
    const arns = plan.actions.flatMap((a) => a.steps.map((s) => ('arn' in s ? s.arn : '')));
    expect(arns).not.toContain(SHARED_LB);
    expect(arns).not.toContain(tgArn('demo-x-80-cccccc'));
  });

  test('refused: an owned balancer with a rule it does not own; the error names the rule, nothing changes', () => {
    const foreign = rule('legacy', 1, [tgArn('legacy')], {}, ['legacy.example.com']);
    const withForeign: ClusterElb = {
      targetGroups: elb.targetGroups,
      balancers: [balancer('demo', OWNED_LB, OURS, [foreign, ourRule('web', 2, 'demo-web-80-aaaaaa')])],
    };
    const { plan } = planDestroy(request, observed(withForeign, [svc('web')]));
    expect(plan.errors.map((e) => e.message)).toEqual([
      `load balancer demo was created by ecs-gitops but has 1 rule(s) that ecs-gitops does not own; it is never deleted while a rule it does not own is attached, so nothing is changed: demo:80 priority 1 (legacy.example.com) ${foreign.arn}`,
    ]);
    expect(planHasChanges(plan)).toBe(false);
    expect(plan.actions.every((a) => a.steps.length === 0)).toBe(true);
    expect(plan.actions.find((a) => a.id === 'cluster/demo')?.reason).toBe(
      'kept: load balancer pieces block it',
    );
  });

  test('refused: a rule not ours (on a balancer not ours) forwards to a target group of ours', () => {
    const foreign = rule('legacy', 7, [tgArn('demo-api-80-bbbbbb')], { team: 'x' }, ['old.example.com']);
    const blocked: ClusterElb = {
      targetGroups: [group('demo-api-80-bbbbbb', [SHARED_LB])],
      balancers: [balancer('shared', SHARED_LB, {}, [foreign])],
    };
    const { plan } = planDestroy(request, observed(blocked));
    expect(plan.errors.map((e) => e.message)).toEqual([
      `target group demo-api-80-bbbbbb was created by ecs-gitops, but what ecs-gitops does not own forwards to it, so nothing is changed: rule shared:80 priority 7 (old.example.com) ${foreign.arn}`,
    ]);
    expect(planHasChanges(plan)).toBe(false);
  });

  test('refused: a listener not ours whose default action forwards to a target group of ours', () => {
    const lb = balancer('shared', SHARED_LB, {}, []);
    lb.listeners[0].defaultActions = [{ Type: 'forward', TargetGroupArn: tgArn('demo-api-80-bbbbbb') }];
    const { plan } = planDestroy(
      request,
      observed({ targetGroups: [group('demo-api-80-bbbbbb', [SHARED_LB])], balancers: [lb] }),
    );
    expect(plan.errors.map((e) => e.message)).toEqual([
      'target group demo-api-80-bbbbbb was created by ecs-gitops, but what ecs-gitops does not own forwards to it, so nothing is changed: the default action of listener shared:80',
    ]);
  });

  test('an owned balancer with no rules and no target groups: deleted before the cluster', () => {
    const { plan } = planDestroy(
      request,
      observed({ targetGroups: [], balancers: [balancer('demo', OWNED_LB, OURS, [])] }),
    );
    expect(plan.actions.map((a) => `${a.op} ${a.id} <- ${a.dependsOn.join(',')}`)).toEqual([
      'delete loadBalancer/demo <- ',
      'delete cluster/demo <- loadBalancer/demo',
    ]);
  });

  test('a detached target group of ours (no balancer) is deleted too', () => {
    const { plan } = planDestroy(
      request,
      observed({ targetGroups: [group('demo-web-80-aaaaaa', [])], balancers: [] }),
    );
    expect(plan.actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'delete targetGroup/demo-web-80-aaaaaa',
      'delete cluster/demo',
    ]);
  });

  test('ELBv2 pieces are not planned while the ECS side refuses (services left without --drain)', () => {
    const { plan } = planDestroy({ ...request, drain: false }, observed(elb, [svc('web')]));
    expect(plan.errors).toHaveLength(1);
    expect(plan.actions.map((a) => a.id)).toEqual(['service/web', 'cluster/demo']);
  });
});
