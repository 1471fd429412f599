/**
 * The ECS event stream end to end: `ecs-gitops run` as a child process against moto, with
 * `events: { queue: create }`. The controller creates its rule and queue, long-polls the queue,
 * serves the view on /v1, reverts drift named by an event long before its resync (1 h here), treats
 * a forged event as a hint (reads, never a write), keeps the newest version of a task, and corrects
 * the view with its full read (`--full-resync 3s`): an entry no event confirmed goes, a task no
 * event announced comes.
 *
 * Where moto differs from AWS (and how the test goes around it):
 * - moto's ECS emits no events at all: the test puts real-shaped ECS events (the documented
 *   examples' structure, test/fixtures/ecs-events/) into the queue with SendMessage, exactly the
 *   body EventBridge delivers. The rule's delivery is covered by test/aws/event-source.moto.test.ts
 *   (moto's PutEvents accepts `aws.ecs`, but the event it delivers has no `account`, which AWS
 *   always sends and our parser requires);
 * - moto delivers to a queue whatever its policy says: the policy is checked on the sandbox;
 * - moto's DescribeTasks has no `version` (the view ranks such a read 0, below any event).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { distCli } from '../helpers/dist-cli';
import { freePort, useMoto } from '../helpers/moto';
import { ec2TaskDef } from '../helpers/sandbox';

const moto = useMoto();
const region = 'us-east-1';
const FIXTURES = path.join(__dirname, '../fixtures/ecs-events');
const QUEUE = 'ecs-gitops-demo-events';
const MUTATING_ECS =
  /ecs_gitops_aws_requests_total\{service="ECS",operation="(Create|Update|Delete|Register|Deregister|Tag|Untag|Put)\w*",code="OK"\} (\d+)/g;

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo });

function newRepo(): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-events-e2e-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(
    path.join(repo, 'cluster.yaml'),
    'name: demo\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\nevents:\n  queue: create\n',
  );
  writeFileSync(
    path.join(repo, 'web.taskdef'),
    JSON.stringify({ containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memoryReservation: 64 }] }),
  );
  writeFileSync(path.join(repo, 'web.service'), '{ "desiredCount": 1 }\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  return repo;
}

function fixture(name: string, patch: (e: any) => void = () => {}): string {
  const event = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
  patch(event);
  return JSON.stringify(event);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Run {
  child: ChildProcess;
  output: string;
  base: string;
  exited: Promise<number | null>;
}

async function startRun(repo: string, endpoint: string): Promise<Run> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      distCli(),
      'run',
      '--repo',
      repo,
      '--port',
      String(port),
      '--resync',
      '1h',
      '--full-resync',
      '3s',
      '--log-format',
      'json',
    ],
    {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: region,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const run: Run = {
    child,
    output: '',
    base: `http://127.0.0.1:${port}`,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (d: Buffer) => (run.output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (run.output += d.toString()));
  await until('the consumer', () =>
    Promise.resolve(run.output.includes('consuming ECS events') ? true : undefined),
  );
  return run;
}

const metrics = (run: Run) => fetch(`${run.base}/metrics`).then((r) => r.text());
const ecsWrites = (text: string) => [...text.matchAll(MUTATING_ECS)].reduce((n, m) => n + Number(m[2]), 0);
const counter = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.split(' ')[1] ?? 0,
  );
const SUCCESS = 'ecs_gitops_reconcile_total{cluster="demo",result="success"}';

/** Waits until no reconcile has finished for 1.5 s. */
async function quiet(run: Run): Promise<void> {
  let last = -1;
  let since = Date.now();
  await until('a quiet controller', async () => {
    const runs = counter(await metrics(run), SUCCESS);
    if (runs !== last) [last, since] = [runs, Date.now()];
    return runs > 0 && Date.now() - since >= 1500 ? true : undefined;
  });
}

const tasks = async (run: Run, query = '') =>
  ((await (await fetch(`${run.base}/v1/tasks${query}`)).json()) as { items: any[] }).items;

test('events revert drift in seconds, forged ones cost reads only, and the full read corrects the view', async () => {
  const cfg = { region, endpoint: moto.endpoint };
  const ecs = new ECSClient(cfg);
  const sqs = new SQSClient(cfg);
  const run = await startRun(newRepo(), moto.endpoint);
  try {
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl;
    const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const desired = async () =>
      (await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))).services?.[0]
        ?.desiredCount;

    // The start settled first (a watcher event may give it a second full run): then only events
    // can make it reconcile before the 1 h resync.
    await quiet(run);
    // Drift, then the event ECS sends for it: reverted within seconds, not at the 1 h resync.
    await ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', desiredCount: 3 }));
    const sent = Date.now();
    await send(fixture('service-action', (e) => (e.detail.eventName = 'SERVICE_DESIRED_COUNT_UPDATED')));
    await until('the revert', async () => ((await desired()) === 1 ? true : undefined));
    expect(Date.now() - sent).toBeLessThan(20_000);
    const afterRevert = await metrics(run);
    expect(afterRevert).toMatch(/ecs_gitops_drift_detected_total\{cluster="demo",kind="service"\} 1/);
    expect(counter(afterRevert, 'ecs_gitops_event_to_reconcile_seconds_count')).toBeGreaterThanOrEqual(1);

    // A forged "deployment failed" naming web, and an event for a service no spec names: each is
    // read through the API (a reconcile runs) and nothing is written.
    const writesBefore = ecsWrites(afterRevert);
    const runsBefore = counter(afterRevert, SUCCESS);
    await send(
      fixture(
        'deployment-failed',
        (e) => (e.resources = ['arn:aws:ecs:us-east-1:123456789012:service/demo/web']),
      ),
    );
    await send(
      fixture(
        'service-action',
        (e) => (e.resources = ['arn:aws:ecs:us-east-1:123456789012:service/demo/ghost']),
      ),
    );
    const afterForged = await until('the hinted reconciles', async () => {
      const text = await metrics(run);
      const runs = counter(text, SUCCESS);
      return runs >= runsBefore + 1 ? text : undefined;
    });
    expect(ecsWrites(afterForged)).toBe(writesBefore);
    expect(await desired()).toBe(1);

    // The view: a task event, its duplicate and an older one; the API serves the newest.
    const taskEvent = (version: number, lastStatus: string) =>
      fixture('task-running', (e) => {
        e.detail.version = version;
        e.detail.lastStatus = lastStatus;
      });
    await send(taskEvent(3, 'RUNNING'));
    await send(taskEvent(3, 'RUNNING'));
    await send(taskEvent(2, 'PENDING'));
    const id = '7d2e41c08f3a4b6e9a1c5d0f2b3e4a5c';
    const seen = await until('the task in the view', async () => {
      const items = await tasks(run, '?service=web');
      const text = await metrics(run);
      return items.length === 1 && counter(text, 'ecs_gitops_events_ignored_total{reason="stale"}') >= 2
        ? items
        : undefined;
    });
    expect(seen[0]).toMatchObject({ id, lastStatus: 'RUNNING', version: 3, service: 'web' });
    const one = await fetch(`${run.base}/v1/tasks/demo/${id}`);
    expect(one.status).toBe(200);
    expect((await fetch(`${run.base}/v1/tasks/demo/0000`)).status).toBe(404);

    // That task does not exist in ECS: the full read (every 3 s here) removes it. A task started
    // without any event reaching the queue (a lost event) appears from the same read.
    const ec2 = new EC2Client(cfg);
    const instance = (
      await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }))
    ).Instances?.[0]?.InstanceId;
    await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'demo',
        instanceIdentityDocument: JSON.stringify({ instanceId: instance, region }),
      }),
    );
    await ecs.send(new RegisterTaskDefinitionCommand(ec2TaskDef('demo-batch')));
    await ecs.send(
      new RunTaskCommand({ cluster: 'demo', taskDefinition: 'demo-batch', startedBy: 'nightly' }),
    );
    await until('the view corrected', async () => {
      const items = await tasks(run);
      return !items.some((t) => t.id === id) && items.some((t) => t.startedBy === 'nightly')
        ? true
        : undefined;
    });
    const fixed = await metrics(run);
    expect(
      counter(fixed, 'ecs_gitops_view_resync_fixed_total{cluster="demo",kind="task",change="removed"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      counter(fixed, 'ecs_gitops_view_resync_fixed_total{cluster="demo",kind="task",change="added"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(ecsWrites(fixed)).toBe(writesBefore);
    ec2.destroy();
  } finally {
    run.child.kill('SIGTERM');
    ecs.destroy();
    sqs.destroy();
  }
  expect(await run.exited).toBe(0);
  expect(run.output).not.toMatch(/"level":(50|60)/);
});
