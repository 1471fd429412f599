import { planCluster } from '../../controller/plan/planner';
import type { Plan } from '../../controller/plan/plan-types';
import type { ObservedState } from '../../controller/model/observed';
import {
  type EventResources,
  type EventsConfig,
  type ObservedEventQueue,
  TAG_EVENT_SOURCE,
} from '../../controller/model/events';
import type { TagMap } from '../../controller/model/ownership';
import { narrowToServices } from '../../controller/plan/narrow-to-services';
import { renderPlanText } from '../../controller/plan/render-text';
import { renderPlanMarkdown } from '../../controller/plan/render-markdown';
import { planToJson } from '../../controller/plan/plan-json';
import { ACCOUNT, clusterConfig, REGION } from './builders';
import { demoDesired, demoRunning } from './scenario';
import { planSchemaValidator } from '../helpers/plan-schema';

const QUEUE = 'ecs-gitops-demo-events';
const DLQ = 'ecs-gitops-demo-events-dlq';
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${QUEUE}`;
const OURS: TagMap = {
  'ecs-gitops:managed-by': 'ecs-gitops',
  'ecs-gitops:owner': 'demo',
  'ecs-gitops:cluster': 'demo',
};
const SOURCE = { file: 'specs/demo/cluster.yaml', line: 9, column: 1 };
const EXISTING: EventsConfig = {
  queue: { kind: 'existing', url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/theirs` },
  source: SOURCE,
};

const queue = (name: string, tags: TagMap = OURS): ObservedEventQueue => ({
  url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`,
  arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
  attributes: {},
  tags: { ...tags },
});
const all = (tags: TagMap = OURS): EventResources => ({
  rule: {
    name: QUEUE,
    arn: RULE_ARN,
    tags: { ...tags },
    targets: [{ id: 'ecs-gitops-queue', arn: queue(QUEUE).arn }],
  },
  queue: queue(QUEUE, tags),
  deadLetterQueue: queue(DLQ, tags),
});

/** The demo cluster after `events: { queue: create }` was applied, then removed from cluster.yaml. */
function marked(retiredEvents: ObservedState['retiredEvents'] | null = all(), marker = true): ObservedState {
  const o = demoRunning(clusterConfig());
  if (marker) o.cluster!.tags[TAG_EVENT_SOURCE] = 'owned';
  return { ...o, ...(retiredEvents ? { retiredEvents } : {}) };
}
const desiredWith = (over: Parameters<typeof clusterConfig>[0] = {}) =>
  demoDesired({ cfg: clusterConfig(over) });
const changing = (plan: Plan) =>
  plan.actions.filter((a) => a.op !== 'none').map((a) => `${a.op} ${a.id} <- [${a.dependsOn.join(', ')}]`);

describe('pruning the owned event source', () => {
  test('events: removed: rule, queue, dead-letter queue deleted in order, then the marker; nothing else changes', () => {
    const plan = planCluster(desiredWith(), marked());
    expect(plan.errors).toEqual([]);
    expect(changing(plan)).toEqual([
      `delete eventRule/${QUEUE} <- []`,
      `delete eventQueue/${QUEUE} <- [eventRule/${QUEUE}]`,
      `delete eventQueue/${DLQ} <- [eventRule/${QUEUE}, eventQueue/${QUEUE}]`,
      `update eventSource/demo <- [eventRule/${QUEUE}, eventQueue/${QUEUE}, eventQueue/${DLQ}]`,
    ]);
    const owner = { ownerId: 'demo', cluster: 'demo' };
    expect(plan.actions.flatMap((a) => a.steps)).toEqual([
      { call: 'deleteEventResource', kind: 'rule', name: QUEUE, owner },
      { call: 'deleteEventResource', kind: 'queue', name: QUEUE, owner },
      { call: 'deleteEventResource', kind: 'queue', name: DLQ, owner },
      {
        call: 'untagResource',
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/demo`,
        keys: [TAG_EVENT_SOURCE],
      },
    ]);
    // The cluster's own action leaves the marker alone (extra live tags are not drift).
    expect(plan.actions[0]).toMatchObject({ id: 'cluster/demo', op: 'none' });
  });

  test('after the prune (resources gone, marker gone) the plan changes nothing', () => {
    expect(changing(planCluster(desiredWith(), marked(null, false)))).toEqual([]);
    // Resources gone, the marker left by a crash: only the marker goes.
    expect(changing(planCluster(desiredWith(), marked({})))).toEqual(['update eventSource/demo <- []']);
    // A crash after the rule's delete: the rest is planned again, in the same order.
    const rest = all();
    delete rest.rule;
    expect(changing(planCluster(desiredWith(), marked(rest)))).toEqual([
      `delete eventQueue/${QUEUE} <- []`,
      `delete eventQueue/${DLQ} <- [eventQueue/${QUEUE}]`,
      `update eventSource/demo <- [eventQueue/${QUEUE}, eventQueue/${DLQ}]`,
    ]);
  });

  test('prune: false: each is kept and reported (orphan), the marker stays', () => {
    const plan = planCluster(desiredWith({ prune: false }), marked());
    expect(changing(plan)).toEqual([
      `orphan eventRule/${QUEUE} <- []`,
      `orphan eventQueue/${QUEUE} <- []`,
      `orphan eventQueue/${DLQ} <- []`,
    ]);
    expect(plan.actions.flatMap((a) => a.steps)).toEqual([]);
    expect(plan.actions.find((a) => a.op === 'orphan')?.reason).toBe(
      'cluster.yaml has no events: any more; kept (prune: false)',
    );
  });

  test("a resource of our names that is not this cluster's is never deleted; the marker still goes", () => {
    const other = { ...OURS, 'ecs-gitops:cluster': 'other' };
    const found: EventResources = { ...all(), queue: queue(QUEUE, {}), deadLetterQueue: queue(DLQ, other) };
    const plan = planCluster(desiredWith(), marked(found));
    expect(changing(plan)).toEqual([
      `delete eventRule/${QUEUE} <- []`,
      `update eventSource/demo <- [eventRule/${QUEUE}]`,
    ]);
    expect(
      plan.actions.filter((a) => a.resource === 'eventQueue').map((a) => `${a.op}: ${a.reason}`),
    ).toEqual([
      'none: not created by ecs-gitops: left as is',
      'none: created by ecs-gitops for another cluster: left as is',
    ]);
  });

  test('switched from create to an existing queue: the owned source is pruned beside the read one', () => {
    const plan = planCluster(desiredWith({ events: EXISTING }), {
      ...marked(),
      events: { existing: { url: 'https://sqs/theirs', arn: 'arn:aws:sqs:x:1:theirs' } },
    });
    expect(plan.errors).toEqual([]);
    expect(changing(plan)).toHaveLength(4);
    expect(plan.actions.find((a) => a.id === `eventRule/${QUEUE}`)?.reason).toBe(
      'events.queue is no longer create: deleted with its 1 target(s)',
    );
    // Naming the queue ecs-gitops made as the existing one would read a queue the plan deletes.
    const ownQueue: EventsConfig = { ...EXISTING, queue: { kind: 'existing', url: queue(QUEUE).url } };
    const refused = planCluster(desiredWith({ events: ownQueue }), {
      ...marked(),
      events: { existing: { url: queue(QUEUE).url } },
    });
    expect(refused.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^events\.queue names ecs-gitops-demo-events, a queue ecs-gitops made/),
    ]);
  });

  test('still events.queue: create, no marker, or a narrowed plan: nothing is pruned', () => {
    const owned: EventsConfig = {
      queue: { kind: 'owned', deadLetterMaxReceives: 5, messageRetentionSeconds: 345600 },
      source: SOURCE,
    };
    const stillOwned = planCluster(desiredWith({ events: owned }), marked());
    expect(stillOwned.actions.some((a) => a.op === 'delete' || a.id.startsWith('eventSource/'))).toBe(false);
    expect(changing(planCluster(desiredWith(), marked(all(), false)))).toEqual([]);
    // The observer reads nothing for a narrowed plan (retiredEvents absent): nothing planned.
    const narrowed = narrowToServices(desiredWith({ events: owned }), new Set(['web']));
    expect(changing(planCluster(narrowed, marked(null)))).toEqual([]);
  });

  test('marker present but SQS and EventBridge not read: the plan fails closed', () => {
    const plan = planCluster(desiredWith(), marked({ error: 'SQS and EventBridge were not read' }));
    expect(plan.errors.map((e) => e.message)).toEqual([
      'cluster demo carries ecs-gitops:event-source (ecs-gitops made its event source) but SQS and EventBridge were not read',
    ]);
  });

  test('events: { queue: create } puts the marker on the cluster (create and update)', () => {
    const owned: EventsConfig = {
      queue: { kind: 'owned', deadLetterMaxReceives: 5, messageRetentionSeconds: 345600 },
      source: SOURCE,
    };
    const plan = planCluster(desiredWith({ events: owned }), { ...demoRunning(clusterConfig()), events: {} });
    expect(plan.actions[0]).toMatchObject({
      op: 'update',
      steps: [{ call: 'tagResource', tags: [{ key: TAG_EVENT_SOURCE, value: 'owned' }] }],
    });
  });

  test('diff shows the deletions: text, markdown and JSON (kind prune, valid against the schema)', () => {
    const plan = planCluster(desiredWith(), marked());
    const text = renderPlanText([plan], { color: false });
    expect(text).toContain(`- eventRule/${QUEUE}`);
    expect(text).toContain(`- eventQueue/${DLQ}`);
    expect(text).toContain('eventSource/demo');
    const md = renderPlanMarkdown([plan]);
    expect(md).toContain(QUEUE);
    expect(md).toContain(DLQ);
    const json = planToJson([plan]);
    const validate = planSchemaValidator({ closed: true });
    expect(validate(json) ? [] : validate.errors).toEqual([]);
    expect(
      json.clusters[0].actions
        .filter((a) => a.kind !== 'unchanged')
        .map((a) => `${a.kind} ${a.resource} ${a.name}`),
    ).toEqual([
      `prune eventRule ${QUEUE}`,
      `prune eventQueue ${QUEUE}`,
      `prune eventQueue ${DLQ}`,
      'update cluster demo',
    ]);
  });
});
