/**
 * Two replicas, one writer: `ecs-gitops run --leader-election` as two processes (the compiled CLI,
 * `npm run build` first) against one moto account, the lease in moto's DynamoDB. Each replica talks
 * to the account through its own logging proxy (test/helpers/write-log-proxy.ts), so the log shows
 * every request in arrival order and who sent it: the account's write log.
 *
 * The lease is 3 s here (renew deadline 2 s, retries every 0.4 s) to keep each scenario short.
 * moto never finishes a deployment, so services stay Reconciling; convergence is read from the
 * revisions and services in the account and the commit /status says was applied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import { systemClock } from '../../controller/aws/clock';
import { SdkLeasePort } from '../../controller/aws/sdk-lease-port';
import type { StatusDocument } from '../../controller/telemetry/status';
import { distCli } from '../helpers/dist-cli';
import { commitAll, newRepo, writeFiles } from '../helpers/git-repo';
import { freePort, useMoto, useMotoClient } from '../helpers/moto';
import { spawnCli } from '../helpers/spawn-cli';
import { startLogProxy, WriteLog, type LoggedRequest, type LogProxy } from '../helpers/write-log-proxy';

const moto = useMoto();
const LEASE_MS = 3000;
const N = 8;
const TABLE = 'leases';

const ecs = useMotoClient(moto, ECSClient);

const proxies: LogProxy[] = [];
const replicas: Replica[] = [];
afterEach(async () => {
  for (const r of replicas.splice(0)) {
    r.child.kill('SIGCONT');
    r.child.kill('SIGKILL');
    await r.exited;
  }
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

/** N services (AUTOCREATE), on image tag `tag`. */
function specs(repo: string, tag: string): void {
  const files: Record<string, string> = {
    'cluster.yaml': 'name: ha\nregion: us-east-1\nserviceDefaults:\n  launchType: EC2\n',
  };
  for (let i = 0; i < N; i++) {
    files[`svc${i}.taskdef`] = JSON.stringify({
      containerDefinitions: [
        {
          name: 'app',
          image: `nginx:${tag}`,
          memoryReservation: 32,
          dockerLabels: { 'AUTOCREATE.SERVICE': '' },
        },
      ],
    });
  }
  writeFiles(repo, files);
}

interface Replica {
  name: string;
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startReplica(name: string, repo: string, log: WriteLog): Promise<Replica> {
  const proxy = await startLogProxy(moto.endpoint, name, log);
  proxies.push(proxy);
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
      '--cache-dir',
      mkdtempSync(path.join(tmpdir(), `ecs-gitops-cache-${name}-`)),
      '--endpoint',
      proxy.endpoint,
      '--leader-election',
      '--lease-table',
      TABLE,
      '--lease-name',
      'ha',
      '--lease-duration',
      `${LEASE_MS / 1000}s`,
      '--log-format',
      'json',
    ],
    {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: proxy.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const r: Replica = {
    name,
    child,
    port,
    output: () => out,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  replicas.push(r);
  return r;
}

async function status(r: Replica): Promise<StatusDocument | undefined> {
  return fetch(`http://127.0.0.1:${r.port}/status`, { signal: AbortSignal.timeout(1000) }).then(
    (res) => res.json() as Promise<StatusDocument>,
    () => undefined,
  );
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > ms) {
      const logs = replicas.map((r) => `--- ${r.name}:\n${r.output().slice(-3000)}`).join('\n');
      throw new Error(`not within ${ms} ms: ${what}\n${logs}`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  return performance.now() - start;
}

const role = async (r: Replica) => (await status(r))?.controller.leadership?.role;
/** The commit the replica last applied to the cluster, as its /status says. */
const applied = async (r: Replica) =>
  (await status(r))?.clusters.find((c) => c.cluster === 'ha')?.lastAppliedCommit;

/** Waits until `r` has applied `commit` (`what`, for the message). */
async function waitApplied(r: Replica, commit: string, what: string): Promise<void> {
  await waitFor(`${r.name} applies ${what}`, async () => (await applied(r)) === commit, 20_000);
}

/** The first round: the cluster, then a revision and a service per service. */
const CREATED = { 'ECS.CreateCluster': 1, 'ECS.CreateService': N, 'ECS.RegisterTaskDefinition': N };
/** A deploy: the revision, the service's spec-hash tag naming it, the update. */
const DEPLOYED = { 'ECS.RegisterTaskDefinition': N, 'ECS.TagResource': N, 'ECS.UpdateService': N };

/** A repository of N services on nginx 1.0, committed (`first`), and an empty write log. */
function eightServices(): { repo: string; first: string; log: WriteLog } {
  const repo = newRepo();
  specs(repo, '1.0');
  return { repo, first: commitAll(repo, 'eight services'), log: new WriteLog() };
}

/** Every service moved to nginx 1.1: the commit. */
function changeImage(repo: string): string {
  specs(repo, '1.1');
  return commitAll(repo, 'nginx 1.1');
}

/** a started first leads and has applied the first commit; b, started next, follows. */
async function aLeadsBFollows(): Promise<{
  repo: string;
  first: string;
  log: WriteLog;
  a: Replica;
  b: Replica;
}> {
  const { repo, first, log } = eightServices();
  const a = await startReplica('a', repo, log);
  await waitFor('a leads', async () => (await role(a)) === 'leader', 20_000);
  const b = await startReplica('b', repo, log);
  await waitFor('b follows', async () => (await role(b)) === 'follower', 20_000);
  await waitApplied(a, first, 'the first commit');
  return { repo, first, log, a, b };
}

/**
 * Sends `signal` to `r` at the first of its requests that `when` picks, as it arrives (before it is
 * forwarded). Returns when that request arrived (performance.now()), 0 until then.
 */
function signalAtRequest(
  log: WriteLog,
  r: Replica,
  signal: NodeJS.Signals,
  when: (req: LoggedRequest) => boolean,
): () => number {
  let at = 0;
  log.onRequest = (req) => {
    if (at === 0 && req.who === r.name && when(req)) {
      r.child.kill(signal);
      at = req.at;
    }
  };
  return () => at;
}

/** An empty commit, applied by `leader`: no replica writes anything. */
async function noopRound(repo: string, log: WriteLog, leader: Replica): Promise<void> {
  const noop = commitAll(repo, 'nothing changes');
  const mark = log.requests.length;
  await waitApplied(leader, noop, 'the empty commit');
  expect(log.writes().filter((w) => w.seq >= mark)).toEqual([]);
}

/** The services of the cluster, the revisions they run, and every revision of the families. */
async function account(): Promise<{ services: number; running: string[]; revisions: string[] }> {
  const arns =
    (await ecs().send(new ListServicesCommand({ cluster: 'ha', maxResults: 100 }))).serviceArns ?? [];
  const described = await ecs().send(new DescribeServicesCommand({ cluster: 'ha', services: arns }));
  // familyPrefix is a whole family name, despite its name.
  const revisions: string[] = [];
  for (let i = 0; i < N; i++) {
    const page = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: `ha-svc${i}` }));
    revisions.push(...(page.taskDefinitionArns ?? []));
  }
  const last = (arn: string | undefined) => arn?.split('/').pop() ?? '';
  return {
    services: arns.length,
    running: (described.services ?? []).map((s) => last(s.taskDefinition)).sort(),
    revisions: revisions.map(last).sort(),
  };
}

function revisionsUpTo(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < N; i++) for (let r = 1; r <= n; r++) out.push(`ha-svc${i}:${r}`);
  return out.sort();
}

/** Every service on revision `n` of its family. */
function runningRevision(n: number): string[] {
  return Array.from({ length: N }, (_, i) => `ha-svc${i}:${n}`).sort();
}

/** The account holds the N services, each on revision `n`, and revisions 1 to `n` of each family only. */
async function expectAccountAt(n: number): Promise<void> {
  expect(await account()).toEqual({ services: N, running: runningRevision(n), revisions: revisionsUpTo(n) });
}

test('the DynamoDB lease on moto: table created once, conditional writes answer ConditionalCheckFailedException', async () => {
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: moto.endpoint });
  const port = new SdkLeasePort(client, TABLE, systemClock);
  try {
    expect(await port.ensureTable()).toBe(true);
    expect(await port.ensureTable()).toBe(false);
    const record = {
      name: 'ha',
      holder: 'a',
      version: 'v1',
      durationMs: 15_000,
      transitions: 0,
      acquiredAt: '2026-01-01T00:00:00.000Z',
      renewedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(await port.put(record)).toBe('ok');
    // moto answers a failed condition as DynamoDB does: ConditionalCheckFailedException.
    await expect(
      client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { LeaseName: { S: 'ha' }, holder: { S: 'b' } },
          ConditionExpression: 'attribute_not_exists(LeaseName)',
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(await port.put({ ...record, holder: 'b' })).toBe('conflict');
    expect(await port.put({ ...record, version: 'v2' }, { holder: 'a' })).toBe('ok');
    // A takeover of the version watched fails once the holder renewed.
    expect(await port.put({ ...record, holder: 'b', version: 'v3' }, { holder: 'a', version: 'v1' })).toBe(
      'conflict',
    );
    expect(await port.put({ ...record, holder: 'b', version: 'v3' }, { holder: 'a', version: 'v2' })).toBe(
      'ok',
    );
    expect(await port.get('ha')).toMatchObject({ holder: 'b', version: 'v3' });
    expect(await port.delete('ha', 'a')).toBe('conflict');
    expect(await port.delete('ha', 'b')).toBe('ok');
    expect(await port.get('ha')).toBeUndefined();
  } finally {
    client.destroy();
  }
});

test('SIGTERM hands over at once: the follower leads at its next read, not after a lease; then a no-op round and a change', async () => {
  const { repo, first, log, a, b } = await aLeadsBFollows();
  expect(log.counts('a')).toEqual(CREATED);
  // The follower is shown as one, by /status and by `ecs-gitops status`.
  const shown = await spawnCli(['status', '--url', `http://127.0.0.1:${b.port}`], {
    ...process.env,
  } as Record<string, string>);
  expect(shown.stdout).toMatch(/^leader election: follower \(lease ha, this replica .+, leader .+\)$/m);
  expect(shown.stdout).toContain('no clusters: a follower reconciles nothing');
  // Ready (standing by, the lease read), no cluster not Ready: exit 0.
  expect(shown.code).toBe(0);
  const metricsB = await fetch(`http://127.0.0.1:${b.port}/metrics`).then((r) => r.text());
  expect(metricsB).toMatch(/^ecs_gitops_leader 0$/m);

  const before = log.requests.length;
  a.child.kill('SIGTERM');
  const stoppedAt = performance.now();
  const took = await waitFor('b leads', async () => (await role(b)) === 'leader', 10_000);
  expect(await a.exited).toBe(0);
  expect(a.output()).toContain('lease released');
  // Released, not expired: b's next read (every 0.4 s) finds no lease; an expiry would take 3 s.
  expect(took).toBeLessThan(LEASE_MS / 2);
  expect(performance.now() - stoppedAt).toBeLessThan(LEASE_MS + 2000);
  // b's first round finds everything in place: no write.
  await waitApplied(b, first, 'the commit');
  expect(log.counts('b', before)).toEqual({});
  expect(log.counts('a', before)).toEqual({});

  // A change: one revision and one update per service, by b alone; the round after writes nothing.
  const second = changeImage(repo);
  const mark = log.requests.length;
  await waitApplied(b, second, 'the change');
  expect(log.counts('b', mark)).toEqual(DEPLOYED);
  await noopRound(repo, log, b);
  expect(log.writerRuns()).toEqual(['a', 'b']);
  await expectAccountAt(2);
  expect(await fetch(`http://127.0.0.1:${b.port}/metrics`).then((r) => r.text())).toMatch(
    /^ecs_gitops_leader_transitions_total\{role="leader"\} 1$/m,
  );
}, 60_000);

test('kill -9 of the leader mid-reconcile: the follower takes over within one lease and finishes, no duplicate', async () => {
  const { repo, log, a, b } = await aLeadsBFollows();

  // A change, and a dies at its first UpdateService, once it has registered the new revisions (that
  // write, and those sent with it, reach the account).
  const mark = log.requests.length;
  const killedAt = signalAtRequest(log, a, 'SIGKILL', (r) => r.operation === 'ECS.UpdateService');
  const second = changeImage(repo);
  await waitFor('a is killed', () => killedAt() > 0, 20_000);
  await waitFor('b leads', async () => (await role(b)) === 'leader', 10_000);
  // One lease after the last renew b saw, plus its read period and our polling.
  expect(performance.now() - killedAt()).toBeLessThan(LEASE_MS + 1500);
  await waitApplied(b, second, 'the change');
  const bWrites = log.counts('b', mark);
  const aWrites = log.counts('a', mark);
  // a died in the middle: it registered the revisions, and updated some services at most.
  expect(aWrites['ECS.RegisterTaskDefinition']).toBe(N);
  expect(aWrites['ECS.UpdateService']).toBeLessThan(N);
  // Between them, every service got its new revision once: b adopted what a had registered.
  expect((aWrites['ECS.RegisterTaskDefinition'] ?? 0) + (bWrites['ECS.RegisterTaskDefinition'] ?? 0)).toBe(N);
  expect((aWrites['ECS.UpdateService'] ?? 0) + (bWrites['ECS.UpdateService'] ?? 0)).toBe(N);
  expect(log.writerRuns()).toEqual(['a', 'b']);
  await expectAccountAt(2);
  await noopRound(repo, log, b);
}, 60_000);

test('a leader paused (SIGSTOP) past its lease makes no write after resuming; the follower took over', async () => {
  const { repo, log, a, b } = await aLeadsBFollows();

  // a stands still at its second write of the change, in the middle of the reconcile.
  const mark = log.requests.length;
  const pausedAt = signalAtRequest(
    log,
    a,
    'SIGSTOP',
    (r) => r.mutating && log.writes('a').filter((w) => w.seq >= mark).length === 2,
  );
  const second = changeImage(repo);
  await waitFor('a is paused', () => pausedAt() > 0, 20_000);
  await waitFor('b leads', async () => (await role(b)) === 'leader', 10_000);
  await waitApplied(b, second, 'the change');
  await waitFor(
    'a has been paused well past its lease',
    () => performance.now() - pausedAt() > LEASE_MS + 1000,
    10_000,
  );

  const resumedAt = performance.now();
  a.child.kill('SIGCONT');
  // a finds its lease gone (the fence on its next write, the renew deadline, or the renew itself).
  await waitFor('a follows again', async () => (await role(a)) === 'follower', 10_000);
  await new Promise((res) => setTimeout(res, 1000));
  expect(log.writes('a').filter((w) => w.at > resumedAt)).toEqual([]);
  expect(log.writerRuns()).toEqual(['a', 'b']);
  expect(a.output()).toMatch(/no longer leader: /);
  await expectAccountAt(2);
  const bCounts = log.counts('b', mark);
  expect(bCounts['ECS.UpdateService']).toBe(N - (log.counts('a', mark)['ECS.UpdateService'] ?? 0));
  await noopRound(repo, log, b);
}, 60_000);

test('a leader cut off the network stops at its renew deadline; the follower takes over within one lease', async () => {
  const { repo, log, a, b } = await aLeadsBFollows();

  log.cut.add('a');
  const cutAt = performance.now();
  await waitFor('b leads', async () => (await role(b)) === 'leader', 10_000);
  // The last renew b saw was at most a retry period (0.4 s) before the cut.
  expect(performance.now() - cutAt).toBeLessThan(LEASE_MS + 1500);
  // a knew before b took over: its renew deadline (2 s) comes before the lease (3 s) ends.
  expect(a.output()).toMatch(/no longer leader: not renewed within the renew deadline \(2 s\)/);
  expect(await role(a)).toBe('follower');

  const second = changeImage(repo);
  const mark = log.requests.length;
  await waitApplied(b, second, 'the change');
  log.cut.delete('a');
  await waitFor(
    'a sees b holding the lease',
    async () => {
      const l = (await status(a))?.controller.leadership;
      return l?.holder !== undefined && l.holder !== l.identity;
    },
    5_000,
  );
  await new Promise((res) => setTimeout(res, 1000));
  // a wrote nothing after the cut, not even a refused attempt; b did the change alone.
  expect(log.requests.filter((r) => r.who === 'a' && r.mutating && r.at > cutAt)).toEqual([]);
  expect(log.counts('b', mark)).toEqual(DEPLOYED);
  expect(log.writerRuns()).toEqual(['a', 'b']);
  await expectAccountAt(2);
}, 60_000);

/**
 * Repositories a leader cannot read: what `--repo` is made of (a directory that does not exist),
 * and what its step-down says.
 */
const UNREADABLE: [string, (missing: string) => string, RegExp][] = [
  // The work is not even built: the watcher of a local checkout finds no .git (work-terms.ts startTerm).
  [
    'is no git repository',
    (missing) => missing,
    /the controller did not start: Error: [^"]*not a git repository/,
  ],
  // The work is built (a URL is polled, not watched), but the term's first fetch fails.
  [
    'is a URL that cannot be fetched',
    (missing) => pathToFileURL(missing).href,
    /the controller did not start: Error: the first sync of the repository failed: /,
  ],
];

test.each(UNREADABLE)(
  'a leader whose repository %s steps down at once: it writes nothing, the healthy replica leads within a lease and converges',
  async (_what, repoFrom, why) => {
    const { repo, first, log } = eightServices();
    // A lease of a replica that is gone, long enough that neither replica takes it by expiry here.
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: moto.endpoint });
    const leases = new SdkLeasePort(client, TABLE, systemClock);
    try {
      await leases.ensureTable();
      const gone = {
        name: 'ha',
        holder: 'gone',
        version: 'v1',
        durationMs: 60_000,
        transitions: 0,
        acquiredAt: '2026-01-01T00:00:00.000Z',
        renewedAt: '2026-01-01T00:00:00.000Z',
      };
      expect(await leases.put(gone)).toBe('ok');
      // a's --repo cannot be read: the CLI takes it, and a's term fails when it begins.
      const missing = path.join(mkdtempSync(path.join(tmpdir(), 'ecs-gitops-gone-')), 'no-such-repo');
      const [a, b] = await Promise.all([
        startReplica('a', repoFrom(missing), log),
        startReplica('b', repo, log),
      ]);
      const follows = async (r: Replica) => {
        const l = (await status(r))?.controller.leadership;
        return l?.role === 'follower' && l.holder === 'gone';
      };
      await waitFor(
        'a and b follow the gone replica',
        async () => (await follows(a)) && (await follows(b)),
        20_000,
      );
      const aId = (await status(a))!.controller.leadership!.identity;
      const bId = (await status(b))!.controller.leadership!.identity;

      // The lease goes to a, as if a had won the race: a finds its own name on it at its next read and
      // takes it; b sees a new version and waits.
      expect(await leases.put({ ...gone, holder: aId, version: 'v2', durationMs: LEASE_MS }, gone)).toBe(
        'ok',
      );
      const handedAt = performance.now();
      await waitFor('a leads', () => a.output().includes('"msg":"became leader"'), 5_000);
      await waitFor('b leads', async () => (await role(b)) === 'leader', LEASE_MS + 3000);
      const took = performance.now() - handedAt;
      // a stepped down: its term did not start, it gave the lease back (a conditional delete that
      // found it still a's), and b took the absent lease at its next read: before a lease could expire.
      expect(a.output()).toMatch(new RegExp(`"msg":"no longer leader: ${why.source}`));
      expect(a.output()).toMatch(/"result":"ok","msg":"lease released"/);
      expect(took).toBeLessThan(LEASE_MS);
      expect(await leases.get('ha')).toMatchObject({ holder: bId, transitions: 0 });

      await waitApplied(b, first, 'the first commit');
      expect(log.counts('b')).toEqual(CREATED);
      await expectAccountAt(1);

      // A no-op round: nothing written by anyone. By then a's back-off (a lease) is over: it follows b.
      await noopRound(repo, log, b);
      await waitFor('a is past its back-off', () => performance.now() - handedAt > LEASE_MS + 1000, 10_000);
      expect((await status(a))?.controller.leadership).toMatchObject({ role: 'follower', holder: bId });
      // The account's log holds no write of a, sent or dropped: its term never started.
      expect(log.requests.filter((r) => r.who === 'a' && r.mutating)).toEqual([]);
      expect(log.writerRuns()).toEqual(['b']);
      expect(await fetch(`http://127.0.0.1:${a.port}/metrics`).then((r) => r.text())).toMatch(
        /^ecs_gitops_leader_transitions_total\{role="leader"\} 1$/m,
      );
    } finally {
      client.destroy();
    }
  },
  60_000,
);
