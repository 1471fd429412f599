import * as jsonc from 'jsonc-parser';
import { scanJsonc, visitJsonc } from '../../controller/specfiles/jsonc-value';

/**
 * scanJsonc is the loader's one-pass parse of a valid JSONC spec file: on every text it takes it
 * must give exactly jsonc-parser's value (getNodeValue of parseTree: objects without a prototype,
 * keys in file order, -0, numbers as Number() reads them, escapes decoded) and the root's offset;
 * anything else it must leave to the other paths (undefined), never guess.
 */
const OPTIONS: jsonc.ParseOptions = { allowTrailingComma: true, disallowComments: false };

function reference(text: string): { value: unknown; rootOffset: number } | undefined {
  const errors: jsonc.ParseError[] = [];
  const root = jsonc.parseTree(text, errors, OPTIONS);
  if (!root || errors.length > 0) return undefined;
  return { value: jsonc.getNodeValue(root) as unknown, rootOffset: root.offset };
}

/** Same structure, same prototypes, same key order, Object.is on leaves (-0 is not 0). */
function identical(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) =>
    identical((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k]),
  );
}

/** Taken: the same as jsonc-parser (and as visitJsonc, the fallback). */
function expectSameAsJsonc(text: string): void {
  const fast = scanJsonc(text);
  const ref = reference(text);
  expect(fast).toBeDefined();
  expect(ref).toBeDefined();
  expect(fast!.rootOffset).toBe(ref!.rootOffset);
  if (!identical(fast!.value, ref!.value)) {
    throw new Error(`scanJsonc differs from jsonc-parser on ${JSON.stringify(text)}`);
  }
  expect(identical(fast!.value, visitJsonc(text)!.value)).toBe(true);
}

const SPEC = `{
  // A task definition as the bench and most repositories write it.
  "containerDefinitions": [
    {
      "name": "web",
      "image": "public.ecr.aws/nginx/nginx:1.27.1",
      "memoryReservation": 128,
      "essential": true,
      "portMappings": [{ "containerPort": 8080, "protocol": "tcp" }],
      "environment": [
        { "name": "APP_ENV", "value": "bench" },
        { "name": "UPSTREAM_URL", "value": "http://svc2.internal:8080" },
      ],
      "dockerLabels": {
        "com.example.team": "team-1",
        "AUTOCREATE.SERVICE": "",
      },
    },
  ],
}
`;

const TAKEN: [string, string][] = [
  ['a spec file with comments and trailing commas', SPEC],
  ['CRLF line ends and tabs', SPEC.replace(/\n/g, '\r\n').replace(/ {2}/g, '\t')],
  [
    'comments everywhere',
    '/* a */ // b\n{ /* c */ "a" /* d */ : /* e */ [ // f\n 1 /* g */ , ] /**/ } // end',
  ],
  ['a line comment ending in CR', '{ "a": 1 // x\r}'],
  ['empty object and array', '{ "o": {}, "a": [], "n": [[], [{}]] }'],
  [
    'numbers as Number() reads them',
    '{ "n": [0, -0, 1, -1, 1.5, -1.5e+3, 1e5, 1E-2, 0.0, -0.0e0, 1e400, -1e400, 9007199254740993, 123456789012345678901234] }',
  ],
  ['keywords', '[true, false, null, true/**/, null//\n]'],
  ['escapes', String.raw`{ "s": ["\n\t\r\b\f", "\"q\"", "\\", "\/", "\u0041\u00e9", "\ud800", "a\u2028b"] }`],
  ['escaped keys', String.raw`{ "a\"b": 1, "\u0041": 2, "A\n": 3 }`],
  [
    'keys that are Object.prototype names',
    '{ "__proto__": { "x": 1 }, "constructor": 2, "toString": 3, "hasOwnProperty": 4 }',
  ],
  ['integer-like keys (ordered first, as in any object)', '{ "b": 1, "2": 2, "a": 3, "1": 4 }'],
  ['non-ASCII and U+2028 inside strings', '{ "é": "ü\u2028\u00a0x" }'],
  ['a scalar root', '  "just a string"  '],
  ['a root after a block comment', '/* {} */ [1]'],
  ['a trailing comma after a nested value', '{ "a": { "b": [1,], }, }'],
];

const GIVEN_UP: [string, string][] = [
  ['a duplicate key (an error of the tree path)', '{ "a": 1, "a": 2 }'],
  ['a nested duplicate key', '{ "o": { "k": 1, "k": 1 } }'],
  ['an empty text', ''],
  ['only a comment', '// nothing'],
  ['two roots', '{} {}'],
  ['an unterminated block comment', '{ "a": 1 } /* x'],
  ['an unterminated string', '{ "a": "x }'],
  ['a line break in a string', '{ "a": "x\ny" }'],
  ['a control character in a string', '{ "a": "x\u0001y" }'],
  ['a tab in a string', '{ "a": "x\ty" }'],
  ['an invalid escape', String.raw`{ "a": "\x41" }`],
  ['a short unicode escape', String.raw`{ "a": "\u41" }`],
  ['a leading zero', '{ "a": 01 }'],
  ['a number ending in a dot', '{ "a": 1. }'],
  ['an exponent without digits', '{ "a": 1e }'],
  ['a plus sign', '{ "a": +1 }'],
  ['a leading dot', '{ "a": .5 }'],
  ['a word after a number', '{ "a": 12abc }'],
  ['a misspelled keyword', '{ "a": tru }'],
  ['a keyword with more letters', '{ "a": nullx }'],
  ['a single-quoted string', "{ 'a': 1 }"],
  ['an unquoted key', '{ a: 1 }'],
  ['a missing colon', '{ "a" 1 }'],
  ['a missing comma', '{ "a": 1 "b": 2 }'],
  ['a leading comma', '[, 1]'],
  ['two commas', '[1,, 2]'],
  ['a comma alone in an object', '{ , }'],
  ['an unclosed object', '{ "a": 1'],
  ['a vertical tab between tokens', '{\u000b"a": 1 }'],
  ['a byte order mark', '\ufeff{ "a": 1 }'],
  ['a no-break space', '{\u00a0"a": 1 }'],
  ['a single slash', '{ "a": 1 / }'],
];

describe('scanJsonc: the one-pass parse of valid JSONC spec files', () => {
  it.each(TAKEN)('takes %s, with jsonc-parser’s value and root offset', (_what, text) => {
    expectSameAsJsonc(text);
  });

  it.each(GIVEN_UP)('leaves %s to the other paths', (_what, text) => {
    expect(scanJsonc(text)).toBeUndefined();
  });

  it('objects have no prototype, as jsonc-parser builds them', () => {
    const v = scanJsonc('{ "__proto__": { "polluted": true }, "o": {} }')!.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(Object.getPrototypeOf(v.o)).toBeNull();
    expect(Object.keys(v)).toEqual(['__proto__', 'o']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is usable again after giving up (no state left from a text it left)', () => {
    expect(scanJsonc('{ "a": [1, { "b": ')).toBeUndefined();
    expectSameAsJsonc('{ "c": 2 }');
  });

  it('agrees with jsonc-parser on generated and mutated texts (whenever it takes one)', () => {
    // A small deterministic fuzz: every text it takes must match; each mutation it gives up on is
    // fine as long as jsonc-parser (through the other paths) still decides.
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const ws = (): string => pick(['', ' ', '\n', '\t', '\r\n', ' // c\n', '/* b */', '/**/']);
    const leaves = ['0', '-0', '1.5e-3', '12', '"a"', String.raw`"\n\u0041"`, '"__proto__"', 'true', 'null'];
    const gen = (d: number): string => {
      const r = rnd();
      if (d > 3 || r < 0.35) return pick(leaves);
      const n = Math.floor(rnd() * 4);
      const items = Array.from({ length: n }, () =>
        r < 0.7
          ? `${ws()}${pick(leaves.filter((l) => l.startsWith('"')))}${ws()}:${ws()}${gen(d + 1)}`
          : ws() + gen(d + 1),
      );
      const trailing = n > 0 && rnd() < 0.3 ? `,${ws()}` : '';
      return r < 0.7 ? `{${items.join(',')}${trailing}}` : `[${items.join(',')}${trailing}]`;
    };
    const noise = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '\\',
      '/',
      '*',
      ' ',
      '\n',
      '\u000b',
      '\ufeff',
      '0',
      '-',
      '.',
      'e',
      'x',
      '\u0001',
    ];
    const mutate = (t: string): string => {
      const i = Math.floor(rnd() * (t.length + 1));
      const op = rnd();
      if (op < 0.33) return t.slice(0, i) + t.slice(i + 1);
      if (op < 0.66) return t.slice(0, i) + pick(noise) + t.slice(i);
      return t.slice(0, i) + pick(noise) + t.slice(i + 1);
    };
    let taken = 0;
    let leftTaken = 0;
    for (let n = 0; n < 3000; n++) {
      const base = rnd() < 0.2 ? SPEC : ws() + gen(0) + ws();
      for (const text of [base, mutate(base), mutate(mutate(base))]) {
        const fast = scanJsonc(text);
        if (fast) {
          taken++;
          expectSameAsJsonc(text);
        } else if (visitJsonc(text)) leftTaken++;
      }
    }
    // The generator reaches both sides: most texts are taken, mutations are mostly errors.
    expect(taken).toBeGreaterThan(3000);
    expect(leftTaken).toBe(0);
  });
});
