/** Offsets to 1-based line/column positions. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Line starts of a text, found lazily: only as far into the text as the largest offset asked so
 * far (most spec files are only ever asked where their first field is, near the top).
 */
export class LineIndex {
  private readonly starts: number[] = [0];
  /** Every line start at or before this offset is in `starts`. */
  private scanned = 0;

  constructor(private readonly text: string) {}

  position(offset: number): Position {
    if (offset > this.scanned) this.scanTo(offset);
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  /** Adds the line starts up to `offset` (a start is the offset after a newline). */
  private scanTo(offset: number): void {
    const end = Math.min(offset, this.text.length);
    let i = this.text.indexOf('\n', this.scanned);
    while (i >= 0 && i < end) {
      this.starts.push(i + 1);
      i = this.text.indexOf('\n', i + 1);
    }
    this.scanned = Math.max(this.scanned, end);
  }
}
