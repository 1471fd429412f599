import type { Service } from '@aws-sdk/client-ecs';
import type { ServiceBody } from '../../controller/model/desired';
import {
  SERVICE_FIELD_RULES,
  serviceBodyWithDefaults,
  serviceDiff,
  taskDefinitionMatches,
} from '../../controller/plan/normalize-service';
import { clusterConfig, liveService, service, taskDefinitionArn } from './builders';

const cfg = clusterConfig();
const arn3 = taskDefinitionArn('demo-web', 3);

function diff(body: ServiceBody, live: Partial<Service> = {}, tdArn: string | undefined = arn3) {
  return serviceDiff(service(cfg, 'web', { body }), tdArn, liveService(cfg, 'web', arn3, live));
}

describe('serviceDiff', () => {
  test('a spec with only defaults equals a service AWS created with defaults', () => {
    expect(diff({ launchType: 'EC2' })).toEqual({ changes: [], immutable: [] });
  });

  test('desiredCount absent from the spec is left to autoscaling; present, it is compared', () => {
    expect(diff({}, { desiredCount: 5 }).changes).toEqual([]);
    expect(diff({ desiredCount: 2 }, { desiredCount: 5 }).changes).toEqual([
      { path: 'desiredCount', before: 5, after: 2 },
    ]);
  });

  test('taskDefinition: a new revision to come is always a change', () => {
    // (not through `diff`: its default parameter would replace undefined)
    expect(serviceDiff(service(cfg, 'web'), undefined, liveService(cfg, 'web', arn3)).changes).toEqual([
      { path: 'taskDefinition', before: 'demo-web:3', after: 'demo-web:<new revision>' },
    ]);
  });

  test('taskDefinition: a family:revision pin is compared with the live ARN', () => {
    expect(taskDefinitionMatches('demo-web:3', arn3)).toBe(true);
    expect(taskDefinitionMatches('demo-web:2', arn3)).toBe(false);
    expect(taskDefinitionMatches(arn3, arn3)).toBe(true);
    expect(diff({}, {}, 'demo-web:2').changes).toEqual([
      { path: 'taskDefinition', before: 'demo-web:3', after: 'demo-web:2' },
    ]);
  });

  test('a field AWS defaults, removed from the spec, goes back to its default', () => {
    expect(diff({}, { healthCheckGracePeriodSeconds: 60, enableExecuteCommand: true }).changes).toEqual([
      { path: 'enableExecuteCommand', before: true, after: false },
    ]);
  });

  test('load balancers, placement and the grace period are left alone when the spec omits them', () => {
    // Resetting them on an adopted service would detach its target group or kill tasks during
    // health checks; only an explicit empty value removes them.
    const live = {
      healthCheckGracePeriodSeconds: 60,
      loadBalancers: [{ targetGroupArn: 'arn:tg/web', containerName: 'web', containerPort: 80 }],
      serviceRegistries: [{ registryArn: 'arn:sd/web' }],
      placementStrategy: [{ type: 'spread' as const, field: 'attribute:ecs.availability-zone' }],
      placementConstraints: [{ type: 'distinctInstance' as const }],
    };
    expect(diff({}, live).changes).toEqual([]);
    expect(diff({ loadBalancers: [], healthCheckGracePeriodSeconds: 0 }, live).changes).toEqual([
      { path: 'healthCheckGracePeriodSeconds', before: 60, after: 0 },
      { path: 'loadBalancers', before: live.loadBalancers, after: [] },
    ]);
  });

  test('live omitting healthCheckGracePeriodSeconds / propagateTags / managed tags / exec means their AWS defaults', () => {
    const live = liveService(cfg, 'web', arn3);
    delete live.propagateTags;
    delete live.enableECSManagedTags;
    delete live.enableExecuteCommand;
    delete live.healthCheckGracePeriodSeconds;
    delete live.placementConstraints;
    expect(serviceDiff(service(cfg, 'web'), arn3, live)).toEqual({ changes: [], immutable: [] });
  });

  test('deploymentConfiguration compares as a subset, with defaults for the keys the spec leaves out', () => {
    const live = {
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 50,
        alarms: { alarmNames: [], rollback: false, enable: false },
      },
    };
    expect(
      diff(
        {
          deploymentConfiguration: {
            minimumHealthyPercent: 50,
            deploymentCircuitBreaker: { enable: true, rollback: true },
          },
        },
        live,
      ).changes,
    ).toEqual([]);
    expect(diff({ deploymentConfiguration: { minimumHealthyPercent: 50 } }, live).changes).toEqual([
      { path: 'deploymentConfiguration.deploymentCircuitBreaker.enable', before: true, after: false },
      { path: 'deploymentConfiguration.deploymentCircuitBreaker.rollback', before: true, after: false },
    ]);
  });

  test('DAEMON services default to maximumPercent 100 / minimumHealthyPercent 0', () => {
    const body = serviceBodyWithDefaults(service(cfg, 'agent', { body: { schedulingStrategy: 'DAEMON' } }));
    expect(body.deploymentConfiguration).toEqual({
      maximumPercent: 100,
      minimumHealthyPercent: 0,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    });
  });

  test('networkConfiguration: AWS-filled assignPublicIp ignored, subnets and security groups order-insensitive', () => {
    const live: Partial<Service> = {
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-b', 'subnet-a'],
          securityGroups: ['sg-1'],
          assignPublicIp: 'DISABLED',
        },
      },
    };
    expect(
      diff(
        {
          networkConfiguration: {
            awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'] },
          },
        },
        live,
      ).changes,
    ).toEqual([]);
    expect(
      diff(
        {
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-1'] } },
        },
        live,
      ).changes,
    ).toEqual([
      {
        path: 'networkConfiguration.awsvpcConfiguration.subnets',
        before: ['subnet-a', 'subnet-b'],
        after: ['subnet-a'],
      },
    ]);
  });

  test('a key the spec names but AWS lacks is a difference', () => {
    expect(
      diff(
        {
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], assignPublicIp: 'ENABLED' } },
        },
        {
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'] } },
        },
      ).changes,
    ).toEqual([{ path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp', after: 'ENABLED' }]);
  });

  test('capacityProviderStrategy sorted by provider, AWS-filled base ignored', () => {
    const live: Partial<Service> = {
      launchType: undefined,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      ],
    };
    const body = {
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
    };
    expect(diff(body, live).changes).toEqual([]);
  });

  test('an order-insensitive list is compared sorted even when it matches unsorted', () => {
    // Items without a provider sort first and keep their order; the live ones are sorted by
    // provider, so the sorted pairs differ although the unsorted ones match item by item. (The
    // matching-field shortcut of serviceDiff must not skip the sorted fields.)
    const live: Partial<Service> = {
      launchType: undefined,
      capacityProviderStrategy: [
        { capacityProvider: 'Z', weight: 1 },
        { capacityProvider: 'A', weight: 2 },
      ],
    };
    // (Items without a provider: not a valid spec, but the shortest input that shows the order.)
    const body = { capacityProviderStrategy: [{ weight: 1 }, { weight: 2 }] } as unknown as ServiceBody;
    expect(diff(body, live).changes.map((c) => c.path)).toEqual(['capacityProviderStrategy']);
  });

  test('loadBalancers order-insensitive; placementStrategy order matters', () => {
    const tg = (n: string) =>
      `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${n}/0123456789abcdef`;
    const lbs = [
      { targetGroupArn: tg('b'), containerName: 'web', containerPort: 80 },
      { targetGroupArn: tg('a'), containerName: 'web', containerPort: 80 },
    ];
    expect(
      diff({ loadBalancers: lbs }, { loadBalancers: [lbs[1], lbs[0]], healthCheckGracePeriodSeconds: 0 })
        .changes,
    ).toEqual([]);
    const strategy = [
      { type: 'spread' as const, field: 'attribute:ecs.availability-zone' },
      { type: 'binpack' as const, field: 'memory' },
    ];
    expect(
      diff({ placementStrategy: strategy }, { placementStrategy: [strategy[1], strategy[0]] }).changes.map(
        (c) => c.path,
      ),
    ).toEqual(['placementStrategy']);
  });

  test('immutable fields go to `immutable`: launchType, schedulingStrategy, role', () => {
    const r = diff(
      { launchType: 'FARGATE', role: 'ecsServiceRole', desiredCount: 2 },
      { roleArn: 'arn:aws:iam::123456789012:role/other', desiredCount: 1 },
    );
    expect(r.immutable).toEqual([
      { path: 'role', before: 'arn:aws:iam::123456789012:role/other', after: 'ecsServiceRole' },
      { path: 'launchType', before: 'EC2', after: 'FARGATE' },
    ]);
    expect(r.changes).toEqual([{ path: 'desiredCount', before: 1, after: 2 }]);
    expect(
      diff({ role: 'ecsServiceRole' }, { roleArn: 'arn:aws:iam::123456789012:role/ecsServiceRole' }),
    ).toEqual({
      changes: [],
      immutable: [],
    });
  });

  test('unmanaged fields absent from the spec are not compared', () => {
    expect(
      diff({}, { platformVersion: 'LATEST', launchType: 'FARGATE', availabilityZoneRebalancing: 'ENABLED' }),
    ).toEqual({
      changes: [],
      immutable: [],
    });
  });

  test('serviceConnectConfiguration is read from the PRIMARY deployment', () => {
    const sc = { enabled: true, namespace: 'demo' };
    const live = liveService(cfg, 'web', arn3);
    live.deployments![0].serviceConnectConfiguration = sc;
    expect(
      serviceDiff(service(cfg, 'web', { body: { serviceConnectConfiguration: sc } }), arn3, live).changes,
    ).toEqual([]);
  });

  test('SERVICE_FIELD_RULES names every field with a default and the immutable ones', () => {
    const byField = new Map(SERVICE_FIELD_RULES.map((r) => [r.field, r]));
    for (const f of ['launchType', 'schedulingStrategy', 'deploymentController', 'role']) {
      expect(byField.get(f)?.updatable).toBe(false);
    }
    expect(byField.get('desiredCount')?.whenAbsent).toBe('unmanaged');
    expect(byField.get('propagateTags')?.default).toBe('NONE');
  });
});
