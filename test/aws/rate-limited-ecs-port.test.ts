import { ManualClock } from '../../controller/aws/clock';
import type { EcsPort } from '../../controller/aws/ecs-port';
import { RateLimitedEcsPort } from '../../controller/aws/rate-limited-ecs-port';
import { ec2TaskDef, newSandbox } from '../helpers/sandbox';

describe('RateLimitedEcsPort', () => {
  test('mutating calls never exceed the concurrency limit; reads are not limited', async () => {
    const { sb } = newSandbox();
    let writes = 0;
    let maxWrites = 0;
    let reads = 0;
    let maxReads = 0;
    const inner: EcsPort = Object.create(sb) as EcsPort;
    inner.registerTaskDefinition = async (input) => {
      writes++;
      maxWrites = Math.max(maxWrites, writes);
      await new Promise((r) => setTimeout(r, 5));
      writes--;
      return sb.registerTaskDefinition(input);
    };
    inner.describeClusters = async (input) => {
      reads++;
      maxReads = Math.max(maxReads, reads);
      await new Promise((r) => setTimeout(r, 5));
      reads--;
      return sb.describeClusters(input);
    };
    const port = new RateLimitedEcsPort(inner, {
      concurrency: 3,
      buckets: { RegisterTaskDefinition: { burst: 1000, perSecond: 1000 } },
    });
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => port.registerTaskDefinition(ec2TaskDef(`f${i}`))),
      ...Array.from({ length: 10 }, () => port.describeClusters({})),
    ]);
    expect(results).toHaveLength(30);
    expect(maxWrites).toBe(3);
    expect(maxReads).toBe(10);
  });

  test('the default bucket delays the 21st RegisterTaskDefinition by a second', async () => {
    const clock = new ManualClock(0);
    const { sb } = newSandbox({ clock });
    const startedAt: number[] = [];
    const inner: EcsPort = Object.create(sb) as EcsPort;
    inner.registerTaskDefinition = (input) => {
      startedAt.push(clock.now());
      return sb.registerTaskDefinition(input);
    };
    const port = new RateLimitedEcsPort(inner, { clock, sleep: clock.sleep });
    for (let i = 0; i < 22; i++) await port.registerTaskDefinition(ec2TaskDef('demo-web'));
    expect(startedAt.slice(0, 20)).toEqual(Array(20).fill(0));
    expect(startedAt[20]).toBe(1000);
    expect(startedAt[21]).toBe(2000);
  });

  test('buckets are configurable per operation (a benchmark raises them)', async () => {
    const clock = new ManualClock(0);
    const { sb } = newSandbox({ clock });
    const port = new RateLimitedEcsPort(sb, {
      clock,
      sleep: clock.sleep,
      buckets: { RegisterTaskDefinition: { burst: 100, perSecond: 100 } },
    });
    for (let i = 0; i < 100; i++) await port.registerTaskDefinition(ec2TaskDef('demo-web'));
    expect(clock.now()).toBe(0);
    await port.registerTaskDefinition(ec2TaskDef('demo-web'));
    expect(clock.now()).toBe(10);
  });
});
