/** cluster.yaml `dns:` -> DnsConfig. The schema has checked the shape; this checks the values. */
import { bareZoneId } from '../model/dns-names';
import type { DnsConfig, DnsTarget } from '../model/dns';
import type { LoadBalancerConfig } from '../model/load-balancer';
import type { SourceRef, SpecError } from '../model/source';
import type { FieldPath } from './field-path';
import { hostnameProblem, ipVersion, normalizeHostname } from './hostname-syntax';
import { nameInArn } from './load-balancer-config';

/** As the schema admits it. */
export interface DnsFile {
  domain?: string;
  ttl?: number;
  policy?: DnsConfig['policy'];
  zoneId?: string;
  privateZones?: boolean;
  ownerId?: string;
  adopt?: boolean;
  target: { loadBalancer?: string; cname?: string; addresses?: string[]; instances?: true };
}

export const DNS_TARGET_KINDS = ['loadBalancer', 'cname', 'addresses', 'instances'] as const;

export const DEFAULT_DNS_TTL = 300;

/** `dns.target: { loadBalancer: managed }`: the balancer of cluster.yaml `loadBalancer:`. */
export const MANAGED_LOAD_BALANCER = 'managed';

/**
 * `clusterOwnerId` is the default ownerId; `errorAt` makes an error at a path of the config file;
 * `loadBalancer` is the cluster's `loadBalancer:` (`invalid`: there is one, with errors reported).
 * Returns the config, or undefined with errors pushed.
 */
export function parseDnsConfig(
  dns: DnsFile,
  clusterOwnerId: string,
  source: SourceRef,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
  loadBalancer?: LoadBalancerConfig | 'invalid',
): DnsConfig | undefined {
  const before = errors.length;
  let domain: string | undefined;
  if (dns.domain !== undefined) {
    domain = normalizeHostname(dns.domain);
    const problem = hostnameProblem(domain, false);
    if (problem)
      errors.push(errorAt(['dns', 'domain'], `"${dns.domain}" is not a valid domain: it ${problem}`));
  }
  const target = parseTarget(dns.target, loadBalancer, errorAt, errors);
  if (errors.length > before || !target) return undefined;
  return {
    ...(domain !== undefined ? { domain } : {}),
    ttl: dns.ttl ?? DEFAULT_DNS_TTL,
    policy: dns.policy ?? 'sync',
    ...(dns.zoneId !== undefined ? { zoneId: bareZoneId(dns.zoneId) } : {}),
    privateZones: dns.privateZones ?? false,
    ownerId: dns.ownerId ?? clusterOwnerId,
    adopt: dns.adopt ?? false,
    target,
    source,
  };
}

function parseTarget(
  t: DnsFile['target'],
  loadBalancer: LoadBalancerConfig | 'invalid' | undefined,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): DnsTarget | undefined {
  const at = ['dns', 'target'];
  const kinds = DNS_TARGET_KINDS.filter((k) => t[k] !== undefined);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? 'none is set' : `${kinds.join(' and ')} are set`;
    errors.push(
      errorAt(at, `needs exactly one of ${DNS_TARGET_KINDS.join(', ')} (where the names point); ${got}`),
    );
    return undefined;
  }
  if (t.loadBalancer !== undefined) return balancerTarget(t.loadBalancer, loadBalancer, at, errorAt, errors);
  if (t.instances !== undefined) return { kind: 'instances' };
  if (t.cname !== undefined) {
    const name = normalizeHostname(t.cname);
    const problem = hostnameProblem(name, false);
    if (problem) {
      errors.push(errorAt([...at, 'cname'], `"${t.cname}" is not a valid host name: it ${problem}`));
      return undefined;
    }
    return { kind: 'cname', name };
  }
  const addresses = t.addresses ?? [];
  const seen = new Map<string, number>();
  let ok = true;
  addresses.forEach((a, i) => {
    const path = [...at, 'addresses', i];
    if (ipVersion(a) === 0) {
      errors.push(errorAt(path, `"${a}" is not an IPv4 or IPv6 address`));
      ok = false;
    } else if (seen.has(a.toLowerCase())) {
      errors.push(errorAt(path, `duplicate address "${a}" (also addresses[${seen.get(a.toLowerCase())}])`));
      ok = false;
    } else seen.set(a.toLowerCase(), i);
  });
  return ok ? { kind: 'addresses', addresses: [...addresses] } : undefined;
}

/**
 * `managed`, or the very balancer of `loadBalancer:` (by its name or ARN; a name matches the name an
 * ARN holds): the cluster's own, whose name the record follows. Any other: a balancer named as is.
 */
function balancerTarget(
  value: string,
  loadBalancer: LoadBalancerConfig | 'invalid' | undefined,
  at: FieldPath,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): DnsTarget | undefined {
  if (loadBalancer === 'invalid') return undefined; // its errors are reported at loadBalancer:
  if (!loadBalancer) {
    if (value !== MANAGED_LOAD_BALANCER) return { kind: 'loadBalancer', nameOrArn: value };
    errors.push(
      errorAt(
        [...at, 'loadBalancer'],
        `"${MANAGED_LOAD_BALANCER}" means the balancer of the loadBalancer: section, and there is none: add one, or name a balancer`,
      ),
    );
    return undefined;
  }
  const ref = loadBalancer.ref;
  const own = 'arn' in ref ? ref.arn : ref.name;
  const ownName = 'arn' in ref ? nameInArn(ref.arn) : ref.name;
  const valueName = value.startsWith('arn:') ? nameInArn(value) : value;
  const same =
    value === MANAGED_LOAD_BALANCER ||
    value === own ||
    // Two ARNs are one balancer only when equal; otherwise compare the names (ELBv2's are case-insensitive).
    (!(value.startsWith('arn:') && 'arn' in ref) &&
      valueName !== undefined &&
      ownName !== undefined &&
      valueName.toLowerCase() === ownName.toLowerCase());
  return same
    ? { kind: 'loadBalancer', nameOrArn: own, managed: true }
    : { kind: 'loadBalancer', nameOrArn: value };
}
