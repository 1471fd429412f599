import { arnRef, fillRefs, refsIn, vpcRef } from '../../controller/plan/lb-refs';

describe('references to what earlier actions made', () => {
  test('action ids with every character they hold (/ : @ #) are found and filled', () => {
    const step = {
      ListenerArn: arnRef('listener/shop:80'),
      Actions: [{ TargetGroupArn: arnRef('targetGroup/shop-web-80-abc123') }],
      VpcId: vpcRef('loadBalancer/shop'),
      Note: arnRef('listenerRule/web/web/80@80#1'),
    };
    expect(refsIn(step).sort()).toEqual([
      'listener/shop:80',
      'listenerRule/web/web/80@80#1',
      'loadBalancer/shop',
      'targetGroup/shop-web-80-abc123',
    ]);
    const arns = new Map([
      ['listener/shop:80', 'arn:listener'],
      ['targetGroup/shop-web-80-abc123', 'arn:tg'],
      ['listenerRule/web/web/80@80#1', 'arn:rule'],
    ]);
    expect(
      fillRefs(step, {
        arn: (id) => arns.get(id),
        vpc: (id) => (id === 'loadBalancer/shop' ? 'vpc-1' : undefined),
      }),
    ).toEqual({
      ListenerArn: 'arn:listener',
      Actions: [{ TargetGroupArn: 'arn:tg' }],
      VpcId: 'vpc-1',
      Note: 'arn:rule',
    });
  });

  test('a reference without a value is a planner bug: it throws rather than send the placeholder', () => {
    expect(() =>
      fillRefs({ a: arnRef('listener/shop:80') }, { arn: () => undefined, vpc: () => undefined }),
    ).toThrow('internal: no ARN from listener/shop:80');
  });
});
