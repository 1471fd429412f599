import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type * as eb from '@aws-sdk/client-eventbridge';
import type { EventBridgePort } from './eventbridge-port';
import { withoutMetadata } from './sdk-ecs-port';

/** EventBridgePort over the real SDK client: one call each, no logic (retries are the client's). */
export class SdkEventBridgePort implements EventBridgePort {
  constructor(private readonly client: EventBridgeClient) {}

  async describeEventBus(input: eb.DescribeEventBusRequest) {
    return withoutMetadata(await this.client.send(new DescribeEventBusCommand(input)));
  }

  async describeRule(input: eb.DescribeRuleRequest) {
    return withoutMetadata(await this.client.send(new DescribeRuleCommand(input)));
  }

  async listRules(input: eb.ListRulesRequest) {
    return withoutMetadata(await this.client.send(new ListRulesCommand(input)));
  }

  async listRuleNamesByTarget(input: eb.ListRuleNamesByTargetRequest) {
    return withoutMetadata(await this.client.send(new ListRuleNamesByTargetCommand(input)));
  }

  async listTargetsByRule(input: eb.ListTargetsByRuleRequest) {
    return withoutMetadata(await this.client.send(new ListTargetsByRuleCommand(input)));
  }

  async listTagsForResource(input: eb.ListTagsForResourceRequest) {
    return withoutMetadata(await this.client.send(new ListTagsForResourceCommand(input)));
  }

  async putRule(input: eb.PutRuleRequest) {
    return withoutMetadata(await this.client.send(new PutRuleCommand(input)));
  }

  async putTargets(input: eb.PutTargetsRequest) {
    return withoutMetadata(await this.client.send(new PutTargetsCommand(input)));
  }

  async removeTargets(input: eb.RemoveTargetsRequest) {
    return withoutMetadata(await this.client.send(new RemoveTargetsCommand(input)));
  }

  async deleteRule(input: eb.DeleteRuleRequest): Promise<void> {
    await this.client.send(new DeleteRuleCommand(input));
  }

  async tagResource(input: eb.TagResourceRequest): Promise<void> {
    await this.client.send(new TagResourceCommand(input));
  }

  async untagResource(input: eb.UntagResourceRequest): Promise<void> {
    await this.client.send(new UntagResourceCommand(input));
  }

  async putEvents(input: eb.PutEventsRequest) {
    return withoutMetadata(await this.client.send(new PutEventsCommand(input)));
  }
}
