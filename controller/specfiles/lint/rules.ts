/** Every built-in rule by id: a Record, so a rule id without its check does not compile. */
import type { LintRuleId } from '../../model/lint-policy';
import type { LintRule } from './lint-types';
import { circuitBreaker } from './circuit-breaker';
import { hostNetwork } from './host-network';
import { imageTag } from './image-tag';
import { logConfiguration } from './log-configuration';
import { memoryLimit } from './memory-limit';
import { plainSecret } from './plain-secret';
import { privileged } from './privileged';
import { readonlyRootFilesystem } from './readonly-root-filesystem';

export const LINT_RULE_CHECKS: Readonly<Record<LintRuleId, LintRule>> = {
  'image-tag': imageTag,
  'memory-limit': memoryLimit,
  privileged,
  'host-network': hostNetwork,
  'plain-secret': plainSecret,
  'log-configuration': logConfiguration,
  'circuit-breaker': circuitBreaker,
  'readonly-root-filesystem': readonlyRootFilesystem,
};
