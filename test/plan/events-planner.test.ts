import { planCluster } from '../../controller/plan/planner';
import type { Plan, PlannedAction, Step } from '../../controller/plan/plan-types';
import type { ObservedState } from '../../controller/model/observed';
import type { EventsConfig, ObservedEventQueue, ObservedEvents } from '../../controller/model/events';
import { eventResourceNames, resourceArnPrefix, TAG_EVENT_SOURCE } from '../../controller/model/events';
import { renderPlanText } from '../../controller/plan/render-text';
import { planToJson } from '../../controller/plan/plan-json';
import { ACCOUNT, clusterConfig, REGION } from './builders';
import { demoDesired, demoRunning } from './scenario';
import { planSchemaValidator } from '../helpers/plan-schema';

const CONTEXT = { partition: 'aws', region: REGION, accountId: ACCOUNT };
const SOURCE = { file: 'specs/demo/cluster.yaml', line: 9, column: 1 };
const owned = (over: Partial<{ deadLetterMaxReceives: number; messageRetentionSeconds: number }> = {}) =>
  ({
    queue: { kind: 'owned', deadLetterMaxReceives: 5, messageRetentionSeconds: 345600, ...over },
    source: SOURCE,
  }) satisfies EventsConfig;

const QUEUE = 'ecs-gitops-demo-events';
const DLQ = 'ecs-gitops-demo-events-dlq';
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${QUEUE}`;

/** `null`: no `events:` section. */
function desiredWith(events: EventsConfig | null = owned()) {
  return demoDesired({ cfg: clusterConfig(events ? { events } : {}) });
}

/**
 * `null`: SQS and EventBridge not read. The cluster carries the event-source marker, as an apply
 * of `events: { queue: create }` leaves it (the marker's own tests are in events-prune-planner).
 */
function running(events: ObservedEvents | null = { context: CONTEXT }): ObservedState {
  const o = demoRunning(clusterConfig());
  o.cluster!.tags[TAG_EVENT_SOURCE] = 'owned';
  return { ...o, ...(events ? { events } : {}) };
}

const changing = (plan: Plan) => plan.actions.filter((a) => a.steps.length > 0).map((a) => `${a.op} ${a.id}`);
const byId = (plan: Plan, id: string): PlannedAction => {
  const a = plan.actions.find((x) => x.id === id);
  if (!a) throw new Error(`no ${id} in ${plan.actions.map((x) => x.id).join(', ')}`);
  return a;
};
const stepOf = <C extends Step['call']>(a: PlannedAction, call: C) =>
  a.steps.find((s) => s.call === call) as Extract<Step, { call: C }>;

/**
 * Applies the plan's event steps onto the observed state the way SQS and EventBridge answer reads
 * afterwards: SQS adds its own default attributes and gives a RedrivePolicy's count back as a
 * number; EventBridge gives the pattern back as it was put.
 */
function applyEvents(plan: Plan, observed: ObservedState): ObservedState {
  const out: ObservedState = structuredClone(observed);
  const ev = out.events as ObservedEvents;
  const slot = (name: string): 'queue' | 'deadLetterQueue' => (name === DLQ ? 'deadLetterQueue' : 'queue');
  for (const action of plan.actions) {
    for (const step of action.steps) {
      switch (step.call) {
        case 'createQueue':
          ev[slot(step.name)] = {
            url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${step.name}`,
            arn: queueArn(step.name),
            attributes: { VisibilityTimeout: '30', DelaySeconds: '0', ...step.attributes },
            tags: { ...step.tags },
          };
          break;
        case 'setQueueAttributes':
          Object.assign(ev[slot(step.name)]!.attributes, step.attributes);
          break;
        case 'tagQueue':
          for (const t of step.tags) ev[slot(step.name)]!.tags[t.key!] = t.value!;
          break;
        case 'putRule':
          ev.rule = {
            name: step.name,
            arn: RULE_ARN,
            eventPattern: step.eventPattern,
            description: step.description,
            state: 'ENABLED',
            tags: ev.rule?.tags ?? Object.fromEntries(step.tags.map((t) => [t.key, t.value])),
            targets: ev.rule?.targets ?? [],
          };
          break;
        case 'putTargets':
          for (const t of step.targets) {
            ev.rule!.targets = [...ev.rule!.targets.filter((x) => x.id !== t.id), { ...t }];
          }
          break;
        case 'tagEventRule':
          for (const t of step.tags) ev.rule!.tags[t.key!] = t.value!;
          break;
        default:
          break;
      }
    }
  }
  // SQS answers a RedrivePolicy with the count as a number, whatever it was sent as.
  for (const q of [ev.queue, ev.deadLetterQueue]) {
    if (q?.attributes.RedrivePolicy)
      q.attributes.RedrivePolicy = JSON.stringify(JSON.parse(q.attributes.RedrivePolicy));
  }
  return out;
}

function twoRounds(events: EventsConfig = owned(), observed: ObservedState = running()) {
  const desired = desiredWith(events);
  const first = planCluster(desired, observed);
  expect(first.errors).toEqual([]);
  const after = applyEvents(first, observed);
  const second = planCluster(desired, after);
  return { desired, first, after, second };
}

describe('event source planner', () => {
  test('names are deterministic and within SQS and EventBridge limits; a long cluster name is cut and hashed', () => {
    expect(eventResourceNames('demo')).toEqual({
      rule: QUEUE,
      queue: QUEUE,
      deadLetterQueue: DLQ,
      targetId: 'ecs-gitops-queue',
    });
    const long = 'a'.repeat(200);
    const names = eventResourceNames(long);
    expect(names.rule.length).toBe(64);
    expect(names.deadLetterQueue.length).toBeLessThanOrEqual(80);
    expect(names.rule).toMatch(/^ecs-gitops-a+-[0-9a-f]{8}-events$/);
    // Two long names with one beginning differ; the longest name that fits is kept whole.
    expect(eventResourceNames(`${long}b`).rule).not.toBe(names.rule);
    const fits = 'c'.repeat(64 - 'ecs-gitops--events'.length);
    expect(eventResourceNames(fits).rule).toBe(`ecs-gitops-${fits}-events`);
    expect(eventResourceNames(`${fits}c`).rule.length).toBe(64);
  });

  test("the rule picks the cluster's resources by ARN prefix: the slash keeps demo2's out", () => {
    const demo = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/demo`;
    expect(resourceArnPrefix(demo, 'task')).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT}:task/demo/`);
    expect(
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task/demo2/abc`.startsWith(resourceArnPrefix(demo, 'task')),
    ).toBe(false);
    expect(
      resourceArnPrefix('arn:aws-cn:ecs:cn-north-1:123456789012:cluster/x_y', 'container-instance'),
    ).toBe('arn:aws-cn:ecs:cn-north-1:123456789012:container-instance/x_y/');
  });

  test('from nothing: dead-letter queue, queue, then rule with its target, in that order; the second round changes nothing', () => {
    const { first, second } = twoRounds();
    expect(changing(first)).toEqual([
      `create eventQueue/${DLQ}`,
      `create eventQueue/${QUEUE}`,
      `create eventRule/${QUEUE}`,
    ]);
    // Right after the cluster: the event source is there before the services change.
    expect(first.actions.slice(0, 4).map((a) => a.id)).toEqual([
      'cluster/demo',
      `eventQueue/${DLQ}`,
      `eventQueue/${QUEUE}`,
      `eventRule/${QUEUE}`,
    ]);
    const dlq = byId(first, `eventQueue/${DLQ}`);
    const queue = byId(first, `eventQueue/${QUEUE}`);
    const rule = byId(first, `eventRule/${QUEUE}`);
    expect(queue.dependsOn).toEqual([dlq.id]);
    expect(rule.dependsOn).toEqual([queue.id]);
    const tags = {
      team: 'platform',
      'ecs-gitops:managed-by': 'ecs-gitops',
      'ecs-gitops:owner': 'demo',
      'ecs-gitops:cluster': 'demo',
    };
    expect(stepOf(dlq, 'createQueue')).toEqual({
      call: 'createQueue',
      name: DLQ,
      attributes: {
        MessageRetentionPeriod: '1209600',
        SqsManagedSseEnabled: 'true',
      },
      tags,
    });
    const create = stepOf(queue, 'createQueue');
    expect(create.tags).toEqual(tags);
    expect(create.attributes).toMatchObject({
      SqsManagedSseEnabled: 'true',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '20',
    });
    expect(JSON.parse(create.attributes.RedrivePolicy)).toEqual({
      deadLetterTargetArn: queueArn(DLQ),
      maxReceiveCount: 5,
    });
    expect(JSON.parse(create.attributes.Policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EcsEventsFromTheRuleOnly',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn(QUEUE),
          Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN } },
        },
      ],
    });
    const put = stepOf(rule, 'putRule');
    expect(JSON.parse(put.eventPattern)).toEqual({
      source: ['aws.ecs'],
      'detail-type': [
        'ECS Task State Change',
        'ECS Container Instance State Change',
        'ECS Service Action',
        'ECS Deployment State Change',
      ],
      resources: [
        { prefix: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/demo/` },
        { prefix: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/demo/` },
        { prefix: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/demo/` },
      ],
    });
    expect(put.tags).toEqual(
      Object.entries(tags)
        .map(([key, value]) => ({ key, value }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
    expect(stepOf(rule, 'putTargets')).toEqual({
      call: 'putTargets',
      rule: QUEUE,
      targets: [{ id: 'ecs-gitops-queue', arn: queueArn(QUEUE) }],
    });

    expect(second.errors).toEqual([]);
    expect(changing(second)).toEqual([]);
    for (const id of [`eventQueue/${DLQ}`, `eventQueue/${QUEUE}`, `eventRule/${QUEUE}`]) {
      expect(byId(second, id)).toMatchObject({ op: 'none', reason: 'exists', dependsOn: [] });
    }
  });

  test('diff shows what apply creates: text lines, JSON resources valid against the plan schema', () => {
    const { first } = twoRounds();
    const text = renderPlanText([first], { color: false });
    expect(text).toContain(`+ eventQueue/${QUEUE}  (specs/demo/cluster.yaml:9)  does not exist`);
    expect(text).toContain('+   attributes.RedrivePolicy.maxReceiveCount: 5');
    expect(text).toContain(
      `+   attributes.Policy.Statement[0].Condition.ArnEquals.aws:SourceArn: "${RULE_ARN}"`,
    );
    expect(text).toContain(`+ eventRule/${QUEUE}`);
    expect(text).toContain(`+   target: "${queueArn(QUEUE)}"`);
    const json = planToJson([first]);
    const validate = planSchemaValidator({ closed: true });
    expect(validate(json) ? [] : validate.errors).toEqual([]);
    expect(json.clusters[0].actions.filter((a) => a.resource.startsWith('event')).map((a) => a.kind)).toEqual(
      ['create', 'create', 'create'],
    );
  });

  test('a cluster ecs-gitops is creating: the pattern names the ARN it will have', () => {
    const desired = desiredWith();
    const plan = planCluster(desired, {
      services: new Map(),
      families: new Map(),
      events: { context: CONTEXT },
    });
    expect(byId(plan, 'cluster/demo').op).toBe('create');
    const put = stepOf(byId(plan, `eventRule/${QUEUE}`), 'putRule');
    expect(JSON.parse(put.eventPattern).resources[0]).toEqual({
      prefix: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/demo/`,
    });
    // EventBridge takes a pattern for any ARN, but the event source waits for the cluster and its
    // marker tag (events-prune-planner): no rule or queue exists that no marker points at.
    expect(byId(plan, `eventRule/${QUEUE}`).dependsOn).toEqual(['cluster/demo', `eventQueue/${QUEUE}`]);
  });

  test('drift on an owned queue is corrected attribute by attribute; equal JSON spelled differently is no drift', () => {
    const { desired, after } = twoRounds();
    const drifted = structuredClone(after);
    const q = drifted.events!.queue as ObservedEventQueue;
    q.attributes.SqsManagedSseEnabled = 'false';
    q.attributes.MessageRetentionPeriod = '60';
    q.attributes.VisibilityTimeout = '900'; // not ours to manage
    // SQS may give the policy back with one-item lists and reordered keys: the same policy.
    const policy = JSON.parse(q.attributes.Policy);
    policy.Statement[0].Action = ['sqs:SendMessage'];
    policy.Statement[0].Principal = { Service: ['events.amazonaws.com'] };
    q.attributes.Policy = JSON.stringify({ Statement: policy.Statement, Version: policy.Version });
    delete drifted.events!.queue!.tags['ecs-gitops:managed-by'];
    drifted.events!.queue!.tags['ecs-gitops:managed-by'] = 'ecs-gitops';
    const plan = planCluster(desired, drifted);
    expect(changing(plan)).toEqual([`update eventQueue/${QUEUE}`]);
    const action = byId(plan, `eventQueue/${QUEUE}`);
    expect(action.reason).toBe('attributes.MessageRetentionPeriod, attributes.SqsManagedSseEnabled differ');
    expect(action.changes).toEqual([
      { path: 'attributes.MessageRetentionPeriod', before: '60', after: '345600' },
      { path: 'attributes.SqsManagedSseEnabled', before: 'false', after: 'true' },
    ]);
    expect(action.steps).toEqual([
      {
        call: 'setQueueAttributes',
        name: QUEUE,
        attributes: { MessageRetentionPeriod: '345600', SqsManagedSseEnabled: 'true' },
      },
    ]);
    const again = planCluster(desired, applyEvents(plan, drifted));
    expect(changing(again)).toEqual([]);
  });

  test('a policy that lets anyone send, a redrive to elsewhere, a missing tag: each corrected', () => {
    const { desired, after } = twoRounds();
    const drifted = structuredClone(after);
    const q = drifted.events!.queue!;
    const policy = JSON.parse(q.attributes.Policy);
    delete policy.Statement[0].Condition;
    q.attributes.Policy = JSON.stringify(policy);
    q.attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: queueArn('other'),
      maxReceiveCount: '5',
    });
    delete q.tags.team;
    const action = byId(planCluster(desired, drifted), `eventQueue/${QUEUE}`);
    expect(action.changes.map((c) => c.path)).toEqual([
      'attributes.Policy',
      'attributes.RedrivePolicy',
      'tags[team]',
    ]);
    expect(action.steps.map((s) => s.call)).toEqual(['setQueueAttributes', 'tagQueue']);
    expect(stepOf(action, 'tagQueue').tags).toEqual([{ key: 'team', value: 'platform' }]);
  });

  test('settings changed in cluster.yaml reach the live queue', () => {
    const { after } = twoRounds();
    const plan = planCluster(
      desiredWith(owned({ deadLetterMaxReceives: 3, messageRetentionSeconds: 600 })),
      after,
    );
    expect(changing(plan)).toEqual([`update eventQueue/${QUEUE}`]);
    const set = stepOf(byId(plan, `eventQueue/${QUEUE}`), 'setQueueAttributes');
    expect(set.attributes.MessageRetentionPeriod).toBe('600');
    expect(JSON.parse(set.attributes.RedrivePolicy).maxReceiveCount).toBe(3);
  });

  test('drift on the rule: pattern, state, target and tags are put back; extra targets are left alone', () => {
    const { desired, after } = twoRounds();
    const drifted = structuredClone(after);
    const rule = drifted.events!.rule!;
    rule.state = 'DISABLED';
    rule.eventPattern = JSON.stringify({ source: ['aws.ecs'] });
    rule.targets = [
      { id: 'ecs-gitops-queue', arn: queueArn(QUEUE), changesInput: true },
      { id: 'someone-elses', arn: queueArn('audit') },
    ];
    rule.tags['ecs-gitops:cluster'] = 'demo';
    delete rule.tags.team;
    const plan = planCluster(desired, drifted);
    const action = byId(plan, `eventRule/${QUEUE}`);
    expect(action.op).toBe('update');
    expect(action.changes.map((c) => c.path)).toEqual([
      'eventPattern',
      'state',
      'targets[ecs-gitops-queue]',
      'tags[team]',
    ]);
    expect(action.steps.map((s) => s.call)).toEqual(['putRule', 'putTargets', 'tagEventRule']);
    expect(stepOf(action, 'putTargets').targets).toEqual([{ id: 'ecs-gitops-queue', arn: queueArn(QUEUE) }]);
    expect(stepOf(action, 'tagEventRule')).toEqual({
      call: 'tagEventRule',
      arn: RULE_ARN,
      tags: [{ key: 'team', value: 'platform' }],
    });
    expect(changing(planCluster(desired, applyEvents(plan, drifted)))).toEqual([]);
  });

  test('a queue or rule of our name that is not ours: a plan error, nothing written', () => {
    const { desired, after } = twoRounds();
    for (const [tags, whose] of [
      [{}, 'not ecs-gitops'],
      [
        { 'ecs-gitops:managed-by': 'ecs-gitops', 'ecs-gitops:owner': 'team-b', 'ecs-gitops:cluster': 'demo' },
        'ecs-gitops owner "team-b"',
      ],
      [
        { 'ecs-gitops:managed-by': 'ecs-gitops', 'ecs-gitops:owner': 'demo', 'ecs-gitops:cluster': 'other' },
        'cluster other',
      ],
    ] as const) {
      const foreign = structuredClone(after);
      foreign.events!.queue!.tags = { ...tags };
      foreign.events!.queue!.attributes.SqsManagedSseEnabled = 'false';
      const plan = planCluster(desired, foreign);
      expect(plan.errors).toEqual([
        {
          message: `queue ${QUEUE} exists and is not this cluster's (${whose}): ecs-gitops never takes one over; delete it, or name your queue in events.queue to read it as it is`,
          field: 'events.queue',
          source: SOURCE,
        },
      ]);
      expect(plan.actions.some((a) => a.id === `eventQueue/${QUEUE}`)).toBe(false);
    }
    const foreignRule = structuredClone(after);
    foreignRule.events!.rule!.tags = {};
    foreignRule.events!.rule!.state = 'DISABLED';
    const plan = planCluster(desired, foreignRule);
    expect(plan.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^rule ecs-gitops-demo-events exists and is not this cluster's/),
    ]);
    expect(changing(plan)).toEqual([]);
  });

  test('an existing queue by URL: read only, shown unchanged, never written; unreadable is a plan error', () => {
    const url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/shop-events`;
    const events: EventsConfig = { queue: { kind: 'existing', url }, source: SOURCE };
    const plan = planCluster(
      desiredWith(events),
      running({ existing: { url, arn: queueArn('shop-events') } }),
    );
    expect(plan.errors).toEqual([]);
    const events_ = plan.actions.filter((a) => a.resource === 'eventQueue' || a.resource === 'eventRule');
    expect(events_).toEqual([
      expect.objectContaining({
        id: 'eventQueue/shop-events',
        op: 'none',
        reason: "exists, not ecs-gitops's: read, never changed",
        steps: [],
      }),
    ]);
    const failed = planCluster(
      desiredWith(events),
      running({
        existing: { error: 'AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist.' },
      }),
    );
    expect(failed.errors).toEqual([
      {
        message: `the event queue ${url} cannot be read: AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist.`,
        field: 'events.queue',
        source: SOURCE,
      },
    ]);
    expect(failed.actions.some((a) => a.resource === 'eventQueue')).toBe(false);
  });

  test('configured but not read, or no account known: the plan fails closed', () => {
    const notRead = planCluster(desiredWith(), running(null));
    expect(notRead.errors).toEqual([
      {
        message: 'an event source is configured but SQS and EventBridge were not read',
        field: 'events',
        source: SOURCE,
      },
    ]);
    const noContext = planCluster(desiredWith(), running({}));
    expect(noContext.errors.map((e) => e.message)).toEqual([
      "the event source's account and region could not be learnt",
    ]);
  });

  test('no events: section: no event actions, whatever was read', () => {
    const plan = planCluster(desiredWith(null), running());
    expect(plan.actions.some((a) => a.resource.startsWith('event'))).toBe(false);
    expect(plan.errors).toEqual([]);
  });
});
