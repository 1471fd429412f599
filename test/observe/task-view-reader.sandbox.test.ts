import { EcsView } from '../../controller/model/ecs-view';
import { readClusterView } from '../../controller/observe/task-view-reader';
import { ec2TaskDef, expectAwsError, newSandbox } from '../helpers/sandbox';

/*
 * The sandbox models running tasks only (ListTasks with desiredStatus STOPPED lists none) and returns
 * tasks without `version` or containers; real ECS returns both. The call counts are what matter here.
 */

async function clusterWith(tasks: number, instances: number) {
  const { sb, clock } = newSandbox();
  await sb.createCluster({ clusterName: 'demo' });
  const def = await sb.registerTaskDefinition(ec2TaskDef('demo-worker'));
  const arn = def.taskDefinition?.taskDefinitionArn ?? '';
  for (let i = 0; i < tasks; i++)
    sb.startTask({ cluster: 'demo', taskDefinition: arn, group: 'family:demo-worker' });
  for (let i = 0; i < instances; i++)
    sb.registerContainerInstance({ cluster: 'demo', ec2InstanceId: `i-${String(i).padStart(17, '0')}` });
  sb.callLog.reset();
  return { sb, clock };
}

test('250 tasks and 150 instances: pages of 100, Describe in batches of 100, exact call counts', async () => {
  const { sb } = await clusterWith(250, 150);
  const snapshot = await readClusterView(sb, 'demo');
  expect(sb.callLog.snapshot()).toEqual({
    'ECS.DescribeContainerInstances': 2,
    'ECS.DescribeTasks': 3,
    'ECS.ListContainerInstances': 2,
    // RUNNING: 100 + 100 + 50; STOPPED: one empty page.
    'ECS.ListTasks': 4,
  });
  expect(snapshot.tasks).toHaveLength(250);
  expect(new Set(snapshot.tasks.map((t) => t.taskArn)).size).toBe(250);
  expect(snapshot.instances).toHaveLength(150);
  expect(snapshot.tasks[0]).toMatchObject({
    cluster: 'demo',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    group: 'family:demo-worker',
    service: null,
  });
  expect(snapshot.instances[0]).toMatchObject({ cluster: 'demo', status: 'ACTIVE', agentConnected: true });
});

test('an empty cluster costs one call per list and no Describe', async () => {
  const { sb } = await clusterWith(0, 0);
  expect(await readClusterView(sb, 'demo')).toEqual({ tasks: [], instances: [] });
  expect(sb.callLog.snapshot()).toEqual({ 'ECS.ListContainerInstances': 1, 'ECS.ListTasks': 2 });
});

test('the read seeds the view; a second read of the same state fixes nothing', async () => {
  const { sb } = await clusterWith(120, 3);
  const view = new EcsView({ now: () => 0 });
  expect(view.replaceCluster('demo', await readClusterView(sb, 'demo')).fixed).toBe(123);
  expect(view.replaceCluster('demo', await readClusterView(sb, 'demo')).fixed).toBe(0);
  expect(view.size()).toEqual({ tasks: 120, instances: 3 });
});

test('a cluster that does not exist fails with ECS error', async () => {
  const { sb } = newSandbox();
  await expectAwsError(readClusterView(sb, 'nope'), 'ClusterNotFoundException');
});

test('a task in both lists (it stopped between them) is described once; one gone before Describe is left out', async () => {
  const arn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/demo/${id}`;
  const described: string[][] = [];
  const port = {
    listTasks: (input: { desiredStatus?: string }) =>
      Promise.resolve({
        taskArns: input.desiredStatus === 'RUNNING' ? [arn('a'), arn('b')] : [arn('b'), arn('c')],
      }),
    describeTasks: (input: { tasks?: string[] }) => {
      described.push(input.tasks ?? []);
      return Promise.resolve({
        tasks: [arn('a'), arn('b')].map((taskArn) => ({
          taskArn,
          lastStatus: 'RUNNING',
          desiredStatus: taskArn.endsWith('b') ? 'STOPPED' : 'RUNNING',
          version: 3,
        })),
        failures: [{ arn: arn('c'), reason: 'MISSING' }],
      });
    },
    listContainerInstances: () => Promise.resolve({ containerInstanceArns: [] }),
    describeContainerInstances: () => Promise.reject(new Error('not called for no instances')),
  };
  const snapshot = await readClusterView(port, 'demo');
  expect(described).toEqual([[arn('a'), arn('b'), arn('c')]]);
  expect(snapshot.tasks.map((t) => `${t.id}:${t.desiredStatus}:${t.version}`)).toEqual([
    'a:RUNNING:3',
    'b:STOPPED:3',
  ]);
});
