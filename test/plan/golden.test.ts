/**
 * Golden files: the text, markdown and JSON plans of each scenario a reviewer meets (create, update,
 * replace, delete, conflict, prune, redaction, truncation), compared with test/plan/golden/. After an
 * intended change of output, rewrite them and review the diff:
 *
 *   UPDATE_GOLDEN=1 npx jest test/plan/golden.test.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { planToJson } from '../../controller/plan/plan-json';
import { renderPlanMarkdown } from '../../controller/plan/render-markdown';
import { renderPlanText } from '../../controller/plan/render-text';
import { planSchemaValidator } from '../helpers/plan-schema';
import { ACCOUNT } from './builders';
import { GOLDEN_SCENARIOS, NEW_SECRET, OLD_SECRET, type GoldenScenario } from './golden-scenarios';

const DIR = path.join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function render(s: GoldenScenario, format: 'txt' | 'md' | 'json'): string {
  const plans = s.plans();
  if (format === 'txt') return renderPlanText(plans, { color: false });
  if (format === 'json') return `${JSON.stringify(planToJson(plans), null, 2)}\n`;
  return renderPlanMarkdown(plans, {
    account: ACCOUNT,
    ...(s.maxLength !== undefined ? { maxLength: s.maxLength } : {}),
  });
}

/** The golden file, or (with UPDATE_GOLDEN=1) the output written as the new golden file. */
function golden(file: string, actual: string): string {
  const p = path.join(DIR, file);
  if (UPDATE || !fs.existsSync(p)) {
    if (!UPDATE) throw new Error(`${p} is missing: run with UPDATE_GOLDEN=1 to write it`);
    fs.mkdirSync(DIR, { recursive: true });
    fs.writeFileSync(p, actual);
  }
  return fs.readFileSync(p, 'utf8');
}

const cases = GOLDEN_SCENARIOS.flatMap((s) =>
  (s.formats ?? (['txt', 'md', 'json'] as const)).map((f) => [`${s.name}.${f}`, s, f] as const),
);

describe('golden plans', () => {
  test.each(cases)('%s', (file, scenario, format) => {
    const actual = render(scenario, format);
    expect(actual).toBe(golden(file, actual));
  });

  test('every golden file belongs to a scenario (none left over from a removed one)', () => {
    expect(fs.readdirSync(DIR).sort()).toEqual(cases.map(([file]) => file).sort());
  });
});

describe('what the golden plans show', () => {
  const read = (file: string) => fs.readFileSync(path.join(DIR, file), 'utf8');

  test('redaction: neither the old nor the new secret anywhere, the change visible, the exemption shown', () => {
    for (const f of ['redaction.txt', 'redaction.md', 'redaction.json']) {
      expect(read(f)).not.toContain(OLD_SECRET);
      expect(read(f)).not.toContain(NEW_SECRET);
    }
    const md = read('redaction.md');
    expect(md).toContain(
      '! containerDefinitions[web].environment[DB_PASSWORD].value: (sensitive value) -> (sensitive value changed)',
    );
    expect(md).toContain('! containerDefinitions[web].environment[AUTH_ENABLED].value: "false" -> "true"');
    expect(md).toContain('values shown although the name looks secret: `AUTH_ENABLED`');
    expect(md).toContain('`specs/demo/cluster.yaml:6`');
  });

  test('each scenario has its action kind in the markdown table', () => {
    expect(read('create.md')).toContain('| demo | service | web | create |');
    expect(read('update.md')).toContain('| demo | task definition | demo-web | update |');
    expect(read('replace.md')).toContain('| demo | DNS record | www.example.com CNAME | replace |');
    expect(read('delete.md')).toContain('| demo | cluster | demo | delete |');
    expect(read('conflict.md')).toContain('| demo | service | web | conflict |');
    expect(read('prune.md')).toContain('| demo | service | api | prune |');
    expect(read('no-changes.md')).toContain('**No changes.**');
    const cut = read('truncation.md');
    expect(cut.length).toBeLessThanOrEqual(1500);
    expect(cut).toContain('| demo | service | web | create |');
    expect(cut).toMatch(/\*\*The details of the last \d of 5 resources are left out\*\*/);
  });

  test('JSON: every golden plan is valid against schemas/plan.v1.json, and every field in it is documented', () => {
    const validate = planSchemaValidator({ closed: true });
    for (const [file, , format] of cases) {
      if (format !== 'json') continue;
      const ok = validate(JSON.parse(read(file)));
      expect({ file, errors: ok ? null : validate.errors }).toEqual({ file, errors: null });
    }
  });
});
