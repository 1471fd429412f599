import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, load, specDir } from './helpers';

/** Loads a cluster.yaml that must fail and returns its errors as [line, column, field, message]. */
async function configErrors(text: string) {
  const dir = specDir({ 'cluster.yaml': text });
  const r = await load(dir);
  expect(r.state).toBeUndefined();
  for (const e of r.errors) expect(e.file).toBe(path.join(dir, 'cluster.yaml'));
  return r.errors.map((e) => [e.line, e.column, e.field, e.message]);
}

describe('cluster.yaml dns:', () => {
  it('every setting, with the zone id stored without /hostedzone/ and names in compared form', async () => {
    const text = [
      'name: demo',
      'ownerId: team-a',
      'dns:',
      '  domain: Example.COM.',
      '  ttl: 60',
      '  policy: upsert-only',
      '  zoneId: /hostedzone/Z0123456789ABCDEFGHIJ',
      '  privateZones: true',
      '  ownerId: dns-owner',
      '  adopt: true',
      '  target:',
      '    cname: LB.Example.net.',
      '',
    ].join('\n');
    const dir = specDir({ 'cluster.yaml': text });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.cluster.dns).toEqual({
      domain: 'example.com',
      ttl: 60,
      policy: 'upsert-only',
      zoneId: 'Z0123456789ABCDEFGHIJ',
      privateZones: true,
      ownerId: 'dns-owner',
      adopt: true,
      target: { kind: 'cname', name: 'lb.example.net' },
      source: { file: path.join(dir, 'cluster.yaml'), line: 3, column: 1 },
    });
  });

  it('defaults: ttl 300, policy sync, no private zones, no adoption, the cluster ownerId', async () => {
    const dir = specDir({
      'cluster.yaml':
        'name: demo\nownerId: team-a\ndns:\n  zoneId: Z1\n  target: { loadBalancer: shop-alb }\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.cluster.dns).toEqual({
      ttl: 300,
      policy: 'sync',
      zoneId: 'Z1',
      privateZones: false,
      ownerId: 'team-a',
      adopt: false,
      target: { kind: 'loadBalancer', nameOrArn: 'shop-alb' },
      source: { file: path.join(dir, 'cluster.yaml'), line: 3, column: 1 },
    });
  });

  it('instances: true and IPv4 plus IPv6 addresses are targets', async () => {
    const a = await load(specDir({ 'cluster.yaml': 'name: demo\ndns:\n  target:\n    instances: true\n' }));
    expect(a.state!.cluster.dns!.target).toEqual({ kind: 'instances' });
    const b = await load(
      specDir({
        'cluster.yaml': 'name: demo\ndns:\n  target:\n    addresses: [203.0.113.10, "2001:db8::1"]\n',
      }),
    );
    expect(b.state!.cluster.dns!.target).toEqual({
      kind: 'addresses',
      addresses: ['203.0.113.10', '2001:db8::1'],
    });
  });

  it('no target is an error at dns', async () => {
    expect(await configErrors('name: demo\ndns:\n  domain: example.com\n')).toEqual([
      [2, 1, 'dns.target', 'missing required field "target"'],
    ]);
  });

  it('an empty target is an error at dns.target', async () => {
    expect(await configErrors('name: demo\ndns:\n  target: {}\n')).toEqual([
      [
        3,
        3,
        'dns.target',
        'needs exactly one of loadBalancer, cname, addresses, instances (where the names point); none is set',
      ],
    ]);
  });

  it('two targets are an error at dns.target', async () => {
    const text = 'name: demo\ndns:\n  target:\n    loadBalancer: shop-alb\n    addresses: [203.0.113.10]\n';
    expect(await configErrors(text)).toEqual([
      [
        3,
        3,
        'dns.target',
        'needs exactly one of loadBalancer, cname, addresses, instances (where the names point); loadBalancer and addresses are set',
      ],
    ]);
  });

  it('a bad IP address, a duplicate address and an empty list are errors at the address', async () => {
    const text = 'name: demo\ndns:\n  target:\n    addresses: [203.0.113.10, 203.0.113.300, 203.0.113.10]\n';
    expect(await configErrors(text)).toEqual([
      [4, 31, 'dns.target.addresses[1]', '"203.0.113.300" is not an IPv4 or IPv6 address'],
      [4, 46, 'dns.target.addresses[2]', 'duplicate address "203.0.113.10" (also addresses[0])'],
    ]);
    expect(await configErrors('name: demo\ndns:\n  target:\n    addresses: []\n')).toEqual([
      [4, 5, 'dns.target.addresses', 'must NOT have fewer than 1 items'],
    ]);
  });

  it('a bad policy gets a did-you-mean; an unknown field too', async () => {
    const text = 'name: demo\ndns:\n  policy: upsert_only\n  tll: 60\n  target: { instances: true }\n';
    expect(await configErrors(text)).toEqual([
      [
        3,
        3,
        'dns.policy',
        'invalid value "upsert_only", expected one of sync, upsert-only (did you mean "upsert-only"?)',
      ],
      [4, 3, 'dns.tll', 'unknown field "tll" (did you mean "ttl"?)'],
    ]);
  });

  it('wrong types and values: ttl, instances: false, a zone id, an unknown target kind', async () => {
    const text = [
      'name: demo',
      'dns:',
      '  ttl: -1',
      '  zoneId: "zone 1"',
      '  target:',
      '    instances: false',
      '    loadBalancr: x',
      '',
    ].join('\n');
    expect(await configErrors(text)).toEqual([
      [3, 3, 'dns.ttl', 'must be >= 0'],
      [4, 3, 'dns.zoneId', '"zone 1" does not match ^(/hostedzone/)?[A-Za-z0-9]{1,32}$'],
      [6, 5, 'dns.target.instances', 'invalid value false, expected one of true'],
      [7, 5, 'dns.target.loadBalancr', 'unknown field "loadBalancr" (did you mean "loadBalancer"?)'],
    ]);
  });

  it('an invalid domain or cname is an error at it', async () => {
    const text = 'name: demo\ndns:\n  domain: "*.example.com"\n  target:\n    cname: lb_1.example.com\n';
    expect(await configErrors(text)).toEqual([
      [3, 3, 'dns.domain', '"*.example.com" is not a valid domain: it may not be a wildcard'],
      [
        5,
        5,
        'dns.target.cname',
        '"lb_1.example.com" is not a valid host name: it has the label "lb_1" with characters other than letters, digits and "-"',
      ],
    ]);
  });
});

describe('--config: a cluster.yaml kept outside the directory', () => {
  const EXAMPLE = path.join(FIXTURES, 'ecs-efs-example');
  const CONFIG = path.join(FIXTURES, 'ecs-efs-dns.yaml');

  it('is read instead of <dir>/cluster.yaml, and the YAML twin of the directory gives the same names', async () => {
    const json = await load(EXAMPLE, { configFile: CONFIG });
    const yaml = await load(path.join(FIXTURES, 'yaml-equivalent'), { configFile: CONFIG });
    expect(yaml.errors).toEqual([]);
    expect(yaml.state!.cluster.name).toBe('demo');
    const strip = (r: typeof json) => r.state!.hostnames.map(({ source: _source, ...h }) => h);
    expect(strip(yaml)).toEqual(strip(json));
    expect(yaml.state!.hostnames.map((h) => h.source)).toEqual([
      { file: path.join(FIXTURES, 'yaml-equivalent', 'jenkins.taskdef.yaml'), line: 16, column: 7 },
      { file: path.join(FIXTURES, 'yaml-equivalent', 'webserver.taskdef.yml'), line: 8, column: 7 },
    ]);
  });

  it('a directory with its own cluster.yaml as well is an error at that cluster.yaml', async () => {
    const dir = specDir({ 'cluster.yaml': 'name: demo\n' });
    const r = await load(dir, { configFile: CONFIG });
    expect(r.state).toBeUndefined();
    expect(r.errors).toEqual([
      {
        file: path.join(dir, 'cluster.yaml'),
        line: 1,
        column: 1,
        field: '',
        message: `--config ${CONFIG} is given, but ${path.join(dir, 'cluster.yaml')} exists too: use one of them`,
      },
    ]);
  });

  it('--cluster and --prefix must agree with it; errors are reported against the config file', async () => {
    const r = await load(EXAMPLE, { configFile: CONFIG, clusterName: 'prod', prefix: 'staging' });
    expect(r.errors).toEqual([
      {
        file: CONFIG,
        line: 3,
        column: 1,
        field: 'name',
        message: `--cluster prod does not match the name "demo" in ${CONFIG}`,
      },
      {
        file: CONFIG,
        line: 3,
        column: 1, // no prefix in the file: the cluster name is the prefix
        field: 'prefix',
        message: `--prefix staging does not match the prefix "demo" of ${CONFIG}`,
      },
    ]);
    const agreeing = await load(EXAMPLE, { configFile: CONFIG, clusterName: 'demo', prefix: 'demo' });
    expect(agreeing.errors).toEqual([]);
  });

  it('a config file that does not exist, or has errors, is reported at its own path', async () => {
    const missing = path.join(FIXTURES, 'no-such-cluster.yaml');
    const r = await load(EXAMPLE, { configFile: missing });
    expect(r.errors).toEqual([
      {
        file: missing,
        line: 1,
        column: 1,
        field: '',
        message: expect.stringMatching(/^cannot read: ENOENT/),
      },
    ]);
    const bad = path.join(
      specDir({ 'elsewhere.yaml': 'name: demo\ndns:\n  target: {}\n' }),
      'elsewhere.yaml',
    );
    expect(fs.existsSync(bad)).toBe(true);
    const r2 = await load(EXAMPLE, { configFile: bad });
    expect(r2.errors).toEqual([
      {
        file: bad,
        line: 3,
        column: 3,
        field: 'dns.target',
        message:
          'needs exactly one of loadBalancer, cname, addresses, instances (where the names point); none is set',
      },
    ]);
  });
});
