import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { StsPort } from './ecs-port';

/**
 * StsPort over the real SDK client. The account of the process's credentials does not change: it is
 * asked once (a failed call is asked again next time), however many parts of a command need it.
 */
export class SdkStsPort implements StsPort {
  private account?: Promise<string>;

  constructor(private readonly client: STSClient) {}

  getAccountId(): Promise<string> {
    this.account ??= this.ask().catch((err: unknown) => {
      this.account = undefined;
      throw err;
    });
    return this.account;
  }

  private async ask(): Promise<string> {
    const out = await this.client.send(new GetCallerIdentityCommand({}));
    if (!out.Account) throw new Error('STS GetCallerIdentity returned no Account');
    return out.Account;
  }
}
