import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsRequest,
  GetChangeCommand,
  type GetChangeRequest,
  ListHostedZonesCommand,
  type ListHostedZonesRequest,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsRequest,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { Route53Port } from './route53-port';
import { withoutMetadata } from './sdk-ecs-port';

/** Route53Port over the real SDK client: one command per method. */
export class SdkRoute53Port implements Route53Port {
  constructor(private readonly client: Route53Client) {}

  async listHostedZones(input: ListHostedZonesRequest) {
    return withoutMetadata(await this.client.send(new ListHostedZonesCommand(input)));
  }
  async listResourceRecordSets(input: ListResourceRecordSetsRequest) {
    return withoutMetadata(await this.client.send(new ListResourceRecordSetsCommand(input)));
  }
  async changeResourceRecordSets(input: ChangeResourceRecordSetsRequest) {
    return withoutMetadata(await this.client.send(new ChangeResourceRecordSetsCommand(input)));
  }
  async getChange(input: GetChangeRequest) {
    return withoutMetadata(await this.client.send(new GetChangeCommand(input)));
  }
}
