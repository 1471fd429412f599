import {
  CertificateNotFoundException,
  DuplicateListenerException,
  DuplicateLoadBalancerNameException,
  DuplicateTagKeysException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2ServiceException,
  IncompatibleProtocolsException,
  InvalidConfigurationRequestException,
  InvalidLoadBalancerActionException,
  InvalidSecurityGroupException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  OperationNotPermittedException,
  PriorityInUseException,
  ResourceInUseException,
  RuleNotFoundException,
  SSLPolicyNotFoundException,
  SubnetNotFoundException,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  TooManyListenersException,
  TooManyLoadBalancersException,
  TooManyRulesException,
  TooManyTagsException,
  TooManyTargetGroupsException,
  TooManyUniqueTargetGroupsPerLoadBalancerException,
  UnsupportedProtocolException,
} from '@aws-sdk/client-elastic-load-balancing-v2';

const m = (message: string) => ({ message, $metadata: {} });

/**
 * ELBv2 errors as the SDK throws them: its own exception classes (`name` ends in `Exception`, as
 * the SDK maps the wire codes), and the base exception named with the wire code where the SDK
 * models none (`ValidationError`, `Throttling`). `$metadata` is empty: no request was made.
 */
export const elbv2Errors = {
  validation: (message: string) =>
    new ElasticLoadBalancingV2ServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: {},
      message,
    }),
  /** ELBv2's rate limit answers with the wire code `Throttling` (not modelled by the SDK). */
  throttling: () => {
    const e = new ElasticLoadBalancingV2ServiceException({
      name: 'Throttling',
      $fault: 'client',
      $metadata: {},
      message: 'Rate exceeded',
    });
    e.$retryable = { throttling: true };
    return e;
  },
  loadBalancerNotFound: (message = 'One or more load balancers not found') =>
    new LoadBalancerNotFoundException(m(message)),
  listenerNotFound: (message = 'One or more listeners not found') =>
    new ListenerNotFoundException(m(message)),
  ruleNotFound: (message = 'One or more rules not found') => new RuleNotFoundException(m(message)),
  targetGroupNotFound: (message = 'One or more target groups not found') =>
    new TargetGroupNotFoundException(m(message)),
  subnetNotFound: (message: string) => new SubnetNotFoundException(m(message)),
  invalidSecurityGroup: (message: string) => new InvalidSecurityGroupException(m(message)),
  invalidConfiguration: (message: string) => new InvalidConfigurationRequestException(m(message)),
  invalidAction: (message: string) => new InvalidLoadBalancerActionException(m(message)),
  incompatibleProtocols: (message: string) => new IncompatibleProtocolsException(m(message)),
  unsupportedProtocol: (message: string) => new UnsupportedProtocolException(m(message)),
  certificateNotFound: (message: string) => new CertificateNotFoundException(m(message)),
  sslPolicyNotFound: (message: string) => new SSLPolicyNotFoundException(m(message)),
  duplicateLoadBalancerName: () =>
    new DuplicateLoadBalancerNameException(m('A load balancer with the same name already exists')),
  duplicateListener: () => new DuplicateListenerException(m('A listener already exists on that port')),
  duplicateTargetGroupName: () =>
    new DuplicateTargetGroupNameException(m('A target group with the same name already exists')),
  duplicateTagKeys: (key: string) =>
    new DuplicateTagKeysException(m(`Tag key was specified more than once: ${key}`)),
  priorityInUse: (priority: number) =>
    new PriorityInUseException(m(`Priority '${priority}' is currently in use`)),
  resourceInUse: (message: string) => new ResourceInUseException(m(message)),
  operationNotPermitted: (message: string) => new OperationNotPermittedException(m(message)),
  targetGroupAssociationLimit: (message: string) => new TargetGroupAssociationLimitException(m(message)),
  tooManyLoadBalancers: (max: number) =>
    new TooManyLoadBalancersException(m(`You've reached the limit of ${max} load balancers per Region`)),
  tooManyListeners: (max: number) =>
    new TooManyListenersException(m(`You've reached the limit of ${max} listeners per load balancer`)),
  tooManyRules: (max: number) =>
    new TooManyRulesException(m(`You've reached the limit of ${max} rules per load balancer`)),
  tooManyTargetGroups: (max: number) =>
    new TooManyTargetGroupsException(m(`You've reached the limit of ${max} target groups per Region`)),
  tooManyUniqueTargetGroups: (max: number) =>
    new TooManyUniqueTargetGroupsPerLoadBalancerException(
      m(`You've reached the limit of ${max} unique target groups per load balancer`),
    ),
  tooManyTags: () =>
    new TooManyTagsException(
      m('The quota for the number of tags that can be assigned to a resource has been reached'),
    ),
};
