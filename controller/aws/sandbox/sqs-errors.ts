import type * as sqsSdk from '@aws-sdk/client-sqs';

/**
 * The SQS SDK module, loaded when the first error is thrown: a sandbox that never touches its queue
 * (most runs, every test without the event source) does not pay for loading it.
 */
function sdk(): typeof sqsSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-sqs') as typeof sqsSdk;
}

/**
 * SQS speaks JSON with "query compatibility": the SDK throws its class (QueueNameExists) and keeps
 * the old query code in `Code` (QueueAlreadyExists), as seen against moto with the same SDK.
 */
function withCode<E extends Error>(e: E, code: string): E {
  return Object.assign(e, { Code: code, Type: 'Sender' });
}

/** Codes the SDK does not model arrive as the base exception named with the wire code. */
function unmodelled(code: string, message: string): Error {
  const { SQSServiceException } = sdk();
  return withCode(new SQSServiceException({ name: code, $fault: 'client', $metadata: {}, message }), code);
}

const m = (message: string) => ({ message, $metadata: {} });

/** SQS errors as the SDK throws them; `$metadata` is empty: no request was made. */
export const sqsErrors = {
  invalidParameterValue: (message: string) => unmodelled('InvalidParameterValue', message),
  missingParameter: (message: string) => unmodelled('MissingParameter', message),
  /** `Value <v> for parameter <p> is invalid. Reason: <reason>.` (AWS's wording for a bad value). */
  badParameter: (parameter: string, value: unknown, reason: string) =>
    unmodelled(
      'InvalidParameterValue',
      `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
    ),
  queueDoesNotExist: () =>
    withCode(
      new (sdk().QueueDoesNotExist)(m('The specified queue does not exist.')),
      'AWS.SimpleQueueService.NonExistentQueue',
    ),
  queueNameExists: (attribute: string) =>
    withCode(
      new (sdk().QueueNameExists)(
        m(`A queue already exists with the same name and a different value for attribute ${attribute}`),
      ),
      'QueueAlreadyExists',
    ),
  queueDeletedRecently: () =>
    withCode(
      new (sdk().QueueDeletedRecently)(
        m(
          'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.',
        ),
      ),
      'AWS.SimpleQueueService.QueueDeletedRecently',
    ),
  invalidAttributeName: (name: string) =>
    withCode(new (sdk().InvalidAttributeName)(m(`Unknown Attribute ${name}.`)), 'InvalidAttributeName'),
  invalidAttributeValue: (name: string, reason?: string) =>
    withCode(
      new (sdk().InvalidAttributeValue)(
        m(`Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`),
      ),
      'InvalidAttributeValue',
    ),
  receiptHandleIsInvalid: (handle: string) =>
    withCode(
      new (sdk().ReceiptHandleIsInvalid)(
        m(`The input receipt handle "${handle}" is not a valid receipt handle.`),
      ),
      'ReceiptHandleIsInvalid',
    ),
  messageNotInflight: () =>
    withCode(
      new (sdk().MessageNotInflight)(m('The message is not in flight.')),
      'AWS.SimpleQueueService.MessageNotInflight',
    ),
  emptyBatchRequest: (entry: string) =>
    withCode(
      new (sdk().EmptyBatchRequest)(m(`There should be at least one ${entry} in the request.`)),
      'AWS.SimpleQueueService.EmptyBatchRequest',
    ),
  tooManyEntriesInBatchRequest: (n: number) =>
    withCode(
      new (sdk().TooManyEntriesInBatchRequest)(
        m(`Maximum number of entries per request are 10. You have sent ${n}.`),
      ),
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    ),
  batchEntryIdsNotDistinct: (id: string) =>
    withCode(
      new (sdk().BatchEntryIdsNotDistinct)(m(`Id ${id} repeated.`)),
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    ),
  invalidBatchEntryId: () =>
    withCode(
      new (sdk().InvalidBatchEntryId)(
        m(
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        ),
      ),
      'AWS.SimpleQueueService.InvalidBatchEntryId',
    ),
  invalidMessageContents: () =>
    withCode(
      new (sdk().InvalidMessageContents)(
        m(
          'Invalid characters found. Valid characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
        ),
      ),
      'InvalidMessageContents',
    ),
  tooManyTags: () =>
    unmodelled('InvalidParameterValue', 'Too many tags added for queue. A queue can have at most 50 tags.'),
};
