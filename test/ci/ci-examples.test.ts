/**
 * The CI examples (examples/ci/github, examples/ci/gitlab, .pre-commit-hooks.yaml): what someone who
 * copies them would trip over. Pins, permissions, concurrency, the action's inputs, the flags they
 * pass (against the CLI's own --help), and the GitLab scripts' exit codes, run in bash with a stub.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUPPORTED_NODE_LINES } from '../../controller/cli/node-support';
import { parseSpecFileName } from '../../controller/model/spec-file-name';
import { readAction, ROOT } from './composite-action';
import {
  GITLAB_FILE,
  gitlabCommands,
  gitlabJobs,
  helpFlags,
  ownActionSteps,
  preCommitHooks,
  steps,
  workflowCommands,
  workflows,
  type GitlabJob,
  type UsedCommand,
} from './ci-files';
import { OWN_ACTION, unpinnedUses, usesLines } from './pinning';

const action = readAction();
const all = workflows();
const byFile = (name: string) => {
  const w = all.find((x) => x.file.endsWith(`/${name}`));
  if (!w) throw new Error(`no workflow ${name}`);
  return w;
};
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

describe('the GitHub workflows', () => {
  it('are the pull-request plan (live and offline) and the apply on main, each on the action', () => {
    expect(all.map((w) => path.basename(w.file))).toEqual([
      'ecs-gitops-apply.yml',
      'ecs-gitops-diff-offline.yml',
      'ecs-gitops-diff.yml',
    ]);
    for (const w of all)
      expect({ file: w.file, uses: ownActionSteps(w).length }).toEqual({ file: w.file, uses: 1 });
  });

  it('pin every third-party action to a full commit SHA', () => {
    for (const w of all)
      expect({ file: w.file, unpinned: unpinnedUses(w.text) }).toEqual({ file: w.file, unpinned: [] });
    // The same release everywhere: one line to change when Dependabot bumps it.
    const refs = new Map<string, Set<string>>();
    for (const u of all.flatMap((w) => usesLines(w.text)))
      refs.set(u.action, (refs.get(u.action) ?? new Set()).add(u.ref));
    for (const [a, r] of refs) expect({ action: a, refs: r.size }).toEqual({ action: a, refs: 1 });
  });

  it('give the action only inputs it declares, with values it accepts', () => {
    for (const w of all) {
      for (const s of ownActionSteps(w)) {
        const where = `${w.file}: ${s.name ?? ''}`;
        expect({ where, unknown: Object.keys(s.with ?? {}).filter((k) => !(k in action.inputs)) }).toEqual({
          where,
          unknown: [],
        });
        expect(['diff', 'apply', 'validate']).toContain(String(s.with?.mode));
        expect(SUPPORTED_NODE_LINES).toContain(
          Number(s.with?.['node-version'] ?? action.inputs['node-version'].default),
        );
        expect(['auto', 'true', 'false']).toContain(String(s.with?.comment ?? 'auto'));
      }
    }
  });

  it('never splice an expression into a script', () => {
    for (const w of all) {
      for (const s of steps(w).filter((x) => x.run !== undefined)) expect(s.run).not.toContain('${{');
    }
  });

  it('pull requests: a read-only role through OIDC, the sticky comment, superseded runs cancelled', () => {
    const w = byFile('ecs-gitops-diff.yml');
    expect(w.on.pull_request).toBeDefined();
    expect(w.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
    expect(w.concurrency['cancel-in-progress']).toBe(true);
    expect(w.concurrency.group).toContain('${{ github.event.pull_request.number }}');
    const aws = steps(w).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws?.with?.['role-to-assume']).toBe('${{ vars.ECS_GITOPS_DIFF_ROLE_ARN }}');
    const [plan] = ownActionSteps(w);
    expect(steps(w).indexOf(aws!)).toBeLessThan(steps(w).indexOf(plan));
    expect(plan.with).toMatchObject({ mode: 'diff', comment: true });
  });

  it('pull requests from forks: the offline plan from the base commit, no AWS and no id-token', () => {
    const w = byFile('ecs-gitops-diff-offline.yml');
    expect(w.on.pull_request).toBeDefined();
    expect(w.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(w.concurrency['cancel-in-progress']).toBe(true);
    expect(steps(w).filter((s) => s.uses?.startsWith('aws-actions/'))).toEqual([]);
    const [plan] = ownActionSteps(w);
    expect(plan.with?.args).toBe('--base ${{ github.event.pull_request.base.sha }}');
    // The checkout is shallow: the base commit is fetched before the plan reads it.
    const fetch = steps(w).find((s) => s.run?.includes('git fetch'));
    expect(fetch?.env?.BASE_SHA).toBe('${{ github.event.pull_request.base.sha }}');
    expect(fetch?.run).toContain('"$BASE_SHA"');
    expect(steps(w).indexOf(fetch!)).toBeLessThan(steps(w).indexOf(plan));
  });

  it('main: apply --wait with the apply role, one at a time and never cancelled', () => {
    const w = byFile('ecs-gitops-apply.yml');
    expect(w.on.push).toEqual(expect.objectContaining({ branches: ['main'] }));
    expect(w.on.pull_request).toBeUndefined();
    expect(w.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    expect(w.concurrency['cancel-in-progress']).toBe(false);
    const aws = steps(w).find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws?.with?.['role-to-assume']).toBe('${{ vars.ECS_GITOPS_APPLY_ROLE_ARN }}');
    const [apply] = ownActionSteps(w);
    expect(apply.with?.mode).toBe('apply');
    expect(String(apply.with?.args).split(/\s+/)).toContain('--wait');
  });
});

/** Runs a job's script lines in bash -eo pipefail (as GitLab's runner does) with stubs for ecs-gitops and git. */
function runGitlabScript(job: GitlabJob, stubExit: number): { code: number | null; calls: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-gitops-gitlab-'));
  try {
    const record = path.join(dir, 'calls');
    const script = [
      `ecs-gitops() { echo "ecs-gitops $*" >> '${record}'; return ${stubExit}; }`,
      `git() { echo "git $*" >> '${record}'; }`,
      ...job.script,
    ].join('\n');
    const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        ECS_GITOPS_PATH: 'clusters/',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: '0123456789abcdef0123456789abcdef01234567',
      },
    });
    const calls = fs.existsSync(record) ? fs.readFileSync(record, 'utf8').split('\n').filter(Boolean) : [];
    return { code: run.status, calls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the GitLab CI file', () => {
  const jobs = gitlabJobs();
  const job = (name: string): GitlabJob => {
    const j = jobs.find((x) => x.name === name);
    if (!j) throw new Error(`${GITLAB_FILE}: no job ${name}`);
    return j;
  };
  const mergeRequestOnly = (j: GitlabJob) =>
    (j.rules ?? []).every((r) => r.if?.startsWith('$CI_PIPELINE_SOURCE == "merge_request_event"'));

  it('has the live plan, the offline plan and the apply, on Node 24', () => {
    expect(jobs.map((j) => j.name).sort()).toEqual([
      'ecs-gitops apply',
      'ecs-gitops diff',
      'ecs-gitops diff offline',
    ]);
    for (const j of jobs) {
      const line = /^node:(\d+)\b/.exec(j.image ?? '')?.[1];
      expect({ job: j.name, node: Number(line) }).toEqual({ job: j.name, node: 24 });
    }
  });

  it('builds ecs-gitops from its own repository and links the bin package.json declares', () => {
    for (const j of jobs) {
      expect(j.before_script.join('\n')).toContain('npm ci --include=dev');
      expect(j.before_script).toContain(
        `ln -s /opt/ecs-gitops/${pkg.bin['ecs-gitops']} /usr/local/bin/ecs-gitops`,
      );
    }
  });

  it('plans merge requests only, cancelled by a newer push; the live plan with an OIDC role, the offline one without', () => {
    const live = job('ecs-gitops diff');
    const offline = job('ecs-gitops diff offline');
    for (const j of [live, offline]) {
      expect(mergeRequestOnly(j)).toBe(true);
      expect(j.interruptible).toBe(true);
    }
    expect(live.rules?.[0].if).toContain('$ECS_GITOPS_DIFF_ROLE_ARN');
    expect(offline.rules?.[0].if).toContain('$ECS_GITOPS_DIFF_ROLE_ARN == null');
    expect(live.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: 'sts.amazonaws.com' } });
    expect(live.variables?.AWS_ROLE_ARN).toBe('$ECS_GITOPS_DIFF_ROLE_ARN');
    expect(live.before_script).toContain(`printf '%s' "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"`);
    expect(offline.id_tokens).toBeUndefined();
    expect(offline.variables?.AWS_ROLE_ARN).toBeUndefined();
  });

  it('applies the default branch one at a time, never cancelled, with the apply role', () => {
    const apply = job('ecs-gitops apply');
    expect(apply.rules?.map((r) => r.if)).toEqual([
      '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"',
    ]);
    expect(apply.resource_group).toBeDefined();
    expect(apply.interruptible).toBe(false);
    expect(apply.variables?.AWS_ROLE_ARN).toBe('$ECS_GITOPS_APPLY_ROLE_ARN');
  });

  it.each([
    [0, 0],
    [2, 0],
    [1, 1],
  ])('plan jobs: ecs-gitops exit %i ends the job with %i', (exit, expected) => {
    for (const name of ['ecs-gitops diff', 'ecs-gitops diff offline']) {
      const run = runGitlabScript(job(name), exit);
      expect({ name, code: run.code === 0 ? 0 : 1 }).toEqual({ name, code: expected });
      expect(run.calls.filter((c) => c.startsWith('ecs-gitops diff'))).toHaveLength(1);
    }
  });

  it('the offline plan compares against the merge base it fetched', () => {
    const { calls } = runGitlabScript(job('ecs-gitops diff offline'), 0);
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(calls).toEqual([
      `git fetch -q --no-tags --depth=1 origin ${sha}`,
      `ecs-gitops diff clusters/ --base ${sha} --comment`,
    ]);
  });

  it('apply: a failure fails the job', () => {
    expect(runGitlabScript(job('ecs-gitops apply'), 0).code).toBe(0);
    expect(runGitlabScript(job('ecs-gitops apply'), 1).code).not.toBe(0);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const [hook] = preCommitHooks();

  it('runs `ecs-gitops validate` once per commit, from the node package', () => {
    expect(preCommitHooks()).toHaveLength(1);
    expect(hook).toMatchObject({ id: 'ecs-gitops-validate', language: 'node', pass_filenames: false });
    const [bin, command] = hook.entry.split(/\s+/);
    expect(Object.keys(pkg.bin)).toContain(bin);
    expect(command).toBe('validate');
  });

  it('triggers on exactly the files ecs-gitops reads as specs, and cluster.yaml', () => {
    // pre-commit matches `files` with Python's re.search; this pattern means the same in JavaScript.
    const files = new RegExp(hook.files);
    const names = [
      'web.taskdef',
      'clusters/prod/web.taskdef.yaml',
      'api.taskdef.json',
      'web.service',
      'a/web.service.yml',
      'api.service.template',
      'api.service.template.yaml',
      'clusters/prod/cluster.yaml',
      'cluster.yml',
      'README.md',
      'web.taskdef.bak',
      'taskdef',
      'notes/cluster.yaml.orig',
      'mycluster.yaml',
      'package.json',
      '.github/workflows/ci.yml',
    ];
    const expected = names.filter(
      (n) =>
        parseSpecFileName(path.basename(n)) !== undefined ||
        ['cluster.yaml', 'cluster.yml'].includes(path.basename(n)),
    );
    expect(names.filter((n) => files.test(n))).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(9);
  });
});

describe('the flags the examples pass', () => {
  const used: UsedCommand[] = [
    ...all.flatMap((w) => workflowCommands(w, action)),
    ...gitlabCommands(gitlabJobs()),
    ...preCommitHooks().map((h) => ({
      where: '.pre-commit-hooks.yaml',
      command: h.entry.split(/\s+/)[1],
      flags: [],
    })),
  ];

  it('are found in the examples (the extraction works)', () => {
    expect(used.map((u) => u.command).sort()).toEqual([
      'apply',
      'apply',
      'diff',
      'diff',
      'diff',
      'diff',
      'validate',
    ]);
    expect(used.flatMap((u) => u.flags)).toEqual(
      expect.arrayContaining(['--wait', '--timeout', '--comment', '--base']),
    );
  });

  it('exist in the CLI (`ecs-gitops <command> --help`), or are added by another branch of issue 12', () => {
    const help = new Map<string, string[]>();
    for (const u of used) {
      if (!help.has(u.command)) help.set(u.command, helpFlags(u.command));
      const known = help.get(u.command)!;
      expect({ where: u.where, unknown: u.flags.filter((f) => !known.includes(f)) }).toEqual({
        where: u.where,
        unknown: [],
      });
    }
  });

  it('the action in the examples is the one placeholder the headers tell the reader to replace', () => {
    for (const w of all) expect(w.text).toContain('Replace OWNER/ecs-gitops@REF');
    expect(all.flatMap((w) => ownActionSteps(w).map((s) => s.uses))).toEqual(all.map(() => OWN_ACTION));
  });
});
