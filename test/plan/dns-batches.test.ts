import type { Change } from '@aws-sdk/client-route-53';
import { batchChanges, changeCost } from '../../controller/plan/dns-batches';
import { planDns } from '../../controller/plan/dns-planner';
import type { PlannedAction, Step } from '../../controller/plan/plan-types';
import { aSet, dnsDesired, host, observedDns } from './dns-builders';

const change = (Action: 'CREATE' | 'UPSERT' | 'DELETE', values: string[]): Change => ({
  Action,
  ResourceRecordSet: aSet('x.example.com', values, 300, 'TXT'),
});
const alias = (Action: 'CREATE' | 'UPSERT'): Change => ({
  Action,
  ResourceRecordSet: {
    Name: 'x.example.com.',
    Type: 'A',
    AliasTarget: { DNSName: 'lb.example.net', HostedZoneId: 'Z1', EvaluateTargetHealth: true },
  },
});

describe('Route53 change batches', () => {
  test('cost: ResourceRecord elements and Value characters, an UPSERT twice, an alias 1 element 0 characters', () => {
    expect(changeCost(change('CREATE', ['abc', 'de']))).toEqual({ records: 2, chars: 5 });
    expect(changeCost(change('DELETE', ['abc']))).toEqual({ records: 1, chars: 3 });
    expect(changeCost(change('UPSERT', ['abc', 'de']))).toEqual({ records: 4, chars: 10 });
    expect(changeCost(alias('CREATE'))).toEqual({ records: 1, chars: 0 });
    expect(changeCost(alias('UPSERT'))).toEqual({ records: 2, chars: 0 });
  });

  test('the 1000-record limit, UPSERT counting twice', () => {
    // 400 items of a record with 1 value and its TXT: 2 elements each, 4 when upserted.
    const item = (i: number, action: 'CREATE' | 'UPSERT') => ({
      id: `i${i}`,
      changes: [change(action, ['1']), change(action, ['2'])],
    });
    const creates = Array.from({ length: 400 }, (_, i) => item(i, 'CREATE'));
    expect(batchChanges(creates).map((b) => b.ids.length)).toEqual([400]);
    const upserts = Array.from({ length: 400 }, (_, i) => item(i, 'UPSERT'));
    expect(batchChanges(upserts).map((b) => b.ids.length)).toEqual([250, 150]);
    expect(batchChanges(upserts)[0].changes).toHaveLength(500);
  });

  test('the 32000-character limit', () => {
    const big = (i: number) => ({ id: `i${i}`, changes: [change('CREATE', ['x'.repeat(10000)])] });
    expect(batchChanges([big(1), big(2), big(3), big(4)]).map((b) => b.ids)).toEqual([
      ['i1', 'i2', 'i3'],
      ['i4'],
    ]);
    const upserted = { id: 'u', changes: [change('UPSERT', ['x'.repeat(10000)])] };
    expect(batchChanges([upserted, big(1), big(2)]).map((b) => b.ids)).toEqual([['u', 'i1'], ['i2']]);
  });

  test('an item is never split, greedy in order, and one too big for any batch goes alone', () => {
    const limits = { maxRecords: 4, maxChars: 100 };
    const items = [
      { id: 'a', changes: [change('CREATE', ['1']), change('CREATE', ['1'])] },
      { id: 'b', changes: [change('CREATE', ['1']), change('CREATE', ['1', '2'])] },
      { id: 'huge', changes: [change('CREATE', ['1', '2', '3', '4', '5', '6'])] },
      { id: 'c', changes: [change('DELETE', ['1'])] },
      { id: 'empty', changes: [] },
      { id: 'd', changes: [change('UPSERT', ['1'])] },
    ];
    const batches = batchChanges(items, limits);
    expect(batches.map((b) => b.ids)).toEqual([['a'], ['b'], ['huge'], ['c', 'd']]);
    expect(batches[1].changes).toEqual(items[1].changes);
  });

  test('1500 new names across 3 zones: batches per zone as the limits say', () => {
    const zones = ['one', 'two', 'six'].map((n, i) => ({
      id: `Z${i}`,
      name: `${n}.example.com`,
      private: false,
    }));
    // Same-length names, so every item costs the same.
    const hosts = zones.flatMap((z) =>
      Array.from({ length: 500 }, (_, i) => host(`h${String(i).padStart(4, '0')}.${z.name}`)),
    );
    const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
    const { actions, errors } = planDns(dnsDesired(hosts), observedDns(zones, {}, target));
    expect(errors).toEqual([]);
    expect(actions).toHaveLength(1500);

    // Each item: CREATE A (1 element, 8 chars) + CREATE TXT (1 element, the quoted ownership value).
    const txt =
      '"heritage=ecs-gitops,ecs-gitops/owner=demo,ecs-gitops/cluster=demo,ecs-gitops/service=web,ecs-gitops/region=eu-west-1"';
    const perBatch = Math.min(Math.floor(1000 / 2), Math.floor(32000 / ('10.0.0.1'.length + txt.length)));
    expect(perBatch).toBe(253); // the character limit binds: 126 characters an item
    for (const z of zones) {
      const items = actions
        .filter((a) => (a.steps[0] as Extract<Step, { call: 'changeRecords' }>).zoneId === z.id)
        .map((a: PlannedAction) => ({
          id: a.id,
          changes: (a.steps[0] as Extract<Step, { call: 'changeRecords' }>).changes,
        }));
      const batches = batchChanges(items);
      expect(batches.map((b) => b.ids.length)).toEqual([253, 247]);
      expect(batches.flatMap((b) => b.ids)).toEqual(items.map((i) => i.id));
    }
  });
});
