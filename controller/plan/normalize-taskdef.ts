import { canonicalTaskCpu, canonicalTaskMemory } from '../model/task-size';
import { READ_ONLY_TASKDEF_FIELDS } from '../spec';
import type { RegisterTaskDefinitionRequest, TaskDefinition } from '@aws-sdk/client-ecs';
import type { FieldChange } from './plan-types';
import { clone, deepEqual, isPlainObject, keyOf, sortBy, type Obj } from './json-util';

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

/** The rules as data: the README table and the tests use this list. */
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

/**
 * The comparable form of a task definition: the same for the spec as written and for what AWS
 * returns after registering it. Never mutates its argument.
 */
export function normalizeTaskDefinition(
  x: RegisterTaskDefinitionRequest | TaskDefinition,
): Record<string, unknown> {
  const td = clone(x as unknown as Obj);
  for (const k of READ_ONLY_FIELDS) delete td[k];

  const networkMode = typeof td.networkMode === 'string' ? td.networkMode : 'bridge';
  td.networkMode = networkMode;
  if (td.cpu !== undefined && td.cpu !== null) td.cpu = taskCpuUnits(td.cpu);
  if (td.memory !== undefined && td.memory !== null) td.memory = taskMemoryMiB(td.memory);
  if (td.enableFaultInjection === false) delete td.enableFaultInjection;

  if (Array.isArray(td.containerDefinitions)) {
    td.containerDefinitions = td.containerDefinitions.map((c) => normalizeContainer(c, networkMode));
  }
  if (Array.isArray(td.volumes)) {
    td.volumes = sortBy(td.volumes.map(normalizeVolume), (v) => keyOf(v, 'name'));
  }
  if (Array.isArray(td.requiresCompatibilities))
    td.requiresCompatibilities = sortStrings(td.requiresCompatibilities);
  if (Array.isArray(td.placementConstraints)) {
    td.placementConstraints = sortBy(td.placementConstraints, (p) => keyOf(p, 'type', 'expression'));
  }
  return (prune(td) as Obj | undefined) ?? {};
}

function normalizeContainer(raw: unknown, networkMode: string): unknown {
  if (!isPlainObject(raw)) return raw;
  const c = raw;
  if (c.essential === undefined || c.essential === null) c.essential = true;
  if (c.cpu === undefined || c.cpu === null) c.cpu = 0;
  for (const k of CONTAINER_FALSE_DEFAULTS) if (c[k] === false) delete c[k];

  if (Array.isArray(c.portMappings)) {
    c.portMappings = (c.portMappings as unknown[]).map((pm): unknown => {
      if (!isPlainObject(pm)) return pm;
      if (pm.protocol === undefined || pm.protocol === null) pm.protocol = 'tcp';
      if ((pm.hostPort === undefined || pm.hostPort === null) && typeof pm.containerPort === 'number') {
        pm.hostPort = networkMode === 'awsvpc' || networkMode === 'host' ? pm.containerPort : 0;
      }
      return pm;
    });
  }
  if (Array.isArray(c.mountPoints)) {
    c.mountPoints = sortBy(c.mountPoints.map(defaultReadOnly), (m) =>
      keyOf(m, 'containerPath', 'sourceVolume'),
    );
  }
  if (Array.isArray(c.volumesFrom)) {
    c.volumesFrom = sortBy(c.volumesFrom.map(defaultReadOnly), (v) => keyOf(v, 'sourceContainer'));
  }
  if (isPlainObject(c.healthCheck)) {
    const hc = c.healthCheck;
    if (hc.interval === undefined || hc.interval === null) hc.interval = 30;
    if (hc.timeout === undefined || hc.timeout === null) hc.timeout = 5;
    if (hc.retries === undefined || hc.retries === null) hc.retries = 3;
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

function normalizeVolume(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const efs = raw.efsVolumeConfiguration;
  if (isPlainObject(efs)) {
    if (efs.rootDirectory === undefined || efs.rootDirectory === null) efs.rootDirectory = '/';
    if (efs.transitEncryption === undefined || efs.transitEncryption === null)
      efs.transitEncryption = 'DISABLED';
  }
  const docker = raw.dockerVolumeConfiguration;
  if (isPlainObject(docker) && (docker.scope === undefined || docker.scope === null)) docker.scope = 'task';
  // `host: {}` is pruned with every other empty object.
  return raw;
}

function defaultReadOnly(raw: unknown): unknown {
  if (isPlainObject(raw) && (raw.readOnly === undefined || raw.readOnly === null)) raw.readOnly = false;
  return raw;
}

function sortField(o: Obj, field: string, ...keys: string[]): void {
  const v = o[field];
  if (Array.isArray(v)) o[field] = sortBy(v, (x) => keyOf(x, ...keys));
}

function sortStrings(v: unknown[]): unknown[] {
  return sortBy(v, (x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/** Empty arrays, empty objects, null and undefined are removed, bottom up. */
function prune(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(prune).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  if (isPlainObject(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
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
