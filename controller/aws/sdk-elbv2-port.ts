import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type * as elb from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Elbv2Port } from './elbv2-port';
import { withoutMetadata } from './sdk-ecs-port';

/** Elbv2Port over the real SDK client: one call each, no logic (retries are the client's). */
export class SdkElbv2Port implements Elbv2Port {
  constructor(private readonly client: ElasticLoadBalancingV2Client) {}

  async describeLoadBalancers(input: elb.DescribeLoadBalancersInput) {
    return withoutMetadata(await this.client.send(new DescribeLoadBalancersCommand(input)));
  }

  async createLoadBalancer(input: elb.CreateLoadBalancerInput) {
    return withoutMetadata(await this.client.send(new CreateLoadBalancerCommand(input)));
  }

  async deleteLoadBalancer(input: elb.DeleteLoadBalancerInput) {
    return withoutMetadata(await this.client.send(new DeleteLoadBalancerCommand(input)));
  }

  async setSecurityGroups(input: elb.SetSecurityGroupsInput) {
    return withoutMetadata(await this.client.send(new SetSecurityGroupsCommand(input)));
  }

  async setSubnets(input: elb.SetSubnetsInput) {
    return withoutMetadata(await this.client.send(new SetSubnetsCommand(input)));
  }

  async describeListeners(input: elb.DescribeListenersInput) {
    return withoutMetadata(await this.client.send(new DescribeListenersCommand(input)));
  }

  async createListener(input: elb.CreateListenerInput) {
    return withoutMetadata(await this.client.send(new CreateListenerCommand(input)));
  }

  async modifyListener(input: elb.ModifyListenerInput) {
    return withoutMetadata(await this.client.send(new ModifyListenerCommand(input)));
  }

  async deleteListener(input: elb.DeleteListenerInput) {
    return withoutMetadata(await this.client.send(new DeleteListenerCommand(input)));
  }

  async describeTargetGroups(input: elb.DescribeTargetGroupsInput) {
    return withoutMetadata(await this.client.send(new DescribeTargetGroupsCommand(input)));
  }

  async createTargetGroup(input: elb.CreateTargetGroupInput) {
    return withoutMetadata(await this.client.send(new CreateTargetGroupCommand(input)));
  }

  async modifyTargetGroup(input: elb.ModifyTargetGroupInput) {
    return withoutMetadata(await this.client.send(new ModifyTargetGroupCommand(input)));
  }

  async deleteTargetGroup(input: elb.DeleteTargetGroupInput) {
    return withoutMetadata(await this.client.send(new DeleteTargetGroupCommand(input)));
  }

  async describeTargetGroupAttributes(input: elb.DescribeTargetGroupAttributesInput) {
    return withoutMetadata(await this.client.send(new DescribeTargetGroupAttributesCommand(input)));
  }

  async modifyTargetGroupAttributes(input: elb.ModifyTargetGroupAttributesInput) {
    return withoutMetadata(await this.client.send(new ModifyTargetGroupAttributesCommand(input)));
  }

  async describeRules(input: elb.DescribeRulesInput) {
    return withoutMetadata(await this.client.send(new DescribeRulesCommand(input)));
  }

  async createRule(input: elb.CreateRuleInput) {
    return withoutMetadata(await this.client.send(new CreateRuleCommand(input)));
  }

  async modifyRule(input: elb.ModifyRuleInput) {
    return withoutMetadata(await this.client.send(new ModifyRuleCommand(input)));
  }

  async setRulePriorities(input: elb.SetRulePrioritiesInput) {
    return withoutMetadata(await this.client.send(new SetRulePrioritiesCommand(input)));
  }

  async deleteRule(input: elb.DeleteRuleInput) {
    return withoutMetadata(await this.client.send(new DeleteRuleCommand(input)));
  }

  async describeTags(input: elb.DescribeTagsInput) {
    return withoutMetadata(await this.client.send(new DescribeTagsCommand(input)));
  }

  async addTags(input: elb.AddTagsInput) {
    return withoutMetadata(await this.client.send(new AddTagsCommand(input)));
  }

  async removeTags(input: elb.RemoveTagsInput) {
    return withoutMetadata(await this.client.send(new RemoveTagsCommand(input)));
  }
}
