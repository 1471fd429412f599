import type { DnsRecordType } from '../model/dns';
import { comparedName } from './dns-names';

/**
 * TXT ownership records (the Route53 counterpart of our ownership tags, after external-dns's
 * registry). Each record we manage has one TXT record beside it, written and deleted in the same
 * change batch.
 *
 * Naming: the TXT lives at a name of its own, never at the record's name, because a CNAME cannot
 * share its name with any other record:
 *
 *   www.example.com   A      ->  _ecs-gitops-a.www.example.com      TXT
 *   www.example.com   CNAME  ->  _ecs-gitops-cname.www.example.com  TXT
 *   *.example.com     A      ->  _ecs-gitops-wildcard-a.example.com TXT
 *
 * A wildcard's TXT replaces the `*` label rather than sitting below it: `_x.*.example.com` would be a
 * literal `*` label (Route53 lists it as `\052`), and a plain word like `wildcard.example.com` could
 * be a real host. The first label is one of a fixed set (`_ecs-gitops-<type>` or
 * `_ecs-gitops-wildcard-<type>`, type lower case), so the mapping is one to one both ways and a TXT
 * name of one record is never the TXT name of another (the planner refuses host names whose first
 * label starts with `_ecs-gitops-`).
 */
export const TXT_PREFIX = '_ecs-gitops-';
const WILDCARD = 'wildcard-';
export const HERITAGE = 'ecs-gitops';
const TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME'];

/** Route53 limit on one character-string of a TXT value. */
const TXT_STRING_MAX = 255;

export interface DnsOwnership {
  owner: string;
  cluster: string;
  service: string;
  /**
   * The cluster's region: two clusters of one name in two regions (a common multi-region layout)
   * share the account's hosted zones, and must not take each other's records for their own.
   */
  region?: string;
}

/** The TXT name for a record (compared form in and out). */
export function ownershipTxtName(name: string, type: DnsRecordType): string {
  const n = comparedName(name);
  const t = type.toLowerCase();
  if (n.startsWith('*.')) return `${TXT_PREFIX}${WILDCARD}${t}.${n.slice(2)}`;
  return `${TXT_PREFIX}${t}.${n}`;
}

/** The record a TXT name stands for; undefined for names that are not ownership TXT names. */
export function recordForTxtName(txtName: string): { name: string; type: DnsRecordType } | undefined {
  const n = comparedName(txtName);
  const dot = n.indexOf('.');
  if (dot < 0 || !n.startsWith(TXT_PREFIX)) return undefined;
  let label = n.slice(TXT_PREFIX.length, dot);
  const rest = n.slice(dot + 1);
  const wildcard = label.startsWith(WILDCARD);
  if (wildcard) label = label.slice(WILDCARD.length);
  const type = TYPES.find((t) => t.toLowerCase() === label);
  if (!type || rest === '') return undefined;
  return { name: wildcard ? `*.${rest}` : rest, type };
}

/**
 * The TXT value as Route53 takes it: quoted, split into 255-character strings when longer
 * (`"…" "…"`). Owner, cluster and service are percent-encoded where they hold anything but letters,
 * digits and `-_.!~*'()`, so that a `,` or `=` or `"` in them cannot change the meaning.
 */
export function ownershipTxtValue(o: DnsOwnership): string {
  const text = [
    `heritage=${HERITAGE}`,
    `${HERITAGE}/owner=${encodeURIComponent(o.owner)}`,
    `${HERITAGE}/cluster=${encodeURIComponent(o.cluster)}`,
    `${HERITAGE}/service=${encodeURIComponent(o.service)}`,
    ...(o.region ? [`${HERITAGE}/region=${encodeURIComponent(o.region)}`] : []),
  ].join(',');
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += TXT_STRING_MAX) parts.push(`"${text.slice(i, i + TXT_STRING_MAX)}"`);
  return parts.join(' ');
}

/** The text of a TXT value: its quoted strings unescaped and joined (unquoted input taken as is). */
export function txtText(value: string): string {
  const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) =>
    m[1].replace(/\\(\d{3}|.)/g, (_s, c: string) =>
      c.length === 3 ? String.fromCharCode(parseInt(c, 8)) : c,
    ),
  );
  return strings.length > 0 ? strings.join('') : value;
}

/** Owner, cluster and service of one TXT value; undefined unless it is an ecs-gitops ownership value. */
export function parseOwnership(txtValue: string): DnsOwnership | undefined {
  const fields = new Map<string, string>();
  for (const part of txtText(txtValue).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    try {
      fields.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      return undefined;
    }
  }
  const owner = fields.get(`${HERITAGE}/owner`);
  const cluster = fields.get(`${HERITAGE}/cluster`);
  const service = fields.get(`${HERITAGE}/service`);
  const region = fields.get(`${HERITAGE}/region`);
  if (fields.get('heritage') !== HERITAGE || owner === undefined || cluster === undefined) return undefined;
  return { owner, cluster, service: service ?? '', ...(region ? { region } : {}) };
}

/** The first ownership value among a TXT record's values. */
export function ownershipOfTxt(values: readonly string[] | undefined): DnsOwnership | undefined {
  for (const v of values ?? []) {
    const o = parseOwnership(v);
    if (o) return o;
  }
  return undefined;
}

/**
 * - `ours`: our owner id and our cluster: ours to change and delete.
 * - `other-cluster`: our owner id, another cluster of it: never touched (two clusters claim the name).
 * - `other-owner`: another ecs-gitops owner id: never touched.
 * - `unowned`: no ownership value: a conflict unless `dns.adopt`.
 */
export type DnsOwnershipDecision = 'ours' | 'other-cluster' | 'other-owner' | 'unowned';

export function decideOwnership(
  o: DnsOwnership | undefined,
  ownerId: string,
  cluster: string,
  region?: string,
): DnsOwnershipDecision {
  if (!o) return 'unowned';
  if (o.owner !== ownerId) return 'other-owner';
  if (o.cluster !== cluster) return 'other-cluster';
  // A record written for the same cluster name in another region is that cluster's, not ours.
  return o.region && region && o.region !== region ? 'other-cluster' : 'ours';
}

/** Whose a record is, for reasons: `owned by ecs-gitops owner "x"`, `owned by cluster "y" (service z)`, ... */
export function describeOwnership(o: DnsOwnership | undefined, decision: DnsOwnershipDecision): string {
  switch (decision) {
    case 'ours':
      return 'ours';
    case 'unowned':
      return 'not created by ecs-gitops: no ownership record';
    case 'other-owner':
      return `owned by ecs-gitops owner "${o?.owner ?? ''}"`;
    case 'other-cluster':
      return `owned by cluster "${o?.cluster ?? ''}" (service ${o?.service || '?'})`;
  }
}
