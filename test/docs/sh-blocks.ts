import * as fs from 'fs';
import * as path from 'path';

/**
 * The fenced `sh` blocks of a markdown file, and each block turned into a bash script that checks
 * every command's exit code (docs/testing.md, "The commands in these docs").
 */

export interface ShBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** Words after `sh` in the info string: `aws` means it needs a real AWS account and is not run. */
  flags: string[];
  body: string[];
}

export function shBlocks(markdown: string): ShBlock[] {
  const blocks: ShBlock[] = [];
  let current: ShBlock | undefined;
  let inOtherFence = false;
  markdown.split('\n').forEach((text, i) => {
    if (current) {
      if (/^\s*```\s*$/.test(text)) {
        blocks.push(current);
        current = undefined;
      } else current.body.push(text);
      return;
    }
    const fence = /^\s*```(.*)$/.exec(text);
    if (!fence) return;
    if (inOtherFence) {
      inOtherFence = false;
      return;
    }
    const words = fence[1].trim().split(/\s+/);
    if (words[0] === 'sh') current = { line: i + 1, flags: words.slice(1), body: [] };
    else inOtherFence = true;
  });
  if (current) throw new Error(`unclosed sh block at line ${current.line}`);
  return blocks;
}

export interface Command {
  /** 1-based line in the markdown file. */
  line: number;
  text: string;
  /** The exit code the doc states (`# exit N`), else 0; undefined for a background command. */
  expectedExit: number | undefined;
}

/** Commands of a block: continuation lines joined, heredoc bodies kept with their command. */
export function commands(block: ShBlock): Command[] {
  const out: Command[] = [];
  const lines = block.body;
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    if (/^\s*(#.*)?$/.test(lines[i])) continue;
    const parts = [lines[i]];
    while (/\\\s*$/.test(lines[i]) && i + 1 < lines.length) parts.push(lines[++i]);
    const heredoc = /<<-?\s*'?"?(\w+)'?"?/.exec(parts.join('\n'));
    if (heredoc) {
      while (i + 1 < lines.length) {
        parts.push(lines[++i]);
        if (lines[i].trim() === heredoc[1]) break;
      }
    }
    const text = parts.join('\n');
    // The comment of the command's first line: "# exit 2", "# exit 0: nothing left to change".
    const stated = /\s#\s*exit\s+(\d+)\b/.exec(parts[0]);
    const background =
      /&\s*(#.*)?$/.test(parts[parts.length - 1]) && !/&&\s*(#.*)?$/.test(parts[parts.length - 1]);
    out.push({
      line: block.line + 1 + first,
      text,
      expectedExit: background ? undefined : stated ? Number(stated[1]) : 0,
    });
  }
  return out;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The script for one block: the preamble (the wrappers below), then each command followed by a check
 * of its exit code.
 */
export function blockScript(file: string, block: ShBlock, preamble: string): string {
  const lines = [preamble];
  for (const c of commands(block)) {
    lines.push(c.text);
    if (c.expectedExit === undefined) continue;
    const where = shellQuote(`${file}:${c.line}: ${c.text.split('\n')[0]}`);
    lines.push(
      `__rc=$?; if [ "$__rc" != ${c.expectedExit} ]; then echo "doc-test: exit $__rc, expected ${c.expectedExit}: "${where} >&2; exit 97; fi`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The bash functions every block runs behind (test/docs/doc-preamble.sh). */
export const PREAMBLE = fs.readFileSync(path.join(__dirname, 'doc-preamble.sh'), 'utf8');
