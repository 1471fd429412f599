/**
 * The events the sandbox ECS sends through the sandbox EventBridge to an SQS queue: shaped as
 * AWS's documented examples (task, container instance, service action and deployment state
 * changes), a `detail.version` that grows per task, nothing built while no rule wants events, and a
 * consumer's long poll that sees a rollout's events without anyone calling ECS.
 */
import { queuePolicy } from './event-source-contract';
import { ec2TaskDef, fargateTaskDef, newSandboxAccount } from '../helpers/sandbox';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/demo`;
const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/demo/web`;

type Event = {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown> & { version?: number; lastStatus?: string; eventName?: string };
};

/** An account with a cluster, and a rule for the cluster's `aws.ecs` events into a queue. */
async function accountWithEventQueue(opts: Parameters<typeof newSandboxAccount>[0] = {}) {
  const account = newSandboxAccount({ rolloutSeconds: 5, drainSeconds: 5, ...opts });
  await account.ecs.createCluster({ clusterName: 'demo' });
  const { QueueUrl } = await account.sqs.createQueue({ QueueName: 'ecs-events' });
  const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:ecs-events`;
  // By resource ARN: deployment events carry no clusterArn in their detail (AWS's documented
  // shape), so a rule on `detail.clusterArn` would miss them.
  const arnPrefix = (kind: string) => ({ prefix: `arn:aws:ecs:${REGION}:${ACCOUNT}:${kind}/demo/` });
  const { RuleArn } = await account.eventBridge.putRule({
    Name: 'ecs-events',
    EventPattern: JSON.stringify({
      source: ['aws.ecs'],
      resources: [arnPrefix('service'), arnPrefix('task'), arnPrefix('container-instance')],
    }),
  });
  await account.sqs.setQueueAttributes({
    QueueUrl,
    Attributes: { Policy: queuePolicy(queueArn, RuleArn ?? '') },
  });
  await account.eventBridge.putTargets({ Rule: 'ecs-events', Targets: [{ Id: 'q', Arn: queueArn }] });
  /** Every event in the queue now (received and deleted). */
  const drain = async (): Promise<Event[]> => {
    const out: Event[] = [];
    for (;;) {
      const got = await account.sqs.receiveMessage({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
      if (!got.Messages) return out;
      out.push(...got.Messages.map((m) => JSON.parse(m.Body ?? '{}') as Event));
      await account.sqs.deleteMessageBatch({
        QueueUrl,
        Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      });
    }
  };
  return { ...account, QueueUrl: QueueUrl ?? '', drain };
}

const summary = (e: Event) =>
  e['detail-type'] === 'ECS Task State Change'
    ? `task ${e.detail.lastStatus ?? ''} v${e.detail.version ?? ''}`
    : `${e['detail-type']} ${e.detail.eventName ?? (e.detail.status as string)}`;

describe('events of a service rollout', () => {
  test('create: deployment in progress; rollout done: two tasks PENDING then RUNNING, completed, steady', async () => {
    const a = await accountWithEventQueue();
    await a.ecs.registerTaskDefinition(fargateTaskDef('demo-web'));
    await a.ecs.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
    });
    const created = await a.drain();
    expect(created.map(summary)).toEqual(['ECS Deployment State Change SERVICE_DEPLOYMENT_IN_PROGRESS']);
    const deploymentId = String(created[0].detail.deploymentId);
    expect(created[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: ACCOUNT,
      time: new Date(a.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: REGION,
      resources: [SERVICE_ARN],
      detail: {
        eventType: 'INFO',
        eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
        deploymentId,
        updatedAt: new Date(a.clock.now()).toISOString(),
        reason: `ECS deployment ${deploymentId} in progress.`,
      },
    });

    a.clock.advanceSeconds(5);
    const rolled = await a.drain(); // the receive itself lets ECS move on: no ECS call needed
    expect(rolled.map(summary)).toEqual([
      'ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED',
      'ECS Service Action SERVICE_STEADY_STATE',
      'task PENDING v1',
      'task RUNNING v2',
      'task PENDING v1',
      'task RUNNING v2',
    ]);
    const running = rolled.filter((e) => e.detail.lastStatus === 'RUNNING');
    const [taskArn] = running[0].resources;
    expect(taskArn).toMatch(new RegExp(`^arn:aws:ecs:${REGION}:${ACCOUNT}:task/demo/[0-9a-f]{32}$`));
    expect(running[0].detail).toMatchObject({
      clusterArn: CLUSTER_ARN,
      taskArn,
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/demo-web:1`,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      group: 'service:web',
      startedBy: deploymentId,
      launchType: 'FARGATE',
      cpu: '256',
      memory: '512',
      version: 2,
      containers: [
        expect.objectContaining({ name: 'web', image: 'nginx:1.27', lastStatus: 'RUNNING', taskArn }),
      ],
    });
    expect(running[0].detail.stopCode).toBeUndefined();
    // The same tasks DescribeTasks shows, with the same startedBy.
    const described = await a.ecs.describeTasks({
      cluster: 'demo',
      tasks: running.map((e) => e.resources[0]),
    });
    expect(described.tasks?.map((t) => t.startedBy)).toEqual([deploymentId, deploymentId]);
    expect(rolled.find((e) => e.detail.eventName === 'SERVICE_STEADY_STATE')?.detail).toEqual({
      eventType: 'INFO',
      eventName: 'SERVICE_STEADY_STATE',
      clusterArn: CLUSTER_ARN,
      createdAt: expect.any(String) as string,
    });
  });

  test('scale down: the stopped task goes STOPPING v3, STOPPED v4 with a stop code and exit code 0', async () => {
    const a = await accountWithEventQueue();
    await a.ecs.registerTaskDefinition(ec2TaskDef('demo-web'));
    await a.ecs.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 2,
    });
    a.clock.advanceSeconds(5);
    const started = (await a.drain())
      .filter((e) => e.detail.lastStatus === 'RUNNING')
      .map((e) => e.resources[0]);
    await a.ecs.updateService({ cluster: 'demo', service: 'web', desiredCount: 1 });
    a.clock.advanceSeconds(5);
    const events = await a.drain();
    expect(events.map(summary)).toEqual([
      'ECS Service Action SERVICE_STEADY_STATE',
      'task STOPPING v3',
      'task STOPPED v4',
    ]);
    const stopped = events[2];
    expect(started).toContain(stopped.resources[0]);
    expect(stopped.detail).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: expect.stringMatching(
        /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/,
      ) as string,
      containers: [expect.objectContaining({ name: 'web', lastStatus: 'STOPPED', exitCode: 0 })],
    });
    expect(typeof stopped.detail.stoppedAt).toBe('string');
  });

  test('a failing image with the circuit breaker: a task that never ran, then SERVICE_DEPLOYMENT_FAILED', async () => {
    const a = await accountWithEventQueue({ failImages: ['broken:1'] });
    await a.ecs.registerTaskDefinition(ec2TaskDef('demo-web', 'broken:1'));
    await a.ecs.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
    });
    a.clock.advanceSeconds(5);
    const events = await a.drain();
    expect(events.map(summary)).toEqual([
      'ECS Deployment State Change SERVICE_DEPLOYMENT_IN_PROGRESS',
      'task PENDING v1',
      'task STOPPED v2',
      'ECS Deployment State Change SERVICE_DEPLOYMENT_FAILED',
    ]);
    expect(events[2].detail).toMatchObject({
      stopCode: 'TaskFailedToStart',
      stoppedReason: expect.stringContaining('CannotPullContainerError') as string,
      containers: [expect.objectContaining({ name: 'web', lastStatus: 'STOPPED' })],
    });
    expect((events[2].detail.containers as { exitCode?: number }[])[0].exitCode).toBeUndefined();
    expect(events[3].detail).toMatchObject({ eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED' });
  });
});

test('a standalone task that exits: EssentialContainerExited with the container exit code', async () => {
  const a = await accountWithEventQueue();
  await a.ecs.registerTaskDefinition(ec2TaskDef('demo-job'));
  const task = a.ecs.startTask({ cluster: 'demo', taskDefinition: 'demo-job' });
  a.ecs.stopTask({ cluster: 'demo', task, exitCode: 137 });
  const events = await a.drain();
  expect(events.map(summary)).toEqual([
    'task PENDING v1',
    'task RUNNING v2',
    'task STOPPING v3',
    'task STOPPED v4',
  ]);
  expect(events.every((e) => e.resources[0] === task)).toBe(true);
  expect(events[3].detail).toMatchObject({
    group: 'family:demo-job',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [expect.objectContaining({ exitCode: 137 })],
  });
});

test('container instances: registered (version 1), then draining (version 2)', async () => {
  const a = await accountWithEventQueue();
  const ci = a.ecs.registerContainerInstance({ cluster: 'demo', ec2InstanceId: 'i-0123456789abcdef0' });
  a.ecs.setContainerInstanceStatus({
    cluster: 'demo',
    containerInstanceArn: ci.containerInstanceArn ?? '',
    status: 'DRAINING',
  });
  const events = await a.drain();
  expect(events.map((e) => [e['detail-type'], e.detail.status, e.detail.version])).toEqual([
    ['ECS Container Instance State Change', 'ACTIVE', 1],
    ['ECS Container Instance State Change', 'DRAINING', 2],
  ]);
  expect(events[0].resources).toEqual([ci.containerInstanceArn]);
  expect(events[0].detail).toMatchObject({
    clusterArn: CLUSTER_ARN,
    containerInstanceArn: ci.containerInstanceArn,
    ec2InstanceId: 'i-0123456789abcdef0',
    agentConnected: true,
    runningTasksCount: 0,
    pendingTasksCount: 0,
  });
});

test("the rule's pattern filters: another cluster's events never reach the queue", async () => {
  const a = await accountWithEventQueue();
  await a.ecs.createCluster({ clusterName: 'other' });
  a.ecs.registerContainerInstance({ cluster: 'other', ec2InstanceId: 'i-0aaaaaaaaaaaaaaaa' });
  expect(await a.drain()).toEqual([]);
});

test('without a rule nothing is built: the sink is never asked to publish', async () => {
  const a = newSandboxAccount({ rolloutSeconds: 5 });
  const publish = jest.spyOn(a.eventBridge, 'publish');
  await a.ecs.createCluster({ clusterName: 'demo' });
  await a.ecs.registerTaskDefinition(ec2TaskDef('demo-web'));
  await a.ecs.createService({
    cluster: 'demo',
    serviceName: 'web',
    taskDefinition: 'demo-web',
    desiredCount: 1,
  });
  a.clock.advanceSeconds(5);
  await a.ecs.describeServices({ cluster: 'demo', services: ['web'] });
  expect(publish).not.toHaveBeenCalled();
});

test("a consumer's long poll receives a rollout's events without anyone calling ECS", async () => {
  const a = await accountWithEventQueue();
  await a.ecs.registerTaskDefinition(ec2TaskDef('demo-web'));
  await a.ecs.createService({
    cluster: 'demo',
    serviceName: 'web',
    taskDefinition: 'demo-web',
    desiredCount: 1,
  });
  await a.drain();
  a.ecs.callLog.reset();
  const t0 = a.clock.now();
  const got = await a.sqs.receiveMessage({
    QueueUrl: a.QueueUrl,
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: 20,
  });
  expect(a.clock.now() - t0).toBe(5000);
  expect(got.Messages?.map((m) => summary(JSON.parse(m.Body ?? '{}') as Event))).toEqual([
    'ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED',
    'ECS Service Action SERVICE_STEADY_STATE',
    'task PENDING v1',
    'task RUNNING v2',
  ]);
  expect(Object.keys(a.ecs.callLog.snapshot())).toEqual(['SQS.ReceiveMessage']);
});
