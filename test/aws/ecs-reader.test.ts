import type { DesiredState } from '../../controller/model/desired';
import { EcsReader } from '../../controller/observe/ecs-reader';
import type { EcsPort } from '../../controller/aws/ecs-port';
import { SERVICE_EVENTS_KEPT } from '../../controller/aws/sandbox/service-events';
import { ec2TaskDef, newSandbox, webService } from '../helpers/sandbox';

function desired(cluster: string, families: string[], services: string[]): DesiredState {
  const source = { file: 'x', line: 1, column: 1 };
  return {
    cluster: {
      name: cluster,
      prefix: cluster,
      ownerId: cluster,
      tags: {},
      adopt: false,
      serviceDefaults: { desiredCount: 1 },
      source,
      dir: '.',
    },
    taskDefinitions: families.map((family) => ({
      basename: family,
      family,
      body: ec2TaskDef(family),
      tags: {},
      autocreateService: false,
      source,
    })),
    services: services.map((name) => ({
      name,
      body: {},
      taskDefinition: { kind: 'family' as const, family: families[0] },
      tags: {},
      autocreated: false,
      source,
    })),
    hostnames: [],
  };
}

describe('EcsReader on the sandbox', () => {
  test('observe: read budget, batching by 10, INACTIVE is missing, family cache', async () => {
    const { sb, clock } = newSandbox({ drainSeconds: 1 });
    await sb.createCluster({ clusterName: 'demo', tags: [{ key: 'a', value: 'b' }] });
    await sb.registerTaskDefinition({ ...ec2TaskDef('demo-web'), tags: [{ key: 't', value: '1' }] });
    const names = Array.from({ length: 25 }, (_, i) => `svc-${i}`);
    for (const n of names.slice(0, 24)) {
      await sb.createService({
        cluster: 'demo',
        serviceName: n,
        taskDefinition: 'demo-web',
        desiredCount: 0,
      });
    }
    await sb.deleteService({ cluster: 'demo', service: 'svc-0' });
    clock.advanceSeconds(1);
    sb.callLog.reset();

    const reader = new EcsReader(sb);
    const want = desired('demo', ['demo-web', 'demo-new'], names);
    const obs = await reader.observe(want);
    expect(obs.cluster?.tags).toEqual({ a: 'b' });
    expect(obs.services.size).toBe(23); // svc-0 is INACTIVE, svc-24 never existed
    expect(obs.services.has('svc-0')).toBe(false);
    expect(obs.families.get('demo-web')?.tags).toEqual({ t: '1' });
    expect(obs.families.get('demo-new')).toBeNull();
    expect(sb.callLog.snapshot()).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 3,
      'ECS.DescribeTaskDefinition': 2,
      // Pruning: services no spec names, families removed from the specs.
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
    });

    sb.callLog.reset();
    await reader.observe(want);
    expect(sb.callLog.snapshot()).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 3,
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
    });

    reader.forget();
    sb.callLog.reset();
    await reader.observe(want);
    expect(sb.callLog.snapshot()['ECS.DescribeTaskDefinition']).toBe(2);
  });

  test("a service's events (AWS: its last 100, 20 KB a service) are not kept; its tags are kept once, as a map", async () => {
    const { sb, clock } = newSandbox();
    await sb.createCluster({ clusterName: 'demo' });
    await webService(sb, { desiredCount: 1, tags: [{ key: 'team', value: 'a' }] });
    clock.advanceSeconds(40 * 24 * 3600); // steady for 40 days: a steady-state event every 6 hours
    const raw = await sb.describeServices({ cluster: 'demo', services: ['web'] });
    const events = raw.services?.[0].events ?? [];
    expect(events).toHaveLength(SERVICE_EVENTS_KEPT);
    expect(events[0].message).toBe('(service web) has reached a steady state.');
    expect(events[0].createdAt!.getTime()).toBeGreaterThan(events[99].createdAt!.getTime());
    expect(new Set(events.map((e) => e.id)).size).toBe(SERVICE_EVENTS_KEPT);

    const obs = await new EcsReader(sb).observe(desired('demo', ['demo-web'], ['web']));
    const web = obs.services.get('web');
    expect(web?.service.serviceName).toBe('web');
    expect(web?.service).not.toHaveProperty('events');
    expect(web?.service).not.toHaveProperty('tags');
    expect(web?.tags).toEqual({ team: 'a' });
  });

  test('remember() feeds the cache; a missing cluster skips DescribeServices', async () => {
    const { sb } = newSandbox();
    const reader = new EcsReader(sb);
    const reg = await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    reader.remember('demo-web', { taskDefinition: reg.taskDefinition!, tags: {} });
    sb.callLog.reset();
    const obs = await reader.observe(desired('demo', ['demo-web'], ['web']));
    expect(obs.cluster).toBeUndefined();
    expect(obs.services.size).toBe(0);
    expect(obs.families.get('demo-web')?.taskDefinition.revision).toBe(1);
    // No cluster: no services to list; removed families are still looked for.
    expect(sb.callLog.snapshot()).toEqual({ 'ECS.DescribeClusters': 1, 'ECS.ListTaskDefinitionFamilies': 1 });
  });

  test('errors other than "Unable to describe task definition" propagate', async () => {
    const { sb } = newSandbox({ throttle: { DescribeTaskDefinition: { burst: 1, perSecond: 0.001 } } });
    const reader = new EcsReader(sb);
    expect(await reader.latestRevision('a')).toBeNull();
    await expect(reader.latestRevision('b')).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  test('reads run with bounded concurrency', async () => {
    const { sb } = newSandbox();
    await sb.createCluster({ clusterName: 'demo' });
    let inFlight = 0;
    let max = 0;
    const slow: EcsPort = Object.create(sb) as EcsPort;
    slow.describeTaskDefinition = async (input) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return sb.describeTaskDefinition(input).catch((e: unknown) => Promise.reject(e as Error));
    };
    const reader = new EcsReader(slow, { concurrency: 3 });
    const families = Array.from({ length: 12 }, (_, i) => `f${i}`);
    const obs = await reader.observe(desired('demo', families, []));
    expect(obs.families.size).toBe(12);
    expect(max).toBe(3);
  });

  test('listAllServiceArns pages by 100: 250 services in 3 ListServices calls', async () => {
    const { sb } = newSandbox();
    await sb.createCluster({ clusterName: 'demo' });
    await sb.registerTaskDefinition(ec2TaskDef('demo-web'));
    for (let i = 0; i < 250; i++) {
      await sb.createService({
        cluster: 'demo',
        serviceName: `s${i}`,
        taskDefinition: 'demo-web',
        desiredCount: 0,
      });
    }
    sb.callLog.reset();
    const arns = await new EcsReader(sb).listAllServiceArns('demo');
    expect(arns).toHaveLength(250);
    expect(sb.callLog.snapshot()).toEqual({ 'ECS.ListServices': 3 });
  });
});
