/**
 * Host names and ports as the `proxy.host`, `proxy.ports` and `dns.hostname` docker labels write
 * them (docs/dns.md), and as cluster.yaml `dns:` writes them. Pure functions, no I/O.
 */
import { comparedDnsName } from '../model/dns-names';
import * as net from 'net';
import type { ProxyPort } from '../model/dns';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 253;

/**
 * Why `name` (compared form: lower case, no trailing dot) is not a valid host name, or undefined
 * when it is. `*` is allowed only as the whole leftmost label, and only when `wildcard` is true.
 */
export function hostnameProblem(name: string, wildcard = true): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > MAX_NAME) return `is ${name.length} characters long; at most ${MAX_NAME} are allowed`;
  const labels = name.split('.');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === '*') {
      if (!wildcard) return 'may not be a wildcard';
      if (i > 0) return 'has "*" in a label other than the leftmost one';
      if (labels.length < 2) return 'is a bare "*": a wildcard needs a domain after it';
      continue;
    }
    if (l === '') return 'has an empty label (two dots in a row, or a leading dot)';
    if (l.length > 63)
      return `has the label "${l.slice(0, 20)}..." of ${l.length} characters; at most 63 are allowed`;
    if (l.includes('*'))
      return `has "*" inside the label "${l}": a wildcard must be the whole leftmost label`;
    if (!LABEL.test(l)) {
      return /^-|-$/.test(l)
        ? `has the label "${l}" starting or ending with "-"`
        : `has the label "${l}" with characters other than letters, digits and "-"`;
    }
  }
  return undefined;
}

/** Lower case, without the trailing dot: the form names are compared (and stored) in. */
export function normalizeHostname(name: string): string {
  return comparedDnsName(name.trim());
}

export type ExpandedHostname =
  | { ok: true; name: string }
  /** `short`: a short name and no domain to append; `invalid`: bad syntax (see message). */
  | { ok: false; reason: 'short' | 'invalid'; message: string };

/**
 * A label's name in its fully qualified, compared form. As ecs-efs did, a short name (at most one
 * dot, like `www` or `ci.dev`) gets `domain` appended; a name ending with a dot, or with two or more
 * dots, is taken as it is. `domain` is in compared form (see normalizeHostname).
 */
export function expandHostname(name: string, domain: string | undefined): ExpandedHostname {
  const raw = name.trim();
  const lower = raw.toLowerCase();
  let full: string;
  if (lower.endsWith('.')) full = lower.slice(0, -1);
  else if (lower.split('.').length - 1 >= 2) full = lower;
  else if (domain !== undefined) full = `${lower}.${domain}`;
  else {
    return {
      ok: false,
      reason: 'short',
      message:
        `"${raw}" is a short name (at most one dot) and no dns.domain is set to append to it: ` +
        `set dns.domain in the cluster config, or write the full name with a trailing dot ("${raw}.example.com.")`,
    };
  }
  const problem = hostnameProblem(full);
  return problem === undefined
    ? { ok: true, name: full }
    : { ok: false, reason: 'invalid', message: `"${raw}" is not a valid host name: "${full}" ${problem}` };
}

/** `proxy.host` / `dns.hostname` values: names separated by spaces or commas. */
export function splitHostList(value: string): string[] {
  return value.split(/[\s,]+/).filter((n) => n !== '');
}

export type ParsedProxyPorts = { ok: true; ports: ProxyPort[] } | { ok: false; message: string };

/** The default of `proxy.ports`: listen on 80, forward to container port 80. */
export const DEFAULT_PROXY_PORTS: readonly ProxyPort[] = [{ listen: 80, container: 80 }];

/**
 * `proxy.ports`: `LISTEN:CONTAINER` pairs separated by spaces; a single number N means N:N. Pairs
 * repeated exactly are kept once; one listen port forwarding to two container ports is an error.
 */
export function parseProxyPorts(value: string): ParsedProxyPorts {
  const pairs = value
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  if (pairs.length === 0) {
    return {
      ok: false,
      message: 'is empty: give LISTEN:CONTAINER pairs, or remove it for the default 80:80',
    };
  }
  const ports: ProxyPort[] = [];
  for (const pair of pairs) {
    const m = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(pair);
    if (!m) {
      return {
        ok: false,
        message: `has the malformed pair "${pair}": expected LISTEN:CONTAINER (like 80:8080) or one port, separated by spaces`,
      };
    }
    const listen = Number(m[1]);
    const container = Number(m[2] ?? m[1]);
    for (const p of [listen, container]) {
      if (p < 1 || p > 65535)
        return { ok: false, message: `has the port ${p} in "${pair}": ports are 1-65535` };
    }
    const same = ports.find((p) => p.listen === listen);
    if (same && same.container !== container) {
      return {
        ok: false,
        message: `forwards the listen port ${listen} to two container ports (${same.container} and ${container})`,
      };
    }
    if (!same) ports.push({ listen, container });
  }
  return { ok: true, ports };
}

/** 4 or 6 for an IP address as Route53 takes it, else 0. */
export function ipVersion(address: string): 0 | 4 | 6 {
  const v = net.isIP(address);
  // Zone ids (fe80::1%eth0) mean nothing in DNS.
  return v === 6 && address.includes('%') ? 0 : (v as 0 | 4 | 6);
}
