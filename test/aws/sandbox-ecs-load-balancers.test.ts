/**
 * The ECS sandbox's services with load balancers, checked against the ELBv2 sandbox of the same
 * account (state-file.ts hands it over), as ECS checks them against ELBv2.
 */
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { ec2TaskDef, expectAwsError, fargateTaskDef, newSandboxAccount } from '../helpers/sandbox';
import { SUBNETS, forwardTo, tgInput } from '../helpers/sandbox-elbv2';

async function account() {
  const acct = newSandboxAccount();
  const { ecs, elbv2 } = acct;
  await ecs.createCluster({ clusterName: 'demo' });
  await ecs.registerTaskDefinition(ec2TaskDef('demo-web'));
  await ecs.registerTaskDefinition(fargateTaskDef('demo-api'));
  const lb = (await elbv2.createLoadBalancer({ Name: 'shared', Subnets: SUBNETS })).LoadBalancers?.[0];
  const group = async (name: string, TargetType: 'instance' | 'ip', port: number) => {
    const arn =
      (await elbv2.createTargetGroup(tgInput(name, { TargetType }))).TargetGroups?.[0].TargetGroupArn ?? '';
    await elbv2.createListener({
      LoadBalancerArn: lb?.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: forwardTo(arn),
    });
    return arn;
  };
  const instance = await group('web', 'instance', 80);
  const ip = await group('api', 'ip', 81);
  const detached = (await elbv2.createTargetGroup(tgInput('spare'))).TargetGroups?.[0].TargetGroupArn ?? '';
  return { ...acct, instance, ip, detached };
}

const service = (loadBalancers: object[], extra: object = {}) => ({
  cluster: 'demo',
  serviceName: 'web',
  taskDefinition: 'demo-web',
  desiredCount: 1,
  loadBalancers: loadBalancers as never,
  ...extra,
});

describe('SandboxEcs services with load balancers (with the account ELBv2 sandbox)', () => {
  test('CreateService keeps the target groups; DescribeServices shows them', async () => {
    const { ecs, instance } = await account();
    const lbs = [{ targetGroupArn: instance, containerName: 'web', containerPort: 80 }];
    const created = await ecs.createService(service(lbs, { healthCheckGracePeriodSeconds: 60 }));
    expect(created.service?.loadBalancers).toEqual(lbs);
    const described = (await ecs.describeServices({ cluster: 'demo', services: ['web'] })).services?.[0];
    expect(described?.loadBalancers).toEqual(lbs);
    expect(described?.healthCheckGracePeriodSeconds).toBe(60);
  });

  test.each([
    [
      'a target group that does not exist',
      (t: Awaited<ReturnType<typeof account>>) => `${t.instance}0`,
      'web',
      80,
      /does not exist/,
    ],
    [
      'a target group without a load balancer',
      (t: Awaited<ReturnType<typeof account>>) => t.detached,
      'web',
      80,
      /does not have an associated load balancer/,
    ],
    [
      'an ip target group for a bridge task',
      (t: Awaited<ReturnType<typeof account>>) => t.ip,
      'web',
      80,
      /target type ip, which is incompatible with the bridge network mode/,
    ],
    [
      'a container the task definition lacks',
      (t: Awaited<ReturnType<typeof account>>) => t.instance,
      'api',
      80,
      'The container api does not exist in the task definition.',
    ],
    [
      'a port not in its portMappings',
      (t: Awaited<ReturnType<typeof account>>) => t.instance,
      'web',
      8080,
      'The container web did not have a container port 8080 defined.',
    ],
  ])('CreateService refuses %s', async (_what, arn, containerName, containerPort, message) => {
    const acct = await account();
    await expectAwsError(
      acct.ecs.createService(service([{ targetGroupArn: arn(acct), containerName, containerPort }])),
      'InvalidParameterException',
      message,
    );
    expect((await acct.ecs.listServices({ cluster: 'demo' })).serviceArns).toEqual([]);
  });

  test('an awsvpc task needs an ip target group', async () => {
    const { ecs, instance, ip } = await account();
    const fargate = {
      serviceName: 'api',
      taskDefinition: 'demo-api',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS } },
    };
    await expectAwsError(
      ecs.createService(
        service([{ targetGroupArn: instance, containerName: 'web', containerPort: 80 }], fargate),
      ),
      'InvalidParameterException',
      /target type instance, which is incompatible with the awsvpc network mode/,
    );
    const ok = await ecs.createService(
      service([{ targetGroupArn: ip, containerName: 'web', containerPort: 80 }], fargate),
    );
    expect(ok.service?.loadBalancers?.[0].targetGroupArn).toBe(ip);
  });

  test('UpdateService sets, checks and removes load balancers (a change is a new deployment)', async () => {
    const { ecs, instance, ip } = await account();
    await ecs.createService(service([]));
    const lbs = [{ targetGroupArn: instance, containerName: 'web', containerPort: 80 }];
    const set = await ecs.updateService({ cluster: 'demo', service: 'web', loadBalancers: lbs });
    expect(set.service?.loadBalancers).toEqual(lbs);
    expect(set.service?.deployments).toHaveLength(2);
    await expectAwsError(
      ecs.updateService({
        cluster: 'demo',
        service: 'web',
        loadBalancers: [{ targetGroupArn: ip, containerName: 'web', containerPort: 80 }],
      }),
      'InvalidParameterException',
    );
    // The same again: no new deployment.
    expect(
      (await ecs.updateService({ cluster: 'demo', service: 'web', loadBalancers: lbs })).service?.deployments,
    ).toHaveLength(2);
    const removed = await ecs.updateService({ cluster: 'demo', service: 'web', loadBalancers: [] });
    expect(removed.service?.loadBalancers).toEqual([]);
    expect(
      (await ecs.describeServices({ cluster: 'demo', services: ['web'] })).services?.[0].loadBalancers,
    ).toEqual([]);
  });

  test('a new revision is checked against the load balancers the service keeps', async () => {
    const { ecs, instance } = await account();
    await ecs.createService(service([{ targetGroupArn: instance, containerName: 'web', containerPort: 80 }]));
    await ecs.registerTaskDefinition({
      family: 'demo-web',
      containerDefinitions: [
        { name: 'web', image: 'nginx:1.28', memory: 128, portMappings: [{ containerPort: 8080 }] },
      ],
    });
    await expectAwsError(
      ecs.updateService({ cluster: 'demo', service: 'web', taskDefinition: 'demo-web:2' }),
      'InvalidParameterException',
      /container port 80 defined/,
    );
  });

  test('healthCheckGracePeriodSeconds without a load balancer is accepted (ECS uses it for container health checks too)', async () => {
    const { ecs } = await account();
    const created = await ecs.createService(service([], { healthCheckGracePeriodSeconds: 30 }));
    expect(created.service?.healthCheckGracePeriodSeconds).toBe(30);
  });

  test('ECS alone (no ELBv2 sandbox) checks only the task definition side', async () => {
    const ecs = new SandboxEcs();
    await ecs.createCluster({ clusterName: 'demo' });
    await ecs.registerTaskDefinition(ec2TaskDef('demo-web'));
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/any/0123456789abcdef';
    const created = await ecs.createService(
      service([{ targetGroupArn: arn, containerName: 'web', containerPort: 80 }]),
    );
    expect(created.service?.loadBalancers?.[0].targetGroupArn).toBe(arn);
    await expectAwsError(
      ecs.createService(
        service([{ targetGroupArn: arn, containerName: 'web', containerPort: 81 }], { serviceName: 'other' }),
      ),
      'InvalidParameterException',
    );
  });
});
