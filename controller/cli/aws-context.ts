import { ECSClient } from '@aws-sdk/client-ecs';
import { CallLog } from '../aws/call-log';
import { createAwsClients } from '../aws/clients';
import type { EcsPort, StsPort } from '../aws/ecs-port';
import { EcsReader } from '../aws/ecs-reader';
import { RateLimitedEcsPort } from '../aws/rate-limited-ecs-port';
import { SdkEcsPort } from '../aws/sdk-ecs-port';
import { SdkStsPort } from '../aws/sdk-sts-port';
import { loadSandbox, saveSandbox } from '../aws/sandbox/state-file';
import type { SandboxEcs } from '../aws/sandbox/sandbox-ecs';
import { realClock, type Clock } from '../reconcile/clock';

export interface AwsOptions {
  /** `--sandbox [file]`: the in-memory account, optionally persisted to a file between runs. */
  sandbox?: string | boolean;
  endpoint?: string;
  region?: string;
}

/** The ports for one region, with the call log shared by the whole command. */
export interface RegionContext {
  region: string;
  ecs: EcsPort;
  sts: StsPort;
  reader: EcsReader;
  clock: Clock;
}

/**
 * Builds ports lazily, one set per region (a repository may hold clusters in several regions).
 * In sandbox mode nothing talks to AWS and no SDK client is created.
 */
export class AwsContext {
  readonly callLog = new CallLog();
  private readonly regions = new Map<string, RegionContext>();
  private sandbox?: SandboxEcs;
  private sandboxStsAccount?: StsPort;

  constructor(private readonly opts: AwsOptions) {}

  get isSandbox(): boolean {
    return this.opts.sandbox !== undefined && this.opts.sandbox !== false;
  }

  private get sandboxFile(): string | undefined {
    return typeof this.opts.sandbox === 'string' ? this.opts.sandbox : undefined;
  }

  /** The region a directory without its own `region` uses: the flag, else what the SDK resolves. */
  async defaultRegion(): Promise<string | undefined> {
    if (this.opts.region) return this.opts.region;
    if (this.isSandbox) return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    try {
      const probe = new ECSClient({});
      const region = await probe.config.region();
      probe.destroy();
      return region || undefined;
    } catch {
      return undefined;
    }
  }

  async forRegion(region: string): Promise<RegionContext> {
    const existing = this.regions.get(region);
    if (existing) return existing;
    let ctx: RegionContext;
    if (this.isSandbox) {
      if (!this.sandbox) {
        const loaded = await loadSandbox(this.sandboxFile, { callLog: this.callLog, region });
        this.sandbox = loaded.ecs;
        this.sandboxStsAccount = loaded.sts;
      }
      const ecs = this.sandbox;
      ctx = {
        region,
        ecs,
        sts: this.sandboxStsAccount as StsPort,
        reader: new EcsReader(ecs),
        clock: realClock,
      };
    } else {
      const clients = createAwsClients({ region, endpoint: this.opts.endpoint, callLog: this.callLog });
      const ecs = new RateLimitedEcsPort(new SdkEcsPort(clients.ecs));
      ctx = { region, ecs, sts: new SdkStsPort(clients.sts), reader: new EcsReader(ecs), clock: realClock };
    }
    this.regions.set(region, ctx);
    return ctx;
  }

  /** Persists the sandbox account, if there is one and it has a file. */
  async close(): Promise<void> {
    if (this.sandbox && this.sandboxFile) await saveSandbox(this.sandboxFile, this.sandbox);
  }
}
