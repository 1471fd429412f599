import type { SqsConsumerPort, SqsReadPort } from '../aws/sqs-port';
import { RECEIVE_WAIT_SECONDS } from '../model/events';
import type { MessageSource, ReceivedMessage } from './event-consumer';

/** SQS's most per ReceiveMessage and per DeleteMessageBatch. */
const BATCH = 10;

/** Where the queue is: its URL, or a name (and owner) to resolve with GetQueueUrl once it exists. */
export type QueueRef = { url: string } | { name: string; ownerAccountId?: string };

/**
 * An SQS queue as the event consumer's MessageSource: 20 s long polls of up to 10 messages, with
 * SentTimestamp for the lag; handled messages deleted in one DeleteMessageBatch. A queue named
 * rather than given by URL is looked up on first use and again after it was not found (an owned
 * queue appears with the first apply).
 */
export class SqsMessageSource implements MessageSource {
  private url?: string;

  constructor(
    private readonly sqs: SqsConsumerPort & Pick<SqsReadPort, 'getQueueUrl'>,
    private readonly ref: QueueRef,
  ) {
    if ('url' in ref) this.url = ref.url;
  }

  get name(): string {
    return 'url' in this.ref ? this.ref.url : this.ref.name;
  }

  async receive(signal: AbortSignal): Promise<ReceivedMessage[]> {
    const url = await this.queueUrl();
    try {
      const out = await this.sqs.receiveMessage(
        {
          QueueUrl: url,
          WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
          MaxNumberOfMessages: BATCH,
          MessageSystemAttributeNames: ['SentTimestamp'],
        },
        { signal },
      );
      return (out.Messages ?? []).flatMap((m) => {
        if (!m.ReceiptHandle) return [];
        const sent = Number(m.Attributes?.SentTimestamp);
        return [
          {
            receiptHandle: m.ReceiptHandle,
            body: m.Body ?? '',
            ...(Number.isFinite(sent) ? { sentAt: sent } : {}),
          },
        ];
      });
    } catch (err) {
      if (!('url' in this.ref) && isQueueMissing(err)) this.url = undefined;
      throw err;
    }
  }

  async remove(handles: readonly string[]): Promise<void> {
    const url = await this.queueUrl();
    for (let i = 0; i < handles.length; i += BATCH) {
      const out = await this.sqs.deleteMessageBatch({
        QueueUrl: url,
        Entries: handles.slice(i, i + BATCH).map((h, n) => ({ Id: String(i + n), ReceiptHandle: h })),
      });
      // A message not deleted comes back after its visibility timeout: handling it twice is safe.
      const failed = out.Failed ?? [];
      if (failed.length > 0) {
        throw new Error(
          `${failed.length} message(s) not deleted from ${this.name} (${failed[0]?.Code ?? 'error'}); they will be handled again`,
        );
      }
    }
  }

  private async queueUrl(): Promise<string> {
    if (this.url) return this.url;
    const ref = this.ref as { name: string; ownerAccountId?: string };
    const out = await this.sqs.getQueueUrl({
      QueueName: ref.name,
      ...(ref.ownerAccountId ? { QueueOwnerAWSAccountId: ref.ownerAccountId } : {}),
    });
    if (!out.QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${ref.name}`);
    this.url = out.QueueUrl;
    return this.url;
  }
}

function isQueueMissing(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  return /QueueDoesNotExist|NonExistentQueue/.test(name);
}
