import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { EcsView } from '../../controller/model/ecs-view';
import { readClusterView } from '../../controller/observe/task-view-reader';
import { useMoto } from '../helpers/moto';
import { ec2TaskDef } from '../helpers/sandbox';

/*
 * Where moto differs from AWS: DescribeTasks and DescribeContainerInstances return no `version`
 * (AWS always does; the view then ranks them 0); moto moves a task's lastStatus through the task
 * lifecycle as DescribeTasks is called (even for a task whose desired status is RUNNING); StopTask sets
 * no stopCode or stoppedAt; tasks not stopped have stoppedReason "" (AWS leaves it out).
 */
const moto = useMoto();
const region = 'us-east-1';

test('the full read through the SDK: running and stopped tasks, container instances, one call each', async () => {
  const cfg = { region, endpoint: moto.endpoint };
  const ecs = new ECSClient(cfg);
  const ec2 = new EC2Client(cfg);
  await ecs.send(new CreateClusterCommand({ clusterName: 'demo' }));
  const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 2, MaxCount: 2 }));
  for (const i of run.Instances ?? [])
    await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'demo',
        instanceIdentityDocument: JSON.stringify({ instanceId: i.InstanceId, region }),
      }),
    );
  await ecs.send(new RegisterTaskDefinitionCommand(ec2TaskDef('demo-worker')));
  const started = await ecs.send(
    new RunTaskCommand({
      cluster: 'demo',
      taskDefinition: 'demo-worker',
      count: 3,
      startedBy: 'nightly-batch',
    }),
  );
  const arns = (started.tasks ?? []).map((t) => t.taskArn ?? '');
  await ecs.send(new StopTaskCommand({ cluster: 'demo', task: arns[0], reason: 'done early' }));

  const log = new CallLog();
  const port = new SdkEcsPort(createAwsClients({ endpoint: moto.endpoint, callLog: log }).ecs);
  const snapshot = await readClusterView(port, 'demo');
  expect(log.snapshot()).toEqual({
    'ECS.DescribeContainerInstances': 1,
    'ECS.DescribeTasks': 1,
    'ECS.ListContainerInstances': 1,
    'ECS.ListTasks': 2,
  });
  expect(snapshot.instances).toHaveLength(2);
  expect(snapshot.tasks.map((t) => t.taskArn).sort()).toEqual([...arns].sort());
  const stopped = snapshot.tasks.find((t) => t.taskArn === arns[0]);
  expect(stopped).toMatchObject({
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppedReason: 'done early',
    startedBy: 'nightly-batch',
    group: 'family:demo-worker',
    containers: [{ name: 'web' }],
  });
  const running = snapshot.tasks.find((t) => t.taskArn === arns[1]);
  // moto sends stoppedReason "" for a task not stopped: no value.
  expect(running).toMatchObject({ desiredStatus: 'RUNNING', stoppedReason: null });
  expect(snapshot.instances.map((i) => i.ec2InstanceId).sort()).toEqual(
    (run.Instances ?? []).map((i) => i.InstanceId).sort(),
  );

  const view = new EcsView({ now: () => 0 });
  expect(view.replaceCluster('demo', snapshot).fixed).toBe(5);
  // moto moves a task's lastStatus along as it is described, and gives no versions: the read is
  // authoritative, so exactly the tasks whose state moved are fixed, and nothing else.
  const again = await readClusterView(port, 'demo');
  const moved = again.tasks.filter(
    (t) => snapshot.tasks.find((s) => s.taskArn === t.taskArn)?.lastStatus !== t.lastStatus,
  ).length;
  expect(view.replaceCluster('demo', again)).toEqual({
    tasks: { added: 0, changed: moved, removed: 0 },
    instances: { added: 0, changed: 0, removed: 0 },
    fixed: moved,
  });
});
