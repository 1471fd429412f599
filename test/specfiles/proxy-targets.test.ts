import * as path from 'path';
import { labelledTaskdef as taskdef, load, specDir } from './helpers';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const OWNED =
  'loadBalancer:\n  create:\n    subnets: [subnet-0a1, subnet-0b2]\n    securityGroups: [sg-0c3]\n';
const OWNED_REDIRECT = `${OWNED}  listeners: [{ port: 80 }, { port: 443, certificateArn: "${CERT}" }]\n  redirectHttpToHttps: true\n`;

const label = (key: string, i = 0) => `containerDefinitions[${i}].dockerLabels["${key}"]`;

describe('proxyTargets from the proxy.* labels', () => {
  it('one target per proxy.host container of every service, whether or not loadBalancer: is set', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\ndns:\n  domain: example.com\n  target: { instances: true }\n',
      'web.taskdef': taskdef(
        [
          { name: 'app', labels: { 'proxy.host': 'WWW shop.example.org.' } },
          { name: 'sidecar', labels: { 'dns.hostname': 'side' } },
          { name: 'admin', labels: { 'proxy.host': 'admin', 'proxy.ports': '8080:8080 80:9000' } },
        ],
        { autocreate: true },
      ),
      'api.taskdef': taskdef([{ name: 'api', labels: { 'proxy.host': 'api' } }], { networkMode: 'awsvpc' }),
      'api.service': '{}\n',
      'legacy.service': '{ "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/x:3" }\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const at = (file: string, line: number) => ({ file: path.join(dir, file), line, column: 9 });
    expect(r.state!.proxyTargets).toEqual([
      {
        service: 'api',
        container: 'api',
        hosts: ['api.example.com'],
        ports: [{ listen: 80, container: 80 }],
        networkMode: 'awsvpc',
        overrides: {},
        source: at('api.taskdef', 7),
        field: label('proxy.host'),
      },
      {
        service: 'web',
        container: 'app',
        hosts: ['shop.example.org', 'www.example.com'],
        ports: [{ listen: 80, container: 80 }],
        networkMode: 'bridge',
        overrides: {},
        source: at('web.taskdef', 6),
        field: label('proxy.host'),
      },
      {
        service: 'web',
        container: 'admin',
        hosts: ['admin.example.com'],
        ports: [
          { listen: 8080, container: 8080 },
          { listen: 80, container: 9000 },
        ],
        networkMode: 'bridge',
        overrides: {},
        source: at('web.taskdef', 25),
        field: label('proxy.host', 2),
      },
    ]);
  });

  it('every target group label becomes an override', async () => {
    const labels = {
      'proxy.host': 'www.example.com.',
      'proxy.healthcheck': '/health',
      'proxy.healthcheck.matcher': '200,302',
      'proxy.healthcheck.interval': '30',
      'proxy.healthcheck.timeout': '10',
      'proxy.healthcheck.healthy-threshold': '3',
      'proxy.healthcheck.unhealthy-threshold': '5',
      'proxy.deregistration-delay': '0',
      'proxy.stickiness': '3600',
    };
    const dir = specDir({
      'cluster.yaml': `name: demo\n${OWNED}`,
      'web.taskdef': taskdef([{ labels }], { autocreate: true, networkMode: 'host' }),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.proxyTargets!.map((t) => [t.networkMode, t.overrides])).toEqual([
      [
        'host',
        {
          healthCheck: {
            path: '/health',
            matcher: '200,302',
            intervalSeconds: 30,
            timeoutSeconds: 10,
            healthyThresholdCount: 3,
            unhealthyThresholdCount: 5,
          },
          deregistrationDelaySeconds: 0,
          stickiness: { enabled: true, durationSeconds: 3600 },
        },
      ],
    ]);
  });

  it('proxy.stickiness off and on', async () => {
    const dir = specDir({
      'cluster.yaml': `name: demo\n${OWNED}`,
      'a.taskdef': taskdef([{ labels: { 'proxy.host': 'a.example.com.', 'proxy.stickiness': 'off' } }], {
        autocreate: true,
      }),
      'b.taskdef': taskdef([{ labels: { 'proxy.host': 'b.example.com.', 'proxy.stickiness': 'On' } }], {
        autocreate: true,
      }),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.proxyTargets!.map((t) => t.overrides)).toEqual([
      { stickiness: { enabled: false } },
      { stickiness: { enabled: true } },
    ]);
  });

  it('with an HTTP listener that only redirects, the default listen port is the HTTPS listener', async () => {
    const dir = specDir({
      'cluster.yaml': `name: demo\n${OWNED_REDIRECT}`,
      'web.taskdef': taskdef([{ labels: { 'proxy.host': 'www.example.com.' } }], { autocreate: true }),
      'api.taskdef': taskdef([{ labels: { 'proxy.host': 'api.example.com.', 'proxy.ports': '443:8080' } }], {
        autocreate: true,
      }),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.proxyTargets!.map((t) => [t.service, t.ports])).toEqual([
      ['api', [{ listen: 443, container: 8080 }]],
      ['web', [{ listen: 443, container: 80 }]],
    ]);
  });

  it("an existing balancer without listeners: any listen port is the planner's to check", async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\nloadBalancer:\n  name: shared-alb\n',
      'web.taskdef': taskdef([{ labels: { 'proxy.host': 'www.example.com.', 'proxy.ports': '8443:80' } }], {
        autocreate: true,
      }),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.proxyTargets![0].ports).toEqual([{ listen: 8443, container: 80 }]);
  });

  it('without loadBalancer:, label values out of range are warnings and left out', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\n',
      'web.taskdef': taskdef(
        [
          {
            labels: {
              'proxy.host': 'www.example.com.',
              'proxy.healthcheck.interval': '1',
              'proxy.deregistration-delay': '10',
              'proxy.healthchek': '/x',
            },
          },
        ],
        { autocreate: true },
      ),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        line: 7,
        column: 9,
        field: label('proxy.healthcheck.interval'),
        message: 'proxy.healthcheck.interval "1": must be 5-300 seconds',
      },
    ]);
    expect(r.state!.proxyTargets![0].overrides).toEqual({ deregistrationDelaySeconds: 10 });
  });

  it('with loadBalancer:, a misspelled proxy.* label is a warning with a suggestion', async () => {
    const dir = specDir({
      'cluster.yaml': 'name: demo\nloadBalancer:\n  name: shared-alb\n',
      'web.taskdef': taskdef(
        [{ labels: { 'proxy.host': 'www.example.com.', 'proxy.healthchek': '/x', 'proxy.mine': 'x' } }],
        { autocreate: true },
      ),
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      {
        file: path.join(dir, 'web.taskdef'),
        line: 7,
        column: 9,
        field: label('proxy.healthchek'),
        message: 'unknown label "proxy.healthchek" (did you mean "proxy.healthcheck"?)',
      },
    ]);
  });

  it('a service that writes its own loadBalancers still gets its target, and no balancer checks', async () => {
    const dir = specDir({
      'cluster.yaml': `name: demo\n${OWNED}`,
      'web.taskdef': taskdef([
        { name: 'web', labels: { 'proxy.host': 'www.example.com.', 'proxy.ports': '8443:80' } },
      ]),
      'web.service':
        '{ "loadBalancers": [{ "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/1", "containerName": "web", "containerPort": 80 }] }\n',
    });
    const r = await load(dir);
    expect(r.errors).toEqual([]);
    expect(r.state!.proxyTargets!.map((t) => [t.service, t.ports])).toEqual([
      ['web', [{ listen: 8443, container: 80 }]],
    ]);
  });
});
