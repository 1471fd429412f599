import * as path from 'path';
import { FIXTURES, load, specDir } from './helpers';

const DNS_CLUSTER = 'name: demo\ndns:\n  domain: example.com\n  target:\n    instances: true\n';

/**
 * A task definition with one container per entry; labels are written one per line, so in container
 * 0 the n-th label is on line 8 + n, column 9 (see labelAt).
 */
function taskdef(
  containers: { name?: string; labels: Record<string, string>; ports?: number[]; autocreate?: boolean }[],
): string {
  const lines = ['{', '  "containerDefinitions": ['];
  containers.forEach((c, i) => {
    lines.push(
      '    {',
      `      "name": "${c.name ?? 'web'}",`,
      '      "image": "nginx",',
      '      "memoryReservation": 64,',
      '      "dockerLabels": {',
    );
    const labels = Object.entries({ ...c.labels, ...(c.autocreate ? { 'AUTOCREATE.SERVICE': '' } : {}) });
    labels.forEach(([k, v], j) =>
      lines.push(`        "${k}": ${JSON.stringify(v)}${j < labels.length - 1 ? ',' : ''}`),
    );
    lines.push('      },');
    const mappings = (c.ports ?? []).map((p) => `{ "containerPort": ${p} }`).join(', ');
    lines.push(`      "portMappings": [${mappings}]`);
    lines.push(i < containers.length - 1 ? '    },' : '    }');
  });
  lines.push('  ]', '}', '');
  return lines.join('\n');
}

/** Line and column of the n-th label of container 0 of a `taskdef()` text. */
const labelAt = (n: number) => ({ line: 8 + n, column: 9 });

describe('host names from docker labels', () => {
  it('an ecs-efs directory with its cluster.yaml kept outside (--config) gets its names with the domain', async () => {
    const dir = path.join(FIXTURES, 'ecs-efs-example');
    const configFile = path.join(FIXTURES, 'ecs-efs-dns.yaml');
    const r = await load(dir, { configFile });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const { cluster, hostnames } = r.state!;
    expect(cluster.source).toEqual({ file: configFile, line: 3, column: 1 });
    expect(cluster.dns).toEqual({
      domain: 'example.com',
      ttl: 300,
      policy: 'sync',
      privateZones: false,
      ownerId: 'demo',
      adopt: false,
      target: { kind: 'addresses', addresses: ['203.0.113.10'] },
      source: { file: configFile, line: 4, column: 1 },
    });
    expect(r.files[0]).toBe(configFile);
    expect(hostnames).toEqual([
      {
        name: 'ci.example.com', // two dots: as written
        service: 'jenkins', // the AUTOCREATE.SERVICE service
        container: 'jenkins',
        label: 'proxy.host',
        proxyPorts: [{ listen: 80, container: 8080 }],
        source: { file: path.join(dir, 'jenkins.taskdef'), line: 20, column: 9 },
      },
      {
        name: 'www.example.com', // `www` plus dns.domain
        service: 'webserver',
        container: 'web',
        label: 'proxy.host',
        proxyPorts: [{ listen: 80, container: 80 }],
        source: { file: path.join(dir, 'webserver.taskdef'), line: 10, column: 9 },
      },
    ]);
  });

  it('without dns: configured, only fully qualified names are kept and a short name is no error', async () => {
    const r = await load(path.join(FIXTURES, 'ecs-efs-example'), { clusterName: 'demo' });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.state!.cluster.dns).toBeUndefined();
    expect(r.state!.hostnames.map((h) => [h.name, h.service])).toEqual([['ci.example.com', 'jenkins']]);
  });

  it('expands short, one-dot, two-dot, trailing-dot, upper-case and wildcard names in comma/space lists', async () => {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'web.taskdef': taskdef([
        {
          labels: {
            'proxy.host': 'www, ci.dev  Shop.Example.ORG,API.example.net. *.ci',
            'proxy.ports': '80:8080 443:8443',
            'dns.hostname': '* intranet.',
          },
          ports: [8080, 8443],
          autocreate: true,
        },
      ]),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    const file = path.join(dir, 'web.taskdef');
    const ports = [
      { listen: 80, container: 8080 },
      { listen: 443, container: 8443 },
    ];
    const proxy = { service: 'web', container: 'web', label: 'proxy.host', proxyPorts: ports };
    const dnsOnly = { service: 'web', container: 'web', label: 'dns.hostname' };
    expect(r.state!.hostnames).toEqual([
      { name: '*.ci.example.com', ...proxy, source: { file, ...labelAt(0) } },
      { name: '*.example.com', ...dnsOnly, source: { file, ...labelAt(2) } },
      { name: 'api.example.net', ...proxy, source: { file, ...labelAt(0) } },
      { name: 'ci.dev.example.com', ...proxy, source: { file, ...labelAt(0) } },
      { name: 'intranet', ...dnsOnly, source: { file, ...labelAt(2) } },
      { name: 'shop.example.org', ...proxy, source: { file, ...labelAt(0) } },
      { name: 'www.example.com', ...proxy, source: { file, ...labelAt(0) } },
    ]);
    // dns.hostname names get no proxy ports at all.
    expect(r.state!.hostnames[1]).not.toHaveProperty('proxyPorts');
  });

  it('one name twice in one service (two containers, or both labels) is kept once: the first wins', async () => {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'web.taskdef': taskdef([
        { labels: { 'dns.hostname': 'www', 'proxy.host': 'WWW.example.com.' }, autocreate: true },
        { name: 'sidecar', labels: { 'proxy.host': 'www api', 'proxy.ports': '81:81' }, ports: [81] },
      ]),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.hostnames.map((h) => [h.name, h.container, h.label, h.proxyPorts])).toEqual([
      ['api.example.com', 'sidecar', 'proxy.host', [{ listen: 81, container: 81 }]],
      ['www.example.com', 'web', 'dns.hostname', undefined],
    ]);
  });

  it('a name claimed by two services is an error at the second, naming both files and services', async () => {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'api.taskdef': taskdef([{ labels: { 'proxy.host': 'api shop' }, autocreate: true }]),
      'web.taskdef': taskdef([{ labels: { 'proxy.host': 'www', 'dns.hostname': 'Shop.example.com.' } }]),
      'web.service': '{ "desiredCount": 2 }\n',
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        ...labelAt(1),
        field: 'containerDefinitions[0].dockerLabels["dns.hostname"]',
        message:
          'host name "shop.example.com" of service "web" (web.service) is also claimed by service "api" ' +
          '(api.taskdef, proxy.host at api.taskdef:8:9): a name can belong to one service only',
      },
    ]);
  });

  it('two services on one task definition claim its names twice: an error', async () => {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'web.taskdef': taskdef([{ labels: { 'proxy.host': 'www' } }]),
      'web.service': '{}\n',
      'web-canary.service': '{ "taskDefinition": "web" }\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        ...labelAt(0),
        field: 'containerDefinitions[0].dockerLabels["proxy.host"]',
        message:
          'host name "www.example.com" of service "web-canary" (web-canary.service) is also claimed by ' +
          'service "web" (web.service, proxy.host at web.taskdef:8:9): a name can belong to one service only',
      },
    ]);
  });

  it('a task definition no service uses, or that a service pins by revision, contributes nothing', async () => {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'batch.taskdef': taskdef([{ labels: { 'proxy.host': 'www', 'proxy.ports': 'nonsense' } }]),
      'web.taskdef': taskdef([{ labels: { 'proxy.host': 'www' } }]),
      'web.service': '{ "taskDefinition": "demo-web:3" }\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.state!.services.map((s) => s.name)).toEqual(['web']);
    expect(r.state!.hostnames).toEqual([]);
  });

  it('a short name with dns: configured but no domain is an error at the label', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\ndns:\n  target:\n    cname: lb.example.com\n',
      'web.taskdef': taskdef([{ labels: { 'proxy.host': 'shop.example.com www' }, autocreate: true }]),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        ...labelAt(0),
        field: 'containerDefinitions[0].dockerLabels["proxy.host"]',
        message:
          'proxy.host: "www" is a short name (at most one dot) and no dns.domain is set to append to it: ' +
          'set dns.domain in the cluster config, or write the full name with a trailing dot ("www.example.com.")',
      },
    ]);
  });

  it('an invalid name is an error at its label', async () => {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'web.taskdef': taskdef([
        { labels: { 'proxy.ports': '80', 'dns.hostname': 'ok a.*.example.com' }, autocreate: true },
      ]),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        ...labelAt(1),
        field: 'containerDefinitions[0].dockerLabels["dns.hostname"]',
        message:
          'dns.hostname: "a.*.example.com" is not a valid host name: "a.*.example.com" has "*" in a label other than the leftmost one',
      },
    ]);
  });

  it('without dns: configured, label problems are warnings and the names are left out', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': taskdef([
        { labels: { 'proxy.host': 'www bad_name.example.com shop.example.com' }, autocreate: true },
      ]),
      'api.taskdef': taskdef([{ labels: { 'dns.hostname': 'shop.example.com' }, autocreate: true }]),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    const file = path.join(dir, 'web.taskdef');
    const field = 'containerDefinitions[0].dockerLabels["proxy.host"]';
    expect(r.warnings).toEqual([
      {
        file,
        ...labelAt(0),
        field,
        message:
          'proxy.host: "bad_name.example.com" is not a valid host name: "bad_name.example.com" has the label ' +
          '"bad_name" with characters other than letters, digits and "-"',
      },
      {
        file,
        ...labelAt(0),
        field,
        message: expect.stringMatching(
          /^host name "shop.example.com" of service "web" .* claimed by service "api"/,
        ),
      },
    ]);
    expect(r.state!.hostnames.map((h) => [h.name, h.service])).toEqual([['shop.example.com', 'api']]);
  });
});

describe('proxy.ports is validated against the container', () => {
  async function errorsFor(labels: Record<string, string>, ports?: number[]) {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'web.taskdef': taskdef([{ labels, ports, autocreate: true }]),
    });
    const r = await load(dir);
    expect(r.state).toBeUndefined();
    return { errors: r.errors, file: path.join(dir, 'web.taskdef') };
  }
  const PORTS_FIELD = 'containerDefinitions[0].dockerLabels["proxy.ports"]';

  it('a malformed pair is an error at proxy.ports', async () => {
    const { errors, file } = await errorsFor({ 'proxy.host': 'www', 'proxy.ports': '80:80 443:' });
    expect(errors).toEqual([
      {
        file,
        ...labelAt(1),
        field: PORTS_FIELD,
        message:
          'proxy.ports "80:80 443:" has the malformed pair "443:": expected LISTEN:CONTAINER (like 80:8080) or one port, separated by spaces',
      },
    ]);
  });

  it('a port outside 1-65535 is an error at proxy.ports', async () => {
    const { errors, file } = await errorsFor({ 'proxy.ports': '80:99999', 'proxy.host': 'www' });
    expect(errors).toEqual([
      {
        file,
        ...labelAt(0),
        field: PORTS_FIELD,
        message: 'proxy.ports "80:99999" has the port 99999 in "80:99999": ports are 1-65535',
      },
    ]);
  });

  it('a container port missing from portMappings is an error at proxy.ports', async () => {
    const { errors, file } = await errorsFor(
      { 'proxy.host': 'www', 'proxy.ports': '80:8081' },
      [8080, 50000],
    );
    expect(errors).toEqual([
      {
        file,
        ...labelAt(1),
        field: PORTS_FIELD,
        message:
          'proxy.ports "80:8081": container port 8081 is not in the portMappings of container "web" (containerPort 8080, 50000)',
      },
    ]);
  });

  it('the default 80:80 with portMappings that lack 80 is an error at proxy.host', async () => {
    const { errors, file } = await errorsFor({ 'proxy.host': 'www' }, [8080]);
    expect(errors).toEqual([
      {
        file,
        ...labelAt(0),
        field: 'containerDefinitions[0].dockerLabels["proxy.host"]',
        message:
          'without proxy.ports the name is served by container port 80, which is not in the portMappings of container "web" (containerPort 8080): add proxy.ports, like "80:8080"',
      },
    ]);
  });

  it('a single number N means N:N, and without portMappings any container port is accepted', async () => {
    const dir = specDir({
      'cluster.yaml': DNS_CLUSTER,
      'web.taskdef': taskdef([{ labels: { 'proxy.host': 'www', 'proxy.ports': '8080' }, autocreate: true }]),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.hostnames[0].proxyPorts).toEqual([{ listen: 8080, container: 8080 }]);
  });

  it('a containerPortRange mapping covers the ports inside it', async () => {
    const text = taskdef([
      { labels: { 'proxy.host': 'www', 'proxy.ports': '80:8005' }, autocreate: true },
    ]).replace('"portMappings": []', '"portMappings": [{ "containerPortRange": "8000-8010" }]');
    const r = await load(specDir({ 'cluster.yaml': DNS_CLUSTER, 'web.taskdef': text }));
    expect(r.errors).toEqual([]);
    expect(r.state!.hostnames[0].proxyPorts).toEqual([{ listen: 80, container: 8005 }]);
  });
});
