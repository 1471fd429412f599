import type { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import type { CallLog } from './call-log';
import { addCallLogMiddleware } from './call-log-middleware';
import { addWriteFenceMiddleware, fencedAgents, type WriteFence } from './write-fence';

export interface AwsClientOptions {
  /** Undefined: as the SDK resolves it (AWS_REGION, AWS_DEFAULT_REGION via profile, ...). */
  region?: string;
  /**
   * Our `--endpoint` flag; it wins, for every service. Undefined: the SDK resolves
   * AWS_ENDPOINT_URL_<SERVICE> (ECS, ROUTE_53, ELASTIC_LOAD_BALANCING_V2, EC2, STS, SQS,
   * EVENTBRIDGE) /
   * AWS_ENDPOINT_URL / `endpoint_url` in the profile itself (verified against moto in
   * test/aws/clients.moto.test.ts and route53-clients.moto.test.ts).
   */
  endpoint?: string;
  callLog: CallLog;
  /** Total attempts per call, standard retry strategy (throttling and 5xx back off). Default 8. */
  maxAttempts?: number;
  /**
   * Per attempt: connecting (default 3 s) and the whole request (default 30 s; at least 30 s for
   * SQS, whose long polls wait 20 s). A socket that hangs becomes a TimeoutError, which the retry
   * strategy retries, instead of waiting for the operating system's idle timeout.
   */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Leader election: asked before every attempt of every mutating call, in every client. */
  fence?: WriteFence;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** An SQS long poll (20 s) plus room for the answer. */
const SQS_MIN_REQUEST_TIMEOUT_MS = 30_000;

/**
 * ECS is created at once; the other clients on first use. Loading an SDK client costs memory (the
 * EC2 one alone about 75 MB of RSS), and most runs never need STS, Route53, ELBv2, EC2, SQS or
 * EventBridge (those two only with the event source, issue 14).
 */
export interface AwsClients {
  readonly ecs: ECSClient;
  /**
   * ECS without the SDK's retries, for SINGLE_ATTEMPT_OPERATIONS (RegisterTaskDefinition): the
   * reconciler retries those itself, after checking that the lost attempt did not already succeed.
   */
  readonly ecsSingleAttempt: ECSClient;
  readonly sts: STSClient;
  readonly route53: Route53Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly ec2: EC2Client;
  readonly sqs: SQSClient;
  readonly eventBridge: EventBridgeClient;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** Route53 is a global service: its API lives in us-east-1 (signing Region of the aws partition). */
export const ROUTE53_REGION = 'us-east-1';

/**
 * Retries: the SDK's standard strategy, not 'adaptive'. The adaptive mode's rate limiter is per
 * client (one per Region and command) and only starts after a throttle; our AccountLimiter
 * (account-limiter.ts) paces every call up front by AWS's published buckets, shared by all clusters
 * of the process, retries what AWS throttles anyway with AIMD, and also serves the sandbox, where no
 * SDK is involved. The standard strategy stays for 5xx, resets and timeouts. For Route53 it already treats `Throttling` and
 * `PriorRequestNotComplete` as throttling errors (THROTTLING_ERROR_CODES of
 * @smithy/core/retry's service-error-classification), so no wrapper is needed; the retry test in
 * test/aws/route53-retry.test.ts keeps that checked.
 */
/** The region the SDK resolves when none is given (AWS_REGION, the profile, ...); undefined if none. */
export async function resolveSdkDefaultRegion(): Promise<string | undefined> {
  try {
    const probe = new ECSClient({});
    const region = await probe.config.region();
    probe.destroy();
    return region || undefined;
  } catch {
    return undefined;
  }
}

export function createAwsClients(opts: AwsClientOptions): AwsClients {
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const agents = opts.fence ? fencedAgents(opts.fence) : {};
  const handler = (timeout: number) => ({
    requestHandler: {
      connectionTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: timeout,
      // Without it the SDK only logs a warning when the request timeout passes.
      throwOnRequestTimeout: true,
      ...agents,
    },
  });
  const common = {
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    ...handler(requestTimeout),
  };
  // Every client, so that no write escapes the fence (write-fence.ts) nor the call log.
  // The fence first: a write it refuses is not counted as a call made.
  const instrument = (client: Parameters<typeof addCallLogMiddleware>[0], service: string) => {
    if (opts.fence) addWriteFenceMiddleware(client, service, opts.fence);
    addCallLogMiddleware(client, service, opts.callLog);
  };
  const ecs = new ECSClient(common);
  instrument(ecs, 'ECS');
  const lazy = <T extends Parameters<typeof addCallLogMiddleware>[0]>(service: string, make: () => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = make();
        instrument(client, service);
      }
      return client;
    };
  };
  const ecsSingleAttempt = lazy('ECS', () => new ECSClient({ ...common, maxAttempts: 1 }));
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see AwsClients */
  const sts = lazy(
    'STS',
    () => new (require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts')).STSClient(common),
  );
  // With an explicit endpoint (moto, LocalStack) the caller's Region is kept; against AWS the
  // global endpoint is signed for us-east-1 whatever Region the cluster is in.
  const route53 = lazy(
    'Route53',
    () =>
      new (require('@aws-sdk/client-route-53') as typeof import('@aws-sdk/client-route-53')).Route53Client({
        ...common,
        region: opts.endpoint !== undefined ? (opts.region ?? ROUTE53_REGION) : ROUTE53_REGION,
      }),
  );
  const elbv2 = lazy(
    'ELBv2',
    () =>
      new (
        require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2')
      ).ElasticLoadBalancingV2Client(common),
  );
  const ec2 = lazy(
    'EC2',
    () => new (require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2')).EC2Client(common),
  );
  const sqs = lazy(
    'SQS',
    () =>
      new (require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs')).SQSClient({
        ...common,
        ...handler(Math.max(requestTimeout, SQS_MIN_REQUEST_TIMEOUT_MS)),
      }),
  );
  const eventBridge = lazy(
    'EventBridge',
    () =>
      new (
        require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge')
      ).EventBridgeClient(common),
  );
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    ecs,
    get ecsSingleAttempt() {
      return ecsSingleAttempt();
    },
    get sts() {
      return sts();
    },
    get route53() {
      return route53();
    },
    get elbv2() {
      return elbv2();
    },
    get ec2() {
      return ec2();
    },
    get sqs() {
      return sqs();
    },
    get eventBridge() {
      return eventBridge();
    },
  };
}
