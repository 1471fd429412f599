import type { CallLog } from '../call-log';
import type { StsPort } from '../ecs-port';
import { DEFAULT_ACCOUNT_ID } from './sandbox-ecs';

/** STS of the sandbox account. */
export class SandboxSts implements StsPort {
  constructor(
    private readonly accountId: string = DEFAULT_ACCOUNT_ID,
    private readonly callLog?: CallLog,
  ) {}

  getAccountId(): Promise<string> {
    this.callLog?.record('STS', 'GetCallerIdentity');
    return Promise.resolve(this.accountId);
  }
}
