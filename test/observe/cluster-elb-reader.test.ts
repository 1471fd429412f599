import type { Elbv2Port } from '../../controller/aws/elbv2-port';
import { TAG_ROUTE, TAG_TARGET } from '../../controller/model/load-balancer';
import { mapToTags, ownershipTags, type TagMap } from '../../controller/model/ownership';
import { readClusterElb } from '../../controller/observe/cluster-elb-reader';

/**
 * The reader `destroy` uses, against a hand-written ELBv2 fake that pages like ELBv2 (at most 400 a
 * page, `Marker`/`NextMarker`) and refuses more than 20 ARNs per DescribeTags: what it finds, and
 * how many calls of each operation it makes.
 */

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const OURS = ownershipTags('demo', 'demo');

interface FakeRule {
  arn: string;
  priority: string;
  to?: string;
  isDefault?: boolean;
  hosts?: string[];
}
interface FakeListener {
  arn: string;
  port: number;
  rules: FakeRule[];
}
interface FakeBalancer {
  arn: string;
  name: string;
  listeners: FakeListener[];
}
interface FakeGroup {
  arn: string;
  name: string;
  lbs: string[];
}

function page<T>(all: T[], input: { PageSize?: number; Marker?: string }) {
  const size = input.PageSize ?? 400;
  if (size > 400) throw new Error('ValidationError: page size above 400');
  const start = input.Marker ? Number(input.Marker) : 0;
  const next = start + size < all.length ? String(start + size) : undefined;
  return { items: all.slice(start, start + size), ...(next ? { NextMarker: next } : {}) };
}

/** Answers come later, as over the network. */
const tick = () => new Promise<void>((r) => setImmediate(r));

function fakeElbv2(state: { balancers: FakeBalancer[]; groups: FakeGroup[]; tags: Map<string, TagMap> }) {
  const calls: Record<string, number> = {};
  const count = (op: string) => (calls[op] = (calls[op] ?? 0) + 1);
  const listener = (arn: string) =>
    state.balancers.flatMap((b) => b.listeners).find((l) => l.arn === arn) as FakeListener;
  const port: Partial<Elbv2Port> = {
    describeTargetGroups: async (input) => {
      await tick();
      count('DescribeTargetGroups');
      const p = page(state.groups, input);
      return {
        TargetGroups: p.items.map((g) => ({
          TargetGroupArn: g.arn,
          TargetGroupName: g.name,
          LoadBalancerArns: g.lbs,
          Port: 80,
        })),
        NextMarker: p.NextMarker,
      };
    },
    describeLoadBalancers: async (input) => {
      await tick();
      count('DescribeLoadBalancers');
      const p = page(state.balancers, input);
      return {
        LoadBalancers: p.items.map((b) => ({ LoadBalancerArn: b.arn, LoadBalancerName: b.name })),
        NextMarker: p.NextMarker,
      };
    },
    describeListeners: async (input) => {
      await tick();
      count('DescribeListeners');
      const b = state.balancers.find((x) => x.arn === input.LoadBalancerArn) as FakeBalancer;
      const p = page(b.listeners, input);
      return {
        Listeners: p.items.map((l) => ({
          ListenerArn: l.arn,
          Port: l.port,
          Protocol: 'HTTP',
          DefaultActions: [],
        })),
        NextMarker: p.NextMarker,
      };
    },
    describeRules: async (input) => {
      await tick();
      count('DescribeRules');
      const p = page(listener(input.ListenerArn ?? '').rules, input);
      return {
        Rules: p.items.map((r) => ({
          RuleArn: r.arn,
          Priority: r.priority,
          IsDefault: r.isDefault === true,
          Conditions: r.hosts ? [{ Field: 'host-header', HostHeaderConfig: { Values: r.hosts } }] : [],
          Actions: r.to ? [{ Type: 'forward', TargetGroupArn: r.to }] : [],
        })),
        NextMarker: p.NextMarker,
      };
    },
    describeTags: async (input) => {
      await tick();
      count('DescribeTags');
      const arns = input.ResourceArns ?? [];
      if (arns.length > 20) throw new Error('ValidationError: more than 20 resources');
      return {
        TagDescriptions: arns.map((a) => ({
          ResourceArn: a,
          Tags: mapToTags(state.tags.get(a) ?? {}).map((t) => ({ Key: t.key, Value: t.value })),
        })),
      };
    },
  };
  return { port: port as Elbv2Port, calls };
}

function scenario() {
  const tags = new Map<string, TagMap>();
  const groups: FakeGroup[] = [];
  // 430 target groups of other clusters: the unfiltered list takes two pages.
  for (let i = 0; i < 430; i++)
    groups.push({ arn: `${ARN}:targetgroup/other${i}-x/${i}`, name: `other${i}-x`, lbs: [] });
  const owned = `${ARN}:loadbalancer/app/demo/1`;
  const shared = `${ARN}:loadbalancer/app/shared/2`;
  const unrelated = `${ARN}:loadbalancer/app/unrelated/3`;
  const web = `${ARN}:targetgroup/demo-web-80-aaaaaa/1`;
  const api = `${ARN}:targetgroup/demo-api-80-bbbbbb/2`;
  const detached = `${ARN}:targetgroup/demo-old-80-cccccc/3`;
  const otherOwner = `${ARN}:targetgroup/demo-x-80-dddddd/4`;
  const untagged = `${ARN}:targetgroup/demo-manual/5`;
  groups.push(
    { arn: web, name: 'demo-web-80-aaaaaa', lbs: [owned] },
    { arn: api, name: 'demo-api-80-bbbbbb', lbs: [shared] },
    { arn: detached, name: 'demo-old-80-cccccc', lbs: [] },
    { arn: otherOwner, name: 'demo-x-80-dddddd', lbs: [unrelated] },
    { arn: untagged, name: 'demo-manual', lbs: [unrelated] },
  );
  for (const [arn, key] of [
    [web, 'web/web/80'],
    [api, 'api/api/80'],
    [detached, 'old/old/80'],
  ])
    tags.set(arn, { ...OURS, [TAG_TARGET]: key });
  tags.set(otherOwner, ownershipTags('someone', 'demo'));
  tags.set(owned, OURS);
  tags.set(shared, { team: 'platform' });
  tags.set(unrelated, ownershipTags('demo', 'demo-b'));

  const rule = (lb: string, n: number, to: string | undefined, t?: TagMap, hosts?: string[]): FakeRule => {
    const arn = `${lb}/rule/${n}`;
    if (t) tags.set(arn, t);
    return { arn, priority: String(n), ...(to ? { to } : {}), ...(hosts ? { hosts } : {}) };
  };
  const sharedRules = [rule(shared, 1, undefined, {}, ['a.example.com'])];
  // 25 rules not ours on the shared balancer: two DescribeTags calls for the rules.
  for (let i = 2; i <= 25; i++) sharedRules.push(rule(shared, i, undefined, { team: 'x' }));
  sharedRules.push(rule(shared, 30, api, { ...OURS, [TAG_ROUTE]: 'api/api/80@443#1' }, ['API.Example.com.']));
  sharedRules.push({ arn: `${shared}/rule/default`, priority: 'default', isDefault: true });
  const balancers: FakeBalancer[] = [
    {
      arn: owned,
      name: 'demo',
      listeners: [
        {
          arn: `${owned}/l80`,
          port: 80,
          rules: [rule(owned, 1, web, { ...OURS, [TAG_ROUTE]: 'web/web/80@80#1' }, ['www.example.com'])],
        },
        { arn: `${owned}/l443`, port: 443, rules: [] },
      ],
    },
    { arn: shared, name: 'shared', listeners: [{ arn: `${shared}/l443`, port: 443, rules: sharedRules }] },
    { arn: unrelated, name: 'unrelated', listeners: [{ arn: `${unrelated}/l80`, port: 80, rules: [] }] },
  ];
  return { state: { balancers, groups, tags }, arns: { owned, shared, web, api, detached } };
}

test('finds the target groups of ours (by name stem, then tags), the balancers they forward from and the owned ones', async () => {
  const { state, arns } = scenario();
  const { port, calls } = fakeElbv2(state);
  const elb = await readClusterElb({ ownerId: 'demo', cluster: 'demo' }, port);

  expect(elb.targetGroups.map((g) => g.name)).toEqual([
    'demo-api-80-bbbbbb',
    'demo-old-80-cccccc',
    'demo-web-80-aaaaaa',
  ]);
  // The unrelated balancer (another cluster's, with only another owner's group on it) is not read.
  expect(elb.balancers.map((b) => [b.name, b.listeners.map((l) => `${l.port}:${l.rules.length}`)])).toEqual([
    ['demo', ['80:1', '443:0']],
    ['shared', ['443:26']],
  ]);
  const ours = elb.balancers[1].listeners[0].rules.find((r) => r.priority === 30);
  expect(ours).toMatchObject({
    forwardTo: [arns.api],
    hosts: ['api.example.com'],
    tags: { [TAG_ROUTE]: 'api/api/80@443#1' },
  });
  expect(elb.balancers[0].tags).toEqual(OURS);

  expect(calls).toEqual({
    DescribeTargetGroups: 2, // 435 groups, 400 a page
    DescribeLoadBalancers: 1,
    // 5 candidates named demo-... + 3 balancers: one call; 27 rules: two calls.
    DescribeTags: 3,
    DescribeListeners: 2,
    DescribeRules: 3,
  });
});

test('no target group and no balancer of ours: two list calls, one tag call, nothing more', async () => {
  const { state } = scenario();
  const { port, calls } = fakeElbv2({ ...state, groups: state.groups.slice(0, 10) });
  const elb = await readClusterElb({ ownerId: 'nobody', cluster: 'demo' }, port);
  expect(elb).toEqual({ targetGroups: [], balancers: [] });
  // No group of 10 is named demo-...: only the 3 balancers' tags are read.
  expect(calls).toEqual({ DescribeTargetGroups: 1, DescribeLoadBalancers: 1, DescribeTags: 1 });
});
