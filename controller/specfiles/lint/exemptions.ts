/** `policy.exempt` in cluster.yaml: spec file names (relative to the cluster directory) per rule. */
import * as path from 'path';
import type { LintPolicy, LintRuleId } from '../../model/lint-policy';
import type { SpecError } from '../../model/source';

/** `./web.taskdef` and `web.taskdef` name one file. */
export function normalizeSpecName(name: string): string {
  return path.posix.normalize(name.replace(/\\/g, '/')).replace(/^\.\//, '');
}

export function exemptFiles(policy: LintPolicy, rule: LintRuleId): Set<string> {
  return new Set((policy.exempt[rule] ?? []).map(normalizeSpecName));
}

/**
 * Exemptions naming no spec file of the directory: a typo would otherwise leave a rule applied (or,
 * after a rename, a stale exemption waiting for a new file of that name) without a word.
 */
export function unknownExemptions(policy: LintPolicy, specNames: readonly string[]): SpecError[] {
  const known = new Set(specNames.map(normalizeSpecName));
  const at = policy.source ?? { file: 'cluster.yaml', line: 1, column: 1 };
  const out: SpecError[] = [];
  for (const [rule, names] of Object.entries(policy.exempt)) {
    (names ?? []).forEach((name, i) => {
      if (known.has(normalizeSpecName(name))) return;
      out.push({
        ...at,
        field: `policy.exempt.${rule}[${i}]`,
        message: `exempts "${name}" from ${rule}, but this directory has no spec file of that name`,
      });
    });
  }
  return out;
}
