import type { Action } from '../model/aws-types';
import type { ClusterConfig } from '../model/desired';
import type { ListenerConfig, LoadBalancerConfig, ObservedLoadBalancer } from '../model/load-balancer';
import { mapToElbTags, ownershipOf, ownershipTags, TAG_OWNER } from '../model/ownership';
import { canonicalJson } from './json-util';
import { creationChanges } from './creation-changes';
import { emptyAction } from './empty-action';
import { arnRef, vpcRef } from './lb-refs';
import type { FieldChange, PlanError, PlannedAction, Step } from './plan-types';

/**
 * The balancer and its listeners: found (an existing balancer), or created and kept in step (one
 * ecs-gitops owns). Pure.
 */

export interface BalancerPlan {
  actions: PlannedAction[];
  errors: PlanError[];
  /** The balancer's ARN, or a reference to the action creating it; undefined: no balancer to use. */
  arn?: string;
  vpcId?: string;
  /** By port: the listener's ARN or a reference to the action creating it. */
  listeners: Map<number, { arn: string; actionId?: string }>;
  /** The id of the action that creates the balancer or a listener, when this plan does. */
  creating: string[];
}

/** The balancer's name as the action id uses it. */
export function balancerLabel(cfg: LoadBalancerConfig): string {
  const ref = cfg.ref;
  if (ref.kind === 'owned') return ref.name;
  return 'name' in ref ? ref.name : ref.arn;
}

export function planBalancer(
  cluster: ClusterConfig,
  cfg: LoadBalancerConfig,
  obs: ObservedLoadBalancer,
): BalancerPlan {
  const out: BalancerPlan = { actions: [], errors: [], listeners: new Map(), creating: [] };
  const ref = cfg.ref;
  const id = `loadBalancer/${balancerLabel(cfg)}`;
  const live = obs.balancer;
  if (ref.kind === 'existing') {
    if (!live) {
      out.errors.push({
        message: `load balancer ${balancerLabel(cfg)} not found`,
        field: 'name' in ref ? 'loadBalancer.name' : 'loadBalancer.arn',
        source: cfg.source,
      });
      return out;
    }
    out.arn = live.arn;
    out.vpcId = live.vpcId;
    for (const l of obs.listeners) out.listeners.set(l.port, { arn: l.arn });
    for (const l of cfg.listeners) {
      if (!out.listeners.has(l.port)) {
        out.errors.push({
          message: `load balancer ${live.name} has no listener on port ${l.port}`,
          field: 'loadBalancer.listeners',
          source: cfg.source,
        });
      }
    }
    return out;
  }

  const tags = { ...cluster.tags, ...ownershipTags(cluster.ownerId, cluster.name) };
  const action = emptyAction(id, 'loadBalancer', ref.name, cfg.source);
  if (!live) {
    const input = {
      Name: ref.name,
      Type: 'application' as const,
      Scheme: ref.scheme,
      IpAddressType: ref.ipAddressType,
      Subnets: [...ref.subnets].sort(),
      SecurityGroups: [...ref.securityGroups].sort(),
      Tags: mapToElbTags(tags),
    };
    out.actions.push({
      ...action,
      op: 'create',
      reason: 'does not exist',
      changes: creationChanges({
        scheme: ref.scheme,
        ipAddressType: ref.ipAddressType,
        subnets: input.Subnets,
        securityGroups: input.SecurityGroups,
      }),
      steps: [{ call: 'createLoadBalancer', input }],
    });
    out.arn = arnRef(id);
    out.vpcId = vpcRef(id);
    out.creating.push(id);
  } else {
    const owner = ownershipOf(live.tags, cluster.ownerId);
    if (owner !== 'ours') {
      const whose =
        owner === 'other-owner' ? `ecs-gitops owner "${live.tags[TAG_OWNER] ?? ''}"` : 'not ecs-gitops';
      out.errors.push({
        message: `a load balancer named ${ref.name} exists and is not this cluster's (${whose}): name another in loadBalancer.create.name`,
        field: 'loadBalancer.create.name',
        source: cfg.source,
      });
      return out;
    }
    out.arn = live.arn;
    out.vpcId = live.vpcId;
    const immutable: string[] = [];
    if (live.scheme !== ref.scheme) immutable.push(`scheme ${live.scheme} -> ${ref.scheme}`);
    if (immutable.length > 0) {
      out.errors.push({
        message: `load balancer ${ref.name}: ${immutable.join(', ')} cannot be changed in place; destroy the cluster's balancer first or name a new one`,
        field: 'loadBalancer.create.scheme',
        source: cfg.source,
      });
    }
    const steps: Step[] = [];
    const changes: FieldChange[] = [];
    const sameSet = (a: string[], b: string[]) =>
      canonicalJson([...a].sort()) === canonicalJson([...b].sort());
    if (!sameSet(live.securityGroups, ref.securityGroups)) {
      changes.push({
        path: 'securityGroups',
        before: [...live.securityGroups].sort(),
        after: [...ref.securityGroups].sort(),
      });
      steps.push({
        call: 'setSecurityGroups',
        input: { LoadBalancerArn: live.arn, SecurityGroups: [...ref.securityGroups].sort() },
      });
    }
    if (!sameSet(live.subnets, ref.subnets)) {
      changes.push({ path: 'subnets', before: [...live.subnets].sort(), after: [...ref.subnets].sort() });
      steps.push({
        call: 'setSubnets',
        input: { LoadBalancerArn: live.arn, Subnets: [...ref.subnets].sort() },
      });
    }
    out.actions.push(
      steps.length > 0
        ? {
            ...action,
            op: 'update',
            reason: changes.map((c) => c.path).join(', ') + ' differ',
            changes,
            steps,
          }
        : { ...action, reason: 'exists' },
    );
  }

  for (const l of cfg.listeners) planListener(cluster, cfg, l, obs, out, id);
  return out;
}

/** What a listener of an owned balancer answers when no rule matches. */
export function defaultActions(cfg: LoadBalancerConfig, l: ListenerConfig): Action[] {
  const https = cfg.listeners.find((x) => x.protocol === 'HTTPS');
  if (l.protocol === 'HTTP' && cfg.redirectHttpToHttps && https) {
    return [
      {
        Type: 'redirect',
        RedirectConfig: { Protocol: 'HTTPS', Port: String(https.port), StatusCode: 'HTTP_301' },
      },
    ];
  }
  return [
    {
      Type: 'fixed-response',
      FixedResponseConfig: {
        StatusCode: '404',
        ContentType: 'text/plain',
        MessageBody: 'no route for this host',
      },
    },
  ];
}

/** The parts of a default action that we set, for comparison (ELBv2 fills in defaults: Host, Path, Query). */
function actionShape(a: Action): unknown {
  if (a.Type === 'redirect') {
    const r = a.RedirectConfig;
    return { type: 'redirect', protocol: r?.Protocol, port: r?.Port, status: r?.StatusCode };
  }
  if (a.Type === 'fixed-response') {
    const f = a.FixedResponseConfig;
    return {
      type: 'fixed-response',
      status: f?.StatusCode,
      contentType: f?.ContentType,
      body: f?.MessageBody,
    };
  }
  return { type: a.Type };
}

function planListener(
  cluster: ClusterConfig,
  cfg: LoadBalancerConfig,
  l: ListenerConfig,
  obs: ObservedLoadBalancer,
  out: BalancerPlan,
  balancerAction: string,
): void {
  const id = `listener/${balancerLabel(cfg)}:${l.port}`;
  const action = emptyAction(id, 'listener', `${balancerLabel(cfg)}:${l.port}`, cfg.source);
  const live = obs.listeners.find((x) => x.port === l.port);
  const actions = defaultActions(cfg, l);
  const tls =
    l.protocol === 'HTTPS'
      ? {
          Certificates: [{ CertificateArn: l.certificateArn }],
          ...(l.sslPolicy ? { SslPolicy: l.sslPolicy } : {}),
        }
      : {};
  if (!live) {
    const creatingBalancer = out.creating.includes(balancerAction);
    const tags = { ...cluster.tags, ...ownershipTags(cluster.ownerId, cluster.name) };
    out.actions.push({
      ...action,
      op: 'create',
      reason: 'does not exist',
      changes: creationChanges({
        protocol: l.protocol,
        port: l.port,
        ...(l.certificateArn ? { certificateArn: l.certificateArn } : {}),
        ...(l.sslPolicy ? { sslPolicy: l.sslPolicy } : {}),
        defaultAction: actionShape(actions[0]) as object,
      }),
      dependsOn: creatingBalancer ? [balancerAction] : [],
      steps: [
        {
          call: 'createListener',
          input: {
            LoadBalancerArn: out.arn,
            Protocol: l.protocol,
            Port: l.port,
            DefaultActions: actions,
            ...tls,
            Tags: mapToElbTags(tags),
          },
        },
      ],
    });
    out.listeners.set(l.port, { arn: arnRef(id), actionId: id });
    out.creating.push(id);
    return;
  }
  out.listeners.set(l.port, { arn: live.arn });
  const changes: FieldChange[] = [];
  if (live.protocol !== l.protocol)
    changes.push({ path: 'protocol', before: live.protocol, after: l.protocol });
  if (l.protocol === 'HTTPS' && live.certificateArn !== l.certificateArn)
    changes.push({ path: 'certificateArn', before: live.certificateArn, after: l.certificateArn });
  if (l.sslPolicy !== undefined && live.sslPolicy !== l.sslPolicy)
    changes.push({ path: 'sslPolicy', before: live.sslPolicy, after: l.sslPolicy });
  const want = actionShape(actions[0]);
  const have = live.defaultActions[0] ? actionShape(live.defaultActions[0]) : undefined;
  if (canonicalJson(want) !== canonicalJson(have))
    changes.push({ path: 'defaultAction', before: have, after: want });
  if (changes.length === 0) {
    out.actions.push({ ...action, reason: 'exists' });
    return;
  }
  out.actions.push({
    ...action,
    op: 'update',
    reason: `${changes.map((c) => c.path).join(', ')} differ`,
    changes,
    steps: [
      {
        call: 'modifyListener',
        input: { ListenerArn: live.arn, Protocol: l.protocol, Port: l.port, DefaultActions: actions, ...tls },
      },
    ],
  });
}
