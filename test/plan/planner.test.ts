import { TAG_MANAGED_BY, TAG_OWNER, TAG_SOURCE } from '../../controller/model/ownership';
import { planCluster } from '../../controller/plan/planner';
import { specHash } from '../../controller/plan/spec-hash';
import { TAG_SPEC_HASH } from '../../controller/model/spec-hash-tag';
import { planToJson } from '../../controller/plan/plan-json';
import { planHasChanges, type Plan, type PlannedAction, type Step } from '../../controller/plan/plan-types';
import {
  accountWithCluster,
  clusterArn,
  clusterConfig,
  desiredState,
  desiredTags,
  emptyAccount,
  liveService,
  serviceArn,
  service,
  taskDef,
  taskDefinitionArn,
  withFamily,
  withService,
} from './builders';
import { webAws, webSpec } from './fixtures';
import { apiSpec, demoDesired, demoRunning } from './scenario';

const byId = (plan: Plan, id: string): PlannedAction => {
  const a = plan.actions.find((x) => x.id === id);
  if (!a) throw new Error(`no action ${id} in ${plan.actions.map((x) => x.id).join(', ')}`);
  return a;
};
const mutating = (plan: Plan) => plan.actions.filter((a) => a.op === 'create' || a.op === 'update');
const stepOf = <C extends Step['call']>(a: PlannedAction, call: C) =>
  a.steps.find((s) => s.call === call) as Extract<Step, { call: C }> | undefined;

describe('planner scenarios', () => {
  test('new service: empty account -> create cluster, register families, create services after their family', () => {
    const plan = planCluster(demoDesired(), emptyAccount());
    expect(plan.actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'create cluster/demo',
      'create taskDefinition/demo-api',
      'create taskDefinition/demo-web',
      'create service/api',
      'create service/web',
    ]);
    expect(plan).toMatchObject({ cluster: 'demo', region: 'eu-west-1', dir: 'specs/demo' });

    const cluster = stepOf(byId(plan, 'cluster/demo'), 'createCluster')!;
    expect(cluster.input.clusterName).toBe('demo');
    const clusterTags = Object.fromEntries(cluster.input.tags!.map((t) => [t.key, t.value]));
    expect(clusterTags).toEqual({
      team: 'platform',
      [TAG_MANAGED_BY]: 'ecs-gitops',
      [TAG_OWNER]: 'demo',
      'ecs-gitops:cluster': 'demo',
    });
    expect(clusterTags[TAG_SOURCE]).toBeUndefined();

    const register = stepOf(byId(plan, 'taskDefinition/demo-web'), 'registerTaskDefinition')!;
    expect(register.input.family).toBe('demo-web');
    expect(register.input.containerDefinitions![0].image).toBe('nginx:1.27');
    expect(register.input.tags).toContainEqual({ key: TAG_SOURCE, value: 'specs/demo/web.taskdef' });

    const web = byId(plan, 'service/web');
    expect(web.dependsOn).toEqual(['cluster/demo', 'taskDefinition/demo-web']);
    const create = stepOf(web, 'createService')!;
    expect(create.taskDefinitionFrom).toEqual({ actionId: 'taskDefinition/demo-web' });
    expect(create.input).toMatchObject({
      cluster: 'demo',
      serviceName: 'web',
      launchType: 'EC2',
      desiredCount: 1,
    });
    expect(create.input.tags).toContainEqual({ key: TAG_OWNER, value: 'demo' });
    expect(byId(plan, 'service/api').dependsOn).toEqual(['cluster/demo', 'taskDefinition/demo-api']);
    expect(stepOf(byId(plan, 'service/api'), 'createService')!.input.desiredCount).toBe(2);
  });

  test('changed image: exactly one family re-registered and exactly one service updated from it', () => {
    const plan = planCluster(demoDesired({ webImage: 'nginx:1.28' }), demoRunning());
    expect(mutating(plan).map((a) => `${a.op} ${a.id}`)).toEqual([
      'update taskDefinition/demo-web',
      'update service/web',
    ]);

    const td = byId(plan, 'taskDefinition/demo-web');
    expect(td.changes).toEqual([
      { path: 'containerDefinitions[web].image', before: 'nginx:1.27', after: 'nginx:1.28' },
    ]);
    expect(td.reason).toBe('new revision: 1 field changed (containerDefinitions[web].image)');
    expect(td.steps.map((s) => s.call)).toEqual(['registerTaskDefinition']);

    const svc = byId(plan, 'service/web');
    expect(svc.dependsOn).toEqual(['taskDefinition/demo-web']);
    const update = stepOf(svc, 'updateService')!;
    expect(update.taskDefinitionFrom).toEqual({ actionId: 'taskDefinition/demo-web' });
    expect(Object.keys(update.input).sort()).toEqual(['cluster', 'service', 'taskDefinition']);
    expect(svc.changes).toEqual([
      { path: 'taskDefinition', before: 'demo-web:3', after: 'demo-web:<new revision>' },
      {
        path: `tags[${TAG_SPEC_HASH}]`,
        after: `${specHash(demoDesired({ webImage: 'nginx:1.28' }).taskDefinitions.find((t) => t.family === 'demo-web')!)}@demo-web:<new revision>`,
      },
    ]);
    // A deploy records the spec hash on the service (UpdateService cannot tag), before the update:
    // the new revision's ARN is filled in by the executor, like the update's.
    expect(svc.steps.map((s) => s.call)).toEqual(['tagResource', 'updateService']);
    expect(svc.steps[0]).toMatchObject({ taskDefinitionFrom: { actionId: 'taskDefinition/demo-web' } });
  });

  test('unchanged after AWS defaults: live = what AWS returns for the specs -> zero create/update actions', () => {
    const plan = planCluster(demoDesired(), demoRunning());
    expect(mutating(plan)).toEqual([]);
    expect(planHasChanges(plan)).toBe(false);
    expect(byId(plan, 'taskDefinition/demo-web').reason).toBe('matches demo-web:3');
    expect(plan.actions.every((a) => a.steps.length === 0 && a.changes.length === 0)).toBe(true);
  });

  test('removed desiredCount: spec without desiredCount vs live desiredCount 5 -> no change', () => {
    const observed = demoRunning();
    observed.services.get('api')!.service.desiredCount = 5;
    const plan = planCluster(demoDesired({ apiBody: { launchType: 'EC2' } }), observed);
    expect(byId(plan, 'service/api').op).toBe('none');
  });

  test('desiredCount changed: an update with only desiredCount', () => {
    const plan = planCluster(demoDesired({ apiBody: { launchType: 'EC2', desiredCount: 3 } }), demoRunning());
    const api = byId(plan, 'service/api');
    expect(api.op).toBe('update');
    // The live service predates the spec-hash tag: it is written with this real change (provenance).
    const hashTag = `${specHash(demoDesired().taskDefinitions.find((t) => t.family === 'demo-api')!)}@demo-api:5`;
    expect(api.changes).toEqual([
      { path: 'desiredCount', before: 2, after: 3 },
      { path: `tags[${TAG_SPEC_HASH}]`, after: hashTag },
    ]);
    expect(api.steps).toEqual([
      { call: 'updateService', input: { cluster: 'demo', service: 'api', desiredCount: 3 } },
      { call: 'tagResource', arn: expect.any(String), tags: [{ key: TAG_SPEC_HASH, value: hashTag }] },
    ]);
    expect(api.reason).toBe('1 field changed (desiredCount)');
    expect(api.dependsOn).toEqual([]);
  });

  test('a changed deploymentConfiguration key sends the whole field with its defaults', () => {
    const plan = planCluster(
      demoDesired({ webBody: { launchType: 'EC2', deploymentConfiguration: { minimumHealthyPercent: 50 } } }),
      demoRunning(),
    );
    expect(stepOf(byId(plan, 'service/web'), 'updateService')!.input).toEqual({
      cluster: 'demo',
      service: 'web',
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 50,
        deploymentCircuitBreaker: { enable: false, rollback: false },
      },
    });
  });

  describe('pinned revision', () => {
    const cfg = clusterConfig();
    const pinned = (value: string) =>
      desiredState(cfg, [], [service(cfg, 'legacy', { pinned: value, body: { launchType: 'EC2' } })]);

    test('a family:revision pin is used as given when creating', () => {
      const plan = planCluster(pinned('demo-legacy:7'), accountWithCluster(cfg));
      const create = stepOf(byId(plan, 'service/legacy'), 'createService')!;
      expect(create.input.taskDefinition).toBe('demo-legacy:7');
      expect(create.taskDefinitionFrom).toBeUndefined();
      expect(byId(plan, 'service/legacy').dependsOn).toEqual([]);
    });

    test('a pin that matches the live ARN is unchanged; another revision is an update to the pin', () => {
      const observed = withService(
        accountWithCluster(cfg),
        liveService(cfg, 'legacy', taskDefinitionArn('demo-legacy', 7)),
        desiredTags(cfg, 'specs/demo/legacy.service'),
      );
      expect(byId(planCluster(pinned('demo-legacy:7'), observed), 'service/legacy').op).toBe('none');
      const upd = byId(planCluster(pinned('demo-legacy:8'), observed), 'service/legacy');
      expect(upd.steps).toEqual([
        {
          call: 'updateService',
          input: { cluster: 'demo', service: 'legacy', taskDefinition: 'demo-legacy:8' },
        },
      ]);
    });
  });

  test('template variables: two services instantiated from one template share the family action', () => {
    const cfg = clusterConfig();
    const state = desiredState(
      cfg,
      [taskDef(cfg, 'worker', apiSpec())],
      [
        service(cfg, 'worker-eu', { family: 'demo-worker', body: { launchType: 'EC2', desiredCount: 1 } }),
        service(cfg, 'worker-us', { family: 'demo-worker', body: { launchType: 'EC2', desiredCount: 3 } }),
      ],
    );
    const plan = planCluster(state, accountWithCluster(cfg));
    for (const id of ['service/worker-eu', 'service/worker-us']) {
      expect(byId(plan, id).dependsOn).toEqual(['taskDefinition/demo-worker']);
    }
    expect(stepOf(byId(plan, 'service/worker-us'), 'createService')!.input.desiredCount).toBe(3);
  });

  test('autocreate vs explicit service: the explicit one is planned; autocreated ones get the initial desiredCount', () => {
    const cfg = clusterConfig({ serviceDefaults: { desiredCount: 2, launchType: 'EC2' } });
    const state = desiredState(
      cfg,
      [
        taskDef(cfg, 'web', webSpec(), { autocreateService: true }),
        taskDef(cfg, 'worker', apiSpec(), { autocreateService: true }),
      ],
      [
        service(cfg, 'web', { autocreated: true, body: { launchType: 'EC2' } }),
        service(cfg, 'web', { body: { launchType: 'EC2', desiredCount: 4 } }),
        service(cfg, 'worker', { autocreated: true, body: { launchType: 'EC2' } }),
      ],
    );
    const plan = planCluster(state, accountWithCluster(cfg));
    expect(plan.actions.filter((a) => a.resource === 'service').map((a) => a.id)).toEqual([
      'service/web',
      'service/worker',
    ]);
    const web = byId(plan, 'service/web');
    expect(web.source?.file).toBe('specs/demo/web.service');
    expect(stepOf(web, 'createService')!.input.desiredCount).toBe(4);
    expect(stepOf(byId(plan, 'service/worker'), 'createService')!.input.desiredCount).toBe(2);
  });

  describe('ownership', () => {
    test('unowned service is a conflict; adopt makes it ours (tags added, nothing else changed)', () => {
      const cfg = clusterConfig();
      const observed = demoRunning(cfg);
      observed.services.get('web')!.tags = { team: 'platform' };
      const conflict = byId(planCluster(demoDesired({ cfg }), observed), 'service/web');
      expect(conflict.op).toBe('conflict');
      expect(conflict.reason).toMatch(/without ecs-gitops ownership tags/);
      expect(conflict.steps).toEqual([]);

      const adopting = clusterConfig({ adopt: true });
      const adopted = byId(planCluster(demoDesired({ cfg: adopting }), observed), 'service/web');
      expect(adopted.op).toBe('update');
      expect(adopted.steps.map((s) => s.call)).toEqual(['tagResource']);
      const tag = stepOf(adopted, 'tagResource')!;
      expect(tag.arn).toBe(serviceArn('demo', 'web'));
      expect(tag.tags).toContainEqual({ key: TAG_MANAGED_BY, value: 'ecs-gitops' });
      expect(tag.tags).not.toContainEqual(expect.objectContaining({ key: 'team' }));
    });

    test('a service owned by another ecs-gitops owner stays a conflict, even with adopt', () => {
      const cfg = clusterConfig({ adopt: true });
      const observed = demoRunning(cfg);
      observed.services.get('web')!.tags = { [TAG_MANAGED_BY]: 'ecs-gitops', [TAG_OWNER]: 'staging' };
      const a = byId(planCluster(demoDesired({ cfg }), observed), 'service/web');
      expect(a.op).toBe('conflict');
      expect(a.reason).toContain('owner "staging"');
    });

    test('an unowned task definition family is a conflict, and so are the services that use it', () => {
      const cfg = clusterConfig();
      const observed = demoRunning(cfg);
      observed.families.get('demo-web')!.tags = {};
      const plan = planCluster(demoDesired({ cfg, webImage: 'nginx:1.28' }), observed);
      expect(byId(plan, 'taskDefinition/demo-web').op).toBe('conflict');
      const svc = byId(plan, 'service/web');
      expect(svc.op).toBe('conflict');
      expect(svc.reason).toMatch(/^its task definition demo-web is not ours/);
    });

    test('adopting an unowned family with other content registers a new revision with ownership tags', () => {
      const cfg = clusterConfig({ adopt: true });
      const observed = demoRunning(cfg);
      observed.families.get('demo-web')!.tags = {};
      const td = byId(
        planCluster(demoDesired({ cfg, webImage: 'nginx:1.28' }), observed),
        'taskDefinition/demo-web',
      );
      expect(td.op).toBe('update');
      expect(td.reason).toMatch(/^adopt demo-web:3/);
      expect(stepOf(td, 'registerTaskDefinition')!.input.tags).toContainEqual({
        key: TAG_OWNER,
        value: 'demo',
      });
    });

    test('a cluster not created by ecs-gitops is left as is, and services are still planned in it', () => {
      const cfg = clusterConfig();
      const observed = demoRunning(cfg);
      observed.cluster!.tags = {};
      const plan = planCluster(
        demoDesired({ cfg, apiBody: { launchType: 'EC2', desiredCount: 3 } }),
        observed,
      );
      expect(byId(plan, 'cluster/demo')).toMatchObject({
        op: 'none',
        reason: 'exists, not created by ecs-gitops: left as is',
      });
      expect(byId(plan, 'service/api').op).toBe('update');
    });

    test('our cluster missing a desired tag is tagged', () => {
      const cfg = clusterConfig({ tags: { team: 'platform', env: 'prod' } });
      const observed = demoRunning(cfg);
      delete observed.cluster!.tags.env;
      const a = byId(planCluster(demoDesired({ cfg }), observed), 'cluster/demo');
      expect(a.op).toBe('update');
      expect(a.steps).toEqual([
        { call: 'tagResource', arn: clusterArn('demo'), tags: [{ key: 'env', value: 'prod' }] },
      ]);
    });
  });

  describe('services wait for the cluster action that shapes them (in the plan, so diff shows it)', () => {
    test('capacity providers changed: every service change depends on the cluster action', () => {
      const cfg = clusterConfig({ capacityProviders: ['FARGATE_SPOT'] });
      const observed = demoRunning(clusterConfig());
      const plan = planCluster(
        demoDesired({ cfg, webImage: 'nginx:1.28', apiBody: { launchType: 'EC2', desiredCount: 3 } }),
        observed,
      );
      expect(stepOf(byId(plan, 'cluster/demo'), 'putClusterCapacityProviders')).toBeDefined();
      expect(byId(plan, 'service/web').dependsOn).toEqual(['cluster/demo', 'taskDefinition/demo-web']);
      expect(byId(plan, 'service/api').dependsOn).toEqual(['cluster/demo']);
      // The task definitions do not live in the cluster: they go ahead.
      expect(byId(plan, 'taskDefinition/demo-web').dependsOn).toEqual([]);
    });

    test('a cluster tag update blocks nothing, and an unchanged service waits for nothing', () => {
      const cfg = clusterConfig({ tags: { team: 'platform', env: 'prod' } });
      const observed = demoRunning(cfg);
      delete observed.cluster!.tags.env;
      const plan = planCluster(
        demoDesired({ cfg, apiBody: { launchType: 'EC2', desiredCount: 3 } }),
        observed,
      );
      expect(byId(plan, 'cluster/demo').op).toBe('update');
      expect(byId(plan, 'service/api').dependsOn).toEqual([]);
    });

    test('the plan JSON carries the dependency', () => {
      const cfg = clusterConfig({ capacityProviders: ['FARGATE_SPOT'] });
      const plan = planCluster(
        demoDesired({ cfg, apiBody: { launchType: 'EC2', desiredCount: 3 } }),
        demoRunning(clusterConfig()),
      );
      const api = planToJson([plan]).clusters[0].actions.find((a) => a.id === 'service/api');
      expect(api?.dependsOn).toEqual(['cluster/demo']);
    });
  });

  describe('failed rollouts (planner input from the controller)', () => {
    const desired = () => ({ ...demoDesired({ webImage: 'nginx:1.28' }), commit: 'abcdef0123456789' });

    test('a service whose rollout failed for this commit is held: no steps, the reason says why', () => {
      const plan = planCluster(desired(), demoRunning(), { failedRollouts: ['web'] });
      const web = byId(plan, 'service/web');
      expect(web).toMatchObject({
        op: 'none',
        steps: [],
        dependsOn: [],
        reason: 'its rollout failed for commit abcdef0: waiting for a new commit',
      });
      // The revision is still registered (a new commit's rollout uses it); other services go on.
      expect(byId(plan, 'taskDefinition/demo-web').op).toBe('update');
    });

    test('without that input the same plan deploys it', () => {
      expect(byId(planCluster(desired(), demoRunning()), 'service/web').op).toBe('update');
    });
  });

  test('immutable field change is a conflict', () => {
    const plan = planCluster(demoDesired({ webBody: { launchType: 'FARGATE' } }), demoRunning());
    const a = byId(plan, 'service/web');
    expect(a.op).toBe('conflict');
    expect(a.reason).toBe(
      'cannot change launchType (EC2 → FARGATE) on an existing service; ecs-gitops does not recreate services',
    );
    expect(a.steps).toEqual([]);
  });

  test('a DRAINING service is a conflict, not a create', () => {
    const observed = demoRunning();
    observed.services.get('web')!.service.status = 'DRAINING';
    expect(byId(planCluster(demoDesired(), observed), 'service/web').op).toBe('conflict');
  });

  test('tag drift tags the revision without re-registering, and the service keeps the same revision', () => {
    const cfg = clusterConfig({ tags: { team: 'platform', costCenter: 'cc-42' } });
    const observed = demoRunning(clusterConfig());
    observed.cluster!.tags.costCenter = 'cc-42';
    for (const s of observed.services.values()) s.tags.costCenter = 'cc-42';
    observed.families.get('demo-api')!.tags.costCenter = 'cc-42';
    const desired = demoDesired({ cfg });
    const plan = planCluster(desired, observed);
    // The service is only re-tagged: the revision's spec hash covers its tags, so the service's
    // spec-hash tag follows (otherwise every cold read of it would fall back to DescribeTaskDefinition).
    expect(mutating(plan).map((a) => a.id)).toEqual(['taskDefinition/demo-web', 'service/web']);
    const hash = specHash(desired.taskDefinitions.find((t) => t.family === 'demo-web')!);
    const td = byId(plan, 'taskDefinition/demo-web');
    expect(td.steps).toEqual([
      {
        call: 'tagResource',
        arn: taskDefinitionArn('demo-web', 3),
        tags: [
          { key: 'costCenter', value: 'cc-42' },
          { key: TAG_SPEC_HASH, value: hash },
        ],
      },
    ]);
    expect(td.changes).toEqual([
      { path: 'tags[costCenter]', after: 'cc-42' },
      { path: `tags[${TAG_SPEC_HASH}]`, after: hash },
    ]);
    const web = byId(plan, 'service/web');
    expect(web.steps.map((s) => s.call)).toEqual(['tagResource']);
    expect(web.changes).toEqual([{ path: `tags[${TAG_SPEC_HASH}]`, after: `${hash}@demo-web:3` }]);
  });

  test('service tag drift and a field change: one action, update then tag', () => {
    const observed = demoRunning();
    observed.services.get('api')!.tags.team = 'old-team';
    const a = byId(
      planCluster(demoDesired({ apiBody: { launchType: 'EC2', desiredCount: 4 } }), observed),
      'service/api',
    );
    expect(a.steps.map((s) => s.call)).toEqual(['updateService', 'tagResource']);
    expect(a.reason).toBe('1 field changed (desiredCount); tags differ (team)');
  });

  test('the same input gives the same plan', () => {
    const p1 = planCluster(demoDesired({ webImage: 'nginx:1.28' }), emptyAccount());
    const p2 = planCluster(demoDesired({ webImage: 'nginx:1.28' }), emptyAccount());
    expect(JSON.stringify(p1)).toBe(JSON.stringify(p2));
  });

  test('only desired services are looked at: a live service without a spec is not touched', () => {
    const cfg = clusterConfig();
    const observed = demoRunning(cfg);
    withService(
      observed,
      liveService(cfg, 'orphan', taskDefinitionArn('demo-web', 3)),
      desiredTags(cfg, 'x'),
    );
    withFamily(observed, webAws('demo-orphan', 1), desiredTags(cfg, 'x'));
    const plan = planCluster(demoDesired({ cfg }), observed);
    expect(plan.actions.some((a) => a.name.includes('orphan'))).toBe(false);
  });
});

describe('client token', () => {
  test('a plan carries no client token: the executor gives each create a fresh one', () => {
    const req = stepOf(
      byId(planCluster(demoDesired(), emptyAccount()), 'service/web'),
      'createService',
    )!.input;
    expect(req.clientToken).toBeUndefined();
  });
});

describe('the commit that produced a revision', () => {
  test('is tagged on registration only: a new commit with unchanged specs changes nothing', () => {
    const desired = { ...demoDesired(), commit: 'c0ffee0' };
    const created = planCluster(desired, emptyAccount());
    const register = stepOf(byId(created, 'taskDefinition/demo-web'), 'registerTaskDefinition')!.input;
    expect(register.tags).toContainEqual({ key: 'ecs-gitops:commit', value: 'c0ffee0' });
    const running = demoRunning();
    const again = planCluster({ ...desired, commit: 'beefcafe' }, running);
    expect(again.actions.filter((a) => a.op !== 'none')).toEqual([]);
  });
});
