/**
 * Loads one cluster directory into a DesiredState. Every file is read and every error collected
 * before returning: a user fixes a directory in one round, and nothing is applied from a directory
 * with any error.
 */
import type { ClusterConfig, DesiredService, DesiredState, DesiredTaskDefinition } from '../model/desired';
import { prefixedFamily } from '../model/naming';
import type { SpecError } from '../model/source';
import { loadClusterConfig } from './cluster-config';
import { listSpecFiles, type SpecFile } from './discover';
import type { SpecFileSource } from './file-source';
import { collectHostnames } from './host-labels';
import { collectProxyTargets, type TaskdefProxyInfo } from './proxy-targets';
import { autocreatedService, type FamilyIndex, type FamilyInfo, loadService } from './load-service';
import { loadTaskDefinition, type TaskdefLoad } from './load-taskdef';
import { clusterLinter, type LintFinding, withRuleId } from './lint';

export interface LoadOptions {
  clusterName?: string;
  prefix?: string;
  /** As the SDK resolved it, used when cluster.yaml has none. */
  region?: string;
  /**
   * `--config FILE`: a cluster.yaml outside the directory (for an old ecs-efs directory), used
   * instead of `<dir>/cluster.yaml`; an error if the directory has one too.
   */
  configFile?: string;
  /** Template variables (process.env plus --var KEY=VALUE). */
  env: Record<string, string | undefined>;
  /** Called only if a template uses ${ACCOUNT_ID}; undefined (offline validate) => "000000000000". */
  accountId?: () => Promise<string>;
  /** Where the files are read from: the disk (default), or a commit's tree (`diff --base`). */
  files?: SpecFileSource;
}

export interface LoadResult {
  /** Set only when errors is empty. */
  state?: DesiredState;
  errors: SpecError[];
  warnings: SpecError[];
  /**
   * The policy checks' findings (cluster.yaml `policy:`), at warn and at deny; those at deny are
   * in errors too (with the rule id in the message), so a denied rule fails the directory closed.
   */
  findings: LintFinding[];
  /** Every file read: the cluster config and the spec files. */
  files: string[];
}

export const OFFLINE_ACCOUNT_ID = '000000000000';

export async function loadClusterDir(dir: string, opts: LoadOptions): Promise<LoadResult> {
  const errors: SpecError[] = [];
  const warnings: SpecError[] = [];
  const files: string[] = [];

  const clusterResult = loadClusterConfig(dir, opts);
  errors.push(...clusterResult.errors);
  if (clusterResult.file) files.push(clusterResult.file);
  let specFiles: SpecFile[] = [];
  try {
    specFiles = listSpecFiles(dir, opts.files);
  } catch (e) {
    if (errors.length === 0) {
      errors.push({
        file: dir,
        line: 1,
        column: 1,
        field: '',
        message: `cannot list: ${(e as Error).message}`,
      });
    }
  }
  files.push(...specFiles.map((f) => f.path));
  // Without a usable cluster config the files are still checked, with stand-in names.
  const cluster = clusterResult.config ?? standInCluster(dir, opts);

  const taskdefFiles = specFiles.filter((f) => f.kind === 'taskdef');
  const serviceFiles = specFiles.filter((f) => f.kind !== 'taskdef');
  errors.push(...duplicateFiles(taskdefFiles, 'task definition'), ...duplicateFiles(serviceFiles, 'service'));

  // Each file is linted as soon as it is loaded, which lets its parse tree go (see clusterLinter).
  const linter = clusterLinter(cluster);
  const taskdefs = taskdefFiles.map((f) => {
    const t = loadTaskDefinition(f, cluster, opts.files);
    linter.addTaskdef(t);
    return t;
  });
  for (const t of taskdefs) {
    errors.push(...t.errors);
    warnings.push(...t.warnings);
  }
  errors.push(...familyCollisions(taskdefs));
  const families = familyIndex(taskdefs, cluster);

  let accountIdPromise: Promise<string> | undefined;
  const accountId = (): Promise<string> =>
    (accountIdPromise ??= opts.accountId ? opts.accountId() : Promise.resolve(OFFLINE_ACCOUNT_ID));
  const services: DesiredService[] = [];
  for (const f of serviceFiles) {
    const s = await loadService(f, { cluster, dir, families, env: opts.env, accountId, files: opts.files });
    linter.addService(s);
    errors.push(...s.errors);
    if (s.service) services.push(s.service);
  }

  const explicit = new Set(serviceFiles.map((f) => f.basename));
  const taskDefinitions: DesiredTaskDefinition[] = [];
  const autocreated: { service: DesiredService; taskdef: TaskdefLoad }[] = [];
  for (const t of taskdefs) {
    const td = t.taskDefinition;
    if (!td) continue;
    taskDefinitions.push(td);
    if (td.autocreateService && !explicit.has(td.basename) && t.autocreateAt) {
      const service = autocreatedService(td, t.file.name, cluster, t.autocreateAt);
      services.push(service);
      autocreated.push({ service, taskdef: t });
    }
  }
  services.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const labelsByFamily = new Map<string, TaskdefProxyInfo>();
  for (const t of taskdefs) {
    if (t.taskDefinition && t.hostLabels && !labelsByFamily.has(t.taskDefinition.family)) {
      const networkMode = t.taskDefinition.body.networkMode;
      labelsByFamily.set(
        t.taskDefinition.family,
        networkMode ? { containers: t.hostLabels, networkMode } : { containers: t.hostLabels },
      );
    }
  }
  const names = collectHostnames(services, labelsByFamily, cluster.dns, cluster.loadBalancer !== undefined);
  errors.push(...names.errors);
  warnings.push(...names.warnings);
  const proxy = collectProxyTargets(services, labelsByFamily, names.proxyNames, cluster.loadBalancer);
  errors.push(...proxy.errors);
  warnings.push(...proxy.warnings);

  const lint = linter.finish(
    autocreated,
    specFiles.map((f) => f.name),
  );
  warnings.push(...lint.warnings);
  errors.push(...lint.findings.filter((f) => f.level === 'deny').map(withRuleId));

  sortErrors(errors);
  sortErrors(warnings);
  const findings = lint.findings;
  if (errors.length > 0 || !clusterResult.config) return { errors, warnings, findings, files };
  return {
    state: { cluster, taskDefinitions, services, hostnames: names.hostnames, proxyTargets: proxy.targets },
    errors,
    warnings,
    findings,
    files,
  };
}

function standInCluster(dir: string, opts: LoadOptions): ClusterConfig {
  const name = opts.clusterName ?? 'CLUSTER';
  return {
    name,
    region: opts.region,
    prefix: opts.prefix ?? name,
    ownerId: name,
    tags: {},
    adopt: false,
    serviceDefaults: { desiredCount: 1 },
    source: { file: '(flags)', line: 1, column: 1 },
    dir,
  };
}

/** `web.service` + `web.service.template` (or `web.taskdef` + `web.taskdef.yaml`): one too many. */
function duplicateFiles(files: SpecFile[], what: string): SpecError[] {
  const byName = new Map<string, SpecFile[]>();
  for (const f of files) byName.set(f.basename, [...(byName.get(f.basename) ?? []), f]);
  const errors: SpecError[] = [];
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    for (const f of group.slice(1)) {
      errors.push({
        file: f.path,
        line: 1,
        column: 1,
        field: '',
        message: `duplicate ${what} "${name}": both ${group.map((g) => g.name).join(' and ')} define it; keep one`,
      });
    }
  }
  return errors;
}

/** Two task definition files resolving to one family (through a `family` field). */
function familyCollisions(taskdefs: TaskdefLoad[]): SpecError[] {
  const first = new Map<string, TaskdefLoad>();
  const errors: SpecError[] = [];
  for (const t of taskdefs) {
    const td = t.taskDefinition;
    if (!td || !t.familySource) continue;
    const other = first.get(td.family);
    if (!other) {
      first.set(td.family, t);
    } else if (other.file.basename !== t.file.basename) {
      const { file, line, column, field } = t.familySource;
      errors.push({
        file,
        line,
        column,
        field,
        message: `family "${td.family}" is also defined by ${other.file.name}`,
      });
    }
  }
  return errors;
}

function familyIndex(taskdefs: TaskdefLoad[], cluster: ClusterConfig): FamilyIndex {
  const byBasename = new Map<string, string>();
  const byFamilyField = new Map<string, string>();
  const families = new Map<string, FamilyInfo>();
  for (const t of taskdefs) {
    // A taskdef that failed to load still names its family, so services do not get a second error.
    const family = t.family ?? prefixedFamily(cluster.prefix, t.file.basename);
    if (!byBasename.has(t.file.basename)) byBasename.set(t.file.basename, family);
    if (t.familyField !== undefined && !byFamilyField.has(t.familyField)) {
      byFamilyField.set(t.familyField, family);
    }
    if (!families.has(family)) {
      // The network mode is known only of a file that loaded: a broken one gets no second error.
      const networkMode = t.taskDefinition && (t.taskDefinition.body.networkMode ?? 'bridge');
      families.set(family, networkMode ? { fileName: t.file.name, networkMode } : { fileName: t.file.name });
    }
  }
  return { byBasename, byFamilyField, families };
}

function sortErrors(errors: SpecError[]): void {
  errors.sort((a, b) =>
    a.file !== b.file
      ? a.file < b.file
        ? -1
        : 1
      : a.line !== b.line
        ? a.line - b.line
        : a.column - b.column,
  );
}
