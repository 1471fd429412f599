/** Reads `cluster.yaml` (or the flags that stand in for it in an old ecs-efs directory). */
import type { CapacityProviderStrategyItem } from '../model/aws-types';
import * as path from 'path';
import type { ClusterConfig, ServiceDefaults } from '../model/desired';
import { CLUSTER_NAME_PATTERN } from '../model/naming';
import { DEFAULT_LINT_LEVELS, type LintLevel, type LintPolicy, type LintRuleId } from '../model/lint-policy';
import type { RedactionConfig } from '../model/secret-detection';
import { ownershipTags } from '../model/ownership';
import type { SpecError } from '../model/source';
import { CLUSTER_CONFIG_NAMES } from './discover';
import { diskFiles, exists, type SpecFileSource } from './file-source';
import { type DnsFile, parseDnsConfig } from './dns-config';
import { type EventsFile, parseEventsConfig } from './events-config';
import { type LoadBalancerFile, parseLoadBalancerConfig } from './load-balancer-config';
import { parseDocument } from './parse-document';
import { type ErrorAt, errorAtIn, MAX_TAGS_PER_RESOURCE } from './spec-helpers';
import { validateAgainstSchema } from './validate-schema';

export interface ClusterOptions {
  /** `--cluster`: required without cluster.yaml; with one, it must agree with `name`. */
  clusterName?: string;
  /** `--prefix`: only without cluster.yaml (or equal to its `prefix`). */
  prefix?: string;
  /** The region the SDK resolved, used when cluster.yaml has none. */
  region?: string;
  /**
   * `--config FILE`: a cluster.yaml kept outside the directory (an old ecs-efs directory has none),
   * used instead of `<dir>/cluster.yaml`; the directory must then have none of its own.
   */
  configFile?: string;
  /** Where the files are read from (default: the disk). */
  files?: SpecFileSource;
}

export interface ClusterConfigResult {
  config?: ClusterConfig;
  errors: SpecError[];
  /** The config file read, if any. */
  file?: string;
}

interface ClusterFile {
  name: string;
  region?: string;
  prefix?: string;
  ownerId?: string;
  adopt?: boolean;
  prune?: boolean;
  allowEmpty?: boolean;
  keepRevisions?: number;
  deleteRevisions?: boolean;
  tags?: Record<string, string>;
  capacityProviders?: string[];
  defaultCapacityProviderStrategy?: CapacityProviderStrategyItem[];
  serviceDefaults?: Partial<ServiceDefaults>;
  dns?: DnsFile;
  loadBalancer?: LoadBalancerFile;
  events?: EventsFile;
  redaction?: { patterns?: string[]; exempt?: string[] };
  policy?: { rules?: Partial<Record<LintRuleId, LintLevel>>; exempt?: Partial<Record<LintRuleId, string[]>> };
}

export function loadClusterConfig(dir: string, opts: ClusterOptions): ClusterConfigResult {
  const files = opts.files ?? diskFiles;
  const found = CLUSTER_CONFIG_NAMES.map((n) => path.join(dir, n)).filter((p) => exists(files, p));
  const at = (file: string, message: string, field = ''): SpecError => ({
    file,
    line: 1,
    column: 1,
    field,
    message,
  });
  if (opts.configFile !== undefined) {
    if (found.length > 0) {
      return {
        errors: [
          at(found[0], `--config ${opts.configFile} is given, but ${found[0]} exists too: use one of them`),
        ],
        file: opts.configFile,
      };
    }
    if (!exists(files, dir)) return { errors: [at(dir, 'no such directory')], file: opts.configFile };
  } else if (found.length > 1) {
    return { errors: [at(found[1], `both ${found[0]} and ${found[1]} exist: keep one`)], file: found[0] };
  } else if (found.length === 0) return fromFlags(dir, opts, at);

  const file = opts.configFile ?? found[0];
  let text: string;
  try {
    text = files.read(file);
  } catch (e) {
    return { errors: [at(file, `cannot read: ${(e as Error).message}`)], file };
  }
  const doc = parseDocument(text, { file });
  if (doc.value === undefined) return { errors: doc.errors, file };
  const errors = [...doc.errors, ...validateAgainstSchema('cluster', doc.value, doc)];
  if (errors.length > 0) return { errors, file };
  const cfg = doc.value as ClusterFile;
  const errorAt = errorAtIn(file, doc);
  if (opts.clusterName !== undefined && opts.clusterName !== cfg.name) {
    errors.push(
      errorAt('name', `--cluster ${opts.clusterName} does not match the name "${cfg.name}" in ${file}`),
    );
  }
  const prefix = cfg.prefix ?? cfg.name;
  if (opts.prefix !== undefined && opts.prefix !== prefix) {
    // Without a prefix in the file, the name is the prefix: point there.
    const where = errorAt(cfg.prefix !== undefined ? 'prefix' : 'name', '');
    errors.push({
      ...where,
      field: 'prefix',
      message: `--prefix ${opts.prefix} does not match the prefix "${prefix}" of ${file}`,
    });
  }
  const ownerId = cfg.ownerId ?? cfg.name;
  errors.push(...clusterTagCount(cfg.tags, ownerId, cfg.name, errorAt));
  const loadBalancer =
    cfg.loadBalancer &&
    parseLoadBalancerConfig(
      cfg.loadBalancer,
      { name: cfg.name, region: cfg.region ?? opts.region },
      { file, ...doc.locate(['loadBalancer']) },
      errorAt,
      errors,
    );
  const dns =
    cfg.dns &&
    parseDnsConfig(
      cfg.dns,
      ownerId,
      { file, ...doc.locate(['dns']) },
      errorAt,
      errors,
      cfg.loadBalancer && (loadBalancer ?? 'invalid'),
    );
  const events =
    cfg.events &&
    parseEventsConfig(
      cfg.events,
      cfg.region ?? opts.region,
      { file, ...doc.locate(['events']) },
      errorAt,
      errors,
    );
  const redaction =
    cfg.redaction && redactionConfig(cfg.redaction, { file, ...doc.locate(['redaction']) }, errorAt, errors);
  const policy = cfg.policy && lintPolicy(cfg.policy, { file, ...doc.locate(['policy']) });
  if (errors.length > 0) return { errors, file };
  const config: ClusterConfig = {
    name: cfg.name,
    region: cfg.region ?? opts.region,
    prefix,
    ownerId,
    tags: { ...(cfg.tags ?? {}) },
    adopt: cfg.adopt ?? false,
    ...(cfg.prune !== undefined ? { prune: cfg.prune } : {}),
    ...(cfg.allowEmpty !== undefined ? { allowEmpty: cfg.allowEmpty } : {}),
    ...(cfg.keepRevisions !== undefined ? { keepRevisions: cfg.keepRevisions } : {}),
    ...(cfg.deleteRevisions !== undefined ? { deleteRevisions: cfg.deleteRevisions } : {}),
    ...(cfg.capacityProviders ? { capacityProviders: [...cfg.capacityProviders] } : {}),
    ...(cfg.defaultCapacityProviderStrategy
      ? { defaultCapacityProviderStrategy: cfg.defaultCapacityProviderStrategy }
      : {}),
    serviceDefaults: { ...(cfg.serviceDefaults ?? {}), desiredCount: cfg.serviceDefaults?.desiredCount ?? 1 },
    ...(dns ? { dns } : {}),
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(events ? { events } : {}),
    ...(redaction ? { redaction } : {}),
    ...(policy ? { policy } : {}),
    source: { file, ...doc.locate(['name']) },
    dir,
  };
  return { config, errors: [], file };
}

/** `redaction:`; a pattern that is not a valid regular expression is an error at that pattern. */
function redactionConfig(
  r: NonNullable<ClusterFile['redaction']>,
  source: RedactionConfig['source'],
  errorAt: ErrorAt,
  errors: SpecError[],
): RedactionConfig {
  (r.patterns ?? []).forEach((p, i) => {
    try {
      new RegExp(p, 'i');
    } catch (e) {
      errors.push(
        errorAt(['redaction', 'patterns', i], `not a valid regular expression: ${(e as Error).message}`),
      );
    }
  });
  return { patterns: [...(r.patterns ?? [])], exempt: [...(r.exempt ?? [])], ...(source ? { source } : {}) };
}

function lintPolicy(p: NonNullable<ClusterFile['policy']>, source: LintPolicy['source']): LintPolicy {
  return {
    levels: { ...DEFAULT_LINT_LEVELS, ...(p.rules ?? {}) },
    exempt: { ...(p.exempt ?? {}) },
    ...(source ? { source } : {}),
  };
}

/**
 * Every resource gets the cluster tags and the ownership tags: when those alone pass AWS's limit of
 * 50 tags per resource, the error belongs here rather than at every spec file.
 */
function clusterTagCount(
  tags: Record<string, string> | undefined,
  ownerId: string,
  clusterName: string,
  errorAt: ErrorAt,
): SpecError[] {
  const own = ownershipTags(ownerId, clusterName, 'any.taskdef');
  const n = Object.keys({ ...tags, ...own }).length;
  if (n <= MAX_TAGS_PER_RESOURCE) return [];
  return [
    errorAt(
      ['tags'],
      `${n} tags in all: these ${Object.keys(tags ?? {}).length} and the ${Object.keys(own).length} ownership ` +
        `tags every resource gets; AWS allows at most ${MAX_TAGS_PER_RESOURCE} per resource`,
    ),
  ];
}

function fromFlags(
  dir: string,
  opts: ClusterOptions,
  at: (file: string, message: string, field?: string) => SpecError,
): ClusterConfigResult {
  if (!exists(opts.files ?? diskFiles, dir)) return { errors: [at(dir, 'no such directory')] };
  if (opts.clusterName === undefined) {
    return {
      errors: [at(dir, `no cluster.yaml: pass --cluster NAME (or add ${path.join(dir, 'cluster.yaml')})`)],
    };
  }
  const errors: SpecError[] = [];
  if (!CLUSTER_NAME_PATTERN.test(opts.clusterName)) {
    errors.push(
      at(
        dir,
        `--cluster "${opts.clusterName}" is not a valid ECS cluster name (${CLUSTER_NAME_PATTERN.source})`,
      ),
    );
  }
  if (opts.prefix !== undefined && !/^[A-Za-z0-9_-]{1,200}$/.test(opts.prefix)) {
    errors.push(at(dir, `--prefix "${opts.prefix}" may only contain letters, digits, - and _`));
  }
  if (errors.length > 0) return { errors };
  return {
    config: {
      name: opts.clusterName,
      region: opts.region,
      prefix: opts.prefix ?? opts.clusterName,
      ownerId: opts.clusterName,
      tags: {},
      adopt: false,
      serviceDefaults: { desiredCount: 1 },
      source: { file: '(flags)', line: 1, column: 1 },
      dir,
    },
    errors: [],
  };
}
