import type { ClusterConfig } from '../model/desired';
import {
  type ArnContext,
  clusterArnIn,
  DEAD_LETTER_RETENTION_SECONDS,
  type DesiredEventResources,
  ECS_EVENT_DETAIL_TYPES,
  ECS_EVENT_RESOURCE_KINDS,
  eventResourceNames,
  type OwnedEventQueue,
  queueArnIn,
  RECEIVE_WAIT_SECONDS,
  resourceArnPrefix,
  ruleArnIn,
} from '../model/events';
import { ownershipTags } from '../model/ownership';

/**
 * The rule, queue and dead-letter queue `events: { queue: create }` asks for, with every ARN
 * spelled out: all three live in the cluster's account and region, so their ARNs follow from
 * their names and nothing waits for another's create to learn one. Pure.
 */
export function desiredEventResources(
  cluster: ClusterConfig,
  owned: OwnedEventQueue,
  ctx: ArnContext,
  /** The live cluster's ARN, when it exists (else the one it will have). */
  clusterArn = clusterArnIn(ctx, cluster.name),
): DesiredEventResources {
  const names = eventResourceNames(cluster.name);
  const tags = { ...cluster.tags, ...ownershipTags(cluster.ownerId, cluster.name) };
  const queueArn = queueArnIn(ctx, names.queue);
  const deadLetterArn = queueArnIn(ctx, names.deadLetterQueue);
  const ruleArn = ruleArnIn(ctx, names.rule);
  return {
    deadLetterQueue: {
      name: names.deadLetterQueue,
      arn: deadLetterArn,
      attributes: {
        MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
        SqsManagedSseEnabled: 'true',
      },
      tags,
    },
    queue: {
      name: names.queue,
      arn: queueArn,
      attributes: {
        MessageRetentionPeriod: String(owned.messageRetentionSeconds),
        Policy: JSON.stringify(queuePolicy(queueArn, ruleArn)),
        ReceiveMessageWaitTimeSeconds: String(RECEIVE_WAIT_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: owned.deadLetterMaxReceives,
        }),
        SqsManagedSseEnabled: 'true',
      },
      tags,
    },
    rule: {
      name: names.rule,
      arn: ruleArn,
      eventPattern: JSON.stringify({
        source: ['aws.ecs'],
        'detail-type': [...ECS_EVENT_DETAIL_TYPES],
        // By the ARNs of the cluster's resources, not `detail.clusterArn`: a deployment event's
        // detail has none (AWS's documented shape), only the service's ARN in `resources`.
        resources: ECS_EVENT_RESOURCE_KINDS.map((kind) => ({ prefix: resourceArnPrefix(clusterArn, kind) })),
      }),
      description: `ECS events of cluster ${cluster.name}, for ecs-gitops`,
      tags,
      target: { id: names.targetId, arn: queueArn },
    },
  };
}

/**
 * Only EventBridge may send, and only for our rule (`aws:SourceArn`): nobody else can put a
 * message into the queue through this policy. The account's own principals still can through
 * their IAM policies, which is why an event is only ever a hint.
 */
function queuePolicy(queueArn: string, ruleArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EcsEventsFromTheRuleOnly',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  };
}
