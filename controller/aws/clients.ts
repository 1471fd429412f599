import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import type { CallLog } from './call-log';
import { addCallLogMiddleware } from './call-log-middleware';

export interface AwsClientOptions {
  /** Undefined: as the SDK resolves it (AWS_REGION, AWS_DEFAULT_REGION via profile, ...). */
  region?: string;
  /**
   * Our `--endpoint` flag; it wins, for every service. Undefined: the SDK resolves
   * AWS_ENDPOINT_URL_<SERVICE> (ECS, ROUTE_53, ELASTIC_LOAD_BALANCING_V2, EC2, STS) /
   * AWS_ENDPOINT_URL / `endpoint_url` in the profile itself (verified against moto in
   * test/aws/clients.moto.test.ts and route53-clients.moto.test.ts).
   */
  endpoint?: string;
  callLog: CallLog;
  /** Total attempts per call, standard retry strategy (throttling and 5xx back off). Default 8. */
  maxAttempts?: number;
}

export interface AwsClients {
  ecs: ECSClient;
  sts: STSClient;
  route53: Route53Client;
  elbv2: ElasticLoadBalancingV2Client;
  ec2: EC2Client;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** Route53 is a global service: its API lives in us-east-1 (signing Region of the aws partition). */
export const ROUTE53_REGION = 'us-east-1';

/**
 * Retries: the SDK's standard strategy. For Route53 it already treats `Throttling` and
 * `PriorRequestNotComplete` as throttling errors (THROTTLING_ERROR_CODES of
 * @smithy/core/retry's service-error-classification), so no wrapper is needed; the retry test in
 * test/aws/route53-retry.test.ts keeps that checked.
 */
export function createAwsClients(opts: AwsClientOptions): AwsClients {
  const common = {
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
  };
  const ecs = new ECSClient(common);
  const sts = new STSClient(common);
  // With an explicit endpoint (moto, LocalStack) the caller's Region is kept; against AWS the
  // global endpoint is signed for us-east-1 whatever Region the cluster is in.
  const route53 = new Route53Client({
    ...common,
    region: opts.endpoint !== undefined ? (opts.region ?? ROUTE53_REGION) : ROUTE53_REGION,
  });
  const elbv2 = new ElasticLoadBalancingV2Client(common);
  const ec2 = new EC2Client(common);
  addCallLogMiddleware(ecs, 'ECS', opts.callLog);
  addCallLogMiddleware(sts, 'STS', opts.callLog);
  addCallLogMiddleware(route53, 'Route53', opts.callLog);
  addCallLogMiddleware(elbv2, 'ELBv2', opts.callLog);
  addCallLogMiddleware(ec2, 'EC2', opts.callLog);
  return { ecs, sts, route53, elbv2, ec2 };
}
