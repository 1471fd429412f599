import {
  expandHostname,
  hostnameProblem,
  parseProxyPorts,
  splitHostList,
} from '../../controller/specfiles/hostname-syntax';

describe('expanding a label name as ecs-efs did', () => {
  it.each([
    ['www', 'www.example.com'], // no dot: short
    ['ci.dev', 'ci.dev.example.com'], // one dot: still short
    ['shop.example.org', 'shop.example.org'], // two dots: taken as it is
    ['a.b.c.d', 'a.b.c.d'],
    ['intranet.', 'intranet'], // a trailing dot: taken as it is, minus the dot
    ['ci.dev.', 'ci.dev'],
    ['WWW', 'www.example.com'], // compared lower case
    ['API.Example.COM.', 'api.example.com'],
    ['*', '*.example.com'], // a wildcard for the whole domain
    ['*.ci', '*.ci.example.com'],
    ['*.Apps.Example.Org', '*.apps.example.org'],
  ])('%s -> %s', (name, expected) => {
    expect(expandHostname(name, 'example.com')).toEqual({ ok: true, name: expected });
  });

  it('a short name without a domain says to set dns.domain; a full name needs none', () => {
    expect(expandHostname('www', undefined)).toEqual({
      ok: false,
      reason: 'short',
      message:
        '"www" is a short name (at most one dot) and no dns.domain is set to append to it: set dns.domain ' +
        'in the cluster config, or write the full name with a trailing dot ("www.example.com.")',
    });
    expect(expandHostname('ci.dev', undefined)).toMatchObject({ ok: false, reason: 'short' });
    expect(expandHostname('ci.example.com', undefined)).toEqual({ ok: true, name: 'ci.example.com' });
    expect(expandHostname('ci.', undefined)).toEqual({ ok: true, name: 'ci' });
  });

  it.each([
    ['bad_name.example.com', 'has the label "bad_name" with characters other than letters, digits and "-"'],
    ['-web.example.com', 'has the label "-web" starting or ending with "-"'],
    ['web-.example.com', 'has the label "web-" starting or ending with "-"'],
    ['a.*.example.com', 'has "*" in a label other than the leftmost one'],
    ['ab*.example.com', 'has "*" inside the label "ab*": a wildcard must be the whole leftmost label'],
    ['a..example.com', 'has an empty label (two dots in a row, or a leading dot)'],
    ['*.', 'is a bare "*": a wildcard needs a domain after it'],
    [
      `${'x'.repeat(64)}.example.com`,
      `has the label "${'x'.repeat(20)}..." of 64 characters; at most 63 are allowed`,
    ],
  ])('%s is rejected: %s', (name, problem) => {
    const r = expandHostname(name, 'example.com');
    expect(r).toEqual({ ok: false, reason: 'invalid', message: expect.stringContaining(problem) });
  });

  it('names longer than 253 characters are rejected, 253 are accepted', () => {
    const label = 'a'.repeat(63);
    const ok = [label, label, label, 'b'.repeat(61)].join('.'); // 63*3 + 61 + 3 dots = 253
    expect(ok).toHaveLength(253);
    expect(hostnameProblem(ok)).toBeUndefined();
    expect(hostnameProblem(`${ok}b`)).toBe('is 254 characters long; at most 253 are allowed');
  });

  it('wildcards can be refused (for dns.domain and cname targets)', () => {
    expect(hostnameProblem('*.example.com', false)).toBe('may not be a wildcard');
  });

  it('lists are separated by spaces, commas, or both', () => {
    expect(splitHostList(' www, api  ci.dev,,shop.example.org\t')).toEqual([
      'www',
      'api',
      'ci.dev',
      'shop.example.org',
    ]);
  });
});

describe('proxy.ports', () => {
  it.each([
    ['80:8080', [{ listen: 80, container: 8080 }]],
    ['8080', [{ listen: 8080, container: 8080 }]], // N means N:N
    [
      '80:5001 443:5002',
      [
        { listen: 80, container: 5001 },
        { listen: 443, container: 5002 },
      ],
    ],
    ['  80:80   80:80 ', [{ listen: 80, container: 80 }]], // an exact repeat is kept once
    ['1:65535', [{ listen: 1, container: 65535 }]],
  ])('%j', (value, ports) => {
    expect(parseProxyPorts(value)).toEqual({ ok: true, ports });
  });

  it.each([
    [
      '80:',
      'has the malformed pair "80:": expected LISTEN:CONTAINER (like 80:8080) or one port, separated by spaces',
    ],
    ['80:80,443:443', 'has the malformed pair "80:80,443:443"'],
    ['http', 'has the malformed pair "http"'],
    ['80:8080:1', 'has the malformed pair "80:8080:1"'],
    ['0:80', 'has the port 0 in "0:80": ports are 1-65535'],
    ['80:70000', 'has the port 70000 in "80:70000": ports are 1-65535'],
    ['80:8080 80:8081', 'forwards the listen port 80 to two container ports (8080 and 8081)'],
    ['   ', 'is empty: give LISTEN:CONTAINER pairs, or remove it for the default 80:80'],
  ])('%j is rejected', (value, message) => {
    expect(parseProxyPorts(value)).toEqual({ ok: false, message: expect.stringContaining(message) });
  });
});
