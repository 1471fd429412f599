/** The spec layer: reads cluster directories into DesiredState. Knows nothing of AWS calls. */
export {
  discoverClusterDirs,
  listSpecFiles,
  parseSpecFileName,
  hasClusterConfig,
  CLUSTER_CONFIG_NAMES,
} from './discover';
export type { SpecFile, SpecFileKind } from './discover';
export { diskFiles, exists } from './file-source';
export type { SpecFileSource, FileKind, DirEntry } from './file-source';
export { parseDocument, looksLikeJson } from './parse-document';
export type { ParsedDocument, ParseOptions } from './parse-document';
export { renderTemplate, templateVariables, BUILTIN_VARIABLES } from './template';
export type { RenderedTemplate, RenderOptions } from './template';
export { validateAgainstSchema, CRDS_DIR } from './validate-schema';
export type { SchemaKind, Locator } from './validate-schema';
export { loadClusterConfig } from './cluster-config';
export { clusterIdentity, ownerClashes } from './owner-clash';
export type { ClusterOptions, ClusterConfigResult } from './cluster-config';
export { loadClusterDir, OFFLINE_ACCOUNT_ID } from './load-cluster';
export type { LoadOptions, LoadResult } from './load-cluster';
export { withRuleId, unpinnedImage, LINT_RULE_CHECKS } from './lint';
export type { LintFinding } from './lint';
export { mergeServiceDefaults } from './load-service';
export {
  expandHostname,
  hostnameProblem,
  normalizeHostname,
  splitHostList,
  parseProxyPorts,
  DEFAULT_PROXY_PORTS,
  ipVersion,
} from './hostname-syntax';
export type { ExpandedHostname, ParsedProxyPorts } from './hostname-syntax';
export { PROXY_HOST_LABEL, PROXY_PORTS_LABEL, DNS_HOSTNAME_LABEL } from './host-labels';
export { DNS_TARGET_KINDS, DEFAULT_DNS_TTL } from './dns-config';
export { AUTOCREATE_MARKER, READ_ONLY_TASKDEF_FIELDS } from '../model/taskdef-fields';
export { starterTemplate, DEFAULT_SCHEMA_BASE } from './starter-templates';
export type { StarterKind } from './starter-templates';
export { formatFieldPath } from './field-path';
export type { FieldPath } from './field-path';
