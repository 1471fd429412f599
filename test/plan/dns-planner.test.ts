import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { planDns } from '../../controller/plan/dns-planner';
import { planCluster } from '../../controller/plan/planner';
import type { PlannedAction, Step } from '../../controller/plan/plan-types';
import { planHasChanges } from '../../controller/plan/plan-types';
import {
  aSet,
  ALB,
  ALB_ZONE,
  aliasTarget,
  applyPlan,
  DEV_ZONE,
  dnsDesired,
  host,
  observedDns,
  txtSet,
  withDns,
  ZONE,
} from './dns-builders';
import { demoDesired, demoRunning } from './scenario';
import { clusterConfig, service } from './builders';

const OURS =
  '"heritage=ecs-gitops,ecs-gitops/owner=demo,ecs-gitops/cluster=demo,ecs-gitops/service=web,ecs-gitops/region=eu-west-1"';
const stepOf = (a: PlannedAction) => a.steps[0] as Extract<Step, { call: 'changeRecords' }>;
const summary = (c: Change) => `${c.Action!} ${c.ResourceRecordSet!.Name!} ${c.ResourceRecordSet!.Type!}`;
const byId = (actions: PlannedAction[], id: string) => {
  const a = actions.find((x) => x.id === id);
  if (!a) throw new Error(`no ${id} in ${actions.map((x) => x.id).join(', ')}`);
  return a;
};
const mutating = (actions: PlannedAction[]) => actions.filter((a) => a.steps.length > 0);

describe('DNS planner scenarios', () => {
  test('new names get a record and a TXT in one step', () => {
    const desired = dnsDesired([
      host('www.example.com'),
      host('api.dev.example.com', 'api'),
      host('*.example.com'),
    ]);
    const { actions, errors } = planDns(desired, observedDns([ZONE, DEV_ZONE]));
    expect(errors).toEqual([]);
    expect(actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'create dnsRecord/*.example.com/A',
      'create dnsRecord/api.dev.example.com/A',
      'create dnsRecord/www.example.com/A',
    ]);
    const www = byId(actions, 'dnsRecord/www.example.com/A');
    expect(www).toMatchObject({
      resource: 'dnsRecord',
      name: 'www.example.com A',
      reason: 'does not exist',
      source: { file: 'specs/demo/web.taskdef', line: 12, column: 9 },
      dependsOn: [],
    });
    expect(www.steps).toEqual([
      {
        call: 'changeRecords',
        zoneId: 'Z1EXAMPLE',
        changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: 'www.example.com.',
              Type: 'A',
              AliasTarget: { HostedZoneId: ALB_ZONE, DNSName: ALB, EvaluateTargetHealth: true },
            },
          },
          {
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: '_ecs-gitops-a.www.example.com.',
              Type: 'TXT',
              TTL: 300,
              ResourceRecords: [{ Value: OURS }],
            },
          },
        ],
      },
    ]);
    expect(www.changes).toEqual([
      { path: 'alias.dnsName', after: ALB },
      { path: 'alias.hostedZoneId', after: ALB_ZONE },
      { path: 'alias.evaluateTargetHealth', after: true },
    ]);
    expect(stepOf(byId(actions, 'dnsRecord/api.dev.example.com/A')).zoneId).toBe('Z2DEV');
    expect(stepOf(byId(actions, 'dnsRecord/*.example.com/A')).changes.map(summary)).toEqual([
      'CREATE *.example.com. A',
      'CREATE _ecs-gitops-wildcard-a.example.com. TXT',
    ]);
  });

  test('alias to a dualstack balancer gives A and AAAA, each with its TXT', () => {
    const { actions } = planDns(
      dnsDesired([host('www.example.com')]),
      observedDns([ZONE], {}, aliasTarget(true)),
    );
    expect(actions.map((a) => stepOf(a).changes.map(summary))).toEqual([
      ['CREATE www.example.com. A', 'CREATE _ecs-gitops-a.www.example.com. TXT'],
      ['CREATE www.example.com. AAAA', 'CREATE _ecs-gitops-aaaa.www.example.com. TXT'],
    ]);
    const aaaa = stepOf(actions[1]).changes[0].ResourceRecordSet!;
    expect(aaaa.AliasTarget).toEqual({ HostedZoneId: ALB_ZONE, DNSName: ALB, EvaluateTargetHealth: true });
    expect(aaaa.TTL).toBeUndefined();
  });

  test('addresses give A and AAAA with sorted values and the TTL; a cname target a CNAME', () => {
    const addresses = planDns(
      dnsDesired([host('www.example.com')], { ttl: 60 }),
      observedDns([ZONE], {}, { kind: 'addresses', ipv4: ['10.0.0.9', '10.0.0.10'], ipv6: ['2001:DB8::1'] }),
    ).actions;
    expect(addresses.map((a) => stepOf(a).changes[0].ResourceRecordSet)).toEqual([
      aSet('www.example.com', ['10.0.0.10', '10.0.0.9'], 60),
      aSet('www.example.com', ['2001:db8::1'], 60, 'AAAA'),
    ]);
    const cname = planDns(
      dnsDesired([host('www.example.com')]),
      observedDns([ZONE], {}, { kind: 'cname', value: 'Edge.Example.net.' }),
    ).actions;
    expect(stepOf(cname[0]).changes[0].ResourceRecordSet).toEqual(
      aSet('www.example.com', ['edge.example.net'], 300, 'CNAME'),
    );
    expect(stepOf(cname[0]).changes[1].ResourceRecordSet!.Name).toBe('_ecs-gitops-cname.www.example.com.');
  });

  test.each([
    ['alias', aliasTarget(true)],
    ['addresses', { kind: 'addresses' as const, ipv4: ['10.0.0.2', '10.0.0.1'], ipv6: ['2001:0db8:0:0::1'] }],
    ['cname', { kind: 'cname' as const, value: 'edge.example.net' }],
  ])('second round changes nothing (%s)', (_kind, target) => {
    const desired = dnsDesired([
      host('www.example.com'),
      host('*.example.com', 'api'),
      host('x.dev.example.com'),
    ]);
    const before = { Z1EXAMPLE: [aSet('other.example.com', ['192.0.2.1'])] };
    const first = planDns(desired, observedDns([ZONE, DEV_ZONE], before, target));
    expect(first.errors).toEqual([]);
    expect(mutating(first.actions).length).toBeGreaterThan(0);

    const after = applyPlan(first.actions, before);
    const second = planDns(desired, observedDns([ZONE, DEV_ZONE], after, target));
    expect(mutating(second.actions)).toEqual([]);
    expect(second.actions.every((a) => a.op === 'none' && a.reason === 'matches')).toBe(true);
    expect(second.actions.map((a) => a.id)).toEqual(first.actions.map((a) => a.id));
  });

  test('value order and TTL and alias case differences are not changes', () => {
    const desired = dnsDesired([host('www.example.com'), host('api.example.com', 'api')]);
    const addresses = { kind: 'addresses' as const, ipv4: ['10.0.0.1', '10.0.0.2'], ipv6: ['2001:db8::1'] };
    const live = {
      Z1EXAMPLE: [
        aSet('WWW.example.com', ['10.0.0.2', '10.0.0.1']),
        aSet('www.example.com', ['2001:DB8:0:0:0:0:0:1'], 300, 'AAAA'),
        txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'web'),
        txtSet('_ecs-gitops-aaaa.www.example.com', 'demo', 'demo', 'web'),
        aSet('api.example.com', ['10.0.0.1', '10.0.0.2']),
        aSet('api.example.com', ['2001:db8::1'], 300, 'AAAA'),
        txtSet('_ecs-gitops-a.api.example.com', 'demo', 'demo', 'api'),
        txtSet('_ecs-gitops-aaaa.api.example.com', 'demo', 'demo', 'api'),
      ],
    };
    expect(mutating(planDns(desired, observedDns([ZONE], live, addresses)).actions)).toEqual([]);

    const alias = {
      Z1EXAMPLE: [
        {
          Name: 'www.example.com.',
          Type: 'A' as const,
          AliasTarget: {
            HostedZoneId: ALB_ZONE,
            DNSName: `DualStack.${ALB.toUpperCase()}.`,
            EvaluateTargetHealth: true,
          },
        },
        txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'web'),
      ],
    };
    const aliasPlan = planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE], alias));
    expect(aliasPlan.actions.map((a) => `${a.op} ${a.id}`)).toEqual(['none dnsRecord/www.example.com/A']);

    // A real difference is one, field by field.
    const changed = planDns(
      dnsDesired([host('www.example.com')], { ttl: 60 }),
      observedDns([ZONE], { Z1EXAMPLE: live.Z1EXAMPLE.slice(0, 4) }, { ...addresses, ipv4: ['10.0.0.1'] }),
    ).actions;
    const a = byId(changed, 'dnsRecord/www.example.com/A');
    expect(a.op).toBe('update');
    expect(a.changes).toEqual([
      { path: 'values', before: ['10.0.0.1', '10.0.0.2'], after: ['10.0.0.1'] },
      { path: 'ttl', before: 300, after: 60 },
    ]);
    expect(stepOf(a).changes.map(summary)).toEqual(['UPSERT www.example.com. A']);
  });

  test('a record of ours that moved to another service upserts only its TXT', () => {
    const live = {
      Z1EXAMPLE: [
        aSet('www.example.com', ['10.0.0.1']),
        txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'old'),
      ],
    };
    const { actions } = planDns(
      dnsDesired([host('www.example.com', 'web')]),
      observedDns([ZONE], live, { kind: 'addresses', ipv4: ['10.0.0.1'], ipv6: [] }),
    );
    expect(actions[0]).toMatchObject({ op: 'update', reason: 'ownership record changed' });
    expect(actions[0].changes).toEqual([
      {
        path: 'ownership',
        before: 'owner=demo,cluster=demo,service=old',
        after: 'owner=demo,cluster=demo,service=web',
      },
    ]);
    expect(stepOf(actions[0]).changes.map(summary)).toEqual(['UPSERT _ecs-gitops-a.www.example.com. TXT']);
  });

  test('label removed deletes only our records', () => {
    const records: ResourceRecordSet[] = [
      aSet('old.example.com', ['10.0.0.1']),
      txtSet('_ecs-gitops-a.old.example.com', 'demo', 'demo', 'web'),
      aSet('www.example.com', ['10.0.0.1']),
      txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'web'),
      // Somebody's hand-made record, another controller's, another cluster of ours.
      aSet('manual.example.com', ['192.0.2.1']),
      aSet('theirs.example.com', ['192.0.2.2']),
      txtSet('_ecs-gitops-a.theirs.example.com', 'prod', 'demo', 'web'),
      aSet('sibling.example.com', ['192.0.2.3']),
      txtSet('_ecs-gitops-a.sibling.example.com', 'demo', 'staging', 'web'),
      // Our TXT whose record is gone already.
      txtSet('_ecs-gitops-wildcard-a.example.com', 'demo', 'demo', 'api'),
    ];
    const live = { Z1EXAMPLE: records.map((r) => ({ ...r, Name: r.Name!.replace('*', '\\052') })) };
    const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
    const desired = dnsDesired([host('www.example.com')]);
    const { actions } = planDns(desired, observedDns([ZONE], live, target));
    expect(actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'delete dnsRecord/*.example.com/A',
      'delete dnsRecord/old.example.com/A',
      'none dnsRecord/www.example.com/A',
    ]);
    const old = byId(actions, 'dnsRecord/old.example.com/A');
    expect(old.reason).toBe('no service claims it any more (was service web)');
    expect(old.changes).toEqual([
      { path: 'values', before: ['10.0.0.1'] },
      { path: 'ttl', before: 300 },
      { path: 'ownership', before: 'owner=demo,cluster=demo,service=web' },
    ]);
    // Deletes repeat the record sets exactly as listed.
    expect(stepOf(old).changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: live.Z1EXAMPLE[0] },
      { Action: 'DELETE', ResourceRecordSet: live.Z1EXAMPLE[1] },
    ]);
    expect(byId(actions, 'dnsRecord/*.example.com/A').reason).toBe(
      'ownership record _ecs-gitops-wildcard-a.example.com without its record (was service api)',
    );
    const remaining = applyPlan(actions, live).Z1EXAMPLE.map((r) => r.Name);
    expect(remaining).toEqual([
      'www.example.com.',
      '_ecs-gitops-a.www.example.com.',
      'manual.example.com.',
      'theirs.example.com.',
      '_ecs-gitops-a.theirs.example.com.',
      'sibling.example.com.',
      '_ecs-gitops-a.sibling.example.com.',
    ]);

    const kept = planDns(
      dnsDesired([host('www.example.com')], { policy: 'upsert-only' }),
      observedDns([ZONE], live, target),
    );
    expect(mutating(kept.actions)).toEqual([]);
    expect(byId(kept.actions, 'dnsRecord/old.example.com/A')).toMatchObject({
      op: 'none',
      reason: 'no service claims it any more (was service web); kept (policy upsert-only)',
    });
  });

  test('the last host name gone while services remain: its records are deleted (an intent, not an empty checkout)', () => {
    const live = {
      Z1EXAMPLE: [
        aSet('old.example.com', ['10.0.0.1']),
        txtSet('_ecs-gitops-a.old.example.com', 'demo', 'demo', 'web'),
      ],
    };
    const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
    const desired = dnsDesired([]);
    desired.services = [service(desired.cluster, 'web')];
    const { actions } = planDns(desired, observedDns([ZONE], live, target));
    expect(actions.map((a) => `${a.op} ${a.id}`)).toEqual(['delete dnsRecord/old.example.com/A']);
  });

  test('an empty desired set never prunes; an unresolved target or no addresses leaves DNS as it is', () => {
    const live = {
      Z1EXAMPLE: [
        aSet('old.example.com', ['10.0.0.1']),
        txtSet('_ecs-gitops-a.old.example.com', 'demo', 'demo', 'web'),
      ],
    };
    const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
    const empty = planDns(dnsDesired([]), observedDns([ZONE], live, target)).actions;
    expect(empty.map((a) => `${a.op} ${a.id}`)).toEqual(['none dnsRecord/old.example.com/A']);
    expect(empty[0].reason).toContain(
      'kept (the specs ask for nothing at all: an empty desired set never prunes)',
    );

    const failed = observedDns([ZONE], live, null);
    failed.targetError = 'LoadBalancerNotFound: demo-alb';
    const { actions, errors } = planDns(dnsDesired([host('www.example.com')]), failed);
    // Only the DNS part is cancelled (a conflict: apply exits 1); the ECS part of the plan goes on.
    expect(errors).toEqual([]);
    expect(actions.map((a) => [a.op, a.id, a.reason, a.steps])).toEqual([
      [
        'conflict',
        'dnsRecord/(target)',
        'DNS target load balancer demo-alb could not be resolved: LoadBalancerNotFound: demo-alb; DNS records left as they are',
        [],
      ],
    ]);

    const noInstances = planDns(
      dnsDesired([host('www.example.com')], { target: { kind: 'instances' } }),
      observedDns([ZONE], live, { kind: 'addresses', ipv4: [], ipv6: [] }),
    );
    // No instances yet (a new cluster) or none left: nothing written, nothing deleted, no error.
    expect(noInstances.errors).toEqual([]);
    expect(noInstances.actions.map((a) => [a.op, a.id])).toEqual([['none', 'dnsRecord/(target)']]);
    expect(noInstances.actions[0].reason).toContain('has no addresses');
  });

  test('unowned record is a conflict, adopt takes it', () => {
    const live = { Z1EXAMPLE: [aSet('www.example.com', ['192.0.2.1'])] };
    const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
    const conflict = planDns(
      dnsDesired([host('www.example.com')]),
      observedDns([ZONE], live, target),
    ).actions;
    expect(conflict[0]).toMatchObject({ op: 'conflict', steps: [] });
    expect(conflict[0].reason).toBe(
      'A www.example.com -> 192.0.2.1 exists without an ecs-gitops ownership record (not created by ecs-gitops); set dns.adopt: true to take it over',
    );

    const adopted = planDns(
      dnsDesired([host('www.example.com')], { adopt: true }),
      observedDns([ZONE], live, target),
    );
    expect(adopted.actions[0]).toMatchObject({
      op: 'update',
      reason: 'adopt (no ownership record); 1 field changed (values)',
    });
    expect(stepOf(adopted.actions[0]).changes.map(summary)).toEqual([
      'UPSERT www.example.com. A',
      'CREATE _ecs-gitops-a.www.example.com. TXT',
    ]);
    const after = applyPlan(adopted.actions, live);
    expect(
      mutating(planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE], after, target)).actions),
    ).toEqual([]);
  });

  test('another owner, another cluster, a CNAME in the way or a weighted record: conflicts, even with adopt', () => {
    const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
    const live = {
      Z1EXAMPLE: [
        aSet('a.example.com', ['192.0.2.1']),
        txtSet('_ecs-gitops-a.a.example.com', 'prod', 'demo', 'web'),
        aSet('b.example.com', ['192.0.2.1']),
        txtSet('_ecs-gitops-a.b.example.com', 'demo', 'staging', 'shop'),
        aSet('c.example.com', ['elsewhere.example.net'], 300, 'CNAME'),
        { ...aSet('d.example.com', ['192.0.2.1']), SetIdentifier: 'blue', Weight: 10 },
      ],
    };
    const hosts = ['a', 'b', 'c', 'd'].map((x) => host(`${x}.example.com`));
    const { actions } = planDns(dnsDesired(hosts, { adopt: true }), observedDns([ZONE], live, target));
    expect(actions.map((a) => [a.op, a.reason])).toEqual([
      ['conflict', 'A a.example.com -> 192.0.2.1 exists, owned by ecs-gitops owner "prod"'],
      ['conflict', 'A b.example.com -> 192.0.2.1 exists, owned by cluster "staging" (service shop)'],
      [
        'conflict',
        'CNAME c.example.com -> elsewhere.example.net exists (not created by ecs-gitops: no ownership record); an A record cannot share its name',
      ],
      [
        'conflict',
        'A d.example.com -> 192.0.2.1 has a routing policy (set identifier "blue"); ecs-gitops manages only simple records',
      ],
    ]);
    expect(actions.every((a) => a.steps.length === 0)).toBe(true);
  });

  test('our A replaced by a CNAME: one atomic step deletes ours and creates the new one', () => {
    const live = {
      Z1EXAMPLE: [
        aSet('www.example.com', ['10.0.0.1']),
        txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'web'),
      ],
    };
    const target = { kind: 'cname' as const, value: 'edge.example.net' };
    const { actions } = planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE], live, target));
    expect(actions.map((a) => `${a.op} ${a.id}`)).toEqual(['create dnsRecord/www.example.com/CNAME']);
    expect(actions[0].reason).toBe('does not exist; replaces our A record');
    expect(stepOf(actions[0]).changes.map(summary)).toEqual([
      'DELETE www.example.com. A',
      'DELETE _ecs-gitops-a.www.example.com. TXT',
      'CREATE www.example.com. CNAME',
      'CREATE _ecs-gitops-cname.www.example.com. TXT',
    ]);
    const after = applyPlan(actions, live);
    expect(
      mutating(planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE], after, target)).actions),
    ).toEqual([]);

    const upsertOnly = planDns(
      dnsDesired([host('www.example.com')], { policy: 'upsert-only' }),
      observedDns([ZONE], live, target),
    );
    expect(upsertOnly.actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'conflict dnsRecord/www.example.com/CNAME',
    ]);
    expect(upsertOnly.actions[0].reason).toBe(
      'our A www.example.com -> 10.0.0.1 must be replaced, which needs a delete; policy upsert-only never deletes',
    );
  });

  test('when the replacement is a conflict, our old record stays (the name never goes dark)', () => {
    const live = {
      Z1EXAMPLE: [
        aSet('www.example.com', ['10.0.0.1']),
        txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'web'),
        aSet('www.example.com', ['10 mail.example.com'], 300, 'MX'),
      ],
    };
    const target = { kind: 'cname' as const, value: 'edge.example.net' };
    const { actions } = planDns(
      dnsDesired([host('www.example.com')], { adopt: true }),
      observedDns([ZONE], live, target),
    );
    expect(actions.map((a) => `${a.op} ${a.id}`)).toEqual(['conflict dnsRecord/www.example.com/CNAME']);
    expect(actions[0].reason).toBe(
      'MX www.example.com -> 10 mail.example.com exists (not created by ecs-gitops: no ownership record); a CNAME record cannot share its name',
    );
  });

  test('our CNAME replaced by a dualstack alias: the A step deletes it, the AAAA follows', () => {
    const live = {
      Z1EXAMPLE: [
        aSet('www.example.com', ['edge.example.net'], 300, 'CNAME'),
        txtSet('_ecs-gitops-cname.www.example.com', 'demo', 'demo', 'web'),
      ],
    };
    const desired = dnsDesired([host('www.example.com')]);
    const { actions } = planDns(desired, observedDns([ZONE], live, aliasTarget(true)));
    expect(actions.map((a) => stepOf(a).changes.map(summary))).toEqual([
      [
        'DELETE www.example.com. CNAME',
        'DELETE _ecs-gitops-cname.www.example.com. TXT',
        'CREATE www.example.com. A',
        'CREATE _ecs-gitops-a.www.example.com. TXT',
      ],
      ['CREATE www.example.com. AAAA', 'CREATE _ecs-gitops-aaaa.www.example.com. TXT'],
    ]);
    const after = applyPlan(actions, live);
    expect(mutating(planDns(desired, observedDns([ZONE], after, aliasTarget(true))).actions)).toEqual([]);
  });

  test('a name that moves to a closer zone is created there and deleted from the old one', () => {
    const live = {
      Z1EXAMPLE: [
        aSet('api.dev.example.com', ['10.0.0.1']),
        txtSet('_ecs-gitops-a.api.dev.example.com', 'demo', 'demo', 'web'),
      ],
    };
    const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
    const desired = dnsDesired([host('api.dev.example.com')]);
    const { actions } = planDns(desired, observedDns([ZONE, DEV_ZONE], live, target));
    expect(actions.map((a) => `${a.op} ${a.id} ${stepOf(a).zoneId}`)).toEqual([
      'create dnsRecord/api.dev.example.com/A Z2DEV',
      'delete dnsRecord/api.dev.example.com/A/Z1EXAMPLE Z1EXAMPLE',
    ]);
  });

  test('a CNAME at a zone apex is a plan error', () => {
    const { errors, actions } = planDns(
      dnsDesired([host('example.com')]),
      observedDns([ZONE], {}, { kind: 'cname', value: 'edge.example.net' }),
    );
    expect(actions).toEqual([]);
    expect(errors[0].message).toContain(
      'example.com is the apex of hosted zone example.com: a CNAME cannot be there',
    );
  });

  test('planCluster puts DNS actions after services and carries the errors', () => {
    const cfg = clusterConfig({ dns: dnsDesired([]).cluster.dns });
    const desired = demoDesired({ cfg });
    desired.hostnames = [host('web.example.com'), host('web.example.org')];
    const plan = planCluster(desired, withDns(demoRunning(cfg), observedDns([ZONE])));
    expect(plan.actions.map((a) => `${a.op} ${a.id}`)).toEqual([
      'none cluster/demo',
      'none taskDefinition/demo-api',
      'none taskDefinition/demo-web',
      'none service/api',
      'none service/web',
      'create dnsRecord/web.example.com/A',
    ]);
    expect(plan.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('no hosted zone for web.example.org'),
    ]);
    expect(planHasChanges(plan)).toBe(true);

    // Without dns: in the config, host names are not planned.
    const plain = planCluster(
      { ...demoDesired(), hostnames: desired.hostnames },
      withDns(demoRunning(), observedDns([ZONE])),
    );
    expect(plain.actions.some((a) => a.resource === 'dnsRecord')).toBe(false);
    expect(plain.errors).toEqual([]);
  });
});

describe('DNS records of services whose names ecs-gitops cannot see, and of other regions', () => {
  const live = {
    Z1EXAMPLE: [
      aSet('api.example.com', ['10.0.0.1']),
      txtSet('_ecs-gitops-a.api.example.com', 'demo', 'demo', 'api'),
      aSet('www.example.com', ['10.0.0.1']),
      txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'web'),
    ],
  };
  const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };

  test('a service pinned to a revision keeps its records (pinning is how people roll back)', () => {
    const desired = dnsDesired([host('www.example.com')]);
    desired.services.push({
      name: 'api',
      body: { desiredCount: 1 },
      taskDefinition: { kind: 'pinned', value: 'demo-api:7' },
      tags: {},
      autocreated: false,
      source: { file: 'specs/demo/api.service', line: 1, column: 1 },
    });
    const { actions, errors } = planDns(desired, observedDns([ZONE], live, target));
    expect(errors).toEqual([]);
    const api = actions.find((a) => a.id === 'dnsRecord/api.example.com/A');
    expect(api?.op).toBe('none');
    expect(api?.reason).toMatch(/kept: service api is pinned/);
    expect(actions.every((a) => a.op === 'none')).toBe(true);
  });

  test('without the pin, the same record is deleted under policy sync', () => {
    const { actions } = planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE], live, target));
    expect(actions.find((a) => a.id === 'dnsRecord/api.example.com/A')?.op).toBe('delete');
  });

  test('the same cluster name in another region: its records are never ours to change or delete', () => {
    const otherRegion: ResourceRecordSet = {
      ...txtSet('_ecs-gitops-a.eu.example.com', 'demo', 'demo', 'web'),
      ResourceRecords: [
        {
          Value:
            '"heritage=ecs-gitops,ecs-gitops/owner=demo,ecs-gitops/cluster=demo,ecs-gitops/service=web,ecs-gitops/region=us-east-1"',
        },
      ],
    };
    const records = { Z1EXAMPLE: [...live.Z1EXAMPLE, aSet('eu.example.com', ['10.9.9.9']), otherRegion] };
    // This cluster is `demo` in eu-west-1 (the builders' region); the TXT says us-east-1.
    const { actions } = planDns(
      dnsDesired([host('www.example.com'), host('api.example.com', 'api')]),
      observedDns([ZONE], records, target),
    );
    expect(actions.some((a) => a.id.startsWith('dnsRecord/eu.example.com'))).toBe(false);
    const claimed = planDns(
      dnsDesired([host('www.example.com'), host('api.example.com', 'api'), host('eu.example.com')]),
      observedDns([ZONE], records, target),
    ).actions.find((a) => a.id === 'dnsRecord/eu.example.com/A');
    expect(claimed?.op).toBe('conflict');
    expect(claimed?.steps).toEqual([]);
  });
});

test('dns.zoneId pointed at another zone: the record moves, and our copy in the old zone is deleted', () => {
  const records = {
    Z2DEV: [
      aSet('a.dev.example.com', ['10.0.0.1']),
      txtSet('_ecs-gitops-a.a.dev.example.com', 'demo', 'demo', 'web'),
    ],
  };
  const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
  const { actions, errors } = planDns(
    dnsDesired([host('a.dev.example.com')], { zoneId: 'Z1EXAMPLE' }),
    observedDns([ZONE, DEV_ZONE], records, target),
  );
  expect(errors).toEqual([]);
  expect(actions.map((a) => [a.op, a.id, (a.steps[0] as { zoneId?: string } | undefined)?.zoneId])).toEqual([
    ['create', 'dnsRecord/a.dev.example.com/A', 'Z1EXAMPLE'],
    ['delete', 'dnsRecord/a.dev.example.com/A/Z2DEV', 'Z2DEV'],
  ]);
});

test('a load balancer that stops being dualstack: the AAAA goes, and the reason says why', () => {
  const first = planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE], {}, aliasTarget(true)));
  const live = { Z1EXAMPLE: applyPlanChanges(first.actions) };
  const next = planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE], live, aliasTarget(false)));
  const aaaa = next.actions.find((a) => a.id === 'dnsRecord/www.example.com/AAAA');
  expect(aaaa?.op).toBe('delete');
  expect(aaaa?.reason).toMatch(/the DNS target no longer produces a AAAA record for this name/);
  expect(next.actions.find((a) => a.id === 'dnsRecord/www.example.com/A')?.op).toBe('none');
});

/** The record sets a plan's changes leave in an empty zone. */
function applyPlanChanges(actions: PlannedAction[]): ResourceRecordSet[] {
  const sets: ResourceRecordSet[] = [];
  for (const a of actions) {
    for (const step of a.steps) {
      if (step.call !== 'changeRecords') continue;
      for (const c of step.changes)
        if (c.Action !== 'DELETE' && c.ResourceRecordSet) sets.push(c.ResourceRecordSet);
    }
  }
  return sets;
}
