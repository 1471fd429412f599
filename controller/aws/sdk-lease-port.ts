import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  DynamoDBClient,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from './clock';
import type { CallLog } from './call-log';
import { addCallLogMiddleware } from './call-log-middleware';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './clients';
import type { LeasePort, LeaseRecord, LeaseWrite } from './lease-port';

/** The table's partition key: one item per lease name. */
export const LEASE_KEY = 'LeaseName';
/** How long `ensureTable` waits for a table it (or another replica) created to become ACTIVE. */
const TABLE_ACTIVE_TIMEOUT_MS = 120_000;

export interface LeaseClientOptions {
  region: string;
  endpoint?: string;
  table: string;
  clock: Clock;
  /** Per call: a lease call slower than this cannot help (a fraction of the renew deadline). */
  requestTimeoutMs: number;
  /** The lease's own calls, apart from the reconciles' (they are not the account's writes). */
  callLog: CallLog;
}

/**
 * The DynamoDB lease port. One attempt per call: the lease machine tries again every retry period
 * itself, and a renew retried by the SDK past the renew deadline would be of no use.
 */
export function createLeasePort(opts: LeaseClientOptions): SdkLeasePort {
  const client = new DynamoDBClient({
    region: opts.region,
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(DEFAULT_CONNECT_TIMEOUT_MS, opts.requestTimeoutMs),
      requestTimeout: opts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
  addCallLogMiddleware(client, 'DynamoDB', opts.callLog);
  return new SdkLeasePort(client, opts.table, opts.clock);
}

/** LeasePort over DynamoDB: strongly consistent reads, conditional puts and deletes. */
export class SdkLeasePort implements LeasePort {
  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    private readonly clock: Clock,
  ) {}

  close(): void {
    this.client.destroy();
  }

  async ensureTable(): Promise<boolean> {
    if (await this.tableStatus()) return this.waitActive().then(() => false);
    let created = true;
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.table,
          AttributeDefinitions: [{ AttributeName: LEASE_KEY, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: LEASE_KEY, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (err) {
      // Another replica created it at the same moment.
      if (!(err instanceof ResourceInUseException)) throw err;
      created = false;
    }
    await this.waitActive();
    return created;
  }

  async get(name: string): Promise<LeaseRecord | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: key(name), ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async put(record: LeaseRecord, expect?: { holder: string; version?: string }): Promise<LeaseWrite> {
    // Names through placeholders: DynamoDB reserves many plain words.
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    let condition = `attribute_not_exists(${LEASE_KEY})`;
    if (expect) {
      names['#holder'] = 'holder';
      values[':holder'] = { S: expect.holder };
      condition = '#holder = :holder';
      if (expect.version !== undefined) {
        names['#version'] = 'version';
        values[':version'] = { S: expect.version };
        condition += ' AND #version = :version';
      }
    }
    return conditional(() =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem(record),
          ConditionExpression: condition,
          ...(expect ? { ExpressionAttributeNames: names, ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  }

  delete(name: string, holder: string): Promise<LeaseWrite> {
    return conditional(() =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: key(name),
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': { S: holder } },
        }),
      ),
    );
  }

  private async tableStatus(): Promise<string | undefined> {
    try {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.table }));
      return out.Table?.TableStatus ?? 'UNKNOWN';
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }

  private async waitActive(): Promise<void> {
    const deadline = this.clock.now() + TABLE_ACTIVE_TIMEOUT_MS;
    for (;;) {
      const status = await this.tableStatus();
      if (status === 'ACTIVE') return;
      if (this.clock.now() > deadline) {
        throw new Error(
          `lease table ${this.table} is ${status ?? 'missing'} after ${TABLE_ACTIVE_TIMEOUT_MS / 1000} s`,
        );
      }
      await this.clock.sleep(1000);
    }
  }
}

async function conditional(send: () => Promise<unknown>): Promise<LeaseWrite> {
  try {
    await send();
    return 'ok';
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return 'conflict';
    throw err;
  }
}

function key(name: string): Record<string, AttributeValue> {
  return { [LEASE_KEY]: { S: name } };
}

function toItem(r: LeaseRecord): Record<string, AttributeValue> {
  return {
    ...key(r.name),
    holder: { S: r.holder },
    version: { S: r.version },
    durationMs: { N: String(r.durationMs) },
    transitions: { N: String(r.transitions) },
    acquiredAt: { S: r.acquiredAt },
    renewedAt: { S: r.renewedAt },
  };
}

function fromItem(item: Record<string, AttributeValue>): LeaseRecord {
  const s = (k: string) => item[k]?.S ?? '';
  const n = (k: string) => Number(item[k]?.N ?? '0');
  return {
    name: s(LEASE_KEY),
    holder: s('holder'),
    version: s('version'),
    durationMs: n('durationMs'),
    transitions: n('transitions'),
    acquiredAt: s('acquiredAt'),
    renewedAt: s('renewedAt'),
  };
}
