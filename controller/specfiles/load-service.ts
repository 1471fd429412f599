/** One `.service` / `.service.template` file -> a DesiredService; and services from AUTOCREATE.SERVICE. */
import { copyFields } from '../model/copy-fields';
import type {
  ClusterConfig,
  DesiredService,
  DesiredTaskDefinition,
  ServiceBody,
  ServiceDefaults,
  TaskDefinitionRef,
} from '../model/desired';
import { SERVICE_NAME_PATTERN, taskPrefix } from '../model/naming';
import { ownershipTags } from '../model/ownership';
import type { SourceRef, SpecError } from '../model/source';
import type { SpecFile } from './discover';
import type { SpecFileSource } from './file-source';
import { type FieldPath, formatFieldPath } from './field-path';
import { parseDocument, type ParsedDocument } from './parse-document';
import type { Position } from './positions';
import {
  checkFileTags,
  cloneJson,
  type ErrorAt,
  errorAtIn,
  isPlainObject,
  mergedTags,
  readSpecText,
} from './spec-helpers';
import { didYouMean } from './suggest';
import { renderTemplate, templateVariables } from './template';
import { validateAgainstSchema } from './validate-schema';

/** The task definition families the specs of a directory define. */
export interface FamilyIndex {
  /** basename -> prefixed family. */
  byBasename: Map<string, string>;
  /** A `.taskdef`'s own `family` field as written (unprefixed) -> prefixed family. */
  byFamilyField: Map<string, string>;
  /** Every prefixed family -> what a service needs to know of its task definition. */
  families: Map<string, FamilyInfo>;
}

export interface FamilyInfo {
  /** The .taskdef file name (`web.taskdef`). */
  fileName: string;
  /** `networkMode` (absent = "bridge"); undefined when the file failed to load. */
  networkMode?: string;
}

export interface ServiceContext {
  cluster: ClusterConfig;
  dir: string;
  families: FamilyIndex;
  env: Record<string, string | undefined>;
  /** Memoized by the caller: called at most once per directory. */
  accountId: () => Promise<string>;
  /** Where the file is read from (default: the disk). */
  files?: SpecFileSource;
}

export interface ServiceLoad {
  file: SpecFile;
  service?: DesiredService;
  /** Set with service, for the policy rules: where a field is in the file, and the fields it sets. */
  locate?: (path: FieldPath) => Position;
  ownFields?: string[];
  errors: SpecError[];
}

/** Fields of a CreateService body that ecs-gitops sets itself (or takes from elsewhere). */
const NOT_IN_BODY = ['$schema', 'serviceName', 'cluster', 'taskDefinition', 'tags', 'clientToken'];

export async function loadService(file: SpecFile, ctx: ServiceContext): Promise<ServiceLoad> {
  const result: ServiceLoad = { file, errors: [] };
  const raw = readSpecText(file.path, result.errors, ctx.files);
  if (raw === undefined) return result;
  const doc = await parseServiceText(file, raw, ctx, result.errors);
  if (!doc) return result;
  const errorAt = errorAtIn(file.path, doc);
  if (!isPlainObject(doc.value)) {
    result.errors.push(errorAt([], 'expected an object: the body of a CreateService request'));
    return result;
  }
  const value = doc.value;
  const errors = result.errors;
  errors.push(...validateAgainstSchema('service', value, doc));

  const name = file.basename;
  if (!SERVICE_NAME_PATTERN.test(name)) {
    errors.push(
      errorAt([], `service name "${name}" (from the file name) may only use letters, digits, "-" and "_"`),
    );
  }
  if (typeof value.serviceName === 'string' && value.serviceName !== name) {
    errors.push(
      errorAt(
        ['serviceName'],
        `serviceName "${value.serviceName}" differs from the file name "${name}"; remove it`,
      ),
    );
  }
  const clusterName = ctx.cluster.name;
  if (
    typeof value.cluster === 'string' &&
    value.cluster !== clusterName &&
    !value.cluster.endsWith(`/${clusterName}`)
  ) {
    errors.push(
      errorAt(['cluster'], `cluster "${value.cluster}" is not this directory's cluster "${clusterName}"`),
    );
  }
  if (value.clientToken !== undefined) {
    errors.push(errorAt(['clientToken'], 'clientToken is set by ecs-gitops; remove it'));
  }
  if (value.schedulingStrategy === 'DAEMON' && value.desiredCount !== undefined) {
    // AWS: "The daemon scheduling strategy does not support a desired count for services".
    errors.push(
      errorAt(
        ['desiredCount'],
        'desiredCount is not allowed with schedulingStrategy DAEMON (one task runs on each container instance); remove it',
      ),
    );
  }
  const tags = mergedTags(ctx.cluster, value.tags, file.name);
  errors.push(...checkFileTags(value.tags, tags, ctx.cluster, errorAt));
  const taskDefinition = resolveTaskDefinition(value.taskDefinition, name, ctx, errorAt, errors);
  // A pinned revision's network mode is unknown here: only spec task definitions are checked.
  const taskdef =
    taskDefinition?.kind === 'family' ? ctx.families.families.get(taskDefinition.family) : undefined;
  const networkMode = taskdef?.networkMode;
  if (value.networkConfiguration !== undefined && networkMode !== undefined && networkMode !== 'awsvpc') {
    errors.push(
      errorAt(
        ['networkConfiguration'],
        `networkConfiguration is only valid for awsvpc task definitions; ${taskdef!.fileName} uses ${networkMode}`,
      ),
    );
  }

  if (errors.length > 0 || !taskDefinition) return result;
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!NOT_IN_BODY.includes(k)) body[k] = v;
  result.service = {
    name,
    body: mergeServiceDefaults(body, ctx.cluster.serviceDefaults, { networkMode }),
    taskDefinition,
    tags,
    autocreated: false,
    source: { file: file.path, ...doc.locate([]) },
  };
  result.locate = doc.locate;
  result.ownFields = Object.keys(value);
  return result;
}

/** Renders templates (reporting every undefined variable) and parses; undefined when it failed. */
async function parseServiceText(
  file: SpecFile,
  raw: string,
  ctx: ServiceContext,
  errors: SpecError[],
): Promise<ParsedDocument | undefined> {
  if (file.kind !== 'service.template') {
    const doc = parseDocument(raw, { file: file.path });
    errors.push(...doc.errors);
    return doc.value === undefined ? undefined : doc;
  }
  const used = templateVariables(raw);
  const cluster = ctx.cluster;
  const builtins: Record<string, string | undefined> = {
    TASK_PREFIX: taskPrefix(cluster.prefix),
    CLUSTER: cluster.name,
    REGION: cluster.region,
  };
  const hints: Record<string, string> = {
    REGION: 'the region is unknown: set "region" in cluster.yaml or AWS_REGION',
  };
  if (used.includes('ACCOUNT_ID')) {
    try {
      builtins.ACCOUNT_ID = await ctx.accountId();
    } catch (e) {
      hints.ACCOUNT_ID = `cannot find the account id: ${(e as Error).message}`;
    }
  }
  const vars: Record<string, string | undefined> = { ...ctx.env };
  for (const [k, v] of Object.entries(builtins)) if (v !== undefined) vars[k] = v;
  let originalDoc: ParsedDocument | undefined;
  const fieldAt = (offset: number): string => {
    originalDoc ??= parseDocument(raw, { file: file.path });
    return formatFieldPath(originalDoc.pathAt(offset));
  };
  const rendered = renderTemplate(raw, vars, { file: file.path, hints, fieldAt });
  if (rendered.errors.length > 0) {
    errors.push(...rendered.errors);
    return undefined;
  }
  const doc = parseDocument(rendered.text, {
    file: file.path,
    original: { text: raw, mapOffset: rendered.mapOffset },
  });
  errors.push(...doc.errors);
  return doc.value === undefined ? undefined : doc;
}

const PINNED = /^[A-Za-z0-9_-]{1,255}:\d+$/;
/** `arn:aws:ecs:eu-west-1:123456789012:task-definition/family`, then `:revision` (group 2). */
const TASKDEF_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/([A-Za-z0-9_-]{1,255})(:\d+)?$/;

function resolveTaskDefinition(
  value: unknown,
  serviceName: string,
  ctx: ServiceContext,
  errorAt: ErrorAt,
  errors: SpecError[],
): TaskDefinitionRef | undefined {
  const { byBasename, byFamilyField, families } = ctx.families;
  if (value === undefined) {
    const family = byBasename.get(serviceName);
    if (family) return { kind: 'family', family };
    errors.push({
      ...errorAt(
        [],
        `no taskDefinition, and no ${serviceName}.taskdef to take it from: set "taskDefinition"`,
      ),
      field: 'taskDefinition',
    });
    return undefined;
  }
  if (typeof value !== 'string') return undefined; // the schema reported it
  if (value.startsWith('arn:')) {
    const m = TASKDEF_ARN.exec(value);
    if (m?.[2]) return { kind: 'pinned', value };
    errors.push(
      errorAt(
        ['taskDefinition'],
        m
          ? `the task definition ARN has no revision: end it with ":<revision>" (task-definition/${m[1]}:3); ` +
              'without one it never matches the live ARN and every apply would update the service'
          : `"${value}" is not a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)`,
      ),
    );
    return undefined;
  }
  if (PINNED.test(value)) return { kind: 'pinned', value };
  if (families.has(value)) return { kind: 'family', family: value };
  const byFile = byBasename.get(value);
  const byField = byFamilyField.get(value);
  if (byFile && byField && byFile !== byField) {
    errors.push(
      errorAt(
        ['taskDefinition'],
        `ambiguous reference: "${value}" is both ${families.get(byFile)!.fileName} (family ${byFile}) and ` +
          `the family field of ${families.get(byField)!.fileName} (family ${byField}); write the family name`,
      ),
    );
    return undefined;
  }
  const family = byFile ?? byField;
  if (family) return { kind: 'family', family };
  errors.push(
    errorAt(
      ['taskDefinition'],
      `dangling reference: no .taskdef in ${ctx.dir} defines the task definition "${value}"` +
        didYouMean(value, [...byBasename.keys(), ...byFamilyField.keys(), ...families.keys()]) +
        '; use family:revision or an ARN for one managed elsewhere',
    ),
  );
  return undefined;
}

/**
 * Cluster serviceDefaults fill the fields a service does not set. A service's launchType excludes
 * the default capacityProviderStrategy and the other way round. `desiredCount` is never merged: the
 * default is only the count a service starts with (the planner applies it at creation), so that
 * autoscaling owns the count of every service whose own file does not set one.
 * The default networkConfiguration goes only to services whose task definition is (or may be, when
 * its network mode is unknown) awsvpc: AWS rejects it for bridge, host and none.
 */
export function mergeServiceDefaults(
  body: ServiceBody,
  defaults: ServiceDefaults,
  taskdef: { networkMode?: string } = {},
): ServiceBody {
  const out: Record<string, unknown> = copyFields({}, body);
  for (const [k, v] of Object.entries(defaults)) {
    if (v === undefined || out[k] !== undefined) continue;
    if (k === 'desiredCount') continue;
    if (k === 'networkConfiguration' && taskdef.networkMode !== undefined && taskdef.networkMode !== 'awsvpc')
      continue;
    if (k === 'capacityProviderStrategy' && out.launchType !== undefined) continue;
    if (k === 'launchType' && out.capacityProviderStrategy !== undefined) continue;
    out[k] = cloneJson(v);
  }
  return out;
}

/** The service AUTOCREATE.SERVICE asks for: cluster defaults, the taskdef's family, one task by default. */
export function autocreatedService(
  taskdef: DesiredTaskDefinition,
  taskdefFileName: string,
  cluster: ClusterConfig,
  source: SourceRef,
): DesiredService {
  const { basename, family } = taskdef;
  const networkMode = taskdef.body.networkMode ?? 'bridge';
  return {
    name: basename,
    body: mergeServiceDefaults({}, cluster.serviceDefaults, { networkMode }),
    taskDefinition: { kind: 'family', family },
    tags: copyFields({}, cluster.tags, ownershipTags(cluster.ownerId, cluster.name, taskdefFileName)),
    autocreated: true,
    source,
  };
}
