import type * as sqs from '@aws-sdk/client-sqs';

/** An SDK output without `$metadata`: what the ports return. */
type Out<T> = Promise<Omit<T, '$metadata'>>;

/** Per-call options of a long poll: `signal` ends the wait at once (the controller is stopping). */
export interface ReceiveOptions {
  signal?: AbortSignal;
}

/*
 * The narrow SQS ports of the ECS event source (issue 14): the queue ecs-gitops creates and owns
 * (or one the user's infrastructure made), and the consumer that long-polls it. SDK shapes; one
 * method per API call; errors thrown as the SDK throws them (`name` QueueDoesNotExist,
 * QueueNameExists, InvalidParameterValue, ...). Split by role as ecs-port.ts is: the planner reads,
 * the executor writes, the event loop consumes. Implementations: SdkSqsPort (sdk-sqs-port.ts) and
 * the strict SandboxSqs (sandbox/sandbox-sqs.ts).
 */

/** What observing the owned queue reads. */
export interface SqsReadPort {
  getQueueUrl(input: sqs.GetQueueUrlRequest): Out<sqs.GetQueueUrlResult>;
  getQueueAttributes(input: sqs.GetQueueAttributesRequest): Out<sqs.GetQueueAttributesResult>;
  listQueueTags(input: sqs.ListQueueTagsRequest): Out<sqs.ListQueueTagsResult>;
}

/** What applying a plan changes: the queue, its attributes (policy, redrive, encryption) and tags. */
export interface SqsWritePort {
  createQueue(input: sqs.CreateQueueRequest): Out<sqs.CreateQueueResult>;
  setQueueAttributes(input: sqs.SetQueueAttributesRequest): Promise<void>;
  tagQueue(input: sqs.TagQueueRequest): Promise<void>;
  untagQueue(input: sqs.UntagQueueRequest): Promise<void>;
  deleteQueue(input: sqs.DeleteQueueRequest): Promise<void>;
}

/** The event loop: long-poll, then delete what was handled (or hand a message back sooner). */
export interface SqsConsumerPort {
  receiveMessage(input: sqs.ReceiveMessageRequest, opts?: ReceiveOptions): Out<sqs.ReceiveMessageResult>;
  deleteMessageBatch(input: sqs.DeleteMessageBatchRequest): Out<sqs.DeleteMessageBatchResult>;
  changeMessageVisibility(input: sqs.ChangeMessageVisibilityRequest): Promise<void>;
}

/** Sending: tests and the sandbox put (forged or real-shaped) events into a queue with it. */
export interface SqsProducerPort {
  sendMessage(input: sqs.SendMessageRequest): Out<sqs.SendMessageResult>;
}

/** Every role: what an implementation provides. */
export interface SqsPort extends SqsReadPort, SqsWritePort, SqsConsumerPort, SqsProducerPort {}
