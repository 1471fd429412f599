/**
 * The controller (`run`) never shows a secret: not in its JSON logs at debug, not in `/status`, not
 * even when AWS rejects a task definition with a message quoting the request's environment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { ManualClock } from '../../controller/aws/clock';
import { errors as sandboxErrors } from '../../controller/aws/sandbox/errors';
import { SandboxEcs } from '../../controller/aws/sandbox/sandbox-ecs';
import { EcsReader } from '../../controller/observe/ecs-reader';
import { Controller } from '../../controller/reconcile/controller';
import { createGitSource } from '../../controller/reconcile/git-source';
import { createLogger } from '../../controller/telemetry/logger';
import { ControllerMetrics } from '../../controller/telemetry/metrics';
import { forgetSecretValues } from '../../controller/telemetry/secret-mask';
import { StatusStore } from '../../controller/telemetry/status';

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo })
    .toString()
    .trim();

function taskDef(password: string, url: string): string {
  return JSON.stringify({
    containerDefinitions: [
      {
        name: 'web',
        image: 'nginx:1.27',
        memoryReservation: 64,
        dockerLabels: { 'AUTOCREATE.SERVICE': '' },
        environment: [
          { name: 'APP_ENV', value: 'demo' },
          { name: 'DB_PASSWORD', value: password },
          { name: 'CACHE', value: `redis://:${url}@cache:6379` },
        ],
      },
    ],
  });
}

test('debug JSON logs and /status: no old or new secret, the failure still reported', async () => {
  const secrets = ['ctl-old-pw-1111', 'ctl-old-url-1111', 'ctl-new-pw-2222', 'ctl-new-url-2222'];
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-secrets-ctl-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n',
  );
  const taskdef = path.join(repo, 'web.taskdef');
  writeFileSync(taskdef, taskDef(secrets[0], secrets[1]));
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');

  let logs = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString('utf8');
      done();
    },
  });
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const sb = new SandboxEcs({ clock });
  const status = new StatusStore();
  const controller = new Controller({
    source: createGitSource({ repo, cacheDir: mkdtempSync(path.join(tmpdir(), 'ecs-gitops-cache-')) }),
    paths: ['.'],
    env: {},
    portsFor: () => Promise.resolve({ ecs: sb, reader: new EcsReader(sb) }),
    clock,
    status,
    metrics: new ControllerMetrics(),
    log: createLogger({ level: 'debug', format: 'json', stream }),
  });
  try {
    forgetSecretValues();
    await controller.sourceChanged();
    await controller.idle();
    expect(status.get('demo')?.state).not.toBe('Stalled');

    // AWS error messages may quote the request; the sandbox's never do, so this one is made to.
    const register = sb.registerTaskDefinition.bind(sb);
    sb.registerTaskDefinition = (input: RegisterTaskDefinitionRequest) =>
      JSON.stringify(input).includes('ctl-new')
        ? Promise.reject(
            sandboxErrors.client(
              `Invalid environment ${JSON.stringify(input.containerDefinitions?.[0]?.environment)}`,
            ),
          )
        : register(input);
    writeFileSync(taskdef, taskDef(secrets[2], secrets[3]));
    git(repo, 'commit', '-q', '-am', 'rotate');
    // A restarted controller knows no value yet: the old ones are only in AWS.
    forgetSecretValues();
    await controller.sourceChanged();
    await controller.idle();

    const doc = JSON.stringify(status.snapshot());
    for (const s of secrets) {
      expect(['logs', s, logs.includes(s)]).toEqual(['logs', s, false]);
      expect(['status', s, doc.includes(s)]).toEqual(['status', s, false]);
    }
    const web = status.get('demo')?.objects.find((o) => o.id === 'taskDefinition/demo-web');
    expect(web).toMatchObject({ state: 'Stalled' });
    expect(web?.reason).toMatch(/ClientException: Invalid environment .*APP_ENV/);
    expect(logs).toMatch(/"errorCode":"ClientException"/);

    // The rejected commit is not retried at the resync: no mutating call.
    sb.callLog.reset();
    controller.resyncAll();
    await controller.idle();
    expect(sb.callLog.mutating()).toEqual({});
  } finally {
    await controller.stop();
    forgetSecretValues();
  }
});
