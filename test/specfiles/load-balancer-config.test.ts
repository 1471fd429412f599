import * as fs from 'fs';
import * as path from 'path';
import {
  DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
  DEFAULT_TARGET_GROUP_SETTINGS,
} from '../../controller/model/load-balancer';
import { TARGET_GROUP_RANGES } from '../../controller/specfiles/target-group-settings';
import { load, specDir } from './helpers';

const ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shared-alb/50dc6c495c0c9188';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const CREATE = '  create:\n    subnets: [subnet-0a1, subnet-0b2]\n    securityGroups: [sg-0c3]\n';

async function config(text: string) {
  const dir = specDir({ 'cluster.yaml': text });
  const r = await load(dir);
  expect(r.errors).toEqual([]);
  return { cluster: r.state!.cluster, file: path.join(dir, 'cluster.yaml') };
}

/** Loads a cluster.yaml that must fail and returns its errors as [line, column, field, message]. */
async function configErrors(text: string) {
  const dir = specDir({ 'cluster.yaml': text });
  const r = await load(dir);
  expect(r.state).toBeUndefined();
  for (const e of r.errors) expect(e.file).toBe(path.join(dir, 'cluster.yaml'));
  return r.errors.map((e) => [e.line, e.column, e.field, e.message]);
}

describe('cluster.yaml loadBalancer:', () => {
  it('an existing balancer by name: no listeners required, every target group default filled in', async () => {
    const { cluster, file } = await config('name: demo\nloadBalancer:\n  name: shared-alb\n');
    expect(cluster.loadBalancer).toEqual({
      ref: { kind: 'existing', name: 'shared-alb' },
      listeners: [],
      redirectHttpToHttps: false,
      targetGroup: DEFAULT_TARGET_GROUP_SETTINGS,
      healthCheckGracePeriodSeconds: DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
      source: { file, line: 2, column: 1 },
    });
  });

  it('an existing balancer by ARN, with the listener ports it must have', async () => {
    const { cluster } = await config(
      `name: demo\nregion: eu-west-1\nloadBalancer:\n  arn: ${ARN}\n  listeners: [{ port: 80 }, { port: 443, protocol: HTTPS }]\n`,
    );
    expect(cluster.loadBalancer!.ref).toEqual({ kind: 'existing', arn: ARN });
    expect(cluster.loadBalancer!.listeners).toEqual([
      { port: 80, protocol: 'HTTP' },
      { port: 443, protocol: 'HTTPS' },
    ]);
  });

  it('a created balancer: named after the cluster, internet-facing, ipv4, one HTTP listener on 80', async () => {
    const { cluster } = await config(`name: Shop_Prod\nloadBalancer:\n${CREATE}`);
    expect(cluster.loadBalancer).toMatchObject({
      ref: {
        kind: 'owned',
        name: 'Shop-Prod',
        subnets: ['subnet-0a1', 'subnet-0b2'],
        securityGroups: ['sg-0c3'],
        scheme: 'internet-facing',
        ipAddressType: 'ipv4',
      },
      listeners: [{ port: 80, protocol: 'HTTP' }],
      redirectHttpToHttps: false,
    });
  });

  it('every setting: HTTPS inferred from certificateArn, redirect, health check, stickiness, grace period', async () => {
    const text = [
      'name: demo',
      'loadBalancer:',
      '  create:',
      '    name: shop-alb',
      '    subnets: [subnet-0a1, subnet-0b2]',
      '    securityGroups: [sg-0c3, sg-0d4]',
      '    scheme: internal',
      '    ipAddressType: dualstack',
      '  listeners:',
      '    - port: 80',
      `    - { port: 443, certificateArn: "${CERT}", sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06 }`,
      '  redirectHttpToHttps: true',
      '  healthCheck:',
      '    path: /health',
      '    matcher: "200,302"',
      '    intervalSeconds: 30',
      '    timeoutSeconds: 10',
      '    healthyThresholdCount: 3',
      '    unhealthyThresholdCount: 4',
      '  deregistrationDelaySeconds: 0',
      '  stickiness: { enabled: true, durationSeconds: 3600 }',
      '  healthCheckGracePeriodSeconds: 120',
      '',
    ].join('\n');
    const { cluster } = await config(text);
    expect(cluster.loadBalancer).toEqual({
      ref: {
        kind: 'owned',
        name: 'shop-alb',
        subnets: ['subnet-0a1', 'subnet-0b2'],
        securityGroups: ['sg-0c3', 'sg-0d4'],
        scheme: 'internal',
        ipAddressType: 'dualstack',
      },
      listeners: [
        { port: 80, protocol: 'HTTP' },
        {
          port: 443,
          protocol: 'HTTPS',
          certificateArn: CERT,
          sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        },
      ],
      redirectHttpToHttps: true,
      targetGroup: {
        healthCheck: {
          path: '/health',
          matcher: '200,302',
          intervalSeconds: 30,
          timeoutSeconds: 10,
          healthyThresholdCount: 3,
          unhealthyThresholdCount: 4,
        },
        deregistrationDelaySeconds: 0,
        stickiness: { enabled: true, durationSeconds: 3600 },
      },
      healthCheckGracePeriodSeconds: 120,
      source: expect.objectContaining({ line: 2 }),
    });
  });

  it('stickiness: false, and { enabled: true } with the default duration', async () => {
    const off = await config('name: demo\nloadBalancer:\n  name: alb\n  stickiness: false\n');
    expect(off.cluster.loadBalancer!.targetGroup.stickiness).toEqual({
      enabled: false,
      durationSeconds: 86400,
    });
    const on = await config('name: demo\nloadBalancer:\n  name: alb\n  stickiness: { enabled: true }\n');
    expect(on.cluster.loadBalancer!.targetGroup.stickiness).toEqual({
      enabled: true,
      durationSeconds: 86400,
    });
  });

  it('none, or more than one, of name, arn and create is an error at loadBalancer', async () => {
    expect(await configErrors('name: demo\nloadBalancer:\n  stickiness: false\n')).toEqual([
      [
        2,
        1,
        'loadBalancer',
        'needs exactly one of name, arn (an existing Application Load Balancer) or create (one ecs-gitops owns); none is set',
      ],
    ]);
    expect(await configErrors(`name: demo\nloadBalancer:\n  name: alb\n${CREATE}`)).toEqual([
      [2, 1, 'loadBalancer', expect.stringMatching(/; name and create are set$/)],
    ]);
  });

  it('an unknown key gets a did-you-mean, in loadBalancer and inside create and healthCheck', async () => {
    const text = [
      'name: demo',
      'loadBalancer:',
      '  create:',
      '    subnets: [subnet-0a1, subnet-0b2]',
      '    securityGroup: [sg-0c3]',
      '  healthCheck: { intervalSecs: 10 }',
      '  redirectHttpToHttp: true',
      '',
    ].join('\n');
    expect(await configErrors(text)).toEqual([
      [3, 3, 'loadBalancer.create.securityGroups', 'missing required field "securityGroups"'],
      [
        5,
        5,
        'loadBalancer.create.securityGroup',
        'unknown field "securityGroup" (did you mean "securityGroups"?)',
      ],
      [
        6,
        18,
        'loadBalancer.healthCheck.intervalSecs',
        'unknown field "intervalSecs" (did you mean "intervalSeconds"?)',
      ],
      [
        7,
        3,
        'loadBalancer.redirectHttpToHttp',
        'unknown field "redirectHttpToHttp" (did you mean "redirectHttpToHttps"?)',
      ],
    ]);
  });

  it('values outside what ELBv2 takes are errors at their field', async () => {
    const text = [
      'name: demo',
      'loadBalancer:',
      '  create:',
      '    subnets: [subnet-0a1]',
      '    securityGroups: [default]',
      '    scheme: public',
      '  listeners: [{ port: 0 }]',
      '  healthCheck:',
      '    intervalSeconds: 301',
      '    timeoutSeconds: 1',
      '    healthyThresholdCount: 11',
      '    unhealthyThresholdCount: 1',
      '  deregistrationDelaySeconds: 3601',
      '  stickiness: { enabled: true, durationSeconds: 604801 }',
      '',
    ].join('\n');
    expect(await configErrors(text)).toEqual([
      [4, 5, 'loadBalancer.create.subnets', 'must NOT have fewer than 2 items'],
      [5, 22, 'loadBalancer.create.securityGroups[0]', '"default" does not match ^sg-[0-9a-f]+$'],
      [
        6,
        5,
        'loadBalancer.create.scheme',
        'invalid value "public", expected one of internet-facing, internal',
      ],
      [7, 17, 'loadBalancer.listeners[0].port', 'must be >= 1'],
      [9, 5, 'loadBalancer.healthCheck.intervalSeconds', 'must be <= 300'],
      [10, 5, 'loadBalancer.healthCheck.timeoutSeconds', 'must be >= 2'],
      [11, 5, 'loadBalancer.healthCheck.healthyThresholdCount', 'must be <= 10'],
      [12, 5, 'loadBalancer.healthCheck.unhealthyThresholdCount', 'must be >= 2'],
      [13, 3, 'loadBalancer.deregistrationDelaySeconds', 'must be <= 3600'],
      [14, 32, 'loadBalancer.stickiness.durationSeconds', 'must be <= 604800'],
    ]);
  });

  it('stickiness: true is not a setting (false, or { enabled, durationSeconds })', async () => {
    expect(await configErrors('name: demo\nloadBalancer:\n  name: alb\n  stickiness: true\n')).toEqual([
      [4, 3, 'loadBalancer.stickiness', 'invalid value true, expected one of false'],
    ]);
  });

  it('the schema ranges are the ones the labels are checked against', () => {
    const schema = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../crds/cluster.schema.json'), 'utf8'),
    ) as {
      definitions: Record<string, { properties: Record<string, { minimum: number; maximum: number }> }>;
    };
    const d = schema.definitions;
    const range = (p: { minimum: number; maximum: number }) => ({ min: p.minimum, max: p.maximum });
    expect({
      intervalSeconds: range(d.HealthCheck.properties.intervalSeconds),
      timeoutSeconds: range(d.HealthCheck.properties.timeoutSeconds),
      healthyThresholdCount: range(d.HealthCheck.properties.healthyThresholdCount),
      unhealthyThresholdCount: range(d.HealthCheck.properties.unhealthyThresholdCount),
      deregistrationDelaySeconds: range(d.LoadBalancer.properties.deregistrationDelaySeconds),
      stickinessDurationSeconds: range(d.Stickiness.properties.durationSeconds),
    }).toEqual(TARGET_GROUP_RANGES);
  });

  it('what the schema cannot say: names, ARNs, matcher, path, timeout against interval, listeners', async () => {
    const text = [
      'name: demo',
      'region: eu-west-1',
      'loadBalancer:',
      '  create:',
      '    name: internal-shop',
      '    subnets: [subnet-0a1, subnet-0b2]',
      '    securityGroups: [sg-0c3]',
      '  listeners:',
      '    - { port: 80, protocol: HTTP, certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" }',
      '    - { port: 80, protocol: HTTP, sslPolicy: ELBSecurityPolicy-2016-08 }',
      '    - { port: 443, protocol: HTTPS }',
      '    - { port: 8443, certificateArn: my-cert }',
      '  healthCheck:',
      '    path: health',
      '    matcher: "200-600"',
      '    intervalSeconds: 5',
      '',
    ].join('\n');
    expect(await configErrors(text)).toEqual([
      [
        5,
        5,
        'loadBalancer.create.name',
        '"internal-shop" must not start with "internal-" (ELBv2 reserves it)',
      ],
      [
        9,
        35,
        'loadBalancer.listeners[0].certificateArn',
        'an HTTP listener takes no certificate: set protocol HTTPS or remove it',
      ],
      [10, 9, 'loadBalancer.listeners[1].port', 'duplicate listener port 80 (also listeners[0])'],
      [
        10,
        35,
        'loadBalancer.listeners[1].sslPolicy',
        'an HTTP listener takes no SSL policy: set protocol HTTPS or remove it',
      ],
      [11, 7, 'loadBalancer.listeners[2]', 'an HTTPS listener needs a certificateArn (an ACM certificate)'],
      [
        12,
        21,
        'loadBalancer.listeners[3].certificateArn',
        '"my-cert" is not a certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)',
      ],
      [14, 5, 'loadBalancer.healthCheck.path', '"health" must start with "/"'],
      [15, 5, 'loadBalancer.healthCheck.matcher', '"200-600" has the code 600: codes are 200-499'],
      [
        16,
        5,
        'loadBalancer.healthCheck.intervalSeconds',
        'the health check timeout (5 s) must be less than its interval (5 s)',
      ],
    ]);
  });

  it('an ARN of another region, of a Network Load Balancer, or no ARN at all', async () => {
    const other = ARN.replace('eu-west-1', 'us-east-1');
    expect(await configErrors(`name: demo\nregion: eu-west-1\nloadBalancer:\n  arn: ${other}\n`)).toEqual([
      [
        4,
        3,
        'loadBalancer.arn',
        `"${other}" is in us-east-1, but the cluster is in eu-west-1: a service can only use a balancer of its region`,
      ],
    ]);
    const nlb = ARN.replace('/app/', '/net/');
    expect(await configErrors(`name: demo\nloadBalancer:\n  arn: ${nlb}\n`)).toEqual([
      [
        3,
        3,
        'loadBalancer.arn',
        `"${nlb}" is not an Application Load Balancer: host rules need one (loadbalancer/app/...)`,
      ],
    ]);
    expect(await configErrors('name: demo\nloadBalancer:\n  arn: shared-alb\n')).toEqual([
      [3, 3, 'loadBalancer.arn', expect.stringMatching(/^"shared-alb" is not a load balancer ARN/)],
    ]);
    expect(await configErrors('name: demo\nloadBalancer:\n  name: shared_alb\n')).toEqual([
      [3, 3, 'loadBalancer.name', expect.stringMatching(/^"shared_alb" is not a valid load balancer name/)],
    ]);
  });

  it('redirectHttpToHttps: only on a created balancer, with an HTTP and an HTTPS listener', async () => {
    expect(
      await configErrors('name: demo\nloadBalancer:\n  name: alb\n  redirectHttpToHttps: true\n'),
    ).toEqual([
      [
        4,
        3,
        'loadBalancer.redirectHttpToHttps',
        expect.stringMatching(/^only for a balancer ecs-gitops creates/),
      ],
    ]);
    expect(await configErrors(`name: demo\nloadBalancer:\n${CREATE}  redirectHttpToHttps: true\n`)).toEqual([
      [
        6,
        3,
        'loadBalancer.redirectHttpToHttps',
        expect.stringMatching(/^needs an HTTP and an HTTPS listener/),
      ],
    ]);
  });
});

describe("dns.target loadBalancer: the cluster's own balancer", () => {
  const dns = (target: string) => `dns:\n  domain: example.com\n  target: { loadBalancer: "${target}" }\n`;

  it('managed names the balancer of loadBalancer: (its name, its ARN, or the created name)', async () => {
    const byName = await config(`name: demo\nloadBalancer:\n  name: shared-alb\n${dns('managed')}`);
    expect(byName.cluster.dns!.target).toEqual({
      kind: 'loadBalancer',
      nameOrArn: 'shared-alb',
      managed: true,
    });
    const byArn = await config(`name: demo\nloadBalancer:\n  arn: ${ARN}\n${dns('managed')}`);
    expect(byArn.cluster.dns!.target).toEqual({ kind: 'loadBalancer', nameOrArn: ARN, managed: true });
    const owned = await config(`name: demo\nloadBalancer:\n${CREATE}${dns('managed')}`);
    expect(owned.cluster.dns!.target).toEqual({ kind: 'loadBalancer', nameOrArn: 'demo', managed: true });
  });

  it('naming the same balancer is the same as managed; another balancer is not managed', async () => {
    const same = await config(`name: demo\nloadBalancer:\n  arn: ${ARN}\n${dns('Shared-ALB')}`);
    expect(same.cluster.dns!.target).toEqual({ kind: 'loadBalancer', nameOrArn: ARN, managed: true });
    const sameArn = await config(`name: demo\nloadBalancer:\n  name: shared-alb\n${dns(ARN)}`);
    expect(sameArn.cluster.dns!.target).toEqual({
      kind: 'loadBalancer',
      nameOrArn: 'shared-alb',
      managed: true,
    });
    const other = await config(`name: demo\nloadBalancer:\n  name: shared-alb\n${dns('other-alb')}`);
    expect(other.cluster.dns!.target).toEqual({ kind: 'loadBalancer', nameOrArn: 'other-alb' });
  });

  it('managed without loadBalancer: is an error at dns.target.loadBalancer', async () => {
    expect(await configErrors(`name: demo\n${dns('managed')}`)).toEqual([
      [
        4,
        13,
        'dns.target.loadBalancer',
        '"managed" means the balancer of the loadBalancer: section, and there is none: add one, or name a balancer',
      ],
    ]);
  });

  it('a broken loadBalancer: gives no second error at dns', async () => {
    expect(await configErrors(`name: demo\nloadBalancer:\n  name: bad_name\n${dns('managed')}`)).toEqual([
      [3, 3, 'loadBalancer.name', expect.stringMatching(/is not a valid load balancer name/)],
    ]);
  });
});
