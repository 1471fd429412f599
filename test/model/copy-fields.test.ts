import { copyFields } from '../../controller/model/copy-fields';

/** copyFields stands in for object spread on hot paths: it must build the very same object. */
function sameObject(a: object, b: object): void {
  expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
  expect(Reflect.ownKeys(a)).toEqual(Reflect.ownKeys(b));
  for (const k of Reflect.ownKeys(a)) {
    expect(Object.getOwnPropertyDescriptor(a, k)).toEqual(Object.getOwnPropertyDescriptor(b, k));
  }
}

/** As JSON.parse and the spec parsers make them: "__proto__" as an own field. */
const parsed = (json: string): Record<string, unknown> => JSON.parse(json) as Record<string, unknown>;

describe('copyFields: object spread, key by key', () => {
  const cases: [string, Record<string, unknown>[]][] = [
    ['one object', [{ a: 1, b: { c: 2 } }]],
    [
      'later keys replace earlier ones in place',
      [
        { a: 1, b: 2 },
        { c: 3, a: 4 },
      ],
    ],
    [
      'integer-like keys',
      [
        { b: 1, 2: 'x' },
        { 1: 'y', a: 2 },
      ],
    ],
    [
      'an own "__proto__" field stays a field',
      [parsed('{"a":1,"__proto__":{"x":1}}'), parsed('{"__proto__":"v","b":2}')],
    ],
    ['keys of Object.prototype', [{ toString: 'x', constructor: 'y', hasOwnProperty: 'z' }]],
    ['objects without a prototype as sources', [Object.assign(Object.create(null) as object, { k: 1 })]],
    ['undefined values are copied', [{ a: undefined }, { b: undefined }]],
  ];
  it.each(cases)('%s', (_what, sources) => {
    const spread = sources.reduce<object>((acc, s) => ({ ...acc, ...s }), {});
    const copied = copyFields({}, ...sources);
    sameObject(copied, spread);
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect((copied as { x?: unknown }).x).toBeUndefined();
  });

  it('skips null and undefined sources, as spread does', () => {
    const none = (): object | null | undefined => undefined;
    const nil = (): object | null | undefined => null;
    sameObject(copyFields({}, none(), { a: 1 }, nil()), { ...none(), a: 1, ...nil() });
  });

  it('fills the object it is given and returns it', () => {
    const into = { z: 0 };
    expect(copyFields(into, { a: 1 })).toBe(into);
    expect(Object.keys(into)).toEqual(['z', 'a']);
  });
});
