import { createHash } from 'node:crypto';
import type { DescribeInstancesRequest, DescribeInstancesResult, Instance } from '@aws-sdk/client-ec2';
import { CallLog } from '../call-log';
import { withOperation } from '../aws-error';
import type { Ec2Port } from '../ec2-port';
import { ec2Errors } from './dns-errors';

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const STATE_CODES = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface StoredInstance {
  instanceId: string;
  state: keyof typeof STATE_CODES;
  privateIp: string;
  publicIp?: string;
  ipv6: string[];
}

export interface StoredEc2 {
  seq: number;
  instances: StoredInstance[];
}

export interface AddInstanceOptions {
  /** Default: a generated `i-` + 17 hex digits. */
  instanceId?: string;
  state?: StoredInstance['state'];
  /** The public IPv4 address (none: a private-only instance). */
  publicIp?: string;
  /** IPv6 addresses of the primary network interface. */
  ipv6?: string[];
}

/** In-memory EC2, enough for the DNS target `instances`: DescribeInstances by InstanceIds. */
export class SandboxEc2 implements Ec2Port {
  readonly callLog: CallLog;
  private seq = 0;
  private readonly instances = new Map<string, StoredInstance>();

  constructor(private readonly opts: { accountId: string; callLog?: CallLog }) {
    this.callLog = opts.callLog ?? new CallLog();
  }

  /** Setup helper (not an API call, not logged); returns the instance id. */
  addInstance(o: AddInstanceOptions = {}): string {
    this.seq++;
    const id =
      o.instanceId ?? `i-${createHash('sha256').update(`instance/${this.seq}`).digest('hex').slice(0, 17)}`;
    if (!INSTANCE_ID.test(id)) throw ec2Errors.ec2('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
    this.instances.set(id, {
      instanceId: id,
      state: o.state ?? 'running',
      privateIp: `10.0.${Math.floor(this.seq / 250) % 250}.${(this.seq % 250) + 4}`,
      ...(o.publicIp !== undefined ? { publicIp: o.publicIp } : {}),
      ipv6: [...(o.ipv6 ?? [])],
    });
    return id;
  }

  describeInstances(input: DescribeInstancesRequest): Promise<Omit<DescribeInstancesResult, '$metadata'>> {
    return withOperation('EC2.DescribeInstances', this.describe(input));
  }

  private describe(input: DescribeInstancesRequest): Promise<Omit<DescribeInstancesResult, '$metadata'>> {
    return new Promise((resolve) => {
      this.callLog.record('EC2', 'DescribeInstances');
      const ids = input.InstanceIds ?? [];
      if (ids.length > 0 && input.MaxResults !== undefined) {
        throw ec2Errors.ec2(
          'InvalidParameterCombination',
          'The parameter instancesSet cannot be used with the parameter maxResults',
        );
      }
      const malformed = ids.find((id) => !INSTANCE_ID.test(id));
      if (malformed !== undefined)
        throw ec2Errors.ec2('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
      const missing = ids.filter((id) => !this.instances.has(id));
      if (missing.length === 1) {
        throw ec2Errors.ec2('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
      }
      if (missing.length > 1) {
        throw ec2Errors.ec2(
          'InvalidInstanceID.NotFound',
          `The instance IDs '${missing.join(', ')}' do not exist`,
        );
      }
      const chosen =
        ids.length > 0
          ? [...new Set(ids)].map((id) => this.instances.get(id) as StoredInstance)
          : [...this.instances.values()];
      // One reservation per instance, as separate RunInstances calls would have made them.
      resolve({
        Reservations: chosen.map((s) => ({
          ReservationId: `r-${s.instanceId.slice(2)}`,
          OwnerId: this.opts.accountId,
          Instances: [instanceOut(s)],
        })),
      });
    });
  }

  toJSON(): StoredEc2 {
    return structuredClone({ seq: this.seq, instances: [...this.instances.values()] });
  }

  static fromJSON(state: StoredEc2 | undefined, opts: { accountId: string; callLog?: CallLog }): SandboxEc2 {
    const sb = new SandboxEc2(opts);
    if (!state) return sb;
    sb.seq = state.seq;
    for (const i of structuredClone(state.instances)) sb.instances.set(i.instanceId, i);
    return sb;
  }
}

function instanceOut(s: StoredInstance): Instance {
  const running = s.state === 'running';
  const publicIp = running ? s.publicIp : undefined;
  return {
    InstanceId: s.instanceId,
    State: { Code: STATE_CODES[s.state], Name: s.state },
    PrivateIpAddress: s.privateIp,
    // A stopped instance loses its (non-Elastic) public IPv4 address.
    ...(publicIp !== undefined ? { PublicIpAddress: publicIp } : {}),
    ...(s.ipv6.length > 0 ? { Ipv6Address: s.ipv6[0] } : {}),
    NetworkInterfaces: [
      {
        NetworkInterfaceId: `eni-${s.instanceId.slice(2)}`,
        PrivateIpAddress: s.privateIp,
        ...(publicIp !== undefined ? { Association: { PublicIp: publicIp, IpOwnerId: 'amazon' } } : {}),
        Ipv6Addresses: s.ipv6.map((Ipv6Address) => ({ Ipv6Address })),
      },
    ],
  };
}
