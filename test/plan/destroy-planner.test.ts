import type { Service } from '@aws-sdk/client-ecs';
import { ownershipTags, type TagMap } from '../../controller/model/ownership';
import { planDestroy, type DestroyObserved } from '../../controller/plan/destroy-planner';
import { planHasChanges } from '../../controller/plan/plan-types';

const OURS: TagMap = ownershipTags('demo', 'demo');
const request = { cluster: 'demo', ownerId: 'demo', drain: true, region: 'us-east-1' };

function svc(name: string, over: Partial<Service> = {}, tags: TagMap = OURS) {
  return { service: { serviceName: name, status: 'ACTIVE', desiredCount: 2, ...over }, tags };
}

function observed(services: DestroyObserved['services'], tags: TagMap = OURS): DestroyObserved {
  return { cluster: { arn: 'arn:aws:ecs:us-east-1:1:cluster/demo', tags }, services };
}

const ops = (o: DestroyObserved, drain = true) =>
  planDestroy({ ...request, drain }, o).plan.actions.map((a) => `${a.op} ${a.id}`);

describe('planDestroy', () => {
  test('with --drain: every service drained and deleted, then the cluster, which depends on them', () => {
    const { plan } = planDestroy(request, observed([svc('worker'), svc('web')]));
    expect(plan.errors).toEqual([]);
    expect(plan.actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'delete service/web',
      'delete service/worker',
      'delete cluster/demo',
    ]);
    expect(plan.actions[0].steps).toEqual([
      { call: 'drainService', cluster: 'demo', service: 'web', ownerId: 'demo' },
    ]);
    expect(plan.actions[0].changes).toEqual([{ path: 'desiredCount', before: 2, after: 0 }]);
    expect(plan.actions[2].dependsOn).toEqual(['service/web', 'service/worker']);
    expect(plan.actions[2].steps).toEqual([
      { call: 'deleteCluster', cluster: 'demo', ownerId: 'demo', services: ['web', 'worker'] },
    ]);
    expect(planHasChanges(plan)).toBe(true);
  });

  test('an empty cluster of ours: only the cluster, without --drain too', () => {
    expect(ops(observed([]), false)).toEqual(['delete cluster/demo']);
  });

  test('a DAEMON service is deleted without a scale-down (AWS rejects a desired count for it)', () => {
    const { plan } = planDestroy(request, observed([svc('agent', { schedulingStrategy: 'DAEMON' })]));
    expect(plan.actions[0]).toMatchObject({ op: 'delete', reason: 'delete', changes: [] });
  });

  test('an absent cluster: nothing to destroy, no error', () => {
    const { plan } = planDestroy(request, { services: [] });
    expect(plan.errors).toEqual([]);
    expect(planHasChanges(plan)).toBe(false);
    expect(plan.actions).toMatchObject([{ op: 'none', reason: 'does not exist: nothing to destroy' }]);
  });

  test('refused: a cluster not created by ecs-gitops (or by another owner id)', () => {
    for (const tags of [{ team: 'x' }, ownershipTags('other', 'demo')]) {
      const { plan } = planDestroy(request, observed([], tags));
      expect(plan.errors.map((e) => e.message)).toEqual([
        'cluster demo was not created by ecs-gitops (owner id demo); delete it with the tool that created it',
      ]);
      expect(planHasChanges(plan)).toBe(false);
    }
  });

  test('refused without --drain while services remain: the error lists them, nothing is deleted', () => {
    const { plan, services } = planDestroy({ ...request, drain: false }, observed([svc('web'), svc('api')]));
    expect(plan.errors.map((e) => e.message)).toEqual([
      'cluster demo still has 2 service(s); delete them first or pass --drain: api (ACTIVE, owned by ecs-gitops), web (ACTIVE, owned by ecs-gitops)',
    ]);
    expect(planHasChanges(plan)).toBe(false);
    expect(services.map((s) => s.name)).toEqual(['api', 'web']);
  });

  test('refused with --drain when a service is not ours: the error names it, nothing is deleted', () => {
    const { plan } = planDestroy(request, observed([svc('web'), svc('legacy', {}, {})]));
    expect(plan.errors.map((e) => e.message)).toEqual([
      'cluster demo has 1 service(s) that ecs-gitops does not own; nothing is changed: legacy (ACTIVE, not owned by ecs-gitops)',
    ]);
    expect(planHasChanges(plan)).toBe(false);
  });
});
