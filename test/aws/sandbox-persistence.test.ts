import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CallLog } from '../../controller/aws/call-log';
import { ManualClock } from '../../controller/aws/clock';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { loadSandbox, saveSandbox } from '../../controller/aws/sandbox/state-file';
import { ec2TaskDef, expectAwsError, newSandbox } from '../helpers/sandbox';

describe('sandbox persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-sandbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('toJSON / fromJSON round trip keeps resources, revisions, timestamps and rollouts', async () => {
    const { sb, clock } = newSandbox({ rolloutSeconds: 5 });
    await sb.createCluster({ clusterName: 'demo', tags: [{ key: 'k', value: 'v' }] });
    const reg = await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
    });
    const json = JSON.parse(JSON.stringify(sb.toJSON()));
    const restored = SandboxEcs.fromJSON(json, { clock, rolloutSeconds: 5 });
    expect(restored.toJSON()).toEqual(sb.toJSON());
    const td = await restored.describeTaskDefinition({ taskDefinition: 'demo-web' });
    expect(td.taskDefinition).toEqual(reg.taskDefinition);
    // The next revision continues the numbering, and the rollout continues on the clock.
    expect(
      (await restored.registerTaskDefinition(ec2TaskDef('demo-web', 'x:2'))).taskDefinition?.revision,
    ).toBe(2);
    clock.advanceSeconds(5);
    const svc = (await restored.describeServices({ cluster: 'demo', services: ['web'] })).services![0];
    expect(svc.deployments?.[0].rolloutState).toBe('COMPLETED');
  });

  test('two "runs" through the state file see the same account; the write is atomic', async () => {
    const file = path.join(dir, 'nested', 'account.json');
    const clock = new ManualClock(1_700_000_000_000);
    const first = await loadSandbox(file, { clock, callLog: new CallLog() });
    await first.ecs.createCluster({ clusterName: 'demo' });
    await first.ecs.registerTaskDefinition(ec2TaskDef('demo-web'));
    await saveSandbox(file, first.ecs);
    expect(readdirSync(path.dirname(file))).toEqual(['account.json']);

    const log = new CallLog();
    const second = await loadSandbox(file, { clock, callLog: log });
    expect((await second.ecs.describeClusters({ clusters: ['demo'] })).clusters?.[0].status).toBe('ACTIVE');
    expect((await second.ecs.registerTaskDefinition(ec2TaskDef('demo-web'))).taskDefinition?.revision).toBe(
      2,
    );
    expect(await second.sts.getAccountId()).toBe('123456789012');
    expect(log.snapshot()).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.RegisterTaskDefinition': 1,
      'STS.GetCallerIdentity': 1,
    });
  });

  test('no file: a fresh account in the requested Region', async () => {
    const { ecs } = await loadSandbox(undefined, { region: 'eu-west-1' });
    const out = await ecs.createCluster({ clusterName: 'demo' });
    expect(out.cluster?.clusterArn).toBe('arn:aws:ecs:eu-west-1:123456789012:cluster/demo');
  });
});

describe('sandbox throttling', () => {
  test('off by default; with a bucket, ThrottlingException "Rate exceeded" until it refills', async () => {
    const { sb, clock } = newSandbox();
    for (let i = 0; i < 30; i++) await sb.describeClusters({ clusters: ['x'] });

    sb.setThrottle({ RegisterTaskDefinition: { burst: 3, perSecond: 1 } });
    for (let i = 0; i < 3; i++) await sb.registerTaskDefinition(ec2TaskDef('a'));
    await expectAwsError(sb.registerTaskDefinition(ec2TaskDef('a')), 'ThrottlingException', 'Rate exceeded');
    // Other operations are not throttled by that bucket.
    await sb.describeTaskDefinition({ taskDefinition: 'a' });
    clock.advanceSeconds(1);
    const out = await sb.registerTaskDefinition(ec2TaskDef('a'));
    expect(out.taskDefinition?.revision).toBe(4);
    // Throttled calls are still calls (AWS counts them too).
    expect(sb.callLog.snapshot()['ECS.RegisterTaskDefinition']).toBe(5);
  });

  test('the throttling error is retryable as throttling for the SDK', async () => {
    const { sb } = newSandbox({ throttle: { DescribeClusters: { burst: 1, perSecond: 1 } } });
    await sb.describeClusters({});
    const err = await sb.describeClusters({}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'ThrottlingException',
      $fault: 'client',
      $retryable: { throttling: true },
    });
  });
});
