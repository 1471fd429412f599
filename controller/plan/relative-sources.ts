/**
 * Spec paths as a pull request shows them: relative to the repository (the working directory the
 * CLI runs in), never the absolute paths of the machine that ran it. Pure: paths only, no I/O.
 */
import * as path from 'path';
import type { SourceRef } from '../model/source';
import type { Plan } from './plan-types';

/**
 * `file` relative to `base` with `/` separators. A file outside `base` is shown relative to the
 * parent of its cluster directory `dir` (`specs/web.taskdef`), else by its name alone.
 */
export function relativePath(file: string, base: string, dir?: string): string {
  if (!path.isAbsolute(file)) return toPosix(file);
  const inside = (from: string): string | undefined => {
    const rel = path.relative(from, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? toPosix(rel) : undefined;
  };
  const absDir = dir !== undefined && path.isAbsolute(dir) ? dir : undefined;
  return inside(base) ?? (absDir ? inside(path.dirname(absDir)) : undefined) ?? path.basename(file);
}

/** The plan with its directory and every source (actions, errors, redaction) relative to `base`. */
export function relativizePlanSources(plan: Plan, base: string): Plan {
  const dir = plan.dir;
  const rel = (s: SourceRef): SourceRef => ({ ...s, file: relativePath(s.file, base, dir) });
  const out: Plan = {
    ...plan,
    dir: path.isAbsolute(dir) ? relativeDir(dir, base) : toPosix(dir),
    actions: plan.actions.map((a) => (a.source ? { ...a, source: rel(a.source) } : a)),
    errors: plan.errors.map((e) => (e.source ? { ...e, source: rel(e.source) } : e)),
  };
  if (plan.redaction?.source) out.redaction = { ...plan.redaction, source: rel(plan.redaction.source) };
  return out;
}

function relativeDir(dir: string, base: string): string {
  const rel = path.relative(base, dir);
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? path.basename(dir) : toPosix(rel);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
