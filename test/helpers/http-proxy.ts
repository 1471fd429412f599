/**
 * What the HTTP proxies in front of moto_server share (write-log-proxy.ts, fault-proxy.ts): a
 * server on a free port of 127.0.0.1 whose close() also ends the connections still open, and the
 * forwarding of a request to moto as it came (method, path, headers, body). What each proxy does
 * with a request before and after forwarding it is its own.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface HttpProxy {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Ends every open connection (a hung one too), then stops listening. */
  close(): Promise<void>;
}

export interface ForwardOptions {
  /** The request's body, already read (`collectBody`); without it the request is streamed upstream as it arrives. */
  body?: Buffer;
  /** What to do with upstream's answer; without it the answer goes back as it is (status, headers, body streamed). */
  onAnswer?: (answer: http.IncomingMessage) => void;
}

/** Sends a request on to upstream; if upstream cannot be reached, the client's connection is reset. */
export type Forward = (req: http.IncomingMessage, res: http.ServerResponse, opts?: ForwardOptions) => void;

/** Every chunk of a stream (a request's or an answer's body), once it has ended. */
export function collectBody(stream: Readable, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(Buffer.concat(chunks)));
}

/** A proxy to `upstream`: `handle` gets each request, and `forward` to pass it on. */
export async function startHttpProxy(
  upstream: string,
  handle: (req: http.IncomingMessage, res: http.ServerResponse, forward: Forward) => void,
): Promise<HttpProxy> {
  const up = new URL(upstream);
  const forward: Forward = (req, res, opts = {}) => {
    const onAnswer =
      opts.onAnswer ??
      ((answer: http.IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
    const upstreamRequest = http.request(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
      onAnswer,
    );
    upstreamRequest.on('error', () => req.socket.destroy());
    if (opts.body) upstreamRequest.end(opts.body);
    else req.pipe(upstreamRequest);
  };
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => handle(req, res, forward));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
