/** What the policy rules look at (one spec's parsed body and where its fields are) and what they find. */
import type { LintLevel, LintRuleId } from '../../model/lint-policy';
import type { SecretMatcher } from '../../model/secret-detection';
import type { SpecError } from '../../model/source';
import type { FieldPath } from '../field-path';
import type { Position } from '../positions';

interface SubjectBase {
  /** The spec file's path as loaded (what errors print). */
  file: string;
  /** The file's name relative to the cluster directory: what `policy.exempt` lists. */
  fileName: string;
  /** Where a field is in the file; a missing field falls back to its nearest parent. */
  locate: (path: FieldPath) => Position;
}

/** A task definition that loaded: its body as it will be registered. */
export interface TaskdefSubject extends SubjectBase {
  kind: 'taskdef';
  body: Record<string, unknown>;
}

/** A service that loaded, from a .service file or AUTOCREATE.SERVICE (then `file` is the .taskdef). */
export interface ServiceSubject extends SubjectBase {
  kind: 'service';
  name: string;
  /** After cluster.yaml's serviceDefaults were merged in. */
  body: Record<string, unknown>;
  autocreated: boolean;
  /** The top-level fields the service file itself sets (none for an autocreated service). */
  ownFields: string[];
}

export type LintSubject = TaskdefSubject | ServiceSubject;

export interface LintContext {
  /** The cluster's secret names (defaults plus cluster.yaml `redaction:`). */
  secrets: SecretMatcher;
}

/** What one rule says about one spec: the field it is about and what to do. */
export interface RuleFinding {
  path: FieldPath;
  message: string;
}

export interface LintRule {
  id: LintRuleId;
  taskdef?: (td: TaskdefSubject, ctx: LintContext) => RuleFinding[];
  service?: (svc: ServiceSubject, ctx: LintContext) => RuleFinding[];
}

/**
 * One finding at its level. It has a SpecError's shape (file, 1-based line and column, field path,
 * message) so every printer of spec errors shows it; `rule` and `level` say which check and how hard.
 */
export interface LintFinding extends SpecError {
  rule: LintRuleId;
  level: Exclude<LintLevel, 'off'>;
}
