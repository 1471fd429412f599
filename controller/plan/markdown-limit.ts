/**
 * Fitting a markdown plan into the size limit of a pull-request comment. Lengths are counted in
 * UTF-16 code units, JavaScript's `length`, which is how GitHub counts a comment body.
 */

/** The longest body GitHub accepts for an issue or pull-request comment. */
export const GITHUB_COMMENT_MAX_LENGTH = 65_536;
/** The longest body GitLab accepts for a merge-request note. */
export const GITLAB_NOTE_MAX_LENGTH = 1_000_000;

/** A plan in blocks (each without a trailing newline); the document joins them with blank lines. */
export interface MarkdownDocument {
  /** Header, counts, errors, redaction: always kept. */
  head: string[];
  /** The summary table's first two lines (`| Cluster | ... |` and `| --- | ...`). */
  tableHeader: string;
  /** One line per action; kept whole while the document fits without details. */
  rows: string[];
  /** One `<details>` block per resource, in the order of the rows; dropped from the end first. */
  details: string[];
}

export interface FitOptions {
  maxLength?: number;
  /** Where the whole plan is: `the full plan is in the job log`. */
  fullPlanHint: string;
}

const SEPARATOR = '\n\n';

/**
 * The document whole when it fits; else the head, the whole table and as many details as fit,
 * with a note saying how many were left out and where the full plan is; else fewer table rows,
 * with their count; else the head cut at a line. Never longer than `maxLength`.
 */
export function fitMarkdown(doc: MarkdownDocument, opts: FitOptions): string {
  const max = opts.maxLength;
  const hint = opts.fullPlanHint;
  const full = assemble(doc, doc.rows.length, doc.details.length, hint);
  if (max === undefined || full.length <= max) return full;
  // Lengths are added up rather than texts rebuilt, so that a plan of thousands of resources fits
  // in one pass. The note's count only shrinks as more is kept, so its first length is a safe bound.
  const base = assemble(doc, doc.rows.length, 0, hint).length;
  let text: string;
  if (base <= max) {
    let kept = 0;
    let length = base;
    while (kept < doc.details.length && length + SEPARATOR.length + doc.details[kept].length <= max) {
      length += SEPARATOR.length + doc.details[kept].length;
      kept++;
    }
    text = assemble(doc, doc.rows.length, kept, hint);
  } else {
    const noTable = assemble(doc, 0, 0, hint).length;
    let kept = 0;
    let length = noTable + SEPARATOR.length + doc.tableHeader.length;
    while (kept < doc.rows.length - 1 && length + 1 + doc.rows[kept].length <= max) {
      length += 1 + doc.rows[kept].length;
      kept++;
    }
    text = assemble(doc, kept, 0, hint);
  }
  return text.length <= max ? text : cutAtLine(text, max, hint);
}

/** The note placed right under the table when details are left out. */
function detailsLeftOutNote(leftOut: number, total: number, hint: string): string {
  const what = leftOut === 1 ? 'resource is' : 'resources are';
  return `**The details of the last ${leftOut} of ${total} ${what} left out** to fit the size limit of a comment: ${hint}.`;
}

function rowsLeftOutNote(leftOut: number, hint: string): string {
  const what = leftOut === 1 ? 'row is' : 'rows are';
  return `**${leftOut} more ${what} left out of this table, and every resource's details,** to fit the size limit of a comment: ${hint}.`;
}

/** The document with the first `rows` table rows and the first `details` details. */
function assemble(doc: MarkdownDocument, rows: number, details: number, hint: string): string {
  const blocks = [...doc.head];
  if (rows > 0) blocks.push([doc.tableHeader, ...doc.rows.slice(0, rows)].join('\n'));
  if (rows < doc.rows.length) blocks.push(rowsLeftOutNote(doc.rows.length - rows, hint));
  else if (details < doc.details.length)
    blocks.push(detailsLeftOutNote(doc.details.length - details, doc.details.length, hint));
  blocks.push(...doc.details.slice(0, details));
  return `${blocks.join(SEPARATOR)}\n`;
}

/** Last resort (a head longer than the limit): whole lines while they fit, then one line saying so. */
function cutAtLine(text: string, max: number, hint: string): string {
  const note = `\n\n**Cut to fit the size limit of a comment:** ${hint}.\n`;
  if (note.length >= max) return safeSlice(note.trimStart(), max);
  const room = max - note.length;
  const cut = text.lastIndexOf('\n', room);
  return `${cut > 0 ? text.slice(0, cut) : safeSlice(text, room)}${note}`;
}

/** At most `n` code units, never half of a surrogate pair. */
function safeSlice(text: string, n: number): string {
  if (text.length <= n) return text;
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}
