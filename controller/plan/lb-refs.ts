/**
 * References in a step's input to what an earlier action of the same plan made: the plan cannot know
 * a new target group's ARN, but it says exactly where it goes, and `diff` shows it. Pure.
 */

// An action id may hold a colon (`listener/demo:80`): only a final `:vpc` is the balancer's VPC.
const REF = /\{\{([^{}]+?)(?::(vpc))?\}\}/g;

/** The ARN the action with this id produced: `{{targetGroup/demo-web-80-3f9a1c}}`. */
export function arnRef(actionId: string): string {
  return `{{${actionId}}}`;
}

/** The VPC of the balancer the action with this id created. */
export function vpcRef(actionId: string): string {
  return `{{${actionId}:vpc}}`;
}

export interface RefValues {
  arn(actionId: string): string | undefined;
  vpc(actionId: string): string | undefined;
}

/** The action ids a value refers to (its dependencies). */
export function refsIn(value: unknown): string[] {
  const out = new Set<string>();
  walk(value, (s) => {
    for (const m of s.matchAll(REF)) out.add(m[1]);
    return s;
  });
  return [...out];
}

/**
 * A copy of `value` with every reference replaced. A reference without a value is a planner bug
 * (the action depends on the one that makes it): it throws.
 */
export function fillRefs<T>(value: T, values: RefValues): T {
  return walk(value, (s) =>
    s.replace(REF, (_m, id: string, kind?: string) => {
      const v = kind === 'vpc' ? values.vpc(id) : values.arn(id);
      if (v === undefined) throw new Error(`internal: no ${kind ?? 'ARN'} from ${id}`);
      return v;
    }),
  ) as T;
}

function walk(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, f));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, f)]));
  }
  return value;
}
