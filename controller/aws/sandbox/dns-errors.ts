import {
  InvalidChangeBatch,
  InvalidInput,
  NoSuchChange,
  NoSuchHostedZone,
  PriorRequestNotComplete,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';

/**
 * Route53 and EC2 errors as the SDK throws them (its own classes where it models one, else
 * the service's base exception with the wire code as `name`). `$metadata` is empty: no request.
 */
export const route53Errors = {
  invalidInput: (message: string) => new InvalidInput({ message, $metadata: {} }),
  /** Route53 lists every problem of a batch; the message is the bracketed list (as the CLI shows it). */
  invalidChangeBatch: (messages: string[]) =>
    new InvalidChangeBatch({ message: `[${messages.join(', ')}]`, messages, $metadata: {} }),
  noSuchHostedZone: (id: string) =>
    new NoSuchHostedZone({ message: `No hosted zone found with ID: ${id}`, $metadata: {} }),
  noSuchChange: (id: string) =>
    new NoSuchChange({
      message: `A change with the specified change ID ${id} does not exist.`,
      $metadata: {},
    }),
  priorRequestNotComplete: () => {
    const e = new PriorRequestNotComplete({
      message: 'The request was rejected because Route 53 was still processing a prior request.',
      $metadata: {},
    });
    e.$retryable = { throttling: true };
    return e;
  },
  /** Route53's rate limit answers with the wire code `Throttling` (not modelled by the SDK). */
  throttling: () => {
    const e = new Route53ServiceException({
      name: 'Throttling',
      $fault: 'client',
      $metadata: {},
      message: 'Rate exceeded',
    });
    e.$retryable = { throttling: true };
    return e;
  },
};

/** ELBv2's errors live in elbv2-errors.ts; re-exported for the callers that import them from here. */
export { elbv2Errors } from './elbv2-errors';

export const ec2Errors = {
  /** EC2 models no exception classes: codes like `InvalidInstanceID.NotFound` arrive as `name`. */
  ec2: (code: string, message: string) => {
    // Loaded when first thrown: the EC2 client's module takes ~0.6 s to load, and every sandbox
    // start (the demo, each test file, each CLI run with --sandbox) would pay it for nothing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EC2ServiceException } = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
    return new EC2ServiceException({ name: code, $fault: 'client', $metadata: {}, message });
  },
};
