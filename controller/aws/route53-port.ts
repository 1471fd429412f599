import type {
  ChangeResourceRecordSetsRequest,
  ChangeResourceRecordSetsResponse,
  GetChangeRequest,
  GetChangeResponse,
  ListHostedZonesRequest,
  ListHostedZonesResponse,
  ListResourceRecordSetsRequest,
  ListResourceRecordSetsResponse,
} from '@aws-sdk/client-route-53';

/**
 * The narrow Route53 port: one method per API operation we call, SDK shapes without `$metadata`.
 * One call is one request; pagination and caching live above it (route53-reader.ts), batching in
 * the executor, so that the sandbox can reject an oversized change batch the way Route53 does.
 * Implementations: SdkRoute53Port (aws/sdk-route53-port.ts) and SandboxRoute53 (aws/sandbox/).
 */
export interface Route53Port {
  listHostedZones(input: ListHostedZonesRequest): Promise<Omit<ListHostedZonesResponse, '$metadata'>>;
  listResourceRecordSets(
    input: ListResourceRecordSetsRequest,
  ): Promise<Omit<ListResourceRecordSetsResponse, '$metadata'>>;
  changeResourceRecordSets(
    input: ChangeResourceRecordSetsRequest,
  ): Promise<Omit<ChangeResourceRecordSetsResponse, '$metadata'>>;
  getChange(input: GetChangeRequest): Promise<Omit<GetChangeResponse, '$metadata'>>;
}
