/**
 * The offline diff is the live diff: a change between two commits, planned by `diff --base` with no
 * AWS at all, equals `diff` of the same change against moto after the base was applied there, in the
 * summary and in every field of every action.
 */
import { rmSync } from 'node:fs';
import { commitAll, newRepo, writeFiles } from '../helpers/git-repo';
import { useMoto } from '../helpers/moto';
import { json, runCli } from '../helpers/run-cli';

const moto = useMoto();

const CLUSTER = 'name: shop\nregion: us-east-1\nprune: true\n';
const web = (image: string, logLevel: string) =>
  JSON.stringify({
    containerDefinitions: [
      {
        name: 'web',
        image,
        memory: 128,
        portMappings: [{ containerPort: 80 }],
        environment: [
          { name: 'LOG_LEVEL', value: logLevel },
          { name: 'API_TOKEN', value: `token-${logLevel}` },
        ],
        dockerLabels: { 'AUTOCREATE.SERVICE': 'true' },
      },
    ],
  });
const worker = (image: string) =>
  JSON.stringify({ containerDefinitions: [{ name: 'worker', image, memory: 64 }] });

let repo: string;
afterEach(() => rmSync(repo, { recursive: true, force: true }));

test('diff --base equals the live diff after applying the base', async () => {
  repo = newRepo();
  writeFiles(repo, {
    'shop/cluster.yaml': CLUSTER,
    'shop/web.taskdef': web('nginx:1.25', 'info'),
    'shop/worker.taskdef': worker('busybox:1.36'),
    'shop/worker.service': '{ "taskDefinition": "worker", "desiredCount": 2 }\n',
  });
  commitAll(repo, 'base');
  const cwd = process.cwd();
  process.chdir(repo);
  try {
    const env = { ECS_GITOPS_LOG_LEVEL: 'warn' };
    const applied = await runCli(['apply', 'shop', '--endpoint', moto.endpoint, '-o', 'json'], env);
    expect(json(applied).converged).toBe(true);

    // The change: an image and a secret-looking value, a service added, one renamed (worker -> jobs:
    // the old one waits for its successor to be stable before it is pruned).
    writeFiles(repo, {
      'shop/web.taskdef': web('nginx:1.27', 'debug'),
      'shop/worker.service': undefined,
      'shop/jobs.service': '{ "taskDefinition": "worker", "desiredCount": 3 }\n',
      'shop/cron.taskdef': worker('busybox:1.37'),
      'shop/cron.service': '{ "taskDefinition": "cron" }\n',
    });
    commitAll(repo, 'head');

    const live = await runCli(['diff', 'shop', '--endpoint', moto.endpoint, '-o', 'json'], env);
    // Offline: no endpoint, no credentials, no Region from the environment. The account id (moto's)
    // is given, as ARNs in the plan carry it.
    const args = ['--base', 'HEAD~1', '--var', 'ACCOUNT_ID=123456789012'];
    const offline = await runCli(['diff', ...args, 'shop', '-o', 'json'], {
      ...env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
    });
    expect(live.code).toBe(2);
    expect(offline.code).toBe(live.code);
    expect(offline.stderr).toBe('');

    const { offline: sides, ...offlinePlan } = json(offline);
    expect(sides.base.ref).toBe('HEAD~1');
    expect(offlinePlan).toEqual(json(live));
    // What the comparison covers: every kind of change, and a redacted one.
    const kinds = json(live).clusters[0].actions.map((a: any) => `${a.kind} ${a.id}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'update taskDefinition/shop-web',
        'create taskDefinition/shop-cron',
        'create service/cron',
        'create service/jobs',
        'update service/web',
        'waiting service/worker',
      ]),
    );
    expect(JSON.stringify(json(live))).toContain('(sensitive value changed)');
    expect(json(live).clusters[0].summary).toEqual(offlinePlan.clusters[0].summary);
  } finally {
    process.chdir(cwd);
  }
});
