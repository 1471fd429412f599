/** Task definition constants shared by spec loading, planning and export. */

/** Anywhere in a task definition, this text asks for a service without a `.service` file. */
export const AUTOCREATE_MARKER = 'AUTOCREATE.SERVICE';

/**
 * Fields of `aws ecs describe-task-definition` output that RegisterTaskDefinition does not take.
 * The one list: the planner ignores the same fields when comparing with a live revision.
 */
export const READ_ONLY_TASKDEF_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;
