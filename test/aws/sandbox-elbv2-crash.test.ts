/**
 * The crash helpers reach ELBv2 writes: ELBv2's mutating operations are in MUTATING_OPERATIONS, so
 * test/helpers/fault-ports.ts can kill a run, or lose a reply, after any of them. A create retried
 * after a lost reply finds what the first one made (ELBv2's idempotent creates), never a second.
 */
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import { crashingAccount, LostReplyError } from '../helpers/fault-ports';
import { newSandboxAccount } from '../helpers/sandbox';
import { forwardTo, hostCondition, SUBNETS, tgInput } from '../helpers/sandbox-elbv2';

const WRITES = [
  'CreateLoadBalancer',
  'DeleteLoadBalancer',
  'SetSecurityGroups',
  'SetSubnets',
  'CreateListener',
  'ModifyListener',
  'DeleteListener',
  'CreateTargetGroup',
  'ModifyTargetGroup',
  'DeleteTargetGroup',
  'ModifyTargetGroupAttributes',
  'CreateRule',
  'ModifyRule',
  'SetRulePriorities',
  'DeleteRule',
  'AddTags',
  'RemoveTags',
];

test('every ELBv2 write is a mutating operation, no read is', () => {
  expect(WRITES.filter((op) => !MUTATING_OPERATIONS.has(op))).toEqual([]);
  for (const read of [
    'DescribeLoadBalancers',
    'DescribeListeners',
    'DescribeTargetGroups',
    'DescribeRules',
    'DescribeTags',
    'DescribeTargetGroupAttributes',
  ]) {
    expect([read, MUTATING_OPERATIONS.has(read)]).toEqual([read, false]);
  }
});

test('a lost reply after CreateTargetGroup: the retry gets the same target group', async () => {
  const account = newSandboxAccount();
  const { ports, crashed } = crashingAccount(account, { k: 2, mode: 'lostReply' });
  await ports.elbv2.createLoadBalancer({ Name: 'shared', Subnets: SUBNETS });
  await expect(ports.elbv2.createTargetGroup(tgInput('web'))).rejects.toBeInstanceOf(LostReplyError);
  await expect(crashed).resolves.toBe('ELBv2.CreateTargetGroup');
  const retried = await ports.elbv2.createTargetGroup(tgInput('web'));
  const all = await account.elbv2.describeTargetGroups({});
  expect(all.TargetGroups?.map((t) => t.TargetGroupArn)).toEqual([retried.TargetGroups?.[0].TargetGroupArn]);
});

test('a kill after CreateRule: the rule exists, the run never hears back', async () => {
  const account = newSandboxAccount();
  const lb = (await account.elbv2.createLoadBalancer({ Name: 'shared', Subnets: SUBNETS }))
    .LoadBalancers?.[0];
  const tg = (await account.elbv2.createTargetGroup(tgInput('web'))).TargetGroups?.[0].TargetGroupArn ?? '';
  const listener = (
    await account.elbv2.createListener({
      LoadBalancerArn: lb?.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: forwardTo(tg),
    })
  ).Listeners?.[0].ListenerArn;
  const { ports, crashed } = crashingAccount(account, { k: 1, mode: 'kill' });
  const pending = ports.elbv2.createRule({
    ListenerArn: listener,
    Priority: 1,
    Conditions: hostCondition('a.example.com'),
    Actions: forwardTo(tg),
  });
  await expect(crashed).resolves.toBe('ELBv2.CreateRule');
  const settled = await Promise.race([
    pending.then(() => 'answered'),
    new Promise((r) => setTimeout(() => r('silent'), 50)),
  ]);
  expect(settled).toBe('silent');
  const rules = await account.elbv2.describeRules({ ListenerArn: listener });
  expect(rules.Rules?.map((r) => r.Priority)).toEqual(['1', 'default']);
});
