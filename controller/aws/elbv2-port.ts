import type * as elb from '@aws-sdk/client-elastic-load-balancing-v2';

/** An SDK output without `$metadata`: what the ports return. */
type Out<T> = Omit<T, '$metadata'>;

/**
 * The narrow ELBv2 port: the DNS target `loadBalancer` (a balancer's DNS name and zone) and the
 * cluster's shared load balancer (docs/load-balancer.md): its listeners, target groups, host rules
 * and their tags. Same shapes as the SDK; the strict sandbox implements every call with AWS's
 * validation.
 */
export interface Elbv2Port {
  describeLoadBalancers(input: elb.DescribeLoadBalancersInput): Promise<Out<elb.DescribeLoadBalancersOutput>>;
  createLoadBalancer(input: elb.CreateLoadBalancerInput): Promise<Out<elb.CreateLoadBalancerOutput>>;
  deleteLoadBalancer(input: elb.DeleteLoadBalancerInput): Promise<Out<elb.DeleteLoadBalancerOutput>>;
  setSecurityGroups(input: elb.SetSecurityGroupsInput): Promise<Out<elb.SetSecurityGroupsOutput>>;
  setSubnets(input: elb.SetSubnetsInput): Promise<Out<elb.SetSubnetsOutput>>;

  describeListeners(input: elb.DescribeListenersInput): Promise<Out<elb.DescribeListenersOutput>>;
  createListener(input: elb.CreateListenerInput): Promise<Out<elb.CreateListenerOutput>>;
  modifyListener(input: elb.ModifyListenerInput): Promise<Out<elb.ModifyListenerOutput>>;
  deleteListener(input: elb.DeleteListenerInput): Promise<Out<elb.DeleteListenerOutput>>;

  describeTargetGroups(input: elb.DescribeTargetGroupsInput): Promise<Out<elb.DescribeTargetGroupsOutput>>;
  createTargetGroup(input: elb.CreateTargetGroupInput): Promise<Out<elb.CreateTargetGroupOutput>>;
  modifyTargetGroup(input: elb.ModifyTargetGroupInput): Promise<Out<elb.ModifyTargetGroupOutput>>;
  deleteTargetGroup(input: elb.DeleteTargetGroupInput): Promise<Out<elb.DeleteTargetGroupOutput>>;
  describeTargetGroupAttributes(
    input: elb.DescribeTargetGroupAttributesInput,
  ): Promise<Out<elb.DescribeTargetGroupAttributesOutput>>;
  modifyTargetGroupAttributes(
    input: elb.ModifyTargetGroupAttributesInput,
  ): Promise<Out<elb.ModifyTargetGroupAttributesOutput>>;

  describeRules(input: elb.DescribeRulesInput): Promise<Out<elb.DescribeRulesOutput>>;
  createRule(input: elb.CreateRuleInput): Promise<Out<elb.CreateRuleOutput>>;
  modifyRule(input: elb.ModifyRuleInput): Promise<Out<elb.ModifyRuleOutput>>;
  setRulePriorities(input: elb.SetRulePrioritiesInput): Promise<Out<elb.SetRulePrioritiesOutput>>;
  deleteRule(input: elb.DeleteRuleInput): Promise<Out<elb.DeleteRuleOutput>>;

  describeTags(input: elb.DescribeTagsInput): Promise<Out<elb.DescribeTagsOutput>>;
  addTags(input: elb.AddTagsInput): Promise<Out<elb.AddTagsOutput>>;
  removeTags(input: elb.RemoveTagsInput): Promise<Out<elb.RemoveTagsOutput>>;
}
