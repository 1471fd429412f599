import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadClusterDir, type LoadOptions, type LoadResult } from '../../controller/specfiles';

export const FIXTURES = path.resolve(__dirname, '../fixtures');

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary directory holding these files (name -> text). */
export function specDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-gitops-spec-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export function load(dir: string, opts: Partial<LoadOptions> = {}): Promise<LoadResult> {
  return loadClusterDir(dir, { env: {}, ...opts });
}

/** 1-based line and column of the n-th (0-based) occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} not found`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

export interface LabelledContainer {
  name?: string;
  labels: Record<string, string>;
  ports?: number[];
}

/** A task definition, one label per line: container 0's n-th label is on line 6 + n (7 + n with a networkMode), column 9. */
export function labelledTaskdef(
  containers: LabelledContainer[],
  opts: { networkMode?: string; autocreate?: boolean } = {},
) {
  const body = {
    ...(opts.networkMode ? { networkMode: opts.networkMode } : {}),
    containerDefinitions: containers.map((c, i) => ({
      name: c.name ?? `c${i}`,
      dockerLabels: { ...c.labels, ...(opts.autocreate && i === 0 ? { 'AUTOCREATE.SERVICE': '' } : {}) },
      image: 'nginx',
      memoryReservation: 64,
      portMappings: (c.ports ?? []).map((p) => ({ containerPort: p })),
    })),
  };
  return JSON.stringify(body, null, 2) + '\n';
}
