/*
 * A parser of server-sent events (the WHATWG "event stream interpretation"), for `status --watch`:
 * text in, in chunks cut anywhere; complete events out. Lines end in CRLF, LF or CR; `:` lines are
 * comments (keep-alives); `data:` lines of one event join with newlines; a blank line dispatches the
 * event, and one without data is dropped. What is left unfinished when the stream ends is dropped.
 */

export interface SseEvent {
  /** `message` when the server named none. */
  event: string;
  data: string;
  /** The last event id the stream set ('' when none). */
  lastEventId: string;
}

export class SseParser {
  private buffer = '';
  private started = false;
  /** A chunk ended in CR: a LF opening the next chunk belongs to that line end. */
  private afterCr = false;
  private eventType = '';
  private data: string[] = [];
  private lastEventId = '';
  /** The server's `retry:` in milliseconds, when it sent one. */
  retryMs: number | undefined;

  /** The events completed by this chunk, in order. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.afterCr = false;
    this.buffer += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (ch === '\r') {
        if (i + 1 === this.buffer.length) this.afterCr = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
      const event = this.line(line);
      if (event) out.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventType = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const type = this.eventType;
    const data = this.data;
    this.eventType = '';
    this.data = [];
    if (data.length === 0) return undefined;
    return { event: type || 'message', data: data.join('\n'), lastEventId: this.lastEventId };
  }
}
