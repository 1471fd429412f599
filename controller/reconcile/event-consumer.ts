import type { Clock } from '../aws/clock';
import type { Logger } from '../telemetry/logger';
import { resultFromError } from './reconcile-result';

/** One message as the queue hands it out. */
export interface ReceivedMessage {
  /** What deleting it takes (valid for this delivery only). */
  receiptHandle: string;
  body: string;
  /** When the queue received it (SQS `SentTimestamp`, ms), for the queue lag. */
  sentAt?: number;
}

/** Where events come from: an SQS queue (or the sandbox's). */
export interface MessageSource {
  /** For logs: the queue's URL or name. */
  readonly name: string;
  /** One long poll (up to 20 s, up to 10 messages); returns early when `signal` aborts. */
  receive(signal: AbortSignal): Promise<ReceivedMessage[]>;
  /** Deletes handled messages (one batch call for up to 10). */
  remove(handles: readonly string[]): Promise<void>;
}

/**
 * What is done with each message. Throwing leaves the message in the queue: it comes back after its
 * visibility timeout and, after the queue's maxReceiveCount, goes to the dead-letter queue.
 */
export type MessageHandler = (message: ReceivedMessage, receivedAt: number) => void;

export interface EventConsumerOptions {
  source: MessageSource;
  handle: MessageHandler;
  clock: Clock;
  log: Logger;
  /** The age of the oldest message of each batch, in seconds (the queue lag metric). */
  onLag?: (seconds: number) => void;
  /** First wait after a failed receive or delete; doubles up to `maxBackoffMs`. Default 1 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * The long-polling loop of one queue: receive, handle each message, delete what was handled, again,
 * until stopped. Receive and delete failures (throttling, the network, a queue not created yet) are
 * logged and retried with backoff; they never end the loop. A message is deleted only after it was
 * handled, so a crash in between means a redelivery, which the handler survives (duplicates are
 * expected: the view keeps the newest version, and a hint is idempotent).
 */
export class EventConsumer {
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly opts: EventConsumerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the poll in flight and waits for the loop (handled messages are still deleted). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { source, clock, log } = this.opts;
    const base = this.opts.backoffMs ?? 1000;
    const max = this.opts.maxBackoffMs ?? 60_000;
    let failures = 0;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        const messages = await source.receive(signal);
        if (signal.aborted && messages.length === 0) break;
        const now = clock.now();
        const handled = this.handleAll(messages, now);
        this.reportLag(messages, now);
        if (handled.length > 0) await source.remove(handled);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        const waitMs = Math.min(max, base * 2 ** (failures - 1));
        log.warn(
          { queue: source.name, err: resultFromError(err).error, retryInMs: waitMs },
          'event queue unavailable: retrying',
        );
        await clock.sleep(waitMs, signal);
      }
    }
  }

  /** Handles each message; returns the receipt handles of those handled. */
  private handleAll(messages: readonly ReceivedMessage[], now: number): string[] {
    const handled: string[] = [];
    for (const m of messages) {
      try {
        this.opts.handle(m, now);
        handled.push(m.receiptHandle);
      } catch (err) {
        this.opts.log.error(
          { queue: this.opts.source.name, err: resultFromError(err).error },
          'event not handled: left in the queue for a retry',
        );
      }
    }
    return handled;
  }

  private reportLag(messages: readonly ReceivedMessage[], now: number): void {
    // An empty long poll means the queue is drained: no lag.
    const sent = messages.flatMap((m) => (m.sentAt === undefined ? [] : [m.sentAt]));
    this.opts.onLag?.(sent.length > 0 ? Math.max(0, now - Math.min(...sent)) / 1000 : 0);
  }
}
