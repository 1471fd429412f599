import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SERVICE_FIELD_RULES } from '../../controller/plan/normalize-service';
import { TASKDEF_NORMALIZATION_RULES } from '../../controller/plan/normalize-taskdef';

const ROOT = path.resolve(__dirname, '../..');
const DOC = path.join(ROOT, 'docs/zero-churn.md');

/** Runs `npm run docs` into a temp file (a child process: prettier formats through dynamic import). */
function generated(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-gitops-docs-'));
  try {
    const out = path.join(dir, 'zero-churn.md');
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/generate-docs-tables.ts', out], {
      cwd: ROOT,
    });
    return fs.readFileSync(out, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('docs/zero-churn.md', () => {
  it('its tables are what `npm run docs` writes from the rule tables in code (run it after changing a rule)', () => {
    expect(fs.readFileSync(DOC, 'utf8')).toBe(generated());
  });

  it('names every taskdef normalization rule and every service field rule, each once', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const firstCells = doc
      .split('\n')
      .filter((l) => l.startsWith('| '))
      .map((l) => l.split('|')[1].trim());
    for (const id of [
      ...TASKDEF_NORMALIZATION_RULES.map((r) => r.id),
      ...SERVICE_FIELD_RULES.map((r) => r.field),
    ]) {
      expect(firstCells.filter((c) => c === id)).toHaveLength(1);
    }
  });
});
