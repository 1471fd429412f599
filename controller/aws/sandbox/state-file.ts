import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SandboxEc2 } from './sandbox-ec2';
import { SandboxEcs, type SandboxOptions } from './sandbox-ecs';
import { SandboxElbv2 } from './sandbox-elbv2';
import { SandboxEventBridge } from './sandbox-eventbridge';
import { SandboxRoute53, type SandboxRoute53Options } from './sandbox-route53';
import type { SandboxState } from './sandbox-state';
import { SandboxSqs } from './sandbox-sqs';
import { SandboxSts } from './sandbox-sts';

/** One sandbox account: every fake shares the account id, the clock and the call log. */
export interface LoadedSandbox {
  ecs: SandboxEcs;
  sts: SandboxSts;
  route53: SandboxRoute53;
  elbv2: SandboxElbv2;
  ec2: SandboxEc2;
  sqs: SandboxSqs;
  eventBridge: SandboxEventBridge;
}

export type LoadSandboxOptions = SandboxOptions &
  Pick<SandboxRoute53Options, 'insyncSeconds' | 'rejectWhilePending'>;

/**
 * The fakes that belong to an ECS sandbox, so that `saveSandbox(file, ecs)` (as callers written
 * before Route53 existed do it) still writes the whole account.
 */
const companions = new WeakMap<SandboxEcs, LoadedSandbox>();

/** Builds the whole account from a state (an older state without Route53/ELBv2/EC2 loads empty). */
export function sandboxFromJSON(
  state: SandboxState | undefined,
  opts: LoadSandboxOptions = {},
): LoadedSandbox {
  const ecs = state ? SandboxEcs.fromJSON(state, opts) : new SandboxEcs(opts);
  const shared = { accountId: ecs.accountId, callLog: ecs.callLog };
  const clock = opts.clock;
  const awsThrottling = opts.awsThrottling ?? false;
  const loaded: LoadedSandbox = {
    ecs,
    sts: new SandboxSts(ecs.accountId, ecs.callLog),
    route53: SandboxRoute53.fromJSON(state?.route53, {
      callLog: ecs.callLog,
      ...(clock ? { clock } : {}),
      awsThrottling,
      ...(opts.insyncSeconds !== undefined ? { insyncSeconds: opts.insyncSeconds } : {}),
      ...(opts.rejectWhilePending !== undefined ? { rejectWhilePending: opts.rejectWhilePending } : {}),
    }),
    elbv2: SandboxElbv2.fromJSON(state?.elbv2, {
      ...shared,
      region: ecs.region,
      ...(clock ? { clock } : {}),
      awsThrottling,
    }),
    ec2: SandboxEc2.fromJSON(state?.ec2, shared),
    // A consumer's long poll lets ECS move on, so that rollouts emit their events while it waits.
    sqs: SandboxSqs.fromJSON(state?.sqs, {
      ...shared,
      region: ecs.region,
      ...(clock ? { clock } : {}),
      tick: () => ecs.tick(),
    }),
    eventBridge: SandboxEventBridge.fromJSON(state?.eventBridge, {
      ...shared,
      region: ecs.region,
      ...(clock ? { clock } : {}),
    }),
  };
  ecs.setElbv2(loaded.elbv2);
  loaded.eventBridge.setQueueDelivery(loaded.sqs);
  ecs.setEventSink(loaded.eventBridge);
  companions.set(ecs, loaded);
  return loaded;
}

/** The whole account as one JSON state (ECS fields at the top level, as version 1 always had). */
export function sandboxToJSON(sandbox: SandboxEcs | LoadedSandbox): SandboxState {
  const loaded = sandbox instanceof SandboxEcs ? companions.get(sandbox) : sandbox;
  const ecs = sandbox instanceof SandboxEcs ? sandbox : sandbox.ecs;
  return {
    ...ecs.toJSON(),
    ...(loaded
      ? {
          route53: loaded.route53.toJSON(),
          elbv2: loaded.elbv2.toJSON(),
          ec2: loaded.ec2.toJSON(),
          sqs: loaded.sqs.toJSON(),
          eventBridge: loaded.eventBridge.toJSON(),
        }
      : {}),
  };
}

/**
 * The sandbox account of a file (or a fresh one without a file, or when the file does not exist
 * yet). A loaded account keeps its own account id and Region; `opts` supply the clock, call log,
 * rollout timing and so on.
 */
export async function loadSandbox(
  file: string | undefined,
  opts: LoadSandboxOptions = {},
): Promise<LoadedSandbox> {
  const text = file !== undefined ? await readIfExists(file) : undefined;
  let state: SandboxState | undefined;
  if (text !== undefined) {
    try {
      state = JSON.parse(text) as SandboxState;
    } catch (err) {
      throw new Error(`sandbox state file ${file ?? ''} is not valid JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return sandboxFromJSON(state, opts);
}

/**
 * Writes the account atomically: a temp file in the same directory, then rename. Given only the
 * ECS sandbox of a loaded account, its Route53/ELBv2/EC2 fakes are written too.
 */
export async function saveSandbox(file: string, sandbox: SandboxEcs | LoadedSandbox): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  await fs.writeFile(tmp, JSON.stringify(sandboxToJSON(sandbox), null, 2) + '\n', 'utf8');
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
