/**
 * The ELBv2 creates are safe to repeat after a lost answer: the second attempt finds what the first
 * made, by its tags, and never makes a second one; what is not ours is never taken.
 */
import { DuplicateTargetGroupNameException } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Elbv2Port } from '../../controller/aws/elbv2-port';
import { BalancerVpcs, resolveRefs, runElbStep } from '../../controller/reconcile/elbv2-steps';
import { vpcRef } from '../../controller/plan/lb-refs';
import type { Step } from '../../controller/plan/plan-types';
import {
  albWithListener,
  forwardTo,
  hostCondition,
  newElbv2,
  SUBNETS,
  tgInput,
} from '../helpers/sandbox-elbv2';

const OURS = [
  { Key: 'ecs-gitops:managed-by', Value: 'ecs-gitops' },
  { Key: 'ecs-gitops:owner', Value: 'demo' },
  { Key: 'ecs-gitops:cluster', Value: 'demo' },
];

/** moto's answer to an identical second CreateTargetGroup (AWS returns the first group). */
function motoLike(elbv2: Elbv2Port): Elbv2Port {
  return new Proxy(elbv2, {
    get(target, prop, receiver) {
      if (prop !== 'createTargetGroup') return Reflect.get(target, prop, receiver) as unknown;
      return async (input: Parameters<Elbv2Port['createTargetGroup']>[0]) => {
        const all = await target.describeTargetGroups({});
        if (all.TargetGroups?.some((g) => g.TargetGroupName === input.Name)) {
          throw new DuplicateTargetGroupNameException({
            message: 'A target group with the same name exists',
            $metadata: {},
          });
        }
        return target.createTargetGroup(input);
      };
    },
  });
}

describe('ELBv2 creates after a lost answer', () => {
  test('a repeated CreateTargetGroup answered "duplicate" uses the group of that name when it is ours', async () => {
    const { elbv2 } = newElbv2();
    const port = motoLike(elbv2);
    const step: Step = {
      call: 'createTargetGroup',
      input: tgInput('demo-web-80-abc123', {
        Tags: [...OURS, { Key: 'ecs-gitops:target', Value: 'web/web/80' }],
      }),
      attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
    };
    const first = await runElbStep(step, port);
    const again = await runElbStep(step, port);
    expect(again.arn).toBe(first.arn);
    expect((await elbv2.describeTargetGroups({})).TargetGroups).toHaveLength(1);
  });

  test('a group of that name that is not ours is never taken', async () => {
    const { elbv2 } = newElbv2();
    const port = motoLike(elbv2);
    await elbv2.createTargetGroup(tgInput('demo-web-80-abc123'));
    const step: Step = {
      call: 'createTargetGroup',
      input: tgInput('demo-web-80-abc123', { Tags: OURS }),
      attributes: [],
    };
    await expect(runElbStep(step, port)).rejects.toThrow(DuplicateTargetGroupNameException);
  });

  test('a repeated CreateRule finds its own rule at its priority; a foreign rule there is an error', async () => {
    const { elbv2 } = newElbv2();
    const { listenerArn, tgArn } = await albWithListener(elbv2);
    const route = { Key: 'ecs-gitops:route', Value: 'web/web/80@80#0' };
    const step: Step = {
      call: 'createRule',
      input: {
        ListenerArn: listenerArn,
        Priority: 2,
        Conditions: hostCondition('www.example.com'),
        Actions: forwardTo(tgArn),
        Tags: [...OURS, route],
      },
    };
    const first = await runElbStep(step, elbv2);
    const again = await runElbStep(step, elbv2);
    expect(again.arn).toBe(first.arn);
    const rules = (await elbv2.describeRules({ ListenerArn: listenerArn })).Rules ?? [];
    expect(rules.filter((r) => !r.IsDefault)).toHaveLength(1);

    await elbv2.createRule({
      ListenerArn: listenerArn,
      Priority: 3,
      Conditions: hostCondition('x.example.com'),
      Actions: forwardTo(tgArn),
    });
    const clash: Step = { ...step, input: { ...step.input, Priority: 3 } };
    await expect(runElbStep(clash, elbv2)).rejects.toThrow(/PriorityInUse|priority/i);
  });
});

describe("a new balancer's VPC, for the target groups created in it", () => {
  test('one DescribeLoadBalancers per balancer, however many creates ask at once', async () => {
    const { elbv2, calls } = newElbv2();
    const lb = (await elbv2.createLoadBalancer({ Name: 'demo', Subnets: SUBNETS })).LoadBalancers?.[0];
    calls.reset();
    const vpcs = new BalancerVpcs(elbv2);
    const arns = new Map([['loadBalancer/demo', lb?.LoadBalancerArn ?? '']]);
    const inputs = ['a', 'b', 'c'].map((n) => tgInput(n, { VpcId: vpcRef('loadBalancer/demo') }));
    const filled = await Promise.all(inputs.map((i) => resolveRefs(i, arns, vpcs)));
    expect(filled.map((i) => i.VpcId)).toEqual([lb?.VpcId, lb?.VpcId, lb?.VpcId]);
    expect(calls.snapshot()).toEqual({ 'ELBv2.DescribeLoadBalancers': 1 });
  });

  test('a read that failed is asked again by the next create', async () => {
    const describeLoadBalancers = jest
      .fn()
      .mockRejectedValueOnce(new Error('Throttling'))
      .mockResolvedValue({ LoadBalancers: [{ VpcId: 'vpc-1' }] });
    const vpcs = new BalancerVpcs({ describeLoadBalancers });
    await expect(vpcs.of('arn:lb')).rejects.toThrow('Throttling');
    await expect(vpcs.of('arn:lb')).resolves.toBe('vpc-1');
    await expect(vpcs.of('arn:lb')).resolves.toBe('vpc-1');
    expect(describeLoadBalancers).toHaveBeenCalledTimes(2);
  });
});
