import type { Service } from '../model/aws-types';
import { type DesiredState, type Lifecycle, lifecycleOf } from '../model/desired';
import { parseTaskDefinitionArn, shortTaskDefinition } from '../model/naming';
import type { ObservedState } from '../model/observed';
import { ownedBy, TAG_SOURCE, type TagMap } from '../model/ownership';
import { primaryRollout } from '../model/service-stability';
import { emptyAction } from './empty-action';
import type { OwnerRef, PlanError, PlannedAction } from './plan-types';
import { type FamilyRetention, hasCandidates, selectRevisions } from '../model/revision-retention';
import { sameRevisionContent } from './spec-hash';

/**
 * Pruning: what ecs-gitops owns in the cluster and no spec asks for any more. Pure.
 *
 * - A service whose file (or AUTOCREATE.SERVICE label) went away is scaled to 0, drained, deleted.
 *   When a service of the specs runs the same task definition family (the file was renamed), the old
 *   one is kept until the new one is stable, so that a rename is never an outage.
 * - Old revisions: see model/revision-retention.ts.
 * - `prune: false`: the same things are reported as `orphan` and nothing is deleted.
 * - Fail closed: specs that ask for no service while ecs-gitops owns services in the cluster (or for
 *   no task definition while it owns families) are a plan error unless `allowEmpty: true`: a wrong
 *   path or an empty checkout must not wipe a cluster.
 * Services and families that are not ours (no tags, another owner id, another cluster) are never
 * planned at all.
 */
export function planPrune(
  desired: DesiredState,
  observed: ObservedState,
  planned: ReadonlyMap<string, PlannedAction>,
  registering: ReadonlyMap<string, string> = new Map(),
): { actions: PlannedAction[]; errors: PlanError[] } {
  const cfg = desired.cluster;
  const life = lifecycleOf(cfg);
  const owner: OwnerRef = { ownerId: cfg.ownerId, cluster: cfg.name };
  const ours = [...(observed.extraServices ?? new Map<string, { service: Service; tags: TagMap }>())]
    .filter(([, s]) => ownedBy(s.tags, owner))
    .sort(([a], [b]) => a.localeCompare(b));
  const retention = observed.housekeeping
    ? selectRevisions(observed.housekeeping, {
        keep: life.keepRevisions,
        ...owner,
        registering: new Set(registering.keys()),
        same: sameRevisionContent,
      })
    : [];

  const wipe = wipeGuard(
    desired,
    ours.map(([n]) => n),
    retention,
  );
  if (wipe) return { actions: [], errors: [wipe] };

  const actions: PlannedAction[] = [];
  for (const [name, live] of ours) {
    actions.push(pruneService(desired, observed, name, live, planned, life.prune, owner));
  }
  for (const r of retention) {
    const registeredBy = registering.get(r.family);
    // After a new revision: once the family's register and its services' deploys are done.
    const after = registeredBy ? [registeredBy, ...deploysOf(desired, r.family, planned)] : [];
    const action = retentionAction(r, life, owner, after);
    if (action) actions.push(action);
  }
  return { actions, errors: [] };
}

/**
 * Fail closed: pruning everything of a kind looks more like a loading mistake (a wrong path, an
 * empty checkout, files moved) than an intent, unless the config says so (`allowEmpty`).
 */
function wipeGuard(
  desired: DesiredState,
  ours: readonly string[],
  retention: readonly FamilyRetention[],
): PlanError | undefined {
  const cfg = desired.cluster;
  const life = lifecycleOf(cfg);
  const noServices = desired.services.length === 0;
  const noFamilies = desired.taskDefinitions.length === 0;
  // Families that this plan would actually retire (not those whose revisions are all in use).
  const removedFamilies = noFamilies ? retention.filter((r) => r.removed && hasCandidates(r)) : [];
  const wiped = [
    noServices && ours.length > 0 ? `${ours.length} service(s) (${ours.join(', ')})` : '',
    removedFamilies.length > 0 ? `${removedFamilies.length} task definition family(ies)` : '',
  ].filter((x) => x !== '');
  if (life.prune && !life.allowEmpty && wiped.length > 0) {
    const asks =
      noServices && noFamilies
        ? 'ask for nothing (no task definition, no service)'
        : noServices
          ? 'ask for no service'
          : 'ask for no task definition';
    return {
      message:
        `the specs ${asks} while ecs-gitops owns ${wiped.join(' and ')} in cluster ${cfg.name}: ` +
        'refusing to prune them all (a wrong path or an empty checkout?). ' +
        'Set allowEmpty: true in the cluster config if the cluster really should be emptied',
      field: 'allowEmpty',
      source: cfg.source,
    };
  }
  return undefined;
}

/**
 * Old revisions of one family to deregister (and delete), or why they are kept. `registeredBy`: the
 * action registering the family's new revision in this plan; the old ones go only once it is done
 * (a failed register must not leave the family one revision short).
 */
function retentionAction(
  r: FamilyRetention,
  life: Lifecycle,
  owner: OwnerRef,
  after: string[],
): PlannedAction | undefined {
  const registeredBy = after[0];
  const action = emptyAction(`revisions/${r.family}`, 'revisions', r.family, undefined);
  const later = r.later > 0 ? ` (more on later reconciles)` : '';
  const why = r.removed
    ? `${r.family} is no longer in the specs`
    : `older than the newest ${life.keepRevisions} of ${r.family}${registeredBy ? ' (counting the new one)' : ''}`;
  const retiring = [...r.leftovers, ...r.deregister, ...r.duplicates];
  if (retiring.length > 0) {
    const changes = [
      ...r.leftovers.map((arn) => ({ path: listRevisions([arn]), before: 'INACTIVE', after: 'DELETED' })),
      ...[...r.deregister, ...r.duplicates].map((arn) => ({
        path: listRevisions([arn]),
        before: 'ACTIVE',
        after: life.deleteRevisions ? 'DELETED' : 'INACTIVE',
      })),
    ];
    const what = [
      r.deregister.length > 0 ? `deregister ${r.deregister.length} revision(s) ${why}` : '',
      r.duplicates.length > 0
        ? `deregister ${r.duplicates.length} unused duplicate(s) of the newest revision of ${r.family}`
        : '',
      r.leftovers.length > 0 ? `delete ${r.leftovers.length} deregistered revision(s)` : '',
    ]
      .filter((x) => x !== '')
      .join('; ');
    if (!life.prune)
      return { ...action, op: 'orphan', reason: `would ${what}; kept (prune: false)`, changes };
    return {
      ...action,
      op: 'delete',
      reason: `${what}: ${listRevisions(retiring)}${later}`,
      changes,
      ...(after.length > 0 ? { dependsOn: after } : {}),
      steps: [
        {
          call: 'retireRevisions',
          family: r.family,
          taskDefinitions: retiring,
          delete: life.deleteRevisions,
          owner,
        },
      ],
      ...(r.later > 0 ? { pending: 'more old revisions than one reconcile deregisters' } : {}),
    };
  }
  if (r.removed && r.inUse.length > 0) {
    return {
      ...action,
      reason: `${why}; kept while ${listRevisions(r.inUse)} ${r.inUse.length === 1 ? 'is' : 'are'} in use`,
    };
  }
  return undefined;
}

/** The actions of this plan that change the services running a family (its deploys). */
function deploysOf(
  desired: DesiredState,
  family: string,
  planned: ReadonlyMap<string, PlannedAction>,
): string[] {
  return desired.services
    .filter((s) => s.taskDefinition.kind === 'family' && s.taskDefinition.family === family)
    .map((s) => planned.get(s.name))
    .filter((a): a is PlannedAction => a !== undefined && a.steps.length > 0)
    .map((a) => a.id)
    .sort();
}

function pruneService(
  desired: DesiredState,
  observed: ObservedState,
  name: string,
  live: { service: Service; tags: TagMap },
  planned: ReadonlyMap<string, PlannedAction>,
  prune: boolean,
  owner: OwnerRef,
): PlannedAction {
  const from = live.tags[TAG_SOURCE];
  const action = emptyAction(`service/${name}`, 'service', name, undefined);
  const gone = `no spec asks for it any more${from ? ` (it came from ${from})` : ''}`;
  if (!prune) return { ...action, op: 'orphan', reason: `${gone}; kept (prune: false)` };
  if (live.service.status === 'DRAINING') {
    return { ...action, reason: 'being deleted (DRAINING)', pending: 'its tasks are stopping' };
  }
  const successors = unstableSuccessors(desired, observed, live.service, planned);
  if (successors.length > 0) {
    const list = successors.map((x) => `service/${x.name}`).join(', ');
    // A successor that cannot become stable on its own (a conflict, a failed rollout) needs a
    // person: the old service stays, reported, without a requeue every 30 s.
    const blocked = successors.filter((x) => x.blocked);
    return {
      ...action,
      reason:
        `${gone}; kept until ${list} (same task definition family) is stable, then pruned` +
        (blocked.length > 0
          ? ` (${blocked.map((x) => `service/${x.name} ${x.blocked ?? ''}`).join(', ')})`
          : ''),
      ...(blocked.length < successors.length ? { pending: `waiting for ${list} to be stable` } : {}),
    };
  }
  const count = live.service.desiredCount ?? 0;
  const daemon = live.service.schedulingStrategy === 'DAEMON';
  return {
    ...action,
    op: 'delete',
    reason: count > 0 && !daemon ? `${gone}: scale to 0, drain, delete` : `${gone}: delete`,
    // A DAEMON service has no count to scale: it is deleted as it is.
    changes: daemon ? [] : [{ path: 'desiredCount', before: count, after: 0 }],
    steps: [{ call: 'pruneService', cluster: desired.cluster.name, service: name, owner }],
  };
}

/**
 * Services of the specs that take over from this one (they run the same task definition family: a
 * renamed file) and are not stable yet: created or changed by this plan, or still rolling out.
 */
function unstableSuccessors(
  desired: DesiredState,
  observed: ObservedState,
  old: Service,
  planned: ReadonlyMap<string, PlannedAction>,
): { name: string; blocked?: string }[] {
  const family = parseTaskDefinitionArn(old.taskDefinition ?? '')?.family;
  if (!family) return [];
  const out: { name: string; blocked?: string }[] = [];
  for (const svc of desired.services) {
    const ref = svc.taskDefinition;
    const svcFamily =
      ref.kind === 'family'
        ? ref.family
        : (parseTaskDefinitionArn(ref.value)?.family ?? ref.value.split(':')[0]);
    if (svcFamily !== family) continue;
    const live = observed.services.get(svc.name);
    const action = planned.get(svc.name);
    if (action?.op === 'none' && live !== undefined && isStable(live.service)) continue;
    // Blocked: it cannot become stable without a new commit. A conflict that passes by itself (the
    // name still DRAINING) and a failed rollout this plan redeploys are not.
    if (action?.op === 'conflict' && !action.reason.startsWith('is DRAINING')) {
      out.push({ name: svc.name, blocked: 'is a conflict' });
    } else if (action?.op === 'none' && live && primaryRollout(live.service) === 'failed') {
      out.push({ name: svc.name, blocked: 'failed its rollout' });
    } else out.push({ name: svc.name });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether a live service's newest deployment is done (for the rename rule). */
export function isStable(service: Service): boolean {
  return primaryRollout(service) === 'completed';
}

/** `web:1, web:2, web:3` (at most `max`, then `…`). */
export function listRevisions(arns: readonly string[], max = 5): string {
  const shown = arns.slice(0, max).map(shortTaskDefinition);
  return arns.length > max ? `${shown.join(', ')}, … (${arns.length} in all)` : shown.join(', ');
}
