/**
 * A fault schedule shared by the sandbox wrapper (fault-ports.ts) and the HTTP proxy in front of
 * moto (fault-proxy.ts): per request, one draw of a seeded PRNG picks a fault or none, so that a
 * failing seed reproduces.
 */
import { seededRandom } from './seeded-random';

export type Fault = 'throttle' | 'serverError' | 'reset' | 'timeout' | 'lostAnswer';

/** Probabilities per request (0..1); their sum must stay at most 1. */
export type FaultRates = Partial<Record<Fault, number>>;

/** The mix of the issue: 10% throttling, 5% 5xx, 3% connection resets, 2% lost answers. */
export const ISSUE_RATES: FaultRates = { throttle: 0.1, serverError: 0.05, reset: 0.03, lostAnswer: 0.02 };

const ORDER: Fault[] = ['throttle', 'serverError', 'reset', 'timeout', 'lostAnswer'];

export class FaultPlan {
  private readonly random: () => number;
  /** Faults injected so far, per kind and per `Service.Operation`. */
  readonly injected: { fault: Fault; call: string }[] = [];

  constructor(
    readonly seed: number,
    private readonly rates: FaultRates,
    /** Calls that are never faulted (setup reads of the test itself, for instance). */
    private readonly spare: (call: string) => boolean = () => false,
    /** At most this many faults in all (a single targeted fault: 1). */
    private readonly limit = Infinity,
  ) {
    this.random = seededRandom(seed);
  }

  /** The fault for the next request of `call` (`ECS.CreateService`), or undefined. */
  next(call: string): Fault | undefined {
    if (this.spare(call) || this.injected.length >= this.limit) return undefined;
    let r = this.random();
    for (const fault of ORDER) {
      const p = this.rates[fault] ?? 0;
      if (r < p) {
        this.injected.push({ fault, call });
        return fault;
      }
      r -= p;
    }
    return undefined;
  }

  count(fault: Fault, callSuffix = ''): number {
    return this.injected.filter((i) => i.fault === fault && i.call.endsWith(callSuffix)).length;
  }
}

/**
 * Faults aimed at calls: each listed fault on the next request of its call (`ECS.CreateRule`), in
 * the order listed for one call; every other request is `then`'s to fault (none without it). So
 * that one run exercises several recoveries, whatever order concurrent requests arrive in, on top
 * of a seeded schedule if given.
 */
export class ScriptedFaults extends FaultPlan {
  private readonly script: { call: string; fault: Fault }[];

  constructor(
    script: { call: string; fault: Fault }[],
    private readonly then?: FaultPlan,
  ) {
    super(then?.seed ?? 0, {});
    this.script = [...script];
  }

  override next(call: string): Fault | undefined {
    const i = this.script.findIndex((s) => s.call === call);
    const fault = i >= 0 ? this.script.splice(i, 1)[0]?.fault : this.then?.next(call);
    if (fault) this.injected.push({ fault, call });
    return fault;
  }

  /** Aimed faults not injected yet (their calls were never made). */
  get pending(): readonly { call: string; fault: Fault }[] {
    return this.script;
  }
}
