/**
 * The target group settings of a live target group, and the `proxy.*` labels that give them: what
 * `export` compares a container's labels with, and writes when they do not give the live settings.
 * Pure.
 */
import type {
  HealthCheckSettings,
  ObservedTargetGroup,
  TargetGroupOverrides,
  TargetGroupSettings,
} from '../model/load-balancer';
import {
  HEALTH_CHECK_LABELS,
  PROXY_DEREGISTRATION_LABEL,
  PROXY_STICKINESS_LABEL,
} from '../model/proxy-labels';
import { attributeChanges, healthCheckChanges } from '../plan/lb-attributes';
import { withOverrides } from '../plan/lb-desired';

export const HEALTH_CHECK_FIELDS = Object.keys(HEALTH_CHECK_LABELS) as (keyof HealthCheckSettings)[];

/** A group's settings as ELBv2 reports them; what it does not report is taken from `fallback`. */
export function liveSettings(g: ObservedTargetGroup, fallback: TargetGroupSettings): TargetGroupSettings {
  const a = g.attributes ?? {};
  const number = (key: string, d: number) => (a[key] !== undefined ? Number(a[key]) : d);
  return {
    healthCheck: { ...fallback.healthCheck, ...g.healthCheck },
    deregistrationDelaySeconds: number(
      'deregistration_delay.timeout_seconds',
      fallback.deregistrationDelaySeconds,
    ),
    stickiness: {
      enabled: a['stickiness.enabled'] === 'true',
      durationSeconds: number('stickiness.lb_cookie.duration_seconds', fallback.stickiness.durationSeconds),
    },
  };
}

/** The planner sees no change between these settings and the group. */
export function sameSettings(
  defaults: TargetGroupSettings,
  overrides: TargetGroupOverrides,
  g: ObservedTargetGroup,
): boolean {
  const want = withOverrides(defaults, overrides);
  return healthCheckChanges(want.healthCheck, g).length === 0 && attributeChanges(want, g).length === 0;
}

/**
 * A container's target group labels as overrides; undefined when a value is not one the loader
 * takes as written here (then export writes the labels anew rather than guess).
 */
export function readOverrides(labels: Readonly<Record<string, string>>): TargetGroupOverrides | undefined {
  const out: TargetGroupOverrides = {};
  const health: Partial<HealthCheckSettings> = {};
  for (const field of HEALTH_CHECK_FIELDS) {
    const v = labels[HEALTH_CHECK_LABELS[field]]?.trim();
    if (v === undefined) continue;
    if (field === 'path' || field === 'matcher') health[field] = v;
    else if (/^\d+$/.test(v)) health[field] = Number(v);
    else return undefined;
  }
  if (Object.keys(health).length > 0) out.healthCheck = health;
  const delay = labels[PROXY_DEREGISTRATION_LABEL]?.trim();
  if (delay !== undefined) {
    if (!/^\d+$/.test(delay)) return undefined;
    out.deregistrationDelaySeconds = Number(delay);
  }
  const sticky = labels[PROXY_STICKINESS_LABEL]?.trim().toLowerCase();
  if (sticky === 'off') out.stickiness = { enabled: false };
  else if (sticky === 'on') out.stickiness = { enabled: true };
  else if (sticky !== undefined) {
    if (!/^\d+$/.test(sticky)) return undefined;
    out.stickiness = { enabled: true, durationSeconds: Number(sticky) };
  }
  return out;
}

/** The labels that give `live` over the cluster's `defaults`: one per setting that differs. */
export function settingsLabels(
  live: TargetGroupSettings,
  defaults: TargetGroupSettings,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of HEALTH_CHECK_FIELDS) {
    if (String(live.healthCheck[field]) !== String(defaults.healthCheck[field]))
      out[HEALTH_CHECK_LABELS[field]] = String(live.healthCheck[field]);
  }
  if (live.deregistrationDelaySeconds !== defaults.deregistrationDelaySeconds)
    out[PROXY_DEREGISTRATION_LABEL] = String(live.deregistrationDelaySeconds);
  const s = live.stickiness;
  const d = defaults.stickiness;
  if (!s.enabled && d.enabled) out[PROXY_STICKINESS_LABEL] = 'off';
  else if (s.enabled && s.durationSeconds !== d.durationSeconds)
    out[PROXY_STICKINESS_LABEL] = String(s.durationSeconds);
  else if (s.enabled && !d.enabled) out[PROXY_STICKINESS_LABEL] = 'on';
  return out;
}

/** Every label `settingsLabels` may write. */
export const SETTINGS_LABELS = [
  ...Object.values(HEALTH_CHECK_LABELS),
  PROXY_DEREGISTRATION_LABEL,
  PROXY_STICKINESS_LABEL,
];
