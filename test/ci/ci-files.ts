/**
 * Reads the CI examples: the GitHub workflows, the GitLab CI file (with `extends:` and `!reference`
 * resolved as GitLab does), and .pre-commit-hooks.yaml; and which ecs-gitops flags each one uses.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { distCli } from '../helpers/dist-cli';
import { ROOT, type ActionFile } from './composite-action';
import { OWN_ACTION } from './pinning';

export const GITHUB_DIR = 'examples/ci/github';
export const GITLAB_FILE = 'examples/ci/gitlab/.gitlab-ci.yml';

export interface WorkflowStep {
  name?: string;
  id?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
  run?: string;
  env?: Record<string, string>;
}

export interface Workflow {
  file: string;
  text: string;
  name: string;
  on: { pull_request?: unknown; push?: unknown };
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { steps: WorkflowStep[] }>;
}

export function workflows(): Workflow[] {
  return fs
    .readdirSync(path.join(ROOT, GITHUB_DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const file = `${GITHUB_DIR}/${f}`;
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      return { file, text, ...(parse(text) as Omit<Workflow, 'file' | 'text'>) };
    });
}

export function steps(w: Workflow): WorkflowStep[] {
  return Object.values(w.jobs).flatMap((j) => j.steps);
}

export function ownActionSteps(w: Workflow): WorkflowStep[] {
  return steps(w).filter((s) => s.uses === OWN_ACTION);
}

export interface GitlabJob {
  name: string;
  image?: string;
  stage?: string;
  rules?: { if?: string; changes?: string[]; when?: string }[];
  interruptible?: boolean;
  resource_group?: string;
  id_tokens?: Record<string, { aud: string }>;
  variables?: Record<string, string>;
  before_script: string[];
  script: string[];
}

// `!reference [job, key]` stays a two-element list; resolved below.
const referenceTag = {
  tag: '!reference',
  collection: 'seq' as const,
  default: false,
  resolve: (s: unknown) => s,
};

export function gitlabCi(): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(ROOT, GITLAB_FILE), 'utf8'), {
    customTags: [referenceTag],
  }) as Record<string, unknown>;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** GitLab's `extends:` merge: maps deep-merged, everything else (lists included) replaced. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(v) && isMap(out[k]) ? merge(out[k], v) : v;
  return out;
}

function resolveExtends(ci: Record<string, unknown>, name: string): Record<string, unknown> {
  const job = ci[name];
  if (!isMap(job)) throw new Error(`${GITLAB_FILE}: no job ${name}`);
  const parents = job.extends === undefined ? [] : ([] as string[]).concat(job.extends as string | string[]);
  const own = { ...job };
  delete own.extends;
  const inherited = parents.reduce<Record<string, unknown>>(
    (acc, p) => merge(acc, resolveExtends(ci, p)),
    {},
  );
  return merge(inherited, own);
}

function resolveLines(ci: Record<string, unknown>, lines: unknown): string[] {
  if (lines === undefined) return [];
  return (lines as unknown[]).flatMap((l) => {
    if (typeof l === 'string') return [l];
    const [job, key] = l as [string, string];
    return resolveLines(ci, resolveExtends(ci, job)[key]);
  });
}

/** The runnable jobs (names not starting with a dot), resolved. */
export function gitlabJobs(): GitlabJob[] {
  const ci = gitlabCi();
  const reserved = new Set(['workflow', 'stages', 'variables', 'default', 'include']);
  return Object.keys(ci)
    .filter((k) => !k.startsWith('.') && !reserved.has(k))
    .map((name) => {
      const job = resolveExtends(ci, name);
      return {
        ...(job as Omit<GitlabJob, 'name' | 'before_script' | 'script'>),
        name,
        before_script: resolveLines(ci, job.before_script),
        script: resolveLines(ci, job.script),
      };
    });
}

/** One ecs-gitops command an example runs: the subcommand and the flags it passes. */
export interface UsedCommand {
  where: string;
  command: string;
  flags: string[];
}

const flagsIn = (words: readonly string[]): string[] => words.filter((w) => /^--[a-z]/.test(w));

/** What a workflow's action steps run: mode, args, and --comment when the action adds it. */
export function workflowCommands(w: Workflow, action: ActionFile): UsedCommand[] {
  return ownActionSteps(w).map((s) => {
    const input = (name: string): string => String(s.with?.[name] ?? action.inputs[name].default ?? '');
    const command = input('mode');
    const comment = input('comment');
    const commenting =
      command === 'diff' && (comment === 'true' || (comment === 'auto' && w.on.pull_request !== undefined));
    const flags = flagsIn(input('args').split(/\s+/));
    return {
      where: `${w.file}: ${s.name ?? command}`,
      command,
      flags: commenting ? [...flags, '--comment'] : flags,
    };
  });
}

/** Every `ecs-gitops <command> ...` line of the GitLab jobs' scripts. */
export function gitlabCommands(jobs: readonly GitlabJob[]): UsedCommand[] {
  return jobs.flatMap((job) =>
    job.script.flatMap((line) => {
      const m = /(?:^|\s)ecs-gitops\s+([a-z]+)([^|&;]*)/.exec(line);
      return m
        ? [{ where: `${GITLAB_FILE}: ${job.name}`, command: m[1], flags: flagsIn(m[2].trim().split(/\s+/)) }]
        : [];
    }),
  );
}

export interface PreCommitHook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files: string;
  pass_filenames: boolean;
}

export function preCommitHooks(): PreCommitHook[] {
  return parse(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as PreCommitHook[];
}

/** The long flags `ecs-gitops <command> --help` lists, from the compiled CLI as users run it. */
export function helpFlags(command: string): string[] {
  const run = spawnSync(process.execPath, [distCli(), command, '--help'], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`ecs-gitops ${command} --help exited ${String(run.status)}: ${run.stderr}`);
  return [...new Set(run.stdout.match(/--[a-z][\w-]*/g) ?? [])];
}
