import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type * as sqs from '@aws-sdk/client-sqs';
import type { ReceiveOptions, SqsPort } from './sqs-port';
import { withoutMetadata } from './sdk-ecs-port';

/** SqsPort over the real SDK client: one call each, no logic (retries are the client's). */
export class SdkSqsPort implements SqsPort {
  constructor(private readonly client: SQSClient) {}

  async getQueueUrl(input: sqs.GetQueueUrlRequest) {
    return withoutMetadata(await this.client.send(new GetQueueUrlCommand(input)));
  }

  async getQueueAttributes(input: sqs.GetQueueAttributesRequest) {
    return withoutMetadata(await this.client.send(new GetQueueAttributesCommand(input)));
  }

  async listQueueTags(input: sqs.ListQueueTagsRequest) {
    return withoutMetadata(await this.client.send(new ListQueueTagsCommand(input)));
  }

  async createQueue(input: sqs.CreateQueueRequest) {
    return withoutMetadata(await this.client.send(new CreateQueueCommand(input)));
  }

  async setQueueAttributes(input: sqs.SetQueueAttributesRequest): Promise<void> {
    await this.client.send(new SetQueueAttributesCommand(input));
  }

  async tagQueue(input: sqs.TagQueueRequest): Promise<void> {
    await this.client.send(new TagQueueCommand(input));
  }

  async untagQueue(input: sqs.UntagQueueRequest): Promise<void> {
    await this.client.send(new UntagQueueCommand(input));
  }

  async deleteQueue(input: sqs.DeleteQueueRequest): Promise<void> {
    await this.client.send(new DeleteQueueCommand(input));
  }

  /** The signal aborts the HTTP request itself, so a stop never waits out a 20 s poll. */
  async receiveMessage(input: sqs.ReceiveMessageRequest, opts: ReceiveOptions = {}) {
    return withoutMetadata(
      await this.client.send(
        new ReceiveMessageCommand(input),
        opts.signal ? { abortSignal: opts.signal } : {},
      ),
    );
  }

  async deleteMessageBatch(input: sqs.DeleteMessageBatchRequest) {
    return withoutMetadata(await this.client.send(new DeleteMessageBatchCommand(input)));
  }

  async changeMessageVisibility(input: sqs.ChangeMessageVisibilityRequest): Promise<void> {
    await this.client.send(new ChangeMessageVisibilityCommand(input));
  }

  async sendMessage(input: sqs.SendMessageRequest) {
    return withoutMetadata(await this.client.send(new SendMessageCommand(input)));
  }
}
