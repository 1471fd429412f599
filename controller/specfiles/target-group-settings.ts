/**
 * The target group settings as ELBv2 accepts them, shared by cluster.yaml `loadBalancer:` and the
 * per-container `proxy.*` labels: one table of ranges, so both reject the same values (the schema in
 * crds/cluster.schema.json repeats these numbers; test/specfiles/load-balancer-config.test.ts keeps
 * them equal). Pure.
 */

export interface Range {
  min: number;
  max: number;
}

/** ELBv2's limits (CreateTargetGroup, ModifyTargetGroupAttributes). */
export const TARGET_GROUP_RANGES = {
  intervalSeconds: { min: 5, max: 300 },
  timeoutSeconds: { min: 2, max: 120 },
  healthyThresholdCount: { min: 2, max: 10 },
  unhealthyThresholdCount: { min: 2, max: 10 },
  deregistrationDelaySeconds: { min: 0, max: 3600 },
  stickinessDurationSeconds: { min: 1, max: 604800 },
} as const satisfies Record<string, Range>;

export const HEALTH_CHECK_PATH_MAX = 1024;
const MATCHER_CODE = { min: 200, max: 499 };

/** Why `path` is not a health check path ELBv2 takes, or undefined. */
export function healthCheckPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must start with "/"';
  if (path.length > HEALTH_CHECK_PATH_MAX) {
    return `is ${path.length} characters long; at most ${HEALTH_CHECK_PATH_MAX} are allowed`;
  }
  if (/\s/.test(path)) return 'must not contain spaces';
  return undefined;
}

/**
 * Why `matcher` is not an HTTP code matcher ELBv2 takes (`200`, `200-399`, `200,302`, codes
 * 200-499), or undefined.
 */
export function matcherProblem(matcher: string): string | undefined {
  const parts = matcher.split(',');
  for (const part of parts) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
    if (!m) return 'must be HTTP codes like 200, 200-399 or 200,302';
    const low = Number(m[1]);
    const high = Number(m[2] ?? m[1]);
    for (const code of [low, high]) {
      if (code < MATCHER_CODE.min || code > MATCHER_CODE.max) {
        return `has the code ${code}: codes are ${MATCHER_CODE.min}-${MATCHER_CODE.max}`;
      }
    }
    if (low > high) return `has the range ${part} whose start is above its end`;
  }
  return undefined;
}

/** Why `n` is outside `range`, or undefined. */
export function rangeProblem(n: number, range: Range): string | undefined {
  return n < range.min || n > range.max ? `must be ${range.min}-${range.max}` : undefined;
}

/** ELBv2: the health check timeout must be shorter than the interval. */
export function timeoutProblem(timeoutSeconds: number, intervalSeconds: number): string | undefined {
  return timeoutSeconds < intervalSeconds
    ? undefined
    : `the health check timeout (${timeoutSeconds} s) must be less than its interval (${intervalSeconds} s)`;
}
