/**
 * The event source's resources under the controller (`run`), on the sandbox: the first reconcile
 * creates them, a resync writes nothing, and drift made by hand is reverted at the next resync and
 * counted as drift of its kind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Controller } from '../../controller/reconcile/controller';
import { createGitSource } from '../../controller/reconcile/git-source';
import { createLogger } from '../../controller/telemetry/logger';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { StatusStore } from '../../controller/telemetry/status';
import { newSandboxAccount } from '../helpers/sandbox';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo })
    .toString()
    .trim();

test('created by the first reconcile; a resync writes nothing; a queue attribute changed by hand is put back and counted', async () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-events-run-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'cluster.yaml'), 'name: demo\nregion: us-east-1\nevents:\n  queue: create\n');
  writeFileSync(
    path.join(repo, 'web.taskdef'),
    JSON.stringify({ containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memoryReservation: 64 }] }),
  );
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');

  const acct = newSandboxAccount();
  const metrics = new ControllerMetrics();
  const controller = new Controller({
    source: createGitSource({ repo, cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')) }),
    paths: ['.'],
    env: {},
    portsFor: () =>
      Promise.resolve({
        ecs: acct.ecs,
        reader: new EcsReader(acct.ecs),
        sqs: acct.sqs,
        eventBridge: acct.eventBridge,
      }),
    clock: acct.clock,
    status: new StatusStore(),
    metrics,
    log: createLogger({ level: 'silent' }),
  });
  const writes = () =>
    Object.fromEntries(
      Object.entries(acct.ecs.callLog.mutating()).filter(([op]) => /^(SQS|EventBridge)\./.test(op)),
    );
  try {
    await controller.sourceChanged();
    await controller.idle();
    expect(writes()).toEqual({ 'EventBridge.PutRule': 1, 'EventBridge.PutTargets': 1, 'SQS.CreateQueue': 2 });

    acct.ecs.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(acct.ecs.callLog.mutating()).toEqual({});

    const url = (await acct.sqs.getQueueUrl({ QueueName: 'ecs-gitops-demo-events' })).QueueUrl;
    await acct.sqs.setQueueAttributes({ QueueUrl: url, Attributes: { SqsManagedSseEnabled: 'false' } });
    acct.ecs.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(acct.ecs.callLog.mutating()).toEqual({ 'SQS.SetQueueAttributes': 1 });
    const attributes = await acct.sqs.getQueueAttributes({ QueueUrl: url, AttributeNames: ['All'] });
    expect(attributes.Attributes?.SqsManagedSseEnabled).toBe('true');
    expect(await metrics.text()).toMatch(
      /ecs_gitops_drift_detected_total\{cluster="demo",kind="eventQueue"\} 1/,
    );
  } finally {
    await controller.stop();
  }
});
