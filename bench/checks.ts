/** The correctness checks the benchmark makes of its own rounds: a fast wrong answer is no result. */
import { DESCRIBE_SERVICES_BATCH } from '../controller/observe/ecs-reader';
import type { RoundRun } from './round';

export interface Check {
  size: number;
  name: string;
  ok: boolean;
  detail: string;
}

const list = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function checkRound1(n: number, r1: RoundRun): Check[] {
  const expectedActions = 1 + 2 * n; // the cluster, N families, N services
  const notCreated = r1.results.filter((r) => r.outcome !== 'created');
  const failed = r1.results.filter((r) => r.outcome === 'failed');
  const byResource = (t: string) => r1.results.filter((r) => r.resource === t).length;
  return [
    {
      size: n,
      name: 'round 1: 1 cluster + N task definitions + N services planned',
      ok:
        r1.results.length === expectedActions &&
        byResource('cluster') === 1 &&
        byResource('taskDefinition') === n &&
        byResource('service') === n,
      detail: `${r1.results.length} actions (cluster ${byResource('cluster')}, taskDefinition ${byResource('taskDefinition')}, service ${byResource('service')}); expected ${expectedActions}`,
    },
    {
      size: n,
      name: 'round 1: every action created, zero failed',
      ok: notCreated.length === 0 && failed.length === 0,
      detail:
        notCreated.length === 0
          ? `${r1.results.length} created`
          : `${notCreated.length} not created, e.g. ${notCreated[0].id}: ${notCreated[0].outcome} ${notCreated[0].message ?? ''}`,
    },
  ];
}

/** AWS's page size for ListServices and ListTaskDefinitionFamilies. */
const LIST_PAGE = 100;

export function checkRound2(n: number, r2: RoundRun): Check[] {
  const c = r2.result.calls;
  // Pruning adds one page per 100 services (ListServices: services no spec asks for) and per 100
  // families under the prefix (ListTaskDefinitionFamilies: families removed from the specs).
  const budget: Record<string, number> = {
    DescribeClusters: 1,
    DescribeServices: Math.ceil(n / DESCRIBE_SERVICES_BATCH),
    DescribeTaskDefinition: n,
    ListServices: Math.ceil(n / LIST_PAGE),
    ListTaskDefinitionFamilies: Math.ceil(n / LIST_PAGE),
  };
  const over = Object.entries(c).filter(([op, k]) => k > (budget[op] ?? 0));
  const changed = r2.results.filter((r) => r.outcome !== 'unchanged');
  return [
    {
      size: n,
      name: 'round 2 (cold): zero mutating calls',
      ok: r2.result.mutatingCalls === 0,
      detail: `${r2.result.mutatingCalls} mutating calls`,
    },
    {
      size: n,
      name: `round 2 (cold): reads within 1 DescribeClusters + ceil(N/10) DescribeServices + N DescribeTaskDefinition + 2 ceil(N/100) List pages`,
      ok: over.length === 0,
      detail: `calls: ${list(c)}; budget: ${list(budget)}${over.length ? `; over: ${over.map(([op]) => op).join(', ')}` : ''}`,
    },
    {
      size: n,
      name: 'round 2 (cold): every action unchanged',
      ok: changed.length === 0,
      detail:
        changed.length === 0
          ? `${r2.results.length} unchanged`
          : `${changed.length} changed, e.g. ${changed[0].id}: ${changed[0].outcome} ${changed[0].message ?? ''}`,
    },
  ];
}

export function checkRound2Warm(n: number, r2w: RoundRun): Check[] {
  const describes = r2w.result.calls.DescribeTaskDefinition ?? 0;
  const changed = r2w.results.filter((r) => r.outcome !== 'unchanged');
  return [
    {
      size: n,
      name: 'round 2w (warm): zero DescribeTaskDefinition',
      ok: describes === 0,
      detail: `${describes} DescribeTaskDefinition`,
    },
    {
      size: n,
      name: 'round 2w (warm): zero mutating calls, every action unchanged',
      ok: r2w.result.mutatingCalls === 0 && changed.length === 0,
      detail:
        `${r2w.result.mutatingCalls} mutating calls, ${changed.length} actions not unchanged` +
        (changed.length ? `, e.g. ${changed[0].id}: ${changed[0].outcome} ${changed[0].message ?? ''}` : ''),
    },
  ];
}
