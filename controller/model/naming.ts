/** Naming rules shared by the loader, the planner and the CLI. Pure. */

/** Family names AWS accepts: up to 255 letters, numbers, hyphens and underscores. */
export const FAMILY_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** Service names AWS accepts: up to 255 letters, numbers, hyphens and underscores. */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** Cluster names AWS accepts. */
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Task definition families are regional while services belong to a cluster, so every family is
 * registered as `<prefix>-<name>`. A name that already carries the prefix is not prefixed twice.
 */
export function prefixedFamily(prefix: string, name: string): string {
  return name.startsWith(`${prefix}-`) ? name : `${prefix}-${name}`;
}

/** `${TASK_PREFIX}` in templates: the prefix plus the dash. */
export function taskPrefix(prefix: string): string {
  return `${prefix}-`;
}

/** `arn:aws:ecs:us-east-1:123:task-definition/demo-web:3` -> `{ family: 'demo-web', revision: 3 }`. */
export function parseTaskDefinitionArn(arn: string): { family: string; revision: number } | undefined {
  const m = /task-definition\/([A-Za-z0-9_-]+):(\d+)$/.exec(arn);
  return m ? { family: m[1], revision: Number(m[2]) } : undefined;
}

/** Short display form of a task definition ARN: `demo-web:3`. */
export function shortTaskDefinition(arnOrName: string): string {
  const p = parseTaskDefinitionArn(arnOrName);
  return p ? `${p.family}:${p.revision}` : arnOrName;
}

/** `arn:aws:ecs:region:acct:service/cluster/name` (or the old `service/name`) -> `name`. */
export function serviceNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
