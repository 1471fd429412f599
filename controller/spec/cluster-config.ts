/** Reads `cluster.yaml` (or the flags that stand in for it in an old ecs-efs directory). */
import * as fs from 'fs';
import * as path from 'path';
import type { ClusterConfig, ServiceDefaults } from '../model/desired';
import { CLUSTER_NAME_PATTERN } from '../model/naming';
import type { SpecError } from '../model/source';
import { CLUSTER_CONFIG_NAMES } from './discover';
import { parseDocument } from './parse-document';
import { validateAgainstSchema } from './validate-schema';

export interface ClusterOptions {
  /** `--cluster`: required without cluster.yaml; with one, it must agree with `name`. */
  clusterName?: string;
  /** `--prefix`: only without cluster.yaml (or equal to its `prefix`). */
  prefix?: string;
  /** The region the SDK resolved, used when cluster.yaml has none. */
  region?: string;
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
  tags?: Record<string, string>;
  serviceDefaults?: Partial<ServiceDefaults>;
}

export function loadClusterConfig(dir: string, opts: ClusterOptions): ClusterConfigResult {
  const found = CLUSTER_CONFIG_NAMES.map((n) => path.join(dir, n)).filter((p) => fs.existsSync(p));
  const at = (file: string, message: string, field = ''): SpecError => ({
    file,
    line: 1,
    column: 1,
    field,
    message,
  });
  if (found.length > 1) {
    return { errors: [at(found[1], `both ${found[0]} and ${found[1]} exist: keep one`)], file: found[0] };
  }
  if (found.length === 0) return fromFlags(dir, opts, at);

  const file = found[0];
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { file });
  if (doc.value === undefined) return { errors: doc.errors, file };
  const errors = [...doc.errors, ...validateAgainstSchema('cluster', doc.value, doc)];
  if (errors.length > 0) return { errors, file };
  const cfg = doc.value as ClusterFile;
  const errorAt = (field: string, message: string): SpecError => ({
    file,
    ...doc.locate([field]),
    field,
    message,
  });
  if (opts.clusterName !== undefined && opts.clusterName !== cfg.name) {
    errors.push(
      errorAt('name', `--cluster ${opts.clusterName} does not match the name "${cfg.name}" in ${file}`),
    );
  }
  const prefix = cfg.prefix ?? cfg.name;
  if (opts.prefix !== undefined && opts.prefix !== prefix) {
    errors.push(
      errorAt('prefix', `--prefix ${opts.prefix} does not match the prefix "${prefix}" of ${file}`),
    );
  }
  if (errors.length > 0) return { errors, file };
  const config: ClusterConfig = {
    name: cfg.name,
    region: cfg.region ?? opts.region,
    prefix,
    ownerId: cfg.ownerId ?? cfg.name,
    tags: { ...(cfg.tags ?? {}) },
    adopt: cfg.adopt ?? false,
    serviceDefaults: { ...(cfg.serviceDefaults ?? {}), desiredCount: cfg.serviceDefaults?.desiredCount ?? 1 },
    source: { file, ...doc.locate(['name']) },
    dir,
  };
  return { config, errors: [], file };
}

function fromFlags(
  dir: string,
  opts: ClusterOptions,
  at: (file: string, message: string, field?: string) => SpecError,
): ClusterConfigResult {
  if (!fs.existsSync(dir)) return { errors: [at(dir, 'no such directory')] };
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
