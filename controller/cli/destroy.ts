import type { Command } from 'commander';
import { destroyCluster, type DestroyReport } from '../reconcile/destroy';
import { parseDuration } from './duration';
import { describeAwsError } from '../aws/aws-error';
import { EXIT_ERROR, EXIT_OK } from './exit-codes';
import { parseFormat, stdoutOutput, toJsonText } from './output';
import { addAwsOptions, withContext } from './common';
import type { AwsOptions } from './aws-context';

export interface DestroyCliOptions extends AwsOptions {
  confirm?: boolean;
  drain?: boolean;
  ownerId?: string;
  timeout: string;
  output: string;
}

/**
 * `destroy CLUSTER --confirm`: refuses, changing nothing, while any service remains. With --drain it
 * scales our services to 0, waits, deletes them, then the cluster; it refuses up front if any
 * service is not ours.
 */
export function registerDestroy(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('destroy')
    .description('delete a cluster that ecs-gitops created, only when no services remain (or with --drain)')
    .argument('<cluster>', 'the ECS cluster name')
    .option('--confirm', 'required: says you mean it')
    .option('--drain', 'first scale our services to 0, wait for their tasks to stop, and delete them')
    .option('--owner-id <id>', 'owner id in the ownership tags (default: the cluster name)')
    .option('--timeout <duration>', 'how long to wait for tasks to stop and services to drain', '10m')
    .option('-o, --output <format>', 'text or json', 'text');
  addAwsOptions(cmd);
  cmd.action(async (cluster: string, opts: DestroyCliOptions) => setExit(await runDestroy(cluster, opts)));
}

export async function runDestroy(cluster: string, opts: DestroyCliOptions): Promise<number> {
  const format = parseFormat(opts.output, ['text', 'json']);
  const out = stdoutOutput(true);
  if (!opts.confirm) {
    process.stderr.write(`error: destroy deletes cluster ${cluster}; pass --confirm to do it\n`);
    return EXIT_ERROR;
  }
  return withContext(opts, async (ctx, log) => {
    const region = await ctx.defaultRegion();
    if (!region) {
      process.stderr.write('error: no region: pass --region or set AWS_REGION\n');
      return EXIT_ERROR;
    }
    const rctx = await ctx.forRegion(region);
    let rep: DestroyReport;
    try {
      rep = await destroyCluster({
        ecs: rctx.ecs,
        reader: rctx.reader,
        clock: rctx.clock,
        cluster,
        ownerId: opts.ownerId ?? cluster,
        drain: opts.drain === true,
        timeoutMs: parseDuration(opts.timeout),
        onProgress: (m) => log.info({ cluster }, m),
      });
    } catch (err) {
      const e = describeAwsError(err);
      process.stderr.write(`error: ${e.code}: ${e.message}\n`);
      return EXIT_ERROR;
    }
    if (format === 'json') {
      out.write(toJsonText({ version: 1, ...rep }));
    } else {
      out.write(`${rep.verdict}: ${rep.reason}\n`);
      if (rep.verdict === 'refused' || rep.verdict === 'failed') {
        for (const s of rep.services) {
          const owner =
            s.owner === 'ours'
              ? 'owned by ecs-gitops'
              : s.owner === 'unowned'
                ? 'not owned by ecs-gitops'
                : 'owned by another ecs-gitops owner id';
          out.write(`  service ${s.name} (${s.status}, ${owner})\n`);
        }
      }
      for (const r of rep.results)
        out.write(`  ${r.outcome.padEnd(9)} ${r.id}${r.message ? `: ${r.message}` : ''}\n`);
    }
    return rep.verdict === 'deleted' || rep.verdict === 'absent' ? EXIT_OK : EXIT_ERROR;
  });
}
