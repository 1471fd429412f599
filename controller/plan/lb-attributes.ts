import type { TargetGroupAttribute } from '../model/aws-types';
import type { HealthCheckSettings, ObservedTargetGroup, TargetGroupSettings } from '../model/load-balancer';
import type { FieldChange } from './plan-types';

/**
 * A target group's managed settings in ELBv2's own terms, and their comparison with what ELBv2
 * reports. Only what ecs-gitops sets is compared: AWS's other attributes (slow start, algorithm)
 * are left as they are. Pure.
 */

/** The attributes we set, in ModifyTargetGroupAttributes form. */
export function targetGroupAttributes(s: TargetGroupSettings): TargetGroupAttribute[] {
  const out: TargetGroupAttribute[] = [
    { Key: 'deregistration_delay.timeout_seconds', Value: String(s.deregistrationDelaySeconds) },
    { Key: 'stickiness.enabled', Value: String(s.stickiness.enabled) },
  ];
  // The cookie settings only mean something when stickiness is on; AWS keeps them when it is off.
  if (s.stickiness.enabled) {
    out.push(
      { Key: 'stickiness.type', Value: 'lb_cookie' },
      { Key: 'stickiness.lb_cookie.duration_seconds', Value: String(s.stickiness.durationSeconds) },
    );
  }
  return out;
}

/** CreateTargetGroup / ModifyTargetGroup health check fields. */
export function healthCheckInput(h: HealthCheckSettings): {
  HealthCheckProtocol: 'HTTP';
  HealthCheckPath: string;
  HealthCheckIntervalSeconds: number;
  HealthCheckTimeoutSeconds: number;
  HealthyThresholdCount: number;
  UnhealthyThresholdCount: number;
  Matcher: { HttpCode: string };
} {
  return {
    HealthCheckProtocol: 'HTTP',
    HealthCheckPath: h.path,
    HealthCheckIntervalSeconds: h.intervalSeconds,
    HealthCheckTimeoutSeconds: h.timeoutSeconds,
    HealthyThresholdCount: h.healthyThresholdCount,
    UnhealthyThresholdCount: h.unhealthyThresholdCount,
    Matcher: { HttpCode: h.matcher },
  };
}

const HEALTH_KEYS: readonly (keyof HealthCheckSettings)[] = [
  'path',
  'matcher',
  'intervalSeconds',
  'timeoutSeconds',
  'healthyThresholdCount',
  'unhealthyThresholdCount',
];

/** Health check fields that differ (`healthCheck.path: "/" -> "/health"`). */
export function healthCheckChanges(want: HealthCheckSettings, live: ObservedTargetGroup): FieldChange[] {
  return HEALTH_KEYS.filter(
    (k) => normalizeHealth(k, live.healthCheck[k]) !== normalizeHealth(k, want[k]),
  ).map((k) => ({ path: `healthCheck.${k}`, before: live.healthCheck[k], after: want[k] }));
}

/** `200, 302` and `200,302` are one matcher. */
function normalizeHealth(key: keyof HealthCheckSettings, v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  return key === 'matcher' ? s.replace(/\s+/g, '') : s;
}

/** Attributes that differ; none when the attributes were not read. */
export function attributeChanges(want: TargetGroupSettings, live: ObservedTargetGroup): FieldChange[] {
  if (!live.attributes) return [];
  const attrs = live.attributes;
  return targetGroupAttributes(want)
    .filter((a) => attrs[a.Key ?? ''] !== a.Value)
    .map((a) => ({ path: `attributes.${a.Key ?? ''}`, before: attrs[a.Key ?? ''], after: a.Value }));
}
