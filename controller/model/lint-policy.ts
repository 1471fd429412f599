/**
 * The built-in policy checks `validate`, `diff` and `apply` run on the specs, and how cluster.yaml
 * sets them. Every rule warns by default (an upgrade of ecs-gitops must not break a repository that
 * applied cleanly before); a repository turns the ones it wants to enforce to `deny`.
 */
import type { SourceRef } from './source';

export type LintLevel = 'off' | 'warn' | 'deny';

export const LINT_RULES = [
  'image-tag',
  'memory-limit',
  'privileged',
  'host-network',
  'plain-secret',
  'log-configuration',
  'circuit-breaker',
  'readonly-root-filesystem',
] as const;

export type LintRuleId = (typeof LINT_RULES)[number];

export const DEFAULT_LINT_LEVELS: Readonly<Record<LintRuleId, LintLevel>> = {
  'image-tag': 'warn',
  'memory-limit': 'warn',
  privileged: 'warn',
  'host-network': 'warn',
  'plain-secret': 'warn',
  'log-configuration': 'warn',
  'circuit-breaker': 'warn',
  'readonly-root-filesystem': 'off',
};

/** `policy:` in cluster.yaml. */
export interface LintPolicy {
  /** The level of each rule: the defaults with cluster.yaml's `policy.rules` on top. */
  levels: Record<LintRuleId, LintLevel>;
  /** Spec files (names relative to the cluster directory) a rule skips: `policy.exempt`. */
  exempt: Partial<Record<LintRuleId, string[]>>;
  source?: SourceRef;
}

export function defaultLintPolicy(): LintPolicy {
  return { levels: { ...DEFAULT_LINT_LEVELS }, exempt: {} };
}
