/** The pure planning layer: desired vs observed -> Plan, and how plans and results are shown. */
export * from './plan-types';
export {
  planCluster,
  clientTokenFor,
  createServiceRequest,
  taskDefinitionPlaceholder,
  tagDrift,
  actionId,
} from './planner';
export {
  normalizeTaskDefinition,
  taskDefinitionDiff,
  TASKDEF_NORMALIZATION_RULES,
  type NormalizationRule,
} from './normalize-taskdef';
export {
  serviceDiff,
  serviceBodyWithDefaults,
  SERVICE_FIELD_RULES,
  type ServiceFieldRule,
} from './normalize-service';
export { renderPlanText, type PlanTextOptions } from './render-text';
export { renderPlanMarkdown } from './render-markdown';
export { planToJson, type PlanJson, type PlanJsonAction, type PlanJsonCluster } from './plan-json';
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
