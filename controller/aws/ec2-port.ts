import type { DescribeInstancesRequest, DescribeInstancesResult } from '@aws-sdk/client-ec2';

/** The narrow EC2 port: public IPs of the cluster's container instances (DNS target `instances`). */
export interface Ec2Port {
  describeInstances(input: DescribeInstancesRequest): Promise<Omit<DescribeInstancesResult, '$metadata'>>;
}
