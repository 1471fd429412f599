/**
 * How DNS actions are sent: batches per zone, per-record retry only for a batch Route53 rejected for
 * its content, creates before deletes. A scripted Route53 port records every call.
 */
import type { Change, ChangeResourceRecordSetsRequest } from '@aws-sdk/client-route-53';
import type { Route53Port } from '../../controller/aws/route53-port';
import type { PlannedAction } from '../../controller/plan/plan-types';
import { applyDnsActions } from '../../controller/reconcile/dns-executor';

function record(action: 'CREATE' | 'DELETE', name: string): Change[] {
  return [
    {
      Action: action,
      ResourceRecordSet: { Name: `${name}.`, Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.0.1' }] },
    },
    {
      Action: action,
      ResourceRecordSet: {
        Name: `_ecs-gitops-a.${name}.`,
        Type: 'TXT',
        TTL: 300,
        ResourceRecords: [{ Value: '"x"' }],
      },
    },
  ];
}

function action(op: 'create' | 'delete', name: string, zoneId: string): PlannedAction {
  return {
    id: `dnsRecord/${name}/A${op === 'delete' ? `/${zoneId}` : ''}`,
    resource: 'dnsRecord',
    name: `${name} A`,
    op,
    reason: op,
    changes: [],
    dependsOn: [],
    steps: [{ call: 'changeRecords', zoneId, changes: record(op === 'create' ? 'CREATE' : 'DELETE', name) }],
  };
}

/** Fails every call whose batch contains a change for one of `bad`, with the given error name. */
function scripted(bad: string[], errorName: string) {
  const calls: ChangeResourceRecordSetsRequest[] = [];
  const reads: string[] = [];
  const port: Route53Port = {
    listHostedZones: () => Promise.reject(new Error('unused')),
    listResourceRecordSets: (input) => {
      reads.push(input.StartRecordName ?? '');
      return Promise.resolve({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    },
    getChange: () => Promise.reject(new Error('unused')),
    changeResourceRecordSets: (input) => {
      calls.push(input);
      const names = (input.ChangeBatch?.Changes ?? []).map((c) => c.ResourceRecordSet?.Name ?? '');
      if (names.some((n) => bad.some((b) => n === `${b}.`))) {
        return Promise.reject(
          Object.assign(new Error(`${errorName} for ${bad.join(',')}`), { name: errorName }),
        );
      }
      return Promise.resolve({
        ChangeInfo: { Id: `/change/C${calls.length}`, Status: 'PENDING', SubmittedAt: new Date(0) },
      });
    },
  };
  return { port, calls, reads };
}

test('a batch Route53 rejects for its content is retried record by record; only the bad one fails', async () => {
  const { port, calls } = scripted(['b.example.com'], 'InvalidChangeBatch');
  const actions = ['a', 'b', 'c'].map((n) => action('create', `${n}.example.com`, 'Z1'));
  const results = await applyDnsActions(actions, port);
  expect(results.map((r) => r.outcome)).toEqual(['created', 'failed', 'created']);
  expect(results[1].errorCode).toBe('InvalidChangeBatch');
  expect(calls).toHaveLength(4); // the batch, then one call per record with its TXT
  for (const call of calls.slice(1)) expect(call.ChangeBatch?.Changes).toHaveLength(2);
});

test('a zone-wide error fails the batch once: no per-record retries that would all fail too', async () => {
  const { port, calls, reads } = scripted(['a.example.com'], 'AccessDenied');
  const actions = ['a', 'b', 'c'].map((n) => action('create', `${n}.example.com`, 'Z1'));
  const results = await applyDnsActions(actions, port);
  expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed']);
  expect(results.every((r) => r.errorCode === 'AccessDenied')).toBe(true);
  expect(calls).toHaveLength(1);
  // Nothing was written: the zone is not read again to look for a lost answer.
  expect(reads).toEqual([]);
});

test('a name moving zones is created in the new zone before it is deleted from the old one', async () => {
  const { port, calls } = scripted([], 'unused');
  // The delete's zone comes first in plan order; it must still be sent last.
  const results = await applyDnsActions(
    [action('delete', 'www.example.com', 'ZOLD'), action('create', 'www.example.com', 'ZNEW')],
    port,
  );
  expect(results.map((r) => r.outcome)).toEqual(['deleted', 'created']);
  expect(calls.map((c) => c.HostedZoneId)).toEqual(['ZNEW', 'ZOLD']);
});

test('when the new record cannot be written, the old one is not deleted', async () => {
  const { port, calls } = scripted(['www.example.com'], 'InvalidChangeBatch');
  const results = await applyDnsActions(
    [action('delete', 'www.example.com', 'ZOLD'), action('create', 'www.example.com', 'ZNEW')],
    port,
  );
  expect(results.map((r) => r.outcome)).toEqual(['skipped', 'failed']);
  expect(results[0].message).toMatch(
    /not attempted: the record replacing www.example.com A could not be written/,
  );
  expect(calls.map((c) => c.HostedZoneId)).toEqual(['ZNEW']);
});
