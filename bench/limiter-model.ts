/**
 * What the AWS-safe default limiter (DEFAULT_WRITE_BUCKETS) would make round 1 cost: COMPUTED, not
 * measured. Round 1's real plan is replayed through the real RateLimitedEcsPort and executor on a
 * virtual clock, over a port that answers instantly (zero API latency), so the figure is the time the
 * limiter alone imposes: a lower bound for a real first apply. A closed form is kept as a cross-check:
 * per operation, (calls - burst) / perSecond.
 */
import type { Clock, Sleep } from '../controller/aws/clock';
import type { EcsPort } from '../controller/aws/ecs-port';
import { DEFAULT_WRITE_BUCKETS, RateLimitedEcsPort } from '../controller/aws/rate-limited-ecs-port';
import type { Plan } from '../controller/plan/plan-types';
import { executePlan } from '../controller/reconcile/executor';

export interface LimiterPrediction {
  /** Seconds until the last action finished, on the virtual clock. */
  simulatedSeconds: number;
  /** max over operations of max(0, calls - burst) / perSecond. */
  formulaSeconds: number;
  /** Mutating calls per operation in the replayed plan. */
  writes: Record<string, number>;
}

/**
 * A discrete-event clock: `sleep` parks the caller; whenever nothing else can run (all microtasks
 * drained), time jumps to the earliest wake-up and everyone due then is woken together.
 */
class VirtualTime {
  private t = 0;
  private timers: { at: number; wake: () => void }[] = [];
  readonly sleep: Sleep = (ms) =>
    new Promise((wake) => this.timers.push({ at: this.t + Math.max(0, ms), wake }));
  readonly clock: Clock = { now: () => this.t, sleep: this.sleep };

  get now(): number {
    return this.t;
  }

  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => {
      settled = true;
    });
    for (;;) {
      // setImmediate runs after every pending promise job: the simulated world is idle now.
      await new Promise((r) => setImmediate(r));
      if (settled) return watched;
      if (this.timers.length === 0) throw new Error('limiter model: stalled with nothing asleep');
      const at = Math.min(...this.timers.map((x) => x.at));
      const due = this.timers.filter((x) => x.at === at);
      this.timers = this.timers.filter((x) => x.at !== at);
      this.t = at;
      for (const x of due) x.wake();
    }
  }
}

/** Answers every write at once with what the executor needs (ARNs); reads are not expected. */
function instantPort(writes: Record<string, number>): EcsPort {
  const arn = (kind: string, name: string) => `arn:aws:ecs:us-east-1:000000000000:${kind}/${name}`;
  const count = (op: string) => {
    writes[op] = (writes[op] ?? 0) + 1;
  };
  const unexpected = (op: string) => () => Promise.reject(new Error(`limiter model: unexpected ${op}`));
  return {
    describeClusters: unexpected('DescribeClusters'),
    listServices: unexpected('ListServices'),
    describeServices: unexpected('DescribeServices'),
    describeTaskDefinition: unexpected('DescribeTaskDefinition'),
    listTasks: unexpected('ListTasks'),
    listContainerInstances: unexpected('ListContainerInstances'),
    describeContainerInstances: unexpected('DescribeContainerInstances'),
    deleteCluster: unexpected('DeleteCluster'),
    putClusterCapacityProviders: unexpected('PutClusterCapacityProviders'),
    deleteService: unexpected('DeleteService'),
    untagResource: unexpected('UntagResource'),
    describeTasks: unexpected('DescribeTasks'),
    listTaskDefinitions: unexpected('ListTaskDefinitions'),
    listTaskDefinitionFamilies: unexpected('ListTaskDefinitionFamilies'),
    deregisterTaskDefinition: unexpected('DeregisterTaskDefinition'),
    deleteTaskDefinitions: unexpected('DeleteTaskDefinitions'),
    createCluster: (input) => {
      count('CreateCluster');
      return Promise.resolve({ cluster: { clusterArn: arn('cluster', input.clusterName ?? '') } });
    },
    registerTaskDefinition: (input) => {
      count('RegisterTaskDefinition');
      const taskDefinitionArn = arn('task-definition', `${input.family}:1`);
      return Promise.resolve({
        taskDefinition: { ...input, taskDefinitionArn, revision: 1, status: 'ACTIVE' },
        tags: input.tags,
      } as never);
    },
    createService: (input) => {
      count('CreateService');
      return Promise.resolve({ service: { serviceArn: arn('service', input.serviceName ?? '') } });
    },
    updateService: (input) => {
      count('UpdateService');
      return Promise.resolve({ service: { serviceArn: arn('service', input.service ?? '') } });
    },
    tagResource: () => {
      count('TagResource');
      return Promise.resolve();
    },
  };
}

export async function predictDefaultLimiter(plan: Plan): Promise<LimiterPrediction> {
  const vt = new VirtualTime();
  const writes: Record<string, number> = {};
  const ecs = new RateLimitedEcsPort(instantPort(writes), { clock: vt.clock, sleep: vt.sleep });
  const results = await vt.run(executePlan(plan, { ecs }));
  const bad = results.filter((r) => r.outcome === 'failed' || r.outcome === 'skipped');
  if (bad.length > 0) throw new Error(`limiter model: ${bad[0].id} ${bad[0].outcome}: ${bad[0].message}`);
  let formula = 0;
  for (const [op, n] of Object.entries(writes)) {
    const spec = DEFAULT_WRITE_BUCKETS[op];
    if (spec) formula = Math.max(formula, Math.max(0, n - spec.burst) / spec.perSecond);
  }
  return { simulatedSeconds: vt.now / 1000, formulaSeconds: formula, writes };
}
