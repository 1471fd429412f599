import type { CreateServiceRequest, Service } from '../model/aws-types';
import { lifecycleOf, type ClusterConfig, type DesiredState } from '../model/desired';
import {
  TAG_ROUTE,
  TAG_TARGET,
  type ObservedLoadBalancer,
  type ObservedRule,
  type ObservedTargetGroup,
} from '../model/load-balancer';
import type { ObservedState } from '../model/observed';
import { mapToElbTags, ownedBy, ownershipTags, type TagMap } from '../model/ownership';
import { creationChanges } from './creation-changes';
import { emptyAction } from './empty-action';
import {
  attributeChanges,
  healthCheckChanges,
  healthCheckInput,
  targetGroupAttributes,
} from './lb-attributes';
import { balancerLabel, planBalancer, type BalancerPlan } from './lb-balancer-planner';
import { desiredRouting, type DesiredRule, type DesiredTargetGroup } from './lb-desired';
import { allocatePriorities } from './lb-priorities';
import { arnRef } from './lb-refs';
import type { FieldChange, OwnerRef, PlanError, PlannedAction, Step } from './plan-types';
import { tagDrift } from './tag-drift';

/**
 * The shared load balancer's part of a cluster's plan (docs/load-balancer.md): the balancer and its
 * listeners (owned mode), a target group per `proxy.host` container port, host-header rules, and
 * which target groups each service is attached to. Removal goes service first (detach), then rule,
 * then target group, as `dependsOn`, so `diff` shows the order `apply` keeps. Pure.
 */

/** ELBv2's limit of rules per listener (the default rule not counted). */
export const RULES_PER_LISTENER = 100;

type LoadBalancerItem = NonNullable<CreateServiceRequest['loadBalancers']>[number];

export interface ServiceAttachment {
  /** What the service's `loadBalancers` should be. */
  loadBalancers: LoadBalancerItem[];
  /** Apply the grace period default (attaching, and the spec sets none). */
  attaching: boolean;
  /** Actions the service's create or update must wait for (target groups and rules it uses). */
  dependsOn: string[];
}

export interface LoadBalancerPlan {
  /** Balancer, listeners, target groups and rules being created or changed (before the services). */
  actions: PlannedAction[];
  /** Rule and target group removals: they wait for the services that let go of them. */
  removals: PlannedAction[];
  errors: PlanError[];
  /** By service name: only services whose `loadBalancers` ecs-gitops manages. */
  attachments: Map<string, ServiceAttachment>;
  /** Notes for services left alone (they write loadBalancers themselves). */
  notes: Map<string, string>;
}

const EMPTY: LoadBalancerPlan = {
  actions: [],
  removals: [],
  errors: [],
  attachments: new Map(),
  notes: new Map(),
};

export function planLoadBalancer(desired: DesiredState, observed: ObservedState): LoadBalancerPlan {
  const cluster = desired.cluster;
  const cfg = cluster.loadBalancer;
  if (!cfg) return EMPTY;
  const obs = observed.loadBalancer;
  if (!obs) {
    return {
      ...EMPTY,
      errors: [
        {
          message: 'a load balancer is configured but ELBv2 was not read',
          field: 'loadBalancer',
          source: cfg.source,
        },
      ],
    };
  }
  const balancer = planBalancer(cluster, cfg, obs);
  const plan: LoadBalancerPlan = {
    actions: [...balancer.actions],
    removals: [],
    errors: [...balancer.errors],
    attachments: new Map(),
    notes: new Map(),
  };
  if (balancer.arn === undefined || balancer.errors.length > 0) return plan;

  const routing = desiredRouting(desired, obs);
  for (const u of routing.unrouted) plan.notes.set(u.service, u.reason);
  for (const g of routing.targetGroups) {
    for (const port of g.listenPorts) {
      if (!balancer.listeners.has(port)) {
        plan.errors.push({
          message: `${g.service}: container ${g.container} asks for listener port ${port}, and load balancer ${balancerLabel(cfg)} has no listener on it`,
          field: g.field.replace('proxy.host', 'proxy.ports'),
          source: g.source,
        });
      }
    }
  }
  if (plan.errors.length > 0) return plan;

  const owner: OwnerRef = { ownerId: cluster.ownerId, cluster: cluster.name };
  const ours = (tags: TagMap) => ownedBy(tags, owner);
  const groups = planTargetGroups(cluster, obs, balancer, routing.targetGroups, ours, plan);
  const rules = planRules(cluster, obs, balancer, routing.rules, groups, ours, owner, plan);
  planAttachments(desired, observed, obs, routing.targetGroups, groups, rules, ours, plan);
  planGroupRemovals(observed, obs, routing.targetGroups, rules, ours, owner, plan);
  if (!lifecycleOf(cluster).prune) plan.removals = plan.removals.map(kept);
  return plan;
}

/** Per desired target group: its ARN (or a reference) and the action that creates or changes it. */
type GroupRefs = Map<string, { arn: string; actionId?: string }>;

function groupTags(cluster: ClusterConfig, g: DesiredTargetGroup): TagMap {
  return {
    ...cluster.tags,
    ...ownershipTags(cluster.ownerId, cluster.name, g.source.file),
    [TAG_TARGET]: g.key,
  };
}

function planTargetGroups(
  cluster: ClusterConfig,
  obs: ObservedLoadBalancer,
  balancer: BalancerPlan,
  wanted: readonly DesiredTargetGroup[],
  ours: (tags: TagMap) => boolean,
  plan: LoadBalancerPlan,
): GroupRefs {
  const refs: GroupRefs = new Map();
  const byName = new Map(obs.targetGroups.map((g) => [g.name, g]));
  for (const g of wanted) {
    const id = `targetGroup/${g.name}`;
    const action = emptyAction(id, 'targetGroup', g.name, g.source);
    const live = byName.get(g.name);
    const tags = groupTags(cluster, g);
    if (!live) {
      const previous = obs.targetGroups.find((x) => ours(x.tags) && x.tags[TAG_TARGET] === g.key);
      const input = {
        Name: g.name,
        Protocol: 'HTTP' as const,
        Port: g.containerPort,
        TargetType: g.targetType,
        VpcId: balancer.vpcId,
        ...healthCheckInput(g.settings.healthCheck),
        Tags: mapToElbTags(tags),
      };
      plan.actions.push({
        ...action,
        op: 'create',
        reason: previous ? `replaces ${previous.name} (${replacedBecause(previous, g)})` : 'does not exist',
        changes: creationChanges({
          service: g.service,
          container: g.container,
          port: g.containerPort,
          protocol: 'HTTP',
          targetType: g.targetType,
          healthCheck: g.settings.healthCheck,
          deregistrationDelaySeconds: g.settings.deregistrationDelaySeconds,
          // The cookie duration means nothing while stickiness is off.
          stickiness: g.settings.stickiness.enabled ? g.settings.stickiness : false,
        }),
        dependsOn: balancer.creating.filter((a) => a.startsWith('loadBalancer/')),
        steps: [{ call: 'createTargetGroup', input, attributes: targetGroupAttributes(g.settings) }],
      });
      refs.set(g.name, { arn: arnRef(id), actionId: id });
      continue;
    }
    refs.set(g.name, { arn: live.arn });
    if (!ours(live.tags)) {
      plan.errors.push({
        message: `target group ${g.name} exists and is not this cluster's: ecs-gitops names its target groups itself and never takes one over`,
        field: g.field,
        source: g.source,
      });
      continue;
    }
    const steps: Step[] = [];
    const changes: FieldChange[] = [];
    const health = healthCheckChanges(g.settings.healthCheck, live);
    if (health.length > 0) {
      changes.push(...health);
      steps.push({
        call: 'modifyTargetGroup',
        input: { TargetGroupArn: live.arn, ...healthCheckInput(g.settings.healthCheck) },
      });
    }
    const attrs = attributeChanges(g.settings, live);
    if (attrs.length > 0) {
      changes.push(...attrs);
      steps.push({
        call: 'modifyTargetGroupAttributes',
        arn: live.arn,
        attributes: targetGroupAttributes(g.settings),
      });
    }
    const drift = tagDrift(tags, live.tags, steps.length > 0);
    if (drift.changes.length > 0) {
      changes.push(...drift.changes);
      steps.push({ call: 'tagElbResource', arn: live.arn, tags: drift.tags });
    }
    if (steps.length === 0) {
      plan.actions.push({ ...action, reason: 'exists' });
      continue;
    }
    plan.actions.push({
      ...action,
      op: 'update',
      reason: `${changes.length} field${changes.length === 1 ? '' : 's'} differ`,
      changes,
      steps,
    });
    refs.set(g.name, { arn: live.arn, actionId: id });
  }
  return refs;
}

function replacedBecause(previous: ObservedTargetGroup, g: DesiredTargetGroup): string {
  const why: string[] = [];
  if (previous.targetType !== g.targetType)
    why.push(`target type ${previous.targetType ?? '?'} -> ${g.targetType}`);
  if (previous.port !== g.containerPort) why.push(`port ${previous.port ?? '?'} -> ${g.containerPort}`);
  if (previous.protocol !== undefined && previous.protocol !== 'HTTP')
    why.push(`protocol ${previous.protocol} -> HTTP`);
  if (why.length === 0) why.push('VPC changed');
  return `${why.join(', ')}: ELBv2 cannot change it in place`;
}

/** Per rule key: the action creating or changing it (for the services' dependencies). */
type RuleRefs = Map<string, { actionId?: string; targetGroup: string }>;

function planRules(
  cluster: ClusterConfig,
  obs: ObservedLoadBalancer,
  balancer: BalancerPlan,
  wanted: readonly DesiredRule[],
  groups: GroupRefs,
  ours: (tags: TagMap) => boolean,
  owner: OwnerRef,
  plan: LoadBalancerPlan,
): RuleRefs {
  const refs: RuleRefs = new Map();
  const tgNames = new Map(obs.targetGroups.map((g) => [g.arn, g.name]));
  for (const [port, listener] of [...balancer.listeners].sort(([a], [b]) => a - b)) {
    const live = obs.listeners.find((l) => l.arn === listener.arn);
    const liveRules = live?.rules ?? [];
    const mine = new Map<string, ObservedRule>();
    for (const r of liveRules) if (ours(r.tags) && r.tags[TAG_ROUTE]) mine.set(r.tags[TAG_ROUTE], r);
    const here = wanted.filter((r) => r.listenPort === port);
    const fresh = here.filter((r) => !mine.has(r.key));
    const priorities = allocatePriorities(
      liveRules.map((r) => r.priority),
      fresh.map((r) => ({ key: r.key, wildcard: r.wildcard })),
    );
    const keep = new Set(here.map((r) => r.key));
    const deleted = [...mine.values()].filter((r) => !keep.has(r.tags[TAG_ROUTE]));
    const total = liveRules.length - deleted.length + fresh.length;
    if (total > RULES_PER_LISTENER) {
      plan.errors.push({
        message: `listener ${port} would hold ${total} rules (${liveRules.length - [...mine.values()].length} not ecs-gitops's); ELBv2 allows ${RULES_PER_LISTENER}`,
        field: 'loadBalancer',
        source: cluster.loadBalancer?.source ?? cluster.source,
      });
      continue;
    }
    for (const r of here) {
      const id = `listenerRule/${r.key}`;
      const action = emptyAction(id, 'listenerRule', r.key, r.targetGroup.source);
      const group = groups.get(r.targetGroup.name);
      if (!group) continue; // its target group is in error
      const conditions = [{ Field: 'host-header', HostHeaderConfig: { Values: r.hosts } }];
      const actions = [{ Type: 'forward' as const, TargetGroupArn: group.arn }];
      const waitFor = [
        ...(group.actionId && group.arn.startsWith('{{') ? [group.actionId] : []),
        ...(listener.actionId ? [listener.actionId] : []),
      ];
      const existing = mine.get(r.key);
      if (!existing) {
        const priority = priorities.get(r.key) as number;
        const tags = {
          ...cluster.tags,
          ...ownershipTags(cluster.ownerId, cluster.name, r.targetGroup.source.file),
          [TAG_ROUTE]: r.key,
        };
        plan.actions.push({
          ...action,
          op: 'create',
          reason: 'does not exist',
          changes: creationChanges({ listener: port, priority, hosts: r.hosts, forward: r.targetGroup.name }),
          dependsOn: waitFor,
          steps: [
            {
              call: 'createRule',
              input: {
                ListenerArn: listener.arn,
                Priority: priority,
                Conditions: conditions,
                Actions: actions,
                Tags: mapToElbTags(tags),
              },
            },
          ],
        });
        refs.set(r.key, { actionId: id, targetGroup: r.targetGroup.name });
        continue;
      }
      const changes: FieldChange[] = [];
      if (existing.otherConditions || existing.hosts.join(',') !== r.hosts.join(',')) {
        changes.push({ path: 'hosts', before: existing.hosts, after: r.hosts });
      }
      const forwardsTo = existing.forwardTo.length === 1 ? existing.forwardTo[0] : undefined;
      if (forwardsTo !== group.arn) {
        changes.push({
          path: 'forward',
          before: existing.forwardTo.map((a) => tgNames.get(a) ?? a).join(', '),
          after: r.targetGroup.name,
        });
      }
      if (changes.length === 0) {
        plan.actions.push({ ...action, reason: `exists (priority ${existing.priority})` });
        refs.set(r.key, { targetGroup: r.targetGroup.name });
        continue;
      }
      plan.actions.push({
        ...action,
        op: 'update',
        reason: `${changes.map((c) => c.path).join(' and ')} differ (priority ${existing.priority} kept)`,
        changes,
        dependsOn: waitFor,
        steps: [
          { call: 'modifyRule', input: { RuleArn: existing.arn, Conditions: conditions, Actions: actions } },
        ],
      });
      refs.set(r.key, { actionId: id, targetGroup: r.targetGroup.name });
    }
    for (const r of deleted) {
      const key = r.tags[TAG_ROUTE];
      plan.removals.push({
        ...emptyAction(`listenerRule/${key}`, 'listenerRule', key, undefined),
        op: 'delete',
        reason: 'no proxy.host asks for it',
        changes: [{ path: 'hosts', before: r.hosts }],
        steps: [{ call: 'deleteElbResource', kind: 'rule', arn: r.arn, owner }],
      });
    }
  }
  return refs;
}

function planAttachments(
  desired: DesiredState,
  observed: ObservedState,
  obs: ObservedLoadBalancer,
  wanted: readonly DesiredTargetGroup[],
  groups: GroupRefs,
  rules: RuleRefs,
  ours: (tags: TagMap) => boolean,
  plan: LoadBalancerPlan,
): void {
  const ownedArns = new Set(obs.targetGroups.filter((g) => ours(g.tags)).map((g) => g.arn));
  for (const svc of desired.services) {
    if (plan.notes.has(svc.name)) continue;
    const mine = wanted.filter((g) => g.service === svc.name);
    const live = observed.services.get(svc.name)?.service;
    const liveItems = live?.loadBalancers ?? [];
    if (mine.length === 0) {
      // Detach what was ours (a label removed); anything else attached stays as it is. With
      // `prune: false` the route stays whole (service, rule, group), reported as kept.
      if (!lifecycleOf(desired.cluster).prune) continue;
      if (!liveItems.some((i) => i.targetGroupArn && ownedArns.has(i.targetGroupArn))) continue;
      plan.attachments.set(svc.name, {
        loadBalancers: liveItems.filter((i) => !(i.targetGroupArn && ownedArns.has(i.targetGroupArn))),
        attaching: false,
        dependsOn: [],
      });
      continue;
    }
    const dependsOn = new Set<string>();
    const items = mine.map((g) => {
      const ref = groups.get(g.name);
      if (ref?.actionId && ref.arn.startsWith('{{')) dependsOn.add(ref.actionId);
      return { targetGroupArn: ref?.arn ?? '', containerName: g.container, containerPort: g.containerPort };
    });
    // The target group must have a rule on the balancer before ECS accepts it.
    for (const [, r] of rules)
      if (r.actionId && mine.some((g) => g.name === r.targetGroup)) dependsOn.add(r.actionId);
    plan.attachments.set(svc.name, {
      loadBalancers: items,
      attaching: true,
      dependsOn: [...dependsOn].sort(),
    });
  }
}

/**
 * Target groups of ours that no container asks for any more: deleted after every rule of ours that
 * forwards to them is deleted or switched, and after every service that uses them let go of them.
 * One still used by a service outside the specs (being pruned) or by a rule that is not ours waits.
 */
function planGroupRemovals(
  observed: ObservedState,
  obs: ObservedLoadBalancer,
  wanted: readonly DesiredTargetGroup[],
  rules: RuleRefs,
  ours: (tags: TagMap) => boolean,
  owner: OwnerRef,
  plan: LoadBalancerPlan,
): void {
  const keep = new Set(wanted.map((g) => g.name));
  const ruleRemovals = new Map(
    plan.removals.flatMap((a) => {
      const step = a.steps[0];
      return step?.call === 'deleteElbResource' ? [[step.arn, a.id] as const] : [];
    }),
  );
  for (const g of obs.targetGroups) {
    if (keep.has(g.name) || !ours(g.tags)) continue;
    const id = `targetGroup/${g.name}`;
    const dependsOn = new Set<string>();
    const waiting: string[] = [];
    for (const l of obs.listeners) {
      for (const r of l.rules) {
        if (!r.forwardTo.includes(g.arn)) continue;
        const key = r.tags[TAG_ROUTE];
        const switched = key !== undefined && ours(r.tags) ? rules.get(key) : undefined;
        const removal = ruleRemovals.get(r.arn);
        if (removal) dependsOn.add(removal);
        else if (switched?.actionId) dependsOn.add(switched.actionId);
        else waiting.push(`rule ${r.arn.split('/').pop() ?? r.arn} (priority ${r.priority}) forwards to it`);
      }
    }
    for (const [name, s] of [...observed.services, ...(observed.extraServices ?? [])]) {
      if (!usesGroup(s.service, g.arn)) continue;
      const attachment = plan.attachments.get(name);
      if (attachment && !attachment.loadBalancers.some((i) => i.targetGroupArn === g.arn))
        dependsOn.add(`service/${name}`);
      else waiting.push(`service ${name} uses it`);
    }
    const action = emptyAction(id, 'targetGroup', g.name, undefined);
    if (waiting.length > 0) {
      plan.removals.push({
        ...action,
        reason: `no longer asked for; kept while ${waiting.join(', ')}`,
        pending: `target group ${g.name} waits: ${waiting.join(', ')}`,
      });
      continue;
    }
    plan.removals.push({
      ...action,
      op: 'delete',
      reason: 'no proxy.host asks for it',
      changes: [{ path: 'port', before: g.port }],
      dependsOn: [...dependsOn].sort(),
      steps: [{ call: 'deleteElbResource', kind: 'targetGroup', arn: g.arn, owner }],
    });
  }
}

/** `prune: false`: a removal is reported, never made. */
function kept(a: PlannedAction): PlannedAction {
  if (a.op !== 'delete' && a.pending === undefined) return a;
  const out: PlannedAction = {
    ...a,
    op: 'orphan',
    reason: `${a.reason}; kept (prune: false)`,
    steps: [],
    dependsOn: [],
  };
  delete out.pending;
  return out;
}

function usesGroup(s: Service, arn: string): boolean {
  return (s.loadBalancers ?? []).some((i) => i.targetGroupArn === arn);
}
