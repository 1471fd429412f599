/**
 * `diff --base REF [--head REF]`: the desired state of two commits compared with no AWS access and
 * no credentials. Both sides load as `apply` would load them, from git objects (the head from the
 * working tree unless --head is given). The base is applied to a fresh in-memory account
 * (reconcile/offline-account.ts) and the head planned against it by the normal planner: the plan is
 * what a live `diff` would show once the base was applied.
 */
import type { DesiredState } from '../model/desired';
import { formatSpecError, type SpecError } from '../model/source';
import { redactCredentialsInText, type RedactionConfig } from '../model/secret-detection';
import { formatPlanError, planToJson, renderPlanText } from '../plan';
import { planConflicts, planHasChanges, type Plan } from '../plan/plan-types';
import type { OfflineContext } from '../plan/render-text';
import { gitRoot, readCommitTree, resolveCommit, type ResolvedCommit } from '../reconcile/git-objects';
import {
  accountPorts,
  applyBaseline,
  offlineAccount,
  seedDns,
  seedLoadBalancers,
  type OfflineAccount,
} from '../reconcile/offline-account';
import { planDesiredState } from '../reconcile/reconcile-cluster';
import {
  clusterIdentity,
  diskFiles,
  discoverClusterDirs,
  loadClusterDir,
  OFFLINE_ACCOUNT_ID,
  ownerClashes,
  type SpecFileSource,
} from '../specfiles';
import type { ClusterTarget, DirFailure } from './cluster-targets';
import { cliLogger, writeDiagnostics } from './common';
import { defaultPlanCommentDeps, postPlanComment } from './pr-comment/post-plan-comment';
import { checkCommentOptions } from './pr-comment/sticky-comment';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes';
import { formatErrors, formatWarnings, parseVars, type SpecOptions } from './load-specs';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { readVarFile } from './var-file';
import { markdownPlan, parseMaxLength } from './diff-markdown';

export interface OfflineDiffOptions extends SpecOptions {
  base: string;
  head?: string;
  varFile?: string;
  region?: string;
  sandbox?: string | boolean;
  output: string;
  color: boolean;
  showUnchanged?: boolean;
  maxLength?: string;
  comment?: boolean;
  commentId?: string;
}

interface Side {
  label: string;
  files: SpecFileSource;
  targets: ClusterTarget[];
  failures: DirFailure[];
}

export async function runOfflineDiff(dirs: readonly string[], opts: OfflineDiffOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json', 'markdown']);
  if (opts.sandbox !== undefined && opts.sandbox !== false) {
    throw new Error('--base compares two commits without any account: leave out --sandbox');
  }
  const out = stdoutOutput(!opts.color);
  const maxLength = parseMaxLength(opts.maxLength, format);
  checkCommentOptions(opts);
  // Only what is given: a diff of a pull request must not depend on the shell that ran it.
  const vars = { ...(opts.varFile ? readVarFile(opts.varFile) : {}), ...parseVars(opts.var) };
  const paths = dirs.length > 0 ? [...dirs] : ['.'];
  const root = await gitRoot(paths[0]);
  const base = await resolveCommit(root, opts.base);
  const head = opts.head !== undefined ? await resolveCommit(root, opts.head) : undefined;
  const extraFiles = opts.config ? [opts.config] : [];
  const baseSide = await loadSide(
    commitLabel(base),
    await readCommitTree(root, base, { extraFiles }),
    paths,
    opts,
    vars,
    false,
  );
  const headSide = await loadSide(
    head ? commitLabel(head) : 'working tree',
    head ? await readCommitTree(root, head, { extraFiles }) : diskFiles,
    paths,
    opts,
    vars,
    true,
  );
  const notes = baseFailureNotes(baseSide);
  const accounts = await baseline(baseSide, headSide, vars.ACCOUNT_ID ?? OFFLINE_ACCOUNT_ID, notes);
  notes.push(...removedClusters(baseSide, headSide));
  notes.push(...guardRedaction(baseSide, headSide));

  for (const f of headSide.failures) writeDiagnostics(formatErrors(f.errors));
  const { plans, planFailures } = await planHead(headSide, accounts);
  if (vars.ACCOUNT_ID === undefined && plans.some((p) => mentionsAccount(p, OFFLINE_ACCOUNT_ID))) {
    notes.push(
      `ARNs show the account id ${OFFLINE_ACCOUNT_ID}: an offline diff does not know the account (--var ACCOUNT_ID=... gives it)`,
    );
  }
  if (format !== 'text') {
    for (const p of plans) for (const e of p.errors) writeDiagnostics(`error: ${formatPlanError(e)}\n`);
  }
  const failed = headSide.failures.length + planFailures.length;
  const offline: OfflineContext = { base: baseSide.label, head: headSide.label, notes };
  if (format === 'json') {
    out.write(
      toJsonText({
        ...planToJson(plans),
        offline: { base: commitJson(base), head: head ? commitJson(head) : null, notes },
        errors: [...headSide.failures, ...planFailures],
      }),
    );
  } else if (format === 'markdown' || plans.length > 0 || failed === 0) {
    // As a live diff: when every directory failed, the errors above are the whole story (but a
    // pull-request comment is never empty).
    out.write(
      format === 'markdown'
        ? await markdownPlan(plans, {
            offline,
            ...(maxLength !== undefined ? { maxLength } : {}),
            specFailures: headSide.failures,
            awsFailures: planFailures,
          })
        : renderPlanText(plans, { color: out.color, showUnchanged: opts.showUnchanged === true, offline }),
    );
  }
  const exitCode =
    failed > 0 || plans.some((p) => p.errors.length > 0 || planConflicts(p).length > 0)
      ? EXIT_ERROR
      : plans.some(planHasChanges)
        ? EXIT_CHANGES
        : EXIT_OK;
  if (!opts.comment) return exitCode;
  // The same sticky comment as a live diff; the errors go in its error block.
  const errorLines = [
    ...headSide.failures.flatMap((f) => formatErrors(f.errors).split('\n').filter(Boolean)),
    ...planFailures.map((f) => `error: ${f.dir}: ${f.message}`),
  ];
  return postPlanComment(
    {
      dirs: paths,
      plans,
      errorLines,
      exitCode,
      offline,
      ...(opts.commentId ? { commentId: opts.commentId } : {}),
      renderPlan: (max, fullPlanHint) => markdownPlan(plans, { offline, maxLength: max, fullPlanHint }),
    },
    defaultPlanCommentDeps(cliLogger()),
  );
}

interface PlanFailure {
  dir: string;
  cluster: string;
  code: string;
  message: string;
}

/** The head's plans against the accounts the base was applied to. */
async function planHead(
  headSide: Side,
  accounts: Map<string, OfflineAccount>,
): Promise<{ plans: Plan[]; planFailures: PlanFailure[] }> {
  const plans: Plan[] = [];
  const planFailures: PlanFailure[] = [];
  for (const t of headSide.targets) {
    try {
      plans.push(await planDesiredState(t.state, accountPorts(accounts.get(t.region)!.sandbox)));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      writeDiagnostics(`error: ${t.dir}: ${message}\n`);
      planFailures.push({ dir: t.dir, cluster: t.state.cluster.name, code: 'OfflinePlanError', message });
    }
  }
  return { plans, planFailures };
}

/** A base directory that does not load: the head is compared with nothing of it applied. */
function baseFailureNotes(baseSide: Side): string[] {
  return baseSide.failures.map((f) => {
    const first = f.errors[0] ? `, the first: ${formatSpecError(f.errors[0])}` : '';
    return redactCredentialsInText(
      `${baseSide.label}: ${f.dir} does not load (${f.errors.length} error(s)${first}); ` +
        'the head is compared with none of it applied',
    );
  });
}

function mentionsAccount(plan: Plan, accountId: string): boolean {
  return plan.actions.some((a) => JSON.stringify(a.changes).includes(`:${accountId}:`));
}

function commitLabel(c: ResolvedCommit): string {
  return `${c.ref} (${c.commit.slice(0, 7)})`;
}

function commitJson(c: ResolvedCommit): { ref: string; commit: string } {
  return { ref: c.ref, commit: c.commit };
}

const UNDEFINED_VARIABLE = /^undefined variable \$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** The cluster directories of one side, loaded as apply loads them, from `files`. */
async function loadSide(
  label: string,
  files: SpecFileSource,
  paths: string[],
  opts: OfflineDiffOptions,
  vars: Record<string, string>,
  warn: boolean,
): Promise<Side> {
  const dirs = discoverClusterDirs(paths, files);
  if ((opts.cluster || opts.config) && dirs.length > 1) {
    throw new Error(
      `--cluster and --config name one cluster, but ${label} has ${dirs.length} cluster directories`,
    );
  }
  const clusterOpts = {
    clusterName: opts.cluster,
    prefix: opts.prefix,
    ...(opts.config ? { configFile: opts.config } : {}),
    region: opts.region,
    files,
  };
  const side: Side = { label, files, targets: [], failures: [] };
  const loaded: { dir: string; region?: string }[] = [];
  for (const dir of dirs) {
    const result = await loadClusterDir(dir, {
      ...clusterOpts,
      env: vars,
      accountId: () =>
        vars.ACCOUNT_ID !== undefined
          ? Promise.resolve(vars.ACCOUNT_ID)
          : Promise.reject(
              new Error('only the live account knows it; an offline diff needs --var ACCOUNT_ID=<12 digits>'),
            ),
    });
    if (warn && result.warnings.length > 0) writeDiagnostics(formatWarnings(result.warnings));
    const state = result.state;
    const region = state?.cluster.region;
    loaded.push({ dir, ...(region ? { region } : {}) });
    if (!state) side.failures.push({ dir, errors: result.errors.map(offlineHint) });
    else if (!region) side.failures.push({ dir, cluster: state.cluster.name, errors: [noRegion(state)] });
    else side.targets.push({ dir, state, region });
  }
  // As a live diff: two directories for one cluster and owner id are both refused.
  const identities = loaded.flatMap(({ dir, region }) => {
    const t = side.targets.find((x) => x.dir === dir);
    if (t) return [{ dir, config: t.state.cluster, region: t.region }];
    const id = clusterIdentity(dir, { ...clusterOpts, region });
    return id ? [{ dir, ...id }] : [];
  });
  const clashes = ownerClashes(identities);
  for (const f of side.failures) clashes.delete(f.dir);
  for (const [dir, error] of clashes) {
    const t = side.targets.find((x) => x.dir === dir);
    side.failures.push({ dir, ...(t ? { cluster: t.state.cluster.name } : {}), errors: [error] });
  }
  side.targets = side.targets.filter((t) => !clashes.has(t.dir));
  return side;
}

/** An undefined template variable says where an offline diff takes them from. */
function offlineHint(e: SpecError): SpecError {
  if (!UNDEFINED_VARIABLE.test(e.message)) return e;
  return {
    ...e,
    message: `${e.message}: not given (an offline diff takes template variables only from --var and --var-file)`,
  };
}

function noRegion(state: DesiredState): SpecError {
  return {
    file: state.cluster.source.file,
    line: 1,
    column: 1,
    field: 'region',
    message:
      'no region: set `region` in cluster.yaml or pass --region (an offline diff reads no AWS configuration)',
  };
}

function identityKey(t: ClusterTarget): string {
  return `${t.region}\u0000${t.state.cluster.name}\u0000${t.state.cluster.ownerId}`;
}

/** One account per region, holding what the hosted zones need and the base applied. */
async function baseline(
  baseSide: Side,
  headSide: Side,
  accountId: string,
  notes: string[],
): Promise<Map<string, OfflineAccount>> {
  const all = [...baseSide.targets, ...headSide.targets];
  const accounts = new Map<string, OfflineAccount>();
  for (const region of [...new Set(all.map((t) => t.region))].sort()) {
    const account = offlineAccount(region, accountId);
    const states = all.filter((t) => t.region === region).map((t) => t.state);
    notes.push(...seedDns(account, states), ...(await seedLoadBalancers(account, states)));
    accounts.set(region, account);
  }
  for (const t of baseSide.targets) {
    try {
      for (const p of await applyBaseline(accounts.get(t.region)!, t.state)) {
        notes.push(`${baseSide.label}: cluster ${p.cluster}: ${p.message}`);
      }
    } catch (err) {
      notes.push(`${baseSide.label}: ${t.dir} could not be applied: ${(err as Error).message}`);
    }
  }
  return accounts;
}

/** A cluster the head no longer has: removing its directory deletes nothing. */
function removedClusters(baseSide: Side, headSide: Side): string[] {
  const kept = new Set(headSide.targets.map(identityKey));
  const failedDirs = new Set(headSide.failures.map((f) => f.dir));
  return baseSide.targets
    .filter((t) => !kept.has(identityKey(t)) && !failedDirs.has(t.dir))
    .map(
      (t) =>
        `cluster ${t.state.cluster.name} (${t.dir}) is not in ${headSide.label}: removing its directory ` +
        'deletes nothing, its services and task definitions stay in AWS as they are ' +
        '(`ecs-gitops destroy` removes them, before the directory goes)',
    );
}

/**
 * A pull request must not turn redaction off for its own diff: a name is exempt only when both sides
 * exempt it (an exemption the head adds takes effect after merge, one it removes at once), and the
 * name patterns of both sides apply. Changes the head's cluster.yaml redaction in place.
 */
function guardRedaction(baseSide: Side, headSide: Side): string[] {
  const notes: string[] = [];
  const baseByKey = new Map(baseSide.targets.map((t) => [identityKey(t), t.state.cluster.redaction]));
  for (const t of headSide.targets) {
    const cluster = t.state.cluster;
    const headCfg = cluster.redaction;
    const baseCfg = baseByKey.get(identityKey(t));
    if (!headCfg && !baseCfg) continue;
    const baseExempt = new Set((baseCfg?.exempt ?? []).map((n) => n.toUpperCase()));
    const exempt = (headCfg?.exempt ?? []).filter((n) => baseExempt.has(n.toUpperCase()));
    const held = (headCfg?.exempt ?? []).filter((n) => !baseExempt.has(n.toUpperCase()));
    const patterns = [...new Set([...(baseCfg?.patterns ?? []), ...(headCfg?.patterns ?? [])])];
    const source = headCfg?.source ?? baseCfg?.source;
    const guarded: RedactionConfig = { patterns, exempt, ...(source ? { source } : {}) };
    cluster.redaction = guarded;
    if (held.length > 0) {
      notes.push(
        `cluster ${cluster.name}: redaction.exempt ${held.join(', ')} is new in ${headSide.label} and takes ` +
          `effect after merge; this diff still redacts ${held.length === 1 ? 'its value' : 'their values'}`,
      );
    }
    if (exempt.length > 0) {
      notes.push(
        `cluster ${cluster.name}: values shown although secret-looking (redaction.exempt of both sides): ${exempt.join(', ')}`,
      );
    }
    const baseOnly = (baseCfg?.patterns ?? []).filter((p) => !(headCfg?.patterns ?? []).includes(p));
    if (baseOnly.length > 0) {
      notes.push(
        `cluster ${cluster.name}: redaction patterns of ${baseSide.label} still apply: ${baseOnly.join(', ')}`,
      );
    }
  }
  return notes;
}
