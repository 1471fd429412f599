import type { ClusterElb, ClusterElbBalancer } from '../model/cluster-elb';
import { TAG_ROUTE, type ObservedListener, type ObservedRule } from '../model/load-balancer';
import { ownedBy } from '../model/ownership';
import { emptyAction } from './empty-action';
import type { OwnerRef, PlanError, PlannedAction } from './plan-types';

/**
 * The load balancer part of `destroy` (docs/load-balancer.md): every rule of ours (on any balancer),
 * then every target group of ours, then a balancer of ours (DeleteLoadBalancer removes its
 * listeners), each after what it depends on, all after the services are drained. Refuses when
 * something not ours would be broken or would block a delete: a rule not ours on a balancer of ours,
 * or a rule or listener not ours forwarding to a target group of ours. Pure.
 */

export interface DestroyElbPlan {
  /** In order: rules, target groups, balancers (ours deleted, others shown as kept). */
  actions: PlannedAction[];
  errors: PlanError[];
  /** The ids of the deletions (the cluster's delete waits for them all). */
  deletions: string[];
}

export function planElbDestroy(owner: OwnerRef, elb: ClusterElb, drains: readonly string[]): DestroyElbPlan {
  const ours = (tags: Record<string, string>) => ownedBy(tags, owner);
  const groups = elb.targetGroups.filter((g) => ours(g.tags));
  const groupArns = new Set(groups.map((g) => g.arn));
  const errors: PlanError[] = [];
  const ids = new Set<string>();
  const unique = (id: string, alt: string) => (ids.has(id) ? `${id}@${alt}` : id);

  const rules: PlannedAction[] = [];
  /** Per balancer ARN: the ids of the rule deletions on it. */
  const rulesOn = new Map<string, string[]>();
  /** Per target group ARN: what not ours forwards to it. */
  const blockers = new Map<string, string[]>();
  for (const b of elb.balancers) {
    const owned = ours(b.tags);
    const foreign: string[] = [];
    for (const l of b.listeners) {
      for (const a of l.defaultActions) {
        for (const arn of forwardArns(a)) {
          if (groupArns.has(arn)) push(blockers, arn, `the default action of listener ${b.name}:${l.port}`);
        }
      }
      for (const r of l.rules) {
        if (!ours(r.tags)) {
          if (owned) foreign.push(describeRule(b, l, r));
          for (const arn of r.forwardTo)
            if (groupArns.has(arn)) push(blockers, arn, `rule ${describeRule(b, l, r)}`);
          continue;
        }
        const label = `${b.name}:${l.port}#${r.priority}`;
        const key = r.tags[TAG_ROUTE] ?? label;
        const id = unique(`listenerRule/${key}`, label);
        ids.add(id);
        push(rulesOn, b.arn, id);
        rules.push({
          ...emptyAction(id, 'listenerRule', key, undefined),
          op: 'delete',
          reason: `created by ecs-gitops: deleted (${label})`,
          changes: [{ path: 'hosts', before: r.hosts }],
          dependsOn: [...drains],
          steps: [{ call: 'deleteElbResource', kind: 'rule', arn: r.arn, owner, destroying: true }],
        });
      }
    }
    if (foreign.length > 0) {
      errors.push({
        message: `load balancer ${b.name} was created by ecs-gitops but has ${foreign.length} rule(s) that ecs-gitops does not own; it is never deleted while a rule it does not own is attached, so nothing is changed: ${foreign.join('; ')}`,
      });
    }
  }
  const ruleIds = rules.map((a) => a.id);

  const targetGroups: PlannedAction[] = [];
  const groupIdByArn = new Map<string, string>();
  for (const g of groups) {
    const blocked = blockers.get(g.arn);
    if (blocked) {
      errors.push({
        message: `target group ${g.name} was created by ecs-gitops, but what ecs-gitops does not own forwards to it, so nothing is changed: ${blocked.join('; ')}`,
      });
    }
    const id = unique(`targetGroup/${g.name}`, g.arn);
    ids.add(id);
    groupIdByArn.set(g.arn, id);
    targetGroups.push({
      ...emptyAction(id, 'targetGroup', g.name, undefined),
      op: 'delete',
      reason: 'created by ecs-gitops: deleted once no rule of ours forwards to it',
      changes: [{ path: 'port', before: g.port }],
      dependsOn: [...drains, ...ruleIds],
      steps: [{ call: 'deleteElbResource', kind: 'targetGroup', arn: g.arn, owner, destroying: true }],
    });
  }

  const balancers: PlannedAction[] = [];
  for (const b of elb.balancers) {
    const id = unique(`loadBalancer/${b.name}`, b.arn);
    ids.add(id);
    const action = emptyAction(id, 'loadBalancer', b.name, undefined);
    if (!ours(b.tags)) {
      balancers.push({
        ...action,
        reason: 'not created by ecs-gitops (for this cluster): kept, only our rules go',
      });
      continue;
    }
    // Its target groups: those that say they forward from it, and those its rules forward to.
    const forwardedTo = new Set(b.listeners.flatMap((l) => l.rules.flatMap((r) => r.forwardTo)));
    const its = groups
      .filter((g) => g.loadBalancerArns.includes(b.arn) || forwardedTo.has(g.arn))
      .map((g) => groupIdByArn.get(g.arn) ?? '');
    const ports = b.listeners.map((l) => l.port);
    balancers.push({
      ...action,
      op: 'delete',
      reason: `created by ecs-gitops: deleted with its ${ports.length} listener(s), after its rules and target groups`,
      changes: [{ path: 'listeners', before: ports }],
      dependsOn: [...new Set([...drains, ...(rulesOn.get(b.arn) ?? []), ...its])],
      steps: [{ call: 'deleteElbResource', kind: 'loadBalancer', arn: b.arn, owner, destroying: true }],
    });
  }

  const actions = [...rules, ...targetGroups, ...balancers];
  return { actions, errors, deletions: actions.filter((a) => a.op === 'delete').map((a) => a.id) };
}

function push(m: Map<string, string[]>, key: string, value: string): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

function forwardArns(a: ObservedListener['defaultActions'][number]): string[] {
  if (a.Type !== 'forward') return [];
  const arns = [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn)];
  return [...new Set(arns.filter((x): x is string => x !== undefined && x !== ''))];
}

/** A rule as a person finds it in the console: balancer, listener port, priority, hosts, ARN. */
function describeRule(b: ClusterElbBalancer, l: ObservedListener, r: ObservedRule): string {
  const hosts = r.hosts.length > 0 ? r.hosts.join(' ') : 'no host condition';
  return `${b.name}:${l.port} priority ${r.priority} (${hosts}) ${r.arn}`;
}
