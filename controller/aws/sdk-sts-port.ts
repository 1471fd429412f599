import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { StsPort } from './ecs-port';

/** StsPort over the real SDK client. */
export class SdkStsPort implements StsPort {
  constructor(private readonly client: STSClient) {}

  async getAccountId(): Promise<string> {
    const out = await this.client.send(new GetCallerIdentityCommand({}));
    if (!out.Account) throw new Error('STS GetCallerIdentity returned no Account');
    return out.Account;
  }
}
