/** `diff --output markdown`: the plan as a pull-request comment, with relative paths and the account. */
import { formatSpecError, type SpecError } from '../model/source';
import type { Plan } from '../plan/plan-types';
import { renderPlanMarkdown, type MarkdownContext, type NotPlanned } from '../plan/render-markdown';
import { relativePath, relativizePlanSources } from '../plan/relative-sources';
import type { AwsContext } from './aws-context';
import type { OutputFormat } from './output';

/** `--max-length N`: a positive integer, and only with markdown (the other formats are never cut). */
export function parseMaxLength(value: string | undefined, format: OutputFormat): number | undefined {
  if (value === undefined) return undefined;
  if (format !== 'markdown') throw new Error('--max-length only applies to --output markdown');
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`--max-length must be a positive integer (got "${value}")`);
  return Number(value);
}

export interface MarkdownPlanOptions {
  /** Where the live state was read: its account goes in the header. Absent offline. */
  aws?: { context: AwsContext; region: string };
  offline?: MarkdownContext['offline'];
  maxLength?: number;
  /** Where the whole plan is when it is cut (default: the job log). */
  fullPlanHint?: string;
  /** Directories whose specs did not load (`resolveTargets`' failures). */
  specFailures?: readonly { dir: string; cluster?: string; errors: readonly SpecError[] }[];
  /** Directories whose live state could not be read. */
  awsFailures?: readonly { dir: string; cluster: string; code: string; message: string }[];
  /** Paths are shown relative to this directory (default: the working directory). */
  cwd?: string;
}

export async function markdownPlan(plans: readonly Plan[], opts: MarkdownPlanOptions): Promise<string> {
  const cwd = opts.cwd ?? process.cwd();
  const ctx: MarkdownContext = {};
  const account = opts.aws ? await accountOf(opts.aws.context, opts.aws.region) : undefined;
  if (account !== undefined) ctx.account = account;
  if (opts.offline) ctx.offline = opts.offline;
  if (opts.maxLength !== undefined) ctx.maxLength = opts.maxLength;
  if (opts.fullPlanHint !== undefined) ctx.fullPlanHint = opts.fullPlanHint;
  const dir = (d: string) => relativePath(d, cwd);
  const notPlanned: NotPlanned[] = [
    ...(opts.specFailures ?? []).map((f) => ({
      dir: dir(f.dir),
      ...(f.cluster !== undefined ? { cluster: f.cluster } : {}),
      errors: f.errors.map((e) => formatSpecError({ ...e, file: relativePath(e.file, cwd, f.dir) })),
    })),
    ...(opts.awsFailures ?? []).map((f) => ({
      dir: dir(f.dir),
      cluster: f.cluster,
      errors: [`${f.code}: ${f.message}`],
    })),
  ];
  if (notPlanned.length > 0) ctx.notPlanned = notPlanned;
  return renderPlanMarkdown(
    plans.map((p) => relativizePlanSources(p, cwd)),
    ctx,
  );
}

/**
 * The account id from STS GetCallerIdentity: one read that needs no IAM permission. Without it
 * (STS unreachable) the header says "the live AWS account" rather than failing the diff.
 */
async function accountOf(ctx: AwsContext, region: string): Promise<string | undefined> {
  // One read per context and region, though `-o markdown --comment` renders the plan twice.
  const byRegion = accounts.get(ctx) ?? new Map<string, Promise<string | undefined>>();
  accounts.set(ctx, byRegion);
  let account = byRegion.get(region);
  if (!account) {
    account = ctx
      .forRegion(region)
      .then((r) => r.sts.getAccountId())
      .catch(() => undefined);
    byRegion.set(region, account);
  }
  return account;
}

const accounts = new WeakMap<AwsContext, Map<string, Promise<string | undefined>>>();
