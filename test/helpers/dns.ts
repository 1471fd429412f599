import type { DesiredState } from '../../controller/model/desired';
import type { DnsConfig } from '../../controller/model/dns';

const source = { file: 'cluster.yaml', line: 1, column: 1 };

/** A desired state with no ECS resources, only DNS names (and `dns:` unless given `null`). */
export function dnsDesired(opts: {
  cluster?: string;
  hostnames?: string[];
  dns?: Partial<DnsConfig> | null;
}): DesiredState {
  const cluster = opts.cluster ?? 'demo';
  const dns: DnsConfig | undefined =
    opts.dns === null
      ? undefined
      : {
          ttl: 300,
          policy: 'sync',
          privateZones: false,
          ownerId: cluster,
          adopt: false,
          target: { kind: 'addresses', addresses: ['192.0.2.1'] },
          source,
          ...opts.dns,
        };
  return {
    cluster: {
      name: cluster,
      prefix: cluster,
      ownerId: cluster,
      tags: {},
      adopt: false,
      serviceDefaults: { desiredCount: 1 },
      ...(dns ? { dns } : {}),
      source,
      dir: '.',
    },
    taskDefinitions: [],
    services: [],
    hostnames: (opts.hostnames ?? []).map((name) => ({
      name,
      service: 'web',
      container: 'web',
      label: 'proxy.host' as const,
      source,
    })),
  };
}
