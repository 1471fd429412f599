/** cluster.yaml `dns:` -> DnsConfig. The schema has checked the shape; this checks the values. */
import { bareZoneId } from '../model/dns-names';
import type { DnsConfig, DnsTarget } from '../model/dns';
import type { SourceRef, SpecError } from '../model/source';
import type { FieldPath } from './field-path';
import { hostnameProblem, ipVersion, normalizeHostname } from './hostname-syntax';

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

/**
 * `clusterOwnerId` is the default ownerId; `errorAt` makes an error at a path of the config file.
 * Returns the config, or undefined with errors pushed.
 */
export function parseDnsConfig(
  dns: DnsFile,
  clusterOwnerId: string,
  source: SourceRef,
  errorAt: (path: FieldPath, message: string) => SpecError,
  errors: SpecError[],
): DnsConfig | undefined {
  const before = errors.length;
  let domain: string | undefined;
  if (dns.domain !== undefined) {
    domain = normalizeHostname(dns.domain);
    const problem = hostnameProblem(domain, false);
    if (problem)
      errors.push(errorAt(['dns', 'domain'], `"${dns.domain}" is not a valid domain: it ${problem}`));
  }
  const target = parseTarget(dns.target, errorAt, errors);
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
  if (t.loadBalancer !== undefined) return { kind: 'loadBalancer', nameOrArn: t.loadBalancer };
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
