import { type AccountLimiter, limitPort } from '../../controller/aws/account-limiter';
import type { CallLog } from '../../controller/aws/call-log';
import type { EcsPort } from '../../controller/aws/ecs-port';

/**
 * An ECS port behind the process's limiter, counted as the SDK middleware counts in a real process:
 * one call per logical call above the limiter's retries, throttled attempts apart (the sandbox's own
 * log counts every attempt the account got). For the throttling tests and the bench.
 */
export function limitedCountedEcs(port: EcsPort, limiter: AccountLimiter, log: CallLog): EcsPort {
  const limited = limitPort<EcsPort>(port, 'ECS', limiter, { callLog: log });
  return new Proxy(limited, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        log.record('ECS', prop.charAt(0).toUpperCase() + prop.slice(1));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
