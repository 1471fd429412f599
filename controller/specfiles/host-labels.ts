/**
 * The host names services claim through docker labels (`proxy.host`, `proxy.ports`,
 * `dns.hostname`) -> DesiredState.hostnames.
 *
 * With `dns:` in the cluster config, every problem with these labels is an error, and so is every
 * problem with a `proxy.host` label with `loadBalancer:` (it routes those names). Without them, DNS
 * and routing are not ours to manage (an old ecs-efs directory whose proxy did its own thing): short
 * names are skipped silently (there is no domain to append), other problems are warnings, and the
 * offending name is left out.
 */
import * as path from 'path';
import type { DesiredService } from '../model/desired';
import type { DesiredHostname, DnsConfig, ProxyPort } from '../model/dns';
import type { SourceRef, SpecError } from '../model/source';
import { type FieldPath, formatFieldPath } from './field-path';
import { DEFAULT_PROXY_PORTS, expandHostname, parseProxyPorts, splitHostList } from './hostname-syntax';
import type { Position } from './positions';
import { isPlainObject } from './spec-helpers';
import { PROXY_HOST_LABEL, PROXY_PORTS_LABEL } from '../model/proxy-labels';

export { PROXY_HOST_LABEL, PROXY_PORTS_LABEL };
export const DNS_HOSTNAME_LABEL = 'dns.hostname';

/** A located docker label value. */
export interface LabelAt {
  value: string;
  source: SourceRef;
  /** Field path of the label, e.g. `containerDefinitions[1].dockerLabels["proxy.host"]`. */
  field: string;
}

/** The name labels of one container, as written. */
export interface ContainerHostLabels {
  container: string;
  /** `proxy.host` and `dns.hostname`, in file order. */
  names: (LabelAt & { label: DesiredHostname['label'] })[];
  ports?: LabelAt;
  /** Its other `proxy.*` labels (target group settings, docs/load-balancer.md), in file order. */
  settings: (LabelAt & { key: string })[];
  /** The container ports of its portMappings; undefined when it has none. */
  containerPorts?: { port: number; to?: number }[];
}

/** Finds the name labels of every container of a task definition body (found at `prefix`). */
export function extractHostLabels(
  body: Record<string, unknown>,
  prefix: FieldPath,
  file: string,
  locate: (path: FieldPath) => Position,
): ContainerHostLabels[] {
  const out: ContainerHostLabels[] = [];
  const containers = Array.isArray(body.containerDefinitions) ? (body.containerDefinitions as unknown[]) : [];
  containers.forEach((c, i) => {
    if (!isPlainObject(c) || !isPlainObject(c.dockerLabels)) return;
    const labels = c.dockerLabels;
    const at = (key: string): LabelAt => {
      const p = [...prefix, 'containerDefinitions', i, 'dockerLabels', key];
      return { value: String(labels[key]), source: { file, ...locate(p) }, field: formatFieldPath(p) };
    };
    const names = Object.keys(labels)
      .filter((k): k is DesiredHostname['label'] => k === PROXY_HOST_LABEL || k === DNS_HOSTNAME_LABEL)
      .map((k) => ({ ...at(k), label: k }));
    if (names.length === 0) return;
    out.push({
      container: typeof c.name === 'string' ? c.name : `#${i}`,
      names,
      ports: PROXY_PORTS_LABEL in labels ? at(PROXY_PORTS_LABEL) : undefined,
      settings: Object.keys(labels)
        .filter((k) => k.startsWith('proxy.') && k !== PROXY_HOST_LABEL && k !== PROXY_PORTS_LABEL)
        .map((k) => ({ ...at(k), key: k })),
      containerPorts: containerPorts(c.portMappings),
    });
  });
  return out;
}

function containerPorts(mappings: unknown): ContainerHostLabels['containerPorts'] {
  if (!Array.isArray(mappings) || mappings.length === 0) return undefined;
  const out: { port: number; to?: number }[] = [];
  for (const m of mappings) {
    if (!isPlainObject(m)) continue;
    if (typeof m.containerPort === 'number') out.push({ port: m.containerPort });
    const range =
      typeof m.containerPortRange === 'string' ? /^(\d+)-(\d+)$/.exec(m.containerPortRange) : null;
    if (range) out.push({ port: Number(range[1]), to: Number(range[2]) });
  }
  return out;
}

/** One name a task definition claims, before it is assigned to services. */
interface NameClaim {
  name: string;
  container: string;
  label: DesiredHostname['label'];
  proxyPorts?: ProxyPort[];
  source: SourceRef;
  /** The label's field path, for errors. */
  field: string;
}

export interface TaskdefHostLabels {
  containers: ContainerHostLabels[];
}

export interface HostnamesResult {
  hostnames: DesiredHostname[];
  /**
   * service -> container -> the `proxy.host` names it keeps (expanded; not those another service
   * claimed first), in label order: what the load balancer routes to it.
   */
  proxyNames: Map<string, Map<string, string[]>>;
  errors: SpecError[];
  warnings: SpecError[];
}

/** A label problem; `proxy`: one with a `proxy.host` name, an error when the balancer routes it. */
interface Problem {
  error: SpecError;
  proxy: boolean;
}

/**
 * The names of every service whose task definition is one of ours (by family). Pinned task
 * definitions contribute nothing, and neither does a task definition that no service uses.
 * `loadBalancer`: cluster.yaml has `loadBalancer:`.
 */
export function collectHostnames(
  services: DesiredService[],
  labelsByFamily: Map<string, TaskdefHostLabels>,
  dns: DnsConfig | undefined,
  loadBalancer = false,
): HostnamesResult {
  const problems: Problem[] = [];
  const proxyNames = new Map<string, Map<string, string[]>>();
  const claimsByFamily = new Map<string, NameClaim[]>();
  const owner = new Map<string, { service: DesiredService; claim: NameClaim }>();
  const hostnames: DesiredHostname[] = [];
  for (const service of [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (service.taskDefinition.kind !== 'family') continue;
    const family = service.taskDefinition.family;
    const labels = labelsByFamily.get(family);
    if (!labels) continue;
    let claims = claimsByFamily.get(family);
    if (!claims) {
      // Once per task definition, however many services use it: its label problems are reported once.
      claims = taskdefClaims(labels, dns, loadBalancer, problems);
      claimsByFamily.set(family, claims);
    }
    const mine = new Set<string>();
    for (const claim of claims) {
      const other = owner.get(claim.name);
      if (other && other.service !== service) {
        if (mine.has(claim.name)) continue; // reported once per service
        mine.add(claim.name);
        problems.push({
          error: duplicateClaim(claim, service, other.claim, other.service),
          proxy: claim.label === PROXY_HOST_LABEL || other.claim.label === PROXY_HOST_LABEL,
        });
        continue;
      }
      if (claim.label === PROXY_HOST_LABEL) {
        const byContainer = proxyNames.get(service.name) ?? new Map<string, string[]>();
        proxyNames.set(service.name, byContainer);
        const names = byContainer.get(claim.container) ?? [];
        byContainer.set(claim.container, names);
        if (!names.includes(claim.name)) names.push(claim.name);
      }
      if (mine.has(claim.name)) continue; // twice in one service (two containers, or both labels): first wins
      mine.add(claim.name);
      owner.set(claim.name, { service, claim });
      hostnames.push({
        name: claim.name,
        service: service.name,
        container: claim.container,
        label: claim.label,
        ...(claim.proxyPorts ? { proxyPorts: claim.proxyPorts } : {}),
        source: claim.source,
      });
    }
  }
  hostnames.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const isError = (p: Problem): boolean => dns !== undefined || (loadBalancer && p.proxy);
  return {
    hostnames,
    proxyNames,
    errors: problems.filter(isError).map((p) => p.error),
    warnings: problems.filter((p) => !isError(p)).map((p) => p.error),
  };
}

function taskdefClaims(
  labels: TaskdefHostLabels,
  dns: DnsConfig | undefined,
  loadBalancer: boolean,
  problems: Problem[],
): NameClaim[] {
  const claims: NameClaim[] = [];
  const at = (proxy: boolean) => (label: LabelAt, message: string) => {
    problems.push({ error: { ...label.source, field: label.field, message }, proxy });
  };
  for (const c of labels.containers) {
    const proxyPorts = c.names.some((n) => n.label === PROXY_HOST_LABEL)
      ? checkedProxyPorts(c, at(true))
      : undefined;
    for (const n of c.names) {
      const proxy = n.label === PROXY_HOST_LABEL;
      const problemAt = at(proxy);
      // Without usable ports a proxy.host name is left out (its problem is reported once, above).
      if (n.label === PROXY_HOST_LABEL && !proxyPorts) continue;
      const names = splitHostList(n.value);
      if (names.length === 0) {
        problemAt(n, `${n.label} is empty: give one or more host names, separated by spaces or commas`);
        continue;
      }
      for (const raw of names) {
        const expanded = expandHostname(raw, dns?.domain);
        if (!expanded.ok) {
          // A short name is no problem for DNS left alone, but the balancer cannot route it.
          if (expanded.reason === 'short' && !dns && !(proxy && loadBalancer)) continue;
          problemAt(n, `${n.label}: ${expanded.message}`);
          continue;
        }
        claims.push({
          name: expanded.name,
          container: c.container,
          label: n.label,
          ...(n.label === PROXY_HOST_LABEL ? { proxyPorts: proxyPorts!.map((p) => ({ ...p })) } : {}),
          source: n.source,
          field: n.field,
        });
      }
    }
  }
  return claims;
}

/** `proxy.ports` (or the default 80:80), each container port checked against the portMappings. */
function checkedProxyPorts(
  c: ContainerHostLabels,
  problemAt: (at: LabelAt, message: string) => void,
): ProxyPort[] | undefined {
  let ports: ProxyPort[];
  if (c.ports) {
    const parsed = parseProxyPorts(c.ports.value);
    if (!parsed.ok) {
      problemAt(c.ports, `${PROXY_PORTS_LABEL} "${c.ports.value}" ${parsed.message}`);
      return undefined;
    }
    ports = parsed.ports;
  } else {
    ports = DEFAULT_PROXY_PORTS.map((p) => ({ ...p }));
  }
  const mapped = c.containerPorts;
  if (!mapped) return ports;
  const missing = ports.filter(
    (p) => !mapped.some((m) => p.container >= m.port && p.container <= (m.to ?? m.port)),
  );
  if (missing.length === 0) return ports;
  const list = mapped.map((m) => (m.to === undefined ? `${m.port}` : `${m.port}-${m.to}`)).join(', ');
  const which = missing.map((p) => p.container).join(', ');
  if (c.ports) {
    problemAt(
      c.ports,
      `${PROXY_PORTS_LABEL} "${c.ports.value}": container port ${which} is not in the portMappings of container "${c.container}" (containerPort ${list})`,
    );
  } else {
    const host = c.names.find((n) => n.label === PROXY_HOST_LABEL)!;
    problemAt(
      host,
      `without ${PROXY_PORTS_LABEL} the name is served by container port 80, which is not in the portMappings of container "${c.container}" (containerPort ${list}): add ${PROXY_PORTS_LABEL}, like "80:${mapped[0].port}"`,
    );
  }
  return undefined;
}

function duplicateClaim(
  claim: NameClaim,
  service: DesiredService,
  firstClaim: NameClaim,
  first: DesiredService,
): SpecError {
  const where = (s: SourceRef): string => `${path.basename(s.file)}:${s.line}:${s.column}`;
  return {
    ...claim.source,
    field: claim.field,
    message:
      `host name "${claim.name}" of service "${service.name}" (${path.basename(service.source.file)}) ` +
      `is also claimed by service "${first.name}" (${path.basename(first.source.file)}, ` +
      `${firstClaim.label} at ${where(firstClaim.source)}): a name can belong to one service only`,
  };
}
