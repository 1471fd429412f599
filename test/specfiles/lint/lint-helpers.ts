/** Loads a small cluster directory and returns its policy findings, for the rule tests. */
import type { LintFinding } from '../../../controller/specfiles';
import type { LoadResult } from '../../../controller/specfiles';
import { load, specDir } from '../helpers';

export const CLUSTER_YAML = 'name: demo\nregion: us-east-1\n';

/** A task definition file (JSON) with these containers. */
export function taskdef(containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...extra, containerDefinitions: containers }, null, 2);
}

/** A container that breaks no rule (at the default levels). */
export function good(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'web',
    image: 'nginx:1.27',
    memoryReservation: 64,
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'web' } },
    ...extra,
  };
}

export async function loadFiles(files: Record<string, string>): Promise<{ dir: string; result: LoadResult }> {
  const dir = specDir({ 'cluster.yaml': CLUSTER_YAML, ...files });
  return { dir, result: await load(dir) };
}

/** The findings of one rule after loading these files (cluster.yaml added when not given). */
export async function findingsOf(rule: string, files: Record<string, string>): Promise<LintFinding[]> {
  const { result } = await loadFiles(files);
  expect(result.errors).toEqual([]);
  return result.findings.filter((f) => f.rule === rule);
}

/**
 * Where a container of `taskdef(...)` starts: its `{`, on the line before its name, indented by
 * JSON.stringify to column 5.
 */
export function containerAt(text: string, name: string): { line: number; column: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(`"name": "${name}"`));
  if (i < 1 || lines[i - 1].trim() !== '{') throw new Error(`container ${name} not found`);
  return { line: i, column: lines[i - 1].indexOf('{') + 1 };
}
