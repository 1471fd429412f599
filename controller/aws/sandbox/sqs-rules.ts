import { sqsErrors as errors } from './sqs-errors';

/**
 * SQS's queue rules as AWS documents them (CreateQueue / SetQueueAttributes): names, attribute
 * ranges and defaults, and the queue policy check EventBridge's delivery depends on. Pure functions
 * over plain data, so that the sandbox queue (sandbox-sqs.ts) stays about messages.
 */

/** Defaults of a new queue, as GetQueueAttributes shows them (MaximumMessageSize is 1 MiB since 2025). */
export const QUEUE_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  // New queues get SSE-SQS unless told otherwise (or given a KMS key).
  SqsManagedSseEnabled: 'true',
};

/** Defaults a FIFO queue adds. */
export const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

/** Attributes only GetQueueAttributes returns (computed); setting one is an unknown attribute. */
export const COMPUTED_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

const INTEGER_RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const BOOLEANS = new Set(['SqsManagedSseEnabled', 'FifoQueue', 'ContentBasedDeduplication']);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const SETTABLE = new Set([
  ...Object.keys(INTEGER_RANGES),
  ...BOOLEANS,
  ...FIFO_ONLY,
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
]);

/** Every name GetQueueAttributes accepts (besides `All`). */
export const READABLE_ATTRIBUTES = new Set<string>([...SETTABLE, ...COMPUTED_ATTRIBUTES]);

export const MAX_QUEUE_TAGS = 50;

/** 1-80 characters: letters, digits, hyphens, underscores; a FIFO queue's name ends in `.fifo`. */
export function checkQueueName(name: string | undefined, fifo: boolean): string {
  if (name === undefined || name === '')
    throw errors.missingParameter('The request must contain the parameter QueueName.');
  const base = fifo ? name.replace(/\.fifo$/, '') : name;
  const valid = /^[A-Za-z0-9_-]+$/.test(base) && name.length <= 80 && (!fifo || name.endsWith('.fifo'));
  if (!valid) {
    throw errors.invalidParameterValue(
      fifo
        ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
        : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
  return name;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** The redrive policy of an attribute map, if set (validated when it was set). */
export function redriveOf(attributes: Record<string, string>): RedrivePolicy | undefined {
  const raw = attributes.RedrivePolicy;
  if (!raw) return undefined;
  const p = JSON.parse(raw) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
}

function parseJsonObject(name: string, value: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw errors.invalidAttributeValue(name);
}

/**
 * Checks attributes for a queue (`fifo`: its type; `creating`: FifoQueue may only be given then).
 * `queueExists(arn)` answers for a redrive policy's dead-letter queue, which must exist and be of
 * the same type. Returns the attributes with numbers normalized as AWS stores them.
 */
export function checkQueueAttributes(
  attributes: Record<string, string> | undefined,
  opts: { fifo: boolean; creating: boolean; queueType: (arn: string) => 'fifo' | 'standard' | undefined },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (!SETTABLE.has(name) || (name === 'FifoQueue' && !opts.creating))
      throw errors.invalidAttributeName(name);
    if (FIFO_ONLY.has(name) && !opts.fifo) throw errors.invalidAttributeName(name);
    const range = INTEGER_RANGES[name];
    if (range) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range[0] || n > range[1]) throw errors.invalidAttributeValue(name);
      out[name] = String(n);
      continue;
    }
    if (BOOLEANS.has(name)) {
      if (value !== 'true' && value !== 'false') throw errors.invalidAttributeValue(name);
      out[name] = value;
      continue;
    }
    if (name === 'Policy') {
      // An empty string removes the policy; otherwise a policy document with statements.
      const statement = value === '' ? {} : parseJsonObject(name, value).Statement;
      if (!statement || typeof statement !== 'object') throw errors.invalidAttributeValue(name);
      out[name] = value;
      continue;
    }
    if (name === 'RedrivePolicy') {
      if (value !== '') checkRedrive(value, opts);
      out[name] = value;
      continue;
    }
    if (name === 'RedriveAllowPolicy') {
      const p = parseJsonObject(name, value);
      if (!['allowAll', 'denyAll', 'byQueue'].includes(String(p.redrivePermission))) {
        throw errors.invalidAttributeValue(name);
      }
      out[name] = value;
      continue;
    }
    if (name === 'DeduplicationScope' && value !== 'queue' && value !== 'messageGroup')
      throw errors.invalidAttributeValue(name);
    if (name === 'FifoThroughputLimit' && value !== 'perQueue' && value !== 'perMessageGroupId')
      throw errors.invalidAttributeValue(name);
    out[name] = value;
  }
  if (out.KmsMasterKeyId && out.SqsManagedSseEnabled === 'true') {
    throw errors.invalidAttributeValue(
      'SqsManagedSseEnabled',
      'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    );
  }
  return out;
}

function checkRedrive(
  value: string,
  opts: { fifo: boolean; queueType: (arn: string) => 'fifo' | 'standard' | undefined },
): void {
  const p = parseJsonObject('RedrivePolicy', value);
  const bad = (reason: string) => errors.badParameter('RedrivePolicy', value, reason);
  const arn = p.deadLetterTargetArn;
  if (typeof arn !== 'string')
    throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  const count = Number(p.maxReceiveCount);
  if (p.maxReceiveCount === undefined)
    throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw bad('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
  }
  const type = opts.queueType(arn);
  if (!type) throw bad('Dead letter target does not exist.');
  if ((type === 'fifo') !== opts.fifo) {
    throw bad('Dead-letter queue must be same type of queue as the source.');
  }
}

/** One statement of an IAM policy document, as far as delivery decisions read it. */
interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** IAM wildcards: `*` any run, `?` one character; case-sensitive unless told otherwise. */
function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    ignoreCase ? 'i' : '',
  );
  return re.test(value);
}

function principalIsService(principal: unknown, service: string): boolean {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  const p = principal as Record<string, string | string[]>;
  return list(p.Service).includes(service) || list(p.AWS).includes('*');
}

/**
 * Whether every condition holds for the request context. Operators and keys the sandbox does not
 * model never hold: a policy it cannot judge does not let a delivery through (fail closed).
 */
function conditionsHold(conditions: Statement['Condition'], context: Record<string, string>): boolean {
  for (const [operator, entries] of Object.entries(conditions ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key.toLowerCase()];
      if (actual === undefined) return false;
      const values = list(expected);
      const ok =
        operator === 'ArnEquals' || operator === 'StringEquals'
          ? values.includes(actual)
          : operator === 'ArnLike' || operator === 'StringLike'
            ? values.some((v) => globMatch(v, actual))
            : false;
      if (!ok) return false;
    }
  }
  return true;
}

/**
 * Whether a queue's policy lets `service` (events.amazonaws.com) call sqs:SendMessage on it for a
 * request from `sourceArn` (the rule): an Allow statement matches, and no Deny does. Without a
 * policy only the queue's own account may send, never a service: the delivery is refused.
 */
export function policyAllowsService(
  policy: string | undefined,
  req: { service: string; queueArn: string; sourceArn: string; sourceAccount: string },
): boolean {
  if (!policy) return false;
  let doc: { Statement?: Statement | Statement[] };
  try {
    doc = JSON.parse(policy) as { Statement?: Statement | Statement[] };
  } catch {
    return false;
  }
  const statements =
    doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const context = { 'aws:sourcearn': req.sourceArn, 'aws:sourceaccount': req.sourceAccount };
  const matches = (s: Statement) =>
    principalIsService(s.Principal, req.service) &&
    list(s.Action).some((a) => globMatch(a, 'sqs:SendMessage', true)) &&
    list(s.Resource ?? '*').some((r) => globMatch(r, req.queueArn)) &&
    conditionsHold(s.Condition, context);
  if (statements.some((s) => s.Effect === 'Deny' && matches(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s));
}
