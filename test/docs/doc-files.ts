/** The documentation the docs tests check: README.md, DEVELOPERS.md and docs/*.md. */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');

export function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', 'DEVELOPERS.md', ...docs];
}

/**
 * Every markdown file whose commands a user may copy: the docs, plus the README of each example and
 * of the benchmark.
 */
export function commandDocFiles(): string[] {
  const examples = fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'README.md')))
    .sort()
    .map((d) => `examples/${d}/README.md`);
  return [...docFiles(), ...examples, 'bench/README.md'];
}

export function readDoc(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/** The markdown without its fenced code blocks (kept as empty lines, so line numbers stay right). */
export function withoutFences(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return '';
      }
      return inFence ? '' : line;
    })
    .join('\n');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}
