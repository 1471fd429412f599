/**
 * Escaping for text that comes from specs or AWS (names, reasons, file names, error messages) when
 * it goes into a pull-request comment: no value may open a link or an HTML tag, add a column to a
 * table row, or close the `<details>` block or the code fence around it.
 */

/** One line: line breaks and tabs become spaces (a table row or a list item is one line). */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t\u2028\u2029]+/g, ' ');
}

/** Text inside raw HTML (`<summary>`): entities only; markdown is not parsed there. */
export function htmlText(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * Plain markdown text (a paragraph, a list item, a table cell): the punctuation that makes code
 * spans, emphasis, links and strikethrough is backslash-escaped, and so is what starts a block at
 * the start of a line; `<`, `>` and `&` become entities (no HTML tag or entity survives), and `|`
 * is escaped so a table cell stays one cell.
 */
export function mdText(text: string): string {
  return (
    oneLine(text)
      .replace(/[\\`*_[\]|~<>&]/g, (c) =>
        c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`,
      )
      // At the start of a line these would make a list item, a heading underline or a rule.
      .replace(/^([-=+#])/, '\\$1')
      .replace(/^(\d+)([.)])/, '$1\\$2')
  );
}

/**
 * A code span that shows `text` exactly: its delimiter is longer than any run of backticks inside
 * (CommonMark). Not for table cells, where `|` would still split the cell: use mdText there.
 */
export function codeSpan(text: string): string {
  const t = oneLine(text);
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const tick = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ')) ? ' ' : '';
  return `${tick}${pad}${t}${pad}${tick}`;
}

/** `<code>` for raw HTML: the text escaped as entities. */
export function htmlCode(text: string): string {
  return `<code>${htmlText(text)}</code>`;
}

/**
 * A fenced code block. Each line is made one line first (a value with a line break cannot start a
 * line of its own), and the fence is longer than any run of backticks inside, so nothing closes it.
 */
export function fencedBlock(lang: string, lines: readonly string[]): string {
  const body = lines.map(oneLine);
  const longest = Math.max(2, ...body.flatMap((l) => [...l.matchAll(/`+/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, ...body, fence].join('\n');
}
