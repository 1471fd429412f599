import * as fs from 'fs';
import * as path from 'path';
import { ROOT, docFiles, headingAnchors, readDoc, withoutFences } from './doc-files';

interface Link {
  file: string;
  line: number;
  target: string;
}

/** `[text](target)` links outside code, with the line they are on. */
function links(file: string): Link[] {
  const out: Link[] = [];
  withoutFences(readDoc(file))
    .split('\n')
    .forEach((text, i) => {
      for (const m of text
        .replace(/`[^`]*`/g, (c) => (c.includes('](') ? c : ''))
        .matchAll(/\]\(([^)\s]+)\)/g)) {
        out.push({ file, line: i + 1, target: m[1] });
      }
    });
  return out;
}

/** What is wrong with a relative link, or undefined when it resolves. */
function brokenReason(link: Link): string | undefined {
  if (/^[a-z]+:/i.test(link.target)) return undefined; // http(s), mailto: not checked here
  const [pathPart, anchor] = link.target.split('#', 2);
  const resolved = pathPart
    ? path.resolve(ROOT, path.dirname(link.file), pathPart)
    : path.join(ROOT, link.file);
  if (!resolved.startsWith(ROOT)) return 'points outside the repository';
  if (!fs.existsSync(resolved)) return `${path.relative(ROOT, resolved)} does not exist`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md')) return 'an #anchor on a file that is not markdown';
  const anchors = headingAnchors(fs.readFileSync(resolved, 'utf8'));
  return anchors.has(anchor)
    ? undefined
    : `no heading with the anchor #${anchor} in ${path.relative(ROOT, resolved)}`;
}

/** Repository paths written in backticks (`controller/plan/planner.ts`, `test/e2e/`), outside code blocks. */
function backtickedPaths(file: string): Link[] {
  const out: Link[] = [];
  withoutFences(readDoc(file))
    .split('\n')
    .forEach((text, i) => {
      for (const m of text.matchAll(
        /`((?:controller|test|scripts|examples|bench|crds|specs)\/[^`\s*…]*)`/g,
      )) {
        out.push({ file, line: i + 1, target: m[1] });
      }
    });
  return out;
}

describe('links in README.md and docs/', () => {
  const files = docFiles();

  it('finds the docs, and links in them', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/zero-churn.md', 'docs/specs.md']));
    expect(files.flatMap(links).length).toBeGreaterThan(30);
  });

  it.each(files)('every relative link and #anchor in %s resolves', (file) => {
    const broken = links(file)
      .map((l) => ({ l, reason: brokenReason(l) }))
      .filter((b) => b.reason !== undefined)
      .map(({ l, reason }) => `${l.file}:${l.line}: (${l.target}): ${reason}`);
    expect(broken).toEqual([]);
  });

  it.each(files)('every repository path written in backticks in %s exists', (file) => {
    const missing = backtickedPaths(file)
      .filter((p) => !fs.existsSync(path.join(ROOT, p.target)))
      .map((p) => `${p.file}:${p.line}: ${p.target}`);
    expect(missing).toEqual([]);
  });

  it('README.md links every file in docs/', () => {
    const readmeTargets = new Set(links('README.md').map((l) => l.target.split('#')[0]));
    expect(files.filter((f) => f.startsWith('docs/') && !readmeTargets.has(f))).toEqual([]);
  });
});
