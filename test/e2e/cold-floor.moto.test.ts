/**
 * The cold no-op read floor end to end: the real CLI and SDK against moto, each `apply` a new
 * context (new clients, new reader, nothing cached), as every CI run is. 12 services: 1
 * DescribeClusters, 2 DescribeServices, 1 ListServices page, 1 ListTaskDefinitionFamilies page,
 * and no DescribeTaskDefinition: each service's `ecs-gitops:spec-hash` tag (sent with
 * CreateService, returned by DescribeServices with include TAGS) vouches for its family. The
 * fallbacks (tags edited by hand, revisions deployed by hand, older hash versions) are tested on the
 * sandbox (test/reconcile/cold-floor.sandbox.test.ts).
 */
import { rmSync } from 'node:fs';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { generateClusterDir } from '../../bench/generate';
import { useMoto, useMotoClient } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const moto = useMoto();
const ecs = useMotoClient(moto, ECSClient);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const awsEnv = () => ({ AWS_ENDPOINT_URL: moto.endpoint });

async function apply(dir: string) {
  const run = await runCli(['apply', dir, '--output', 'json'], awsEnv());
  expect(run.code).toBe(0);
  return json(run).awsCalls.byOperation as Record<string, number>;
}

function mutating(byOperation: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byOperation).filter(([op]) => !/\.(Describe|List|Get)/.test(op)));
}

test('a cold no-op of 12 services reads at the floor, twice, and writes nothing', async () => {
  const dir = generateClusterDir(12);
  dirs.push(dir);
  const first = await apply(dir);
  expect(mutating(first)).toEqual({
    'ECS.CreateCluster': 1,
    'ECS.CreateService': 12,
    'ECS.RegisterTaskDefinition': 12,
  });
  // moto keeps the tags given to CreateService and returns them with include TAGS, as AWS does.
  const live = await ecs().send(
    new DescribeServicesCommand({ cluster: 'bench-12', services: ['svc1'], include: ['TAGS'] }),
  );
  expect(live.services?.[0]?.tags).toContainEqual({
    key: 'ecs-gitops:spec-hash',
    value: expect.stringMatching(/^v1:[0-9a-f]{32}@bench-12-svc1:1$/),
  });
  for (const round of [1, 2]) {
    expect({ round, calls: await apply(dir) }).toEqual({
      round,
      calls: {
        'ECS.DescribeClusters': 1,
        'ECS.DescribeServices': 2,
        'ECS.ListServices': 1,
        'ECS.ListTaskDefinitionFamilies': 1,
      },
    });
  }
});
