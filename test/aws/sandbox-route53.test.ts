import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { InvalidChangeBatch } from '@aws-sdk/client-route-53';
import { ManualClock } from '../../controller/aws/clock';
import { SandboxRoute53 } from '../../controller/aws/sandbox/sandbox-route53';
import { expectAwsError } from '../helpers/sandbox';

function setup(opts: { insyncSeconds?: number; rejectWhilePending?: boolean } = {}) {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const r53 = new SandboxRoute53({ clock, ...opts });
  const zone = r53.createHostedZone('example.com');
  return { clock, r53, zone };
}

const a = (name: string, values: string[], ttl = 300): ResourceRecordSet => ({
  Name: name,
  Type: 'A',
  TTL: ttl,
  ResourceRecords: values.map((Value) => ({ Value })),
});
const rrs = (
  name: string,
  type: ResourceRecordSet['Type'],
  values: string[],
  ttl = 300,
): ResourceRecordSet => ({
  Name: name,
  Type: type,
  TTL: ttl,
  ResourceRecords: values.map((Value) => ({ Value })),
});
const change = (Action: Change['Action'], ResourceRecordSet: ResourceRecordSet): Change => ({
  Action,
  ResourceRecordSet,
});

async function apply(r53: SandboxRoute53, zone: string, ...changes: Change[]) {
  return r53.changeResourceRecordSets({ HostedZoneId: zone, ChangeBatch: { Changes: changes } });
}

async function names(r53: SandboxRoute53, zone: string): Promise<string[]> {
  const out = await r53.listResourceRecordSets({ HostedZoneId: zone });
  return (out.ResourceRecordSets ?? []).map((r) => `${r.Name ?? ''} ${r.Type ?? ''}`);
}

/** The InvalidChangeBatch of a rejected call: SDK class, message list and bracketed message. */
async function rejection(p: Promise<unknown>): Promise<InvalidChangeBatch> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidChangeBatch);
  return err as InvalidChangeBatch;
}

describe('SandboxRoute53 hosted zones', () => {
  test('createHostedZone: Z + 13 upper-case alphanumerics, with the SOA and NS records Route53 creates', async () => {
    const { r53, zone } = setup();
    expect(zone).toMatch(/^Z[0-9A-Z]{13}$/);
    const out = await r53.listResourceRecordSets({ HostedZoneId: `/hostedzone/${zone}` });
    expect(out.ResourceRecordSets?.map((r) => [r.Name, r.Type, r.TTL])).toEqual([
      ['example.com.', 'NS', 172800],
      ['example.com.', 'SOA', 900],
    ]);
    expect(out.ResourceRecordSets?.[0].ResourceRecords).toHaveLength(4);
    const zones = await r53.listHostedZones({});
    expect(zones.HostedZones).toEqual([
      expect.objectContaining({
        Id: `/hostedzone/${zone}`,
        Name: 'example.com.',
        Config: { PrivateZone: false },
        ResourceRecordSetCount: 2,
      }),
    ]);
  });

  test('ListHostedZones pages with Marker/NextMarker (MaxItems default 100)', async () => {
    const { r53 } = setup();
    const ids = [];
    for (let i = 0; i < 104; i++) ids.push(r53.createHostedZone(`z${i}.test`, { private: i === 3 }));
    const first = await r53.listHostedZones({});
    expect(first.HostedZones).toHaveLength(100);
    expect(first.MaxItems).toBe(100);
    expect(first.IsTruncated).toBe(true);
    const second = await r53.listHostedZones({ Marker: first.NextMarker });
    expect(second.HostedZones).toHaveLength(5);
    expect(second.IsTruncated).toBe(false);
    expect(second.NextMarker).toBeUndefined();
    const small = await r53.listHostedZones({ MaxItems: 2, Marker: first.NextMarker });
    expect(small.HostedZones?.map((z) => z.Name)).toEqual(['z99.test.', 'z100.test.']);
    expect(ids).toHaveLength(new Set(ids).size);
    await expectAwsError(r53.listHostedZones({ Marker: 'ZNOPE' }), 'InvalidInput');
  });

  test('unknown zones: NoSuchHostedZone for list and change', async () => {
    const { r53 } = setup();
    await expectAwsError(
      r53.listResourceRecordSets({ HostedZoneId: 'ZNOPE' }),
      'NoSuchHostedZone',
      'No hosted zone found with ID: ZNOPE',
    );
    await expectAwsError(
      apply(r53, '/hostedzone/ZNOPE', change('CREATE', a('x.example.com', ['1.2.3.4']))),
      'NoSuchHostedZone',
    );
  });
});

describe('SandboxRoute53 ChangeResourceRecordSets rules', () => {
  test('CREATE of an existing name+type is rejected with Route53 message', async () => {
    const { r53, zone } = setup();
    await apply(r53, zone, change('CREATE', a('x.example.com', ['1.2.3.4'])));
    const err = await rejection(apply(r53, zone, change('CREATE', a('X.Example.com.', ['5.6.7.8']))));
    expect(err.messages).toEqual([
      "Tried to create resource record set [name='x.example.com.', type='A'] but it already exists",
    ]);
    expect(err.message).toBe(
      "[Tried to create resource record set [name='x.example.com.', type='A'] but it already exists]",
    );
  });

  test('DELETE must match exactly: missing, other values, other TTL, other alias', async () => {
    const { r53, zone } = setup();
    await apply(
      r53,
      zone,
      change('CREATE', a('x.example.com', ['1.2.3.4', '5.6.7.8'])),
      change('CREATE', {
        Name: 'lb.example.com',
        Type: 'A',
        AliasTarget: {
          DNSName: 'my-lb.us-east-1.elb.amazonaws.com',
          HostedZoneId: 'Z35SXDOTRQ7X7K',
          EvaluateTargetHealth: false,
        },
      }),
    );
    const notFound = await rejection(apply(r53, zone, change('DELETE', a('y.example.com', ['1.2.3.4']))));
    expect(notFound.messages).toEqual([
      "Tried to delete resource record set [name='y.example.com.', type='A'] but it was not found",
    ]);
    const mismatch =
      "Tried to delete resource record set [name='x.example.com.', type='A'] but the values provided do not match the current values";
    expect(
      (await rejection(apply(r53, zone, change('DELETE', a('x.example.com', ['1.2.3.4']))))).messages,
    ).toEqual([mismatch]);
    expect(
      (await rejection(apply(r53, zone, change('DELETE', a('x.example.com', ['1.2.3.4', '5.6.7.8'], 60)))))
        .messages,
    ).toEqual([mismatch]);
    const aliasMismatch = await rejection(
      apply(
        r53,
        zone,
        change('DELETE', {
          Name: 'lb.example.com',
          Type: 'A',
          AliasTarget: {
            DNSName: 'my-lb.us-east-1.elb.amazonaws.com',
            HostedZoneId: 'Z35SXDOTRQ7X7K',
            EvaluateTargetHealth: true,
          },
        }),
      ),
    );
    expect(aliasMismatch.messages?.[0]).toMatch(/lb\.example\.com\..*do not match the current values/);
    // Values in another order, alias name with a trailing dot and in upper case: that is a match.
    await apply(
      r53,
      zone,
      change('DELETE', a('x.example.com.', ['5.6.7.8', '1.2.3.4'])),
      change('DELETE', {
        Name: 'lb.example.com.',
        Type: 'A',
        AliasTarget: {
          DNSName: 'MY-LB.us-east-1.elb.amazonaws.com.',
          HostedZoneId: 'Z35SXDOTRQ7X7K',
          EvaluateTargetHealth: false,
        },
      }),
    );
    expect(await names(r53, zone)).toEqual(['example.com. NS', 'example.com. SOA']);
  });

  test('CNAME beside other types, CNAME at the apex, and another type beside a CNAME', async () => {
    const { r53, zone } = setup();
    await apply(r53, zone, change('CREATE', a('x.example.com', ['1.2.3.4'])));
    const beside = await rejection(
      apply(r53, zone, change('CREATE', rrs('x.example.com', 'CNAME', ['target.example.net']))),
    );
    expect(beside.messages).toEqual([
      'RRSet of type CNAME with DNS name x.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.',
    ]);
    const apex = await rejection(
      apply(r53, zone, change('UPSERT', rrs('example.com', 'CNAME', ['target.example.net']))),
    );
    expect(apex.messages).toEqual([
      'RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.',
    ]);
    await apply(r53, zone, change('CREATE', rrs('c.example.com', 'CNAME', ['target.example.net'])));
    const other = await rejection(apply(r53, zone, change('CREATE', rrs('c.example.com', 'TXT', ['"x"']))));
    expect(other.messages).toEqual([
      'RRSet of type TXT with DNS name c.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.',
    ]);
    // Replacing the A by a CNAME in one batch is fine: changes apply in order.
    await apply(
      r53,
      zone,
      change('DELETE', a('x.example.com', ['1.2.3.4'])),
      change('CREATE', rrs('x.example.com', 'CNAME', ['target.example.net'])),
    );
  });

  test('a name outside the zone; a TXT value without quotes; bad addresses', async () => {
    const { r53, zone } = setup();
    expect(
      (await rejection(apply(r53, zone, change('CREATE', a('x.example.org', ['1.2.3.4']))))).messages,
    ).toEqual(['RRSet with DNS name x.example.org. is not permitted in zone example.com.']);
    // A suffix is not a subdomain.
    await rejection(apply(r53, zone, change('CREATE', a('badexample.com', ['1.2.3.4']))));
    expect(
      (await rejection(apply(r53, zone, change('CREATE', rrs('t.example.com', 'TXT', ['owner=me'])))))
        .messages,
    ).toEqual([
      "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'owner=me''",
    ]);
    await apply(r53, zone, change('CREATE', rrs('t.example.com', 'TXT', ['"heritage=ecs-gitops,owner=me"'])));
    expect(
      (await rejection(apply(r53, zone, change('CREATE', a('ip.example.com', ['1.2.3']))))).messages?.[0],
    ).toMatch(/ARRDATAIllegalIPv4Address/);
    expect(
      (await rejection(apply(r53, zone, change('CREATE', rrs('ip.example.com', 'AAAA', ['1.2.3.4'])))))
        .messages?.[0],
    ).toMatch(/IllegalIPv6Address/);
    await apply(r53, zone, change('CREATE', rrs('ip.example.com', 'AAAA', ['2001:db8::1'])));
  });

  test('TTL with an alias, or neither: InvalidInput as Route53 words it', async () => {
    const { r53, zone } = setup();
    await expectAwsError(
      apply(
        r53,
        zone,
        change('CREATE', {
          Name: 'lb.example.com',
          Type: 'A',
          TTL: 60,
          AliasTarget: {
            DNSName: 'x.elb.amazonaws.com',
            HostedZoneId: 'Z35SXDOTRQ7X7K',
            EvaluateTargetHealth: false,
          },
        }),
      ),
      'InvalidInput',
      'Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with [Action=CREATE, Name=lb.example.com, Type=A, SetIdentifier=null]',
    );
    await expectAwsError(
      apply(
        r53,
        zone,
        change('CREATE', { Name: 'x.example.com', Type: 'A', ResourceRecords: [{ Value: '1.2.3.4' }] }),
      ),
      'InvalidInput',
      /but found none in Change/,
    );
    await expectAwsError(apply(r53, zone), 'InvalidInput');
  });

  test('a batch is atomic: one bad change and nothing is applied; every problem is listed', async () => {
    const { r53, zone } = setup();
    await apply(r53, zone, change('CREATE', a('keep.example.com', ['1.1.1.1'])));
    const before = await r53.listResourceRecordSets({ HostedZoneId: zone });
    const err = await rejection(
      apply(
        r53,
        zone,
        change('CREATE', a('new.example.com', ['2.2.2.2'])),
        change('DELETE', a('keep.example.com', ['1.1.1.1'])),
        change('CREATE', a('new.example.com', ['3.3.3.3'])),
        change('DELETE', a('gone.example.com', ['4.4.4.4'])),
      ),
    );
    expect(err.messages).toEqual([
      "Tried to create resource record set [name='new.example.com.', type='A'] but it already exists",
      "Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found",
    ]);
    expect(await r53.listResourceRecordSets({ HostedZoneId: zone })).toEqual(before);
  });

  test('1000 ResourceRecord elements per request, an UPSERT counting twice', async () => {
    const { r53, zone } = setup();
    const many = (action: Change['Action'], n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => change(action, a(`${prefix}${i}.example.com`, ['10.0.0.1'])));
    const limit = await rejection(apply(r53, zone, ...many('UPSERT', 501, 'u')));
    expect(limit.messages).toEqual(['Number of records limit of 1000 exceeded.']);
    expect(limit.message).toBe('[Number of records limit of 1000 exceeded.]');
    expect(await names(r53, zone)).toHaveLength(2);
    await apply(r53, zone, ...many('UPSERT', 500, 'u'));
    await rejection(apply(r53, zone, ...many('CREATE', 1001, 'c')));
    await apply(r53, zone, ...many('CREATE', 1000, 'c'));
    expect((await r53.listHostedZones({})).HostedZones?.[0].ResourceRecordSetCount).toBe(1502);
  });

  test('32000 characters of values per request, an UPSERT counting twice', async () => {
    const { r53, zone } = setup();
    const txt = `"${'x'.repeat(253)}"`; // 255 characters
    const changes = (action: Change['Action'], n: number) =>
      Array.from({ length: n }, (_, i) => change(action, rrs(`t${i}.example.com`, 'TXT', [txt])));
    // 63 UPSERTs: 126 counted elements (fine), 32130 counted characters (too many).
    const err = await rejection(apply(r53, zone, ...changes('UPSERT', 63)));
    expect(err.messages).toEqual(['RDATA character limit of 32000 exceeded.']);
    await apply(r53, zone, ...changes('CREATE', 125)); // 31875 characters
  });
});

describe('SandboxRoute53 listing order, escaping and pagination', () => {
  test('sorted by reversed labels (trailing dot included), then type; names escaped, lower case', async () => {
    const { r53, zone } = setup();
    await apply(
      r53,
      zone,
      change('CREATE', a('Z.example.com', ['1.1.1.1'])),
      change('CREATE', a('*.example.com', ['1.1.1.1'])),
      change('CREATE', rrs('a.b.example.com', 'TXT', ['"t"'])),
      change('CREATE', a('a.b.example.com', ['1.1.1.1'])),
      change('CREATE', a('a-b.example.com', ['1.1.1.1'])),
      change('CREATE', a('r000.example.com', ['1.1.1.1'])),
      change('CREATE', a('\\052.wild.example.com', ['1.1.1.1'])),
    );
    expect(await names(r53, zone)).toEqual([
      'example.com. NS',
      'example.com. SOA',
      '\\052.example.com. A',
      'a-b.example.com. A',
      'a.b.example.com. A',
      'a.b.example.com. TXT',
      'r000.example.com. A',
      '\\052.wild.example.com. A',
      'z.example.com. A',
    ]);
  });

  test('MaxItems default 300 and at most 300; StartRecordName/Type continue where Next* points', async () => {
    const { r53, zone } = setup();
    for (let i = 0; i < 700; i += 500) {
      await apply(
        r53,
        zone,
        ...Array.from({ length: Math.min(500, 700 - i) }, (_, k) =>
          change('CREATE', a(`r${String(i + k).padStart(3, '0')}.example.com`, ['10.0.0.1'])),
        ),
      );
    }
    const first = await r53.listResourceRecordSets({ HostedZoneId: zone });
    expect(first.ResourceRecordSets).toHaveLength(300);
    expect(first.MaxItems).toBe(300);
    expect(first.IsTruncated).toBe(true);
    expect([first.NextRecordName, first.NextRecordType]).toEqual(['r298.example.com.', 'A']);
    expect(
      (await r53.listResourceRecordSets({ HostedZoneId: zone, MaxItems: 1000 })).ResourceRecordSets,
    ).toHaveLength(300);
    const all: string[] = [];
    let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type'] } = {};
    for (;;) {
      const page = await r53.listResourceRecordSets({ HostedZoneId: zone, MaxItems: 7, ...start });
      all.push(...(page.ResourceRecordSets ?? []).map((r) => `${r.Name ?? ''} ${r.Type ?? ''}`));
      if (!page.IsTruncated) break;
      start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
    }
    expect(all).toHaveLength(702);
    expect(new Set(all).size).toBe(702);
    expect(all).toEqual(await namesAll(r53, zone));
    await expectAwsError(
      r53.listResourceRecordSets({ HostedZoneId: zone, StartRecordType: 'A' }),
      'InvalidInput',
    );
    await expectAwsError(r53.listResourceRecordSets({ HostedZoneId: zone, MaxItems: 0 }), 'InvalidInput');
  });
});

async function namesAll(r53: SandboxRoute53, zone: string): Promise<string[]> {
  const out: string[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type'] } = {};
  for (;;) {
    const page = await r53.listResourceRecordSets({ HostedZoneId: zone, ...start });
    out.push(...(page.ResourceRecordSets ?? []).map((r) => `${r.Name ?? ''} ${r.Type ?? ''}`));
    if (!page.IsTruncated) return out;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType };
  }
}

describe('SandboxRoute53 changes, throttling', () => {
  test('a change is PENDING, then INSYNC after insyncSeconds on the clock; NoSuchChange otherwise', async () => {
    const { r53, zone, clock } = setup({ insyncSeconds: 2 });
    const out = await apply(r53, zone, change('CREATE', a('x.example.com', ['1.2.3.4'])));
    expect(out.ChangeInfo?.Id).toMatch(/^\/change\/C[0-9A-Z]{13}$/);
    expect(out.ChangeInfo?.Status).toBe('PENDING');
    expect(out.ChangeInfo?.SubmittedAt).toEqual(new Date(Date.UTC(2024, 0, 1)));
    clock.advance(1999);
    expect((await r53.getChange({ Id: out.ChangeInfo?.Id })).ChangeInfo?.Status).toBe('PENDING');
    clock.advance(1);
    const bare = (out.ChangeInfo?.Id ?? '').replace('/change/', '');
    expect((await r53.getChange({ Id: bare })).ChangeInfo?.Status).toBe('INSYNC');
    await expectAwsError(r53.getChange({ Id: 'CNOPE' }), 'NoSuchChange');
  });

  test('throttling: a bucket per operation answers Throttling "Rate exceeded" until it refills', async () => {
    const { r53, zone, clock } = setup();
    r53.setThrottle({ ListResourceRecordSets: { burst: 2, perSecond: 5 } });
    await r53.listResourceRecordSets({ HostedZoneId: zone });
    await r53.listResourceRecordSets({ HostedZoneId: zone });
    await expectAwsError(r53.listResourceRecordSets({ HostedZoneId: zone }), 'Throttling', 'Rate exceeded');
    await r53.listHostedZones({});
    clock.advance(200);
    await r53.listResourceRecordSets({ HostedZoneId: zone });
    expect(r53.callLog.snapshot()).toEqual({
      'Route53.ListHostedZones': 1,
      'Route53.ListResourceRecordSets': 4,
    });
  });

  test('rejectWhilePending: PriorRequestNotComplete while the zone has a PENDING change', async () => {
    const { r53, zone, clock } = setup({ rejectWhilePending: true, insyncSeconds: 2 });
    const other = r53.createHostedZone('example.net');
    await apply(r53, zone, change('CREATE', a('x.example.com', ['1.2.3.4'])));
    const err = await apply(r53, zone, change('CREATE', a('y.example.com', ['1.2.3.4']))).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'PriorRequestNotComplete', $retryable: { throttling: true } });
    await apply(r53, other, change('CREATE', a('y.example.net', ['1.2.3.4'])));
    clock.advanceSeconds(2);
    await apply(r53, zone, change('CREATE', a('y.example.com', ['1.2.3.4'])));
  });
});
