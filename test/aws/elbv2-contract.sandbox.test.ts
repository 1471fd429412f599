/**
 * The ELBv2 port contract (test/aws/elbv2-contract.ts) on the strict sandbox, with no differences
 * declared: the sandbox behaves as AWS documents every step (moto's run names its differences).
 */
import { describeElbv2Contract } from './elbv2-contract';
import { newElbv2, SUBNETS } from '../helpers/sandbox-elbv2';

describeElbv2Contract('sandbox', async () => {
  const { elbv2 } = newElbv2();
  const lb = (await elbv2.createLoadBalancer({ Name: 'contract', Subnets: SUBNETS })).LoadBalancers?.[0];
  const listener = (
    await elbv2.createListener({
      LoadBalancerArn: lb?.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    })
  ).Listeners?.[0];
  return {
    elbv2,
    vpcId: lb?.VpcId ?? '',
    loadBalancerArn: lb?.LoadBalancerArn ?? '',
    listenerArn: listener?.ListenerArn ?? '',
  };
});
