import { ClusterContainsServicesException, ClusterNotFoundException } from '@aws-sdk/client-ecs';
import { ec2TaskDef, expectAwsError, fargateTaskDef, newSandbox, webService } from '../helpers/sandbox';

// moto differs from AWS here, so these behaviours are tested on the sandbox only:
// - moto deletes a cluster that still has ACTIVE services (AWS: ClusterContainsServicesException);
// - moto accepts 11 names in DescribeServices and maxResults above 100 in ListServices;
// - moto silently replaces a same-named service on a second CreateService (AWS: "not idempotent");
// - moto creates an awsvpc service without networkConfiguration;
// - moto leaves every deployment IN_PROGRESS forever (no rollouts, no circuit breaker).

async function withCluster(opts: Parameters<typeof newSandbox>[0] = {}) {
  const ctx = newSandbox(opts);
  await ctx.sb.createCluster({ clusterName: 'demo', tags: [{ key: 'env', value: 'test' }] });
  return ctx;
}

describe('sandbox clusters', () => {
  test('create is idempotent for an ACTIVE cluster; describe reports MISSING and tags on request', async () => {
    const { sb } = await withCluster();
    const again = await sb.createCluster({ clusterName: 'demo' });
    expect(again.cluster?.clusterArn).toBe('arn:aws:ecs:us-east-1:123456789012:cluster/demo');
    const out = await sb.describeClusters({ clusters: ['demo', 'nope'], include: ['TAGS'] });
    expect(out.clusters?.map((c) => [c.clusterName, c.status, c.tags])).toEqual([
      ['demo', 'ACTIVE', [{ key: 'env', value: 'test' }]],
    ]);
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/nope', reason: 'MISSING' },
    ]);
    expect((await sb.describeClusters({ clusters: ['demo'] })).clusters?.[0].tags).toBeUndefined();
    await expectAwsError(
      sb.describeClusters({ clusters: Array.from({ length: 101 }, (_, i) => `c${i}`) }),
      'InvalidParameterException',
    );
  });

  test('delete refuses while services are ACTIVE or DRAINING, then leaves the cluster INACTIVE', async () => {
    const { sb, clock } = await withCluster({ drainSeconds: 30 });
    await webService(sb, { desiredCount: 0 });
    await expectAwsError(
      sb.deleteCluster({ cluster: 'demo' }),
      'ClusterContainsServicesException',
      'The Cluster cannot be deleted while Services are active.',
    );
    await sb.deleteService({ cluster: 'demo', service: 'web' });
    await expect(sb.deleteCluster({ cluster: 'demo' })).rejects.toBeInstanceOf(
      ClusterContainsServicesException,
    );
    clock.advanceSeconds(30);
    const deleted = await sb.deleteCluster({ cluster: 'demo' });
    expect(deleted.cluster?.status).toBe('INACTIVE');
    expect((await sb.describeClusters({ clusters: ['demo'] })).clusters?.[0].status).toBe('INACTIVE');
    await expect(
      sb.createService({ cluster: 'demo', serviceName: 'x', taskDefinition: 'demo-web', desiredCount: 0 }),
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
  });
});

describe('sandbox CreateService', () => {
  test('fills AWS defaults', async () => {
    const { sb } = await withCluster();
    await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    const { service } = await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 2,
      tags: [{ key: 'a', value: 'b' }],
    });
    expect(service).toMatchObject({
      serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/web',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 0,
      launchType: 'EC2',
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/demo-web:1',
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      propagateTags: 'NONE',
      enableECSManagedTags: false,
      enableExecuteCommand: false,
      loadBalancers: [],
      serviceRegistries: [],
      placementConstraints: [],
      placementStrategy: [],
    });
    expect(service?.deployments).toHaveLength(1);
    expect(service?.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      desiredCount: 2,
      runningCount: 0,
    });
    const described = await sb.describeServices({ cluster: 'demo', services: ['web'], include: ['TAGS'] });
    expect(described.services?.[0].tags).toEqual([{ key: 'a', value: 'b' }]);
  });

  test('validation: cluster, task definition, name, desiredCount, awsvpc network, launchType vs strategy', async () => {
    const { sb } = await withCluster();
    await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    await sb.registerTaskDefinition(fargateTaskDef('demo-fg'));
    const base = { cluster: 'demo', serviceName: 'web', taskDefinition: 'demo-web', desiredCount: 1 };
    await expectAwsError(sb.createService({ ...base, cluster: 'other' }), 'ClusterNotFoundException');
    await expectAwsError(
      sb.createService({ ...base, taskDefinition: 'nope' }),
      'InvalidParameterException',
      'TaskDefinition not found.',
    );
    await expectAwsError(sb.createService({ ...base, serviceName: 'bad name' }), 'InvalidParameterException');
    await expectAwsError(
      sb.createService({ ...base, desiredCount: undefined }),
      'InvalidParameterException',
      /desiredCount/,
    );
    await expectAwsError(
      sb.createService({ ...base, taskDefinition: 'demo-fg', launchType: 'FARGATE' }),
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
    await expectAwsError(
      sb.createService({
        ...base,
        taskDefinition: 'demo-fg',
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: Array.from({ length: 17 }, (_, i) => `subnet-${i}`) },
        },
      }),
      'InvalidParameterException',
    );
    await expectAwsError(
      sb.createService({
        ...base,
        launchType: 'EC2',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }],
      }),
      'InvalidParameterException',
      /launch type and capacity provider strategy/,
    );
    await expectAwsError(
      sb.createService({ ...base, launchType: 'FARGATE' }),
      'InvalidParameterException',
      /FARGATE/,
    );
    const fg = await sb.createService({
      ...base,
      taskDefinition: 'demo-fg',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
    });
    expect(fg.service?.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('DISABLED');
    expect(fg.service?.platformVersion).toBe('LATEST');
  });

  test('same clientToken and parameters returns the existing service; anything else is not idempotent', async () => {
    const { sb } = await withCluster();
    await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    const req = {
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
      clientToken: 'tok-1',
    };
    const first = await sb.createService(req);
    const retry = await sb.createService(req);
    expect(retry.service?.serviceArn).toBe(first.service?.serviceArn);
    expect(retry.service?.deployments?.[0].id).toBe(first.service?.deployments?.[0].id);
    const msg = 'Creation of service was not idempotent.';
    await expectAwsError(
      sb.createService({ ...req, clientToken: 'tok-2' }),
      'InvalidParameterException',
      msg,
    );
    await expectAwsError(sb.createService({ ...req, desiredCount: 3 }), 'InvalidParameterException', msg);
    await expectAwsError(
      sb.createService({ ...req, clientToken: undefined }),
      'InvalidParameterException',
      msg,
    );
    expect(sb.callLog.snapshot()['ECS.CreateService']).toBe(5);
  });
});

describe('sandbox DescribeServices / ListServices limits', () => {
  test('DescribeServices rejects 11 names and reports MISSING', async () => {
    const { sb } = await withCluster();
    const names = Array.from({ length: 11 }, (_, i) => `s${i}`);
    await expectAwsError(
      sb.describeServices({ cluster: 'demo', services: names }),
      'InvalidParameterException',
    );
    const out = await sb.describeServices({ cluster: 'demo', services: names.slice(0, 10) });
    expect(out.services).toEqual([]);
    expect(out.failures).toHaveLength(10);
    expect(out.failures?.[0]).toEqual({
      arn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/s0',
      reason: 'MISSING',
    });
  });

  test('ListServices: 250 services -> 3 pages of at most 100; default page 10; maxResults above 100 rejected', async () => {
    const { sb } = await withCluster();
    await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    for (let i = 0; i < 250; i++) {
      await sb.createService({
        cluster: 'demo',
        serviceName: `svc-${i}`,
        taskDefinition: 'demo-web',
        desiredCount: 0,
      });
    }
    const sizes: number[] = [];
    const all: string[] = [];
    let nextToken: string | undefined;
    do {
      const p = await sb.listServices({
        cluster: 'demo',
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      });
      sizes.push(p.serviceArns!.length);
      all.push(...p.serviceArns!);
      nextToken = p.nextToken;
    } while (nextToken);
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(all).size).toBe(250);
    expect((await sb.listServices({ cluster: 'demo' })).serviceArns).toHaveLength(10);
    await expectAwsError(sb.listServices({ cluster: 'demo', maxResults: 101 }), 'InvalidParameterException');
    await expectAwsError(
      sb.listServices({ cluster: 'demo', nextToken: 'garbage' }),
      'InvalidParameterException',
    );
  });
});

describe('sandbox rollouts on the clock', () => {
  test("the service's events, as ECS lists them: newest first, one id per event", async () => {
    const { sb, clock } = await withCluster({ rolloutSeconds: 5 });
    await webService(sb, { desiredCount: 2 }, 'img:1');
    clock.advanceSeconds(5);
    const events = async () =>
      (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services![0].events ?? [];
    const settled = await events();
    expect(settled.map((e) => e.message)).toEqual([
      '(service web) has reached a steady state.',
      expect.stringMatching(/^\(service web\) \(deployment ecs-svc\/\w+\) deployment completed\.$/),
      '(service web) has started 2 tasks.',
    ]);
    // Two deployments in the same millisecond: two events, two ids.
    await sb.registerTaskDefinition(ec2TaskDef('demo-web', 'img:2'));
    await sb.updateService({ cluster: 'demo', service: 'web', taskDefinition: 'demo-web:2' });
    await sb.registerTaskDefinition(ec2TaskDef('demo-web', 'img:3'));
    await sb.updateService({ cluster: 'demo', service: 'web', taskDefinition: 'demo-web:3' });
    const now = await events();
    expect(new Set(now.map((e) => e.id)).size).toBe(now.length);
    expect(
      now.filter((e) => e.message === '(service web) has started 2 tasks.').length,
    ).toBeGreaterThanOrEqual(2);
  });

  test('IN_PROGRESS -> COMPLETED after rolloutSeconds; tasks run; update starts a new PRIMARY', async () => {
    const { sb, clock } = await withCluster({ rolloutSeconds: 5 });
    const r1 = await sb.registerTaskDefinition(ec2TaskDef('demo-web', 'img:1'));
    await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 2,
    });
    clock.advanceSeconds(4);
    let svc = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services![0];
    expect(svc.deployments?.[0].rolloutState).toBe('IN_PROGRESS');
    expect((await sb.listTasks({ cluster: 'demo', serviceName: 'web' })).taskArns).toEqual([]);
    clock.advanceSeconds(1);
    svc = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services![0];
    expect(svc.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      runningCount: 2,
    });
    expect(svc.runningCount).toBe(2);
    expect((await sb.listTasks({ cluster: 'demo', serviceName: 'web' })).taskArns).toHaveLength(2);

    const r2 = await sb.registerTaskDefinition(ec2TaskDef('demo-web', 'img:2'));
    const updated = await sb.updateService({ cluster: 'demo', service: 'web', taskDefinition: 'demo-web:2' });
    expect(updated.service?.taskDefinition).toBe(r2.taskDefinition?.taskDefinitionArn);
    expect(updated.service?.deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition])).toEqual([
      ['PRIMARY', 'IN_PROGRESS', r2.taskDefinition?.taskDefinitionArn],
      ['ACTIVE', 'COMPLETED', r1.taskDefinition?.taskDefinitionArn],
    ]);
    clock.advanceSeconds(5);
    svc = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services![0];
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments?.[0].rolloutState).toBe('COMPLETED');
  });

  test('update applies only the given fields; scaling alone starts no deployment', async () => {
    const { sb, clock } = await withCluster();
    await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
      propagateTags: 'SERVICE',
    });
    clock.advanceSeconds(10);
    const out = await sb.updateService({ cluster: 'demo', service: 'web', desiredCount: 3 });
    expect(out.service?.deployments).toHaveLength(1);
    expect(out.service?.propagateTags).toBe('SERVICE');
    expect(out.service?.desiredCount).toBe(3);
    const forced = await sb.updateService({ cluster: 'demo', service: 'web', forceNewDeployment: true });
    expect(forced.service?.deployments).toHaveLength(2);
    await expectAwsError(
      sb.updateService({ cluster: 'demo', service: 'nope', desiredCount: 1 }),
      'ServiceNotFoundException',
    );
  });

  test('circuit breaker with rollback: FAILED, and the service goes back to the previous revision', async () => {
    const { sb, clock } = await withCluster({ failImages: ['img:bad'] });
    const good = await sb.registerTaskDefinition(ec2TaskDef('demo-web', 'img:good'));
    await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    clock.advanceSeconds(5);
    await sb.registerTaskDefinition(ec2TaskDef('demo-web', 'img:bad'));
    await sb.updateService({ cluster: 'demo', service: 'web', taskDefinition: 'demo-web:2' });
    clock.advanceSeconds(5);
    const svc = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services![0];
    expect(svc.taskDefinition).toBe(good.taskDefinition?.taskDefinitionArn);
    const failed = svc.deployments?.find((d) => d.rolloutState === 'FAILED');
    expect(failed?.rolloutStateReason).toMatch(/circuit breaker/);
    const primary = svc.deployments?.find((d) => d.status === 'PRIMARY');
    expect(primary?.taskDefinition).toBe(good.taskDefinition?.taskDefinitionArn);
    expect(primary?.rolloutStateReason).toMatch(/circuit breaker: rolling back/);
    clock.advanceSeconds(5);
    const after = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services![0];
    expect(after.deployments?.map((d) => d.rolloutState)).toEqual(['COMPLETED']);
    expect(after.runningCount).toBe(1);
  });

  test('a failing image without circuit breaker stays IN_PROGRESS', async () => {
    const { sb, clock } = await withCluster({ failImages: ['img:bad'] });
    await sb.registerTaskDefinition(ec2TaskDef('demo-web', 'img:bad'));
    await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
    });
    clock.advanceSeconds(600);
    const svc = (await sb.describeServices({ cluster: 'demo', services: ['web'] })).services![0];
    expect(svc.deployments?.[0].rolloutState).toBe('IN_PROGRESS');
    expect(svc.runningCount).toBe(0);
  });

  test('delete needs desiredCount 0 (unless force); DRAINING, then INACTIVE after drainSeconds', async () => {
    const { sb, clock } = await withCluster({ rolloutSeconds: 5, drainSeconds: 20 });
    await webService(sb, { desiredCount: 2 });
    clock.advanceSeconds(5);
    await expectAwsError(
      sb.deleteService({ cluster: 'demo', service: 'web' }),
      'InvalidParameterException',
      'The service cannot be stopped while it is scaled above 0.',
    );
    await sb.updateService({ cluster: 'demo', service: 'web', desiredCount: 0 });
    const draining = await sb.deleteService({ cluster: 'demo', service: 'web' });
    expect(draining.service?.status).toBe('DRAINING');
    await expectAwsError(
      sb.updateService({ cluster: 'demo', service: 'web', desiredCount: 1 }),
      'ServiceNotActiveException',
    );
    clock.advanceSeconds(20);
    const gone = await sb.describeServices({ cluster: 'demo', services: ['web'] });
    expect(gone.services?.[0].status).toBe('INACTIVE');
    expect((await sb.listTasks({ cluster: 'demo' })).taskArns).toEqual([]);
    expect((await sb.listServices({ cluster: 'demo' })).serviceArns).toEqual([]);
    // The name can be used again once the old service is INACTIVE.
    const again = await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
    });
    expect(again.service?.status).toBe('ACTIVE');
  });

  test('force delete of a scaled service', async () => {
    const { sb } = await withCluster();
    await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 2,
    });
    const out = await sb.deleteService({ cluster: 'demo', service: 'web', force: true });
    expect(out.service).toMatchObject({ status: 'DRAINING', desiredCount: 0 });
  });
});

describe('sandbox tags', () => {
  test('tag and untag cluster, service and task definition ARNs; unknown ARN and limits', async () => {
    const { sb } = await withCluster();
    const td = await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    const svc = await sb.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 0,
    });
    const arns = [
      'arn:aws:ecs:us-east-1:123456789012:cluster/demo',
      svc.service!.serviceArn!,
      td.taskDefinition!.taskDefinitionArn!,
    ];
    for (const resourceArn of arns)
      await sb.tagResource({ resourceArn, tags: [{ key: 'owner', value: 'me' }] });
    expect(
      (await sb.describeClusters({ clusters: ['demo'], include: ['TAGS'] })).clusters?.[0].tags,
    ).toContainEqual({ key: 'owner', value: 'me' });
    expect(
      (await sb.describeServices({ cluster: 'demo', services: ['web'], include: ['TAGS'] })).services?.[0]
        .tags,
    ).toEqual([{ key: 'owner', value: 'me' }]);
    await sb.untagResource({ resourceArn: td.taskDefinition!.taskDefinitionArn!, tagKeys: ['owner'] });
    expect((await sb.describeTaskDefinition({ taskDefinition: 'demo-web', include: ['TAGS'] })).tags).toEqual(
      [],
    );
    await expectAwsError(
      sb.tagResource({
        resourceArn: 'arn:aws:ecs:us-east-1:123456789012:service/demo/nope',
        tags: [{ key: 'a', value: 'b' }],
      }),
      'ResourceNotFoundException',
    );
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expectAwsError(sb.tagResource({ resourceArn: arns[1], tags: many }), 'InvalidParameterException');
  });
});
