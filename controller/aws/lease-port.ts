/**
 * The leader-election lease as stored (one DynamoDB item per lease name). Only `holder` and
 * `version` decide anything: a follower compares what it reads with what it read before, on its own
 * monotonic clock (reconcile/lease-machine.ts). The times are the holder's wall clock, for people.
 */
export interface LeaseRecord {
  name: string;
  /** The replica holding the lease (host or task id plus a random suffix). */
  holder: string;
  /** Changed by every acquire and renew: what followers watch for change. */
  version: string;
  /** How long followers wait without seeing a change before taking over (the holder's setting). */
  durationMs: number;
  /** How many times the lease changed hands. */
  transitions: number;
  acquiredAt: string;
  renewedAt: string;
}

/** A conditional write lost: another replica wrote the lease first (ConditionalCheckFailedException). */
export type LeaseWrite = 'ok' | 'conflict';

/** What the elector needs of the lease store: a strongly consistent read and conditional writes. */
export interface LeasePort {
  /** Creates the table when it does not exist (pay per request); true when it created it. */
  ensureTable(): Promise<boolean>;
  get(name: string): Promise<LeaseRecord | undefined>;
  /**
   * Writes `record` if the lease is absent (`expect` undefined), or still held by `expect.holder`
   * (and, for a takeover of an expired lease, still at the `expect.version` the follower watched).
   * A renew of ours gives no version: a renew whose answer was lost has changed it already.
   */
  put(record: LeaseRecord, expect?: { holder: string; version?: string }): Promise<LeaseWrite>;
  /** Deletes the lease if `holder` still holds it. */
  delete(name: string, holder: string): Promise<LeaseWrite>;
}
