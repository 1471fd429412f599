/**
 * A Route53Port that passes every call through and notes when it started and ended, and what each
 * ChangeResourceRecordSets wrote. The benchmark uses it to time the DNS part of a reconcile, which
 * runs concurrently with the ECS part (observe: in parallel with EcsReader; apply: in parallel with
 * the ECS actions), and to count records rather than requests.
 */
import type { Route53Port } from '../controller/aws/route53-port';

export interface Route53CallRecord {
  op: 'ListHostedZones' | 'ListResourceRecordSets' | 'ChangeResourceRecordSets' | 'GetChange';
  start: bigint;
  end: bigint;
  ok: boolean;
  /** ChangeResourceRecordSets only: one entry per Change, `${Action} ${Type}` (e.g. `CREATE TXT`). */
  changes?: string[];
}

export class TimedRoute53Port implements Route53Port {
  readonly calls: Route53CallRecord[] = [];

  constructor(private readonly inner: Route53Port) {}

  reset(): void {
    this.calls.length = 0;
  }

  private async timed<T>(op: Route53CallRecord['op'], run: () => Promise<T>, changes?: string[]): Promise<T> {
    const start = process.hrtime.bigint();
    let ok = false;
    try {
      const out = await run();
      ok = true;
      return out;
    } finally {
      this.calls.push({ op, start, end: process.hrtime.bigint(), ok, ...(changes ? { changes } : {}) });
    }
  }

  listHostedZones(input: Parameters<Route53Port['listHostedZones']>[0]) {
    return this.timed('ListHostedZones', () => this.inner.listHostedZones(input));
  }
  listResourceRecordSets(input: Parameters<Route53Port['listResourceRecordSets']>[0]) {
    return this.timed('ListResourceRecordSets', () => this.inner.listResourceRecordSets(input));
  }
  changeResourceRecordSets(input: Parameters<Route53Port['changeResourceRecordSets']>[0]) {
    const changes = (input.ChangeBatch?.Changes ?? []).map(
      (c) => `${c.Action ?? '?'} ${c.ResourceRecordSet?.Type ?? '?'}`,
    );
    return this.timed('ChangeResourceRecordSets', () => this.inner.changeResourceRecordSets(input), changes);
  }
  getChange(input: Parameters<Route53Port['getChange']>[0]) {
    return this.timed('GetChange', () => this.inner.getChange(input));
  }
}
