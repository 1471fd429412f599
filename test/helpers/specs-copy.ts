import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SPECS = path.join(__dirname, '../../specs');

/**
 * specs/ (the `npm start` demo) copied into `dir`, without its `events:` block: the tests that use
 * it check ECS behaviour (call counts, outputs) on a bare ECS sandbox, and the demo's event source
 * has tests of its own (test/reconcile/events.sandbox.test.ts, test/e2e/event-stream.moto.test.ts).
 */
export function copySpecsWithoutEvents(dir: string): string {
  cpSync(SPECS, dir, { recursive: true });
  const file = path.join(dir, 'cluster.yaml');
  const text = readFileSync(file, 'utf8');
  const without = text.replace(/\n(#[^\n]*\n)*events:\n( [^\n]*\n)+/, '\n');
  if (without === text) throw new Error('test setup: no events: block in specs/cluster.yaml');
  writeFileSync(file, without);
  return dir;
}
