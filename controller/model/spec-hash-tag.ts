import type { DesiredTaskDefinition } from './desired';
import type { ObservedTaskDefinition } from './observed';

/**
 * `ecs-gitops:spec-hash`: a versioned hash of a task definition spec as normalized for comparing
 * (plan/spec-hash.ts), e.g. `v1:<hex>`. On a revision ecs-gitops registers: the hash of what it
 * registered. On a service: `<hash>@<family:revision>`, the revision the service was pointed at for
 * that spec. It only saves reads: a service that runs exactly the tagged revision, tagged with the
 * hash the specs have now, needs no DescribeTaskDefinition. Anything else (no tag, another hash,
 * another normalization version, another revision) is read and compared in full.
 */
export const TAG_SPEC_HASH = 'ecs-gitops:spec-hash';

/** The service tag's value: `<hash>@<family:revision>` (or the placeholder of a new revision). */
export function serviceSpecHash(hash: string, revision: string): string {
  return `${hash}@${revision}`;
}

/** `v1:abc@demo-web:3` -> hash and revision; undefined for anything else. */
export function parseServiceSpecHash(
  value: string | undefined,
): { hash: string; revision: string } | undefined {
  if (value === undefined) return undefined;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return undefined;
  return { hash: value.slice(0, at), revision: value.slice(at + 1) };
}

/**
 * What the observer needs of the planner's normalization, passed in (observe does not import plan):
 * the hash of a desired task definition, and whether a live revision equals it.
 */
export interface SpecHasher {
  hash: (td: DesiredTaskDefinition) => string;
  matches: (td: DesiredTaskDefinition, live: ObservedTaskDefinition) => boolean;
  /** Two registered revisions are the same spec (a duplicate). */
  same: (a: ObservedTaskDefinition, b: ObservedTaskDefinition) => boolean;
}
