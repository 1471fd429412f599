/** The sticky comment's text: errors, "no changes", the host's size limit. */
import { commentBody, fitPlanMarkdown } from '../../../controller/cli/pr-comment/comment-body';
import type { Plan, PlannedAction } from '../../../controller/plan/plan-types';

const MARKER = '<!-- ecs-gitops:plan:abc -->';

/** A plan updating `n` services' image (each a few lines of markdown). */
function plan(n: number): Plan {
  const actions: PlannedAction[] = Array.from({ length: n }, (_, i) => ({
    id: `service/svc${i}`,
    resource: 'service',
    name: `svc${i}`,
    op: 'update',
    reason: 'task definition changed',
    changes: [{ path: 'taskDefinition', before: `demo-svc${i}:1`, after: `demo-svc${i}:2` }],
    dependsOn: [],
    steps: [],
  }));
  return { cluster: 'demo', region: 'eu-west-1', dir: 'specs/demo', actions, errors: [] };
}

function unchanged(): Plan {
  return { ...plan(0), actions: [{ ...plan(1).actions[0], op: 'none', changes: [], reason: 'unchanged' }] };
}

test('a plan with changes: the marker first, the plan, the commit and where the job log is', async () => {
  const body = await commentBody({
    marker: MARKER,
    plans: [plan(1)],
    errorLines: [],
    maxLength: 65_536,
    sha: '0123456789abcdef',
    jobUrl: 'https://ci.example/job/1',
  });
  expect(body.split('\n')[0]).toBe(MARKER);
  expect(body).toContain('demo-svc0:2');
  expect(body).toContain('for commit 0123456789ab;');
  expect(body).toContain('[job log](https://ci.example/job/1)');
});

test('no changes: a short body', async () => {
  const body = await commentBody({
    marker: MARKER,
    plans: [unchanged()],
    errorLines: [],
    maxLength: 65_536,
  });
  expect(body).toBe(
    `${MARKER}\n### ecs-gitops plan: no changes\n\nCluster \`demo\`: AWS already matches the specs; ` +
      '`apply` would change nothing.\n\n<sub>Plan by `ecs-gitops diff`.</sub>\n',
  );
});

test('errors are posted even without changes, credentials in them masked, backticks unable to close the block', async () => {
  const body = await commentBody({
    marker: MARKER,
    plans: [],
    errorLines: [
      'error: specs/demo/web.taskdef:3:5: bad value ```',
      'error: specs/demo: cannot reach AWS (https://admin:hunter2@proxy.example)',
    ],
    maxLength: 65_536,
  });
  expect(body).not.toContain('hunter2');
  expect(body).toContain('````text\nerror: specs/demo/web.taskdef:3:5: bad value ```\n');
  expect(body).toContain('Nothing is applied to a cluster with an error');
});

test('over the limit: the whole table kept, details left out, saying where the full plan is', async () => {
  const big = plan(2000);
  const max = 65_536;
  const body = await commentBody({
    marker: MARKER,
    plans: [big],
    errorLines: [],
    maxLength: max,
    jobUrl: 'https://ci/1',
  });
  expect(body.length).toBeLessThanOrEqual(max);
  expect(body.length).toBeGreaterThan(max - 1000);
  expect(body).toMatch(
    /left out[^\n]*\*\* to fit the size limit of a comment: the full plan is in the \[job log\]\(https:\/\/ci\/1\)\./,
  );
  // Every fence opened is closed: an even number of fence lines.
  expect(body.split('\n').filter((l) => /^```/.test(l)).length % 2).toBe(0);
  expect(body.endsWith('</sub>\n')).toBe(true);
});

test('fitPlanMarkdown leaves a plan under the limit as it is', () => {
  const small = plan(3);
  expect(fitPlanMarkdown([small], 100_000, 'x')).toBe(fitPlanMarkdown([small], 1_000_000, 'y'));
  expect(fitPlanMarkdown([small], 100_000, 'x')).not.toContain('left out');
});

test("a caller's own renderer gets the room left by the marker, errors and footer, and where the full plan is", async () => {
  const seen: [number, string][] = [];
  const body = await commentBody({
    marker: MARKER,
    plans: [plan(1)],
    errorLines: ['error: x'],
    maxLength: 10_000,
    jobUrl: 'https://ci/1',
    renderPlan: (max, hint) => {
      seen.push([max, hint]);
      return 'P'.repeat(max);
    },
  });
  expect(seen).toEqual([[expect.any(Number), 'the full plan is in the [job log](https://ci/1)']]);
  expect(body.length).toBe(10_000); // all the room used, not a character more
  expect(body).toContain('error: x');
});
