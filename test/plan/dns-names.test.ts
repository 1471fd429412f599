import { planDns } from '../../controller/plan/dns-planner';
import { comparedName, toRoute53Name, zoneFor } from '../../controller/plan/dns-names';
import { DEV_ZONE, dnsDesired, host, observedDns, PRIVATE_ZONE, ZONE } from './dns-builders';

describe('DNS names', () => {
  test('compared form: lower case, no trailing dot, \\052 is a wildcard, other \\ddd decoded', () => {
    expect(comparedName('WWW.Example.COM.')).toBe('www.example.com');
    expect(comparedName('\\052.example.com.')).toBe('*.example.com');
    expect(comparedName('a\\040b.example.com')).toBe('a b.example.com');
    expect(comparedName('*.example.com')).toBe('*.example.com');
  });

  test('Route53 form has the trailing dot and keeps * as given', () => {
    expect(toRoute53Name('*.Example.com')).toBe('*.example.com.');
    expect(toRoute53Name('www.example.com.')).toBe('www.example.com.');
  });
});

describe('zone selection', () => {
  const zones = [ZONE, DEV_ZONE, PRIVATE_ZONE];
  const pub = { privateZones: false };

  test('the longest matching suffix wins; the apex is inside its zone; a partial label is not a suffix', () => {
    expect(zoneFor('www.example.com', zones, pub)?.id).toBe('Z1EXAMPLE');
    expect(zoneFor('api.dev.example.com', zones, pub)?.id).toBe('Z2DEV');
    expect(zoneFor('dev.example.com', zones, pub)?.id).toBe('Z2DEV');
    expect(zoneFor('example.com', zones, pub)?.id).toBe('Z1EXAMPLE');
    expect(zoneFor('notexample.com', zones, pub)).toBeUndefined();
    expect(zoneFor('*.dev.example.com', zones, pub)?.id).toBe('Z2DEV');
  });

  test('private zones only when allowed', () => {
    expect(zoneFor('db.internal.example.com', zones, pub)?.id).toBe('Z1EXAMPLE');
    expect(zoneFor('db.internal.example.com', zones, { privateZones: true })?.id).toBe('Z3PRIVATE');
  });

  test('an explicit zoneId is the only candidate, and the name must be inside it', () => {
    expect(zoneFor('api.dev.example.com', zones, { privateZones: false, zoneId: 'Z1EXAMPLE' })?.id).toBe(
      'Z1EXAMPLE',
    );
    expect(
      zoneFor('www.example.com', zones, { privateZones: false, zoneId: '/hostedzone/Z1EXAMPLE' })?.id,
    ).toBe('Z1EXAMPLE');
    expect(zoneFor('www.example.com', zones, { privateZones: false, zoneId: 'Z2DEV' })).toBeUndefined();
    expect(zoneFor('www.example.com', zones, { privateZones: false, zoneId: 'ZNOPE' })).toBeUndefined();
  });

  test('no zone for a name is a plan error naming the name, the service and its source', () => {
    const { actions, errors } = planDns(
      dnsDesired([host('www.example.org', 'shop', 21), host('www.example.com')]),
      observedDns([ZONE]),
    );
    expect(errors).toEqual([
      {
        message: expect.stringContaining('no hosted zone for www.example.org') as string,
        field: 'containerDefinitions[shop].dockerLabels.proxy.host',
        source: { file: 'specs/demo/shop.taskdef', line: 21, column: 9 },
      },
    ]);
    expect(errors[0].message).toContain('service shop');
    expect(actions.map((a) => a.id)).toEqual(['dnsRecord/www.example.com/A']);
  });

  test('dns.zoneId that does not hold the name is a plan error too', () => {
    const { errors } = planDns(
      dnsDesired([host('www.example.com')], { zoneId: 'Z2DEV' }),
      observedDns([ZONE, DEV_ZONE]),
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('it is not inside hosted zone Z2DEV (dns.zoneId)'),
    ]);
  });

  test('two zones with the same name are ambiguous: a plan error asking for dns.zoneId', () => {
    const twin = { ...ZONE, id: 'Z9TWIN' };
    const { errors, actions } = planDns(dnsDesired([host('www.example.com')]), observedDns([ZONE, twin]));
    expect(actions).toEqual([]);
    expect(errors[0].message).toContain('several hosted zones named example.com (Z1EXAMPLE, Z9TWIN)');
  });
});
