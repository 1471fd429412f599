import { ManualClock } from '../../controller/aws/clock';
import type { ActionResult } from '../../controller/model/action-result';
import { finishPrunes, type ApplyRound } from '../../controller/reconcile/finish-prunes';

const line = (id: string, outcome: ActionResult['outcome'], pending?: string): ActionResult => ({
  id,
  resource: id.startsWith('dnsRecord') ? 'dnsRecord' : 'service',
  name: id.split('/')[1] ?? id,
  outcome,
  ...(pending !== undefined ? { pending } : {}),
});

const round = (results: ActionResult[], planErrors: ApplyRound['planErrors'] = []): ApplyRound => ({
  results,
  planErrors,
});

describe('apply --wait re-plans while something waits', () => {
  test('alias records waiting for a new balancer: the next round has the records, and nothing waits', async () => {
    const first = round([
      line('loadBalancer/demo', 'created'),
      line('dnsRecord/(target)', 'unchanged', 'the load balancer is being created'),
    ]);
    const rounds: ApplyRound[] = [];
    const merged = await finishPrunes(
      first,
      () => {
        const r = round([
          line('loadBalancer/demo', 'unchanged'),
          line('dnsRecord/www.example.com/A', 'created'),
        ]);
        rounds.push(r);
        return Promise.resolve(r);
      },
      { clock: new ManualClock(0), deadline: 60_000, pollMs: 1_000 },
    );
    expect(rounds).toHaveLength(1);
    expect(merged.results.map((r) => [r.id, r.outcome, r.pending])).toEqual([
      ['loadBalancer/demo', 'created', undefined],
      ['dnsRecord/www.example.com/A', 'created', undefined],
    ]);
  });

  test('a round that failed to plan keeps the earlier waiting line (nothing is known to be done)', async () => {
    const first = round([line('dnsRecord/(target)', 'unchanged', 'the load balancer is being created')]);
    const merged = await finishPrunes(first, () => Promise.resolve(round([], [{ message: 'boom' }])), {
      clock: new ManualClock(0),
      deadline: 60_000,
      pollMs: 1_000,
    });
    expect(merged.results.map((r) => r.pending)).toEqual(['the load balancer is being created']);
    expect(merged.planErrors).toEqual([{ message: 'boom' }]);
  });

  test('a service still draining stays waiting until a round deletes it', async () => {
    const first = round([line('service/old', 'unchanged', 'draining: 1 task running')]);
    const answers = [
      round([line('service/old', 'unchanged', 'draining: 1 task running')]),
      round([line('service/old', 'deleted')]),
    ];
    const merged = await finishPrunes(first, () => Promise.resolve(answers.shift() as ApplyRound), {
      clock: new ManualClock(0),
      deadline: 60_000,
      pollMs: 1_000,
    });
    expect(answers).toEqual([]);
    expect(merged.results.map((r) => [r.id, r.outcome, r.pending])).toEqual([
      ['service/old', 'deleted', undefined],
    ]);
  });
});
