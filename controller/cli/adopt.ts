import type { Command } from 'commander';
import { renderPlanText, renderResultsText } from '../plan';
import type { Plan, PlannedAction } from '../plan/plan-types';
import { awsErrorLine } from './aws-error-line';
import { executePlan } from '../reconcile/executor';
import { planDesiredState } from '../reconcile/reconcile-cluster';
import { resolveTargets } from './cluster-targets';
import { addAwsOptions, addSpecOptions, type CommonOptions, withContext, writeDiagnostics } from './common';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from './exit-codes';
import { formatErrors } from './load-specs';
import { awsCallsLine, stdoutOutput } from './output';

export interface AdoptOptions extends CommonOptions {
  color: boolean;
  dryRun?: boolean;
}

/**
 * `adopt DIR [NAMES...]`: takes over existing resources that the specs name but that carry no
 * ownership tags (created by hand, by ecs-efs, by another tool). It shows what adopting means (the
 * ownership tags, and what the next apply would change), then writes only the tags: no revision is
 * registered and no service changed until the next apply. Resources of another owner id are refused.
 */
export function registerAdopt(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('adopt')
    .description("tag existing resources the specs name (and that carry no ownership tags) as ecs-gitops's")
    .argument('<dir>', 'the cluster directory')
    .argument(
      '[names...]',
      'services, task definition files (basename or family) or the cluster; default: all',
    )
    .option('--dry-run', 'only show what would be adopted (exit 2 when something would be)')
    .option('--no-color', 'never colour the output');
  addSpecOptions(cmd);
  addAwsOptions(cmd);
  cmd.action(async (dir: string, names: string[], opts: AdoptOptions) =>
    setExit(await runAdopt(dir, names, opts)),
  );
}

export async function runAdopt(dir: string, names: string[], opts: AdoptOptions): Promise<number> {
  const out = stdoutOutput(!opts.color);
  return withContext(opts, async (ctx) => {
    const { targets, failures } = await resolveTargets([dir], opts, ctx);
    for (const f of failures) writeDiagnostics(formatErrors(f.errors));
    if (failures.length > 0 || targets.length !== 1) {
      if (targets.length > 1)
        writeDiagnostics(`error: ${dir} holds ${targets.length} clusters: adopt one at a time\n`);
      return EXIT_ERROR;
    }
    const target = targets[0];
    const cfg = target.state.cluster;
    const ports = await ctx.forRegion(target.region);
    let plan: Plan;
    try {
      plan = await planDesiredState({ ...target.state, cluster: { ...cfg, adopt: true } }, ports);
    } catch (err) {
      writeDiagnostics(`error: ${dir}: ${awsErrorLine(err)}\n`);
      return EXIT_ERROR;
    }
    if (plan.errors.length > 0) {
      out.write(renderPlanText([plan], { color: out.color }));
      return EXIT_ERROR;
    }

    const wanted = new Set(names);
    const matches = (a: PlannedAction) =>
      wanted.size === 0 || [...aliases(a, cfg.prefix)].some((n) => wanted.has(n));
    const adoptable = plan.actions.filter((a) => a.adopting && matches(a));
    const problems = unmatched(plan, names, cfg.prefix, adoptable);
    for (const p of problems) writeDiagnostics(`error: ${p}\n`);

    if (adoptable.length === 0) {
      out.write(
        `Nothing to adopt in cluster ${cfg.name}${names.length ? ` among ${names.join(', ')}` : ''}.\n`,
      );
      return problems.length > 0 ? EXIT_ERROR : EXIT_OK;
    }
    // The diff: what adopting means for each resource, including what the next apply will change.
    out.write(renderPlanText([{ ...plan, actions: adoptable }], { color: out.color }));
    if (opts.dryRun) return problems.length > 0 ? EXIT_ERROR : EXIT_CHANGES;

    const tagOnly: Plan = {
      ...plan,
      actions: adoptable.map((a) => ({
        ...a,
        op: 'update',
        reason: 'adopted: ownership tags written',
        dependsOn: [],
        steps: [{ call: 'tagResource', arn: a.adopting?.arn ?? '', tags: a.adopting?.tags ?? [] }],
      })),
    };
    const results = await executePlan(tagOnly, { ecs: ports.ecs });
    out.write(renderResultsText(results, { color: out.color, cluster: cfg.name }));
    const failed = results.some((r) => r.outcome === 'failed');
    if (!failed) {
      out.write(`The next apply (or the controller) manages ${results.length} adopted resource(s).\n`);
    }
    out.write(`${awsCallsLine(ctx.callLog)}\n`);
    return failed || problems.length > 0 ? EXIT_ERROR : EXIT_OK;
  });
}

/** Names a user may give for an action: the service, the family, the file's basename, the cluster. */
function aliases(a: PlannedAction, prefix: string): Set<string> {
  const out = new Set([a.name]);
  if (a.resource === 'taskDefinition' && a.name.startsWith(`${prefix}-`))
    out.add(a.name.slice(prefix.length + 1));
  if (a.resource === 'cluster') out.add('cluster');
  return out;
}

/** Why a name given on the command line (or a resource it names) is not adopted. */
function unmatched(plan: Plan, names: string[], prefix: string, adopted: PlannedAction[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const named = plan.actions.filter((a) => aliases(a, prefix).has(name));
    if (named.length === 0) {
      out.push(
        `${name}: the specs of cluster ${plan.cluster} name no such service, task definition or cluster`,
      );
    }
    for (const action of named) {
      if (adopted.includes(action)) continue;
      if (action.op === 'create') out.push(`${action.id}: does not exist yet; apply creates it`);
      else if (action.otherOwner !== undefined) {
        out.push(`${action.id}: ${action.reason}; adopt never takes over another owner's resources`);
      } else if (action.op === 'conflict') out.push(`${action.id}: ${action.reason}`);
      else out.push(`${action.id}: already managed by ecs-gitops`);
    }
  }
  return out;
}
