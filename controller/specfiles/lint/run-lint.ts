/**
 * Runs the policy rules on the specs of one cluster directory: each rule at its level from
 * cluster.yaml (`off` rules do not run), skipping the spec files exempted from it.
 */
import type { LintPolicy } from '../../model/lint-policy';
import { formatFieldPath } from '../field-path';
import { exemptFiles, normalizeSpecName } from './exemptions';
import type { LintContext, LintFinding, LintSubject } from './lint-types';
import { LINT_RULE_CHECKS } from './rules';

export function runLint(
  subjects: readonly LintSubject[],
  policy: LintPolicy,
  ctx: LintContext,
): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const rule of Object.values(LINT_RULE_CHECKS)) {
    const level = policy.levels[rule.id];
    if (level === 'off') continue;
    const exempt = exemptFiles(policy, rule.id);
    for (const s of subjects) {
      if (exempt.has(normalizeSpecName(s.fileName))) continue;
      const found = s.kind === 'taskdef' ? rule.taskdef?.(s, ctx) : rule.service?.(s, ctx);
      for (const f of found ?? []) {
        findings.push({
          rule: rule.id,
          level,
          file: s.file,
          ...s.locate(f.path),
          field: formatFieldPath(f.path),
          message: f.message,
        });
      }
    }
  }
  return sortFindings(findings);
}

/** By file, position and rule (stable: equal keys keep their order). */
export function sortFindings(findings: LintFinding[]): LintFinding[] {
  return findings.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

/** A finding as printed (`... [image-tag]`), and as a spec error when its rule is at deny. */
export function withRuleId(f: LintFinding): LintFinding {
  return { ...f, message: `${f.message} [${f.rule}]` };
}
