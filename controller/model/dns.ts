import type { SourceRef } from './source';

/**
 * DNS for containers labelled `proxy.host` / `dns.hostname` (docs/dns.md). Types only, no I/O.
 */

/** `sync` deletes our records whose names went away; `upsert-only` never deletes. */
export type DnsPolicy = 'sync' | 'upsert-only';

/** Where every managed name points (cluster.yaml `dns.target`, exactly one kind). */
export type DnsTarget =
  /** Alias A (and AAAA for a dualstack balancer) to an ALB/NLB, by name or ARN. */
  | {
      kind: 'loadBalancer';
      nameOrArn: string;
      /** `{ loadBalancer: managed }`, or the same balancer as `loadBalancer:`: the cluster's own. */
      managed?: true;
    }
  /** A CNAME to a fixed name. */
  | { kind: 'cname'; name: string }
  /** Fixed IPv4 (A) and/or IPv6 (AAAA) addresses. */
  | { kind: 'addresses'; addresses: string[] }
  /** The public IPs of the cluster's running container instances, all in one record. */
  | { kind: 'instances' };

/** cluster.yaml `dns:`. */
export interface DnsConfig {
  /** Appended to short names (at most one dot, like `www` or `ci.dev`). */
  domain?: string;
  /** TTL of non-alias records. Default 300. */
  ttl: number;
  /** Default `sync`. */
  policy: DnsPolicy;
  /** Use this hosted zone for every name instead of the longest-suffix match. */
  zoneId?: string;
  /** Consider private hosted zones too. Default false. */
  privateZones: boolean;
  /** Written into the TXT ownership records. Default: the cluster's ownerId. */
  ownerId: string;
  /** Take over records with a managed name that carry no ownership TXT. Default false. */
  adopt: boolean;
  target: DnsTarget;
  source: SourceRef;
}

/** One `LISTEN:CONTAINER` pair of `proxy.ports`. */
export interface ProxyPort {
  listen: number;
  container: number;
}

/** A host name some service's container claims through its docker labels. */
export interface DesiredHostname {
  /**
   * Fully qualified, compared form: lower case, no trailing dot, a wildcard as `*` (never `\052`).
   * Short names already have the domain appended.
   */
  name: string;
  /** The service whose task definition carries the label. */
  service: string;
  container: string;
  label: 'proxy.host' | 'dns.hostname';
  /** For `proxy.host`: which container port serves the name (default `80:80`). */
  proxyPorts?: ProxyPort[];
  /** The label in the task definition file. */
  source: SourceRef;
}

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME';

/** A hosted zone as the planner sees it. */
export interface HostedZoneInfo {
  /** Without the `/hostedzone/` prefix. */
  id: string;
  /** Compared form (lower case, no trailing dot). */
  name: string;
  private: boolean;
}

/** The resolved value every managed record gets. */
export type ResolvedDnsTarget =
  | { kind: 'alias'; dnsName: string; hostedZoneId: string; dualstack: boolean }
  | { kind: 'cname'; value: string }
  | { kind: 'addresses'; ipv4: string[]; ipv6: string[] };
