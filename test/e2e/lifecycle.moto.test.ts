/**
 * Safe lifecycle end to end against moto, through the real CLI and the real AWS SDK: pruning a
 * removed service, `prune: false`, the empty-desired-set guard, services of no owner and of another
 * owner left alone, a rename without outage, and revision retention that keeps what is in use.
 * Every scenario ends with an apply that makes zero mutating calls.
 *
 * Where moto is not AWS:
 * - moto runs no tasks; started with MOTO_ECS_SERVICE_RUNNING=1 it reports one running task for
 *   every new service and that service's deployment COMPLETED at once (AWS: after the tasks are
 *   healthy). Scaling to 0 stops its tasks at once, so a prune deletes in the same apply; on AWS the
 *   tasks drain first (the sandbox models that: test/reconcile/prune.sandbox.test.ts);
 * - moto keeps a service's first deployment forever, still naming the revision the service was
 *   created with, even after UpdateService changed it (AWS: a new PRIMARY deployment, the old one
 *   goes once drained). That revision therefore stays "in use" on moto;
 * - moto keeps listing a deleted service (INACTIVE) in ListServices; AWS drops it;
 * - moto's ListTaskDefinitionFamilies ignores `status`, and ListTaskDefinitions ignores `sort` and
 *   `maxResults` (the reader copes with both: tests below pass through those paths).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { ownershipTags } from '../../controller/model/ownership';
import { useMoto, useMotoClient } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const moto = useMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '1' } });
const ecs = useMotoClient(moto, ECSClient);

const CLUSTER = 'life';

function taskdef(name: string, image: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    containerDefinitions: [{ name, image, memoryReservation: 32, dockerLabels: labels }],
  });
}

/** A cluster directory: web and api with .service files, worker by AUTOCREATE.SERVICE. */
function specs(extraConfig = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-life-'));
  const files: Record<string, string> = {
    'cluster.yaml': `name: ${CLUSTER}\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n${extraConfig}`,
    'web.taskdef': taskdef('web', 'nginx:1.27'),
    'web.service': '{ "desiredCount": 1 }',
    'api.taskdef': taskdef('api', 'httpd:2.4'),
    // Names its task definition, so that the file can be renamed with the same content.
    'api.service': '{ "taskDefinition": "api", "desiredCount": 1 }',
    'worker.taskdef': taskdef('worker', 'busybox:1.36', { 'AUTOCREATE.SERVICE': '' }),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function apply(dir: string) {
  const run = await runCli(['--log-level', 'warn', 'apply', dir, '-o', 'json', '--endpoint', moto.endpoint]);
  const out = json(run);
  const mutating = Object.fromEntries(
    Object.entries(out.awsCalls.byOperation as Record<string, number>).filter(
      ([op]) => !/\.(Describe|List|Get)/.test(op),
    ),
  );
  return { code: run.code, out, mutating, stdout: run.stdout, stderr: run.stderr };
}

async function diff(dir: string, ...args: string[]) {
  return runCli(['--log-level', 'warn', 'diff', dir, '--endpoint', moto.endpoint, '--no-color', ...args]);
}

/** ACTIVE services of the cluster (moto also lists INACTIVE ones: skipped, as AWS would not list them). */
async function services(): Promise<{ name: string; running: number; owner: string }[]> {
  const arns = (await ecs().send(new ListServicesCommand({ cluster: CLUSTER }))).serviceArns ?? [];
  if (arns.length === 0) return [];
  const out = await ecs().send(
    new DescribeServicesCommand({ cluster: CLUSTER, services: arns, include: ['TAGS'] }),
  );
  return (out.services ?? [])
    .filter((s) => s.status === 'ACTIVE')
    .map((s) => ({
      name: s.serviceName ?? '',
      running: s.runningCount ?? 0,
      owner: s.tags?.find((t) => t.key === 'ecs-gitops:owner')?.value ?? '-',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function activeRevisions(family: string): Promise<number[]> {
  const out = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' }));
  return (out.taskDefinitionArns ?? [])
    .map((a) => Number(a.slice(a.lastIndexOf(':') + 1)))
    .sort((x, y) => x - y);
}

async function expectQuiet(dir: string): Promise<void> {
  const again = await apply(dir);
  expect(again.code).toBe(0);
  expect(again.mutating).toEqual({});
}

test('a removed .service file: the service is scaled to 0 and deleted, with nothing else touched', async () => {
  const dir = specs();
  expect((await apply(dir)).code).toBe(0);
  rmSync(path.join(dir, 'api.service'));

  const plan = await diff(dir);
  expect(plan.code).toBe(2);
  expect(plan.stdout).toMatch(
    /^- service\/api {2}no spec asks for it any more \(it came from api\.service\): scale to 0, drain, delete$/m,
  );

  const round = await apply(dir);
  expect(round.code).toBe(0);
  expect(round.mutating).toEqual({ 'ECS.TagResource': 2, 'ECS.UpdateService': 1, 'ECS.DeleteService': 1 });
  expect(round.out.clusters[0].results.find((r: any) => r.id === 'service/api')).toMatchObject({
    outcome: 'deleted',
    message: 'scaled to 0, drained, deleted',
  });
  expect((await services()).map((s) => s.name)).toEqual(['web', 'worker']);
  // The family stays: its .taskdef is still there.
  expect(await activeRevisions('life-api')).toEqual([1]);
  await expectQuiet(dir);
});

test('prune: false reports the service in every diff and apply, and deletes nothing', async () => {
  const dir = specs('prune: false\n');
  expect((await apply(dir)).code).toBe(0);
  rmSync(path.join(dir, 'api.service'));
  for (let i = 0; i < 2; i++) {
    const plan = await diff(dir);
    // Nothing will change, so diff exits 0, but it says what is kept.
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /^\? service\/api {2}no spec asks for it any more .*; kept \(prune: false\)$/m,
    );
    expect(plan.stdout).toMatch(/1 kept by prune: false/);
    const round = await apply(dir);
    expect(round.code).toBe(0);
    expect(round.mutating).toEqual({});
  }
  expect((await services()).map((s) => s.name)).toEqual(['api', 'web', 'worker']);
});

test('specs that ask for nothing (an empty checkout) are refused: exit 1, no mutating call at all', async () => {
  const dir = specs();
  expect((await apply(dir)).code).toBe(0);
  for (const f of ['web.taskdef', 'web.service', 'api.taskdef', 'api.service', 'worker.taskdef']) {
    rmSync(path.join(dir, f));
  }
  const round = await apply(dir);
  expect(round.code).toBe(1);
  expect(round.mutating).toEqual({});
  expect(round.out.clusters[0].planErrors[0].message).toMatch(
    /the specs ask for nothing .* while ecs-gitops owns 3 service\(s\) \(api, web, worker\) in cluster life: refusing to prune them all/,
  );
  const plan = await diff(dir);
  expect(plan.code).toBe(1);
  expect(plan.stdout).toMatch(/Set allowEmpty: true in the cluster config/);
  expect((await services()).length).toBe(3);
});

test('a spec that fails to load prunes nothing: exit 1 naming file and line, zero AWS calls of any kind', async () => {
  const dir = specs();
  expect((await apply(dir)).code).toBe(0);
  rmSync(path.join(dir, 'api.service'));
  // One broken file among the rest: the removed service must not be pruned because of it.
  writeFileSync(path.join(dir, 'web.taskdef'), '{ "containerDefinitions": [ { "name": "web", } ');
  const round = await apply(dir);
  expect(round.code).toBe(1);
  expect(round.out.awsCalls.total).toBe(0);
  expect(round.stderr).toMatch(/web\.taskdef:1:\d+: /);
  expect((await services()).map((s) => s.name)).toEqual(['api', 'web', 'worker']);
});

test('a service created by hand, and one of another owner id, share the cluster untouched', async () => {
  const dir = specs();
  expect((await apply(dir)).code).toBe(0);
  const td = await ecs().send(
    new RegisterTaskDefinitionCommand({
      family: 'legacy-cron',
      containerDefinitions: [{ name: 'cron', image: 'busybox:1.36', memory: 32 }],
    }),
  );
  const arn = td.taskDefinition?.taskDefinitionArn;
  await ecs().send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: 'by-hand',
      taskDefinition: arn,
      desiredCount: 1,
    }),
  );
  await ecs().send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: 'payments',
      taskDefinition: arn,
      desiredCount: 1,
      tags: Object.entries(ownershipTags('payments-repo', CLUSTER)).map(([key, value]) => ({ key, value })),
    }),
  );
  const round = await apply(dir);
  expect(round.mutating).toEqual({});
  expect(round.out.clusters[0].results.map((r: any) => r.id)).not.toContain('service/by-hand');
  // Even with every spec of ours gone (allowEmpty), only ours go.
  writeFileSync(path.join(dir, 'cluster.yaml'), `name: ${CLUSTER}\nregion: us-east-1\nallowEmpty: true\n`);
  for (const f of ['web.taskdef', 'web.service', 'api.taskdef', 'api.service', 'worker.taskdef']) {
    rmSync(path.join(dir, f));
  }
  const emptied = await apply(dir);
  expect(emptied.code).toBe(0);
  expect(emptied.mutating).toEqual({ 'ECS.TagResource': 6, 'ECS.UpdateService': 3, 'ECS.DeleteService': 3 });
  // The families were in use when that apply looked; the next one deregisters them.
  expect((await apply(dir)).mutating).toEqual({ 'ECS.DeregisterTaskDefinition': 3 });
  expect(await activeRevisions('legacy-cron')).toEqual([1]);
  expect(await services()).toEqual([
    { name: 'by-hand', running: 1, owner: '-' },
    { name: 'payments', running: 1, owner: 'payments-repo' },
  ]);
  await expectQuiet(dir);
});

test('a renamed service file: the new service first, the old one pruned once the new one is stable', async () => {
  const dir = specs();
  expect((await apply(dir)).code).toBe(0);
  renameSync(path.join(dir, 'api.service'), path.join(dir, 'api-v2.service'));

  const first = await apply(dir);
  expect(first.mutating).toEqual({ 'ECS.CreateService': 1 });
  expect(first.out.clusters[0].results.find((r: any) => r.id === 'service/api')).toMatchObject({
    outcome: 'unchanged',
    pending: 'waiting for service/api-v2 to be stable',
  });
  // Both run during the handover (moto: the new one's deployment is COMPLETED at once).
  expect((await services()).filter((s) => s.name.startsWith('api'))).toEqual([
    { name: 'api', running: 1, owner: CLUSTER },
    { name: 'api-v2', running: 1, owner: CLUSTER },
  ]);

  const second = await apply(dir);
  expect(second.mutating).toEqual({ 'ECS.TagResource': 2, 'ECS.UpdateService': 1, 'ECS.DeleteService': 1 });
  expect((await services()).map((s) => s.name)).toEqual(['api-v2', 'web', 'worker']);
  await expectQuiet(dir);
});

test('revision retention: the newest keepRevisions stay, and so does any revision a deployment uses', async () => {
  const dir = specs('keepRevisions: 1\n');
  writeFileSync(path.join(dir, 'batch.taskdef'), taskdef('batch', 'busybox:1.36'));
  expect((await apply(dir)).code).toBe(0);
  const deploys: Awaited<ReturnType<typeof apply>>[] = [];
  for (const image of ['busybox:1.37', 'busybox:1.38']) {
    writeFileSync(path.join(dir, 'batch.taskdef'), taskdef('batch', image));
    writeFileSync(path.join(dir, 'web.taskdef'), taskdef('web', image.replace('busybox', 'nginx')));
    const deploy = await apply(dir);
    expect(deploy.code).toBe(0);
    deploys.push(deploy);
  }
  // Each apply registered one revision of each, and cleaned up in the same apply what the new one
  // makes old and nothing uses: batch (no service) keeps only the new one.
  const revisionResults = (d: Awaited<ReturnType<typeof apply>>) =>
    d.out.clusters[0].results
      .filter((r: any) => r.resource === 'revisions')
      .map((r: any) => `${r.id} ${r.outcome} ${r.message}`);
  expect(revisionResults(deploys[1])).toEqual([
    expect.stringMatching(/^revisions\/life-batch deleted deregistered 1: life-batch:2$/),
  ]);
  expect(await activeRevisions('life-batch')).toEqual([3]);
  // life-web:2 stays: the service ran it while the apply that replaced it planned (with
  // keepRevisions 1 the revision a deploy replaces goes at the family's next new revision); and
  // life-web:1 stays: the web service's first deployment still names it on moto (see the top).
  expect(await activeRevisions('life-web')).toEqual([1, 2, 3]);
  await expectQuiet(dir);

  // The .taskdef removed: every revision goes, since nothing uses the family.
  rmSync(path.join(dir, 'batch.taskdef'));
  const removed = await apply(dir);
  expect(removed.mutating).toEqual({ 'ECS.DeregisterTaskDefinition': 1 });
  expect(await activeRevisions('life-batch')).toEqual([]);
  await expectQuiet(dir);
});
