/**
 * The strict ELBv2 sandbox's listener rules: priorities, host-header conditions and their limits,
 * the default rule, SetRulePriorities' atomicity, DescribeRules' pages, the 100 rules of a
 * balancer. (Balancers, listeners, target groups, tags: sandbox-elbv2.test.ts.)
 */
import { expectAwsError } from '../helpers/sandbox';
import { albWithListener, forwardTo, hostCondition, newElbv2 } from '../helpers/sandbox-elbv2';

async function setup() {
  const { elbv2 } = newElbv2();
  const ids = await albWithListener(elbv2);
  const rule = (Priority: number, conditions: object[] = hostCondition(`p${Priority}.example.com`)) =>
    elbv2.createRule({
      ListenerArn: ids.listenerArn,
      Priority,
      Conditions: conditions,
      Actions: forwardTo(ids.tgArn),
    });
  return { elbv2, ...ids, rule };
}

describe('SandboxElbv2 rules', () => {
  test('CreateRule keeps host-header values in both forms; the target group now serves the balancer', async () => {
    const { elbv2, rule, lbArn, tgArn } = await setup();
    const created = (await rule(10, hostCondition('A.example.com', '*.example.org'))).Rules?.[0];
    expect(created).toEqual({
      RuleArn: expect.stringMatching(
        /^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule\/app\/shared\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
      ),
      Priority: '10',
      Conditions: [
        {
          Field: 'host-header',
          Values: ['A.example.com', '*.example.org'],
          HostHeaderConfig: { Values: ['A.example.com', '*.example.org'] },
        },
      ],
      Actions: [
        {
          Type: 'forward',
          TargetGroupArn: tgArn,
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1 }],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
      ],
      IsDefault: false,
    });
    const tg = (await elbv2.describeTargetGroups({ TargetGroupArns: [tgArn] })).TargetGroups?.[0];
    expect(tg?.LoadBalancerArns).toEqual([lbArn]);
  });

  test('priorities are 1-50000 and unique per listener: PriorityInUse', async () => {
    const { rule } = await setup();
    await rule(1);
    await rule(50000);
    await expectAwsError(rule(1, hostCondition('other.example.com')), 'PriorityInUseException');
    await expectAwsError(rule(0), 'ValidationError');
    await expectAwsError(rule(50001), 'ValidationError');
  });

  test('conditions: at least one, 5 values per rule in all, legacy Values hold one, host names checked', async () => {
    const { rule } = await setup();
    const five = ['a', 'b', 'c', 'd', 'e'].map((h) => `${h}.example.com`);
    await rule(1, hostCondition(...five));
    await expectAwsError(
      rule(2, hostCondition(...five, 'f.example.com')),
      'ValidationError',
      "A rule can only have '5' condition values",
    );
    // The limit counts the values of every condition of the rule.
    await expectAwsError(
      rule(3, [
        ...hostCondition(...five.slice(0, 4)),
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/a', '/b'] } },
      ]),
      'ValidationError',
      /'5' condition values/,
    );
    await expectAwsError(rule(4, []), 'ValidationError');
    await expectAwsError(
      rule(5, [{ Field: 'host-header', Values: ['a.example.com', 'b.example.com'] }]),
      'ValidationError',
      /limit is '1'/,
    );
    await expectAwsError(
      rule(6, [
        { Field: 'host-header', Values: ['a.example.com'], HostHeaderConfig: { Values: ['a.example.com'] } },
      ]),
      'ValidationError',
    );
    await expectAwsError(
      rule(7, [...hostCondition('a.example.com'), ...hostCondition('b.example.com')]),
      'ValidationError',
    );
    await expectAwsError(rule(8, hostCondition(`${'a'.repeat(120)}.example.com`)), 'ValidationError');
    await expectAwsError(rule(9, hostCondition('under_score.example.com')), 'ValidationError');
    await expectAwsError(rule(10, hostCondition('localhost')), 'ValidationError');
    await expectAwsError(rule(11, [{ Field: 'cookie', Values: ['x'] }]), 'ValidationError');
    await expectAwsError(
      rule(12, [{ Field: 'host-header', HostHeaderConfig: { Values: [] } }]),
      'ValidationError',
    );
    await expect(rule(13, [{ Field: 'host-header', Values: ['legacy.example.com'] }])).resolves.toBeDefined();
    await expect(rule(14, hostCondition('*.example.com', 'app-?.example.net'))).resolves.toBeDefined();
  });

  test('DescribeRules: by listener, by priority with the default rule last; by ARNs; pages of at most 400', async () => {
    const { elbv2, rule, listenerArn } = await setup();
    for (const p of [30, 10, 20]) await rule(p);
    const all = (await elbv2.describeRules({ ListenerArn: listenerArn })).Rules ?? [];
    expect(all.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['20', false],
      ['30', false],
      ['default', true],
    ]);
    expect(all[3]).toMatchObject({
      Conditions: [],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
    const first = await elbv2.describeRules({ ListenerArn: listenerArn, PageSize: 3 });
    expect(first.Rules?.map((r) => r.Priority)).toEqual(['10', '20', '30']);
    const second = await elbv2.describeRules({
      ListenerArn: listenerArn,
      PageSize: 3,
      Marker: first.NextMarker,
    });
    expect(second.Rules?.map((r) => r.Priority)).toEqual(['default']);
    expect(second.NextMarker).toBeUndefined();
    await expectAwsError(elbv2.describeRules({ ListenerArn: listenerArn, PageSize: 401 }), 'ValidationError');
    await expectAwsError(elbv2.describeRules({}), 'ValidationError');
    const byArn = await elbv2.describeRules({ RuleArns: [all[3].RuleArn ?? '', all[1].RuleArn ?? ''] });
    expect(byArn.Rules?.map((r) => r.Priority)).toEqual(['default', '20']);
    await expectAwsError(
      elbv2.describeRules({ RuleArns: [`${all[0].RuleArn ?? ''}0`] }),
      'RuleNotFoundException',
    );
    await expectAwsError(
      elbv2.describeRules({ ListenerArn: `${listenerArn}0` }),
      'ListenerNotFoundException',
    );
  });

  test('ModifyRule changes conditions and/or actions; the default rule takes actions only', async () => {
    const { elbv2, rule, listenerArn, tgArn } = await setup();
    const arn = (await rule(1)).Rules?.[0].RuleArn ?? '';
    const modified = await elbv2.modifyRule({
      RuleArn: arn,
      Conditions: hostCondition('b.example.com', 'c.example.com'),
    });
    expect(modified.Rules?.[0].Conditions?.[0].HostHeaderConfig?.Values).toEqual([
      'b.example.com',
      'c.example.com',
    ]);
    expect(modified.Rules?.[0].Actions?.[0].TargetGroupArn).toBe(tgArn);
    await expectAwsError(elbv2.modifyRule({ RuleArn: arn }), 'ValidationError');
    await expectAwsError(
      elbv2.modifyRule({
        RuleArn: arn,
        Conditions: hostCondition(
          '1.example.com',
          '2.example.com',
          '3.example.com',
          '4.example.com',
          '5.example.com',
          '6.example.com',
        ),
      }),
      'ValidationError',
    );
    const fallback =
      (await elbv2.describeRules({ ListenerArn: listenerArn })).Rules?.find((r) => r.IsDefault)?.RuleArn ??
      '';
    await elbv2.modifyRule({ RuleArn: fallback, Actions: forwardTo(tgArn) });
    const listener = (await elbv2.describeListeners({ ListenerArns: [listenerArn] })).Listeners?.[0];
    expect(listener?.DefaultActions?.[0].TargetGroupArn).toBe(tgArn);
    await expectAwsError(
      elbv2.modifyRule({ RuleArn: fallback, Conditions: hostCondition('a.example.com') }),
      'OperationNotPermittedException',
    );
    await expectAwsError(
      elbv2.modifyRule({ RuleArn: `${arn}0`, Actions: forwardTo(tgArn) }),
      'RuleNotFoundException',
    );
  });

  test('SetRulePriorities is atomic: a clash changes nothing; swapping two rules works; the default rule is refused', async () => {
    const { elbv2, rule, listenerArn } = await setup();
    const a = (await rule(1)).Rules?.[0].RuleArn ?? '';
    const b = (await rule(2)).Rules?.[0].RuleArn ?? '';
    const c = (await rule(3)).Rules?.[0].RuleArn ?? '';
    const priorities = async () =>
      ((await elbv2.describeRules({ ListenerArn: listenerArn })).Rules ?? []).map((r) => [
        r.RuleArn,
        r.Priority,
      ]);
    const before = await priorities();
    await expectAwsError(
      elbv2.setRulePriorities({
        RulePriorities: [
          { RuleArn: a, Priority: 10 },
          { RuleArn: b, Priority: 3 },
        ],
      }),
      'PriorityInUseException',
    );
    expect(await priorities()).toEqual(before);
    await expectAwsError(
      elbv2.setRulePriorities({
        RulePriorities: [
          { RuleArn: a, Priority: 7 },
          { RuleArn: b, Priority: 7 },
        ],
      }),
      'ValidationError',
    );
    const swapped = await elbv2.setRulePriorities({
      RulePriorities: [
        { RuleArn: a, Priority: 2 },
        { RuleArn: b, Priority: 1 },
      ],
    });
    expect(swapped.Rules?.map((r) => [r.RuleArn, r.Priority])).toEqual([
      [a, '2'],
      [b, '1'],
    ]);
    expect((await priorities()).slice(0, 3)).toEqual([
      [b, '1'],
      [a, '2'],
      [c, '3'],
    ]);
    const fallback =
      (await elbv2.describeRules({ ListenerArn: listenerArn })).Rules?.find((r) => r.IsDefault)?.RuleArn ??
      '';
    await expectAwsError(
      elbv2.setRulePriorities({ RulePriorities: [{ RuleArn: fallback, Priority: 9 }] }),
      'OperationNotPermittedException',
    );
    await expectAwsError(
      elbv2.setRulePriorities({ RulePriorities: [{ RuleArn: `${a}0`, Priority: 9 }] }),
      'RuleNotFoundException',
    );
  });

  test('DeleteRule: the default rule cannot be deleted; a missing rule is RuleNotFound', async () => {
    const { elbv2, rule, listenerArn } = await setup();
    const arn = (await rule(1)).Rules?.[0].RuleArn ?? '';
    const fallback =
      (await elbv2.describeRules({ ListenerArn: listenerArn })).Rules?.find((r) => r.IsDefault)?.RuleArn ??
      '';
    await expectAwsError(elbv2.deleteRule({ RuleArn: fallback }), 'OperationNotPermittedException');
    await elbv2.deleteRule({ RuleArn: arn });
    await expectAwsError(elbv2.deleteRule({ RuleArn: arn }), 'RuleNotFoundException');
    expect((await elbv2.describeRules({ ListenerArn: listenerArn })).Rules?.map((r) => r.Priority)).toEqual([
      'default',
    ]);
  });

  test('a balancer holds 100 rules besides the default ones, across its listeners: TooManyRules', async () => {
    const { elbv2, rule, lbArn, tgArn } = await setup();
    for (let p = 1; p <= 99; p++) await rule(p);
    const second = (
      await elbv2.createListener({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 8080,
        DefaultActions: forwardTo(tgArn),
      })
    ).Listeners?.[0].ListenerArn;
    await elbv2.createRule({
      ListenerArn: second,
      Priority: 1,
      Conditions: hostCondition('x.example.com'),
      Actions: forwardTo(tgArn),
    });
    await expectAwsError(rule(100), 'TooManyRulesException');
    await expectAwsError(
      elbv2.createRule({
        ListenerArn: second,
        Priority: 2,
        Conditions: hostCondition('y.example.com'),
        Actions: forwardTo(tgArn),
      }),
      'TooManyRulesException',
    );
  });
});
