import {
  ClientException,
  ClusterContainsServicesException,
  ClusterNotFoundException,
  ECSServiceException,
  InvalidParameterException,
  ResourceNotFoundException,
  ServiceNotActiveException,
  ServiceNotFoundException,
} from '@aws-sdk/client-ecs';

/**
 * Errors exactly as the SDK throws them: its own exception classes, so `instanceof`, `name` and
 * `$fault` match what code sees from AWS. `$metadata` is empty: no HTTP request was made.
 */
export const errors = {
  client: (message: string) => new ClientException({ message, $metadata: {} }),
  invalidParameter: (message: string) => new InvalidParameterException({ message, $metadata: {} }),
  clusterNotFound: () => new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }),
  serviceNotFound: () => new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} }),
  serviceNotActive: () =>
    new ServiceNotActiveException({ message: 'Service was not ACTIVE.', $metadata: {} }),
  clusterContainsServices: () =>
    new ClusterContainsServicesException({
      message: 'The Cluster cannot be deleted while Services are active.',
      $metadata: {},
    }),
  resourceNotFound: () =>
    new ResourceNotFoundException({ message: 'The specified resource could not be found.', $metadata: {} }),
  /**
   * ECS has no modelled ThrottlingException class; the SDK turns the wire error into an
   * ECSServiceException named ThrottlingException, which its retry strategy treats as throttling.
   */
  throttling: () => {
    const e = new ECSServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: {},
      message: 'Rate exceeded',
    });
    e.$retryable = { throttling: true };
    return e;
  },
};
