import { copyFields } from '../model/copy-fields';
import { creationChanges } from './creation-changes';
import { redactActions } from './redact-changes';
import { secretMatcher } from '../model/secret-detection';
import { emptyAction } from './empty-action';
import type {
  CapacityProviderStrategyItem,
  Cluster,
  CreateServiceRequest,
  Service,
  UpdateServiceRequest,
} from '../model/aws-types';
import type { ClusterConfig, DesiredService, DesiredState, DesiredTaskDefinition } from '../model/desired';
import { shortTaskDefinition } from '../model/naming';
import type { ObservedState, ObservedTaskDefinition } from '../model/observed';
import {
  mapToTags,
  ownershipOf,
  ownershipTags,
  TAG_COMMIT,
  TAG_OWNER,
  parsePruningMark,
  TAG_PRUNING,
  type TagMap,
} from '../model/ownership';
import { sortBy } from './json-util';
import { changedTopLevelFields, serviceBodyWithDefaults, serviceDiff } from './normalize-service';
import { taskDefinitionDiff } from './normalize-taskdef';
import { planDns } from './dns-planner';
import { planPrune } from './prune-planner';
import { planLoadBalancer, type LoadBalancerPlan } from './lb-planner';
import { planEvents } from './events-planner';
import { planEventsPrune } from './events-prune-planner';
import { EVENT_SOURCE_OWNED, TAG_EVENT_SOURCE, wantsOwnedEventSource } from '../model/events';
import type {
  FieldChange,
  Plan,
  PlanError,
  PlanInputs,
  PlannedAction,
  Step,
  TaskDefinitionFrom,
} from './plan-types';
import { tagDrift } from './tag-drift';
import { specHash } from './spec-hash';
import { serviceSpecHash, TAG_SPEC_HASH } from '../model/spec-hash-tag';

/**
 * The plan for one cluster directory: desired state vs observed state. Pure: same input, same plan.
 * Only the desired resources are looked at, except DNS: records we own (TXT ownership records) that no
 * host name claims any more are deleted under `dns.policy: sync` (dns-planner.ts).
 */
export function planCluster(desired: DesiredState, observed: ObservedState, inputs: PlanInputs = {}): Plan {
  const cfg = desired.cluster;
  const clusterAction = planClusterAction(cfg, observed);
  const actions: PlannedAction[] = [clusterAction];
  // The event source next: its events are of the services that follow (it depends on none of them).
  const events = planEvents(desired, observed);
  actions.push(...afterMarker(events.actions, clusterAction));

  const tdActions = new Map<string, PlannedAction>();
  const resolved = new Map<string, string>();
  const hashes = new Map<string, string>();
  for (const td of sortBy(desired.taskDefinitions, (t) => t.family)) {
    const hash = specHash(td);
    hashes.set(td.family, hash);
    const { action, arn } = planTaskDefinition(cfg, td, hash, observed, desired.commit);
    tdActions.set(td.family, action);
    if (arn) resolved.set(td.family, arn);
    actions.push(action);
  }

  // The load balancer before the services: they attach to its target groups.
  const lb = planLoadBalancer(desired, observed);
  actions.push(...lb.actions);

  const serviceActions = new Map<string, PlannedAction>();
  for (const svc of sortBy(pickServices(desired.services), (s) => s.name)) {
    const routed = withAttachment(cfg, svc, lb);
    const action = holdFailedRollout(
      planService(cfg, routed, observed, tdActions, resolved, hashes),
      inputs,
      desired,
    );
    const planned = withRouting(action, svc.name, lb);
    serviceActions.set(svc.name, planned);
    actions.push(planned);
  }
  // Removal order: a service lets go of a target group, then its rule goes, then the group.
  actions.push(...lb.removals.map((a) => afterServices(a, serviceActions)));

  const errors: PlanError[] = [...events.errors, ...lb.errors];
  // What ecs-gitops owns and the specs no longer ask for: removed services, old revisions.
  const registering = new Map(
    [...tdActions]
      .filter(([, a]) => a.steps.some((st) => st.call === 'registerTaskDefinition'))
      .map(([family, a]) => [family, a.id]),
  );
  const pruned = planPrune(desired, observed, serviceActions, registering);
  errors.push(...pruned.errors);
  actions.push(...pruned.actions.filter((a) => a.resource === 'service'));
  // DNS last: records point at what the services serve. Only when configured AND read.
  if (cfg.dns && !observed.dns) {
    // Fail closed: DNS is configured but was not read, so nothing about it can be decided.
    errors.push({
      message: 'DNS is configured but Route53 was not read',
      field: 'dns',
      source: cfg.dns.source,
    });
  } else if (cfg.dns && observed.dns) {
    const balancerCreated = lb.actions.some((a) => a.resource === 'loadBalancer' && a.op === 'create');
    const dns = planDns(desired, observed.dns, { balancerCreated });
    actions.push(...dns.actions);
    errors.push(...dns.errors);
  }

  // Housekeeping last: it runs after the real work.
  actions.push(...pruned.actions.filter((a) => a.resource !== 'service'));
  const retired = planEventsPrune(desired, observed);
  actions.push(...retired.actions);
  errors.push(...retired.errors);

  // Secrets leave the field diffs here, once, so that no output made from the plan can show one.
  const shown = redactActions(servicesWaitForCluster(actions), secretMatcher(cfg.redaction));
  const plan: Plan = { cluster: cfg.name, dir: cfg.dir, actions: shown, errors };
  if (cfg.region !== undefined) plan.region = cfg.region;
  if (cfg.redaction) plan.redaction = cfg.redaction;
  return plan;
}

/** The service as the load balancer wants it: its target groups, and a health check grace period. */
function withAttachment(cfg: ClusterConfig, svc: DesiredService, lb: LoadBalancerPlan): DesiredService {
  const att = lb.attachments.get(svc.name);
  if (!att) return svc;
  const grace =
    att.attaching && svc.body.healthCheckGracePeriodSeconds === undefined && cfg.loadBalancer
      ? { healthCheckGracePeriodSeconds: cfg.loadBalancer.healthCheckGracePeriodSeconds }
      : {};
  return { ...svc, body: { ...svc.body, loadBalancers: att.loadBalancers, ...grace } };
}

/** A service changed for its target groups waits for them (and their rules); a left-alone one says why. */
function withRouting(action: PlannedAction, service: string, lb: LoadBalancerPlan): PlannedAction {
  const note = lb.notes.get(service);
  if (note) return { ...action, reason: `${action.reason}; ${note}` };
  const att = lb.attachments.get(service);
  if (!att || action.steps.length === 0) return action;
  const dependsOn = [...new Set([...action.dependsOn, ...att.dependsOn])];
  return { ...action, dependsOn };
}

/** A rule or target group removal waits for the service of its target (detached first). */
function afterServices(removal: PlannedAction, services: Map<string, PlannedAction>): PlannedAction {
  if (removal.resource !== 'listenerRule' || removal.steps.length === 0) return removal;
  const service = services.get(removal.name.split('/')[0]);
  if (!service || service.steps.length === 0 || removal.dependsOn.includes(service.id)) return removal;
  return { ...removal, dependsOn: [...removal.dependsOn, service.id] };
}

/**
 * A service whose rollout failed for this commit is not deployed again until a new commit: no hot
 * loop redeploying a broken image on every resync. What it would change stays visible in `changes`.
 */
function holdFailedRollout(action: PlannedAction, inputs: PlanInputs, desired: DesiredState): PlannedAction {
  if (action.op !== 'update' || !inputs.failedRollouts?.includes(action.name)) return action;
  const commit = desired.commit ? ` for commit ${desired.commit.slice(0, 7)}` : '';
  return {
    ...action,
    op: 'none',
    steps: [],
    dependsOn: [],
    reason: `its rollout failed${commit}: waiting for a new commit`,
  };
}

/**
 * Services live in the cluster: when the plan creates it, or changes the capacity providers they
 * may use, every service change waits for that action and is skipped if it fails. A cluster tag
 * update blocks nothing. In the plan (not the executor) so that `diff` shows it.
 */
function servicesWaitForCluster(actions: PlannedAction[]): PlannedAction[] {
  const cluster = actions.find((a) => a.resource === 'cluster');
  const shapes =
    cluster?.op === 'create' || cluster?.steps.some((s) => s.call === 'putClusterCapacityProviders');
  if (!cluster || !shapes) return actions;
  return actions.map((a) =>
    a.resource === 'service' && a.steps.length > 0 && !a.dependsOn.includes(cluster.id)
      ? { ...a, dependsOn: [cluster.id, ...a.dependsOn] }
      : a,
  );
}

/**
 * One service per name: a `.service` file wins over `AUTOCREATE.SERVICE`. The loader already
 * resolves this; the planner keeps the rule so that a DesiredState built any other way (the library
 * API, tests) cannot plan two actions for one service.
 */
function pickServices(services: readonly DesiredService[]): DesiredService[] {
  const byName = new Map<string, DesiredService>();
  for (const s of services) {
    const seen = byName.get(s.name);
    if (!seen || (seen.autocreated && !s.autocreated)) byName.set(s.name, s);
  }
  return [...byName.values()];
}

/** Id of the action for a resource. */
export function actionId(resource: PlannedAction['resource'], name: string): string {
  return `${resource}/${name}`;
}

/** What goes into `taskDefinition` until the executor knows the ARN (see `taskDefinitionFrom`). */
export function taskDefinitionPlaceholder(family: string): string {
  return `${family}:<new revision>`;
}

// ---------------------------------------------------------------------------------------------
// Cluster

function clusterDesiredTags(cfg: ClusterConfig): TagMap {
  const marker: TagMap = wantsOwnedEventSource(cfg) ? { [TAG_EVENT_SOURCE]: EVENT_SOURCE_OWNED } : {};
  return { ...cfg.tags, ...ownershipTags(cfg.ownerId, cfg.name), ...marker };
}

/**
 * The event source is created only once the cluster carries its marker (model/events.ts): a
 * failure in between must not leave a rule and queues that no marker points at.
 */
function afterMarker(events: PlannedAction[], cluster: PlannedAction): PlannedAction[] {
  const marks =
    cluster.changes.some((c) => c.path === `tags[${TAG_EVENT_SOURCE}]`) || cluster.op === 'create';
  if (!marks) return events;
  return events.map((a) => (a.op === 'create' ? { ...a, dependsOn: [cluster.id, ...a.dependsOn] } : a));
}

function planClusterAction(cfg: ClusterConfig, observed: ObservedState): PlannedAction {
  const action = newAction('cluster', cfg.name, cfg.source);
  const live = observed.cluster;
  const tags = clusterDesiredTags(cfg);
  const capacity = desiredCapacity(cfg);
  if (!live) {
    return {
      ...action,
      op: 'create',
      reason: 'does not exist',
      changes: creationChanges({ ...capacity, tags }),
      steps: [
        { call: 'createCluster', input: { clusterName: cfg.name, ...capacity, tags: mapToTags(tags) } },
      ],
    };
  }
  const owner = ownershipOf(live.tags, cfg.ownerId);
  const arn = live.cluster.clusterArn ?? cfg.name;
  if (owner === 'unowned' && cfg.adopt) {
    // Only the tags: the capacity providers of a cluster taken over are managed from the next plan on.
    const drift = tagDrift(tags, live.tags);
    return {
      ...action,
      op: 'update',
      reason: 'adopt (no ownership tags)',
      changes: drift.changes,
      steps: [{ call: 'tagResource', arn, tags: drift.tags }],
      adopting: { arn, tags: drift.tags },
    };
  }
  if (owner !== 'ours') {
    if (owner === 'unowned') return { ...action, reason: 'exists, not created by ecs-gitops: left as is' };
    const other = live.tags[TAG_OWNER] ?? '';
    return {
      ...action,
      reason: `exists, owned by ecs-gitops owner "${other}": left as is`,
      otherOwner: other,
    };
  }
  const steps: Step[] = [];
  const changes: FieldChange[] = [];
  const reasons: string[] = [];
  const capacityChanges = capacityDiff(capacity, live.cluster);
  if (capacityChanges.length > 0) {
    changes.push(...capacityChanges);
    reasons.push(`capacity providers differ (${capacityChanges.map((c) => c.path).join(', ')})`);
    steps.push({
      call: 'putClusterCapacityProviders',
      input: {
        cluster: cfg.name,
        capacityProviders: capacity.capacityProviders ?? live.cluster.capacityProviders ?? [],
        defaultCapacityProviderStrategy:
          capacity.defaultCapacityProviderStrategy ?? live.cluster.defaultCapacityProviderStrategy ?? [],
      },
    });
  }
  const drift = tagDrift(tags, live.tags);
  if (drift.changes.length > 0) {
    changes.push(...drift.changes);
    reasons.push(`tags differ (${drift.keys.join(', ')})`);
    steps.push({ call: 'tagResource', arn: live.cluster.clusterArn ?? cfg.name, tags: drift.tags });
  }
  if (steps.length === 0) return { ...action, reason: 'exists' };
  return { ...action, op: 'update', reason: reasons.join('; '), changes, steps };
}

/** Capacity settings from cluster.yaml; a key is absent when the config leaves it unmanaged. */
function desiredCapacity(
  cfg: ClusterConfig,
): Pick<Cluster, 'capacityProviders' | 'defaultCapacityProviderStrategy'> {
  return {
    ...(cfg.capacityProviders ? { capacityProviders: cfg.capacityProviders } : {}),
    ...(cfg.defaultCapacityProviderStrategy
      ? { defaultCapacityProviderStrategy: cfg.defaultCapacityProviderStrategy }
      : {}),
  };
}

/** Order-insensitive comparison of the managed capacity settings (AWS fills base 0 and weight 0). */
function capacityDiff(
  desired: Pick<Cluster, 'capacityProviders' | 'defaultCapacityProviderStrategy'>,
  live: Cluster,
): FieldChange[] {
  const out: FieldChange[] = [];
  if (desired.capacityProviders) {
    const want = [...desired.capacityProviders].sort();
    const have = [...(live.capacityProviders ?? [])].sort();
    if (JSON.stringify(want) !== JSON.stringify(have))
      out.push({ path: 'capacityProviders', before: have, after: want });
  }
  if (desired.defaultCapacityProviderStrategy) {
    const norm = (items: readonly CapacityProviderStrategyItem[]) =>
      sortBy(
        items.map((i) => ({
          capacityProvider: i.capacityProvider,
          weight: i.weight ?? 0,
          base: i.base ?? 0,
        })),
        (i) => i.capacityProvider ?? '',
      );
    const want = norm(desired.defaultCapacityProviderStrategy);
    const have = norm(live.defaultCapacityProviderStrategy ?? []);
    if (JSON.stringify(want) !== JSON.stringify(have)) {
      out.push({ path: 'defaultCapacityProviderStrategy', before: have, after: want });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Task definitions

/** The action for a family, and the ARN its services should run when no registration is needed. */
function planTaskDefinition(
  cfg: ClusterConfig,
  td: DesiredTaskDefinition,
  hash: string,
  observed: ObservedState,
  commit: string | undefined,
): { action: PlannedAction; arn?: string } {
  const known = observed.knownByHash?.get(td.family);
  if (known && !observed.families.has(td.family)) {
    const action = newAction('taskDefinition', td.family, td.source);
    // The observer trusts a service's spec-hash tag only when it is this hash; anything else here
    // means the family was neither read nor known, and nothing can be decided about it.
    if (known.specHash !== hash) {
      return { action: { ...action, op: 'conflict', reason: 'its newest revision was not read' } };
    }
    // Known equal by hash (model/spec-hash-tag.ts): the revision the service runs is this spec.
    return {
      action: { ...action, reason: `matches ${shortTaskDefinition(known.taskDefinitionArn)}` },
      arn: known.taskDefinitionArn,
    };
  }
  const live = observed.families.get(td.family) ?? undefined;
  const planned = planTaskDefinitionAction(cfg, td, live, commit, hash);
  if (planned.op !== 'update' || !planned.steps.some((s) => s.call === 'registerTaskDefinition')) {
    return {
      action: planned,
      arn: planned.op === 'none' ? live?.taskDefinition.taskDefinitionArn : undefined,
    };
  }
  // The newest revision differs, but a service may already run an older one that matches (after a
  // rollback, or when another pipeline registered a revision): keep it rather than register a copy.
  const match = matchingRunningRevision(cfg, td, observed);
  if (!match) return { action: planned };
  const newest = shortTaskDefinition(live?.taskDefinition.taskDefinitionArn ?? td.family);
  return {
    action: {
      ...newAction('taskDefinition', td.family, td.source),
      reason: `matches ${shortTaskDefinition(match)}, which its services run (the newest, ${newest}, differs)`,
    },
    arn: match,
  };
}

function matchingRunningRevision(
  cfg: ClusterConfig,
  td: DesiredTaskDefinition,
  observed: ObservedState,
): string | undefined {
  const candidates = [...(observed.revisions?.values() ?? [])]
    .filter(
      (r) =>
        r.taskDefinition.family === td.family &&
        r.taskDefinition.status === 'ACTIVE' &&
        ownershipOf(r.tags, cfg.ownerId) === 'ours' &&
        taskDefinitionDiff(td.body, r.taskDefinition).length === 0,
    )
    .sort((a, b) => (b.taskDefinition.revision ?? 0) - (a.taskDefinition.revision ?? 0));
  return candidates[0]?.taskDefinition.taskDefinitionArn;
}

function planTaskDefinitionAction(
  cfg: ClusterConfig,
  td: DesiredTaskDefinition,
  live: ObservedTaskDefinition | undefined,
  commit: string | undefined,
  hash: string,
): PlannedAction {
  const action = newAction('taskDefinition', td.family, td.source);
  // The commit tag, like the source file, is provenance: written with a registration or a real tag
  // change, never a difference on its own (tag-drift.ts), so a new commit never causes tag churn.
  // So is the spec hash: a revision registered before it existed is not re-tagged for it.
  const registerTags = {
    ...td.tags,
    ...(commit ? { [TAG_COMMIT]: commit } : {}),
    [TAG_SPEC_HASH]: hash,
  };
  const register: Step = {
    call: 'registerTaskDefinition',
    input: { ...td.body, family: td.family, tags: mapToTags(registerTags) },
  };
  if (!live) {
    return {
      ...action,
      op: 'create',
      reason: 'new family',
      changes: creationChanges(td.body, ['family']),
      steps: [register],
    };
  }

  const current = shortTaskDefinition(live.taskDefinition.taskDefinitionArn ?? td.family);
  const taking = takeOver(cfg, live.tags, current);
  if (taking.conflict) return conflictOf(action, taking);
  const prefix = taking.adopting ? `adopt ${current} (no ownership tags); ` : '';

  const liveArn = live.taskDefinition.taskDefinitionArn ?? td.family;
  const drift = tagDrift(registerTags, live.tags);
  const adopting = taking.adopting ? { adopting: { arn: liveArn, tags: drift.tags } } : {};
  const changes = taskDefinitionDiff(td.body, live.taskDefinition);
  if (changes.length > 0) {
    return {
      ...action,
      op: 'update',
      reason: `${prefix}new revision: ${countFields(changes)} changed (${listPaths(changes)})`,
      changes,
      steps: [register],
      ...adopting,
    };
  }
  if (drift.changes.length > 0) {
    return {
      ...action,
      op: 'update',
      reason: `${prefix}tags differ on ${current} (${drift.keys.join(', ')})`,
      changes: drift.changes,
      steps: [{ call: 'tagResource', arn: liveArn, tags: drift.tags }],
      ...adopting,
    };
  }
  return { ...action, reason: `matches ${current}` };
}

// ---------------------------------------------------------------------------------------------
// Services

function planService(
  cfg: ClusterConfig,
  svc: DesiredService,
  observed: ObservedState,
  tdActions: Map<string, PlannedAction>,
  resolved: Map<string, string>,
  hashes: ReadonlyMap<string, string>,
): PlannedAction {
  const action = newAction('service', svc.name, svc.source);
  const ref = resolveTaskDefinition(svc, observed, tdActions, resolved);
  if ('conflict' in ref) return { ...action, op: 'conflict', reason: ref.conflict };
  svc = withSpecHash(svc, ref, hashes);

  const dependsOn: string[] = [];
  const from = ref.from;
  const tdValue = ref.arn ?? taskDefinitionPlaceholder(ref.family ?? svc.name);
  const live = observed.services.get(svc.name);

  if (!live) return planServiceCreate(cfg, svc, action, ref, tdValue);

  if (live.service.status === 'DRAINING') {
    return {
      ...action,
      op: 'conflict',
      reason: 'is DRAINING (being deleted); it can be created again once it is INACTIVE',
    };
  }
  const taking = takeOver(cfg, live.tags, `service ${svc.name}`);
  if (taking.conflict) return conflictOf(action, taking);
  const prefix = taking.adopting ? 'adopt (no ownership tags); ' : '';

  const diff = serviceDiff(svc, ref.arn, live.service);
  if (diff.immutable.length > 0) {
    return { ...action, op: 'conflict', reason: immutableReason(diff.immutable), changes: diff.immutable };
  }

  const steps: Step[] = [];
  const reasons: string[] = [];
  const liveArn = live.service.serviceArn ?? svc.name;
  const pruning = live.tags[TAG_PRUNING];
  if (pruning !== undefined) {
    // Its spec came back while it was being pruned: give it back its count (the spec's, else the one
    // it had), then drop the mark. Without this, a spec without desiredCount would leave it at 0.
    restoreCount(cfg, svc, live.service, pruning, diff.changes);
    reasons.push('back in the specs while being pruned: restored');
  }
  if (diff.changes.length > 0) {
    const update = updateServiceRequest(cfg, svc, diff.changes, tdValue);
    const usesNewRevision = from !== undefined && 'taskDefinition' in update;
    if (usesNewRevision) dependsOn.push(from.actionId);
    steps.push({
      call: 'updateService',
      input: update,
      ...(usesNewRevision ? { taskDefinitionFrom: from } : {}),
    });
    reasons.push(`${countFields(diff.changes)} changed (${listPaths(diff.changes)})`);
  }
  // The mark goes only after the count is back (steps run in order, and stop at a failure): a failed
  // update keeps the mark, so the next plan restores again.
  if (pruning !== undefined) steps.push({ call: 'untagResource', arn: liveArn, keys: [TAG_PRUNING] });
  // Provenance tags are refreshed only with a real change (the steps above, or another tag, or the
  // revision's tags: its spec hash changes with them).
  const familyChanged =
    from === undefined && ref.family !== undefined && tdActions.get(ref.family)?.op === 'update';
  const drift = tagDrift(svc.tags, live.tags, steps.length > 0 || familyChanged);
  if (drift.changes.length > 0) {
    // The spec hash names the new revision, whose ARN the executor fills in. With a new revision
    // the tags go first: a tag naming a revision the service does not run yet vouches for nothing
    // (the next read falls back), while one left behind by a lost answer to the update would be
    // stale until the next change.
    const fills = from !== undefined && drift.keys.includes(TAG_SPEC_HASH);
    const first = steps.length > 0 && steps[0].call === 'updateService' && 'taskDefinition' in steps[0].input;
    steps.splice(first ? 0 : steps.length, 0, {
      call: 'tagResource',
      arn: liveArn,
      tags: drift.tags,
      ...(fills ? { taskDefinitionFrom: from } : {}),
    });
    // The spec hash alone is bookkeeping of the change named before it: shown in the changes only.
    const named = drift.keys.filter((k) => k !== TAG_SPEC_HASH || reasons.length === 0);
    if (named.length > 0) reasons.push(`tags differ (${named.join(', ')})`);
  }
  if (steps.length === 0) return { ...action, reason: `matches; runs ${runningRevision(live.service)}` };
  return {
    ...action,
    op: 'update',
    reason: prefix + reasons.join('; '),
    changes: [...diff.changes, ...drift.changes],
    dependsOn,
    steps,
    ...(taking.adopting ? { adopting: { arn: liveArn, tags: drift.tags } } : {}),
  };
}

function planServiceCreate(
  cfg: ClusterConfig,
  svc: DesiredService,
  action: PlannedAction,
  ref: Exclude<ResolvedRef, { conflict: string }>,
  tdValue: string,
): PlannedAction {
  const from = ref.from;
  const input = createServiceRequest(cfg, svc, tdValue);
  const step: Step = { call: 'createService', input, ...(from ? { taskDefinitionFrom: from } : {}) };
  const using = ref.arn ? shortTaskDefinition(ref.arn) : `the new revision of ${ref.family ?? '?'}`;
  return {
    ...action,
    op: 'create',
    reason: `does not exist; will run ${using}`,
    changes: creationChanges(input, ['clientToken', 'cluster', 'serviceName', 'tags']),
    dependsOn: from ? [from.actionId] : [],
    steps: [step],
  };
}

/**
 * Adds the desiredCount change that undoes a prune's scale-down (unless the spec's own diff already
 * sets it): the spec's count when it has one, else the count recorded in the pruning mark.
 */
function restoreCount(
  cfg: ClusterConfig,
  svc: DesiredService,
  live: Service,
  mark: string,
  changes: FieldChange[],
): void {
  if (live.schedulingStrategy === 'DAEMON' || changes.some((c) => c.path === 'desiredCount')) return;
  const count = svc.body.desiredCount ?? parsePruningMark(mark)?.count ?? cfg.serviceDefaults.desiredCount;

  if ((live.desiredCount ?? 0) !== count)
    changes.push({ path: 'desiredCount', before: live.desiredCount, after: count });
}

/**
 * The service with its spec-hash tag (model/spec-hash-tag.ts): the hash of its family's spec and
 * the revision it will run (a placeholder until the executor knows a new one). Only for a family
 * of the specs; a pinned revision is read anyway.
 */
function withSpecHash(
  svc: DesiredService,
  ref: Exclude<ResolvedRef, { conflict: string }>,
  hashes: ReadonlyMap<string, string>,
): DesiredService {
  const hash =
    ref.family !== undefined && svc.taskDefinition.kind === 'family' ? hashes.get(ref.family) : undefined;
  if (hash === undefined || ref.family === undefined) return svc;
  const revision = ref.arn ? shortTaskDefinition(ref.arn) : taskDefinitionPlaceholder(ref.family);
  const tags = copyFields<TagMap>({}, svc.tags, { [TAG_SPEC_HASH]: serviceSpecHash(hash, revision) });
  return { ...svc, tags };
}

type ResolvedRef =
  | { conflict: string }
  /** arn undefined: a new revision of `family` is registered by `from.actionId`. */
  | { arn?: string; family?: string; from?: TaskDefinitionFrom };

function resolveTaskDefinition(
  svc: DesiredService,
  observed: ObservedState,
  tdActions: Map<string, PlannedAction>,
  resolved: Map<string, string>,
): ResolvedRef {
  const ref = svc.taskDefinition;
  if (ref.kind === 'pinned') return { arn: ref.value };
  const family = ref.family;
  const tdAction = tdActions.get(family);
  if (tdAction?.op === 'conflict') {
    return { conflict: `its task definition ${family} is not ours (${tdAction.reason})` };
  }
  if (tdAction?.steps.some((s) => s.call === 'registerTaskDefinition')) {
    return { family, from: { actionId: tdAction.id } };
  }
  const arn = resolved.get(family) ?? observed.families.get(family)?.taskDefinition.taskDefinitionArn;
  if (!arn)
    return { conflict: `its task definition family ${family} is neither in the specs nor registered in AWS` };
  return { arn, family };
}

/** The deterministic CreateService request, client token included. */
export function createServiceRequest(
  cfg: ClusterConfig,
  svc: DesiredService,
  taskDefinition: string,
): CreateServiceRequest {
  const body = { ...svc.body };
  const req: CreateServiceRequest = {
    cluster: cfg.name,
    serviceName: svc.name,
    taskDefinition,
    tags: mapToTags(svc.tags),
    ...body,
  };
  // DAEMON services run one task per instance: AWS rejects a desired count for them.
  if (body.schedulingStrategy !== 'DAEMON')
    req.desiredCount = body.desiredCount ?? cfg.serviceDefaults.desiredCount;
  // No clientToken here: the executor gives each attempt at creating a fresh one (a plan is pure,
  // and a token derived from the request would be reused when the same service is created again).
  return req;
}

function updateServiceRequest(
  cfg: ClusterConfig,
  svc: DesiredService,
  changes: FieldChange[],
  taskDefinition: string,
): UpdateServiceRequest {
  const body = serviceBodyWithDefaults(svc);
  const req: Record<string, unknown> = { cluster: cfg.name, service: svc.name };
  for (const field of changedTopLevelFields(changes)) {
    req[field] = field === 'taskDefinition' ? taskDefinition : body[field];
  }
  // The count a change asks for: the spec's, or the one a prune took away (restoreCount), which is
  // in no spec body.
  const count = changes.find((c) => c.path === 'desiredCount');
  if (count) req.desiredCount = count.after;
  return req as unknown as UpdateServiceRequest;
}

function immutableReason(immutable: FieldChange[]): string {
  const parts = immutable.map((c) => `${c.path} (${show(c.before)} → ${show(c.after)})`);
  return `cannot change ${parts.join(', ')} on an existing service; ecs-gitops does not recreate services`;
}

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function runningRevision(live: Service): string {
  return live.taskDefinition ? shortTaskDefinition(live.taskDefinition) : 'no task definition';
}

// ---------------------------------------------------------------------------------------------
// Shared

function newAction(
  resource: PlannedAction['resource'],
  name: string,
  source: PlannedAction['source'],
): PlannedAction {
  return emptyAction(actionId(resource, name), resource, name, source);
}

function conflictOf(
  action: PlannedAction,
  taking: { conflict?: string; otherOwner?: string },
): PlannedAction {
  return {
    ...action,
    op: 'conflict',
    reason: taking.conflict ?? '',
    ...(taking.otherOwner !== undefined ? { otherOwner: taking.otherOwner } : {}),
  };
}

/** Ours; or unowned and `adopt` is set (we take it over); else a conflict explaining whose it is. */
function takeOver(
  cfg: ClusterConfig,
  tags: TagMap,
  what: string,
): { adopting: boolean; conflict?: string; otherOwner?: string } {
  const owner = ownershipOf(tags, cfg.ownerId);
  if (owner === 'ours') return { adopting: false };
  if (owner === 'unowned') {
    if (cfg.adopt) return { adopting: true };
    return {
      adopting: false,
      conflict: `${what} exists without ecs-gitops ownership tags (not created by ecs-gitops); set adopt: true in the cluster config to take it over`,
    };
  }
  return {
    adopting: false,
    conflict: `${what} belongs to ecs-gitops owner "${tags[TAG_OWNER] ?? ''}", not "${cfg.ownerId}"`,
    otherOwner: tags[TAG_OWNER] ?? '',
  };
}

function countFields(changes: FieldChange[]): string {
  return changes.length === 1 ? '1 field' : `${changes.length} fields`;
}

function listPaths(changes: FieldChange[], max = 3): string {
  const paths = changes.map((c) => c.path);
  return paths.length > max ? `${paths.slice(0, max).join(', ')}, …` : paths.join(', ');
}
