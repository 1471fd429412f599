import { discoverClusterDirs, loadClusterDir, type LoadResult, withRuleId } from '../specfiles';
import type { SpecError } from '../model/source';
import { formatSpecError } from '../model/source';
import { desiredSecretValues, secretVariableValues } from '../model/secret-detection';
import { maskSecretValues } from '../telemetry/secret-mask';

export interface SpecOptions {
  cluster?: string;
  prefix?: string;
  /** `--config FILE`: a cluster.yaml kept outside the directory (for ecs-efs directories). */
  config?: string;
  /** `--var KEY=VALUE`, repeatable: template variables on top of the environment. */
  var?: string[];
}

export interface LoadedDir {
  dir: string;
  result: LoadResult;
}

/** `--var A=1 --var B=2` -> { A: '1', B: '2' }. */
export function parseVars(vars: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new Error(`--var expects KEY=VALUE (got "${v}")`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/**
 * Loads every cluster directory named (a repository root expands to its cluster directories).
 * `regionFor` gives the region a directory without its own `region` uses; `accountId` is asked only
 * when a template uses `${ACCOUNT_ID}`.
 */
export async function loadSpecDirs(
  paths: readonly string[],
  opts: SpecOptions,
  region: string | undefined,
  accountId?: (region: string | undefined) => Promise<string>,
): Promise<LoadedDir[]> {
  const dirs = discoverClusterDirs(paths.length > 0 ? [...paths] : ['.']);
  if ((opts.cluster || opts.config) && dirs.length > 1) {
    throw new Error(
      `--cluster and --config name one cluster, but ${dirs.length} cluster directories were given`,
    );
  }
  const env = { ...process.env, ...parseVars(opts.var) };
  // Masked in every output from now on (telemetry/secret-mask.ts), errors about them included.
  maskSecretValues(secretVariableValues(env));
  const out: LoadedDir[] = [];
  for (const dir of dirs) {
    const result = await loadClusterDir(dir, {
      clusterName: opts.cluster,
      prefix: opts.prefix,
      ...(opts.config ? { configFile: opts.config } : {}),
      region,
      env,
      accountId: accountId ? () => accountId(region) : undefined,
    });
    if (result.state) maskSecretValues(desiredSecretValues(result.state));
    out.push({ dir, result });
  }
  return out;
}

export function formatErrors(errors: readonly SpecError[]): string {
  return errors.map((e) => `error: ${formatSpecError(e)}\n`).join('');
}

export function formatWarnings(warnings: readonly SpecError[]): string {
  return warnings.map((e) => `warning: ${formatSpecError(e)}\n`).join('');
}

/**
 * What a directory prints as warnings: the loader's, then the policy findings at warn (those at deny
 * are among its errors), each with its rule id: `... [image-tag]`.
 */
export function warningsOf(result: LoadResult): SpecError[] {
  return [...result.warnings, ...result.findings.filter((f) => f.level === 'warn').map(withRuleId)];
}
