/**
 * End to end against moto, through the real CLI and the real AWS SDK: the ecs-efs compatibility
 * fixture (an old Makefile-era directory, unchanged) applied to an empty account.
 *
 * Where moto is not AWS (noted inline), the AWS behaviour is tested on the sandbox instead
 * (test/reconcile/*.sandbox.test.ts).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import { useMoto, useMotoClient } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const FIXTURE = path.join(__dirname, '../fixtures/ecs-efs-example');

const moto = useMoto();
const ecs = useMotoClient(moto, ECSClient);

const awsEnv = () => ({ AWS_ENDPOINT_URL: moto.endpoint });

function copyFixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-efs-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

async function apply(dir: string, ...extra: string[]) {
  const run = await runCli(['apply', dir, '--cluster', 'demo', '--output', 'json', ...extra], awsEnv());
  return { run, out: json(run) };
}

function mutating(byOperation: Record<string, number>): Record<string, number> {
  const reads = /\.(Describe|List|Get)/;
  return Object.fromEntries(Object.entries(byOperation).filter(([op]) => !reads.test(op)));
}

describe('the ecs-efs fixture on an empty account (moto)', () => {
  test('converges, and the second apply makes zero mutating calls', async () => {
    const dir = copyFixture();
    const first = await apply(dir);
    expect(first.run.code).toBe(0);
    expect(mutating(first.out.awsCalls.byOperation)).toEqual({
      'ECS.CreateCluster': 1,
      'ECS.RegisterTaskDefinition': 2,
      'ECS.CreateService': 2,
    });
    const outcomes = Object.fromEntries(first.out.clusters[0].results.map((r: any) => [r.id, r.outcome]));
    expect(outcomes).toEqual({
      'cluster/demo': 'created',
      'taskDefinition/demo-jenkins': 'created',
      'taskDefinition/demo-webserver': 'created',
      'service/jenkins': 'created',
      'service/webserver': 'created',
    });

    // What a user would check in the account: prefixed families, services on the exact revisions.
    const web = await ecs().send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'demo-webserver', include: ['TAGS'] }),
    );
    expect(web.taskDefinition?.revision).toBe(1);
    expect(web.taskDefinition?.containerDefinitions?.[0].image).toBe('nginx:1.27');
    expect(web.tags).toEqual(expect.arrayContaining([{ key: 'ecs-gitops:managed-by', value: 'ecs-gitops' }]));
    const svcs = await ecs().send(
      new DescribeServicesCommand({ cluster: 'demo', services: ['webserver', 'jenkins'], include: ['TAGS'] }),
    );
    const byName = Object.fromEntries((svcs.services ?? []).map((s) => [s.serviceName, s]));
    expect(byName.webserver.desiredCount).toBe(2);
    expect(byName.webserver.taskDefinition).toMatch(/task-definition\/demo-webserver:1$/);
    // moto does not store deploymentConfiguration at all (AWS always returns it); the service's
    // deployment settings are checked on the sandbox in test/reconcile/apply.sandbox.test.ts.

    expect(byName.jenkins.desiredCount).toBe(1);
    expect(byName.jenkins.taskDefinition).toMatch(/task-definition\/demo-jenkins:1$/);
    expect(byName.jenkins.tags).toEqual(expect.arrayContaining([{ key: 'ecs-gitops:owner', value: 'demo' }]));

    const second = await apply(dir);
    expect(second.run.code).toBe(0);
    expect(mutating(second.out.awsCalls.byOperation)).toEqual({});
    // The read budget of a no-op: 1 DescribeClusters, ceil(2/10) DescribeServices, and for pruning
    // one ListServices page (services no spec asks for) and one ListTaskDefinitionFamilies page
    // (families removed from the specs). No DescribeTaskDefinition although a new process starts
    // with a cold cache: each service's spec-hash tag vouches for its family.
    expect(second.out.awsCalls.byOperation).toEqual({
      'ECS.DescribeClusters': 1,
      'ECS.DescribeServices': 1,
      'ECS.ListServices': 1,
      'ECS.ListTaskDefinitionFamilies': 1,
    });
    expect(second.out.clusters[0].results.every((r: any) => r.outcome === 'unchanged')).toBe(true);

    const diff = await runCli(['diff', dir, '--cluster', 'demo'], awsEnv());
    expect(diff.code).toBe(0);
  });

  test('changing one image re-registers exactly one family and updates exactly one service', async () => {
    const dir = copyFixture();
    expect((await apply(dir)).run.code).toBe(0);
    const file = path.join(dir, 'webserver.taskdef');
    writeFileSync(file, readFileSync(file, 'utf8').replace('nginx:1.27', 'nginx:1.28'));

    const diff = await runCli(['diff', dir, '--cluster', 'demo', '--no-color'], awsEnv());
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain('nginx:1.27');
    expect(diff.stdout).toContain('nginx:1.28');
    expect(diff.stdout).toMatch(/^\s*-.*containerDefinitions\[web\]\.image/m);
    expect(diff.stdout).toMatch(/^\s*\+.*containerDefinitions\[web\]\.image/m);

    const changed = await apply(dir);
    expect(changed.run.code).toBe(0);
    // (+1 TagResource: the deploy records the spec hash on the service.)
    expect(mutating(changed.out.awsCalls.byOperation)).toEqual({
      'ECS.RegisterTaskDefinition': 1,
      'ECS.UpdateService': 1,
      'ECS.TagResource': 1,
    });
    const svc = await ecs().send(new DescribeServicesCommand({ cluster: 'demo', services: ['webserver'] }));
    expect(svc.services?.[0].taskDefinition).toMatch(/demo-webserver:2$/);

    const again = await apply(dir);
    expect(mutating(again.out.awsCalls.byOperation)).toEqual({});
  });

  test('destroy refuses while services remain, lists them, and changes nothing', async () => {
    const dir = copyFixture();
    expect((await apply(dir)).run.code).toBe(0);
    const run = await runCli(['destroy', 'demo', '--confirm', '--output', 'json'], awsEnv());
    expect(run.code).toBe(1);
    const out = json(run);
    expect(out.verdict).toBe('refused');
    expect(out.services.map((s: any) => s.name)).toEqual(['jenkins', 'webserver']);
    // moto would delete a cluster that still has services (AWS refuses with
    // ClusterContainsServicesException), so the refusal must come from ecs-gitops itself.
    const left = await ecs().send(new ListServicesCommand({ cluster: 'demo' }));
    expect(left.serviceArns).toHaveLength(2);
  });

  test('a spec that fails to parse changes nothing in that cluster', async () => {
    const dir = copyFixture();
    const file = path.join(dir, 'jenkins.taskdef');
    // Break the JSON on line 8: a missing comma between two fields.
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[7] = lines[7].replace('],', ']');
    writeFileSync(file, lines.join('\n'));
    const { run, out } = await apply(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/jenkins\.taskdef:\d+:\d+/);
    expect(mutating(out.awsCalls.byOperation)).toEqual({});
    expect(out.awsCalls.total).toBe(0);
  });
});
