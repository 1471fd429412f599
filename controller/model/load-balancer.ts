import type { Action, Rule } from './aws-types';
import type { ProxyPort } from './dns';
import type { TagMap } from './ownership';
import type { SourceRef } from './source';

/**
 * The cluster's shared Application Load Balancer (cluster.yaml `loadBalancer:`, docs/load-balancer.md):
 * one target group per container port that serves `proxy.host` names, and host-header rules on the
 * balancer's listeners forwarding to them. Types only, no I/O.
 */

/** Health check of a target group (ELBv2 names, HTTP only). */
export interface HealthCheckSettings {
  path: string;
  /** HTTP codes, as ELBv2 writes them: `200`, `200-399`, `200,302`. */
  matcher: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
}

/** What a target group gets, from cluster.yaml defaults overridden per container by labels. */
export interface TargetGroupSettings {
  healthCheck: HealthCheckSettings;
  /** `deregistration_delay.timeout_seconds`. */
  deregistrationDelaySeconds: number;
  /** `stickiness.enabled` (lb_cookie) and `stickiness.lb_cookie.duration_seconds`. */
  stickiness: { enabled: boolean; durationSeconds: number };
}

/**
 * Defaults when cluster.yaml says nothing. The health check is AWS's own default for HTTP target
 * groups except the matcher (`200-399`: a redirect to a login page is a live app) and the interval
 * (15 s: a new task gets traffic in ~30 s rather than ~2.5 min); the deregistration delay is 30 s
 * instead of AWS's 300 s, so that a deployment of a web service does not wait five minutes per task.
 */
export const DEFAULT_TARGET_GROUP_SETTINGS: TargetGroupSettings = {
  healthCheck: {
    path: '/',
    matcher: '200-399',
    intervalSeconds: 15,
    timeoutSeconds: 5,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
  },
  deregistrationDelaySeconds: 30,
  stickiness: { enabled: false, durationSeconds: 86400 },
};

/** `healthCheckGracePeriodSeconds` a service gets when a load balancer is attached and it sets none. */
export const DEFAULT_HEALTH_CHECK_GRACE_SECONDS = 60;

/** One listener of the balancer, by port. */
export interface ListenerConfig {
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  /** HTTPS only: the default certificate. */
  certificateArn?: string;
  /** HTTPS only; absent: ELBv2's default policy. */
  sslPolicy?: string;
}

/** Which balancer: one that exists (only rules and target groups are added), or one ecs-gitops owns. */
export type LoadBalancerRef =
  | { kind: 'existing'; name: string }
  | { kind: 'existing'; arn: string }
  | {
      kind: 'owned';
      /** Default: `<cluster>` (sanitized to ELBv2's 32-character name rules). */
      name: string;
      subnets: string[];
      securityGroups: string[];
      scheme: 'internet-facing' | 'internal';
      ipAddressType: 'ipv4' | 'dualstack';
    };

/** cluster.yaml `loadBalancer:`, defaults filled in. */
export interface LoadBalancerConfig {
  ref: LoadBalancerRef;
  /**
   * Owned balancer: the listeners it has (default one HTTP listener on port 80). Existing balancer:
   * empty (its listeners are read), or the ports it must have (a missing one is a plan error).
   */
  listeners: ListenerConfig[];
  /** Owned balancer: the HTTP listener's default action redirects to the HTTPS one. */
  redirectHttpToHttps: boolean;
  /** Target group defaults (labels override them per container). */
  targetGroup: TargetGroupSettings;
  healthCheckGracePeriodSeconds: number;
  source: SourceRef;
}

/** The label overrides of one container (docs/load-balancer.md lists each label). */
export interface TargetGroupOverrides {
  healthCheck?: Partial<HealthCheckSettings>;
  deregistrationDelaySeconds?: number;
  stickiness?: { enabled: boolean; durationSeconds?: number };
}

/**
 * A container whose `proxy.host` names the balancer routes to it: filled by the spec loader for
 * every service's task definition, whether or not `loadBalancer:` is configured (only planned when
 * it is).
 */
export interface DesiredProxyTarget {
  service: string;
  container: string;
  /** Its `proxy.host` names, expanded, in compared form (lower case, no trailing dot), sorted. */
  hosts: string[];
  /** `proxy.ports` pairs (default `80:80`). */
  ports: ProxyPort[];
  /** The task definition's network mode: `awsvpc` gives `ip` targets, the others `instance`. */
  networkMode: 'awsvpc' | 'bridge' | 'host';
  overrides: TargetGroupOverrides;
  /** The `proxy.host` label (errors about this target point here). */
  source: SourceRef;
  /** Field path of the `proxy.host` label, for errors. */
  field: string;
}

/** A target group as read (health check and attributes in our names, AWS defaults as AWS reports them). */
export interface ObservedTargetGroup {
  arn: string;
  name: string;
  port?: number;
  protocol?: string;
  targetType?: string;
  vpcId?: string;
  healthCheck: Partial<HealthCheckSettings>;
  /** DescribeTargetGroupAttributes, Key -> Value; read only for the target groups that are ours. */
  attributes?: Record<string, string>;
  /** The balancers whose listeners or rules forward to it. */
  loadBalancerArns: string[];
  tags: TagMap;
}

/** A listener rule as read (the default rule is not listed: it is the listener's default action). */
export interface ObservedRule {
  arn: string;
  listenerArn: string;
  priority: number;
  /** Its host-header values in compared form (lower case, no trailing dot), sorted; empty when none. */
  hosts: string[];
  /** It has conditions other than one host-header (then it is never one of ours as planned). */
  otherConditions: boolean;
  /** Target group ARNs of its forward action (empty for other actions). */
  forwardTo: string[];
  tags: TagMap;
  /** The rule exactly as ELBv2 returned it. */
  raw: Rule;
}

export interface ObservedListener {
  arn: string;
  port: number;
  protocol: string;
  certificateArn?: string;
  sslPolicy?: string;
  defaultActions: Action[];
  /** Its rules other than the default one, by priority. */
  rules: ObservedRule[];
}

/** What ELBv2 has for one cluster's `loadBalancer:`. */
export interface ObservedLoadBalancer {
  /** Absent: no such balancer (owned: not created yet; existing: a plan error). */
  balancer?: {
    arn: string;
    name: string;
    dnsName: string;
    canonicalHostedZoneId: string;
    vpcId: string;
    scheme: string;
    ipAddressType: string;
    securityGroups: string[];
    /** Subnet ids of its availability zones. */
    subnets: string[];
    state: string;
    tags: TagMap;
  };
  listeners: ObservedListener[];
  /**
   * The target groups that forward from this balancer, plus every target group named
   * `<targetGroupStem(cluster)>-...` wherever it is: all of this cluster's own (one detached by an
   * interrupted removal is found too) and any other whose name the planner must not take. Which
   * are ours is in their tags; `attributes` is read only for those.
   */
  targetGroups: ObservedTargetGroup[];
}

/** On a target group ecs-gitops made: `<service>/<container>/<containerPort>`. */
export const TAG_TARGET = 'ecs-gitops:target';
/** On a listener rule ecs-gitops made: `<service>/<container>/<containerPort>@<listen port>#<n>`. */
export const TAG_ROUTE = 'ecs-gitops:route';
