import type { Elbv2Port } from '../../controller/aws/elbv2-port';
import type { CreateTargetGroupInput, RuleCondition, TargetGroup } from '../../controller/model/aws-types';

/**
 * The ELBv2 calls of the shared load balancer, as AWS documents them, written against the port so
 * that any backend runs the same scenario: moto (test/aws/elbv2.moto.test.ts) and the strict
 * sandbox. Each backend starts from an Application Load Balancer with an HTTP:80 listener whose
 * default action is a fixed response, and no rules or target groups.
 *
 * Where a backend is known not to behave as AWS, the caller names the difference in
 * `Elbv2Differences` (with a "moto difference:" comment beside it); the contract then asserts only
 * what both agree on for that step, never the backend's own behaviour as if it were AWS's.
 */
export interface Elbv2ContractEnv {
  elbv2: Elbv2Port;
  vpcId: string;
  loadBalancerArn: string;
  /** HTTP:80, default action a fixed response, no rules. */
  listenerArn: string;
}

export interface Elbv2Differences {
  /** An identical CreateTargetGroup fails with DuplicateTargetGroupName (AWS returns the group). */
  identicalCreateTargetGroupFails?: boolean;
  /** Tags per resource (AWS: 50). */
  maxTagsPerResource?: number;
  /** DescribeTargetGroups and DescribeListeners answer in one page whatever PageSize says. */
  pageSizeIgnored?: boolean;
  /** CreateRule takes priorities outside 1-50000 and more than 5 condition values. */
  ruleLimitsUnchecked?: boolean;
  /** DescribeRules returns a host-header condition as written (AWS adds the legacy `Values`). */
  legacyValuesNotFilled?: boolean;
  /** A target group's LoadBalancerArns is not updated by ModifyRule or DeleteRule. */
  loadBalancerArnsStale?: boolean;
  /** SetRulePriorities refuses a priority held by a rule that moves away in the same call. */
  prioritySwapRefused?: boolean;
  /** DeleteTargetGroup of a deleted group fails with TargetGroupNotFound (AWS: succeeds). */
  deleteUnknownTargetGroupFails?: boolean;
  /** DeleteRule of an unknown rule succeeds (AWS: RuleNotFound). */
  deleteUnknownRuleSucceeds?: boolean;
  /** DescribeTags of a deleted resource returns its old tags (AWS: its NotFound error). */
  tagsOutliveResources?: boolean;
  /** DescribeTags takes more than 20 ARNs. */
  describeTagsUnlimited?: boolean;
  /** CreateListener on a port that already has a listener succeeds (AWS: DuplicateListener). */
  duplicateListenerPortAccepted?: boolean;
  /** DescribeTargetGroupAttributes lacks AWS defaults such as `stickiness.lb_cookie.duration_seconds`. */
  attributeDefaultsIncomplete?: boolean;
}

/** The error a call rejects with, by the SDK's `name` (`...Exception`, or the wire code if unmodelled). */
async function errorName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return (err as { name?: string }).name ?? 'Error';
  }
  return 'no error';
}

const tag = (Key: string, Value: string) => ({ Key, Value });
const OWNER_TAGS = [
  tag('ecs-gitops:managed-by', 'ecs-gitops'),
  tag('ecs-gitops:owner', 'contract'),
  tag('ecs-gitops:cluster', 'ct'),
];
const hosts = (...values: string[]): RuleCondition[] => [
  { Field: 'host-header', HostHeaderConfig: { Values: values } },
];
const forward = (arn: string) => [{ Type: 'forward' as const, TargetGroupArn: arn }];
const ok200 = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200' } }];

/** Target group ARNs a rule's actions forward to. */
function forwardsTo(
  actions:
    | { TargetGroupArn?: string; ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string }[] } }[]
    | undefined,
) {
  const out = new Set<string>();
  for (const a of actions ?? []) {
    if (a.TargetGroupArn) out.add(a.TargetGroupArn);
    for (const t of a.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) out.add(t.TargetGroupArn);
  }
  return [...out];
}

export function describeElbv2Contract(
  backend: string,
  setup: () => Promise<Elbv2ContractEnv>,
  differences: Elbv2Differences = {},
): void {
  const d = differences;
  const maxTags = d.maxTagsPerResource ?? 50;

  async function createGroup(
    env: Elbv2ContractEnv,
    name: string,
    extra: Partial<CreateTargetGroupInput> = {},
  ) {
    const out = await env.elbv2.createTargetGroup({
      Name: name,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: env.vpcId,
      TargetType: 'instance',
      ...extra,
    });
    const tg = out.TargetGroups?.[0];
    expect(tg?.TargetGroupArn).toBeTruthy();
    return tg as TargetGroup & { TargetGroupArn: string };
  }

  async function createHostRule(
    env: Elbv2ContractEnv,
    priority: number,
    values: string[],
    targetGroupArn?: string,
  ) {
    const out = await env.elbv2.createRule({
      ListenerArn: env.listenerArn,
      Priority: priority,
      Conditions: hosts(...values),
      Actions: targetGroupArn ? forward(targetGroupArn) : ok200,
    });
    const arn = out.Rules?.[0]?.RuleArn;
    expect(arn).toBeTruthy();
    return arn as string;
  }

  async function loadBalancerArnsOf(env: Elbv2ContractEnv, arn: string) {
    const out = await env.elbv2.describeTargetGroups({ TargetGroupArns: [arn] });
    return out.TargetGroups?.[0]?.LoadBalancerArns ?? [];
  }

  async function rule(env: Elbv2ContractEnv, arn: string) {
    const out = await env.elbv2.describeRules({ RuleArns: [arn] });
    return out.Rules?.[0];
  }

  describe(`ELBv2 contract on ${backend}`, () => {
    test('target groups: created with health check and tags, described by name and ARN, attributes read and modified', async () => {
      const env = await setup();
      const tg = await createGroup(env, 'ct-web-80-aaaaaa', {
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        Matcher: { HttpCode: '200-399' },
        Tags: OWNER_TAGS,
      });
      expect(tg).toMatchObject({
        TargetGroupName: 'ct-web-80-aaaaaa',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: env.vpcId,
        TargetType: 'instance',
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 15,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        Matcher: { HttpCode: '200-399' },
      });

      const byName = await env.elbv2.describeTargetGroups({ Names: ['ct-web-80-aaaaaa'] });
      expect(byName.TargetGroups?.map((g) => g.TargetGroupArn)).toEqual([tg.TargetGroupArn]);
      const byArn = await env.elbv2.describeTargetGroups({ TargetGroupArns: [tg.TargetGroupArn] });
      expect(byArn.TargetGroups?.map((g) => g.TargetGroupName)).toEqual(['ct-web-80-aaaaaa']);
      expect(await errorName(env.elbv2.describeTargetGroups({ Names: ['ct-none'] }))).toBe(
        'TargetGroupNotFoundException',
      );

      const tags = await env.elbv2.describeTags({ ResourceArns: [tg.TargetGroupArn] });
      expect(tags.TagDescriptions?.[0]?.Tags).toEqual(expect.arrayContaining(OWNER_TAGS));
      expect(tags.TagDescriptions?.[0]?.Tags).toHaveLength(OWNER_TAGS.length);

      // A new HTTP target group has AWS's defaults (values are strings).
      const attrs = async () =>
        Object.fromEntries(
          (
            (await env.elbv2.describeTargetGroupAttributes({ TargetGroupArn: tg.TargetGroupArn }))
              .Attributes ?? []
          ).map((a) => [a.Key, a.Value]),
        );
      expect(await attrs()).toMatchObject({
        'deregistration_delay.timeout_seconds': '300',
        'stickiness.enabled': 'false',
        'stickiness.type': 'lb_cookie',
        ...(d.attributeDefaultsIncomplete ? {} : { 'stickiness.lb_cookie.duration_seconds': '86400' }),
      });
      await env.elbv2.modifyTargetGroupAttributes({
        TargetGroupArn: tg.TargetGroupArn,
        Attributes: [
          tag('deregistration_delay.timeout_seconds', '30'),
          tag('stickiness.enabled', 'true'),
          tag('stickiness.lb_cookie.duration_seconds', '3600'),
        ],
      });
      expect(await attrs()).toMatchObject({
        'deregistration_delay.timeout_seconds': '30',
        'stickiness.enabled': 'true',
        'stickiness.type': 'lb_cookie',
        'stickiness.lb_cookie.duration_seconds': '3600',
      });

      await env.elbv2.modifyTargetGroup({
        TargetGroupArn: tg.TargetGroupArn,
        HealthCheckPath: '/ready',
        HealthCheckIntervalSeconds: 20,
        Matcher: { HttpCode: '200' },
      });
      expect(
        (await env.elbv2.describeTargetGroups({ TargetGroupArns: [tg.TargetGroupArn] })).TargetGroups?.[0],
      ).toMatchObject({
        HealthCheckPath: '/ready',
        HealthCheckIntervalSeconds: 20,
        Matcher: { HttpCode: '200' },
      });
    });

    test('CreateTargetGroup again: identical returns the same group; different properties are DuplicateTargetGroupName', async () => {
      const env = await setup();
      const tg = await createGroup(env, 'ct-web-80-aaaaaa');
      const again = env.elbv2.createTargetGroup({
        Name: 'ct-web-80-aaaaaa',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: env.vpcId,
        TargetType: 'instance',
      });
      if (d.identicalCreateTargetGroupFails) {
        expect(await errorName(again)).toBe('DuplicateTargetGroupNameException');
      } else {
        expect((await again).TargetGroups?.[0]?.TargetGroupArn).toBe(tg.TargetGroupArn);
      }
      expect(
        await errorName(
          env.elbv2.createTargetGroup({
            Name: 'ct-web-80-aaaaaa',
            Protocol: 'HTTP',
            Port: 8080,
            VpcId: env.vpcId,
            TargetType: 'instance',
          }),
        ),
      ).toBe('DuplicateTargetGroupNameException');
      expect(
        (await env.elbv2.describeTargetGroups({ Names: ['ct-web-80-aaaaaa'] })).TargetGroups,
      ).toHaveLength(1);
    });

    test('rules: a host rule with tags forwards to its group; priorities are unique; pages; limits', async () => {
      const env = await setup();
      const tg = await createGroup(env, 'ct-web-80-aaaaaa');
      const five = ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com', 'e.example.com'];
      const created = await env.elbv2.createRule({
        ListenerArn: env.listenerArn,
        Priority: 10,
        Conditions: hosts(...five),
        Actions: forward(tg.TargetGroupArn),
        Tags: OWNER_TAGS,
      });
      const arn = created.Rules?.[0]?.RuleArn ?? '';
      expect(created.Rules?.[0]).toMatchObject({ Priority: '10', IsDefault: false });

      const read = await rule(env, arn);
      expect(read?.Priority).toBe('10');
      const hostCondition = read?.Conditions?.find((c) => c.Field === 'host-header');
      expect(hostCondition?.HostHeaderConfig?.Values).toEqual(five);
      if (!d.legacyValuesNotFilled) expect(hostCondition?.Values).toEqual(five);
      expect(forwardsTo(read?.Actions)).toEqual([tg.TargetGroupArn]);
      expect((await env.elbv2.describeTags({ ResourceArns: [arn] })).TagDescriptions?.[0]?.Tags).toEqual(
        expect.arrayContaining(OWNER_TAGS),
      );
      // A group that a rule forwards to lists the rule's balancer.
      expect(await loadBalancerArnsOf(env, tg.TargetGroupArn)).toEqual([env.loadBalancerArn]);

      expect(await errorName(createHostRule(env, 10, ['other.example.com']))).toBe('PriorityInUseException');
      if (!d.ruleLimitsUnchecked) {
        expect(await errorName(createHostRule(env, 11, [...five, 'f.example.com']))).toBe('ValidationError');
        expect(await errorName(createHostRule(env, 0, ['zero.example.com']))).toBe('ValidationError');
        expect(await errorName(createHostRule(env, 50001, ['big.example.com']))).toBe('ValidationError');
      }

      for (let p = 11; p <= 14; p++) await createHostRule(env, p, [`r${p}.example.com`]);
      // 5 rules and the default one, 2 per page: 3 pages.
      const pages: string[][] = [];
      let marker: string | undefined;
      do {
        const page = await env.elbv2.describeRules({
          ListenerArn: env.listenerArn,
          PageSize: 2,
          ...(marker ? { Marker: marker } : {}),
        });
        pages.push((page.Rules ?? []).map((r) => r.Priority ?? ''));
        marker = page.NextMarker || undefined;
      } while (marker);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
      expect(pages.flat().sort()).toEqual(['10', '11', '12', '13', '14', 'default']);
    });

    test('ModifyRule changes hosts and target in place; SetRulePriorities moves and swaps', async () => {
      const env = await setup();
      const a = await createGroup(env, 'ct-a-80-aaaaaa');
      const b = await createGroup(env, 'ct-b-80-bbbbbb');
      const r1 = await createHostRule(env, 10, ['one.example.com'], a.TargetGroupArn);
      const r2 = await createHostRule(env, 11, ['two.example.com']);

      await env.elbv2.modifyRule({
        RuleArn: r1,
        Conditions: hosts('one.example.com', 'uno.example.com'),
        Actions: forward(b.TargetGroupArn),
      });
      const modified = await rule(env, r1);
      expect(modified?.Priority).toBe('10');
      expect(modified?.Conditions?.[0]?.HostHeaderConfig?.Values).toEqual([
        'one.example.com',
        'uno.example.com',
      ]);
      expect(forwardsTo(modified?.Actions)).toEqual([b.TargetGroupArn]);
      if (!d.loadBalancerArnsStale) {
        expect(await loadBalancerArnsOf(env, b.TargetGroupArn)).toEqual([env.loadBalancerArn]);
        expect(await loadBalancerArnsOf(env, a.TargetGroupArn)).toEqual([]);
      }

      await env.elbv2.setRulePriorities({ RulePriorities: [{ RuleArn: r1, Priority: 20 }] });
      expect((await rule(env, r1))?.Priority).toBe('20');
      expect(
        await errorName(env.elbv2.setRulePriorities({ RulePriorities: [{ RuleArn: r1, Priority: 11 }] })),
      ).toBe('PriorityInUseException');
      const swap = env.elbv2.setRulePriorities({
        RulePriorities: [
          { RuleArn: r1, Priority: 11 },
          { RuleArn: r2, Priority: 20 },
        ],
      });
      if (d.prioritySwapRefused) {
        expect(await errorName(swap)).toBe('PriorityInUseException');
      } else {
        await swap;
        expect([(await rule(env, r1))?.Priority, (await rule(env, r2))?.Priority]).toEqual(['11', '20']);
      }
    });

    test('removal: a group in use is ResourceInUse; the rule goes first, then the group', async () => {
      const env = await setup();
      const tg = await createGroup(env, 'ct-web-80-aaaaaa', { Tags: OWNER_TAGS });
      const r = await createHostRule(env, 10, ['web.example.com'], tg.TargetGroupArn);

      expect(await errorName(env.elbv2.deleteTargetGroup({ TargetGroupArn: tg.TargetGroupArn }))).toBe(
        'ResourceInUseException',
      );
      await env.elbv2.deleteRule({ RuleArn: r });
      expect(await errorName(env.elbv2.describeRules({ RuleArns: [r] }))).toBe('RuleNotFoundException');
      // Detached: still listed in full, no longer forwarding from the balancer.
      const all = await env.elbv2.describeTargetGroups({});
      expect(all.TargetGroups?.map((g) => g.TargetGroupArn)).toContain(tg.TargetGroupArn);
      if (!d.loadBalancerArnsStale) expect(await loadBalancerArnsOf(env, tg.TargetGroupArn)).toEqual([]);

      await env.elbv2.deleteTargetGroup({ TargetGroupArn: tg.TargetGroupArn });
      expect(await errorName(env.elbv2.describeTargetGroups({ TargetGroupArns: [tg.TargetGroupArn] }))).toBe(
        'TargetGroupNotFoundException',
      );
      // Deleting it again: AWS documents no NotFound error for DeleteTargetGroup (only ResourceInUse).
      expect(await errorName(env.elbv2.deleteTargetGroup({ TargetGroupArn: tg.TargetGroupArn }))).toBe(
        d.deleteUnknownTargetGroupFails ? 'TargetGroupNotFoundException' : 'no error',
      );
      if (!d.deleteUnknownRuleSucceeds) {
        expect(await errorName(env.elbv2.deleteRule({ RuleArn: r }))).toBe('RuleNotFoundException');
      }
      if (!d.tagsOutliveResources) {
        expect(await errorName(env.elbv2.describeTags({ ResourceArns: [tg.TargetGroupArn] }))).toBe(
          'TargetGroupNotFoundException',
        );
      }
    });

    test('tags: added, overwritten, removed; the per-resource limit; 20 ARNs per DescribeTags', async () => {
      const env = await setup();
      const tg = await createGroup(env, 'ct-web-80-aaaaaa');
      const arn = tg.TargetGroupArn;
      const read = async () =>
        Object.fromEntries(
          ((await env.elbv2.describeTags({ ResourceArns: [arn] })).TagDescriptions?.[0]?.Tags ?? []).map(
            (t) => [t.Key, t.Value],
          ),
        );
      await env.elbv2.addTags({ ResourceArns: [arn], Tags: [tag('a', '1'), tag('b', '2')] });
      await env.elbv2.addTags({ ResourceArns: [arn], Tags: [tag('a', 'one')] });
      expect(await read()).toEqual({ a: 'one', b: '2' });
      await env.elbv2.removeTags({ ResourceArns: [arn], TagKeys: ['b'] });
      expect(await read()).toEqual({ a: 'one' });

      // One tag per call, as tag drift adds them (a backend may count only the tags a resource had).
      for (let i = 1; i < maxTags; i++)
        await env.elbv2.addTags({ ResourceArns: [arn], Tags: [tag(`k${i}`, 'v')] });
      expect(Object.keys(await read())).toHaveLength(maxTags);
      expect(await errorName(env.elbv2.addTags({ ResourceArns: [arn], Tags: [tag('one-more', 'v')] }))).toBe(
        'TooManyTagsException',
      );

      const groups = [arn];
      for (let i = 1; i <= 20; i++)
        groups.push((await createGroup(env, `ct-g${i}-80-aaaaaa`)).TargetGroupArn);
      const twenty = await env.elbv2.describeTags({ ResourceArns: groups.slice(0, 20) });
      expect(twenty.TagDescriptions).toHaveLength(20);
      if (!d.describeTagsUnlimited) {
        expect(await errorName(env.elbv2.describeTags({ ResourceArns: groups }))).toBe('ValidationError');
      }
    });

    test('balancers, listeners and target groups: unknown balancer, listener per port, pages', async () => {
      const env = await setup();
      expect(await errorName(env.elbv2.describeLoadBalancers({ Names: ['ct-none'] }))).toBe(
        'LoadBalancerNotFoundException',
      );
      const lb = await env.elbv2.describeLoadBalancers({ LoadBalancerArns: [env.loadBalancerArn] });
      expect(lb.LoadBalancers?.[0]).toMatchObject({ Type: 'application', VpcId: env.vpcId });

      await env.elbv2.createListener({
        LoadBalancerArn: env.loadBalancerArn,
        Protocol: 'HTTP',
        Port: 8080,
        DefaultActions: ok200,
      });
      if (!d.duplicateListenerPortAccepted) {
        expect(
          await errorName(
            env.elbv2.createListener({
              LoadBalancerArn: env.loadBalancerArn,
              Protocol: 'HTTP',
              Port: 80,
              DefaultActions: ok200,
            }),
          ),
        ).toBe('DuplicateListenerException');
      }
      const listeners = await env.elbv2.describeListeners({
        LoadBalancerArn: env.loadBalancerArn,
        PageSize: 1,
      });
      await createGroup(env, 'ct-a-80-aaaaaa');
      await createGroup(env, 'ct-b-80-bbbbbb');
      const groups = await env.elbv2.describeTargetGroups({ PageSize: 1 });
      if (d.pageSizeIgnored) {
        expect(listeners.Listeners?.map((l) => l.Port).sort()).toEqual([80, 8080]);
        expect(groups.TargetGroups).toHaveLength(2);
      } else {
        expect(listeners.Listeners).toHaveLength(1);
        expect(listeners.NextMarker).toBeTruthy();
        const rest = await env.elbv2.describeListeners({
          LoadBalancerArn: env.loadBalancerArn,
          PageSize: 1,
          Marker: listeners.NextMarker,
        });
        expect([...(listeners.Listeners ?? []), ...(rest.Listeners ?? [])].map((l) => l.Port).sort()).toEqual(
          [80, 8080],
        );
        expect(groups.TargetGroups).toHaveLength(1);
        expect(groups.NextMarker).toBeTruthy();
      }
    });
  });
}
