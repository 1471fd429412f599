/**
 * export-routing.ts on its own: which services of a cluster ecs-gitops owns are routed by their
 * labels, the cluster defaults it finds, and the labels it writes where a container's own do not
 * give the live routing. The round trips (test/cli/export.sandbox.test.ts, test/e2e/export.moto.test.ts)
 * plan the result back; these cases are the ones that are awkward to make in an account.
 */
import type { Service } from '@aws-sdk/client-ecs';
import { DEFAULT_TARGET_GROUP_SETTINGS } from '../../controller/model/load-balancer';
import type { ObservedTargetGroup } from '../../controller/model/load-balancer';
import { targetGroupName } from '../../controller/model/load-balancer-names';
import { ownershipTags } from '../../controller/model/ownership';
import type { BalancerDetails } from '../../controller/export/export-elb-reader';
import { ownedRouting, type ServiceTaskdef } from '../../controller/export/export-routing';

const ELB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const OWNER = { ownerId: 'shop', cluster: 'shop' };
const OURS = ownershipTags('shop', 'shop');

function group(service: string, port: number, o: Partial<ObservedTargetGroup> = {}): ObservedTargetGroup {
  const name = targetGroupName({
    cluster: 'shop',
    service,
    container: service,
    containerPort: port,
    protocol: 'HTTP',
    targetType: 'instance',
  });
  return {
    arn: `${ELB}:targetgroup/${name}/1`,
    name,
    port,
    protocol: 'HTTP',
    targetType: 'instance',
    vpcId: 'vpc-1',
    healthCheck: { ...DEFAULT_TARGET_GROUP_SETTINGS.healthCheck },
    attributes: {
      'deregistration_delay.timeout_seconds': '30',
      'stickiness.enabled': 'false',
      'stickiness.lb_cookie.duration_seconds': '86400',
    },
    loadBalancerArns: [`${ELB}:loadbalancer/app/shop/1`],
    tags: { ...OURS, 'ecs-gitops:target': `${service}/${service}/${port}` },
    ...o,
  };
}

function details(rules: { group: ObservedTargetGroup; hosts: string[]; tags?: Record<string, string> }[]) {
  const listener: BalancerDetails['listeners'][number] = {
    tags: OURS,
    listener: {
      arn: `${ELB}:listener/app/shop/1/80`,
      port: 80,
      protocol: 'HTTP',
      defaultActions: [{ Type: 'fixed-response' }],
      rules: rules.map((r, i) => ({
        arn: `${ELB}:listener-rule/app/shop/1/80/${i}`,
        listenerArn: `${ELB}:listener/app/shop/1/80`,
        priority: i + 1,
        hosts: r.hosts,
        otherConditions: false,
        forwardTo: [r.group.arn],
        tags: r.tags ?? { ...OURS, 'ecs-gitops:route': `${r.group.tags['ecs-gitops:target']}@80#0` },
        raw: {},
      })),
    },
  };
  const out: BalancerDetails = {
    scheme: 'internet-facing',
    ipAddressType: 'ipv4',
    subnets: [],
    securityGroups: [],
    tags: OURS,
    listeners: [listener],
  };
  return out;
}

const svc = (name: string, g: ObservedTargetGroup, grace = 60): { name: string; service: Service } => ({
  name,
  service: {
    serviceName: name,
    healthCheckGracePeriodSeconds: grace,
    loadBalancers: [{ targetGroupArn: g.arn, containerName: name, containerPort: g.port }],
  },
});

const taskdef =
  (labels: Record<string, Record<string, string>>) =>
  (service: string): ServiceTaskdef | undefined =>
    labels[service] && {
      family: `shop-${service}`,
      networkMode: 'bridge',
      containers: [{ name: service, dockerLabels: labels[service] }],
    };

function route(
  groups: ObservedTargetGroup[],
  labels: Record<string, Record<string, string>>,
  hosts: Record<string, string[]>,
  services = groups.map((g) => svc(g.tags['ecs-gitops:target'].split('/')[0], g)),
) {
  const notes: string[] = [];
  const out = ownedRouting({
    cluster: 'shop',
    owner: OWNER,
    services,
    details: details(groups.flatMap((g) => (hosts[g.arn] ? [{ group: g, hosts: hosts[g.arn] }] : []))),
    groups,
    taskdefOf: taskdef(labels),
    notes,
  });
  return { ...out, notes };
}

test('labels that give the live routing are kept; what every unlabelled group shares becomes the cluster default', () => {
  const health = { ...DEFAULT_TARGET_GROUP_SETTINGS.healthCheck, path: '/healthz' };
  const web = group('web', 80, { healthCheck: { ...health, path: '/ready' } });
  const api = group('api', 8080, { healthCheck: health });
  const out = route(
    [web, api],
    {
      web: { 'proxy.host': 'WWW.shop.example.com.', 'proxy.healthcheck': '/ready' },
      api: { 'proxy.host': 'api.shop.example.com', 'proxy.ports': '80:8080' },
    },
    { [web.arn]: ['www.shop.example.com'], [api.arn]: ['api.shop.example.com'] },
  );
  expect([...out.managed].sort()).toEqual(['api', 'web']);
  expect(out.labels).toEqual(new Map());
  expect(out.defaults.healthCheck.path).toBe('/healthz');
  expect(out.grace).toBe(60);
  expect(out.notes).toEqual([]);
});

test('labels that do not give it (a short name, a setting changed on the group) are written from the live groups and rules', () => {
  const web = group('web', 80, {
    healthCheck: { ...DEFAULT_TARGET_GROUP_SETTINGS.healthCheck, matcher: '200', intervalSeconds: 10 },
  });
  const api = group('api', 8080);
  const out = route(
    [web, api],
    // web: a short name (the source had dns.domain) and no interval label; api: no labels left.
    { web: { 'proxy.host': 'www', 'proxy.healthcheck.matcher': '200', other: 'kept' }, api: {} },
    { [web.arn]: ['www.shop.example.com'], [api.arn]: ['api.shop.example.com', 'shop.example.com'] },
  );
  expect(out.labels).toEqual(
    new Map<string, Map<string, Record<string, string>>>([
      [
        'shop-web',
        new Map([
          [
            'web',
            {
              other: 'kept',
              'proxy.host': 'www.shop.example.com',
              'proxy.healthcheck.matcher': '200',
              'proxy.healthcheck.interval': '10',
            },
          ],
        ]),
      ],
      [
        'shop-api',
        new Map([
          ['api', { 'proxy.host': 'api.shop.example.com shop.example.com', 'proxy.ports': '80:8080' }],
        ]),
      ],
    ]),
  );
  expect(out.notes).toEqual([
    expect.stringMatching(
      /^shop-web: the proxy\.\* labels of container web are written from the load balancer/,
    ),
    expect.stringMatching(/^shop-api: the proxy\.\* labels of container api are written/),
  ]);
});

test('groups that disagree on an unlabelled setting: the default stays, and the one that differs gets a label', () => {
  const a = group('a', 80, {
    attributes: { 'deregistration_delay.timeout_seconds': '5', 'stickiness.enabled': 'false' },
  });
  const b = group('b', 80, {
    attributes: {
      'deregistration_delay.timeout_seconds': '30',
      'stickiness.enabled': 'true',
      'stickiness.lb_cookie.duration_seconds': '600',
    },
  });
  const out = route(
    [a, b],
    { a: { 'proxy.host': 'a.shop.example.com' }, b: { 'proxy.host': 'b.shop.example.com' } },
    { [a.arn]: ['a.shop.example.com'], [b.arn]: ['b.shop.example.com'] },
  );
  expect(out.defaults.deregistrationDelaySeconds).toBe(30);
  expect(out.defaults.stickiness.enabled).toBe(false);
  expect(out.labels.get('shop-a')?.get('a')).toEqual({
    'proxy.host': 'a.shop.example.com',
    'proxy.deregistration-delay': '5',
  });
  expect(out.labels.get('shop-b')?.get('b')).toEqual({
    'proxy.host': 'b.shop.example.com',
    'proxy.stickiness': '600',
  });
});

test("a service whose group or rule is not ecs-gitops's keeps its loadBalancers, and says so when the group is ours", () => {
  const web = group('web', 80);
  const foreign = group('api', 80, { tags: {} });
  const out = route(
    [web, foreign],
    { web: { 'proxy.host': 'www.shop.example.com' }, api: { 'proxy.host': 'api.shop.example.com' } },
    // No rule forwards to web's group.
    { [foreign.arn]: ['api.shop.example.com'] },
    [svc('web', web), svc('api', foreign)],
  );
  expect([...out.managed]).toEqual([]);
  expect(out.notes).toEqual([
    `service web keeps its loadBalancers in web.service (no rule of ecs-gitops forwards to target group ${web.name}): ` +
      'applying the directory deletes the ecs-gitops rules that forward to it, as for any service that writes loadBalancers',
  ]);
});

test('services with different grace periods: the cluster keeps the default, and so each service its own', () => {
  const a = group('a', 80);
  const b = group('b', 80);
  const hosts = { [a.arn]: ['a.shop.example.com'], [b.arn]: ['b.shop.example.com'] };
  const labels = { a: { 'proxy.host': 'a.shop.example.com' }, b: { 'proxy.host': 'b.shop.example.com' } };
  expect(route([a, b], labels, hosts, [svc('a', a, 30), svc('b', b, 30)]).grace).toBe(30);
  expect(route([a, b], labels, hosts, [svc('a', a, 30), svc('b', b, 90)]).grace).toBe(60);
});

test('a container with proxy.host and no target group of ecs-gitops is named once, however many services run its task definition', () => {
  const web = group('web', 80);
  const name = targetGroupName({
    cluster: 'shop',
    service: 'web2',
    container: 'web',
    containerPort: 80,
    protocol: 'HTTP',
    targetType: 'instance',
  });
  const web2 = group('web2', 80, {
    name,
    arn: `${ELB}:targetgroup/${name}/1`,
    tags: { ...OURS, 'ecs-gitops:target': 'web2/web/80' },
  });
  const second = svc('web2', web2);
  second.service.loadBalancers = [{ targetGroupArn: web2.arn, containerName: 'web', containerPort: 80 }];
  const notes: string[] = [];
  const td: ServiceTaskdef = {
    family: 'shop-web',
    networkMode: 'bridge',
    containers: [
      { name: 'web', dockerLabels: { 'proxy.host': 'www.shop.example.com' } },
      { name: 'admin', dockerLabels: { 'proxy.host': 'admin.shop.example.com' } },
    ],
  };
  const out = ownedRouting({
    cluster: 'shop',
    owner: OWNER,
    services: [svc('web', web), second],
    details: details([
      { group: web, hosts: ['www.shop.example.com'] },
      { group: web2, hosts: ['www.shop.example.com'] },
    ]),
    groups: [web, web2],
    taskdefOf: () => td,
    notes,
  });
  expect([...out.managed].sort()).toEqual(['web', 'web2']);
  expect(notes).toEqual([
    'shop-web: container admin has a proxy.host label and no target group of ecs-gitops: applying the directory creates one',
  ]);
});
