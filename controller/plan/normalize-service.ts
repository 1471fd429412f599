import type { Service } from '../model/aws-types';
import type { DesiredService } from '../model/desired';
import { parseTaskDefinitionArn, shortTaskDefinition } from '../model/naming';
import type { FieldChange } from './plan-types';
import { clone, deepEqual, isPlainObject, keyOf, pruneEmpty, sortBy, type Obj } from './json-util';

/**
 * Services are compared only on the fields we manage. Objects compare as a "desired subset": only
 * the keys the desired object names (after defaults) are compared, because AWS fills in more.
 */

export interface ServiceFieldRule {
  field: string;
  /**
   * 'default': the value below is desired when the spec leaves the field out; 'unmanaged': left as
   * it is when the spec leaves it out; 'always-managed': comes from elsewhere (the task definition ref).
   */
  whenAbsent: 'default' | 'unmanaged' | 'always-managed';
  default?: unknown;
  /** Default for DAEMON services where it differs. */
  daemonDefault?: unknown;
  /** false: a difference is a conflict (ecs-gitops does not recreate services). */
  updatable: boolean;
  note?: string;
}

/** The rules as data: the tables in docs/zero-churn.md (`npm run docs`) and the tests use this list. */
export const SERVICE_FIELD_RULES: readonly ServiceFieldRule[] = [
  {
    field: 'desiredCount',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'absent: autoscaling (or people) own it; a new service starts with the body value or serviceDefaults.desiredCount',
  },
  {
    field: 'taskDefinition',
    whenAbsent: 'always-managed',
    updatable: true,
    note: 'always managed: the revision that matches the spec (or the pinned value)',
  },
  {
    field: 'deploymentConfiguration',
    whenAbsent: 'default',
    default: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    daemonDefault: {
      maximumPercent: 100,
      minimumHealthyPercent: 0,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    updatable: true,
    note: 'keys the spec leaves out take these defaults; keys AWS adds (alarms, strategy) are ignored',
  },
  { field: 'enableECSManagedTags', whenAbsent: 'default', default: false, updatable: true },
  { field: 'enableExecuteCommand', whenAbsent: 'default', default: false, updatable: true },
  { field: 'propagateTags', whenAbsent: 'default', default: 'NONE', updatable: true },
  // Unmanaged when absent: resetting these on a service that has them (an adopted one, or one whose
  // load balancer another tool attached) would detach its target group or kill tasks during health
  // checks. To remove them, write the empty value ([] or 0) in the spec.
  {
    field: 'healthCheckGracePeriodSeconds',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'write 0 to reset',
  },
  {
    field: 'placementConstraints',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'order-insensitive (type, expression); write [] to remove',
  },
  {
    field: 'placementStrategy',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'order matters; write [] to remove',
  },
  {
    field: 'loadBalancers',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'order-insensitive (target group or load balancer, container, port); write [] to remove',
  },
  {
    field: 'serviceRegistries',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'order-insensitive (registryArn); write [] to remove',
  },
  { field: 'schedulingStrategy', whenAbsent: 'default', default: 'REPLICA', updatable: false },
  { field: 'deploymentController', whenAbsent: 'default', default: { type: 'ECS' }, updatable: false },
  { field: 'launchType', whenAbsent: 'unmanaged', updatable: false },
  { field: 'role', whenAbsent: 'unmanaged', updatable: false, note: 'compared with the live roleArn' },
  {
    field: 'capacityProviderStrategy',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'order-insensitive (capacityProvider)',
  },
  {
    field: 'networkConfiguration',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'subnets and securityGroups order-insensitive; assignPublicIp compared only when given',
  },
  { field: 'platformVersion', whenAbsent: 'unmanaged', updatable: true },
  { field: 'availabilityZoneRebalancing', whenAbsent: 'unmanaged', updatable: true },
  {
    field: 'serviceConnectConfiguration',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'live value from the PRIMARY deployment',
  },
  {
    field: 'volumeConfigurations',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'live value from the PRIMARY deployment',
  },
  {
    field: 'vpcLatticeConfigurations',
    whenAbsent: 'unmanaged',
    updatable: true,
    note: 'live value from the PRIMARY deployment',
  },
  { field: '(any other field)', whenAbsent: 'unmanaged', updatable: true },
];

/** Fields whose live value lives on the PRIMARY deployment rather than on the service. */
const DEPLOYMENT_FIELDS = ['serviceConnectConfiguration', 'volumeConfigurations', 'vpcLatticeConfigurations'];

/** What AWS means when DescribeServices leaves these out. */
const LIVE_DEFAULTS: Obj = {
  healthCheckGracePeriodSeconds: 0,
  propagateTags: 'NONE',
  enableECSManagedTags: false,
  enableExecuteCommand: false,
  schedulingStrategy: 'REPLICA',
  deploymentController: { type: 'ECS' },
};

const IMMUTABLE = new Set(SERVICE_FIELD_RULES.filter((r) => !r.updatable).map((r) => r.field));

/** Not compared by the generic loop: handled on their own (or never part of a body). */
const SPECIAL = new Set([
  'desiredCount',
  'taskDefinition',
  'role',
  'tags',
  'clientToken',
  'cluster',
  'serviceName',
]);

/** The desired body with every defaulted field filled in (partial objects merged over their default). */
export function serviceBodyWithDefaults(desired: DesiredService): Obj {
  const body = clone(desired.body as Obj);
  const daemon = body.schedulingStrategy === 'DAEMON';
  for (const r of SERVICE_FIELD_RULES) {
    if (r.whenAbsent !== 'default') continue;
    const dflt = daemon && r.daemonDefault !== undefined ? r.daemonDefault : r.default;
    const v = body[r.field];
    if (v === undefined || v === null) body[r.field] = clone(dflt);
    else if (isPlainObject(v) && isPlainObject(dflt)) body[r.field] = mergeOver(dflt, v);
  }
  return body;
}

/**
 * deploymentConfiguration keys AWS reports on a service that never set them (alarms off, the rolling
 * strategy): the same as absent, so `withoutServiceDefaults` leaves them out.
 */
const AWS_DEPLOYMENT_DEFAULTS: Obj = {
  alarms: { alarmNames: [], enable: false, rollback: false },
  strategy: 'ROLLING',
};

/**
 * The inverse of `serviceBodyWithDefaults`, for `export`: a body without the values the 'default'
 * rules (and AWS, see LIVE_DEFAULTS) would put there anyway, and without empty values. Partial
 * objects lose only the top-level keys equal to their default (a circuit breaker stays whole: AWS
 * wants both of its keys). The defaults put back give the same comparison as the body itself.
 */
export function withoutServiceDefaults(body: Obj): Obj {
  const out = clone(body);
  const daemon = out.schedulingStrategy === 'DAEMON';
  for (const r of SERVICE_FIELD_RULES) {
    if (r.whenAbsent !== 'default') continue;
    const dflt = daemon && r.daemonDefault !== undefined ? r.daemonDefault : r.default;
    const v = out[r.field];
    if (isPlainObject(v) && isPlainObject(dflt)) {
      const extra = r.field === 'deploymentConfiguration' ? AWS_DEPLOYMENT_DEFAULTS : {};
      out[r.field] = Object.fromEntries(
        Object.entries(v).filter(
          ([k, x]) => !deepEqual(x, dflt[k]) && !deepEqual(pruneEmpty(x), pruneEmpty(extra[k])),
        ),
      );
    } else if (deepEqual(v, dflt)) delete out[r.field];
  }
  for (const [k, v] of Object.entries(LIVE_DEFAULTS)) if (deepEqual(out[k], v)) delete out[k];
  return (pruneEmpty(out) as Obj | undefined) ?? {};
}

function mergeOver(base: Obj, top: Obj): Obj {
  const out = clone(base);
  for (const [k, v] of Object.entries(top)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeOver(out[k], v) : clone(v);
  }
  return out;
}

/** Order-insensitive lists put in a canonical order, by field (applied to a copy of both sides). */
const SORTERS = new Map<string, (x: unknown) => unknown>([
  [
    'networkConfiguration',
    (x) => {
      if (isPlainObject(x) && isPlainObject(x.awsvpcConfiguration)) {
        const a = x.awsvpcConfiguration;
        for (const k of ['subnets', 'securityGroups']) {
          if (Array.isArray(a[k])) a[k] = sortBy(a[k] as unknown[], (s) => String(s));
        }
      }
      return x;
    },
  ],
  [
    'capacityProviderStrategy',
    (x) => (Array.isArray(x) ? sortBy(x, (i) => keyOf(i, 'capacityProvider')) : x),
  ],
  [
    'loadBalancers',
    (x) =>
      Array.isArray(x)
        ? sortBy(x, (i) =>
            isPlainObject(i)
              ? `${keyOf({ t: i.targetGroupArn ?? i.loadBalancerName }, 't')}\u0000${keyOf(i, 'containerName', 'containerPort')}`
              : '',
          )
        : x,
  ],
  ['serviceRegistries', (x) => (Array.isArray(x) ? sortBy(x, (i) => keyOf(i, 'registryArn')) : x)],
  ['placementConstraints', (x) => (Array.isArray(x) ? sortBy(x, (i) => keyOf(i, 'type', 'expression')) : x)],
]);

/** A copy of a field's value, its order-insensitive lists in canonical order (SORTERS). */
function sortSets(field: string, v: unknown): unknown {
  const x = clone(v);
  const sort = SORTERS.get(field);
  return sort ? sort(x) : x;
}

/**
 * The live service seen through the same field names as a CreateService body (the deployment fields
 * from the PRIMARY deployment, AWS's defaults where DescribeServices leaves a field out).
 */
export function liveServiceFields(live: Service): Obj {
  const out: Obj = { ...(live as Obj) };
  const primary = (live.deployments ?? []).find((d) => d.status === 'PRIMARY');
  for (const f of DEPLOYMENT_FIELDS) {
    if (out[f] === undefined && primary) out[f] = (primary as Obj)[f];
  }
  for (const [k, v] of Object.entries(LIVE_DEFAULTS)) if (out[k] === undefined || out[k] === null) out[k] = v;
  // AWS always reports deploymentConfiguration; a backend that leaves it out (moto does) is taken to
  // have AWS's default, as AWS itself would have stored it.
  if (out.deploymentConfiguration === undefined || out.deploymentConfiguration === null) {
    const rule = SERVICE_FIELD_RULES.find((r) => r.field === 'deploymentConfiguration');
    const daemon = out.schedulingStrategy === 'DAEMON';
    out.deploymentConfiguration = clone(
      daemon && rule?.daemonDefault !== undefined ? rule.daemonDefault : rule?.default,
    );
  }
  return out;
}

/** Is `live` what `desired` asks for, comparing only the keys desired names? */
export function subsetEqual(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    if (live === undefined || live === null) return desired.length === 0;
    return (
      Array.isArray(live) &&
      live.length === desired.length &&
      desired.every((d, i) => subsetEqual(d, live[i]))
    );
  }
  if (isPlainObject(desired)) {
    const l = isPlainObject(live) ? live : live === undefined || live === null ? {} : undefined;
    if (!l) return false;
    return Object.entries(desired).every(([k, v]) => v === undefined || subsetEqual(v, l[k]));
  }
  return deepEqual(desired, live);
}

/** Differences reported per leaf of desired objects; lists are reported whole. */
function subsetDiff(path: string, desired: unknown, live: unknown, out: FieldChange[]): void {
  if (subsetEqual(desired, live)) return;
  if (isPlainObject(desired) && (isPlainObject(live) || live === undefined || live === null)) {
    const l: Obj = isPlainObject(live) ? live : {};
    for (const [k, v] of Object.entries(desired))
      if (v !== undefined) subsetDiff(`${path}.${k}`, v, l[k], out);
    return;
  }
  const change: FieldChange = { path };
  if (live !== undefined && live !== null) change.before = live;
  change.after = desired;
  out.push(change);
}

/** Does the live service run the task definition we want? */
export function taskDefinitionMatches(desired: string, liveArn: string | undefined): boolean {
  if (liveArn === undefined) return false;
  if (desired.startsWith('arn:')) return desired === liveArn;
  const live = parseTaskDefinitionArn(liveArn);
  if (/:\d+$/.test(desired)) return shortTaskDefinition(liveArn) === desired;
  // A bare family: AWS resolves it to the newest ACTIVE revision; we only check the family.
  return live?.family === desired;
}

function roleMatches(desired: string, liveArn: string | undefined): boolean {
  if (liveArn === undefined) return false;
  return desired === liveArn || liveArn.endsWith(`/${desired}`);
}

function topField(path: string): string {
  return /^[^.[]+/.exec(path)?.[0] ?? path;
}

/**
 * Managed-field differences between a desired service and the live one. `changes` can be applied
 * with UpdateService; `immutable` cannot (launchType, schedulingStrategy, deploymentController,
 * role). Paths are dotted; `before` is live, `after` desired. The initial desired count only matters
 * on creation (an existing service without desiredCount in its spec keeps its count), so it is
 * accepted for symmetry with CreateService and not compared.
 */
export function serviceDiff(
  desired: DesiredService,
  desiredTaskDefinitionArn: string | undefined,
  live: Service,
): { changes: FieldChange[]; immutable: FieldChange[] } {
  const all: FieldChange[] = [];
  const body = serviceBodyWithDefaults(desired);
  const liveObj = liveServiceFields(live);

  if (body.desiredCount !== undefined && body.desiredCount !== live.desiredCount) {
    all.push({ path: 'desiredCount', before: live.desiredCount, after: body.desiredCount });
  }

  if (desiredTaskDefinitionArn === undefined) {
    const family = desired.taskDefinition.kind === 'family' ? desired.taskDefinition.family : undefined;
    all.push({
      path: 'taskDefinition',
      before: live.taskDefinition ? shortTaskDefinition(live.taskDefinition) : undefined,
      after: `${family ?? 'task definition'}:<new revision>`,
    });
  } else if (!taskDefinitionMatches(desiredTaskDefinitionArn, live.taskDefinition)) {
    all.push({
      path: 'taskDefinition',
      before: live.taskDefinition ? shortTaskDefinition(live.taskDefinition) : undefined,
      after: shortTaskDefinition(desiredTaskDefinitionArn),
    });
  }

  if (typeof body.role === 'string' && !roleMatches(body.role, live.roleArn)) {
    all.push({ path: 'role', before: live.roleArn, after: body.role });
  }

  for (const field of Object.keys(body).sort()) {
    if (SPECIAL.has(field)) continue;
    const d = body[field];
    if (d === undefined || d === null) continue;
    // A field sortSets leaves in its order and that matches needs no copies (nearly every field of a
    // converged service): sortSets' copy compares as the value itself.
    if (!SORTERS.has(field) && subsetEqual(d, liveObj[field])) continue;
    // deploymentController: only its type is compared (and it is immutable).
    subsetDiff(field, sortSets(field, d), sortSets(field, liveObj[field]), all);
  }

  const changes: FieldChange[] = [];
  const immutable: FieldChange[] = [];
  for (const c of all.map(dropUndefined)) (IMMUTABLE.has(topField(c.path)) ? immutable : changes).push(c);
  return { changes, immutable };
}

function dropUndefined(c: FieldChange): FieldChange {
  const out: FieldChange = { path: c.path };
  if (c.before !== undefined) out.before = c.before;
  if (c.after !== undefined) out.after = c.after;
  return out;
}

/** The top-level fields named by a list of changes: `deploymentConfiguration.maximumPercent` -> `deploymentConfiguration`. */
export function changedTopLevelFields(changes: readonly FieldChange[]): string[] {
  return [...new Set(changes.map((c) => topField(c.path)))];
}
