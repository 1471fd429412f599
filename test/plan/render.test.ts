import { planCluster } from '../../controller/plan/planner';
import { planToJson } from '../../controller/plan/plan-json';
import type { ActionResult } from '../../controller/model/action-result';
import { renderPlanMarkdown } from '../../controller/plan/render-markdown';
import { renderResultsText, resultsToJson } from '../../controller/plan/render-results';
import { renderPlanText } from '../../controller/plan/render-text';
import { emptyAccount } from './builders';
import { demoDesired, demoRunning } from './scenario';

const ESC = '\u001b[';
const changedImage = () => planCluster(demoDesired({ webImage: 'nginx:1.28' }), demoRunning());

describe('renderPlanText', () => {
  test('without colour: header lines with symbol, source and reason; -/+ field lines; summary', () => {
    const text = renderPlanText([changedImage()], { color: false });
    const lines = text.split('\n');
    expect(lines).toContain(
      '~ taskDefinition/demo-web  (specs/demo/web.taskdef:1)  new revision: 1 field changed (containerDefinitions[web].image)',
    );
    expect(lines).toContain('-   containerDefinitions[web].image: "nginx:1.27"');
    expect(lines).toContain('+   containerDefinitions[web].image: "nginx:1.28"');
    expect(lines).toContain('-   taskDefinition: "demo-web:3"');
    expect(lines).toContain('+   taskDefinition: "demo-web:<new revision>"');
    expect(lines).toContain('  3 unchanged resources not shown');
    expect(lines).toContain('Plan for cluster demo: 0 to create, 2 to update, 3 unchanged, 0 conflicts.');
    expect(text).not.toContain(ESC);
  });

  test('creates and conflicts get + and !; unchanged listed with showUnchanged', () => {
    const created = renderPlanText([planCluster(demoDesired(), emptyAccount())], { color: false });
    expect(created).toMatch(/^\+ service\/web {2}\(specs\/demo\/web\.service:1\) {2}does not exist/m);
    expect(created).toContain('Plan for cluster demo: 5 to create, 0 to update, 0 unchanged, 0 conflicts.');

    const conflict = renderPlanText(
      [planCluster(demoDesired({ webBody: { launchType: 'FARGATE' } }), demoRunning())],
      {
        color: false,
        showUnchanged: true,
      },
    );
    expect(conflict).toMatch(
      /^! service\/web {2}\(specs\/demo\/web\.service:1\) {2}cannot change launchType/m,
    );
    expect(conflict).toContain('-   launchType: "EC2"');
    expect(conflict).toMatch(
      /^ {2}taskDefinition\/demo-web {2}\(specs\/demo\/web\.taskdef:1\) {2}matches demo-web:3$/m,
    );
    expect(conflict).toContain('1 conflict.');
  });

  test('with colour: + green, - red, ! yellow', () => {
    const text = renderPlanText([changedImage()], { color: true });
    expect(text).toContain(`${ESC}32m+   containerDefinitions[web].image: "nginx:1.28"${ESC}0m`);
    expect(text).toContain(`${ESC}31m-   containerDefinitions[web].image: "nginx:1.27"${ESC}0m`);
    const conflict = renderPlanText(
      [planCluster(demoDesired({ webBody: { launchType: 'FARGATE' } }), demoRunning())],
      {
        color: true,
      },
    );
    expect(conflict).toContain(`${ESC}33m! service/web`);
  });
});

describe('renderPlanMarkdown', () => {
  test('a summary table row and a details section per changed resource, no ANSI', () => {
    const md = renderPlanMarkdown([changedImage()]);
    expect(md).toContain('- `demo` in `eu-west-1` from `specs/demo`: 2 to update, 3 unchanged');
    expect(md).toContain('| demo | task definition | demo-web | update |');
    const fence = /```diff\n([\s\S]*?)\n```/.exec(md);
    expect(fence![1]).toBe('! containerDefinitions[web].image: "nginx:1.27" -> "nginx:1.28"');
    expect(md).not.toContain(ESC);
  });

  test('nothing to change: no table, no fence, "No changes."', () => {
    const md = renderPlanMarkdown([planCluster(demoDesired(), demoRunning())]);
    expect(md).not.toContain('```');
    expect(md).not.toContain('| Cluster |');
    expect(md).toContain('**No changes.**');
    expect(md).toContain('5 unchanged');
  });
});

describe('planToJson', () => {
  test('a stable document without steps, payloads or tokens', () => {
    const plan = changedImage();
    const json = planToJson([plan]);
    expect(JSON.stringify(json)).toBe(JSON.stringify(planToJson([changedImage()])));
    expect(json.schemaVersion).toBe(1);
    expect(json.clusters[0]).toMatchObject({
      cluster: 'demo',
      region: 'eu-west-1',
      dir: 'specs/demo',
      changes: true,
      summary: { create: 0, update: 2, unchanged: 3, conflict: 0 },
    });
    expect(json.clusters[0].actions[0]).toEqual({
      id: 'cluster/demo',
      kind: 'unchanged',
      resource: 'cluster',
      name: 'demo',
      op: 'none',
      reason: 'exists',
      source: { file: 'specs/demo/cluster.yaml', line: 1, column: 1 },
      changes: [],
      dependsOn: [],
      pending: null,
    });
    expect(Object.keys(json.clusters[0].actions[1])).toEqual([
      'id',
      'kind',
      'resource',
      'name',
      'op',
      'reason',
      'source',
      'changes',
      'dependsOn',
      'pending',
    ]);
    const createdPlan = planToJson([planCluster(demoDesired(), emptyAccount())]);
    const created = JSON.stringify(createdPlan);
    expect(created).not.toContain('clientToken');
    expect(created).not.toContain('steps');
    // A create lists the fields it sets, leaf by leaf, for review; not the raw request body.
    const web = createdPlan.clusters[0].actions.find((a) => a.id === 'taskDefinition/demo-web');
    expect(web?.changes).toContainEqual({ path: 'containerDefinitions[web].image', after: 'nginx:1.27' });
    expect(created).not.toContain('"containerDefinitions":');
  });
});

describe('results', () => {
  const results: ActionResult[] = [
    {
      id: 'service/jenkins',
      resource: 'service',
      name: 'jenkins',
      outcome: 'created',
      message: 'does not exist; will run the new revision of demo-jenkins',
      source: { file: 'jenkins.taskdef', line: 23, column: 1 },
    },
    {
      id: 'taskDefinition/demo-web',
      resource: 'taskDefinition',
      name: 'demo-web',
      outcome: 'failed',
      message: 'ClientException: bad',
      errorCode: 'ClientException',
    },
  ];

  test('one line per action with fixed outcome names, then a summary', () => {
    const text = renderResultsText([results[0]], { color: false });
    expect(text.split('\n')[0]).toBe(
      'created  service/jenkins  (jenkins.taskdef:23)  does not exist; will run the new revision of demo-jenkins',
    );
    const both = renderResultsText(results, { color: false, cluster: 'demo' });
    expect(both).toContain('failed   taskDefinition/demo-web  ClientException: bad');
    expect(both).toContain(
      'Applied to cluster demo: 1 created, 0 updated, 0 unchanged, 0 deleted, 0 skipped, 1 failed.',
    );
    expect(both).not.toContain(ESC);
    expect(renderResultsText(results, { color: true })).toContain(`${ESC}31mfailed`);
  });

  test('results JSON', () => {
    const json = resultsToJson(results);
    expect(json.ok).toBe(false);
    expect(json.summary).toEqual({ created: 1, updated: 0, unchanged: 0, deleted: 0, skipped: 0, failed: 1 });
    expect(json.results[1]).toEqual({
      id: 'taskDefinition/demo-web',
      resource: 'taskDefinition',
      name: 'demo-web',
      outcome: 'failed',
      message: 'ClientException: bad',
      errorCode: 'ClientException',
      arn: null,
      source: null,
    });
  });
});
