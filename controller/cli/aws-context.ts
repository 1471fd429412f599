import { CallLog } from '../aws/call-log';
import { createAwsClients, resolveSdkDefaultRegion } from '../aws/clients';
import { parseDuration } from './duration';
import type { StsPort } from '../aws/ecs-port';
import type { ClusterPorts, DnsPorts } from '../reconcile/reconcile-cluster';
import { EcsReader } from '../observe/ecs-reader';
import { AccountLimiter, type RunOptions, limitPort, sharedAccountLimiter } from '../aws/account-limiter';
import { SdkEcsPort } from '../aws/sdk-ecs-port';
import { gateWrites } from '../aws/stop-gate';
import type { Elbv2Port } from '../aws/elbv2-port';
import type { EventBridgePort } from '../aws/eventbridge-port';
import type { SqsPort } from '../aws/sqs-port';
import type { LoadedSandbox } from '../aws/sandbox/state-file';
import { Route53Reader } from '../observe/route53-reader';
import type { Route53Port } from '../aws/route53-port';
import { systemClock, type Clock } from '../aws/clock';
import type { WriteFence } from '../aws/write-fence';

export interface AwsOptions {
  /** `--sandbox [file]`: the in-memory account, optionally persisted to a file between runs. */
  sandbox?: string | boolean;
  endpoint?: string;
  region?: string;
  /**
   * "aws-like throttling" for the sandbox: it enforces AWS's buckets (aws/throttle-groups.ts) and
   * the ports pace themselves as against AWS. Default: ECS_GITOPS_SANDBOX_THROTTLING=aws.
   */
  sandboxThrottling?: boolean;
}

/** The ports for one region, with the call log shared by the whole command. */
export interface RegionContext extends ClusterPorts {
  region: string;
  sts: StsPort;
  dns: DnsPorts;
  elbv2: Elbv2Port;
  /** The event source's ports (getters: the SDK clients load on first use). */
  sqs: SqsPort;
  eventBridge: EventBridgePort;
  clock: Clock;
  /**
   * How often to look again while waiting (rollouts, drains, DNS changes); undefined: each waiter's
   * default, paced for AWS. The sandbox sets 1 s: its simulated rollouts take seconds, reading it
   * costs nothing, and a 10 s poll would only make `apply --wait` and the demo slow.
   */
  pollMs?: number;
}

export const SANDBOX_POLL_MS = 1000;

/** Told about each AwsContext as it is created; see `onAwsContextCreated`. */
export type AwsContextListener = (ctx: AwsContext) => void;

const contextListeners = new Set<AwsContextListener>();

/**
 * For tests and embedding: tells `fn` about every AwsContext created from now on (one per CLI
 * command), e.g. to watch its `callLog` without changing how commands build their context. Returns a
 * function that stops telling `fn`.
 */
export function onAwsContextCreated(fn: AwsContextListener): () => void {
  contextListeners.add(fn);
  return () => void contextListeners.delete(fn);
}

/**
 * Builds ports lazily, one set per region (a repository may hold clusters in several regions).
 * In sandbox mode nothing talks to AWS and no SDK client is created.
 */
export class AwsContext {
  readonly callLog = new CallLog();
  private readonly regions = new Map<string, RegionContext>();
  private sandboxLoad?: ReturnType<ReturnType<typeof sandboxModule>['loadSandbox']>;
  private sandbox?: LoadedSandbox;
  private route53?: { route53: Route53Port; route53Reader: Route53Reader };
  /** The sandbox account's limiter (with aws-like throttling): one account, one set of buckets. */
  private sandboxLimiter?: AccountLimiter;

  /**
   * `stopSignal`: once it aborts, ECS and Route53 writes not yet sent are refused (the controller's
   * SIGTERM: the calls in flight finish, the rest of the reconcile is left to the next start).
   * `fence` (leader election): asked before every attempt of every mutating call of every client.
   */
  constructor(
    private readonly opts: AwsOptions,
    private readonly stopSignal?: AbortSignal,
    private readonly fence?: WriteFence,
  ) {
    if (fence && this.isSandbox) throw new Error('leader election needs AWS (DynamoDB), not the sandbox');
    for (const fn of contextListeners) fn(this);
  }

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
    return resolveSdkDefaultRegion();
  }

  async forRegion(region: string): Promise<RegionContext> {
    const existing = this.regions.get(region);
    if (existing) return existing;
    let ctx: RegionContext;
    if (this.isSandbox) {
      // One sandbox account for the whole command (and its state file): like one AWS account, but
      // in a single region, so a multi-region repository's ARNs all carry the first region.
      // The load is shared: two first calls at once (the controller and the event sources) must get
      // the same account, not one each.
      const throttling = this.sandboxThrottling;
      this.sandboxLoad ??= sandboxModule().loadSandbox(this.sandboxFile, {
        callLog: this.callLog,
        region,
        awsThrottling: throttling,
      });
      const sb = await this.sandboxLoad;
      this.sandbox = sb;
      const again = this.regions.get(region);
      if (again) return again;
      // Without aws-like throttling the sandbox never throttles: pacing would only slow the demo.
      const limiter = throttling ? (this.sandboxLimiter ??= new AccountLimiter()) : undefined;
      const paced = <P extends object>(port: P, service: string): P => {
        const gated = gateWrites(port, this.stopSignal);
        return limiter ? limitPort(gated, service, limiter, this.runOptions(true)) : gated;
      };
      const ecs = paced(sb.ecs, 'ECS');
      const elbv2 = paced(sb.elbv2, 'ELBv2');
      ctx = {
        region,
        ecs,
        sts: sb.sts,
        reader: new EcsReader(ecs),
        dns: { ...this.route53For(paced(sb.route53, 'Route53')), elbv2, ec2: sb.ec2 },
        elbv2,
        sqs: gateWrites(sb.sqs, this.stopSignal),
        eventBridge: gateWrites(sb.eventBridge, this.stopSignal),
        clock: systemClock,
        pollMs: SANDBOX_POLL_MS,
      };
    } else {
      const clients = createAwsClients({
        region,
        endpoint: this.opts.endpoint,
        callLog: this.callLog,
        ...awsTimeouts(process.env),
        ...(this.fence ? { fence: this.fence } : {}),
      });
      // One limiter per account and Region for the whole process (every cluster, every command of
      // a controller); Route53 is global, so its buckets are the account's wherever it is called.
      const endpoint = this.opts.endpoint ?? 'aws';
      const limiter = sharedAccountLimiter(`${endpoint}|${region}`);
      const route53Limiter = sharedAccountLimiter(`${endpoint}|route53`);
      const runOptions = this.runOptions(false);
      const ecs = limitPort(
        gateWrites(new SdkEcsPort(clients.ecs, clients.ecsSingleAttempt), this.stopSignal),
        'ECS',
        limiter,
        runOptions,
      );
      // STS, the DNS ports (Route53, ELBv2, EC2) and the event source's (SQS, EventBridge) are
      // built on first use: their SDK clients are large, and most runs need none of them.
      let sts: StsPort | undefined;
      let dns: DnsPorts | undefined;
      let elbv2: Elbv2Port | undefined;
      let sqs: SqsPort | undefined;
      let eventBridge: EventBridgePort | undefined;
      const stopSignal = this.stopSignal;
      const elbv2Port = (): Elbv2Port => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { SdkElbv2Port } = require('../aws/sdk-elbv2-port') as typeof import('../aws/sdk-elbv2-port');
        return (elbv2 ??= limitPort(
          gateWrites(new SdkElbv2Port(clients.elbv2), stopSignal),
          'ELBv2',
          limiter,
          runOptions,
        ));
      };
      const route53For = (port: Route53Port) =>
        this.route53For(limitPort(gateWrites(port, stopSignal), 'Route53', route53Limiter, runOptions));
      ctx = {
        region,
        ecs,
        reader: new EcsReader(ecs),
        clock: systemClock,
        get sts(): StsPort {
          /* eslint-disable-next-line @typescript-eslint/no-require-imports */
          const { SdkStsPort } = require('../aws/sdk-sts-port') as typeof import('../aws/sdk-sts-port');
          return (sts ??= new SdkStsPort(clients.sts));
        },
        get dns(): DnsPorts {
          /* eslint-disable @typescript-eslint/no-require-imports */
          const { SdkRoute53Port } =
            require('../aws/sdk-route53-port') as typeof import('../aws/sdk-route53-port');
          const { SdkEc2Port } = require('../aws/sdk-ec2-port') as typeof import('../aws/sdk-ec2-port');
          /* eslint-enable @typescript-eslint/no-require-imports */
          return (dns ??= {
            ...route53For(new SdkRoute53Port(clients.route53)),
            elbv2: elbv2Port(),
            ec2: new SdkEc2Port(clients.ec2),
          });
        },
        get elbv2(): Elbv2Port {
          return elbv2Port();
        },
        get sqs(): SqsPort {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { SdkSqsPort } = require('../aws/sdk-sqs-port') as typeof import('../aws/sdk-sqs-port');
          return (sqs ??= gateWrites(new SdkSqsPort(clients.sqs), stopSignal));
        },
        get eventBridge(): EventBridgePort {
          const { SdkEventBridgePort } =
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require('../aws/sdk-eventbridge-port') as typeof import('../aws/sdk-eventbridge-port');
          return (eventBridge ??= gateWrites(new SdkEventBridgePort(clients.eventBridge), stopSignal));
        },
      };
    }
    this.regions.set(region, ctx);
    return ctx;
  }

  /**
   * Route53 is global: one port and one reader (so one hosted-zone listing) for the whole command,
   * whichever region asks first.
   */
  private route53For(port: Route53Port): { route53: Route53Port; route53Reader: Route53Reader } {
    this.route53 ??= { route53: port, route53Reader: new Route53Reader(port) };
    return this.route53;
  }

  private get sandboxThrottling(): boolean {
    return this.opts.sandboxThrottling ?? process.env.ECS_GITOPS_SANDBOX_THROTTLING === 'aws';
  }

  /**
   * The limiter's options for this command: its stop signal, and its call log for the throttled
   * answers when the ports are not SDK-backed (the SDK middleware counts those itself).
   */
  private runOptions(countThrottles: boolean): RunOptions {
    return {
      ...(this.stopSignal ? { signal: this.stopSignal } : {}),
      ...(countThrottles ? { callLog: this.callLog } : {}),
    };
  }

  /** Persists the sandbox account, if there is one and it has a file. */
  async close(): Promise<void> {
    if (this.sandbox && this.sandboxFile) await sandboxModule().saveSandbox(this.sandboxFile, this.sandbox);
  }
}

/**
 * The sandbox is loaded only with --sandbox: it uses the SDK's exception classes of five services,
 * about 60 MB of RSS that a controller talking to AWS has no use for.
 */
function sandboxModule(): typeof import('../aws/sandbox/state-file') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../aws/sandbox/state-file') as typeof import('../aws/sandbox/state-file');
}

/**
 * ECS_GITOPS_AWS_CONNECT_TIMEOUT and ECS_GITOPS_AWS_REQUEST_TIMEOUT (durations such as `5s`): the
 * per-attempt timeouts of every AWS call (defaults in aws/clients.ts).
 */
export function awsTimeouts(env: NodeJS.ProcessEnv): {
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
} {
  const connect = env.ECS_GITOPS_AWS_CONNECT_TIMEOUT;
  const request = env.ECS_GITOPS_AWS_REQUEST_TIMEOUT;
  return {
    ...(connect ? { connectTimeoutMs: parseDuration(connect) } : {}),
    ...(request ? { requestTimeoutMs: parseDuration(request) } : {}),
  };
}
