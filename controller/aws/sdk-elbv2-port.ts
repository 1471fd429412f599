import {
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersInput,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Elbv2Port } from './elbv2-port';
import { withoutMetadata } from './sdk-ecs-port';

/** Elbv2Port over the real SDK client. */
export class SdkElbv2Port implements Elbv2Port {
  constructor(private readonly client: ElasticLoadBalancingV2Client) {}

  async describeLoadBalancers(input: DescribeLoadBalancersInput) {
    return withoutMetadata(await this.client.send(new DescribeLoadBalancersCommand(input)));
  }
}
