import type {
  Action,
  CreateTargetGroupInput,
  RuleCondition,
  Tag,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2Errors as errors } from './elbv2-errors';

/**
 * ELBv2's request rules that need no state: names, tags, health checks, target group attributes,
 * rule conditions and the shape of actions (the sandbox checks what they refer to). Sources: the
 * ELBv2 API reference (as the SDK's model documents it) and "Quotas for your Application Load
 * Balancers"; messages as AWS words them where known (moto agrees on most).
 */

export const MAX_TAGS = 50;
export const MAX_PAGE_SIZE = 400;
export const MAX_DESCRIBE_TAGS = 20;
/** Quotas (default values). */
export const MAX_LOAD_BALANCERS = 50;
export const MAX_LISTENERS = 50;
export const MAX_RULES_PER_LOAD_BALANCER = 100;
export const MAX_TARGET_GROUPS = 3000;
export const MAX_TARGET_GROUPS_PER_LOAD_BALANCER = 100;
export const MAX_TARGET_GROUPS_PER_ACTION = 5;
export const MAX_CONDITION_VALUES = 5;
export const MAX_CONDITION_WILDCARDS = 5;
export const MAX_PRIORITY = 50000;

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** Load balancer names: 1-32 letters, digits and hyphens, no hyphen at either end, not `internal-`. */
export function checkLoadBalancerName(name: string | undefined): string {
  if (!name) throw errors.validation('A load balancer name must be specified');
  if (name.length > 32)
    throw errors.validation(`Load balancer name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw errors.validation(
      `Load balancer name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
  if (!NAME.test(name)) throw errors.validation(`Load balancer name '${name}' cannot begin or end with '-'`);
  if (name.toLowerCase().startsWith('internal-')) {
    throw errors.validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
  }
  return name;
}

/** Target group names: as load balancer names, but `internal-` is allowed. */
export function checkTargetGroupName(name: string | undefined): string {
  if (!name) throw errors.validation('A target group name must be specified');
  if (name.length > 32)
    throw errors.validation(`Target group name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw errors.validation(
      `Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
  if (!NAME.test(name)) throw errors.validation(`Target group name '${name}' cannot begin or end with '-'`);
  return name;
}

/** Tag keys 1-128 characters, values 0-256, no `aws:` prefix, no key twice in one request. */
export function checkTags(tags: readonly Tag[] | undefined): Tag[] {
  const seen = new Set<string>();
  for (const t of tags ?? []) {
    const key = t.Key ?? '';
    if (key.length < 1 || key.length > 128)
      throw errors.validation(`Tag key '${key}' must be 1-128 characters long`);
    if ((t.Value ?? '').length > 256)
      throw errors.validation(`Tag value for key '${key}' cannot be longer than 256 characters`);
    if (key.toLowerCase().startsWith('aws:'))
      throw errors.validation(`Tag key '${key}' cannot start with 'aws:'`);
    if (seen.has(key)) throw errors.duplicateTagKeys(key);
    seen.add(key);
  }
  if (seen.size > MAX_TAGS) throw errors.tooManyTags();
  return (tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/** `existing` with `added` merged in (a key given again gets the new value); TooManyTags past 50. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.Key ?? '', t.Value ?? '']));
  for (const t of checkTags(added)) merged.set(t.Key ?? '', t.Value ?? '');
  if (merged.size > MAX_TAGS) throw errors.tooManyTags();
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

// ---------------------------------------------------------------- pages

/** One page of a describe call: `Marker` is the opaque offset of the previous page's `NextMarker`. */
export function pageOf<T>(
  items: readonly T[],
  pageSize: number | undefined,
  marker: string | undefined,
): { items: T[]; nextMarker?: string } {
  const size = pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw errors.validation(
      `1 validation error detected: Value '${size}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and ${MAX_PAGE_SIZE}`,
    );
  }
  let start = 0;
  if (marker !== undefined) {
    start = Number(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > items.length)
      throw errors.validation('Invalid marker');
  }
  const next = start + size < items.length ? start + size : undefined;
  return {
    items: items.slice(start, start + size),
    ...(next !== undefined ? { nextMarker: Buffer.from(String(next), 'utf8').toString('base64url') } : {}),
  };
}

// ---------------------------------------------------------------- target groups

export type HealthCheckFields = Pick<
  TargetGroup,
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckEnabled'
  | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'Matcher'
>;

/**
 * AWS's health check defaults for an HTTP/HTTPS target group of instances or IPs (Application Load
 * Balancers Guide, "Health checks for your target groups": timeout 5 s, interval 30 s, 5 healthy,
 * 2 unhealthy, path `/`, matcher 200).
 */
export const HEALTH_CHECK_DEFAULTS: Required<HealthCheckFields> = {
  HealthCheckProtocol: 'HTTP',
  HealthCheckPort: 'traffic-port',
  HealthCheckEnabled: true,
  HealthCheckPath: '/',
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 5,
  UnhealthyThresholdCount: 2,
  Matcher: { HttpCode: '200' },
};

function inRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw errors.validation(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
}

/** HTTP codes 200-499: `200`, `200,202`, `200-299`. */
function checkMatcher(code: string): void {
  const parts = code.split(',');
  const ok = parts.every((p) => {
    const r = /^(\d{3})(?:-(\d{3}))?$/.exec(p.trim());
    if (!r) return false;
    const lo = Number(r[1]);
    const hi = r[2] !== undefined ? Number(r[2]) : lo;
    return lo >= 200 && hi <= 499 && lo <= hi;
  });
  if (!ok)
    throw errors.validation(`Health check matcher HTTP code '${code}' must be within '200-499' inclusive`);
}

/** A target group's health check, defaults filled in, after AWS's checks (ranges, timeout < interval). */
export function healthCheckOf(
  input: Partial<HealthCheckFields>,
  targetType: string,
): Required<HealthCheckFields> {
  const hc: Required<HealthCheckFields> = {
    HealthCheckProtocol: input.HealthCheckProtocol ?? HEALTH_CHECK_DEFAULTS.HealthCheckProtocol,
    HealthCheckPort: input.HealthCheckPort ?? HEALTH_CHECK_DEFAULTS.HealthCheckPort,
    HealthCheckEnabled: input.HealthCheckEnabled ?? true,
    HealthCheckPath: input.HealthCheckPath ?? HEALTH_CHECK_DEFAULTS.HealthCheckPath,
    HealthCheckIntervalSeconds:
      input.HealthCheckIntervalSeconds ?? HEALTH_CHECK_DEFAULTS.HealthCheckIntervalSeconds,
    HealthCheckTimeoutSeconds:
      input.HealthCheckTimeoutSeconds ?? HEALTH_CHECK_DEFAULTS.HealthCheckTimeoutSeconds,
    HealthyThresholdCount: input.HealthyThresholdCount ?? HEALTH_CHECK_DEFAULTS.HealthyThresholdCount,
    UnhealthyThresholdCount: input.UnhealthyThresholdCount ?? HEALTH_CHECK_DEFAULTS.UnhealthyThresholdCount,
    Matcher: { HttpCode: input.Matcher?.HttpCode ?? HEALTH_CHECK_DEFAULTS.Matcher.HttpCode },
  };
  if (input.Matcher?.GrpcCode !== undefined) {
    throw errors.validation('A gRPC matcher can only be used with target groups of protocol version GRPC');
  }
  if (!hc.HealthCheckEnabled) {
    throw errors.validation(
      `Health checks cannot be disabled for target groups with target type '${targetType}'`,
    );
  }
  if (hc.HealthCheckProtocol !== 'HTTP' && hc.HealthCheckProtocol !== 'HTTPS') {
    throw errors.validation(
      `Value ${hc.HealthCheckProtocol} at 'healthCheckProtocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS]`,
    );
  }
  if (hc.HealthCheckPort !== 'traffic-port') {
    const port = Number(hc.HealthCheckPort);
    if (!/^\d+$/.test(hc.HealthCheckPort) || port < 1 || port > 65535) {
      throw errors.validation(
        `Health check port '${hc.HealthCheckPort}' must be 'traffic-port' or between 1 and 65535`,
      );
    }
  }
  if (!hc.HealthCheckPath.startsWith('/') || hc.HealthCheckPath.length > 1024) {
    throw errors.validation(
      `Health check path '${hc.HealthCheckPath}' must begin with '/' and be at most 1024 characters`,
    );
  }
  inRange('healthCheckIntervalSeconds', hc.HealthCheckIntervalSeconds, 5, 300);
  inRange('healthCheckTimeoutSeconds', hc.HealthCheckTimeoutSeconds, 2, 120);
  inRange('healthyThresholdCount', hc.HealthyThresholdCount, 2, 10);
  inRange('unhealthyThresholdCount', hc.UnhealthyThresholdCount, 2, 10);
  if (hc.HealthCheckTimeoutSeconds >= hc.HealthCheckIntervalSeconds) {
    throw errors.validation(
      `Health check timeout '${hc.HealthCheckTimeoutSeconds}' must be smaller than the interval '${hc.HealthCheckIntervalSeconds}'`,
    );
  }
  checkMatcher(hc.Matcher.HttpCode ?? '');
  return hc;
}

/** The fields of CreateTargetGroup the sandbox models; anything else is refused, not ignored. */
export function checkTargetGroupShape(input: CreateTargetGroupInput): {
  protocol: 'HTTP' | 'HTTPS';
  port: number;
  targetType: 'instance' | 'ip';
  vpcId: string;
} {
  const targetType = input.TargetType ?? 'instance';
  if (targetType !== 'instance' && targetType !== 'ip') {
    if (targetType === 'lambda' || targetType === 'alb') {
      throw errors.validation(`The sandbox does not model target groups of target type '${targetType}'`);
    }
    throw errors.validation(
      `1 validation error detected: Value '${String(targetType)}' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [instance, ip, lambda, alb]`,
    );
  }
  if (input.Protocol === undefined) throw errors.validation('A protocol must be specified');
  if (input.Protocol !== 'HTTP' && input.Protocol !== 'HTTPS') {
    if (['TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE', 'QUIC', 'TCP_QUIC'].includes(input.Protocol)) {
      throw errors.validation(
        `The sandbox only models HTTP and HTTPS target groups, not '${input.Protocol}'`,
      );
    }
    throw errors.validation(
      `Value ${input.Protocol} at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE, QUIC, TCP_QUIC]`,
    );
  }
  if (input.Port === undefined) throw errors.validation('A port must be specified');
  inRange('port', input.Port, 1, 65535);
  if (!input.VpcId) throw errors.validation('A VPC ID must be specified');
  if (input.ProtocolVersion !== undefined && input.ProtocolVersion !== 'HTTP1') {
    throw errors.validation(`The sandbox only models protocol version HTTP1, not '${input.ProtocolVersion}'`);
  }
  if (input.IpAddressType !== undefined && input.IpAddressType !== 'ipv4') {
    throw errors.validation(`The sandbox only models target groups of IP address type ipv4`);
  }
  return { protocol: input.Protocol, port: input.Port, targetType, vpcId: input.VpcId };
}

// ---------------------------------------------------------------- target group attributes

/**
 * DescribeTargetGroupAttributes of a new HTTP/HTTPS target group of instances or IPs behind an
 * Application Load Balancer, in the order the sandbox lists them (the API reference's defaults).
 */
export const TARGET_GROUP_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  'deregistration_delay.timeout_seconds': '300',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
};

function intBetween(key: string, value: string, min: number, max: number): void {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw errors.validation(`'${key}' value '${value}' must be between '${min}-${max}' inclusive`);
  }
}

function oneOf(key: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value))
    throw errors.validation(`'${key}' value '${value}' must be one of [${allowed.join(', ')}]`);
}

/**
 * The attributes after ModifyTargetGroupAttributes: known keys only, each value in its range, and
 * the combinations AWS refuses (app_cookie stickiness without a cookie name, anomaly mitigation
 * without weighted_random).
 */
export function applyTargetGroupAttributes(
  current: Readonly<Record<string, string>>,
  changes: readonly { Key?: string; Value?: string }[],
): Record<string, string> {
  if (changes.length === 0) throw errors.validation('Attributes must be specified');
  const next = { ...current };
  for (const { Key: key = '', Value: value = '' } of changes) {
    if (!(key in TARGET_GROUP_ATTRIBUTE_DEFAULTS)) {
      throw errors.validation(`Target group attribute key '${key}' is not recognized`);
    }
    switch (key) {
      case 'deregistration_delay.timeout_seconds':
        intBetween(key, value, 0, 3600);
        break;
      case 'stickiness.enabled':
        oneOf(key, value, ['true', 'false']);
        break;
      case 'stickiness.type':
        oneOf(key, value, ['lb_cookie', 'app_cookie']);
        break;
      case 'stickiness.lb_cookie.duration_seconds':
      case 'stickiness.app_cookie.duration_seconds':
        intBetween(key, value, 1, 604800);
        break;
      case 'stickiness.app_cookie.cookie_name':
        if (/^AWSALB/i.test(value))
          throw errors.validation(`Cookie name '${value}' uses a prefix reserved by the load balancer`);
        break;
      case 'load_balancing.algorithm.type':
        oneOf(key, value, ['round_robin', 'least_outstanding_requests', 'weighted_random']);
        break;
      case 'load_balancing.algorithm.anomaly_mitigation':
        oneOf(key, value, ['on', 'off']);
        break;
      case 'load_balancing.cross_zone.enabled':
        oneOf(key, value, ['true', 'false', 'use_load_balancer_configuration']);
        break;
      case 'slow_start.duration_seconds':
        if (value !== '0') intBetween(key, value, 30, 900);
        break;
      default:
        // minimum healthy targets: `off` (percentages; counts too for DNS failover) or a number
        if (value !== 'off' || key.endsWith('unhealthy_state_routing.minimum_healthy_targets.count')) {
          intBetween(key, value, 1, key.endsWith('.percentage') ? 100 : 1000);
        }
    }
    next[key] = value;
  }
  if (
    next['stickiness.type'] === 'app_cookie' &&
    next['stickiness.enabled'] === 'true' &&
    !next['stickiness.app_cookie.cookie_name']
  ) {
    throw errors.invalidConfiguration(
      "You must set an application cookie name to enable stickiness of type 'app_cookie'",
    );
  }
  if (
    next['load_balancing.algorithm.anomaly_mitigation'] === 'on' &&
    next['load_balancing.algorithm.type'] !== 'weighted_random'
  ) {
    throw errors.invalidConfiguration(
      "Anomaly mitigation is only available with the 'weighted_random' algorithm",
    );
  }
  return next;
}

// ---------------------------------------------------------------- rule conditions

/** Fields a rule may have at most once (http-header and query-string may repeat). */
const SINGLE_FIELDS = new Set(['host-header', 'path-pattern', 'http-request-method', 'source-ip']);
const CONFIG_KEY: Record<string, keyof RuleCondition> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'query-string': 'QueryStringConfig',
  'source-ip': 'SourceIpConfig',
};

/** Host names: letters, digits, `-`, `.`, wildcards `*` `?`; a dot; only letters after the last dot. */
function checkHost(value: string): void {
  if (value.length === 0 || value.length > 128)
    throw errors.validation("The 'host-header' value must be 1-128 characters long");
  if (!/^[A-Za-z0-9.*?-]+$/.test(value) || !/\.[A-Za-z*?]*[A-Za-z][A-Za-z*?]*$/.test(value)) {
    throw errors.validation(
      `Condition value '${value}' contains a character that is not valid for 'host-header'`,
    );
  }
}

/** The values a condition holds, and its count towards the 5 per rule. */
function conditionValues(c: RuleCondition): string[] {
  const field = c.Field ?? '';
  switch (field) {
    case 'host-header':
      return c.HostHeaderConfig?.Values ?? c.Values ?? [];
    case 'path-pattern':
      return c.PathPatternConfig?.Values ?? c.Values ?? [];
    case 'http-header':
      return c.HttpHeaderConfig?.Values ?? [];
    case 'http-request-method':
      return c.HttpRequestMethodConfig?.Values ?? [];
    case 'query-string':
      return (c.QueryStringConfig?.Values ?? []).map((kv) => `${kv.Key ?? ''}=${kv.Value ?? ''}`);
    case 'source-ip':
      return c.SourceIpConfig?.Values ?? [];
    default:
      return [];
  }
}

/**
 * A rule's conditions as AWS keeps and returns them: host-header and path-pattern with both the
 * legacy `Values` and their config. Checks: at least one condition, known fields, legacy `Values`
 * hold one value and not beside the config, at most one of each single field, 5 values and 5
 * wildcards per rule, host names 128 characters of the allowed set.
 */
export function normalizeConditions(conditions: readonly RuleCondition[] | undefined): RuleCondition[] {
  const list = conditions ?? [];
  if (list.length === 0) throw errors.validation('A rule must have at least one condition');
  const seen = new Set<string>();
  let values = 0;
  let wildcards = 0;
  const out: RuleCondition[] = [];
  for (const c of list) {
    const field = c.Field ?? '';
    if (!(field in CONFIG_KEY)) {
      throw errors.validation(
        `Condition field '${field}' must be one of '[http-header, http-request-method, host-header, path-pattern, query-string, source-ip]'`,
      );
    }
    if (c.Values !== undefined) {
      if (field !== 'host-header' && field !== 'path-pattern') {
        throw errors.validation(`The 'Values' field is not compatible with '${field}'`);
      }
      if (c[CONFIG_KEY[field]] !== undefined) {
        throw errors.validation(
          `You cannot provide both Values and '${CONFIG_KEY[field]}' for a condition of type '${field}'`,
        );
      }
      if (c.Values.length > 1)
        throw errors.validation(`The '${field}' field contains too many values; the limit is '1'`);
    }
    if (SINGLE_FIELDS.has(field) && seen.has(field)) {
      throw errors.validation(`A rule can only have one '${field}' condition`);
    }
    seen.add(field);
    const v = conditionValues(c);
    if (v.length === 0) throw errors.validation('A condition value must be specified');
    values += v.length;
    wildcards += v.reduce((n, s) => n + (s.match(/[*?]/g) ?? []).length, 0);
    if (field === 'host-header') v.forEach(checkHost);
    if (field === 'path-pattern' && v.some((p) => p.length > 128)) {
      throw errors.validation("The 'path-pattern' value is too long; the limit is '128'");
    }
    if (field === 'host-header')
      out.push({ Field: field, Values: [...v], HostHeaderConfig: { Values: [...v] } });
    else if (field === 'path-pattern')
      out.push({ Field: field, Values: [...v], PathPatternConfig: { Values: [...v] } });
    else out.push(structuredClone(c));
  }
  if (values > MAX_CONDITION_VALUES) {
    throw errors.validation(`A rule can only have '${MAX_CONDITION_VALUES}' condition values`);
  }
  if (wildcards > MAX_CONDITION_WILDCARDS) {
    throw errors.validation(`A rule can only have '${MAX_CONDITION_WILDCARDS}' wildcards`);
  }
  return out;
}

// ---------------------------------------------------------------- actions

/** Type of the action that ends a rule: exactly one per rule, last in order. */
const TERMINAL = new Set(['forward', 'redirect', 'fixed-response']);
const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

/**
 * Actions as AWS returns them (forward with both TargetGroupArn and ForwardConfig, redirect with
 * its `#{...}` defaults), after the checks of their shape. `targetGroupsOf` then lists the target
 * groups they forward to, for the caller's checks against its state.
 */
export function normalizeActions(actions: readonly Action[] | undefined): Action[] {
  const list = actions ?? [];
  if (list.length === 0) throw errors.validation('At least one action must be specified');
  const out: Action[] = [];
  let terminal = 0;
  list.forEach((a, i) => {
    const type = a.Type ?? '';
    if (type === 'authenticate-oidc' || type === 'authenticate-cognito') {
      throw errors.validation(`The sandbox does not model '${type}' actions`);
    }
    if (!TERMINAL.has(type)) {
      throw errors.validation(
        `1 validation error detected: Value '${type}' at 'actions.${i + 1}.member.type' failed to satisfy constraint: Member must satisfy enum value set: [forward, authenticate-oidc, authenticate-cognito, redirect, fixed-response]`,
      );
    }
    terminal++;
    if (a.Order !== undefined && (!Number.isInteger(a.Order) || a.Order < 1 || a.Order > 50000)) {
      throw errors.validation(`Action order '${a.Order}' must be between 1 and 50000`);
    }
    if (type === 'forward') out.push(forwardOf(a));
    else if (type === 'fixed-response') out.push(fixedResponseOf(a));
    else out.push(redirectOf(a));
  });
  if (terminal > 1)
    throw errors.invalidAction('A rule can have only one forward, redirect or fixed-response action');
  return out;
}

function forwardOf(a: Action): Action {
  const groups = a.ForwardConfig?.TargetGroups;
  if (a.TargetGroupArn === undefined && (groups === undefined || groups.length === 0)) {
    throw errors.validation("A target group ARN must be specified for a 'forward' action");
  }
  if (groups !== undefined) {
    if (groups.length > MAX_TARGET_GROUPS_PER_ACTION) {
      throw errors.validation(
        `A forward action can have at most ${MAX_TARGET_GROUPS_PER_ACTION} target groups`,
      );
    }
    if (
      a.TargetGroupArn !== undefined &&
      (groups.length !== 1 || groups[0].TargetGroupArn !== a.TargetGroupArn)
    ) {
      throw errors.validation(
        'You cannot specify both a target group ARN and a forward config with other target groups',
      );
    }
    const arns = groups.map((g) => g.TargetGroupArn ?? '');
    if (new Set(arns).size !== arns.length)
      throw errors.validation('A target group can only be specified once per action');
    for (const g of groups) {
      if (g.Weight !== undefined && (!Number.isInteger(g.Weight) || g.Weight < 0 || g.Weight > 999)) {
        throw errors.validation(`Target group weight '${g.Weight}' must be between 0 and 999`);
      }
    }
  }
  const stickiness = a.ForwardConfig?.TargetGroupStickinessConfig;
  if (stickiness?.DurationSeconds !== undefined)
    inRange('durationSeconds', stickiness.DurationSeconds, 1, 604800);
  const targetGroups = (groups ?? [{ TargetGroupArn: a.TargetGroupArn }]).map((g) => ({
    TargetGroupArn: g.TargetGroupArn ?? '',
    Weight: g.Weight ?? 1,
  }));
  return {
    Type: 'forward',
    ...(targetGroups.length === 1 ? { TargetGroupArn: targetGroups[0].TargetGroupArn } : {}),
    ...(a.Order !== undefined ? { Order: a.Order } : {}),
    ForwardConfig: {
      TargetGroups: targetGroups,
      TargetGroupStickinessConfig: {
        Enabled: stickiness?.Enabled ?? false,
        ...(stickiness?.DurationSeconds !== undefined ? { DurationSeconds: stickiness.DurationSeconds } : {}),
      },
    },
  };
}

function fixedResponseOf(a: Action): Action {
  const c = a.FixedResponseConfig;
  if (!c) throw errors.validation("A fixed response config must be specified for a 'fixed-response' action");
  if (!/^[245]\d\d$/.test(c.StatusCode ?? '')) {
    throw errors.validation(
      `1 validation error detected: Value '${c.StatusCode ?? ''}' at 'fixedResponseConfig.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$`,
    );
  }
  if (c.ContentType !== undefined && !CONTENT_TYPES.includes(c.ContentType)) {
    throw errors.validation(`Content type '${c.ContentType}' must be one of [${CONTENT_TYPES.join(', ')}]`);
  }
  if ((c.MessageBody ?? '').length > 1024)
    throw errors.validation('A fixed response message body can be at most 1024 characters');
  return {
    Type: 'fixed-response',
    ...(a.Order !== undefined ? { Order: a.Order } : {}),
    FixedResponseConfig: structuredClone(c),
  };
}

function redirectOf(a: Action): Action {
  const c = a.RedirectConfig;
  if (!c) throw errors.validation("A redirect config must be specified for a 'redirect' action");
  if (c.StatusCode !== 'HTTP_301' && c.StatusCode !== 'HTTP_302') {
    throw errors.validation(
      `1 validation error detected: Value '${c.StatusCode ?? ''}' at 'redirectConfig.statusCode' failed to satisfy constraint: Member must satisfy enum value set: [HTTP_301, HTTP_302]`,
    );
  }
  const config = {
    Protocol: c.Protocol ?? '#{protocol}',
    Port: c.Port ?? '#{port}',
    Host: c.Host ?? '#{host}',
    Path: c.Path ?? '/#{path}',
    Query: c.Query ?? '#{query}',
    StatusCode: c.StatusCode,
  };
  if (!['HTTP', 'HTTPS', '#{protocol}'].includes(config.Protocol)) {
    throw errors.validation(`Redirect protocol '${config.Protocol}' must be HTTP, HTTPS or #{protocol}`);
  }
  if (config.Port !== '#{port}') {
    const n = Number(config.Port);
    if (!/^\d+$/.test(config.Port) || n < 1 || n > 65535) {
      throw errors.validation(`Redirect port '${config.Port}' must be #{port} or between 1 and 65535`);
    }
  }
  if (!config.Path.startsWith('/'))
    throw errors.validation(`Redirect path '${config.Path}' must start with '/'`);
  if (
    config.Protocol === '#{protocol}' &&
    config.Port === '#{port}' &&
    config.Host === '#{host}' &&
    config.Path === '/#{path}' &&
    config.Query === '#{query}'
  ) {
    throw errors.invalidAction('The redirect configuration is not valid: it would redirect to the same URL');
  }
  return { Type: 'redirect', ...(a.Order !== undefined ? { Order: a.Order } : {}), RedirectConfig: config };
}

/** The target group ARNs a list of (normalized) actions forwards to. */
export function targetGroupsOf(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.ForwardConfig?.TargetGroups ?? []).map((g) => g.TargetGroupArn ?? ''));
}
