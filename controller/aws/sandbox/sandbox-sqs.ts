import { createHash, randomUUID } from 'node:crypto';
import type * as sqs from '@aws-sdk/client-sqs';
import { CallLog } from '../call-log';
import { withOperation } from '../aws-error';
import { type Clock, systemClock } from '../clock';
import type { ReceiveOptions, SqsPort } from '../sqs-port';
import { sqsErrors as errors } from './sqs-errors';
import {
  FIFO_DEFAULTS,
  MAX_QUEUE_TAGS,
  QUEUE_DEFAULTS,
  READABLE_ATTRIBUTES,
  checkQueueAttributes,
  checkQueueName,
  policyAllowsService,
  redriveOf,
} from './sqs-rules';

/** A message as stored: times are epoch milliseconds. */
export interface StoredMessage {
  id: string;
  body: string;
  sentAt: number;
  /** Visible (receivable) from this time: after its delay, or after its visibility timeout. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Nonce of the latest receive: only the newest receipt handle deletes the message. */
  receipt?: string;
  senderId: string;
  groupId?: string;
  dedupId?: string;
  sequence?: string;
}

export interface StoredQueue {
  name: string;
  /** Attributes as set (defaults are filled in on the way out). */
  attributes: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  tags: Record<string, string>;
  messages: StoredMessage[];
  /** FIFO: deduplication id -> when first sent (a repeat within 5 minutes is dropped). */
  dedup?: Record<string, { at: number; messageId: string; sequence: string }>;
}

export interface StoredSqs {
  seq: number;
  queues: StoredQueue[];
  /** Queue name -> when it was deleted (its name is blocked for 60 s). */
  deletedAt?: Record<string, number>;
}

export interface SandboxSqsOptions {
  accountId: string;
  region: string;
  /** Calls are recorded as `SQS.<Operation>`. */
  callLog?: CallLog;
  /** Default: real time. Visibility timeouts, delays, retention and long polls run on it. */
  clock?: Clock;
  /**
   * Called before each look at a queue during a receive, so that the rest of the sandbox account
   * moves on while a consumer long-polls (ECS rollouts emit their events into EventBridge then).
   */
  tick?: () => void;
}

type Out<T> = Promise<Omit<T, '$metadata'>>;

const MAX_RECEIVE = 10;
const MAX_WAIT_SECONDS = 20;
const MAX_VISIBILITY = 43200;
const MAX_BATCH = 10;
const DELETED_NAME_BLOCK_MS = 60_000;
const DEDUP_WINDOW_MS = 5 * 60_000;
/** A long poll looks again at least this often (sandbox time), so that time-driven changes show. */
const POLL_STEP_MS = 1000;
/** XML 1.0's characters, which is what SQS accepts in a body (tab, LF and CR among the controls). */
// eslint-disable-next-line no-control-regex
const VALID_BODY = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * A strict in-memory SQS behind the SqsPort: AWS's queue names and attributes (with their
 * defaults, ranges and error codes), idempotent CreateQueue (same attributes: same URL; different
 * ones: QueueNameExists), the 60 s block on a deleted queue's name, visibility timeouts, receipt
 * handles (only the newest one deletes a message: an older one succeeds and deletes nothing, the
 * worse of what AWS documents: "might not be deleted"), ApproximateReceiveCount and
 * SentTimestamp, redrive to a dead-letter queue after maxReceiveCount receives, retention, FIFO
 * groups and deduplication, and long polls that end when a message arrives or after
 * WaitTimeSeconds of the sandbox clock. EventBridge delivers through
 * `deliver`, which checks the queue policy as SQS does for a service principal.
 */
export class SandboxSqs implements SqsPort {
  readonly callLog: CallLog;
  private readonly clock: Clock;
  private seq = 0;
  private readonly queues = new Map<string, StoredQueue>();
  private readonly deletedAt = new Map<string, number>();
  /** Long polls waiting on a queue (by name): told when a message may be receivable. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly opts: SandboxSqsOptions) {
    this.callLog = opts.callLog ?? new CallLog();
    this.clock = opts.clock ?? systemClock;
  }

  // ---------------------------------------------------------------- names

  queueUrl(name: string): string {
    return `https://sqs.${this.opts.region}.amazonaws.com/${this.opts.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.opts.region}:${this.opts.accountId}:${name}`;
  }

  /** A queue by URL (any host: AWS's legacy and current forms end in `/<account>/<name>`). */
  private byUrl(url: string | undefined): StoredQueue {
    const m = /\/(\d{12})\/([^/]+)$/.exec(url ?? '');
    const q = m && m[1] === this.opts.accountId ? this.queues.get(m[2]) : undefined;
    if (!q) throw errors.queueDoesNotExist();
    return q;
  }

  private byArn(arn: string): StoredQueue | undefined {
    const prefix = this.queueArn('');
    return arn.startsWith(prefix) ? this.queues.get(arn.slice(prefix.length)) : undefined;
  }

  private isFifo(q: StoredQueue): boolean {
    return q.attributes.FifoQueue === 'true';
  }

  private effective(q: StoredQueue): Record<string, string> {
    const out = { ...QUEUE_DEFAULTS, ...(this.isFifo(q) ? FIFO_DEFAULTS : {}), ...q.attributes };
    // A KMS key replaces SSE-SQS.
    if (q.attributes.KmsMasterKeyId && q.attributes.SqsManagedSseEnabled === undefined)
      out.SqsManagedSseEnabled = 'false';
    for (const k of Object.keys(out)) if (out[k] === '') delete out[k];
    return out;
  }

  private queueType = (arn: string): 'fifo' | 'standard' | undefined => {
    const q = this.byArn(arn);
    return q ? (this.isFifo(q) ? 'fifo' : 'standard') : undefined;
  };

  // ---------------------------------------------------------------- queues

  createQueue(input: sqs.CreateQueueRequest): Out<sqs.CreateQueueResult> {
    return this.call('CreateQueue', () => {
      // FifoQueue=true makes a FIFO queue (its name must end in .fifo); without it the name is a
      // standard queue's, where a `.` is not allowed.
      const fifo = input.Attributes?.FifoQueue === 'true';
      const name = checkQueueName(input.QueueName, fifo);
      const attributes = checkQueueAttributes(input.Attributes, {
        fifo,
        creating: true,
        queueType: this.queueType,
      });
      const existing = this.queues.get(name);
      if (existing) {
        // Idempotent: the same attributes give the same queue; any that differs is an error.
        const current = this.effective(existing);
        for (const [k, v] of Object.entries(attributes)) {
          if ((current[k] ?? '') !== v) throw errors.queueNameExists(k);
        }
        return { QueueUrl: this.queueUrl(name) };
      }
      const deleted = this.deletedAt.get(name);
      if (deleted !== undefined && this.now() < deleted + DELETED_NAME_BLOCK_MS)
        throw errors.queueDeletedRecently();
      const tags = { ...(input.tags ?? {}) };
      if (Object.keys(tags).length > MAX_QUEUE_TAGS) throw errors.tooManyTags();
      const now = this.now();
      this.queues.set(name, { name, attributes, createdAt: now, modifiedAt: now, tags, messages: [] });
      return { QueueUrl: this.queueUrl(name) };
    });
  }

  getQueueUrl(input: sqs.GetQueueUrlRequest): Out<sqs.GetQueueUrlResult> {
    return this.call('GetQueueUrl', () => {
      if (
        input.QueueOwnerAWSAccountId !== undefined &&
        input.QueueOwnerAWSAccountId !== this.opts.accountId
      ) {
        throw errors.queueDoesNotExist();
      }
      if (!this.queues.has(input.QueueName ?? '')) throw errors.queueDoesNotExist();
      return { QueueUrl: this.queueUrl(input.QueueName ?? '') };
    });
  }

  getQueueAttributes(input: sqs.GetQueueAttributesRequest): Out<sqs.GetQueueAttributesResult> {
    return this.call('GetQueueAttributes', () => {
      const q = this.byUrl(input.QueueUrl);
      const names = input.AttributeNames ?? [];
      for (const n of names)
        if (n !== 'All' && !READABLE_ATTRIBUTES.has(n)) throw errors.invalidAttributeName(n);
      this.expire(q);
      const now = this.now();
      const all: Record<string, string> = {
        ...this.effective(q),
        QueueArn: this.queueArn(q.name),
        CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
        ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
        ApproximateNumberOfMessagesNotVisible: String(
          q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length,
        ),
        ApproximateNumberOfMessagesDelayed: String(
          q.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length,
        ),
      };
      if (names.length === 0) return {};
      const wanted = names.includes('All') ? Object.keys(all) : names;
      const Attributes: Record<string, string> = {};
      for (const n of wanted) if (all[n] !== undefined) Attributes[n] = all[n];
      return { Attributes };
    });
  }

  setQueueAttributes(input: sqs.SetQueueAttributesRequest): Promise<void> {
    return this.call('SetQueueAttributes', () => {
      const q = this.byUrl(input.QueueUrl);
      const attributes = checkQueueAttributes(input.Attributes, {
        fifo: this.isFifo(q),
        creating: false,
        queueType: this.queueType,
      });
      // Turning SSE-SQS on drops a KMS key and the other way round, as AWS switches the mode.
      if (attributes.KmsMasterKeyId) delete q.attributes.SqsManagedSseEnabled;
      if (attributes.SqsManagedSseEnabled === 'true') delete q.attributes.KmsMasterKeyId;
      Object.assign(q.attributes, attributes);
      q.modifiedAt = this.now();
    });
  }

  deleteQueue(input: sqs.DeleteQueueRequest): Promise<void> {
    return this.call('DeleteQueue', () => {
      const q = this.byUrl(input.QueueUrl);
      this.queues.delete(q.name);
      this.deletedAt.set(q.name, this.now());
      this.wake(q.name);
    });
  }

  tagQueue(input: sqs.TagQueueRequest): Promise<void> {
    return this.call('TagQueue', () => {
      const q = this.byUrl(input.QueueUrl);
      if (!input.Tags || Object.keys(input.Tags).length === 0) {
        throw errors.missingParameter('The request must contain the parameter Tags.');
      }
      const merged = { ...q.tags, ...input.Tags };
      if (Object.keys(merged).length > MAX_QUEUE_TAGS) throw errors.tooManyTags();
      q.tags = merged;
    });
  }

  untagQueue(input: sqs.UntagQueueRequest): Promise<void> {
    return this.call('UntagQueue', () => {
      const q = this.byUrl(input.QueueUrl);
      for (const k of input.TagKeys ?? []) delete q.tags[k];
    });
  }

  listQueueTags(input: sqs.ListQueueTagsRequest): Out<sqs.ListQueueTagsResult> {
    return this.call('ListQueueTags', () => {
      const q = this.byUrl(input.QueueUrl);
      return Object.keys(q.tags).length > 0 ? { Tags: { ...q.tags } } : {};
    });
  }

  // ---------------------------------------------------------------- messages

  sendMessage(input: sqs.SendMessageRequest): Out<sqs.SendMessageResult> {
    return this.call('SendMessage', () => {
      const q = this.byUrl(input.QueueUrl);
      if (input.MessageAttributes !== undefined || input.MessageSystemAttributes !== undefined) {
        // Refused rather than dropped: a test relying on them would pass for the wrong reason.
        throw errors.invalidParameterValue('The sandbox does not support message attributes.');
      }
      return this.enqueue(q, {
        body: input.MessageBody,
        senderId: this.opts.accountId,
        ...(input.DelaySeconds !== undefined ? { delaySeconds: input.DelaySeconds } : {}),
        ...(input.MessageGroupId !== undefined ? { groupId: input.MessageGroupId } : {}),
        ...(input.MessageDeduplicationId !== undefined ? { dedupId: input.MessageDeduplicationId } : {}),
      });
    });
  }

  private enqueue(
    q: StoredQueue,
    m: {
      body: string | undefined;
      senderId: string;
      delaySeconds?: number;
      groupId?: string;
      dedupId?: string;
    },
  ): { MessageId: string; MD5OfMessageBody: string; SequenceNumber?: string } {
    const attrs = this.effective(q);
    if (m.body === undefined || m.body === '') {
      throw errors.missingParameter('The request must contain the parameter MessageBody.');
    }
    const max = Number(attrs.MaximumMessageSize);
    if (Buffer.byteLength(m.body, 'utf8') > max) {
      throw errors.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    }
    if (!VALID_BODY.test(m.body)) throw errors.invalidMessageContents();
    const fifo = this.isFifo(q);
    if (m.delaySeconds !== undefined) {
      if (fifo) {
        throw errors.badParameter(
          'DelaySeconds',
          m.delaySeconds,
          'The request include parameter that is not valid for this queue type.',
        );
      }
      if (!Number.isInteger(m.delaySeconds) || m.delaySeconds < 0 || m.delaySeconds > 900) {
        throw errors.badParameter('DelaySeconds', m.delaySeconds, 'must be between 0 and 900, if provided.');
      }
    }
    const md5 = createHash('md5').update(m.body, 'utf8').digest('hex');
    const now = this.now();
    let sequence: string | undefined;
    let dedupId: string | undefined;
    if (fifo) {
      if (m.groupId === undefined)
        throw errors.missingParameter('The request must contain the parameter MessageGroupId.');
      dedupId =
        m.dedupId ??
        (attrs.ContentBasedDeduplication === 'true'
          ? createHash('sha256').update(m.body).digest('hex')
          : undefined);
      if (dedupId === undefined) {
        throw errors.invalidParameterValue(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      q.dedup ??= {};
      for (const [k, v] of Object.entries(q.dedup)) if (now - v.at >= DEDUP_WINDOW_MS) delete q.dedup[k];
      const seen = q.dedup[dedupId];
      // A repeat within the window is accepted and dropped: the caller gets the first one's id.
      if (seen) return { MessageId: seen.messageId, MD5OfMessageBody: md5, SequenceNumber: seen.sequence };
      this.seq++;
      sequence = String(this.seq).padStart(20, '0');
    } else if (m.dedupId !== undefined) {
      throw errors.badParameter(
        'MessageDeduplicationId',
        m.dedupId,
        'The request includes a parameter that is not valid for this queue type.',
      );
    }
    const id = randomUUID();
    const delay = m.delaySeconds ?? Number(attrs.DelaySeconds);
    q.messages.push({
      id,
      body: m.body,
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      senderId: m.senderId,
      ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
      ...(dedupId !== undefined ? { dedupId } : {}),
      ...(sequence !== undefined ? { sequence } : {}),
    });
    if (fifo && dedupId !== undefined && sequence !== undefined)
      q.dedup![dedupId] = { at: now, messageId: id, sequence };
    this.wake(q.name);
    return {
      MessageId: id,
      MD5OfMessageBody: md5,
      ...(sequence !== undefined ? { SequenceNumber: sequence } : {}),
    };
  }

  /**
   * Long poll: looks at once, then again whenever a message arrives and at least every second of
   * sandbox time (visibility timeouts expire, ECS moves on), until WaitTimeSeconds have passed or
   * `signal` aborts. Validation errors reject before any wait.
   */
  async receiveMessage(
    input: sqs.ReceiveMessageRequest,
    opts: ReceiveOptions = {},
  ): Out<sqs.ReceiveMessageResult> {
    const { q, max, waitMs, visibilityMs } = await this.call('ReceiveMessage', () =>
      this.receiveParams(input),
    );
    const deadline = this.now() + waitMs;
    for (;;) {
      this.opts.tick?.();
      if (!this.queues.has(q.name)) return {};
      const got = this.take(q, max, visibilityMs, input);
      const left = deadline - this.now();
      if (got.length > 0 || left <= 0 || opts.signal?.aborted) return got.length > 0 ? { Messages: got } : {};
      await this.waitForMessage(
        q.name,
        Math.min(left, POLL_STEP_MS, this.nextVisibleIn(q) ?? Infinity),
        opts.signal,
      );
    }
  }

  private receiveParams(input: sqs.ReceiveMessageRequest) {
    const q = this.byUrl(input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE) {
      throw errors.badParameter(
        'MaxNumberOfMessages',
        max,
        `Must be between 1 and ${MAX_RECEIVE}, if provided.`,
      );
    }
    const wait = input.WaitTimeSeconds ?? Number(this.effective(q).ReceiveMessageWaitTimeSeconds);
    if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
      throw errors.badParameter(
        'WaitTimeSeconds',
        wait,
        `Must be >= 0 and <= ${MAX_WAIT_SECONDS}, if provided.`,
      );
    }
    const visibility = input.VisibilityTimeout ?? Number(this.effective(q).VisibilityTimeout);
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > MAX_VISIBILITY) {
      throw errors.badParameter(
        'VisibilityTimeout',
        visibility,
        `Must be between 0 and ${MAX_VISIBILITY}, if provided.`,
      );
    }
    return { q, max, waitMs: wait * 1000, visibilityMs: visibility * 1000 };
  }

  /**
   * Resolves when a message is sent to the queue, after `ms` of sandbox time, or on abort; always
   * after one turn of the event loop, so that a consumer polling in a loop on a manual clock (whose
   * sleep returns at once) still lets timers and I/O run, its stop signal among them.
   */
  private async waitForMessage(name: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const stop = new AbortController();
    const set = this.waiters.get(name) ?? new Set<() => void>();
    this.waiters.set(name, set);
    return new Promise<void>((resolve) => {
      const done = () => {
        set.delete(done);
        signal?.removeEventListener('abort', done);
        stop.abort();
        resolve();
      };
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
      void this.clock.sleep(Math.max(0, ms), stop.signal).then(done);
    });
  }

  private wake(name: string): void {
    for (const fn of [...(this.waiters.get(name) ?? [])]) fn();
  }

  /** Milliseconds until the next message of `q` becomes visible, if one is waiting. */
  private nextVisibleIn(q: StoredQueue): number | undefined {
    const now = this.now();
    const times = q.messages.filter((m) => m.visibleAt > now).map((m) => m.visibleAt - now);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Drops messages past the retention period. */
  private expire(q: StoredQueue): void {
    const retentionMs = Number(this.effective(q).MessageRetentionPeriod) * 1000;
    const now = this.now();
    q.messages = q.messages.filter((m) => now < m.sentAt + retentionMs);
  }

  private take(
    q: StoredQueue,
    max: number,
    visibilityMs: number,
    input: sqs.ReceiveMessageRequest,
  ): sqs.Message[] {
    this.expire(q);
    const now = this.now();
    const redrive = redriveOf(q.attributes);
    const fifo = this.isFifo(q);
    // FIFO: a group with a message in flight delivers nothing more until that one is done.
    const busy = new Set(
      fifo ? q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).map((m) => m.groupId) : [],
    );
    const out: sqs.Message[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now || (fifo && busy.has(m.groupId))) continue;
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        const dlq = this.byArn(redrive.deadLetterTargetArn);
        if (dlq) {
          q.messages.splice(q.messages.indexOf(m), 1);
          // Its receipt handles die with the move: the dead-letter copy is a fresh delivery.
          const moved: StoredMessage = { ...m, visibleAt: now };
          delete moved.receipt;
          dlq.messages.push(moved);
          this.wake(dlq.name);
          continue;
        }
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + visibilityMs;
      m.receipt = randomUUID();
      out.push(this.messageOut(q, m, input));
    }
    return out;
  }

  private messageOut(q: StoredQueue, m: StoredMessage, input: sqs.ReceiveMessageRequest): sqs.Message {
    const names = new Set<string>([
      ...(input.AttributeNames ?? []),
      ...(input.MessageSystemAttributeNames ?? []),
    ]);
    const all: Record<string, string | undefined> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentAt),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: m.firstReceiveAt !== undefined ? String(m.firstReceiveAt) : undefined,
      MessageGroupId: m.groupId,
      MessageDeduplicationId: m.dedupId,
      SequenceNumber: m.sequence,
    };
    const Attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(all))
      if (v !== undefined && (names.has('All') || names.has(k))) Attributes[k] = v;
    return {
      MessageId: m.id,
      ReceiptHandle: encodeReceipt(q.name, m.id, m.receipt ?? ''),
      MD5OfBody: createHash('md5').update(m.body, 'utf8').digest('hex'),
      Body: m.body,
      ...(Object.keys(Attributes).length > 0 ? { Attributes } : {}),
    };
  }

  deleteMessageBatch(input: sqs.DeleteMessageBatchRequest): Out<sqs.DeleteMessageBatchResult> {
    return this.call('DeleteMessageBatch', () => {
      const q = this.byUrl(input.QueueUrl);
      const entries = input.Entries ?? [];
      checkBatch(entries, 'DeleteMessageBatchRequestEntry');
      const Successful: { Id: string }[] = [];
      const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
      for (const e of entries) {
        const handle = decodeReceipt(e.ReceiptHandle);
        if (!handle || handle.queue !== q.name) {
          Failed.push({
            Id: e.Id ?? '',
            SenderFault: true,
            Code: 'ReceiptHandleIsInvalid',
            Message: `The input receipt handle "${e.ReceiptHandle ?? ''}" is not a valid receipt handle.`,
          });
          continue;
        }
        // Only the newest handle deletes; an older one (or a deleted message's) succeeds silently.
        // AWS: the message "might not be deleted" then; the sandbox takes that case, so that a
        // consumer which deletes with a stale handle is caught here rather than in production.
        const i = q.messages.findIndex((m) => m.id === handle.messageId && m.receipt === handle.receipt);
        if (i >= 0) q.messages.splice(i, 1);
        Successful.push({ Id: e.Id ?? '' });
      }
      return { Successful, Failed };
    });
  }

  changeMessageVisibility(input: sqs.ChangeMessageVisibilityRequest): Promise<void> {
    return this.call('ChangeMessageVisibility', () => {
      const q = this.byUrl(input.QueueUrl);
      const timeout = input.VisibilityTimeout;
      if (timeout === undefined)
        throw errors.missingParameter('The request must contain the parameter VisibilityTimeout.');
      if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_VISIBILITY) {
        throw errors.badParameter(
          'VisibilityTimeout',
          timeout,
          `Must be between 0 and ${MAX_VISIBILITY}, if provided.`,
        );
      }
      const handle = decodeReceipt(input.ReceiptHandle);
      if (!handle || handle.queue !== q.name) throw errors.receiptHandleIsInvalid(input.ReceiptHandle ?? '');
      const m = q.messages.find((x) => x.id === handle.messageId);
      const now = this.now();
      if (!m || m.receiveCount === 0 || m.visibleAt <= now) throw errors.messageNotInflight();
      if (m.receipt !== handle.receipt) {
        throw errors.badParameter('ReceiptHandle', input.ReceiptHandle, 'The receipt handle has expired.');
      }
      m.visibleAt = now + timeout * 1000;
      if (timeout === 0) this.wake(q.name);
    });
  }

  // ---------------------------------------------------------------- delivery from EventBridge

  /**
   * A service's delivery (EventBridge's target), not an API call of the caller: it happens only if
   * the queue exists and its policy lets `events.amazonaws.com` send from `sourceArn` (the rule),
   * and is otherwise dropped without a trace, as AWS drops it (the rule's metrics would show a
   * failed invocation). Returns whether the message was enqueued.
   */
  deliver(
    queueArn: string,
    body: string,
    from: { sourceArn: string; groupId?: string; dedupId?: string },
  ): boolean {
    const q = this.byArn(queueArn);
    if (!q) return false;
    const allowed = policyAllowsService(q.attributes.Policy, {
      service: 'events.amazonaws.com',
      queueArn,
      sourceArn: from.sourceArn,
      sourceAccount: this.opts.accountId,
    });
    if (!allowed) return false;
    if (this.isFifo(q) && from.groupId === undefined) return false;
    try {
      this.enqueue(q, {
        body,
        senderId: this.opts.accountId,
        ...(from.groupId !== undefined ? { groupId: from.groupId } : {}),
        ...(this.isFifo(q) && from.dedupId !== undefined ? { dedupId: from.dedupId } : {}),
      });
      return true;
    } catch {
      // An event larger than the queue's maximum size, for example: dropped, as a failed invocation.
      return false;
    }
  }

  // ---------------------------------------------------------------- plumbing

  private now(): number {
    return this.clock.now();
  }

  /** Runs one operation: counted, async like the SDK, errors as rejections. */
  private call<T>(op: string, fn: () => T): Promise<T> {
    const run = new Promise<T>((resolve) => {
      this.callLog.record('SQS', op);
      resolve(fn());
    });
    return withOperation(`SQS.${op}`, run);
  }

  toJSON(): StoredSqs {
    return structuredClone({
      seq: this.seq,
      queues: [...this.queues.values()],
      deletedAt: Object.fromEntries(this.deletedAt),
    });
  }

  static fromJSON(state: StoredSqs | undefined, opts: SandboxSqsOptions): SandboxSqs {
    const sb = new SandboxSqs(opts);
    if (!state) return sb;
    const copy = structuredClone(state);
    sb.seq = copy.seq;
    for (const q of copy.queues) sb.queues.set(q.name, q);
    for (const [name, at] of Object.entries(copy.deletedAt ?? {})) sb.deletedAt.set(name, at);
    return sb;
  }
}

/** AWS's batch rules: 1-10 entries, ids distinct and of letters, digits, `-` and `_`. */
function checkBatch(entries: { Id?: string }[], entryName: string): void {
  if (entries.length === 0) throw errors.emptyBatchRequest(entryName);
  if (entries.length > MAX_BATCH) throw errors.tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    if (!BATCH_ID.test(e.Id ?? '')) throw errors.invalidBatchEntryId();
    if (seen.has(e.Id ?? '')) throw errors.batchEntryIdsNotDistinct(e.Id ?? '');
    seen.add(e.Id ?? '');
  }
}

/** An opaque receipt handle naming the queue, the message and the receive it came from. */
function encodeReceipt(queue: string, messageId: string, receipt: string): string {
  return Buffer.from(JSON.stringify([queue, messageId, receipt]), 'utf8').toString('base64url');
}

function decodeReceipt(
  handle: string | undefined,
): { queue: string; messageId: string; receipt: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(handle ?? '', 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((x) => typeof x === 'string')) {
      const [queue, messageId, receipt] = parsed as [string, string, string];
      return { queue, messageId, receipt };
    }
  } catch {
    // not one of ours
  }
  return undefined;
}
