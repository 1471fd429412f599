import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import type { DesiredState } from '../../controller/model/desired';
import { useMoto } from '../helpers/moto';
import { ec2TaskDef } from '../helpers/sandbox';

// Where moto differs from AWS (tested on the sandbox instead, see sandbox-*.test.ts): it accepts 11
// names in DescribeServices, ignores ListServices maxResults (one page of everything), deletes a
// cluster that still has services, stores "0.25 vCPU" as given, and leaves deployments IN_PROGRESS
// forever.

const moto = useMoto();

function setup() {
  const log = new CallLog();
  const port = new SdkEcsPort(createAwsClients({ endpoint: moto.endpoint, callLog: log }).ecs);
  return { log, port, reader: new EcsReader(port) };
}

function desired(families: string[], services: string[]): DesiredState {
  const source = { file: 'x', line: 1, column: 1 };
  return {
    cluster: {
      name: 'demo',
      prefix: 'demo',
      ownerId: 'demo',
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

describe('EcsReader against moto', () => {
  test('25 services: 3 DescribeServices; second observe makes no DescribeTaskDefinition', async () => {
    const { log, port, reader } = setup();
    await port.createCluster({ clusterName: 'demo', tags: [{ key: 'a', value: 'b' }] });
    await port.registerTaskDefinition({ ...ec2TaskDef('demo-web'), tags: [{ key: 't', value: '1' }] });
    const names = Array.from({ length: 25 }, (_, i) => `svc-${i}`);
    for (const n of names) {
      await port.createService({
        cluster: 'demo',
        serviceName: n,
        taskDefinition: 'demo-web',
        desiredCount: 1,
      });
    }
    log.reset();
    const want = desired(['demo-web', 'demo-missing'], names);
    const obs = await reader.observe(want);
    expect(obs.cluster?.tags).toEqual({ a: 'b' });
    expect([...obs.services.keys()].sort()).toEqual([...names].sort());
    expect(obs.families.get('demo-web')?.taskDefinition.revision).toBe(1);
    expect(obs.families.get('demo-web')?.tags).toEqual({ t: '1' });
    expect(obs.families.get('demo-missing')).toBeNull();
    expect(log.snapshot()).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 3,
      'ECS.DescribeTaskDefinition': 2,
      // Pruning: services no spec names, families removed from the specs.
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
    });
    log.reset();
    await reader.observe(want);
    expect(log.snapshot()).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 3,
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
    });
  });

  // moto ignores maxResults in ListServices and returns all 250 ARNs in one page (AWS: at most 100
  // per page). So here we check that all 250 come back; the 3-call budget is tested on the sandbox
  // (ecs-reader.test.ts, "listAllServiceArns pages by 100").
  test('listAllServiceArns returns all 250 services, asking for pages of 100', async () => {
    const { log, port, reader } = setup();
    await port.createCluster({ clusterName: 'demo' });
    await port.registerTaskDefinition(ec2TaskDef('demo-web'));
    for (let i = 0; i < 250; i++) {
      await port.createService({
        cluster: 'demo',
        serviceName: `svc-${i}`,
        taskDefinition: 'demo-web',
        desiredCount: 0,
      });
    }
    log.reset();
    const arns = await reader.listAllServiceArns('demo');
    expect(new Set(arns).size).toBe(250);
    expect(log.snapshot()['ECS.ListServices']).toBe(1); // moto: one page. If moto starts paging, expect 3.
  });
});
