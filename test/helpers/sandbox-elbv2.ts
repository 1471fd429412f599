import type { CreateTargetGroupInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CallLog } from '../../controller/aws/call-log';
import { ManualClock } from '../../controller/aws/clock';
import { SandboxElbv2 } from '../../controller/aws/sandbox/sandbox-elbv2';

/** Two subnets in two zones of the sandbox VPC (an unknown subnet's zone is its last hex digit's). */
export const SUBNETS = ['subnet-0a000001', 'subnet-0a000002'];

export function newElbv2(): { elbv2: SandboxElbv2; clock: ManualClock; calls: CallLog } {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const calls = new CallLog();
  return {
    elbv2: new SandboxElbv2({ accountId: '123456789012', region: 'us-east-1', clock, callLog: calls }),
    clock,
    calls,
  };
}

export function tgInput(name: string, o: Partial<CreateTargetGroupInput> = {}): CreateTargetGroupInput {
  return { Name: name, Protocol: 'HTTP', Port: 80, VpcId: 'vpc-0sandbox', TargetType: 'instance', ...o };
}

/** A balancer, an HTTP:80 listener with a fixed-response default, and one target group `web`. */
export async function albWithListener(elbv2: SandboxElbv2) {
  const lb = (await elbv2.createLoadBalancer({ Name: 'shared', Subnets: SUBNETS })).LoadBalancers?.[0];
  const listener = (
    await elbv2.createListener({
      LoadBalancerArn: lb?.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    })
  ).Listeners?.[0];
  const tg = (await elbv2.createTargetGroup(tgInput('web'))).TargetGroups?.[0];
  return {
    lbArn: lb?.LoadBalancerArn ?? '',
    listenerArn: listener?.ListenerArn ?? '',
    tgArn: tg?.TargetGroupArn ?? '',
  };
}

export const hostCondition = (...hosts: string[]) => [
  { Field: 'host-header', HostHeaderConfig: { Values: hosts } },
];
export const forwardTo = (arn: string) => [{ Type: 'forward' as const, TargetGroupArn: arn }];
