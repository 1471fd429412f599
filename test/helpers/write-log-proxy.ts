/**
 * The account's request log, as AWS would see it: one HTTP proxy in front of moto_server per
 * replica (each replica gets its own endpoint), all appending to one log in arrival order. Tests
 * read who wrote what and when, and can act on a request as it arrives (kill or pause its sender)
 * before it is forwarded; a request whose sender was killed is still forwarded, as bytes already on
 * the wire reach AWS. A replica's network can be cut (its requests dropped) and restored.
 */
import type http from 'node:http';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import { type HttpProxy, startHttpProxy } from './http-proxy';

export interface LoggedRequest {
  /** Which replica's endpoint it came through. */
  who: string;
  /** `ECS.UpdateService`, `DynamoDB.PutItem`, ... (`Other` when not an AWS JSON call). */
  operation: string;
  /** A write to the account (the lease's own DynamoDB calls are not). */
  mutating: boolean;
  /** performance.now() of this test process when the request arrived. */
  at: number;
  /** Position in the log. */
  seq: number;
  /** False when the sender's network was cut (`WriteLog.cut`): it never reached the account. */
  forwarded: boolean;
}

export class WriteLog {
  readonly requests: LoggedRequest[] = [];
  /** Called as each request arrives, before it is forwarded. */
  onRequest?: (r: LoggedRequest) => void;
  /** Replicas whose network is cut: their requests are dropped (the connection reset). */
  readonly cut = new Set<string>();

  /** The writes that reached the account. */
  writes(who?: string): LoggedRequest[] {
    return this.requests.filter((r) => r.mutating && r.forwarded && (who === undefined || r.who === who));
  }

  /** Mutating calls per operation of one replica, from log position `from` on. */
  counts(who: string, from = 0): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.writes(who).filter((w) => w.seq >= from))
      out[r.operation] = (out[r.operation] ?? 0) + 1;
    return out;
  }

  /** The writers in the order their runs of writes came: ['a', 'b'] when a wrote, then b; ['a', 'b', 'a'] interleaved. */
  writerRuns(): string[] {
    const runs: string[] = [];
    for (const w of this.writes()) if (runs.at(-1) !== w.who) runs.push(w.who);
    return runs;
  }
}

export type LogProxy = HttpProxy;

function operationOf(req: http.IncomingMessage): { operation: string; mutating: boolean } {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string') return { operation: 'Other', mutating: false };
  const [prefix, op = ''] = target.split('.');
  const service = prefix.startsWith('AmazonEC2ContainerService')
    ? 'ECS'
    : prefix.startsWith('DynamoDB')
      ? 'DynamoDB'
      : prefix;
  return { operation: `${service}.${op}`, mutating: service !== 'DynamoDB' && MUTATING_OPERATIONS.has(op) };
}

export function startLogProxy(upstream: string, who: string, log: WriteLog): Promise<LogProxy> {
  return startHttpProxy(upstream, (req, res, forward) => {
    const entry: LoggedRequest = {
      who,
      ...operationOf(req),
      at: performance.now(),
      seq: log.requests.length,
      forwarded: !log.cut.has(who),
    };
    log.requests.push(entry);
    log.onRequest?.(entry);
    if (!entry.forwarded) return req.socket.destroy();
    forward(req, res);
  });
}
