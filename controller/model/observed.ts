import type { Cluster, Service, TaskDefinition } from './aws-types';
import type { TagMap } from './ownership';
import type { HostedZoneInfo, ResolvedDnsTarget } from './dns';
import type { ObservedLoadBalancer } from './load-balancer';
import type { EventResources, ObservedEvents } from './events';

/** The newest ACTIVE revision of a family, with its tags. */
export interface ObservedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: TagMap;
}

/** What AWS has for one cluster directory, read through the ports. */
export interface ObservedState {
  /** undefined: the cluster does not exist (or is INACTIVE). */
  cluster?: { cluster: Cluster; tags: TagMap };
  /** By service name; only services that exist and are not INACTIVE. */
  services: Map<string, { service: Service; tags: TagMap }>;
  /** By family; null: the family has no ACTIVE revision. */
  families: Map<string, ObservedTaskDefinition | null>;
  /**
   * Families that were not read because a service of ours runs a revision whose spec-hash tag
   * equals the spec's hash now (model/spec-hash-tag.ts): known equal by hash, without their content.
   * A family is in `families` or here, never in both.
   */
  knownByHash?: Map<string, KnownRevision>;
  /**
   * By ARN: revisions that desired services currently run when that is not their family's newest
   * (someone registered a revision no service uses, or a deployment was rolled back). The planner
   * keeps a service on such a revision when it matches the spec instead of registering a duplicate.
   */
  revisions?: Map<string, ObservedTaskDefinition>;
  /**
   * Services of the cluster that no spec asks for, whoever owns them (by name, not INACTIVE). Absent
   * when the cluster does not exist or was not listed. Only the ones ecs-gitops owns are pruned.
   */
  extraServices?: Map<string, { service: Service; tags: TagMap }>;
  /** What revision retention needs; absent when nothing could need cleaning up. */
  housekeeping?: RevisionHousekeeping;
  /** Present when the cluster config has `dns:`. */
  dns?: ObservedDns;
  /** Present when the cluster config has `loadBalancer:`. */
  loadBalancer?: ObservedLoadBalancer;
  /** Present when the cluster config has `events:`. */
  events?: ObservedEvents;
  /**
   * The event source ecs-gitops made and the specs no longer ask for: read when the cluster carries
   * the event-source marker tag and `events.queue` is no longer `create` (never in a narrowed
   * plan); `error` when it could not be read. Absent: nothing to prune.
   */
  retiredEvents?: EventResources | { error: string };
}

/** A revision known to equal the spec by the spec-hash tag of a service that runs it. */
export interface KnownRevision {
  taskDefinitionArn: string;
  specHash: string;
  /** The service whose tag said so. */
  service: string;
}

/** The ACTIVE revisions of one family ecs-gitops may clean up. */
export interface FamilyRevisions {
  family: string;
  /** No `.taskdef` asks for it any more (and its newest revision is ours). */
  removed: boolean;
  /** ACTIVE revision ARNs, newest first (all of them). */
  active: string[];
  /** With `deleteRevisions`: INACTIVE revision ARNs (deregistered, not deleted yet), newest first. */
  inactive?: string[];
  /**
   * The observer expects a new revision (the newest differs from the spec): one fewer existing
   * revision is kept, so that `keep` remain after the register. The planner decides for itself.
   */
  registering?: boolean;
}

/** Input of revision retention (plan/revision-retention.ts). */
export interface RevisionHousekeeping {
  families: FamilyRevisions[];
  /**
   * Revisions (`family:revision`) a deployment of any service of the cluster, a running task, or a
   * pinned spec uses.
   */
  inUse: Set<string>;
  /** Tags of the revisions that were read (the candidates, and ones known not to be ours). */
  tags: Map<string, TagMap>;
  /**
   * The revisions of the kept window that were read (newest included), by ARN: a duplicate of the
   * newest (same spec) that nothing uses is retired too.
   */
  kept?: Map<string, ObservedTaskDefinition>;
}

/** A record set as read from Route53, in compared form. */
export interface ObservedRecord {
  /** Compared form: lower case, no trailing dot, `\052` decoded to `*`. */
  name: string;
  type: string;
  ttl?: number;
  /** ResourceRecords values as returned (TXT values keep their quotes). */
  values: string[];
  alias?: { dnsName: string; hostedZoneId: string; evaluateTargetHealth: boolean };
  /** Weighted/latency/... records carry one; we never manage those. */
  setIdentifier?: string;
  /** The record set exactly as Route53 returned it: DELETE must repeat it verbatim. */
  raw: import('./aws-types').ResourceRecordSet;
}

/** What Route53 (and the target's source) has for one cluster's DNS. */
export interface ObservedDns {
  /** Every hosted zone visible (public, and private ones when configured). */
  zones: HostedZoneInfo[];
  /** Records of the zones that were read, by zone id. */
  records: Map<string, ObservedRecord[]>;
  /** The value records should have; undefined when it could not be resolved (see targetError). */
  target?: ResolvedDnsTarget;
  targetError?: string;
}
