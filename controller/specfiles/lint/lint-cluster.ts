/**
 * The policy checks of one cluster directory, from what its loaders produced: every task definition
 * and service that loaded (a file with errors has them reported already), with the positions of its
 * fields, at the levels and exemptions of cluster.yaml `policy:`.
 */
import type { ClusterConfig, DesiredService } from '../../model/desired';
import { defaultLintPolicy } from '../../model/lint-policy';
import { secretMatcher } from '../../model/secret-detection';
import type { SpecError } from '../../model/source';
import type { ServiceLoad } from '../load-service';
import type { TaskdefLoad } from '../load-taskdef';
import { unknownExemptions } from './exemptions';
import type { LintFinding, LintSubject } from './lint-types';
import { runLint } from './run-lint';

export interface ClusterLintInput {
  cluster: ClusterConfig;
  taskdefs: readonly TaskdefLoad[];
  services: readonly ServiceLoad[];
  /** AUTOCREATE.SERVICE services, with the task definition file that asks for each. */
  autocreated: readonly { service: DesiredService; taskdef: TaskdefLoad }[];
  /** Every spec file name of the directory, to check `policy.exempt` against. */
  specNames: readonly string[];
}

export interface ClusterLint {
  findings: LintFinding[];
  /** About the policy itself (an exemption naming no file). */
  warnings: SpecError[];
}

export function lintCluster(input: ClusterLintInput): ClusterLint {
  const policy = input.cluster.policy ?? defaultLintPolicy();
  const subjects: LintSubject[] = [];
  for (const t of input.taskdefs) {
    if (!t.taskDefinition || !t.locate) continue;
    subjects.push({
      kind: 'taskdef',
      file: t.file.path,
      fileName: t.file.name,
      locate: t.locate,
      body: t.taskDefinition.body as unknown as Record<string, unknown>,
    });
  }
  for (const s of input.services) {
    if (!s.service || !s.locate) continue;
    subjects.push({
      kind: 'service',
      file: s.file.path,
      fileName: s.file.name,
      locate: s.locate,
      name: s.service.name,
      body: s.service.body,
      autocreated: false,
      ownFields: s.ownFields ?? [],
    });
  }
  for (const { service, taskdef } of input.autocreated) {
    // Nothing of it is in a file: every finding points at the AUTOCREATE.SERVICE marker.
    const at = { line: service.source.line, column: service.source.column };
    subjects.push({
      kind: 'service',
      file: taskdef.file.path,
      fileName: taskdef.file.name,
      locate: () => at,
      name: service.name,
      body: service.body,
      autocreated: true,
      ownFields: [],
    });
  }
  return {
    findings: runLint(subjects, policy, { secrets: secretMatcher(input.cluster.redaction) }),
    warnings: unknownExemptions(policy, input.specNames),
  };
}
