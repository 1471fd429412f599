import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { SdkStsPort } from '../../controller/aws/sdk-sts-port';
import { setTestAwsEnv } from '../helpers/aws-env';
import { freePort, useMoto } from '../helpers/moto';
import { ec2TaskDef } from '../helpers/sandbox';

const moto = useMoto();

/** A plain client pointed at moto, to check what our clients did. */
function witness(): ECSClient {
  return new ECSClient({ region: 'us-east-1', endpoint: moto.endpoint });
}

describe('SDK clients against moto', () => {
  test('the middleware counts every logical call per operation', async () => {
    const log = new CallLog();
    const { ecs, sts } = createAwsClients({ endpoint: moto.endpoint, callLog: log });
    const port = new SdkEcsPort(ecs);
    await port.createCluster({ clusterName: 'demo' });
    await port.registerTaskDefinition(ec2TaskDef('demo-web'));
    await port.createService({
      cluster: 'demo',
      serviceName: 'web',
      taskDefinition: 'demo-web',
      desiredCount: 1,
    });
    for (let i = 0; i < 3; i++) await port.describeServices({ cluster: 'demo', services: ['web'] });
    expect(await new SdkStsPort(sts).getAccountId()).toBe('123456789012');
    expect(log.snapshot()).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.CreateService': 1,
      'ECS.DescribeServices': 3,
      'ECS.RegisterTaskDefinition': 1,
      'STS.GetCallerIdentity': 1,
    });
    expect(log.mutating()).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.CreateService': 1,
      'ECS.RegisterTaskDefinition': 1,
    });
    expect(log.retrySnapshot()).toEqual({});
  });

  test('responses come without $metadata; SDK errors propagate unchanged', async () => {
    const port = new SdkEcsPort(createAwsClients({ endpoint: moto.endpoint, callLog: new CallLog() }).ecs);
    const out = await port.describeClusters({ clusters: ['nope'] });
    expect(out).not.toHaveProperty('$metadata');
    expect(out.failures?.[0].reason).toBe('MISSING');
    await expect(port.describeTaskDefinition({ taskDefinition: 'nope' })).rejects.toMatchObject({
      name: 'ClientException',
      message: 'Unable to describe task definition.',
    });
  });

  test('AWS_ENDPOINT_URL alone routes the clients to moto (this SDK version resolves it itself)', async () => {
    const restore = setTestAwsEnv({ AWS_ENDPOINT_URL: moto.endpoint });
    try {
      const log = new CallLog();
      const { ecs, sts } = createAwsClients({ callLog: log });
      await new SdkEcsPort(ecs).createCluster({ clusterName: 'via-env' });
      expect(await new SdkStsPort(sts).getAccountId()).toBe('123456789012');
    } finally {
      restore();
    }
    const seen = await witness().send(new DescribeClustersCommand({ clusters: ['via-env'] }));
    expect(seen.clusters?.[0]?.status).toBe('ACTIVE');
  });

  test('AWS_ENDPOINT_URL_ECS routes ECS; the --endpoint option wins over the environment', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    let restore = setTestAwsEnv({ AWS_ENDPOINT_URL: dead, AWS_ENDPOINT_URL_ECS: moto.endpoint });
    try {
      const { ecs } = createAwsClients({ callLog: new CallLog(), maxAttempts: 1 });
      await new SdkEcsPort(ecs).createCluster({ clusterName: 'via-ecs-env' });
    } finally {
      restore();
    }
    restore = setTestAwsEnv({ AWS_ENDPOINT_URL: dead });
    try {
      const { ecs } = createAwsClients({ endpoint: moto.endpoint, callLog: new CallLog(), maxAttempts: 1 });
      await new SdkEcsPort(ecs).createCluster({ clusterName: 'via-flag' });
    } finally {
      restore();
    }
    const seen = await witness().send(new DescribeClustersCommand({ clusters: ['via-ecs-env', 'via-flag'] }));
    expect(seen.clusters?.map((c) => c.status)).toEqual(['ACTIVE', 'ACTIVE']);
  });
});
