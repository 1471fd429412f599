import { arnRef, fillRefs, refsIn, vpcRef } from '../../controller/plan/lb-refs';

describe('references to what an earlier action made', () => {
  const arns = new Map([
    ['loadBalancer/demo', 'arn:lb'],
    ['listener/demo:80', 'arn:listener-80'],
    ['targetGroup/demo-web-80-3f9a1c', 'arn:tg'],
  ]);
  const values = {
    arn: (id: string) => arns.get(id),
    vpc: (id: string) => (id === 'loadBalancer/demo' ? 'vpc-1' : undefined),
  };

  test('a listener id holds a colon (its port): the whole id is the reference', () => {
    const input = {
      ListenerArn: arnRef('listener/demo:80'),
      Actions: [{ TargetGroupArn: arnRef('targetGroup/demo-web-80-3f9a1c') }],
    };
    expect(refsIn(input).sort()).toEqual(['listener/demo:80', 'targetGroup/demo-web-80-3f9a1c']);
    expect(fillRefs(input, values)).toEqual({
      ListenerArn: 'arn:listener-80',
      Actions: [{ TargetGroupArn: 'arn:tg' }],
    });
  });

  test("a final :vpc asks for the balancer's VPC", () => {
    const input = { VpcId: vpcRef('loadBalancer/demo'), LoadBalancerArn: arnRef('loadBalancer/demo') };
    expect(refsIn(input)).toEqual(['loadBalancer/demo']);
    expect(fillRefs(input, values)).toEqual({ VpcId: 'vpc-1', LoadBalancerArn: 'arn:lb' });
  });

  test('a reference with no value is a planner bug: it throws', () => {
    expect(() => fillRefs({ ListenerArn: arnRef('listener/demo:443') }, values)).toThrow(
      'internal: no ARN from listener/demo:443',
    );
  });
});
