/**
 * The markdown plan's structure holds whatever the specs and AWS contain (names, values, reasons and
 * file names with backticks, pipes, HTML), and its size limit is never exceeded.
 */
import { planCluster } from '../../controller/plan/planner';
import {
  GITHUB_COMMENT_MAX_LENGTH,
  GITLAB_NOTE_MAX_LENGTH,
  renderPlanMarkdown,
} from '../../controller/plan/render-markdown';
import { emptyAccount, clusterConfig, desiredState, service, taskDef } from './builders';
import { webSpec } from './fixtures';
import { demoDesired, demoRunning } from './scenario';

/** What a CommonMark reader sees outside code: lines, with fenced blocks (and their length) removed. */
function structure(md: string): { outside: string[]; fences: string[][] } {
  const outside: string[] = [];
  const fences: string[][] = [];
  let open: { ticks: number; body: string[] } | undefined;
  for (const line of md.split('\n')) {
    const m = /^ {0,3}(`{3,})(.*)$/.exec(line);
    if (open) {
      if (m && m[1].length >= open.ticks && m[2].trim() === '') {
        fences.push(open.body);
        open = undefined;
      } else open.body.push(line);
    } else if (m && !m[2].includes('`')) open = { ticks: m[1].length, body: [] };
    else outside.push(line);
  }
  expect(open).toBeUndefined();
  return { outside, fences };
}

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

const EVIL = 'x`` | </details> <script>alert(1)</script> ```\n``` *a* [l](http://e) &amp;';

function evilPlan() {
  const cfg = clusterConfig();
  const spec = webSpec(`repo:1.5${EVIL}`);
  // A name with a line break and a fence of its own: it ends up in a field path.
  spec.containerDefinitions![0].environment!.push({ name: 'A\n````\n</details>', value: EVIL });
  const td = taskDef(cfg, 'web', spec);
  const svc = service(cfg, `web|${EVIL}`, { family: td.family, body: { launchType: 'EC2' } });
  svc.source = { file: `specs/demo/we|b${EVIL}.service`, line: 1, column: 1 };
  return planCluster(desiredState(cfg, [td], [svc]), emptyAccount());
}

describe('markdown escaping', () => {
  test('values, names, reasons and file names cannot close a fence or a details block, or add a table column', () => {
    const md = renderPlanMarkdown([evilPlan()], { account: '123456789012' });
    const { outside, fences } = structure(md);
    // One fence per created resource (cluster, task definition, service), and every diff line inside its fence.
    expect(fences).toHaveLength(3);
    expect(fences.flat().join('\n')).toContain('</details> <script>');
    // Outside the fences: our tags only, each details opened and closed once per resource.
    expect(outside.filter((l) => l.startsWith('<details>'))).toHaveLength(3);
    expect(outside.filter((l) => l === '</details>')).toHaveLength(3);
    // (Inside code spans `<` is literal text, so those are left out of this check.)
    const codeSpans = /(?<!`)(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g;
    expect(outside.join('\n').replace(codeSpans, '')).not.toMatch(/<script>|<\/details> /);
    const rows = outside.filter((l) => l.startsWith('| demo |'));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(cells(row)).toHaveLength(4);
    expect(rows.join('\n')).not.toMatch(/[<>]/);
    expect(cells(rows.find((r) => r.includes('service'))!)[2]).toContain('web\\|x\\`\\` \\|');
    // In <summary>, HTML entities: the name is shown, not run.
    expect(md).toContain('<code>web|x`` | &lt;/details&gt; &lt;script&gt;');
  });

  test('offline: the header names the two refs, in a code span a backtick cannot close', () => {
    const md = renderPlanMarkdown([planCluster(demoDesired({ webImage: 'nginx:1.28' }), demoRunning())], {
      offline: { base: 'main', head: 'feature`x' },
    });
    expect(md).toContain('Offline: ``main...feature`x``, the specs of two git refs compared (AWS not read).');
    expect(md).not.toContain('Compared against');
  });
});

describe('directories not planned', () => {
  test('listed under the clusters, credentials in messages replaced, and never "No changes"', () => {
    const md = renderPlanMarkdown([planCluster(demoDesired(), demoRunning())], {
      notPlanned: [
        { dir: 'specs/prod', errors: ['cluster.yaml:3:1: url: bad value postgres://app:hunter2@db/app'] },
      ],
    });
    expect(md).toContain('**Not planned: 1 directory with errors; nothing in it is compared or applied.**');
    expect(md).toContain(
      '- `specs/prod`: cluster.yaml:3:1: url: bad value postgres://app:(sensitive value)@db/app',
    );
    expect(md).not.toContain('hunter2');
    expect(md).not.toContain('No changes');
    const none = renderPlanMarkdown([], { notPlanned: [{ dir: 'specs', errors: ['no cluster.yaml'] }] });
    expect(none).not.toContain('No clusters to plan');
  });
});

describe('several clusters', () => {
  test('a line per cluster with its counts, the cluster in each row and each details summary', () => {
    const staging = planCluster(demoDesired({ webImage: 'nginx:1.28' }), demoRunning());
    const prodCfg = clusterConfig({ name: 'prod', prefix: 'demo', dir: 'specs/prod', region: 'us-east-1' });
    const prod = planCluster(demoDesired({ cfg: prodCfg }), demoRunning(prodCfg));
    const md = renderPlanMarkdown([staging, prod], { account: '123456789012' });
    expect(md).toContain('- `demo` in `eu-west-1` from `specs/demo`: 2 to update, 3 unchanged');
    expect(md).toContain('- `prod` in `us-east-1` from `specs/prod`: 5 unchanged');
    expect(md).toContain(
      '<summary><b>update</b> task definition <code>demo-web</code> in <code>demo</code></summary>',
    );
    expect(md).not.toContain('**No changes.**');
  });
});

describe('markdown size limit', () => {
  /** Many services, each with a non-ASCII value (an emoji is two UTF-16 code units). */
  function bigPlan(n: number) {
    const cfg = clusterConfig();
    const tds = Array.from({ length: n }, (_, i) =>
      taskDef(cfg, `svc${String(i).padStart(3, '0')}`, webSpec(`repo/ünïcödé-😀:${i}`)),
    );
    return planCluster(desiredState(cfg, tds, []), emptyAccount());
  }

  test('the limits of GitHub and GitLab', () => {
    expect(GITHUB_COMMENT_MAX_LENGTH).toBe(65536);
    expect(GITLAB_NOTE_MAX_LENGTH).toBe(1000000);
  });

  test('over the limit: header and whole table kept, details cut from the end, the count and where the rest is', () => {
    const plan = bigPlan(40);
    const full = renderPlanMarkdown([plan]);
    const max = Math.floor(full.length / 2);
    const md = renderPlanMarkdown([plan], { maxLength: max, fullPlanHint: 'see the job log of this run' });
    expect(md.length).toBeLessThanOrEqual(max);
    expect(md.length).toBeGreaterThan(max - 2000);
    expect(md.startsWith('### ecs-gitops plan\n')).toBe(true);
    const rows = md.split('\n').filter((l) => l.startsWith('| demo |'));
    expect(rows).toHaveLength(41);
    const shown = md.split('\n').filter((l) => l.startsWith('<details>')).length;
    expect(shown).toBeGreaterThan(0);
    expect(md).toContain(
      `**The details of the last ${41 - shown} of 41 resources are left out** to fit the size limit of a comment: see the job log of this run.`,
    );
    // What is kept is whole: every details block closed, every fence closed.
    expect(md.split('\n').filter((l) => l === '</details>')).toHaveLength(shown);
    structure(md);
    // The whole text when it fits.
    expect(renderPlanMarkdown([plan], { maxLength: full.length })).toBe(full);
  });

  test('when even the table does not fit: rows cut, with their count; never over the limit, even tiny', () => {
    const plan = bigPlan(40);
    const md = renderPlanMarkdown([plan], { maxLength: 1500 });
    expect(md.length).toBeLessThanOrEqual(1500);
    const rows = md.split('\n').filter((l) => l.startsWith('| demo |')).length;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(41);
    expect(md).toContain(
      `**${41 - rows} more rows are left out of this table, and every resource's details,**`,
    );
    expect(md).not.toContain('<details>');
    for (const max of [1, 10, 60, 200, 333]) {
      const tiny = renderPlanMarkdown([plan], { maxLength: max });
      expect(tiny.length).toBeLessThanOrEqual(max);
    }
  });

  test('a plan of 3000 resources: its table alone is over a GitHub comment, so rows are cut', () => {
    const plan = bigPlan(3000);
    const md = renderPlanMarkdown([plan], { maxLength: GITHUB_COMMENT_MAX_LENGTH });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_LENGTH);
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_MAX_LENGTH - 300);
    expect(md).toMatch(/\*\*\d+ more rows are left out of this table/);
  });

  test('length is counted in UTF-16 code units (an emoji counts 2), and never splits one', () => {
    const plan = bigPlan(3);
    const full = renderPlanMarkdown([plan]);
    expect(full).toContain('😀');
    // The hint has emoji too: the smallest limits cut into the note itself.
    const fullPlanHint = 'the full plan 😀😀😀😀 is in the job log';
    for (let max = 1; max < full.length; max += max < 120 ? 1 : 7) {
      const md = renderPlanMarkdown([plan], { maxLength: max, fullPlanHint });
      expect(md.length).toBeLessThanOrEqual(max);
      expect(md).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });
});
