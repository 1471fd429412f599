import { SseParser, type SseEvent } from './sse-parser';

/*
 * One connection to a server-sent events URL, with Node's fetch: either the server's refusal (status
 * and body, for the caller to explain) or the events as they come. The stream counts as dead when
 * nothing at all (not even a keep-alive comment) arrives for `idleTimeoutMs`: a connection cut
 * without a FIN would otherwise be read forever.
 */

export type SseOpen =
  { ok: true; events: AsyncGenerator<SseEvent, void> } | { ok: false; status: number; body: string };

export interface SseOpenOptions {
  headers?: Record<string, string>;
  /** Ends the connection (the generator returns). */
  signal: AbortSignal;
  /** No response headers in this time: the open fails (TimeoutError). */
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

export class SseIdleError extends Error {
  constructor(ms: number) {
    super(`nothing received for ${ms} ms`);
  }
}

export async function openSse(url: string, opts: SseOpenOptions): Promise<SseOpen> {
  const cut = new AbortController();
  const stop = () => cut.abort();
  opts.signal.addEventListener('abort', stop, { once: true });
  // Only until the headers come: fetch's signal would cut the body too.
  let late = false;
  const connectTimer = setTimeout(() => {
    late = true;
    cut.abort();
  }, opts.connectTimeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { signal: cut.signal, headers: { accept: 'text/event-stream', ...opts.headers } });
  } catch (err) {
    opts.signal.removeEventListener('abort', stop);
    throw late ? new Error(`no answer within ${opts.connectTimeoutMs} ms`) : err;
  } finally {
    clearTimeout(connectTimer);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok || !res.body || !type.startsWith('text/event-stream')) {
    opts.signal.removeEventListener('abort', stop);
    const body = await res.text().catch(() => '');
    return { ok: false, status: res.status, body };
  }
  return { ok: true, events: readEvents(res.body, cut, opts, stop) };
}

async function* readEvents(
  body: ReadableStream<Uint8Array>,
  cut: AbortController,
  opts: SseOpenOptions,
  stop: () => void,
): AsyncGenerator<SseEvent, void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      cut.abort();
    }, opts.idleTimeoutMs);
  };
  arm();
  try {
    for await (const chunk of body) {
      arm();
      yield* parser.push(decoder.decode(chunk, { stream: true }));
    }
  } catch (err) {
    if (idle) throw new SseIdleError(opts.idleTimeoutMs);
    if (!opts.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', stop);
    // The caller stopped reading early: close the connection rather than leave it open.
    cut.abort();
  }
}
