import type { Service } from '@aws-sdk/client-ecs';
import type { ObservedEventQueue, ObservedEventRule } from '../../controller/model/events';
import { ownershipTags, type TagMap } from '../../controller/model/ownership';
import { actionKind } from '../../controller/plan/action-kind';
import { planDestroy, type DestroyObserved } from '../../controller/plan/destroy-planner';

const OURS: TagMap = { team: 'x', ...ownershipTags('demo', 'demo') };
const request = { cluster: 'demo', ownerId: 'demo', drain: true, region: 'us-east-1' };
const QUEUE = 'ecs-gitops-demo-events';
const DLQ = `${QUEUE}-dlq`;

function queue(name: string, tags: TagMap = OURS): ObservedEventQueue {
  return {
    url: `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`,
    arn: `arn:aws:sqs:us-east-1:123456789012:${name}`,
    attributes: {},
    tags,
  };
}

function rule(tags: TagMap = OURS, targets = 1): ObservedEventRule {
  return {
    name: QUEUE,
    arn: `arn:aws:events:us-east-1:123456789012:rule/${QUEUE}`,
    tags,
    targets: Array.from({ length: targets }, (_, i) => ({ id: `t${i}`, arn: 'arn:x' })),
  };
}

function observed(events: DestroyObserved['events'], services = ['web']): DestroyObserved {
  const svc = (name: string) => ({
    service: { serviceName: name, status: 'ACTIVE', desiredCount: 1 } as Service,
    tags: OURS,
  });
  return {
    cluster: { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo', tags: OURS },
    services: services.map(svc),
    ...(events ? { events } : {}),
  };
}

describe('planDestroy: the event source', () => {
  test('after the services: the rule with its targets, then the queue, then the dead-letter queue, then the cluster', () => {
    const { plan } = planDestroy(
      request,
      observed({ rule: rule(OURS, 2), queue: queue(QUEUE), deadLetterQueue: queue(DLQ) }),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.actions.map((a) => `${a.op} ${a.id} <- ${a.dependsOn.join(',')}`)).toEqual([
      'delete service/web <- ',
      `delete eventRule/${QUEUE} <- service/web`,
      `delete eventQueue/${QUEUE} <- service/web,eventRule/${QUEUE}`,
      `delete eventQueue/${DLQ} <- service/web,eventRule/${QUEUE},eventQueue/${QUEUE}`,
      `delete cluster/demo <- service/web,eventRule/${QUEUE},eventQueue/${QUEUE},eventQueue/${DLQ}`,
    ]);
    const owner = { ownerId: 'demo', cluster: 'demo' };
    expect(plan.actions[1]).toMatchObject({
      reason: 'created by ecs-gitops: deleted with its 2 target(s)',
      steps: [{ call: 'deleteEventResource', kind: 'rule', name: QUEUE, owner, destroying: true }],
    });
    expect(plan.actions[3].steps).toEqual([
      { call: 'deleteEventResource', kind: 'queue', name: DLQ, owner, destroying: true },
    ]);
    // A reviewer reads "delete" (destroy), not "prune".
    expect(plan.actions.slice(1, 4).map(actionKind)).toEqual(['delete', 'delete', 'delete']);
    expect(plan.actions[4].reason).toBe(
      'created by ecs-gitops: deleted, once its 1 service(s), 1 event rule(s), 2 event queue(s) are gone',
    );
  });

  test('nothing of it there, or not read: no event actions', () => {
    for (const events of [{}, undefined]) {
      const { plan } = planDestroy(request, observed(events, []));
      expect(plan.actions.map((a) => `${a.op} ${a.id}`)).toEqual(['delete cluster/demo']);
    }
  });

  test("what is not this cluster's is kept (never deleted), and blocks nothing", () => {
    const { plan } = planDestroy(
      request,
      observed(
        {
          rule: rule({ team: 'x' }),
          queue: queue(QUEUE, ownershipTags('other-owner', 'demo')),
          deadLetterQueue: queue(DLQ, ownershipTags('demo', 'another-cluster')),
        },
        [],
      ),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.actions.map((a) => `${a.op} ${a.id}: ${a.reason}`)).toEqual([
      `none eventRule/${QUEUE}: not created by ecs-gitops: kept`,
      `none eventQueue/${QUEUE}: owned by another ecs-gitops owner id: kept`,
      `none eventQueue/${DLQ}: created by ecs-gitops for another cluster: kept`,
      'delete cluster/demo: created by ecs-gitops: deleted',
    ]);
    expect(plan.actions.every((a) => a.op !== 'delete' || a.resource === 'cluster')).toBe(true);
  });

  test('a refused destroy shows the event source kept', () => {
    const { plan } = planDestroy(
      { ...request, drain: false },
      observed({ rule: rule(), queue: queue(QUEUE) }),
    );
    expect(plan.errors).toHaveLength(1);
    expect(plan.actions.some((a) => a.op === 'delete')).toBe(false);
  });
});
