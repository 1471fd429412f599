/**
 * The per-container target group labels (`proxy.healthcheck`, `proxy.stickiness`, ...) ->
 * TargetGroupOverrides. docs/load-balancer.md lists them; the values are checked against the same
 * ELBv2 ranges as cluster.yaml `loadBalancer:`. Pure.
 */
import type { HealthCheckSettings, TargetGroupOverrides } from '../model/load-balancer';
import {
  HEALTH_CHECK_LABELS as HC,
  PROXY_DEREGISTRATION_LABEL,
  PROXY_STICKINESS_LABEL,
} from '../model/proxy-labels';
import type { LabelAt } from './host-labels';
import { didYouMean } from './suggest';
import {
  healthCheckPathProblem,
  matcherProblem,
  type Range,
  rangeProblem,
  TARGET_GROUP_RANGES as R,
} from './target-group-settings';

type NumericHealthCheck = Exclude<keyof HealthCheckSettings, 'path' | 'matcher'>;

const HEALTH_CHECK_NUMBERS: Record<string, { field: NumericHealthCheck; range: Range; unit: string }> = {
  [HC.intervalSeconds]: { field: 'intervalSeconds', range: R.intervalSeconds, unit: 'seconds' },
  [HC.timeoutSeconds]: { field: 'timeoutSeconds', range: R.timeoutSeconds, unit: 'seconds' },
  [HC.healthyThresholdCount]: {
    field: 'healthyThresholdCount',
    range: R.healthyThresholdCount,
    unit: 'checks',
  },
  [HC.unhealthyThresholdCount]: {
    field: 'unhealthyThresholdCount',
    range: R.unhealthyThresholdCount,
    unit: 'checks',
  },
};

export { PROXY_DEREGISTRATION_LABEL, PROXY_STICKINESS_LABEL };
export const PROXY_HEALTHCHECK_LABEL = HC.path;
export const PROXY_MATCHER_LABEL = HC.matcher;

/** Every target group label, for "did you mean". */
export const TARGET_GROUP_LABELS = [
  PROXY_HEALTHCHECK_LABEL,
  PROXY_MATCHER_LABEL,
  ...Object.keys(HEALTH_CHECK_NUMBERS),
  PROXY_DEREGISTRATION_LABEL,
  PROXY_STICKINESS_LABEL,
];

export interface ParsedOverrides {
  overrides: TargetGroupOverrides;
  /** Each label problem, at its label. */
  problems: { at: LabelAt; message: string }[];
  /** A `proxy.*` label we do not know that looks like a typo of one we do. */
  typos: { at: LabelAt; message: string }[];
}

/** A label whose value is a problem is left out of the overrides. */
export function parseTargetGroupLabels(settings: (LabelAt & { key: string })[]): ParsedOverrides {
  const overrides: TargetGroupOverrides = {};
  const healthCheck: Partial<HealthCheckSettings> = {};
  const problems: ParsedOverrides['problems'] = [];
  const typos: ParsedOverrides['typos'] = [];
  const problem = (at: LabelAt & { key: string }, message: string): void => {
    problems.push({ at, message: `${at.key} "${at.value}": ${message}` });
  };
  for (const label of settings) {
    const value = label.value.trim();
    const number = HEALTH_CHECK_NUMBERS[label.key];
    if (number) {
      const n = wholeNumber(value, number.range, number.unit);
      if (typeof n === 'string') problem(label, n);
      else healthCheck[number.field] = n;
    } else if (label.key === PROXY_HEALTHCHECK_LABEL) {
      const p = healthCheckPathProblem(value);
      if (p) problem(label, `the health check path ${p}`);
      else healthCheck.path = value;
    } else if (label.key === PROXY_MATCHER_LABEL) {
      const p = matcherProblem(value);
      if (p) problem(label, p);
      else healthCheck.matcher = value;
    } else if (label.key === PROXY_DEREGISTRATION_LABEL) {
      const n = wholeNumber(value, R.deregistrationDelaySeconds, 'seconds');
      if (typeof n === 'string') problem(label, n);
      else overrides.deregistrationDelaySeconds = n;
    } else if (label.key === PROXY_STICKINESS_LABEL) {
      const lower = value.toLowerCase();
      if (lower === 'off') overrides.stickiness = { enabled: false };
      else if (lower === 'on') overrides.stickiness = { enabled: true };
      else {
        const n = wholeNumber(value, R.stickinessDurationSeconds, 'seconds');
        if (typeof n === 'string') problem(label, `${n}, or "on" or "off"`);
        else overrides.stickiness = { enabled: true, durationSeconds: n };
      }
    } else {
      const hint = didYouMean(label.key, TARGET_GROUP_LABELS);
      if (hint) typos.push({ at: label, message: `unknown label "${label.key}"${hint}` });
    }
  }
  if (Object.keys(healthCheck).length > 0) overrides.healthCheck = healthCheck;
  return { overrides, problems, typos };
}

/** The number, or why the value is not one in range. */
function wholeNumber(value: string, range: Range, unit: string): number | string {
  if (!/^\d{1,9}$/.test(value)) return `must be a whole number of ${unit} (${range.min}-${range.max})`;
  const n = Number(value);
  const p = rangeProblem(n, range);
  return p ? `${p} ${unit}` : n;
}
