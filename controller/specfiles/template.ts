/**
 * `${VAR}` substitution for `.service.template` files, on the raw text before parsing (as envsubst
 * did, so `"desiredCount": ${COUNT}` works). Unlike envsubst, an undefined variable is an error.
 * `$${` is a literal `${`.
 */
import type { SpecError } from '../model/source';
import { LineIndex } from './positions';

/** Variables ecs-gitops defines itself; they take precedence over the environment. */
export const BUILTIN_VARIABLES = ['TASK_PREFIX', 'CLUSTER', 'REGION', 'ACCOUNT_ID'] as const;

const TOKEN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{/g;

interface Segment {
  /** Start in the rendered text. */
  rendered: number;
  /** Start in the original text. */
  original: number;
  /** A substituted value: every offset in it maps to the `${`. */
  substitution: boolean;
}

export interface RenderedTemplate {
  text: string;
  /** Undefined variables (all of them) and malformed references. */
  errors: SpecError[];
  /** Offset in the rendered text -> offset in the original text. */
  mapOffset: (renderedOffset: number) => number;
}

/** The variable names a template references, in order of first use. */
export function templateVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(TOKEN)) if (m[1]) names.add(m[1]);
  return [...names];
}

export interface RenderOptions {
  /** File name for errors. */
  file: string;
  /** Extra explanation for a variable that is undefined (e.g. where REGION comes from). */
  hints?: Record<string, string>;
  /** Field at an original offset, for errors (best effort). */
  fieldAt?: (originalOffset: number) => string;
}

export function renderTemplate(
  text: string,
  vars: Record<string, string | undefined>,
  opts: RenderOptions,
): RenderedTemplate {
  const segments: Segment[] = [];
  const errors: SpecError[] = [];
  const lines = new LineIndex(text);
  let out = '';
  let last = 0;
  const literal = (from: number, to: number): void => {
    if (to <= from) return;
    segments.push({ rendered: out.length, original: from, substitution: false });
    out += text.slice(from, to);
  };
  const errorAt = (offset: number, message: string): void => {
    errors.push({ file: opts.file, ...lines.position(offset), field: opts.fieldAt?.(offset) ?? '', message });
  };
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index;
    literal(last, at);
    last = at + m[0].length;
    if (m[0] === '$${') {
      // The escape: the `$` is dropped, the `${` is kept literally.
      literal(at + 1, at + 3);
    } else if (m[1] === undefined) {
      errorAt(at, 'malformed variable reference: write ${NAME} (letters, digits, _) or $${ for a literal ${');
      literal(at, at + 2);
    } else {
      const value = vars[m[1]];
      if (value === undefined) {
        const hint = opts.hints?.[m[1]];
        errorAt(at, `undefined variable \${${m[1]}}${hint ? `: ${hint}` : ''}`);
      } else {
        segments.push({ rendered: out.length, original: at, substitution: true });
        out += value;
      }
    }
  }
  literal(last, text.length);
  const mapOffset = (offset: number): number => {
    if (offset >= out.length) return text.length;
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid].rendered <= offset) lo = mid;
      else hi = mid - 1;
    }
    const seg = segments[lo];
    if (!seg) return offset;
    return seg.substitution ? seg.original : seg.original + (offset - seg.rendered);
  };
  return { text: out, errors, mapOffset };
}
