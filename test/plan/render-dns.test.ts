import { planCluster } from '../../controller/plan/planner';
import { planToJson } from '../../controller/plan/plan-json';
import type { ActionResult } from '../../controller/model/action-result';
import { renderPlanMarkdown } from '../../controller/plan/render-markdown';
import { renderResultsText } from '../../controller/plan/render-results';
import { renderPlanText } from '../../controller/plan/render-text';
import { clusterConfig } from './builders';
import { aSet, dnsConfig, host, observedDns, txtSet, withDns, ZONE } from './dns-builders';
import { demoDesired, demoRunning } from './scenario';

const ESC = '\u001b[';

/** The demo cluster, unchanged, with a new name, a removed one, a conflict and a name without zone. */
function dnsPlan() {
  const cfg = clusterConfig({ dns: dnsConfig() });
  const desired = demoDesired({ cfg });
  desired.hostnames = [
    host('new.example.com'),
    host('manual.example.com', 'api', 4),
    host('web.example.org'),
  ];
  const live = {
    Z1EXAMPLE: [
      aSet('old.example.com', ['10.0.0.1']),
      txtSet('_ecs-gitops-a.old.example.com', 'demo', 'demo', 'web'),
      aSet('manual.example.com', ['192.0.2.1']),
    ],
  };
  const target = { kind: 'addresses' as const, ipv4: ['10.0.0.1'], ipv6: [] };
  return planCluster(desired, withDns(demoRunning(cfg), observedDns([ZONE], live, target)));
}

describe('rendering DNS actions', () => {
  test('text: errors first, + create, - delete, ! conflict, and the summary counts deletes and errors', () => {
    const text = renderPlanText([dnsPlan()], { color: false });
    const lines = text.split('\n');
    expect(lines[1]).toBe(
      'error: no hosted zone for web.example.org: no public hosted zone contains it (service web, label proxy.host of container web)  (specs/demo/web.taskdef:12, containerDefinitions[web].dockerLabels.proxy.host)',
    );
    expect(lines).toContain(
      '! dnsRecord/manual.example.com/A  (specs/demo/api.taskdef:4)  A manual.example.com -> 192.0.2.1 exists without an ecs-gitops ownership record (not created by ecs-gitops); set dns.adopt: true to take it over',
    );
    expect(lines).toContain('+ dnsRecord/new.example.com/A  (specs/demo/web.taskdef:12)  does not exist');
    expect(lines).toContain('+   values: ["10.0.0.1"]');
    expect(lines).toContain('- dnsRecord/old.example.com/A  no service claims it any more (was service web)');
    expect(lines).toContain('-   values: ["10.0.0.1"]');
    expect(lines).toContain('-   ownership: "owner=demo,cluster=demo,service=web"');
    expect(lines).toContain(
      'Plan for cluster demo: 1 to create, 0 to update, 1 to delete, 5 unchanged, 1 conflict, 1 error.',
    );
    expect(lines).toContain('This plan has errors: nothing will be applied to this cluster.');
    expect(text).not.toContain(ESC);

    const colored = renderPlanText([dnsPlan()], { color: true });
    expect(colored).toContain(`${ESC}31m- dnsRecord/old.example.com/A`);
    expect(colored).toContain(`${ESC}31merror: no hosted zone for web.example.org`);
  });

  test('markdown: the errors as a list under the counts, DNS actions in the table and details', () => {
    const md = renderPlanMarkdown([dnsPlan()]);
    expect(md).toContain(': 1 to create, 1 to prune, 1 conflict, 5 unchanged, 1 error');
    expect(md).toContain('**Errors in `demo`: nothing will be applied to this cluster.**');
    expect(md).toMatch(/^- no hosted zone for web\.example\.org: .*\(specs\/demo\/web\.taskdef:12, /m);
    expect(md).toContain('| demo | DNS record | old.example.com A | prune |');
    expect(md).toContain('| demo | DNS record | manual.example.com A | conflict |');
    expect(md).toContain('no service claims it any more (was service web)');
    expect(md).toContain('- values: ["10.0.0.1"]');
  });

  test('json: DNS actions, errors per cluster, delete in the summary', () => {
    const json = planToJson([dnsPlan()]);
    const c = json.clusters[0];
    expect(c.changes).toBe(true);
    expect(c.summary).toEqual({ create: 1, update: 0, delete: 1, unchanged: 5, conflict: 1, orphan: 0 });
    expect(c.errors).toEqual([
      {
        message: expect.stringContaining('no hosted zone for web.example.org') as string,
        field: 'containerDefinitions[web].dockerLabels.proxy.host',
        source: { file: 'specs/demo/web.taskdef', line: 12, column: 9 },
      },
    ]);
    expect(c.actions.filter((a) => a.resource === 'dnsRecord').map((a) => [a.op, a.id, a.name])).toEqual([
      ['conflict', 'dnsRecord/manual.example.com/A', 'manual.example.com A'],
      ['create', 'dnsRecord/new.example.com/A', 'new.example.com A'],
      ['delete', 'dnsRecord/old.example.com/A', 'old.example.com A'],
    ]);
    expect(JSON.stringify(json)).not.toContain('ResourceRecordSet');
    // A plan without DNS has an empty list.
    expect(planToJson([planCluster(demoDesired(), demoRunning())]).clusters[0].errors).toEqual([]);
  });

  test('results: DNS outcomes, deleted in red', () => {
    const results: ActionResult[] = [
      {
        id: 'dnsRecord/new.example.com/A',
        resource: 'dnsRecord',
        name: 'new.example.com A',
        outcome: 'created',
      },
      {
        id: 'dnsRecord/old.example.com/A',
        resource: 'dnsRecord',
        name: 'old.example.com A',
        outcome: 'deleted',
        message: 'no service claims it any more (was service web)',
      },
    ];
    const text = renderResultsText(results, { color: false, cluster: 'demo' });
    expect(text.split('\n')).toEqual([
      'created  dnsRecord/new.example.com/A',
      'deleted  dnsRecord/old.example.com/A  no service claims it any more (was service web)',
      'Applied to cluster demo: 1 created, 0 updated, 0 unchanged, 1 deleted, 0 skipped, 0 failed.',
      '',
    ]);
    expect(renderResultsText(results, { color: true })).toContain(
      `${ESC}31mdeleted  dnsRecord/old.example.com/A`,
    );
  });
});
