import { canonicalTaskCpu, canonicalTaskMemory } from '../model/task-size';
import { READ_ONLY_TASKDEF_FIELDS } from '../model/taskdef-fields';
import type { RegisterTaskDefinitionRequest, TaskDefinition } from '../model/aws-types';
import type { FieldChange } from './plan-types';
import { clone, deepEqual, isPlainObject, keyOf, pruneEmpty, sortBy, type Obj } from './json-util';

/**
 * Zero revision churn: the desired RegisterTaskDefinition body and the live revision
 * (DescribeTaskDefinition) are both put through `normalizeTaskDefinition` before comparing, so that
 * what AWS adds, reorders or spells differently is not taken for a change.
 */

export interface NormalizationRule {
  id: string;
  rule: string;
  example: string;
}

/** The rules as data: the tables in docs/zero-churn.md (`npm run docs`) and the tests use this list. */
export const TASKDEF_NORMALIZATION_RULES: readonly NormalizationRule[] = [
  {
    id: 'read-only-fields',
    rule:
      'Fields AWS adds to a registered revision are ignored: taskDefinitionArn, revision, status, requiresAttributes, ' +
      'compatibilities, registeredAt, registeredBy, deregisteredAt, deleteRequestedAt, tags; also `family` (compared by name elsewhere).',
    example: '`"revision": 7, "status": "ACTIVE"` = absent',
  },
  {
    id: 'essential-default',
    rule: 'Container `essential` absent = true.',
    example: '`{}` = `{"essential": true}`',
  },
  { id: 'container-cpu-default', rule: 'Container `cpu` absent = 0.', example: '`{}` = `{"cpu": 0}`' },
  {
    id: 'empty-equals-absent',
    rule: 'Empty arrays, empty objects and null equal absent, at every level.',
    example: '`"environment": [], "dockerLabels": {}, "linuxParameters": {"capabilities": {}}` = absent',
  },
  {
    id: 'port-protocol-default',
    rule: '`portMappings[].protocol` absent = "tcp".',
    example: '`{"containerPort": 80}` = `{"containerPort": 80, "protocol": "tcp"}`',
  },
  {
    id: 'host-port-default',
    rule: '`portMappings[].hostPort` absent = containerPort under `awsvpc` and `host` network modes, 0 (dynamic) under `bridge`.',
    example: 'awsvpc: `{"containerPort": 80}` = `{"containerPort": 80, "hostPort": 80}`',
  },
  { id: 'network-mode-default', rule: '`networkMode` absent = "bridge".', example: 'absent = `"bridge"`' },
  {
    id: 'order-insensitive-lists',
    rule:
      'Lists whose order means nothing are sorted: environment and secrets (by name), environmentFiles (by value), ' +
      'ulimits (by name), systemControls (by namespace), volumes (by name), extraHosts (by hostname), ' +
      'requiresCompatibilities, placementConstraints (by type and expression), dependsOn (by containerName), ' +
      'mountPoints (by containerPath), volumesFrom (by sourceContainer), linuxParameters.capabilities.add/drop. ' +
      'Order is kept for containers, dnsServers, command, entryPoint and portMappings.',
    example: '`[{"name":"B"},{"name":"A"}]` = `[{"name":"A"},{"name":"B"}]`',
  },
  {
    id: 'task-cpu-memory-units',
    rule: 'Task-level `cpu` and `memory` as AWS stores them: CPU units and MiB, as strings.',
    example: '`"0.25 vCPU"` = `"256"`, `"2 vcpu"` = `"2048"`, `"1 GB"` = `"1024"`, `"0.5 GB"` = `"512"`',
  },
  {
    id: 'read-only-default',
    rule: '`mountPoints[].readOnly` and `volumesFrom[].readOnly` absent = false.',
    example: '`{"sourceVolume": "data", "containerPath": "/data"}` = `{..., "readOnly": false}`',
  },
  {
    id: 'health-check-defaults',
    rule: '`healthCheck` absent interval = 30, timeout = 5, retries = 3 (startPeriod has no default).',
    example: '`{"command": [...]}` = `{"command": [...], "interval": 30, "timeout": 5, "retries": 3}`',
  },
  {
    id: 'volume-defaults',
    rule:
      'Volumes: `host: {}` = absent; efsVolumeConfiguration.rootDirectory absent = "/", transitEncryption absent = "DISABLED"; ' +
      'dockerVolumeConfiguration.scope absent = "task".',
    example: '`{"name": "data"}` = `{"name": "data", "host": {}}`',
  },
  {
    id: 'false-booleans',
    rule:
      'Container booleans that default to false are absent when false: privileged, readonlyRootFilesystem, ' +
      'disableNetworking, interactive, pseudoTerminal, linuxParameters.initProcessEnabled; ' +
      'and task-level enableFaultInjection (newer APIs return it as false).',
    example: '`"privileged": false` = absent',
  },
  {
    id: 'no-string-number-coercion',
    rule: 'Numbers given as strings where AWS stores numbers are not coerced: schema validation rejects them before planning.',
    example: '`"memory": "512"` on a container is a spec error, not a difference',
  },
];

/** What AWS adds to a revision, plus what is compared elsewhere (tags on their own, family by name). */
const READ_ONLY_FIELDS = [...READ_ONLY_TASKDEF_FIELDS, 'tags', 'family'];

const CONTAINER_FALSE_DEFAULTS = [
  'privileged',
  'readonlyRootFilesystem',
  'disableNetworking',
  'interactive',
  'pseudoTerminal',
];

/*
 * What AWS means when a field is absent. Normalization fills these in; `withoutTaskDefinitionDefaults`
 * (export) leaves them out. Both go through `visitDefaults`, so the two can never disagree.
 */
const TASK_DEFAULTS: Obj = { networkMode: 'bridge' };
const CONTAINER_DEFAULTS: Obj = { essential: true, cpu: 0 };
const HEALTH_CHECK_DEFAULTS: Obj = { interval: 30, timeout: 5, retries: 3 };
const READ_ONLY_DEFAULTS: Obj = { readOnly: false };
const EFS_DEFAULTS: Obj = { rootDirectory: '/', transitEncryption: 'DISABLED' };
const DOCKER_VOLUME_DEFAULTS: Obj = { scope: 'task' };

/** `protocol` is always tcp; `hostPort` is the containerPort under awsvpc and host, 0 (dynamic) under bridge. */
function portMappingDefaults(pm: Obj, networkMode: string): Obj {
  if (typeof pm.containerPort !== 'number') return { protocol: 'tcp' };
  const hostPort = networkMode === 'awsvpc' || networkMode === 'host' ? pm.containerPort : 0;
  return { protocol: 'tcp', hostPort };
}

type DefaultsVisitor = (target: Obj, defaults: Obj) => void;

const fillDefaults: DefaultsVisitor = (o, defaults) => {
  for (const [k, v] of Object.entries(defaults)) if (o[k] === undefined || o[k] === null) o[k] = clone(v);
};

const dropDefaults: DefaultsVisitor = (o, defaults) => {
  for (const [k, v] of Object.entries(defaults)) if (deepEqual(o[k], v)) delete o[k];
};

/** Every object of a task definition that has AWS defaults, with its defaults. Mutates through `visit`. */
function visitDefaults(td: Obj, visit: DefaultsVisitor): void {
  // Read before visiting the task level: dropping "bridge" must not change the host port defaults.
  const networkMode =
    typeof td.networkMode === 'string' ? td.networkMode : (TASK_DEFAULTS.networkMode as string);
  for (const c of objects(td.containerDefinitions)) {
    visit(c, CONTAINER_DEFAULTS);
    for (const pm of objects(c.portMappings)) visit(pm, portMappingDefaults(pm, networkMode));
    for (const m of [...objects(c.mountPoints), ...objects(c.volumesFrom)]) visit(m, READ_ONLY_DEFAULTS);
    if (isPlainObject(c.healthCheck)) visit(c.healthCheck, HEALTH_CHECK_DEFAULTS);
  }
  for (const v of objects(td.volumes)) {
    if (isPlainObject(v.efsVolumeConfiguration)) visit(v.efsVolumeConfiguration, EFS_DEFAULTS);
    if (isPlainObject(v.dockerVolumeConfiguration))
      visit(v.dockerVolumeConfiguration, DOCKER_VOLUME_DEFAULTS);
    // `host: {}` is pruned with every other empty object.
  }
  visit(td, TASK_DEFAULTS);
}

function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/**
 * The comparable form of a task definition: the same for the spec as written and for what AWS
 * returns after registering it. Never mutates its argument.
 */
export function normalizeTaskDefinition(
  x: RegisterTaskDefinitionRequest | TaskDefinition,
): Record<string, unknown> {
  const td = clone(x as unknown as Obj);
  for (const k of READ_ONLY_FIELDS) delete td[k];

  visitDefaults(td, fillDefaults);
  if (td.cpu !== undefined && td.cpu !== null) td.cpu = taskCpuUnits(td.cpu);
  if (td.memory !== undefined && td.memory !== null) td.memory = taskMemoryMiB(td.memory);
  if (td.enableFaultInjection === false) delete td.enableFaultInjection;

  if (Array.isArray(td.containerDefinitions)) {
    td.containerDefinitions = td.containerDefinitions.map(normalizeContainer);
  }
  if (Array.isArray(td.volumes)) td.volumes = sortBy(td.volumes, (v) => keyOf(v, 'name'));
  if (Array.isArray(td.requiresCompatibilities))
    td.requiresCompatibilities = sortStrings(td.requiresCompatibilities);
  if (Array.isArray(td.placementConstraints)) {
    td.placementConstraints = sortBy(td.placementConstraints, (p) => keyOf(p, 'type', 'expression'));
  }
  return (pruneEmpty(td) as Obj | undefined) ?? {};
}

/**
 * A task definition as a spec would say it: normalized (read-only fields gone, lists in order, task
 * cpu and memory in AWS units), then without the values AWS fills in by default. Normalizing the
 * result gives the normalized input back, so it registers nothing new (`export` relies on it).
 */
export function withoutTaskDefinitionDefaults(
  x: RegisterTaskDefinitionRequest | TaskDefinition,
): Record<string, unknown> {
  const td = normalizeTaskDefinition(x);
  visitDefaults(td, dropDefaults);
  return (pruneEmpty(td) as Obj | undefined) ?? {};
}

/** Order-insensitive lists sorted, and booleans that default to false removed. Defaults are filled already. */
function normalizeContainer(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const c = raw;
  for (const k of CONTAINER_FALSE_DEFAULTS) if (c[k] === false) delete c[k];
  if (Array.isArray(c.mountPoints)) {
    c.mountPoints = sortBy(c.mountPoints, (m) => keyOf(m, 'containerPath', 'sourceVolume'));
  }
  if (Array.isArray(c.volumesFrom)) {
    c.volumesFrom = sortBy(c.volumesFrom, (v) => keyOf(v, 'sourceContainer'));
  }
  if (isPlainObject(c.linuxParameters)) {
    const lp = c.linuxParameters;
    if (lp.initProcessEnabled === false) delete lp.initProcessEnabled;
    if (isPlainObject(lp.capabilities)) {
      const caps = lp.capabilities;
      if (Array.isArray(caps.add)) caps.add = sortStrings(caps.add);
      if (Array.isArray(caps.drop)) caps.drop = sortStrings(caps.drop);
    }
  }
  sortField(c, 'environment', 'name');
  sortField(c, 'secrets', 'name');
  sortField(c, 'environmentFiles', 'value', 'type');
  sortField(c, 'ulimits', 'name');
  sortField(c, 'systemControls', 'namespace');
  sortField(c, 'extraHosts', 'hostname', 'ipAddress');
  sortField(c, 'dependsOn', 'containerName');
  return c;
}

function sortField(o: Obj, field: string, ...keys: string[]): void {
  const v = o[field];
  if (Array.isArray(v)) o[field] = sortBy(v, (x) => keyOf(x, ...keys));
}

function sortStrings(v: unknown[]): unknown[] {
  return sortBy(v, (x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/** Task CPU as AWS stores it (model/task-size.ts); a spelling AWS rejects is left as given. */
export function taskCpuUnits(v: unknown): unknown {
  return typeof v === 'string' ? (canonicalTaskCpu(v) ?? v) : v;
}

/** Task memory as AWS stores it (model/task-size.ts); a spelling AWS rejects is left as given. */
export function taskMemoryMiB(v: unknown): unknown {
  return typeof v === 'string' ? (canonicalTaskMemory(v) ?? v) : v;
}

/** Keys that identify an item in a list of objects, tried in order; otherwise items are paired by index. */
const ITEM_KEYS = ['name', 'containerPath', 'containerName'];

/**
 * Leaf-level differences between the normalized desired body (`after`) and the normalized live
 * revision (`before`), with readable paths: `containerDefinitions[web].environment[JAVA_OPTS].value`.
 */
export function taskDefinitionDiff(
  desiredBody: RegisterTaskDefinitionRequest,
  liveTaskDef: TaskDefinition,
): FieldChange[] {
  const out: FieldChange[] = [];
  diffValues(normalizeTaskDefinition(liveTaskDef), normalizeTaskDefinition(desiredBody), '', out);
  return out;
}

/** Generic structural diff, shared with the service comparison. `before` is live, `after` desired. */
export function diffValues(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (deepEqual(before, after)) return;
  // A list of objects on one side only is compared item by item against an empty list.
  if (before === undefined && isObjectList(after)) before = [];
  if (after === undefined && isObjectList(before)) after = [];
  // An object field on one side only is shown key by key (`dockerLabels.tier`); a whole list item
  // (`containerDefinitions[sidecar]`) is shown as one value.
  if (!path.endsWith(']')) {
    if (before === undefined && isPlainObject(after)) before = {};
    if (after === undefined && isPlainObject(before)) after = {};
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) diffValues(before[k], after[k], join(path, k), out);
    return;
  }
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    [...(before as unknown[]), ...(after as unknown[])].every(isPlainObject)
  ) {
    const key = ITEM_KEYS.find(
      (k) => uniqueStringKey(before as Obj[], k) && uniqueStringKey(after as Obj[], k),
    );
    if (key) {
      const b = new Map((before as Obj[]).map((x) => [x[key] as string, x]));
      const a = new Map((after as Obj[]).map((x) => [x[key] as string, x]));
      for (const [k, x] of a) diffValues(b.get(k), x, `${path}[${k}]`, out);
      for (const [k, x] of b) if (!a.has(k)) diffValues(x, undefined, `${path}[${k}]`, out);
    } else {
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        diffValues(before[i], after[i], `${path}[${i}]`, out);
      }
    }
    return;
  }
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}

function isObjectList(v: unknown): v is Obj[] {
  return Array.isArray(v) && v.length > 0 && v.every(isPlainObject);
}

function uniqueStringKey(items: Obj[], key: string): boolean {
  const seen = new Set<string>();
  for (const x of items) {
    const v = x[key];
    if (typeof v !== 'string' || seen.has(v)) return false;
    seen.add(v);
  }
  return true;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
