/**
 * The pure half of `export`: the prefix rule, and the files for the cases where a plain
 * `<family minus prefix>.taskdef` referred to by its basename would not round-trip. Every case is
 * planned back through the real loader and planner against the same live state, with adopt: the
 * only steps must be TagResource.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ContainerDefinition, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ObservedState } from '../../controller/model/observed';
import { type ClusterExport, exportCluster, type LiveCluster } from '../../controller/export/export-cluster';
import { choosePrefix, listingPrefix } from '../../controller/export/export-prefix';
import { readLiveCluster } from '../../controller/export/export-reader';
import type { LiveTargetGroups } from '../../controller/export/export-load-balancer';
import type { EcsReader } from '../../controller/observe/ecs-reader';
import { planCluster } from '../../controller/plan/planner';
import { loadClusterDir } from '../../controller/specfiles';
import { expectOnlyAdoption } from '../helpers/export-roundtrip';

const ARN = 'arn:aws:ecs:us-east-1:123456789012';

describe('choosePrefix', () => {
  test('the cluster name when every family starts with it (even if a longer prefix is common)', () => {
    expect(choosePrefix('shop', ['shop-api-web', 'shop-api-worker'])).toEqual({
      prefix: 'shop',
      kept: ['shop-api-web', 'shop-api-worker'],
      outside: [],
    });
    expect(choosePrefix('shop', [])).toEqual({ prefix: 'shop', kept: [], outside: [] });
  });

  test('otherwise the longest "X-" that starts every family and leaves a name', () => {
    expect(choosePrefix('shop', ['acme-api-web', 'acme-api-worker'])).toMatchObject({ prefix: 'acme-api' });
    expect(choosePrefix('shop', ['acme-web', 'acme-worker'])).toMatchObject({ prefix: 'acme' });
    expect(choosePrefix('shop', ['a-b-c'])).toMatchObject({ prefix: 'a-b' });
    // "acme-" alone leaves no name for `acme-`: the next dash to the left.
    expect(choosePrefix('shop', ['x-acme-', 'x-acme-web'])).toMatchObject({ prefix: 'x' });
  });

  test('no such prefix: an error naming every family', () => {
    const choice = choosePrefix('shop', ['web', 'acme-api', 'web']);
    expect(choice).toEqual({ error: expect.stringContaining('task definition families: acme-api, web.') });
  });

  test('--prefix: the families under it are kept, the others are outside', () => {
    expect(choosePrefix('shop', ['shop-web', 'shop', 'legacy-api', 'shop-'], 'shop')).toEqual({
      prefix: 'shop',
      kept: ['shop-web'],
      outside: ['legacy-api', 'shop', 'shop-'],
    });
    expect(choosePrefix('shop', ['shop-web'], 'a b')).toEqual({
      error: expect.stringContaining('--prefix "a b"'),
    });
  });
});

function revision(family: string, rev: number, container: Partial<ContainerDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: `${ARN}:task-definition/${family}:${rev}`,
    family,
    revision: rev,
    status: 'ACTIVE',
    networkMode: 'bridge',
    containerDefinitions: [
      { name: 'app', image: `acme/${family}:${rev}`, memory: 128, cpu: 0, essential: true, ...container },
    ],
  };
}

function svc(name: string, family: string, rev: number, over: Partial<Service> = {}): Service {
  return {
    serviceName: name,
    serviceArn: `${ARN}:service/shop/${name}`,
    status: 'ACTIVE',
    desiredCount: 1,
    launchType: 'EC2',
    taskDefinition: `${ARN}:task-definition/${family}:${rev}`,
    ...over,
  };
}

function live(
  services: Service[],
  families: Record<string, TaskDefinition | null>,
  tags: Record<string, Record<string, string>> = {},
): LiveCluster {
  return {
    cluster: { clusterName: 'shop', clusterArn: `${ARN}:cluster/shop`, status: 'ACTIVE' },
    region: 'us-east-1',
    services: services.map((service) => ({ service, tags: tags[service.serviceName ?? ''] ?? {} })),
    families: new Map(
      Object.entries(families).map(([f, td]) => [f, td && { taskDefinition: td, tags: tags[f] ?? {} }]),
    ),
  };
}

function exported(l: LiveCluster, prefix?: string): ClusterExport {
  const out = exportCluster(l, prefix !== undefined ? { prefix } : {});
  if ('error' in out) throw new Error(out.error);
  return out;
}

function file(out: ClusterExport, name: string): any {
  const f = out.files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name} in ${out.files.map((x) => x.name).join(', ')}`);
  return name.endsWith('.yaml') ? f.text : JSON.parse(f.text);
}

/** Writes the files, loads them, and plans them with adopt against the state they came from. */
async function planBack(out: ClusterExport, l: LiveCluster) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-export-unit-'));
  for (const f of out.files) writeFileSync(path.join(dir, f.name), f.text);
  const loaded = await loadClusterDir(dir, { env: {} });
  expect(loaded.errors).toEqual([]);
  const state = loaded.state!;
  const observed: ObservedState = {
    cluster: { cluster: l.cluster, tags: {} },
    services: new Map(l.services.map((s) => [s.service.serviceName ?? '', s])),
    families: new Map([...l.families, ...(l.serviceless ?? [])]),
    // The balancer an exported `loadBalancer: { name }` names, as ELBv2 would show it.
    ...(state.cluster.loadBalancer && {
      loadBalancer: {
        balancer: {
          arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared-alb/1',
          name: 'shared-alb',
          dnsName: 'shared-alb-1.us-east-1.elb.amazonaws.com',
          canonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
          vpcId: 'vpc-1',
          scheme: 'internet-facing',
          ipAddressType: 'ipv4',
          securityGroups: [],
          subnets: [],
          state: 'active',
          tags: {},
        },
        listeners: [],
        targetGroups: [],
      },
    }),
  };
  return { state, plan: planCluster({ ...state, cluster: { ...state.cluster, adopt: true } }, observed) };
}

describe('exportCluster', () => {
  test('AUTOCREATE.SERVICE with no service of its name: the file takes a service name, so none is created', async () => {
    const jobs = revision('shop-jobs', 2, { dockerLabels: { 'AUTOCREATE.SERVICE': 'true' } });
    const l = live([svc('runner', 'shop-jobs', 2)], { 'shop-jobs': jobs });
    const out = exported(l);
    // The service is what the marker creates (EC2, 1 task): the .taskdef alone gives it back.
    expect(out.files.map((f) => f.name)).toEqual(['cluster.yaml', 'runner.taskdef']);
    expect(file(out, 'runner.taskdef').family).toBe('shop-jobs');
    const { state, plan } = await planBack(out, l);
    expect(state.services.map((s) => `${s.name} ${String(s.autocreated)}`)).toEqual(['runner true']);
    expect(expectOnlyAdoption(plan)).toEqual(['cluster/shop', 'taskDefinition/shop-jobs', 'service/runner']);
  });

  test('AUTOCREATE.SERVICE, and the service differs from what it creates: a .service as well, with a note', async () => {
    const jobs = revision('shop-jobs', 2, { dockerLabels: { 'AUTOCREATE.SERVICE': 'true' } });
    const l = live([svc('jobs', 'shop-jobs', 2, { desiredCount: 3, enableExecuteCommand: true })], {
      'shop-jobs': jobs,
    });
    const out = exported(l);
    expect(out.files.map((f) => f.name)).toEqual(['cluster.yaml', 'jobs.service', 'jobs.taskdef']);
    expect(out.notes).toEqual([
      'service jobs written as jobs.service: it differs from the one AUTOCREATE.SERVICE in jobs.taskdef creates (desiredCount, enableExecuteCommand)',
    ]);
    expectOnlyAdoption((await planBack(out, l)).plan);
  });

  test('an autocreated service (its source tag names the .taskdef): no .service, whatever its count', () => {
    const jobs = revision('shop-jobs', 2, { dockerLabels: { 'AUTOCREATE.SERVICE': 'true' } });
    const l = live(
      [svc('jobs', 'shop-jobs', 2, { desiredCount: 5 })],
      { 'shop-jobs': jobs },
      { jobs: { 'ecs-gitops:source': 'jobs.taskdef' }, 'shop-jobs': { 'ecs-gitops:source': 'jobs.taskdef' } },
    );
    const out = exported(l);
    expect(out.files.map((f) => f.name)).toEqual(['cluster.yaml', 'jobs.taskdef']);
    expect(out.files.every((f) => f.from === undefined)).toBe(true);
  });

  test('AUTOCREATE.SERVICE with a service of its name: the plain file name', () => {
    const jobs = revision('shop-jobs', 1, { dockerLabels: { 'AUTOCREATE.SERVICE': 'true' } });
    const out = exported(live([svc('jobs', 'shop-jobs', 1)], { 'shop-jobs': jobs }));
    expect(file(out, 'jobs.taskdef').family).toBeUndefined();
  });

  test('a basename that names another family: services refer to the family itself', async () => {
    // Prefix shop: `shop-shop-web` needs a `family` field (its rest starts with "shop-"), and its file
    // name `shop-web` is also the family `shop-web`, so a reference "shop-web" would mean that one.
    const l = live([svc('a', 'shop-shop-web', 1), svc('b', 'shop-web', 1)], {
      'shop-shop-web': revision('shop-shop-web', 1),
      'shop-web': revision('shop-web', 1),
    });
    const out = exported(l);
    expect(file(out, 'shop-web.taskdef').family).toBe('shop-shop-web');
    expect(file(out, 'a.service').taskDefinition).toBe('shop-shop-web');
    expect(file(out, 'b.service').taskDefinition).toBe('web');
    expectOnlyAdoption((await planBack(out, l)).plan);
  });

  test('a family with no ACTIVE revision: its service is pinned, and no .taskdef is written', async () => {
    const l = live([svc('old', 'shop-old', 4), svc('web', 'shop-web', 1)], {
      'shop-old': null,
      'shop-web': revision('shop-web', 1),
    });
    const out = exported(l);
    expect(out.files.map((f) => f.name)).toEqual([
      'cluster.yaml',
      'old.service',
      'web.service',
      'web.taskdef',
    ]);
    expect(file(out, 'old.service').taskDefinition).toBe('shop-old:4');
    expect(out.notes).toEqual([
      'service old is pinned to shop-old:4, the revision it runs: family shop-old has no ACTIVE revision',
    ]);
    expectOnlyAdoption((await planBack(out, l)).plan);
  });

  test("tags: the resource's own, without AWS's and ecs-gitops's", () => {
    const l = live(
      [svc('web', 'shop-web', 1)],
      { 'shop-web': revision('shop-web', 1) },
      {
        web: { team: 'web', 'aws:cloudformation:stack-name': 'legacy' },
        'shop-web': { team: 'web', 'ecs-gitops:commit': 'abc123', 'ecs-gitops:managed-by': 'ecs-gitops' },
      },
    );
    const out = exported(l);
    expect(file(out, 'web.service').tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(file(out, 'web.taskdef').tags).toEqual([{ key: 'team', value: 'web' }]);
  });

  test('a service without a task definition revision (EXTERNAL controller) is left out, with a note', () => {
    const ext = svc('ext', 'shop-web', 1, {
      taskDefinition: undefined,
      deploymentController: { type: 'EXTERNAL' },
    });
    const out = exported(live([ext, svc('web', 'shop-web', 1)], { 'shop-web': revision('shop-web', 1) }));
    expect(out.files.map((f) => f.name)).not.toContain('ext.service');
    expect(out.notes).toEqual(['service ext not exported: it has no task definition revision (none)']);
  });

  test('the same cluster gives the same files, whatever order AWS lists it in', () => {
    const families = { 'shop-a': revision('shop-a', 1), 'shop-b': revision('shop-b', 2) };
    const one = exported(live([svc('a', 'shop-a', 1), svc('b', 'shop-b', 2)], families));
    const two = exported(live([svc('b', 'shop-b', 2), svc('a', 'shop-a', 1)], families));
    expect(two).toEqual(one);
    expect(file(one, 'cluster.yaml')).toContain('name: shop\nregion: us-east-1\nprefix: shop\n');
  });

  test("refused without a common prefix; the error is the prefix rule's", () => {
    const l = live([svc('a', 'web', 1), svc('b', 'api', 1)], {
      web: revision('web', 1),
      api: revision('api', 1),
    });
    expect(exportCluster(l)).toEqual({ error: expect.stringContaining('families: api, web.') });
  });
});

describe('exportCluster: owner id', () => {
  test('a cluster already tagged by ecs-gitops under another owner id keeps it; the default is not written', () => {
    const web = revision('shop-web', 1);
    const base = live([svc('web', 'shop-web', 1)], { 'shop-web': web });
    const tagged = {
      ...base,
      cluster: { ...base.cluster, tags: [{ key: 'ecs-gitops:owner', value: 'payments' }] },
    };
    expect(file(exported(tagged), 'cluster.yaml')).toMatch(/^ownerId: payments$/m);
    expect(file(exported(base), 'cluster.yaml')).not.toMatch(/ownerId/);
  });
});

const OWNED = {
  'ecs-gitops:managed-by': 'ecs-gitops',
  'ecs-gitops:owner': 'shop',
  'ecs-gitops:cluster': 'shop',
};

/** The shop cluster as ecs-gitops owns it (its ownership tags). */
function owned(l: LiveCluster): LiveCluster {
  const tags = Object.entries(OWNED).map(([key, value]) => ({ key, value }));
  return { ...l, cluster: { ...l.cluster, tags } };
}

describe('exportCluster: families no service runs', () => {
  const serviceless = (entries: Record<string, Record<string, string>>) =>
    new Map(
      Object.entries(entries).map(([family, tags]) => [
        family,
        { taskDefinition: revision(family, 1), tags },
      ]),
    );

  test("an owned cluster: its own families, not another owner's, not untagged ones unless --families", () => {
    const l = {
      ...owned(
        live([svc('web', 'shop-web', 1)], { 'shop-web': revision('shop-web', 1) }, { 'shop-web': OWNED }),
      ),
      serviceless: serviceless({
        'shop-cron': { ...OWNED, 'ecs-gitops:source': 'cron.taskdef' },
        'shop-eu-web': { ...OWNED, 'ecs-gitops:cluster': 'shop-eu' },
        'shop-manual': {},
      }),
    };
    const out = exported(l);
    expect(out.owned).toBe(true);
    expect(out.files.map((f) => [f.name, f.about])).toEqual([
      ['cluster.yaml', 'cluster shop (us-east-1), family prefix "shop"'],
      ['cron.taskdef', 'shop-cron:1 (no service runs it)'],
      ['web.service', 'runs shop-web:1'],
      ['web.taskdef', 'shop-web:1'],
    ]);
    expect(JSON.stringify(file(out, 'cron.taskdef'))).not.toContain('AUTOCREATE');
    expect(out.notes).toEqual([
      'family shop-eu-web not exported: it belongs to ecs-gitops owner "shop", cluster "shop-eu"',
      'family shop-manual not exported: no service runs it and it has no ecs-gitops tags (--families includes it)',
    ]);
    expect(file(out, 'cluster.yaml')).toContain('ecs-gitops manages this cluster');

    const all = exportCluster(l, { families: true });
    expect('files' in all && all.files.map((f) => f.name)).toContain('manual.taskdef');
  });

  test('a foreign cluster with --families: untagged families too; one with AUTOCREATE.SERVICE is left out', async () => {
    const marked = revision('shop-batch', 1, { dockerLabels: { 'AUTOCREATE.SERVICE': '' } });
    const base = live([svc('web', 'shop-web', 1)], { 'shop-web': revision('shop-web', 1) });
    const l: LiveCluster = {
      ...base,
      serviceless: new Map([
        ...serviceless({ 'shop-nightly': {} }),
        ['shop-batch', { taskDefinition: marked, tags: {} }],
      ]),
    };
    const out = exportCluster(l, { families: true });
    if ('error' in out) throw new Error(out.error);
    expect(out.files.map((f) => f.name)).toEqual([
      'cluster.yaml',
      'nightly.taskdef',
      'web.service',
      'web.taskdef',
    ]);
    expect(out.notes).toEqual([
      'family shop-batch not exported: no service runs it, and as a file its AUTOCREATE.SERVICE would create one; write its .taskdef by hand without the marker',
    ]);
    const { plan } = await planBack(out, l);
    expect(expectOnlyAdoption(plan)).toContain('taskDefinition/shop-nightly');
  });

  test("--families under another prefix than the services' families: refused, saying why (not a --prefix hint)", () => {
    const l: LiveCluster = {
      ...live([svc('web', 'batch-web', 1)], { 'batch-web': revision('batch-web', 1) }),
      serviceless: serviceless({ 'tools-x': {} }),
    };
    const out = exportCluster(l, { families: true });
    expect(out).toEqual({
      error:
        "the families no service runs (tools-x) share no family prefix with the services' families, and a " +
        "cluster directory has one: export without --families, or with --families naming the services' prefix",
    });
    // The services alone export fine.
    expect('files' in exportCluster({ ...l, serviceless: new Map() }, { families: true })).toBe(true);
  });

  test('an owned cluster: a family of ours left out (AUTOCREATE.SERVICE, no service) says that apply with prune deregisters it', () => {
    const l: LiveCluster = {
      ...owned(
        live([svc('web', 'shop-web', 1)], { 'shop-web': revision('shop-web', 1) }, { 'shop-web': OWNED }),
      ),
      serviceless: new Map([
        [
          'shop-batch',
          {
            taskDefinition: revision('shop-batch', 1, { dockerLabels: { 'AUTOCREATE.SERVICE': '' } }),
            tags: OWNED,
          },
        ],
      ]),
    };
    const out = exported(l);
    expect(out.files.map((f) => f.name)).not.toContain('batch.taskdef');
    expect(out.notes).toEqual([
      'family shop-batch not exported: no service runs it, and as a file its AUTOCREATE.SERVICE would create one; ' +
        'write its .taskdef by hand without the marker (this cluster is managed by ecs-gitops: until that file ' +
        'exists, applying this directory with prune: true deregisters the family)',
    ]);
  });

  test('an owned cluster whose service runs a family of no one: the prefix is its own, that service is pinned', () => {
    const l = owned(
      live(
        [svc('web', 'shop-web', 1), svc('debug', 'tools-debug', 3)],
        { 'shop-web': revision('shop-web', 1), 'tools-debug': revision('tools-debug', 3) },
        { 'shop-web': OWNED },
      ),
    );
    const out = exported(l);
    expect(out.prefix).toBe('shop');
    expect(file(out, 'debug.service').taskDefinition).toBe('tools-debug:3');
  });
});

describe('exportCluster: file names from the source tag', () => {
  test('a template is exported as the plain file it rendered to, YAML as JSON; each says where it came from', () => {
    const l = live(
      [svc('web', 'shop-web', 1)],
      { 'shop-web': revision('shop-web', 1) },
      {
        web: { 'ecs-gitops:source': 'web.service.template' },
        'shop-web': { 'ecs-gitops:source': 'web.taskdef.yaml' },
      },
    );
    const out = exported(l);
    expect(out.files.map((f) => [f.name, f.from])).toEqual([
      ['cluster.yaml', undefined],
      ['web.service', 'web.service.template'],
      ['web.taskdef', 'web.taskdef.yaml'],
    ]);
  });

  test('a .taskdef is named after its source file, with the family it registers', async () => {
    const l = live(
      [svc('site', 'shop-frontend', 2)],
      { 'shop-frontend': revision('shop-frontend', 2) },
      {
        'shop-frontend': { 'ecs-gitops:source': 'site.taskdef' },
        site: { 'ecs-gitops:source': 'site.service' },
      },
    );
    const out = exported(l);
    expect(out.files.map((f) => f.name)).toEqual(['cluster.yaml', 'site.service', 'site.taskdef']);
    expect(file(out, 'site.taskdef').family).toBe('shop-frontend');
    expectOnlyAdoption((await planBack(out, l)).plan);
  });

  test('a source name that another family takes by default is not used', () => {
    const l = live(
      [svc('a', 'shop-a', 1), svc('b', 'shop-b', 1)],
      { 'shop-a': revision('shop-a', 1), 'shop-b': revision('shop-b', 1) },
      { 'shop-a': { 'ecs-gitops:source': 'b.taskdef' } },
    );
    expect(exported(l).files.map((f) => f.name)).toEqual([
      'cluster.yaml',
      'a.service',
      'a.taskdef',
      'b.service',
      'b.taskdef',
    ]);
  });
});

describe('listingPrefix: where the families no service runs are looked for', () => {
  const families = { 'shop-web': revision('shop-web', 1), 'tools-debug': revision('tools-debug', 3) };
  const services = [svc('web', 'shop-web', 1), svc('debug', 'tools-debug', 3)];

  test("an owned cluster: its own families' prefix, whatever else its services run", () => {
    expect(listingPrefix(owned(live(services, families, { 'shop-web': OWNED })), {})).toBe('shop');
  });

  test('an owned cluster whose families do not start with its name: the shortest "X-" they share', () => {
    const acme = { 'acme-api-web': revision('acme-api-web', 1) };
    const l = owned(live([svc('web', 'acme-api-web', 1)], acme, { 'acme-api-web': OWNED }));
    expect(listingPrefix(l, {})).toBe('acme');
    // Foreign, the prefix rule: nothing but the tags could tell acme-'s other families apart.
    expect(listingPrefix(live([svc('web', 'acme-api-web', 1)], acme), {})).toBe('acme-api');
  });

  test('--families PREFIX, else --prefix, else the prefix rule; the cluster name when the rule finds none', () => {
    const l = live(services, families);
    expect(listingPrefix(l, { familiesPrefix: 'nightly', prefix: 'shop' })).toBe('nightly');
    expect(listingPrefix(l, { prefix: 'tools' })).toBe('tools');
    expect(listingPrefix(l, {})).toBe('shop');
    expect(
      listingPrefix(live([svc('a', 'acme-api-a', 1)], { 'acme-api-a': revision('acme-api-a', 1) }), {}),
    ).toBe('acme-api');
  });
});

describe('exportCluster: loadBalancer: from the target groups the services use', () => {
  const ELB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
  const tg = (name: string) => `${ELB}:targetgroup/${name}/0123456789abcdef`;
  const alb = (name: string) => `${ELB}:loadbalancer/app/${name}/0123456789abcdef`;
  const attached = (name: string, port = 80): Partial<Service> => ({
    loadBalancers: [{ targetGroupArn: tg(name), containerName: 'app', containerPort: port }],
    healthCheckGracePeriodSeconds: 60,
  });
  const families = { 'shop-web': revision('shop-web', 1), 'shop-api': revision('shop-api', 1) };
  const services = [svc('web', 'shop-web', 1, attached('web')), svc('api', 'shop-api', 1, attached('api'))];
  const withGroups = (targetGroups: LiveTargetGroups): LiveCluster => ({
    ...live(services, families),
    targetGroups,
  });

  test('one Application Load Balancer behind every target group: loadBalancer: { name }, and the plan is only adoption', async () => {
    const l = withGroups({
      balancers: [
        {
          arn: alb('shared-alb'),
          name: 'shared-alb',
          type: 'application',
          targetGroupArns: [tg('api'), tg('web')],
        },
      ],
      detached: [],
      missing: [],
    });
    const out = exported(l);
    expect(file(out, 'cluster.yaml')).toContain('\nloadBalancer:\n  name: shared-alb\n');
    expect(file(out, 'web.service').loadBalancers).toEqual(attached('web').loadBalancers);
    expect(out.notes).toEqual([
      "cluster.yaml names load balancer shared-alb, which the services' target groups hang off; the services keep their loadBalancers as written in their .service files",
    ]);
    const { state, plan } = await planBack(out, l);
    expect(state.cluster.loadBalancer!.ref).toEqual({ kind: 'existing', name: 'shared-alb' });
    expectOnlyAdoption(plan);
  });

  test('two balancers, a network balancer, a detached or a deleted target group: no loadBalancer:, and why', () => {
    const cases: [LiveTargetGroups, string][] = [
      [
        {
          balancers: [
            { arn: alb('a'), name: 'a', type: 'application', targetGroupArns: [tg('web')] },
            { arn: alb('b'), name: 'b', type: 'application', targetGroupArns: [tg('api')] },
          ],
          detached: [],
          missing: [],
        },
        "the services' target groups hang off 2 load balancers (a, b); a cluster has one",
      ],
      [
        {
          balancers: [{ arn: alb('n'), name: 'n', type: 'network', targetGroupArns: [tg('api'), tg('web')] }],
          detached: [],
          missing: [],
        },
        'the services use network load balancer n',
      ],
      [
        { balancers: [], detached: [tg('web')], missing: [] },
        `no load balancer forwards to target group ${tg('web')}`,
      ],
      [{ balancers: [], detached: [], missing: [tg('api')] }, `target group ${tg('api')} does not exist`],
      [
        { balancers: [], detached: [], missing: [], unreadable: 'AccessDenied: not authorized' },
        "the services' target groups could not be read (AccessDenied: not authorized)",
      ],
    ];
    for (const [groups, why] of cases) {
      const out = exported(withGroups(groups));
      expect(file(out, 'cluster.yaml')).not.toContain('loadBalancer');
      expect(out.notes).toEqual([`cluster.yaml gets no loadBalancer: ${why}`]);
    }
  });

  test('the reader asks ELBv2 only when a service has a target group, 20 ARNs a call', async () => {
    const many = Array.from({ length: 21 }, (_, i) => svc(`s${i}`, 'shop-web', 1, attached(`g${i}`)));
    const reader = (svcs: Service[]) =>
      ({
        describeCluster: () => Promise.resolve({ cluster: live([], {}).cluster }),
        listAllServiceArns: () => Promise.resolve(svcs.map((s) => s.serviceArn!)),
        describeServicesBatched: () =>
          Promise.resolve(new Map(svcs.map((s) => [s.serviceName!, { service: s, tags: {} }]))),
        latestRevision: () => Promise.resolve({ taskDefinition: families['shop-web'], tags: {} }),
      }) as unknown as EcsReader;
    const calls: string[] = [];
    // A foreign cluster: nothing past the target groups and their balancer is read.
    const unread = () => Promise.reject(new Error('not read for a cluster ecs-gitops does not own'));
    const elbv2 = {
      describeListeners: unread,
      describeRules: unread,
      describeTags: unread,
      describeTargetGroupAttributes: unread,
      describeTargetGroups: (input: { TargetGroupArns?: string[] }) => {
        calls.push(`describeTargetGroups ${input.TargetGroupArns!.length}`);
        return Promise.resolve({
          TargetGroups: input.TargetGroupArns!.map((arn) => ({
            TargetGroupArn: arn,
            LoadBalancerArns: [alb('shared')],
          })),
        });
      },
      describeLoadBalancers: (input: { LoadBalancerArns?: string[] }) => {
        calls.push(`describeLoadBalancers ${input.LoadBalancerArns!.length}`);
        return Promise.resolve({
          LoadBalancers: [
            { LoadBalancerArn: alb('shared'), LoadBalancerName: 'shared', Type: 'application' as const },
          ],
        });
      },
    };
    const ecs = { listTaskDefinitionFamilies: () => Promise.reject(new Error('not listed')) };
    // ELBv2 refusing (a policy without DescribeTargetGroups) costs the section, not the export.
    const refusing = {
      ...elbv2,
      describeTargetGroups: () => Promise.reject(Object.assign(new Error('no'), { name: 'AccessDenied' })),
    };
    const refused = await readLiveCluster(
      { reader: reader([svc('web', 'shop-web', 1, attached('web'))]), ecs, elbv2: refusing },
      'shop',
      'us-east-1',
    );
    expect(refused!.targetGroups).toEqual({
      balancers: [],
      detached: [],
      missing: [],
      unreadable: 'AccessDenied: no',
    });
    const none = await readLiveCluster(
      { reader: reader([svc('web', 'shop-web', 1)]), ecs, elbv2 },
      'shop',
      'us-east-1',
    );
    expect(none!.targetGroups).toBeUndefined();
    expect(calls).toEqual([]);
    const l = await readLiveCluster({ reader: reader(many), ecs, elbv2 }, 'shop', 'us-east-1');
    expect(calls).toEqual(['describeTargetGroups 20', 'describeTargetGroups 1', 'describeLoadBalancers 1']);
    expect(l!.targetGroups!.balancers).toEqual([
      {
        arn: alb('shared'),
        name: 'shared',
        type: 'application',
        targetGroupArns: many.map((s) => s.loadBalancers![0].targetGroupArn!).sort(),
      },
    ]);
  });
});
