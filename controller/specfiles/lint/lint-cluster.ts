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
import { lintRunner, sortFindings } from './run-lint';

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
  const linter = clusterLinter(input.cluster);
  for (const t of input.taskdefs) linter.addTaskdef(t);
  for (const s of input.services) linter.addService(s);
  return linter.finish(input.autocreated, input.specNames);
}

/**
 * The same checks one file at a time, as the loader reads them: a load's `locate` holds the file's
 * parse tree, so linting it at once lets that tree go (5,000 of them held until the end were most
 * of the loader's peak memory). Each add clears the load's `locate`.
 */
export interface ClusterLinter {
  addTaskdef(t: TaskdefLoad): void;
  addService(s: ServiceLoad): void;
  finish(
    autocreated: readonly { service: DesiredService; taskdef: TaskdefLoad }[],
    specNames: readonly string[],
  ): ClusterLint;
}

export function clusterLinter(cluster: ClusterConfig): ClusterLinter {
  const policy = cluster.policy ?? defaultLintPolicy();
  const ctx = { secrets: secretMatcher(cluster.redaction) };
  const findings: LintFinding[] = [];
  const run = lintRunner(policy, ctx);
  const lint = (subject: LintSubject): void => {
    findings.push(...run([subject]));
  };
  return {
    addTaskdef(t) {
      if (!t.taskDefinition || !t.locate) return;
      lint({
        kind: 'taskdef',
        file: t.file.path,
        fileName: t.file.name,
        locate: t.locate,
        body: t.taskDefinition.body as unknown as Record<string, unknown>,
      });
      delete t.locate;
    },
    addService(s) {
      if (!s.service || !s.locate) return;
      lint({
        kind: 'service',
        file: s.file.path,
        fileName: s.file.name,
        locate: s.locate,
        name: s.service.name,
        body: s.service.body,
        autocreated: false,
        ownFields: s.ownFields ?? [],
      });
      delete s.locate;
    },
    finish(autocreated, specNames) {
      for (const { service, taskdef } of autocreated) {
        // Nothing of it is in a file: every finding points at the AUTOCREATE.SERVICE marker.
        const at = { line: service.source.line, column: service.source.column };
        lint({
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
      return { findings: sortFindings(findings), warnings: unknownExemptions(policy, specNames) };
    },
  };
}
