/** One `.taskdef` file -> a DesiredTaskDefinition. */
import type { RegisterTaskDefinitionRequest } from '../model/aws-types';
import { copyFields } from '../model/copy-fields';
import type { ClusterConfig, DesiredTaskDefinition } from '../model/desired';
import { FAMILY_PATTERN, prefixedFamily } from '../model/naming';
import type { SourceRef, SpecError } from '../model/source';
import { canonicalTaskCpu, canonicalTaskMemory } from '../model/task-size';
import type { SpecFile } from './discover';
import { diskFiles, type SpecFileSource } from './file-source';
import { type FieldPath, formatFieldPath } from './field-path';
import { type ContainerHostLabels, extractHostLabels } from './host-labels';
import { parseDocument, type ParsedDocument } from './parse-document';
import type { Position } from './positions';
import {
  checkFileTags,
  checkTagList,
  type ErrorAt,
  errorAtIn,
  isPlainObject,
  mergedTags,
  readSpecText,
} from './spec-helpers';
import { validateAgainstSchema } from './validate-schema';
import { AUTOCREATE_MARKER, READ_ONLY_TASKDEF_FIELDS } from '../model/taskdef-fields';

export interface TaskdefLoad {
  file: SpecFile;
  taskDefinition?: DesiredTaskDefinition;
  /** The prefixed family, whenever the file parsed (even with other errors). */
  family?: string;
  /** The file's own `family` field, unprefixed, when it has one. */
  familyField?: string;
  /** Where the family name was set, for collision errors. */
  familySource?: SourceRef & { field: string };
  /** Where AUTOCREATE.SERVICE first appears. */
  autocreateAt?: SourceRef;
  /** The containers with `proxy.host` / `dns.hostname` labels (set with taskDefinition). */
  hostLabels?: ContainerHostLabels[];
  /** Where a field of the body is in the file (set with taskDefinition): for the policy rules. */
  locate?: (path: FieldPath) => Position;
  errors: SpecError[];
  warnings: SpecError[];
}

export function loadTaskDefinition(
  file: SpecFile,
  cluster: ClusterConfig,
  files: SpecFileSource = diskFiles,
): TaskdefLoad {
  const result: TaskdefLoad = { file, errors: [], warnings: [] };
  const text = readSpecText(file.path, result.errors, files);
  if (text === undefined) return result;
  const doc = parseDocument(text, { file: file.path });
  result.errors.push(...doc.errors);
  if (doc.value === undefined) return result;
  const errorAt = errorAtIn(file.path, doc);
  if (!isPlainObject(doc.value)) {
    result.errors.push(errorAt([], 'expected an object: the body of a RegisterTaskDefinition request'));
    return result;
  }

  let prefix: FieldPath = [];
  let inner: Record<string, unknown>;
  let fileTags: unknown;
  const top = doc.value;
  if (isPlainObject(top.taskDefinition) && !('containerDefinitions' in top)) {
    // `aws ecs describe-task-definition --include TAGS` output: unwrap it.
    prefix = ['taskDefinition'];
    inner = copyFields({}, top.taskDefinition);
    fileTags = top.tags;
    for (const key of Object.keys(top)) {
      if (key !== 'taskDefinition' && key !== 'tags' && key !== '$schema') {
        result.errors.push(errorAt([key], `unknown field "${key}" next to "taskDefinition"`));
      }
    }
    const dropped = READ_ONLY_TASKDEF_FIELDS.filter((k) => k in inner);
    for (const k of dropped) delete inner[k];
    if (dropped.length > 0) {
      result.warnings.push(
        errorAt(prefix, `describe-task-definition output: ignoring read-only fields ${dropped.join(', ')}`),
      );
    }
    result.errors.push(...validateAgainstSchema('taskdef', inner, doc, prefix));
    result.errors.push(...checkTagList(fileTags, ['tags'], errorAt));
  } else {
    inner = copyFields({}, top);
    result.errors.push(...validateAgainstSchema('taskdef', inner, doc));
    fileTags = inner.tags;
  }
  delete inner.$schema;
  delete inner.tags;

  const familyField = typeof inner.family === 'string' ? inner.family : undefined;
  const family = prefixedFamily(cluster.prefix, familyField ?? file.basename);
  result.family = family;
  result.familyField = familyField;
  const familyPath = familyField !== undefined ? [...prefix, 'family'] : [];
  result.familySource = { file: file.path, ...doc.locate(familyPath), field: formatFieldPath(familyPath) };
  if (!FAMILY_PATTERN.test(family)) {
    result.errors.push(
      errorAt(familyPath, `family "${family}" is not valid: up to 255 letters, digits, "-" and "_"`),
    );
  }
  result.errors.push(...duplicateContainers(inner, prefix, errorAt));
  result.errors.push(...taskSizeSpelling(inner, prefix, errorAt));

  const tags = mergedTags(cluster, fileTags, file.name);
  result.errors.push(...checkFileTags(fileTags, tags, cluster, errorAt));

  // In a JSONC text without a backslash every key and string value is written as is: a text without
  // the marker has none in its value either, and its walk is skipped (half of a large cluster's files).
  const plainJsonc = doc.format === 'jsonc' && !text.includes('\\');
  const markerPath = plainJsonc && !text.includes(AUTOCREATE_MARKER) ? undefined : findMarker(inner);
  if (markerPath)
    result.autocreateAt = { file: file.path, ...markerPosition(doc, text, [...prefix, ...markerPath]) };

  if (result.errors.length > 0) return result;
  result.taskDefinition = {
    basename: file.basename,
    family,
    body: copyFields({}, inner, { family }) as unknown as RegisterTaskDefinitionRequest,
    tags,
    autocreateService: markerPath !== undefined,
    source: { file: file.path, ...doc.locate(prefix) },
  };
  result.hostLabels = extractHostLabels(inner, prefix, file.path, doc.locate);
  result.locate = (path) => doc.locate([...prefix, ...path]);
  return result;
}

/**
 * Task-level cpu and memory are strings in a few spellings; anything else AWS rejects at
 * registration (`"1 GiB"`, `"1024 units"`), so it is an error here, before any AWS call.
 */
function taskSizeSpelling(inner: Record<string, unknown>, prefix: FieldPath, errorAt: ErrorAt): SpecError[] {
  const errors: SpecError[] = [];
  if (typeof inner.cpu === 'string' && canonicalTaskCpu(inner.cpu) === undefined) {
    errors.push(
      errorAt(
        [...prefix, 'cpu'],
        `task cpu "${inner.cpu}" is not a spelling AWS accepts: write CPU units ("1024") or vCPUs ("1 vCPU")`,
      ),
    );
  }
  if (typeof inner.memory === 'string' && canonicalTaskMemory(inner.memory) === undefined) {
    errors.push(
      errorAt(
        [...prefix, 'memory'],
        `task memory "${inner.memory}" is not a spelling AWS accepts: write MiB ("2048") or GB ("2GB" or "2 GB")`,
      ),
    );
  }
  return errors;
}

function duplicateContainers(
  inner: Record<string, unknown>,
  prefix: FieldPath,
  errorAt: ErrorAt,
): SpecError[] {
  const errors: SpecError[] = [];
  const containers = inner.containerDefinitions;
  if (!Array.isArray(containers)) return errors;
  const seen = new Map<string, number>();
  containers.forEach((c: unknown, i) => {
    if (!isPlainObject(c) || typeof c.name !== 'string') return;
    const first = seen.get(c.name);
    if (first === undefined) seen.set(c.name, i);
    else {
      const firstField = formatFieldPath([...prefix, 'containerDefinitions', first, 'name']);
      errors.push(
        errorAt(
          [...prefix, 'containerDefinitions', i, 'name'],
          `duplicate container name "${c.name}" (also ${firstField})`,
        ),
      );
    }
  });
  return errors;
}

/**
 * Path of the first key or string value containing AUTOCREATE.SERVICE, depth first. One path is
 * pushed and popped while walking (copied only when found): this runs on every task definition.
 */
function findMarker(value: unknown, path: FieldPath = []): FieldPath | undefined {
  if (typeof value === 'string') return value.includes(AUTOCREATE_MARKER) ? [...path] : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const found = findMarker(value[i], path);
      path.pop();
      if (found) return found;
    }
  } else if (isPlainObject(value)) {
    // Own keys only: a "__proto__" key of the file becomes the parsed object's prototype.
    for (const k of Object.keys(value)) {
      if (k.includes(AUTOCREATE_MARKER)) return [...path, k];
      path.push(k);
      const found = findMarker(value[k], path);
      path.pop();
      if (found) return found;
    }
  }
  return undefined;
}

/** The position of the marker text itself (the key, or inside the value after the key). */
function markerPosition(
  doc: ParsedDocument,
  text: string,
  path: FieldPath,
): { line: number; column: number } {
  const from = doc.offsetOf(path);
  const at = text.indexOf(AUTOCREATE_MARKER, from);
  return at >= 0 ? doc.positionOf(at) : doc.locate(path);
}
