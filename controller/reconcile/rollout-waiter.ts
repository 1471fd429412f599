import type { Service } from '../model/aws-types';
import type { EcsReader } from '../observe/ecs-reader';
import { shortTaskDefinition } from '../model/naming';
import { primaryRollout } from '../model/service-stability';
import type { Clock } from '../aws/clock';
import type { Nudge } from './nudge';

export type RolloutState = 'completed' | 'failed' | 'timeout' | 'missing';

export interface RolloutResult {
  service: string;
  state: RolloutState;
  reason: string;
}

export interface WaitOptions {
  reader: EcsReader;
  clock: Clock;
  timeoutMs: number;
  pollMs?: number;
  onProgress?: (service: string, state: string) => void;
  /** Wait one poll interval before the first look (a deployment never completes at once). */
  delayFirstPoll?: boolean;
  /** Stops the waiting early (the controller stopping); what is still pending is reported as timeout. */
  signal?: AbortSignal;
  /** Poked when ECS says a deployment changed: the next poll happens now. */
  nudge?: Nudge;
}

/**
 * Waits until each service's newest deployment finished: COMPLETED, FAILED (the deployment circuit
 * breaker gave up, possibly rolling back), or the timeout. Polls with batched DescribeServices, so
 * waiting on 30 services costs 3 calls per poll, not 30.
 */
export async function waitForRollouts(
  cluster: string,
  services: readonly { name: string; taskDefinitionArn?: string }[],
  opts: WaitOptions,
): Promise<RolloutResult[]> {
  const pollMs = opts.pollMs ?? 10_000;
  const sleep = (ms: number) =>
    opts.nudge ? opts.nudge.sleep(opts.clock, ms, opts.signal) : opts.clock.sleep(ms, opts.signal);
  const deadline = opts.clock.now() + opts.timeoutMs;
  const pending = new Map(services.map((s) => [s.name, s]));
  const results: RolloutResult[] = [];
  if (opts.delayFirstPoll) await sleep(pollMs);
  for (;;) {
    if (opts.signal?.aborted) {
      for (const name of pending.keys())
        results.push({ service: name, state: 'timeout', reason: 'stopped waiting' });
      break;
    }
    const live = await opts.reader.describeServicesBatched(cluster, [...pending.keys()]);
    for (const [name, wanted] of pending) {
      const found = live.get(name);
      const verdict = found
        ? judge(found.service, wanted.taskDefinitionArn)
        : { state: 'missing' as const, reason: 'service not found' };
      if (verdict.state !== 'in-progress') {
        results.push({ service: name, state: verdict.state, reason: verdict.reason });
        pending.delete(name);
      } else {
        opts.onProgress?.(name, verdict.reason);
      }
    }
    if (pending.size === 0) break;
    if (opts.clock.now() >= deadline) {
      for (const name of pending.keys()) {
        results.push({
          service: name,
          state: 'timeout',
          reason: `deployment still in progress after ${Math.round(opts.timeoutMs / 1000)}s`,
        });
      }
      break;
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - opts.clock.now())));
  }
  return results.sort((a, b) => a.service.localeCompare(b.service));
}

type Verdict = { state: 'completed' | 'failed' | 'missing' | 'in-progress'; reason: string };

function judge(service: Service, wantedArn: string | undefined): Verdict {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary) return { state: 'in-progress', reason: 'no primary deployment yet' };
  // The circuit breaker with rollback puts the previous revision back as the new PRIMARY.
  if (wantedArn && service.taskDefinition !== wantedArn) {
    return {
      state: 'failed',
      reason: `rolled back to ${shortTaskDefinition(service.taskDefinition ?? '?')}: ${failedReason(service)}`,
    };
  }
  const rollout = primaryRollout(service);
  if (rollout === 'failed') {
    return { state: 'failed', reason: primary.rolloutStateReason ?? 'deployment failed' };
  }
  if (rollout === 'completed') {
    return {
      state: 'completed',
      reason: primary.rolloutState === 'COMPLETED' ? 'deployment completed' : 'steady state',
    };
  }
  return {
    state: 'in-progress',
    reason: `${primary.runningCount ?? 0}/${primary.desiredCount ?? 0} running, ${primary.rolloutState ?? 'IN_PROGRESS'}`,
  };
}

function failedReason(service: Service): string {
  const failed = service.deployments?.find((d) => d.rolloutState === 'FAILED');
  return failed?.rolloutStateReason ?? 'deployment failed';
}
