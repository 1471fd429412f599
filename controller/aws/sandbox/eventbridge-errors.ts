import type * as ebSdk from '@aws-sdk/client-eventbridge';

/** The EventBridge SDK module, loaded when the first error is thrown (see sqs-errors.ts). */
function sdk(): typeof ebSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-eventbridge') as typeof ebSdk;
}

const m = (message: string) => ({ message, $metadata: {} });

/** EventBridge errors as the SDK throws them; `$metadata` is empty: no request was made. */
export const eventBridgeErrors = {
  /** The SDK models no ValidationException for EventBridge: the base class named with the code. */
  validation: (message: string) => {
    const { EventBridgeServiceException } = sdk();
    return new EventBridgeServiceException({
      name: 'ValidationException',
      $fault: 'client',
      $metadata: {},
      message,
    });
  },
  ruleNotFound: (name: string) =>
    new (sdk().ResourceNotFoundException)(m(`Rule ${name} does not exist on EventBus default.`)),
  eventBusNotFound: (name: string) =>
    new (sdk().ResourceNotFoundException)(m(`Event bus ${name} does not exist.`)),
  invalidEventPattern: (reason: string) =>
    new (sdk().InvalidEventPatternException)(m(`Event pattern is not valid. Reason: ${reason}`)),
  limitExceeded: (message: string) => new (sdk().LimitExceededException)(m(message)),
};
