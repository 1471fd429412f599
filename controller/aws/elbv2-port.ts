import type {
  DescribeLoadBalancersInput,
  DescribeLoadBalancersOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** The narrow ELBv2 port: what the DNS target `loadBalancer` needs (its DNS name and zone). */
export interface Elbv2Port {
  describeLoadBalancers(
    input: DescribeLoadBalancersInput,
  ): Promise<Omit<DescribeLoadBalancersOutput, '$metadata'>>;
}
