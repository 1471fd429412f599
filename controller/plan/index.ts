/** The pure planning layer: desired vs observed -> Plan, and how plans and results are shown. */
export * from './plan-types';
export { planCluster, createServiceRequest, taskDefinitionPlaceholder, actionId } from './planner';
export { tagDrift } from './tag-drift';
export {
  normalizeTaskDefinition,
  withoutTaskDefinitionDefaults,
  taskDefinitionDiff,
  TASKDEF_NORMALIZATION_RULES,
  type NormalizationRule,
} from './normalize-taskdef';
export {
  serviceDiff,
  serviceBodyWithDefaults,
  withoutServiceDefaults,
  SERVICE_FIELD_RULES,
  type ServiceFieldRule,
} from './normalize-service';
export { formatPlanError, planErrorLines, renderPlanText, type PlanTextOptions } from './render-text';
export {
  renderPlanMarkdown,
  GITHUB_COMMENT_MAX_LENGTH,
  GITLAB_NOTE_MAX_LENGTH,
  DEFAULT_FULL_PLAN_HINT,
  type MarkdownContext,
} from './render-markdown';
export { relativizePlanSources, relativePath } from './relative-sources';
export {
  planToJson,
  type PlanJson,
  type PlanJsonAction,
  type PlanJsonCluster,
  type PlanJsonError,
} from './plan-json';
export {
  renderResultsText,
  resultsToJson,
  summarizeResults,
  OUTCOMES,
  type ResultsJson,
  type ResultsSummary,
  type ResultsTextOptions,
} from './render-results';
export { summarizePlan, type PlanSummary } from './plan-summary';
export { planDns, dnsActionId, describeTarget } from './dns-planner';
export {
  comparedName,
  toRoute53Name,
  zoneFor,
  ambiguousZones,
  isInZone,
  bareZoneId,
  type ZoneOptions,
} from './dns-names';
export {
  ownershipTxtName,
  recordForTxtName,
  ownershipTxtValue,
  parseOwnership,
  ownershipOfTxt,
  decideOwnership,
  txtText,
  TXT_PREFIX,
  type DnsOwnership,
  type DnsOwnershipDecision,
} from './dns-ownership';
export { batchChanges, changeCost, ROUTE53_LIMITS, type BatchLimits, type ChangeCost } from './dns-batches';
export { desiredRecordsFor, recordDiff, canonicalIpv6, type DesiredRecord } from './dns-records';
