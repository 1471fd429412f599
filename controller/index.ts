/**
 * ecs-gitops as a library: the same layers the CLI uses, for tools that embed the reconcile.
 * The CLI is `bin/ecs-gitops.js`; see README.md.
 */
export { loadClusterDir, discoverClusterDirs, type LoadOptions, type LoadResult } from './specfiles';
export type { DesiredState, ClusterConfig, DesiredService, DesiredTaskDefinition } from './model/desired';
export type { SpecError, SourceRef } from './model/source';
export { planCluster, renderPlanText, renderPlanMarkdown, planToJson } from './plan';
export type { Plan, PlannedAction } from './plan/plan-types';
export type { ActionResult, Outcome } from './model/action-result';
export type { EcsPort, StsPort } from './aws/ecs-port';
export { CallLog } from './aws/call-log';
export { EcsReader } from './observe/ecs-reader';
export { SdkEcsPort } from './aws/sdk-ecs-port';
export { createAwsClients } from './aws/clients';
export { SandboxEcs } from './aws/sandbox/sandbox-ecs';
export { planDesiredState, applyPlan } from './reconcile/reconcile-cluster';
export { waitForRollouts } from './reconcile/rollout-waiter';
export { destroyCluster } from './reconcile/destroy';
export { main } from './cli/main';
export { onAwsContextCreated, type AwsContext, type AwsContextListener } from './cli/aws-context';
