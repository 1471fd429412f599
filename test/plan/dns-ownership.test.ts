import {
  decideOwnership,
  ownershipTxtName,
  ownershipTxtValue,
  parseOwnership,
  recordForTxtName,
} from '../../controller/plan/dns-ownership';

describe('TXT ownership records', () => {
  test('the value is quoted and round-trips', () => {
    const o = { owner: 'prod-eu', cluster: 'demo', service: 'web' };
    const v = ownershipTxtValue(o);
    expect(v).toBe(
      '"heritage=ecs-gitops,ecs-gitops/owner=prod-eu,ecs-gitops/cluster=demo,ecs-gitops/service=web"',
    );
    expect(parseOwnership(v)).toEqual(o);
  });

  test('separators and quotes in a value cannot change its meaning; long values split into 255-char strings', () => {
    const odd = { owner: 'a,b=c"d\\e', cluster: 'c'.repeat(250), service: 's' };
    const v = ownershipTxtValue(odd);
    expect(v).toMatch(/^"[^"]{255}" "[^"]+"$/);
    expect(parseOwnership(v)).toEqual(odd);
  });

  test('only ecs-gitops values parse', () => {
    expect(parseOwnership('"heritage=external-dns,external-dns/owner=default"')).toBeUndefined();
    expect(parseOwnership('"v=spf1 -all"')).toBeUndefined();
    expect(parseOwnership('"heritage=ecs-gitops,ecs-gitops/owner=x"')).toBeUndefined();
    // Route53 may list a value split in strings, or with escaped quotes.
    expect(
      parseOwnership('"heritage=ecs-gitops,ecs-gitops/owner=x," "ecs-gitops/cluster=y,ecs-gitops/service=z"'),
    ).toEqual({ owner: 'x', cluster: 'y', service: 'z' });
  });

  test('TXT names never share a name with the record (a CNAME allows nothing beside it) and map back one to one', () => {
    const cases: [string, 'A' | 'AAAA' | 'CNAME', string][] = [
      ['www.example.com', 'A', '_ecs-gitops-a.www.example.com'],
      ['www.example.com', 'AAAA', '_ecs-gitops-aaaa.www.example.com'],
      ['www.example.com', 'CNAME', '_ecs-gitops-cname.www.example.com'],
      ['*.example.com', 'A', '_ecs-gitops-wildcard-a.example.com'],
      ['wildcard.example.com', 'A', '_ecs-gitops-a.wildcard.example.com'],
    ];
    for (const [name, type, txt] of cases) {
      expect(ownershipTxtName(name, type)).toBe(txt);
      expect(recordForTxtName(txt)).toEqual({ name, type });
    }
    expect(new Set(cases.map(([n, t]) => ownershipTxtName(n, t))).size).toBe(cases.length);
    // Route53 lists names with a trailing dot.
    expect(recordForTxtName('_ecs-gitops-wildcard-cname.example.com.')).toEqual({
      name: '*.example.com',
      type: 'CNAME',
    });
    expect(recordForTxtName('_ecs-gitops-mx.www.example.com')).toBeUndefined();
    expect(recordForTxtName('_dmarc.example.com')).toBeUndefined();
  });

  test('decisions: ours needs owner id and cluster; same owner other cluster and other owners are not ours', () => {
    const o = (owner: string, cluster: string) => ({ owner, cluster, service: 'web' });
    expect(decideOwnership(o('demo', 'demo'), 'demo', 'demo')).toBe('ours');
    expect(decideOwnership(o('demo', 'other'), 'demo', 'demo')).toBe('other-cluster');
    expect(decideOwnership(o('prod', 'demo'), 'demo', 'demo')).toBe('other-owner');
    expect(decideOwnership(undefined, 'demo', 'demo')).toBe('unowned');
  });
});
