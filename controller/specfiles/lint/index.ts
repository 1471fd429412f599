/** Built-in policy checks (cluster.yaml `policy:`), run by the directory loader. */
export { clusterLinter, lintCluster } from './lint-cluster';
export type { ClusterLint, ClusterLintInput, ClusterLinter } from './lint-cluster';
export { runLint, withRuleId } from './run-lint';
export { unpinnedImage } from './image-tag';
export { LINT_RULE_CHECKS } from './rules';
export type { LintFinding, LintRule, LintSubject, RuleFinding } from './lint-types';
