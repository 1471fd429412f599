/**
 * Writes the tables of docs/zero-churn.md from the rule tables the planner itself uses
 * (TASKDEF_NORMALIZATION_RULES, SERVICE_FIELD_RULES), so the doc cannot drift from the code, and
 * docs/examples/pull-request-comment.md, a real markdown plan (scripts/pull-request-example.ts).
 *
 *   npx tsx scripts/generate-docs-tables.ts [OUT_FILE [EXAMPLE_OUT_FILE]]
 *
 * Without arguments (npm run docs) both docs are written in place; with OUT_FILE only the
 * zero-churn doc goes there, and the example only when EXAMPLE_OUT_FILE is given too.
 *
 * Only the text between the `<!-- generated:NAME:start ... -->` and `<!-- generated:NAME:end -->`
 * comments is replaced; the whole file is then formatted by prettier, as `npm run format` would.
 * test/docs/zero-churn-tables.test.ts fails when the checked-in doc differs from what this writes,
 * and test/docs/pull-request-example.test.ts when the example does.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as prettier from 'prettier';
import { TASKDEF_NORMALIZATION_RULES } from '../controller/plan/normalize-taskdef';
import { SERVICE_FIELD_RULES, type ServiceFieldRule } from '../controller/plan/normalize-service';
import { PR_EXAMPLE_DOC, pullRequestExampleDoc } from './pull-request-example';

const ROOT = path.resolve(__dirname, '..');
const DOC = path.join(ROOT, 'docs/zero-churn.md');

/** A table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A default as people write it in a spec: `{maximumPercent: 200}`, `"NONE"`, `false`. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

function whenAbsent(rule: ServiceFieldRule): string {
  if (rule.whenAbsent === 'unmanaged') return 'unmanaged';
  if (rule.whenAbsent === 'always-managed') return 'always managed';
  const daemon = rule.daemonDefault === undefined ? '' : ` (DAEMON: \`${literal(rule.daemonDefault)}\`)`;
  return `\`${literal(rule.default)}\`${daemon}`;
}

export function taskdefNormalizationTable(): string {
  return table(
    ['id', 'Rule', 'Example'],
    TASKDEF_NORMALIZATION_RULES.map((r) => [r.id, r.rule, r.example]),
  );
}

export function serviceFieldsTable(): string {
  return table(
    ['Field', 'When absent from the spec', 'Updatable', 'Notes'],
    SERVICE_FIELD_RULES.map((r) => [
      r.field,
      whenAbsent(r),
      r.updatable ? 'yes' : '**no**',
      [r.updatable ? '' : 'a difference is a conflict', r.note ?? ''].filter(Boolean).join('; '),
    ]),
  );
}

/** Replaces the text between one pair of markers; a doc without them is an error, not a silent no-op. */
function fill(doc: string, name: string, content: string): string {
  const start = new RegExp(
    `(<!-- generated:${name}:start[^>]*-->\\n)[\\s\\S]*?(<!-- generated:${name}:end -->)`,
  );
  if (!start.test(doc))
    throw new Error(`docs/zero-churn.md: no <!-- generated:${name}:start/end --> markers`);
  return doc.replace(start, (_m, open: string, close: string) => `${open}\n${content}\n\n${close}`);
}

export async function renderZeroChurnDoc(doc: string): Promise<string> {
  let out = fill(doc, 'taskdef-normalization', taskdefNormalizationTable());
  out = fill(out, 'service-fields', serviceFieldsTable());
  const options = (await prettier.resolveConfig(DOC)) ?? {};
  return prettier.format(out, { ...options, filepath: DOC });
}

async function main(): Promise<void> {
  const [out, exampleOut] = process.argv.slice(2);
  fs.writeFileSync(path.resolve(out ?? DOC), await renderZeroChurnDoc(fs.readFileSync(DOC, 'utf8')));
  const example = out === undefined ? PR_EXAMPLE_DOC : exampleOut;
  if (example !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(example)), { recursive: true });
    fs.writeFileSync(path.resolve(example), await pullRequestExampleDoc());
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`generate-docs-tables: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
