import { ECSClient } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';
import type { CallLog } from './call-log';
import { addCallLogMiddleware } from './call-log-middleware';

export interface AwsClientOptions {
  /** Undefined: as the SDK resolves it (AWS_REGION, AWS_DEFAULT_REGION via profile, ...). */
  region?: string;
  /**
   * Our `--endpoint` flag; it wins. Undefined: the SDK resolves AWS_ENDPOINT_URL_ECS /
   * AWS_ENDPOINT_URL / `endpoint_url` in the profile itself (verified against moto in
   * test/aws/clients.moto.test.ts).
   */
  endpoint?: string;
  callLog: CallLog;
  /** Total attempts per call, standard retry strategy (throttling and 5xx back off). Default 8. */
  maxAttempts?: number;
}

export interface AwsClients {
  ecs: ECSClient;
  sts: STSClient;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

export function createAwsClients(opts: AwsClientOptions): AwsClients {
  const common = {
    ...(opts.region !== undefined ? { region: opts.region } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
  };
  const ecs = new ECSClient(common);
  const sts = new STSClient(common);
  addCallLogMiddleware(ecs, 'ECS', opts.callLog);
  addCallLogMiddleware(sts, 'STS', opts.callLog);
  return { ecs, sts };
}
