import { DescribeInstancesCommand, type DescribeInstancesRequest, type EC2Client } from '@aws-sdk/client-ec2';
import type { Ec2Port } from './ec2-port';
import { withoutMetadata } from './sdk-ecs-port';

/** Ec2Port over the real SDK client. */
export class SdkEc2Port implements Ec2Port {
  constructor(private readonly client: EC2Client) {}

  async describeInstances(input: DescribeInstancesRequest) {
    return withoutMetadata(await this.client.send(new DescribeInstancesCommand(input)));
  }
}
