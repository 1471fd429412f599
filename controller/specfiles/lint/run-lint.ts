/**
 * Runs the policy rules on the specs of one cluster directory: each rule at its level from
 * cluster.yaml (`off` rules do not run), skipping the spec files exempted from it.
 */
import type { LintPolicy } from '../../model/lint-policy';
import { formatFieldPath } from '../field-path';
import { exemptFiles, normalizeSpecName } from './exemptions';
import type { LintContext, LintFinding, LintRule, LintSubject } from './lint-types';
import { LINT_RULE_CHECKS } from './rules';

export function runLint(
  subjects: readonly LintSubject[],
  policy: LintPolicy,
  ctx: LintContext,
): LintFinding[] {
  return lintRunner(policy, ctx)(subjects);
}

/**
 * `runLint` with the rules' levels and exemptions worked out once: a cluster's linter runs it on
 * each spec file as it loads (lint-cluster.ts).
 */
export function lintRunner(
  policy: LintPolicy,
  ctx: LintContext,
): (subjects: readonly LintSubject[]) => LintFinding[] {
  const rules: { rule: LintRule; level: LintFinding['level']; exempt: Set<string> }[] = [];
  for (const rule of Object.values(LINT_RULE_CHECKS)) {
    const level = policy.levels[rule.id];
    if (level === 'off') continue;
    rules.push({ rule, level, exempt: exemptFiles(policy, rule.id) });
  }
  return (subjects) => {
    const findings: LintFinding[] = [];
    for (const { rule, level, exempt } of rules) {
      for (const s of subjects) {
        if (exempt.size > 0 && exempt.has(normalizeSpecName(s.fileName))) continue;
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
  };
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
