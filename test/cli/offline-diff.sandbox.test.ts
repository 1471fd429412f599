/**
 * `diff --base`: two commits of a temporary repository compared with no AWS at all (no credentials,
 * no Region, every endpoint a closed port), as a pull request from a fork would be.
 */
import { planSchemaValidator } from '../helpers/plan-schema';
import { createServer } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onAwsContextCreated } from '../../controller/cli/aws-context';
import { commitAll, newRepo, writeFiles } from '../helpers/git-repo';
import { json, runCli, type CliRun } from '../helpers/run-cli';

const CLUSTER = 'name: demo\nregion: eu-west-1\n';
const taskdef = (image: string, extra = '') =>
  `{ "containerDefinitions": [{ "name": "app", "image": "${image}", "memory": 64${extra} }] }\n`;
const AUTOCREATE = ', "dockerLabels": { "AUTOCREATE.SERVICE": "true" }';

/** A port nothing listens on: any AWS call would fail with ECONNREFUSED. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

let noAws: Record<string, string | undefined>;
let contexts = 0;
let stopWatching: () => void;
beforeAll(async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  noAws = {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: endpoint,
    ECS_GITOPS_ENDPOINT: endpoint,
    ECS_GITOPS_LOG_LEVEL: 'warn',
    NO_COLOR: undefined,
  };
  stopWatching = onAwsContextCreated(() => contexts++);
});
afterAll(() => stopWatching());

let repo: string;
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function diff(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const run = await runCli(['diff', ...args], { ...noAws, ...env });
  // Not one AWS context (the only thing that builds SDK clients) in any offline run.
  expect(contexts).toBe(0);
  return run;
}

/** The plan's actions as `kind id`, without the unchanged ones. */
function kinds(run: CliRun): string[] {
  return json(run)
    .clusters.flatMap((c: any) => c.actions)
    .filter((a: any) => a.kind !== 'unchanged')
    .map((a: any) => `${a.kind} ${a.id}`);
}

describe('between two commits', () => {
  let base: string;
  let head: string;
  beforeEach(() => {
    repo = newRepo();
    writeFiles(repo, {
      'prod/cluster.yaml': CLUSTER,
      'prod/web.taskdef': taskdef('web:1', AUTOCREATE),
      'prod/worker.taskdef': taskdef('worker:1', AUTOCREATE),
    });
    base = commitAll(repo, 'base');
    writeFiles(repo, {
      // An image changed, a service added, a task definition renamed.
      'prod/web.taskdef': taskdef('web:2', AUTOCREATE),
      'prod/api.taskdef': taskdef('api:1', AUTOCREATE),
      'prod/worker.taskdef': undefined,
      'prod/jobs.taskdef': taskdef('worker:1', AUTOCREATE),
    });
    head = commitAll(repo, 'head');
    // The working tree is neither: --head must not read it.
    writeFiles(repo, { 'prod/web.taskdef': taskdef('web:3', AUTOCREATE) });
  });

  test('shows each change as apply would make it, exit 2', async () => {
    const run = await diff(['--base', base, '--head', head, '-o', 'json', path.join(repo, 'prod')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    // The offline document is the plan document plus `offline`, every field described by the schema.
    const validate = planSchemaValidator({ closed: true });
    expect(validate(JSON.parse(run.stdout)) ? [] : validate.errors).toEqual([]);
    expect(kinds(run)).toEqual([
      'create taskDefinition/demo-api',
      'create taskDefinition/demo-jobs',
      'update taskDefinition/demo-web',
      'create service/api',
      'create service/jobs',
      'update service/web',
      'prune service/worker',
    ]);
    const web = json(run).clusters[0].actions.find((a: any) => a.id === 'taskDefinition/demo-web');
    expect(web.changes).toEqual([
      { path: 'containerDefinitions[app].image', before: 'web:1', after: 'web:2' },
    ]);
    expect(json(run).offline).toEqual({
      base: { ref: base, commit: base },
      head: { ref: head, commit: head },
      notes: [],
    });
  });

  test('the text header names both sides; the default head is the working tree', async () => {
    const text = await diff(['--base', 'HEAD~1', path.join(repo, 'prod')]);
    expect(text.code).toBe(2);
    expect(text.stdout.split('\n')[0]).toBe(`offline: HEAD~1 (${base.slice(0, 7)})...working tree`);
    expect(text.stdout).toContain('+   containerDefinitions[app].image: "web:3"');
    const committed = await diff(['--base', 'HEAD~1', '--head', 'main', path.join(repo, 'prod')]);
    expect(committed.stdout.split('\n')[0]).toBe(
      `offline: HEAD~1 (${base.slice(0, 7)})...main (${head.slice(0, 7)})`,
    );
    expect(committed.stdout).toContain('+   containerDefinitions[app].image: "web:2"');
  });

  test('paths in the plan are the ones given, relative to the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      const run = await diff(['--base', base, '--head', head, '-o', 'json', 'prod']);
      const sources = json(run).clusters[0].actions.map((a: any) => a.source?.file);
      expect(sources).toContain('prod/api.taskdef');
      expect(sources.every((f: string | undefined) => f === undefined || f.startsWith('prod/'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  test('the same commit on both sides: no changes, exit 0', async () => {
    const run = await diff(['--base', head, '--head', head, path.join(repo, 'prod')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Plan for cluster demo: 0 to create, 0 to update, 7 unchanged, 0 conflicts/);
  });

  test('a bad ref, or no repository: exit 1 saying so', async () => {
    const bad = await diff(['--base', 'no-such-ref', path.join(repo, 'prod')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown revision "no-such-ref"/);
    rmSync(path.join(repo, '.git'), { recursive: true, force: true });
    const norepo = await diff(['--base', 'main', path.join(repo, 'prod')]);
    expect(norepo.code).toBe(1);
    expect(norepo.stderr).toMatch(/is not in a git repository/);
  });
});

test('the Region comes from cluster.yaml or --region, never from the environment', async () => {
  repo = newRepo();
  writeFiles(repo, { 'prod/cluster.yaml': 'name: demo\n', 'prod/web.taskdef': taskdef('web:1') });
  commitAll(repo, 'base');
  const dir = path.join(repo, 'prod');
  const missing = await diff(['--base', 'HEAD', dir], { AWS_REGION: 'eu-west-1' });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain(
    `${dir}/cluster.yaml:1:1: region: no region: set \`region\` in cluster.yaml or pass --region`,
  );
  const given = await diff(['--base', 'HEAD', '--region', 'eu-north-1', '-o', 'json', dir]);
  expect(given.code).toBe(0);
  expect(json(given).clusters[0].region).toBe('eu-north-1');
  const noBase = await diff(['--head', 'HEAD', dir]);
  expect(noBase.code).toBe(1);
  expect(noBase.stderr).toContain('--head needs --base');
});

describe('template variables', () => {
  beforeEach(() => {
    repo = newRepo();
    writeFiles(repo, { 'prod/cluster.yaml': CLUSTER, 'prod/api.taskdef': taskdef('api:1') });
    commitAll(repo, 'base');
    writeFiles(repo, {
      'prod/api.service.template':
        '{\n  "taskDefinition": "api",\n  "desiredCount": ${COUNT},\n' +
        '  "tags": [{ "key": "account", "value": "${ACCOUNT_ID}" }]\n}\n',
    });
    commitAll(repo, 'head');
  });

  test('a variable only the live environment has is an error with file, line and field', async () => {
    // COUNT in the environment is not taken: only --var and --var-file count.
    const run = await diff(['--base', 'HEAD~1', '--head', 'HEAD', path.join(repo, 'prod')], { COUNT: '3' });
    expect(run.code).toBe(1);
    const file = path.join(repo, 'prod/api.service.template');
    expect(run.stderr).toContain(`${file}:3:19: desiredCount: undefined variable \${COUNT}: not given`);
    expect(run.stderr).toContain(`${file}:4:42: tags[0].value: undefined variable \${ACCOUNT_ID}`);
    expect(run.stderr).toMatch(/--var ACCOUNT_ID=/);
  });

  test('given with --var-file and --var (which wins), they render as apply would', async () => {
    const varFile = path.join(repo, 'offline.env');
    writeFileSync(varFile, '# for the offline diff\nCOUNT=5\n\nACCOUNT_ID=111122223333\n');
    const run = await diff([
      '--base',
      'HEAD~1',
      '--head',
      'HEAD',
      '--var-file',
      varFile,
      '--var',
      'COUNT=2',
      '-o',
      'json',
      path.join(repo, 'prod'),
    ]);
    expect(run.code).toBe(2);
    const api = json(run).clusters[0].actions.find((a: any) => a.id === 'service/api');
    expect(api.changes).toEqual(expect.arrayContaining([{ path: 'desiredCount', after: 2 }]));
    expect(JSON.stringify(api.changes)).toContain('111122223333');
  });

  test('--var-file works for a live diff too (here on the sandbox account)', async () => {
    const varFile = path.join(repo, 'live.env');
    writeFileSync(varFile, 'COUNT=4\nACCOUNT_ID=ignored-live\n');
    const state = path.join(repo, 'account.json');
    const run = await runCli(
      ['diff', '--sandbox', state, '--var-file', varFile, '-o', 'json', path.join(repo, 'prod')],
      { ...noAws, AWS_REGION: 'eu-west-1' },
    );
    contexts = 0; // a live diff builds its AWS context: not counted against the offline runs
    expect(run.code).toBe(2);
    const api = json(run).clusters[0].actions.find((a: any) => a.id === 'service/api');
    expect(api.changes).toEqual(expect.arrayContaining([{ path: 'desiredCount', after: 4 }]));
  });

  test('a malformed --var-file line is an error naming the line, not its text', async () => {
    const varFile = path.join(repo, 'offline.env');
    writeFileSync(varFile, 'COUNT=2\nDB_PASSWORD: hunter2\n');
    const run = await diff(['--base', 'HEAD~1', '--var-file', varFile, path.join(repo, 'prod')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${varFile}:2: expected NAME=VALUE`);
    expect(run.stderr).not.toContain('hunter2');
  });
});

describe('clusters and redaction', () => {
  test('a cluster directory added is all create; one removed deletes nothing, and says so', async () => {
    repo = newRepo();
    writeFiles(repo, {
      'old/cluster.yaml': 'name: old\nregion: eu-west-1\n',
      'old/web.taskdef': taskdef('web:1', AUTOCREATE),
    });
    commitAll(repo, 'base');
    writeFiles(repo, {
      'old/cluster.yaml': undefined,
      'old/web.taskdef': undefined,
      'new/cluster.yaml': 'name: new\nregion: eu-west-1\n',
      'new/web.taskdef': taskdef('web:1', AUTOCREATE),
    });
    commitAll(repo, 'head');
    const run = await diff(['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'json', repo]);
    expect(run.code).toBe(2);
    expect(kinds(run)).toEqual(['create cluster/new', 'create taskDefinition/new-web', 'create service/web']);
    expect(json(run).offline.notes).toEqual([
      expect.stringMatching(
        /^cluster old \(.*old\) is not in HEAD \([0-9a-f]{7}\): removing its directory deletes nothing/,
      ),
    ]);
  });

  test('a pull request fixing a base that does not load: compared with none of it applied', async () => {
    repo = newRepo();
    writeFiles(repo, { 'prod/cluster.yaml': CLUSTER, 'prod/web.taskdef': '{ "containerDefinitions": [ }\n' });
    commitAll(repo, 'base');
    writeFiles(repo, { 'prod/web.taskdef': taskdef('web:1', AUTOCREATE) });
    commitAll(repo, 'head');
    const run = await diff(['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'json', path.join(repo, 'prod')]);
    expect(run.code).toBe(2);
    expect(kinds(run)).toEqual([
      'create cluster/demo',
      'create taskDefinition/demo-web',
      'create service/web',
    ]);
    expect(json(run).offline.notes).toEqual([
      expect.stringMatching(
        /^HEAD~1 \([0-9a-f]{7}\): .*prod does not load \(1 error\(s\), the first: .*web\.taskdef:1:/,
      ),
    ]);
  });

  test('an exemption the pull request adds does not show the secret in its own diff', async () => {
    repo = newRepo();
    const secretEnv = (v: string) => `, "environment": [{ "name": "DB_PASSWORD", "value": "${v}" }]`;
    writeFiles(repo, {
      'prod/cluster.yaml': `${CLUSTER}redaction:\n  patterns: ["^INTERNAL_"]\n`,
      'prod/web.taskdef': taskdef('web:1', secretEnv('old-pass-1')),
    });
    commitAll(repo, 'base');
    writeFiles(repo, {
      'prod/cluster.yaml': `${CLUSTER}redaction:\n  exempt: [DB_PASSWORD]\n`,
      'prod/web.taskdef': taskdef('web:1', secretEnv('new-pass-2')),
    });
    commitAll(repo, 'head');
    for (const output of ['text', 'json', 'markdown']) {
      const run = await diff(['--base', 'HEAD~1', '--head', 'HEAD', '-o', output, path.join(repo, 'prod')]);
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toMatch(/old-pass-1|new-pass-2/);
      expect(run.stdout).toContain('(sensitive value changed)');
      // Markdown escapes `_` and `~` in notes.
      const shown = output === 'markdown' ? run.stdout.replace(/\\(.)/g, '$1') : run.stdout;
      expect(shown).toContain('redaction.exempt DB_PASSWORD is new in HEAD');
      expect(shown).toContain('redaction patterns of HEAD~1');
    }
  });
});

describe('DNS', () => {
  const dnsCluster = (target: string) => `${CLUSTER}dns:\n  domain: example.com\n  target:\n    ${target}\n`;
  const labelled = (hosts: string) =>
    taskdef(
      'web:1',
      `, "portMappings": [{ "containerPort": 80 }], "dockerLabels": { "AUTOCREATE.SERVICE": "true", "proxy.host": "${hosts}" }`,
    );

  test('records for names added and removed, in the hosted zones the dns section needs', async () => {
    repo = newRepo();
    writeFiles(repo, {
      'prod/cluster.yaml': dnsCluster('addresses: [203.0.113.10]'),
      'prod/web.taskdef': labelled('www shop.other.org'),
    });
    commitAll(repo, 'base');
    writeFiles(repo, { 'prod/web.taskdef': labelled('www api') });
    commitAll(repo, 'head');
    const run = await diff(['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'json', path.join(repo, 'prod')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    // The label is in the task definition: a new revision, and its service moves to it.
    expect(kinds(run)).toEqual([
      'update taskDefinition/demo-web',
      'update service/web',
      'create dnsRecord/api.example.com/A',
      'prune dnsRecord/shop.other.org/A',
    ]);
    const api = json(run).clusters[0].actions.find((a: any) => a.id === 'dnsRecord/api.example.com/A');
    expect(JSON.stringify(api.changes)).toContain('203.0.113.10');
    expect(json(run).offline.notes).toEqual([
      expect.stringMatching(/^DNS: hosted zones assumed to exist .*: example\.com, other\.org;/),
    ]);
  });

  test('a configured dns.zoneId is a zone of that id', async () => {
    repo = newRepo();
    writeFiles(repo, {
      'prod/cluster.yaml': `${dnsCluster('cname: proxy.example.net')}  zoneId: Z0123456789ABC\n`,
      'prod/web.taskdef': labelled('www'),
    });
    commitAll(repo, 'base');
    writeFiles(repo, { 'prod/web.taskdef': labelled('www api') });
    commitAll(repo, 'head');
    const run = await diff(['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'json', path.join(repo, 'prod')]);
    expect(run.stderr).toBe('');
    expect(kinds(run)).toContain('create dnsRecord/api.example.com/CNAME');
    expect(json(run).offline.notes).toEqual([expect.stringContaining('example.com (Z0123456789ABC)')]);
  });

  test('a load balancer target is assumed to exist, and said to be', async () => {
    repo = newRepo();
    writeFiles(repo, {
      'prod/cluster.yaml': dnsCluster('loadBalancer: shop-alb'),
      'prod/web.taskdef': labelled('www'),
    });
    commitAll(repo, 'base');
    writeFiles(repo, { 'prod/web.taskdef': labelled('www api') });
    commitAll(repo, 'head');
    const run = await diff(['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'json', path.join(repo, 'prod')]);
    expect(run.code).toBe(2);
    expect(kinds(run)).toEqual([
      'update taskDefinition/demo-web',
      'update service/web',
      'create dnsRecord/api.example.com/A',
    ]);
    expect(json(run).offline.notes).toContainEqual(
      expect.stringMatching(/load balancer shop-alb is assumed/),
    );
  });
});
